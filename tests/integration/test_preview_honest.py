"""An honest ``--check --diff``: the preview predicts exactly what the real run then changes.

The README's minimal inventory plus a baseline, a cross-account role, the
SCP library and centralized root access (so a new account has work in every
later step: baseline, roles, AWS CLI profiles, account map, Terraform
account map).  Each scenario previews a change (no write call), then makes
it; the (task, host) pairs the preview reports changed must be those the
real run changes.  New accounts and OUs appear in the preview under
placeholder ids (common/placeholders.py).

A run of site.yml is most of the time of each scenario, so the scenarios
follow one organization through its life and share its runs
(test_one_organization_previewed_from_creation_to_a_new_ou): (1) it is
created, (the change report of tests/integration/test_change_report.py)
one account drifts and another gets a tag, (3) an account is added,
(2) an OU is added and the account moved into it, then nothing changes.
Each run's change report (playbooks/report.yml) is checked on the way.
"""

import pytest
import yaml

from tests.harness.landing_zone import DemoLandingZone
from tests.integration.test_change_report import first_converge_reports_every_account
from tests.integration.test_change_report import report
from tests.integration.test_change_report import report_lists_exactly_the_accounts_changed
from tests.integration.test_minimal_inventory import SITE, write_inventory

pytestmark = pytest.mark.slow(site_runs=9)  # the longest start first (tests/integration/conftest.py)

# The first converge creates the cross-account role in all three accounts (its step of the change report).
ROLE_STEPS_OF_A_FIRST_CONVERGE = {"cross-account role admin": ["mgmt", "dev", "prod"]}


def changed_tasks(run):
    assert run.rc == 0, run.output[-5000:]
    return sorted({(r["task"], r["host"]) for r in run.results if r["result"].get("changed")})


ACCOUNTS_TASK = "awsorg.landing_zone.organization : Every account - create, adopt, place, tag or retire"


LAST_ROUND_AWAITED = "The last round of creations - baseline and roles done in the background"


def last_round_results(run):
    """The background accounts run's result, as each wave play that waited for it has it (the same job)."""
    return [r["result"] for r in run.results if r["task"] == LAST_ROUND_AWAITED and r["status"] == "ok"]


def follow_up_jobs(run):
    """The follow-up jobs the accounts task reports changed (or would change): {label: number of accounts}."""
    jobs = {}
    for result in run.of(ACCOUNTS_TASK):
        for job in result.get("follow_up", []):
            if job.get("changed"):
                jobs[job["label"]] = jobs.get(job["label"], 0) + 1
    return jobs


def preview(ansible, proxy, path, env):
    """The preview run, after checking it wrote nothing."""
    writes_before = len(proxy.mutating_calls())
    run = ansible.run_playbook(SITE, inventory=path, env=env, check=True, diff=True)
    changed_tasks(run)
    assert proxy.mutating_calls()[writes_before:] == []
    return run


def preview_then_apply(ansible, proxy, path, env):
    """The preview's changed tasks (after checking it wrote nothing), the real run's, and both runs."""
    previewed = preview(ansible, proxy, path, env)
    real = ansible.run_playbook(SITE, inventory=path, env=env)
    return changed_tasks(previewed), changed_tasks(real), previewed, real


@pytest.mark.full_demo  # nine site.yml runs: make test-full-demo (CI runs it after make test)
def test_one_organization_previewed_from_creation_to_a_new_ou(ansible, aws, proxy, tmp_path):
    path, inventory = write_inventory(tmp_path / "acme")
    settings = inventory["all"]["vars"]
    settings["landing_zone_baseline"] = {"ebs_encryption_by_default": True}
    settings["landing_zone_identity_account"] = "mgmt"
    settings["landing_zone_cross_account_roles"] = [
        {"name": "admin", "managed_policy_arns": [], "require_mfa": True}]
    settings["landing_zone_scp_library"] = [{"name": "deny_root_user", "targets": ["/workloads"]}]
    settings["landing_zone_root_access"] = {"credentials_management": True, "root_sessions": True}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    env = {"HOME": tmp_path}

    # (1) No organization yet: the minimal inventory with policies, root access and roles, previewed, then built.
    predicted, applied, previewed, real = preview_then_apply(ansible, proxy, path, env)
    assert predicted == applied
    assert "(new organization)" in previewed.output and "(new account acme-dev)" in previewed.output
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"Organizations policies of every type, in one run", "Organization with its policy types, trusted services and centralized root access",
            "Every account - create, adopt, place, tag or retire"} <= steps, steps
    # The management account's baseline and role, by the accounts task's follow-up jobs; the two new
    # accounts are the last (and only) round of creations, left to the accounts run in the background
    # (playbooks/organization.yml: leave_last_creations; roles/organization/tasks/last_round.yml), which
    # wave 1 waits for: previewed as the real run does them, and none left to the wave plays' own tasks.
    assert follow_up_jobs(previewed) == follow_up_jobs(real) == {"account_baseline": 1, "iam_cross_account_role admin": 1}
    for run in (previewed, real):
        # Each wave with one of them waits for the same job (at least one does).
        awaited, *others = last_round_results(run)
        assert all(other["follow_up"] == awaited["follow_up"] for other in others)
        assert sorted((job["label"], job["changed"]) for job in awaited["follow_up"]) == [
            ("account_baseline", True), ("account_baseline", True),
            ("iam_cross_account_role admin", True), ("iam_cross_account_role admin", True)], awaited["follow_up"]
    assert LAST_ROUND_AWAITED in steps
    assert not {"Account baseline of every account", "Cross-account roles trusting the identity account"} & steps, steps
    first_converge_reports_every_account(aws, real, role_steps=ROLE_STEPS_OF_A_FIRST_CONVERGE)

    # The change report's scenario: one account drifts, another gets a tag (preview == real run too).
    previewed, real = report_lists_exactly_the_accounts_changed(ansible, aws, proxy, path, inventory, env,
                                                                preview=lambda: preview(ansible, proxy, path, env))
    assert changed_tasks(previewed) == changed_tasks(real)

    # (3) An account is added: every later step predicts its work in it.
    hosts = inventory["all"]["children"]["accounts"]["hosts"]
    hosts["sandbox"] = {"account_ou": "/workloads"}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    predicted, applied, previewed, _real = preview_then_apply(ansible, proxy, path, env)
    assert predicted == applied
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"Every account - create, adopt, place, tag or retire", "AWS CLI profiles that reach every account",
            "Write the account ids the inventory loads next time, and the Terraform account map"} <= steps, steps
    # The new account is the last round of creations, left to the background accounts run; the others
    # have nothing to do.
    assert follow_up_jobs(previewed) == follow_up_jobs(_real) == {}
    for run in (previewed, _real):
        awaited, *_others = last_round_results(run)
        assert sorted((job["label"], job["changed"]) for job in awaited["follow_up"]) == [
            ("account_baseline", True), ("iam_cross_account_role admin", True)], awaited["follow_up"]
    assert LAST_ROUND_AWAITED in steps
    assert not {"Account baseline of every account", "Cross-account roles trusting the identity account"} & steps, steps
    assert "(new account acme-sandbox)" in previewed.output

    # (2) A new OU, and an existing account moved into it.
    settings["landing_zone_organizational_units"] = ["/workloads", "/sandboxes"]
    hosts["sandbox"]["account_ou"] = "/sandboxes"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    predicted, applied, previewed, _real = preview_then_apply(ansible, proxy, path, env)
    assert predicted == applied
    assert "(new OU /sandboxes)" in previewed.output

    # Again: nothing changes, nothing is written, and the change report says so.
    writes_before = len(proxy.mutating_calls())
    again = ansible.run_playbook(SITE, inventory=path, env=env)
    assert changed_tasks(again) == []
    assert proxy.mutating_calls()[writes_before:] == []
    facts, lines = report(again)
    assert facts == {}
    assert lines == ["Accounts changed, per batched step:", "  none"]


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
        predicted, applied, previewed, _real = preview_then_apply(ansible, proxy, zone.hosts_file, env)
    assert predicted == applied
    assert "(new organization)" in previewed.output and "(new account acme-security)" in previewed.output
    steps = {task.split(" : ", 1)[-1] for task, _host in predicted}
    assert {"Organizations policies of every type, in one run", "Organization with its policy types, trusted services and centralized root access",
            "Account assignments (group or user x permission set x account or OU)"} <= steps, steps
