"""What runs beside what after the accounts run: the last round's background run, the waves' own jobs.

The accounts run leaves the last round of creations (five or fewer
accounts) to a second org_account run in the background
(roles/organization/tasks/last_round.yml), which waits for their member
roles and does their baseline and roles while the policies and the waves'
jobs run; the first wave with one of them waits for it (async_status) and
leaves them out.

The jobs of a wave's own accounts (identity account, state backend, log archive) run side by side.

wave.yml runs them with strategy free, so one account's job does not wait
for another's.  Ansible ignores any_errors_fatal under that strategy; the
play after it stops the run when one of them failed.  Here the Terraform
backend account is denied everything by an SCP (the strict layer
judges SCPs as AWS does), so its job fails while the identity account's
users, in the same wave, are created: the run stops with a message naming
the backend account, and nothing after the wave runs (no AWS CLI profiles).
"""

import pytest
import yaml

from tests.integration.test_change_report import ACCOUNTS_STEP
from tests.integration.test_change_report import account_ids
from tests.integration.test_change_report import ebs_encrypted
from tests.integration.test_change_report import report
from tests.integration.test_minimal_inventory import SITE
from tests.integration.test_minimal_inventory import write_inventory
from tests.integration.test_preview_honest import ACCOUNTS_TASK
from tests.integration.test_preview_honest import LAST_ROUND_AWAITED
from tests.integration.test_preview_honest import last_round_results

pytestmark = pytest.mark.slow(site_runs=2)

LAST_ROUND_STARTED = ("awsorg.landing_zone.organization : "
                      "The last round's baseline and roles, behind their member roles, in the background")
WAVE_BASELINE = "awsorg.landing_zone.baseline : Account baseline of every account"

# Attached after the accounts run and before the waves: prod's job (the state
# backend) is the first thing that acts in prod.  The strict layer judges
# deny-all SCPs only (tests/harness/strict_rules/scp.py).
DENY_ALL_IN_PROD = {
    "name": "deny-all-in-prod",
    "description": "Nothing is allowed in prod (the state backend's job fails there).",
    "document": {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyEverything", "Effect": "Deny", "Action": "*", "Resource": "*"}]},
    "targets": ["prod"],
}


@pytest.mark.long  # a failure path of one play: CI's make test-long (the jobs side by side run in every site.yml test)
def test_a_failed_job_stops_the_run_after_its_wave_and_the_other_jobs_end(ansible, aws, proxy, tmp_path):
    path, inventory = write_inventory(tmp_path / "acme")
    settings = inventory["all"]["vars"]
    settings["landing_zone_identity_account"] = "dev"
    settings["landing_zone_users"] = [{"name": "alice"}]
    settings["landing_zone_tf_backend_account"] = "prod"
    settings["landing_zone_service_control_policies"] = [DENY_ALL_IN_PROD]
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()

    run = ansible.run_playbook(SITE, inventory=path, env={"HOME": home})

    assert run.rc != 0, run.output[-3000:]
    # The backend's own failure, then the stop naming its account.  Denied, HeadBucket answers
    # 403 as it does for another account's bucket, and tf_backend names both causes.
    failures = {(r["host"], r["task"]): r["result"] for r in run.failed()}
    [backend] = [result for (host, task), result in failures.items() if host == "prod" and "tf_backend" in task]
    assert "'acme-prod-terraform-state' exists but account" in backend["msg"], backend
    assert "a service control policy" in backend["msg"], backend
    [stop] = [result for (_host, task), result in failures.items() if task == "Every job of this wave ended well"]
    assert "the jobs of prod failed" in stop["msg"], stop
    denied = [c for c in proxy.calls if c["service"] in ("s3", "dynamodb") and c["status"] in (400, 403)]
    assert denied and not [c for c in proxy.mutating_calls() if c["service"] in ("s3", "dynamodb")
                           and c["status"] == 200], denied
    # The identity account's job, in the same wave, ended: its user exists.
    ids = {a["Name"]: a["Id"] for a in aws.client("organizations").list_accounts()["Accounts"]}
    dev_iam = aws.client("iam", account_id=ids["acme-dev"])
    assert dev_iam.get_user(UserName="alice")["User"]["UserName"] == "alice"
    # Nothing after the wave ran: the profiles play writes ~/.aws/acme/config.
    assert not (home / ".aws" / "acme" / "config").exists()
    assert "Profiles for every account" not in {r["task"] for r in run.results}


# Long: two site.yml runs.  make test keeps the accounts run leaving the last round
# (test_account_follow_up); CI also runs the demo's preview with the background run
# (test_preview_honest).
@pytest.mark.long
def test_the_last_round_gets_its_baseline_in_the_background_and_the_waves_leave_it_out(ansible, aws, proxy, tmp_path):
    # dev and prod are created in one round (five creations in flight): both are the last round.
    path, inventory = write_inventory(tmp_path / "acme")
    inventory["all"]["vars"]["landing_zone_baseline"] = {"ebs_encryption_by_default": True}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()

    run = ansible.run_playbook(SITE, inventory=path, env={"HOME": home})

    assert run.rc == 0, run.output[-3000:]
    [accounts_run] = run.of(ACCOUNTS_TASK)
    # mgmt (entry 0) got its baseline in the accounts run; dev and prod were left to the background.
    assert accounts_run["followed_up"] == [0] and accounts_run["follow_up_left"] == [1, 2], accounts_run
    [started] = run.of(LAST_ROUND_STARTED)
    assert started["ansible_job_id"] and started["changed"] is False
    # Waited for by each wave with dev or prod (wave 0 has neither): the same job, the same result.
    awaited, *others = last_round_results(run)
    assert awaited["ansible_job_id"] == started["ansible_job_id"]
    assert all(other["ansible_job_id"] == started["ansible_job_id"] for other in others)
    assert awaited["finished"] and awaited["changed"] is True
    ids = account_ids(aws)
    assert awaited["followed_up"] == [0, 1]  # its own entries: dev, prod
    assert {(job["account_id"], job["module"], job["changed"]) for job in awaited["follow_up"]} == {
        (ids["acme-dev"], "account_baseline", True), (ids["acme-prod"], "account_baseline", True)}
    # The wave play had nothing left to do, and every account's baseline is in place (read back).
    assert run.of(WAVE_BASELINE) == []
    assert all(ebs_encrypted(aws, ids[name]) for name in ("master", "acme-dev", "acme-prod"))
    facts, _lines = report(run)
    assert facts == {ACCOUNTS_STEP: ["dev", "prod"], "baseline": ["mgmt", "dev", "prod"]}
    # The job's result file, read by the wave play, is gone at the end.
    assert list((home / ".ansible_async").iterdir()) == []

    writes_before = len(proxy.mutating_calls())
    again = ansible.run_playbook(SITE, inventory=path, env={"HOME": home})
    assert again.rc == 0 and not again.changed(), again.output[-3000:]
    assert proxy.mutating_calls()[writes_before:] == []
    # No creation, so nothing left and no background run.
    assert again.one(ACCOUNTS_TASK)["follow_up_left"] == []
    assert again.of(LAST_ROUND_STARTED) == []
    assert again.of(LAST_ROUND_AWAITED) and last_round_results(again) == []
