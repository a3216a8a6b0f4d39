"""An honest ``--check --diff``: the preview predicts exactly what the real run then changes.

The README's minimal inventory plus a baseline and a cross-account role
(so a new account has work in every later step: baseline, roles, AWS CLI
profiles, account map, Terraform account map).  Each scenario previews a
change (no write call), then makes it; the (task, host) pairs the preview
reports changed must be those the real run changes.  New accounts and OUs
appear in the preview under placeholder ids (common/placeholders.py).
"""

import pytest
import yaml

from tests.harness.landing_zone import DemoLandingZone
from tests.integration.test_minimal_inventory import SITE, write_inventory

pytestmark = pytest.mark.slow


def changed_tasks(run):
    assert run.rc == 0, run.output[-5000:]
    return sorted({(r["task"], r["host"]) for r in run.results if r["result"].get("changed")})


def preview_then_apply(ansible, proxy, path, env):
    """The preview's changed tasks (after checking it wrote nothing), and the real run's."""
    writes_before = len(proxy.mutating_calls())
    preview = ansible.run_playbook(SITE, inventory=path, env=env, check=True, diff=True)
    predicted = changed_tasks(preview)
    assert proxy.mutating_calls()[writes_before:] == []
    applied = changed_tasks(ansible.run_playbook(SITE, inventory=path, env=env))
    return predicted, applied, preview


def test_preview_of_a_new_account_and_a_new_ou_predicts_the_real_run(ansible, aws, proxy, tmp_path):
    path, inventory = write_inventory(tmp_path / "acme")
    settings = inventory["all"]["vars"]
    settings["landing_zone_baseline"] = {"ebs_encryption_by_default": True}
    settings["landing_zone_identity_account"] = "mgmt"
    settings["landing_zone_cross_account_roles"] = [
        {"name": "admin", "managed_policy_arns": [], "require_mfa": True}]
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    env = {"HOME": tmp_path}
    changed_tasks(ansible.run_playbook(SITE, inventory=path, env=env))

    # (3) An account is added: every later step predicts its work in it.
    hosts = inventory["all"]["children"]["accounts"]["hosts"]
    hosts["sandbox"] = {"account_ou": "/workloads"}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    predicted, applied, preview = preview_then_apply(ansible, proxy, path, env)
    assert predicted == applied
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"Every account - create, adopt, place, tag or retire", "Account baseline of every account",
            "Cross-account roles trusting the identity account", "AWS CLI profiles that reach every account",
            "Write the account ids the inventory loads next time", "Terraform account map"} <= steps, steps
    assert "(new account acme-sandbox)" in preview.output

    # (2) A new OU, and an existing account moved into it.
    settings["landing_zone_organizational_units"] = ["/workloads", "/sandboxes"]
    hosts["sandbox"]["account_ou"] = "/sandboxes"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    predicted, applied, preview = preview_then_apply(ansible, proxy, path, env)
    assert predicted == applied
    assert "(new OU /sandboxes)" in preview.output

    # Again: nothing changes, nothing is written.
    writes_before = len(proxy.mutating_calls())
    assert changed_tasks(ansible.run_playbook(SITE, inventory=path, env=env)) == []
    assert proxy.mutating_calls()[writes_before:] == []


def test_preview_of_a_new_organization_predicts_the_real_run(ansible, aws, proxy, tmp_path):
    """(1) No organization yet: the minimal inventory with policies, root access and roles, previewed, then built."""
    path, inventory = write_inventory(tmp_path / "acme")
    settings = inventory["all"]["vars"]
    settings["landing_zone_baseline"] = {"ebs_encryption_by_default": True}
    settings["landing_zone_identity_account"] = "mgmt"
    settings["landing_zone_cross_account_roles"] = [
        {"name": "admin", "managed_policy_arns": [], "require_mfa": True}]
    settings["landing_zone_scp_library"] = [{"name": "deny_root_user", "targets": ["/workloads"]}]
    settings["landing_zone_root_access"] = {"credentials_management": True, "root_sessions": True}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    predicted, applied, preview = preview_then_apply(ansible, proxy, path, {"HOME": tmp_path})
    assert predicted == applied
    assert "(new organization)" in preview.output and "(new account acme-dev)" in preview.output
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"SCP library - packed SCPs", "Centralized root access for the member accounts",
            "Account baseline of every account", "Cross-account roles trusting the identity account"} <= steps, steps


@pytest.mark.full_demo
def test_preview_of_the_whole_demo_on_a_new_organization_predicts_the_real_run(ansible, aws, proxy, tmp_path):
    """(1) No organization yet: the demo landing zone (every service, Identity Center) previewed, then built."""
    with DemoLandingZone(ansible, tmp_path / "demo") as zone:
        settings = zone.settings()
        # The session's moto server knows no AWS managed policy (tests/harness/landing_zone.py).
        for role in settings["landing_zone_cross_account_roles"]:
            role["managed_policy_arns"] = []
        zone.write_settings(settings)
        env = {"HOME": tmp_path}
        predicted, applied, preview = preview_then_apply(ansible, proxy, zone.hosts_file, env)
    assert predicted == applied
    assert "(new organization)" in preview.output and "(new account acme-security)" in preview.output
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"Service control policies", "SCP library - packed SCPs", "Centralized root access for the member accounts",
            "Account assignments (group or user x permission set x account or OU)"} <= steps, steps
