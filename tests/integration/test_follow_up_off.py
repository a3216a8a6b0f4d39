"""site.yml with ``landing_zone_follow_up: false``: the wave plays do every account's baseline and roles.

By default the accounts task does each account's baseline and cross-account
roles behind its creation (org_account's follow-up) and the wave plays find
nothing left.  With the setting off, the accounts task has no follow-up jobs
and the wave plays include the baseline and account_access roles for the
accounts of each wave.  This is the path a user who turns the setting off
gets, so it is run for real: previewed (no write, the same changed tasks as
the real run), applied (the end state read back in every account), re-run
(nothing written).
"""

import pytest
import yaml

from tests.integration.test_change_report import account_ids
from tests.integration.test_change_report import ebs_encrypted
from tests.integration.test_change_report import first_converge_reports_every_account
from tests.integration.test_minimal_inventory import SITE
from tests.integration.test_minimal_inventory import write_inventory
from tests.integration.test_preview_honest import ACCOUNTS_TASK
from tests.integration.test_preview_honest import ROLE_STEPS_OF_A_FIRST_CONVERGE
from tests.integration.test_preview_honest import changed_tasks
from tests.integration.test_preview_honest import preview

pytestmark = pytest.mark.slow(site_runs=3)

BASELINE_TASK = "awsorg.landing_zone.baseline : Account baseline of every account"
ROLES_TASK = "awsorg.landing_zone.account_access : Cross-account roles trusting the identity account"


@pytest.mark.full_demo  # three site.yml runs: make test-full-demo (CI runs it after make test)
def test_the_wave_plays_do_the_baseline_and_roles_when_follow_up_is_off(ansible, aws, proxy, tmp_path):
    path, inventory = write_inventory(tmp_path / "acme")
    settings = inventory["all"]["vars"]
    settings["landing_zone_follow_up"] = False
    settings["landing_zone_baseline"] = {"ebs_encryption_by_default": True}
    settings["landing_zone_identity_account"] = "mgmt"
    settings["landing_zone_cross_account_roles"] = [
        {"name": "admin", "managed_policy_arns": [], "require_mfa": True}]
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    env = {"HOME": tmp_path}

    previewed = preview(ansible, proxy, path, env)
    real = ansible.run_playbook(SITE, inventory=path, env=env)
    assert changed_tasks(previewed) == changed_tasks(real)

    # The accounts task did no account's baseline or roles; the wave plays did.
    assert [result.get("follow_up", []) for result in real.of(ACCOUNTS_TASK)] == [[]]
    baselined = {entry["account_id"] for result in real.of(BASELINE_TASK) for entry in result["accounts"]
                 if entry["changed"]}
    ids = account_ids(aws)
    assert baselined == {ids["master"], ids["acme-dev"], ids["acme-prod"]}
    assert ROLES_TASK in {task for task, _host in changed_tasks(real)}
    first_converge_reports_every_account(aws, real, role_steps=ROLE_STEPS_OF_A_FIRST_CONVERGE)
    for name in ("master", "acme-dev", "acme-prod"):
        assert ebs_encrypted(aws, ids[name]), name
        trust = aws.client("iam", account_id=ids[name]).get_role(RoleName="admin")["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ids['master']}:root"}, trust

    writes_before = len(proxy.mutating_calls())
    again = ansible.run_playbook(SITE, inventory=path, env=env)
    assert changed_tasks(again) == []
    assert proxy.mutating_calls()[writes_before:] == []
