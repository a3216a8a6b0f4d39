"""The drift report (playbooks/drift.yml and the drift_report callback) finds what changed behind the landing zone's back.

The README's minimal inventory, plus a cross-account role, a service control
policy and account tags, is converged; then the organization is changed out
of band with boto3, the way someone with console access would: an SCP
detached, a role's trust policy edited, an account tag removed, an account
moved to another OU.  The drift report must name each change (account,
resource, before and after) and exit with the drift status, write nothing,
and on the re-converged organization report no drift with exit status 0.

The drift runs use this repository's ansible.cfg, which enables the callback
(the harness's ANSIBLE_CALLBACKS_ENABLED is removed), as an AWX job does.

A run of site.yml is most of the time of each check, so the checks that
need a converged organization share one converge and each other's runs
(test_drift_report_on_one_converged_organization): the four out-of-band
changes are reported by drift.yml run the AWX way (ansible-runner), then by
site.yml in check mode asked for a report (and not by a plain preview);
site.yml asked for a report in a real run re-converges; drift.yml then
finds no drift.  Six runs of site.yml in all.
"""

import json
import os
import subprocess
import sys

import pytest
import yaml

from tests.harness.playbook import REPO_ROOT
from tests.integration.test_awx import configuration
from tests.integration.test_minimal_inventory import SITE, write_inventory

DRIFT = REPO_ROOT / "playbooks" / "drift.yml"
DRIFT_EXIT_CODE = 3
ROLE = "ops"
SCP = "deny-leaving"
# The principal someone put into the role's trust policy by hand.
STRANGER = "arn:aws:iam::999999999999:root"
READ_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:List*", "Resource": "*"}]}
DENY_LEAVING = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}


def landing_zone_inventory(directory):
    """The README's minimal inventory with a cross-account role, an SCP and tags on prod."""
    path, inventory = write_inventory(directory)
    inventory["all"]["vars"].update(
        landing_zone_identity_account="mgmt",
        landing_zone_cross_account_roles=[{"name": ROLE, "require_mfa": False, "inline_policies": {"read": READ_ONLY}}],
        landing_zone_service_control_policies=[{"name": SCP, "description": "Members stay in the organization",
                                                "document": DENY_LEAVING, "targets": ["/workloads"]}],
    )
    inventory["all"]["children"]["accounts"]["hosts"]["prod"]["account_tags"] = {
        "environment": "production", "owner": "platform"}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path


def drift_report(ansible, inventory, report_dir, env, check=True, diff=True, extra_env=None):
    """drift.yml with the repository's ansible.cfg (its callbacks_enabled); the run and the report it wrote."""
    run_env = {**env, "ANSIBLE_CALLBACKS_ENABLED": None, "LANDING_ZONE_DRIFT_REPORT_DIR": report_dir, **(extra_env or {})}
    run = ansible.run_playbook(DRIFT, inventory=inventory, env=run_env, check=check, diff=diff)
    json_path, markdown_path = report_dir / "drift-report.json", report_dir / "drift-report.md"
    if not json_path.exists():
        return run, None, None
    return run, json.loads(json_path.read_text(encoding="utf-8")), markdown_path.read_text(encoding="utf-8")


def organization_state(aws):
    client = aws.client("organizations")
    accounts = {a["Name"]: a["Id"] for a in client.list_accounts()["Accounts"]}
    root = client.list_roots()["Roots"][0]["Id"]
    ous = {ou["Name"]: ou["Id"] for ou in client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]}
    [policy] = [p["Id"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] if p["Name"] == SCP]
    return client, accounts, ous, policy


def by_resource(report):
    return {(entry["account"], entry["resource_type"], entry["resource"]): entry for entry in report["drift"]}


def change(entry, path):
    found = [c for c in entry["changes"] if c["path"] == path]
    assert len(found) == 1, (path, entry["changes"])
    return found[0]


@pytest.mark.slow(site_runs=6)
@pytest.mark.full_demo  # six site.yml runs and an ansible-runner job: make test-full-demo (CI runs it)
def test_drift_report_on_one_converged_organization(ansible, aws, proxy, tmp_path):
    inventory = landing_zone_inventory(tmp_path / "acme")
    converge = ansible.run_playbook(SITE, inventory=inventory, env={"HOME": tmp_path})
    assert converge.rc == 0, converge.output[-5000:]

    changed = change_the_organization_out_of_band(aws)
    report = drift_report_under_ansible_runner_names_each_out_of_band_change(proxy, tmp_path, inventory, changed)
    site_in_check_mode_stays_a_plain_preview_unless_asked(ansible, tmp_path, inventory, report)
    a_real_run_asked_for_a_report_converges_without_one(ansible, tmp_path, inventory)
    drift_report_finds_no_drift_on_the_converged_organization(ansible, proxy, tmp_path, inventory)


def change_the_organization_out_of_band(aws):
    """An SCP detached, a trust policy edited, a tag removed, an account moved: what the report must name."""
    client, accounts, ous, policy = organization_state(aws)
    dev, prod = accounts["acme-dev"], accounts["acme-prod"]
    client.detach_policy(PolicyId=policy, TargetId=ous["workloads"])
    iam = aws.client("iam", account_id=prod)
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]
    trusted = trust["Statement"][0]["Principal"]["AWS"]
    trust["Statement"][0]["Principal"] = {"AWS": STRANGER}
    iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    client.untag_resource(ResourceId=prod, TagKeys=["owner"])
    client.move_account(AccountId=dev, SourceParentId=ous["workloads"], DestinationParentId=ous["suspended"])
    return dict(mgmt=accounts["master"], dev=dev, prod=prod, ous=ous, trusted=trusted)


def drift_report_under_ansible_runner_names_each_out_of_band_change(proxy, tmp_path, inventory, changed):
    """The AWX way: ansible-runner in the project directory (its ansible.cfg), job type check, diff mode.

    The job fails with the drift status, writes nothing, and its report names each change. Returns the report.
    """
    job = tmp_path / "job"
    (job / "env").mkdir(parents=True)
    (job / "inventory").mkdir()
    (job / "inventory" / "hosts.yml").write_text(inventory.read_text(encoding="utf-8"), encoding="utf-8")
    report_dir = tmp_path / "awx-output" / "drift-report"
    envvars = dict(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=proxy.url,
                   AWS_DEFAULT_REGION="us-east-1", HOME=str(tmp_path))
    (job / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
    (job / "env" / "extravars").write_text(yaml.safe_dump({"landing_zone_drift_report_dir": str(report_dir)}),
                                           encoding="utf-8")
    (job / "env" / "cmdline").write_text("--check --diff", encoding="utf-8")
    bindir = os.path.dirname(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    writes = len(proxy.mutating_calls())
    proc = subprocess.run([os.path.join(bindir, "ansible-runner"), "run", str(job), "-p", "playbooks/drift.yml",
                           "--project-dir", str(REPO_ROOT), "--ident", "drift"],
                          env=env, capture_output=True, text=True, timeout=1200, check=False)
    artifacts = job / "artifacts" / "drift"
    stdout = (artifacts / "stdout").read_text(encoding="utf-8")
    assert int((artifacts / "rc").read_text().strip()) == DRIFT_EXIT_CODE, stdout[-5000:] + proc.stderr[-2000:]
    assert (artifacts / "status").read_text().strip() == "failed"
    assert len(proxy.mutating_calls()) == writes, "the drift report wrote to AWS"
    report = json.loads((report_dir / "drift-report.json").read_text(encoding="utf-8"))
    markdown = (report_dir / "drift-report.md").read_text(encoding="utf-8")
    report_names_each_out_of_band_change(report, markdown, stdout, changed)
    return report


def report_names_each_out_of_band_change(report, markdown, stdout, changed):
    """The drift report of the organization changed by change_the_organization_out_of_band, and nothing else."""
    mgmt, dev, prod, ous, trusted = (changed[key] for key in ("mgmt", "dev", "prod", "ous", "trusted"))
    assert report["status"] == "drift" and report["exit_code"] == DRIFT_EXIT_CODE
    assert report["playbook"].endswith("playbooks/drift.yml") and report["diff_mode"] is True
    assert report["errors"] == []

    # One entry per account and resource, each with its account id, before (live) and after (inventory).
    # Exactly these four: the converge left nothing else to do (no drift of its own).
    found = by_resource(report)
    assert set(found) == {("mgmt", "org_policy", SCP), ("prod", "iam_cross_account_role", ROLE),
                          ("prod", "org_account", None), ("dev", "org_account", None)}, json.dumps(report, indent=1)
    assert report["summary"] == {"resources": 4, "accounts": ["dev", "mgmt", "prod"], "failed_hosts": []}

    detached = found[("mgmt", "org_policy", SCP)]
    assert detached["account_id"] == mgmt
    assert detached["before"]["targets"] == []
    assert [t["name_or_path"] for t in detached["after"]["targets"]] == ["/workloads"]
    assert change(detached, "targets")["before"] == []

    trust_edit = found[("prod", "iam_cross_account_role", ROLE)]
    assert trust_edit["account_id"] == prod
    principal = change(trust_edit, "trust_policy.Statement[0].Principal.AWS")
    assert principal == {"path": "trust_policy.Statement[0].Principal.AWS", "before": STRANGER, "after": trusted}
    assert [c["path"] for c in trust_edit["changes"]] == ["trust_policy.Statement[0].Principal.AWS"]

    untagged = found[("prod", "org_account", None)]
    assert untagged["account_id"] == prod
    assert untagged["before"]["tags"] == {"environment": "production"}
    assert untagged["after"]["tags"] == {"environment": "production", "owner": "platform"}
    assert untagged["changes"] == [{"path": "tags.owner", "after": "platform"}]

    moved = found[("dev", "org_account", None)]
    assert moved["account_id"] == dev
    assert change(moved, "ou_path") == {"path": "ou_path", "before": "/suspended", "after": "/workloads"}
    assert change(moved, "parent_id") == {"path": "parent_id", "before": ous["suspended"], "after": ous["workloads"]}

    # The Markdown has a row for each change, naming the account with its id.
    assert "**Drift**: 4 resource(s) in 3 account(s) (dev, mgmt, prod) differ from the inventory." in markdown
    for row in (f"| mgmt ({mgmt}) | org_policy {SCP} | `targets` | `[]` |",
                f"| prod ({prod}) | iam_cross_account_role {ROLE} | `trust_policy.Statement[0].Principal.AWS` | `{STRANGER}` | `{trusted}` |",
                f"| prod ({prod}) | org_account | `tags.owner` | (absent) | `platform` |",
                f"| dev ({dev}) | org_account | `ou_path` | `/suspended` | `/workloads` |"):
        assert row in markdown, markdown
    # The run prints the report too (an AWX job's output ends with it).
    assert "DRIFT REPORT" in stdout
    assert f"| dev ({dev}) | org_account | `ou_path` | `/suspended` | `/workloads` |" in stdout
    assert f"| prod ({prod}) | org_account | `tags.owner` | (absent) | `platform` |" in stdout


def site_in_check_mode_stays_a_plain_preview_unless_asked(ansible, tmp_path, inventory, drift_report_of_job):
    """The callback is enabled for every run of this repository: only a run that asks gets a report.

    On the organization changed out of band; leaves it so.  Asked, site.yml reports what drift.yml did.
    """
    env = {"HOME": tmp_path, "ANSIBLE_CALLBACKS_ENABLED": None}

    # A plain preview would change something: exit status 0, no report.
    report_dir = tmp_path / "report"
    preview = ansible.run_playbook(SITE, inventory=inventory, check=True, diff=True,
                                   env={**env, "LANDING_ZONE_DRIFT_REPORT_DIR": report_dir})
    assert preview.rc == 0, preview.output[-3000:]
    assert not report_dir.exists() and "DRIFT REPORT" not in preview.stdout

    # Asked with an extra variable, the report goes where the extra variable says.
    asked_dir = tmp_path / "asked"
    asked = ansible.run_playbook(SITE, inventory=inventory, check=True, diff=True, env=env,
                                 extra_vars={"landing_zone_drift_report": True,
                                             "landing_zone_drift_report_dir": str(asked_dir)})
    assert asked.rc == DRIFT_EXIT_CODE, asked.output[-3000:]
    report = json.loads((asked_dir / "drift-report.json").read_text(encoding="utf-8"))
    assert report["playbook"].endswith("playbooks/site.yml")
    assert [(e["account"], e["resource_type"], e["resource"], e["changes"]) for e in report["drift"]] == [
        (e["account"], e["resource_type"], e["resource"], e["changes"]) for e in drift_report_of_job["drift"]]
    assert ("prod", "org_account", None, [{"path": "tags.owner", "after": "platform"}]) in [
        (e["account"], e["resource_type"], e["resource"], e["changes"]) for e in report["drift"]]


def a_real_run_asked_for_a_report_converges_without_one(ansible, tmp_path, inventory):
    """A real run asked for a report is no drift report: it converges, and says why there is none."""
    env = {"HOME": tmp_path, "ANSIBLE_CALLBACKS_ENABLED": None}
    real = ansible.run_playbook(SITE, inventory=inventory, env=env, extra_vars={"landing_zone_drift_report": True})
    assert real.rc == 0, real.output[-3000:]
    assert "not in check mode" in real.output


def drift_report_finds_no_drift_on_the_converged_organization(ansible, proxy, tmp_path, inventory):
    """Converged (again): no drift, exit status 0, and not one AWS write."""
    writes = len(proxy.mutating_calls())
    run, report, markdown = drift_report(ansible, inventory, tmp_path / "clean", {"HOME": tmp_path})
    assert run.rc == 0, run.output[-5000:]
    assert report["status"] == "no drift" and report["exit_code"] == 0
    assert report["drift"] == [] and report["errors"] == []
    assert "**No drift**" in markdown and "DRIFT REPORT" in run.stdout
    assert len(proxy.mutating_calls()) == writes


def test_drift_report_refuses_to_run_for_real_or_without_its_callback(ansible, proxy, tmp_path):
    inventory = landing_zone_inventory(tmp_path / "acme")

    # Without --check (or without --diff) the first play stops, before any AWS call. A real run
    # gets no report; a preview without diffs gets one that says "error".
    for name, check, diff in (("run", False, True), ("nodiff", True, False)):
        run, report, _markdown = drift_report(ansible, inventory, tmp_path / name, {}, check=check, diff=diff)
        assert run.rc not in (0, DRIFT_EXIT_CODE), run.output[-3000:]
        assert "run it with --check --diff" in run.stdout, run.output[-3000:]
        if check:
            assert report["status"] == "error" and report["summary"]["failed_hosts"] == ["localhost"]
            assert report["exit_code"] is None and report["drift"] == []
        else:
            assert report is None
    # Without the callback it would be a preview nobody reads.
    run = ansible.run_playbook(DRIFT, inventory=inventory, check=True, diff=True,
                               env={"ANSIBLE_CALLBACKS_ENABLED": "result_recorder"})
    assert run.rc not in (0, DRIFT_EXIT_CODE)
    assert "enable it (callbacks_enabled in ansible.cfg" in run.output
    assert proxy.calls == []


def test_awx_schedules_the_drift_report_workflow(tmp_path):
    config = configuration(tmp_path)
    template = config.named("job_template", "AWS landing zone - drift report")
    assert template["playbook"] == "playbooks/drift.yml" and (REPO_ROOT / template["playbook"]).is_file()
    assert template["job_type"] == "check" and template["diff_mode"] is True
    assert template["extra_vars"]["landing_zone_drift_report_dir"] == "/srv/landing-zone/drift-report"
    assert template["extra_vars"]["landing_zone_output_dir"] == "/srv/landing-zone"

    # Sync the project, sync the inventory, then the report in check mode with diffs.
    chain = config.workflow_chain("AWS landing zone - scheduled drift report")
    assert [n["unified_job_template"]["type"] for n in chain] == ["project", "inventory_source", "job_template"]
    assert chain[2]["unified_job_template"]["name"] == template["name"]
    assert chain[2]["job_type"] == "check" and chain[2]["diff_mode"] is True

    [schedule] = config.all("schedule")
    assert schedule["unified_job_template"] == "AWS landing zone - scheduled drift report"
    assert schedule["rrule"] == "DTSTART:20250101T060000Z RRULE:FREQ=DAILY;INTERVAL=1"
    assert schedule["enabled"] is True
    # No schedule when the setting is empty; no report directory without an output directory.
    assert configuration(tmp_path, landing_zone_awx_drift_schedule_rrule="").all("schedule") == []
    plain = configuration(tmp_path, landing_zone_awx_output_dir="")
    assert plain.named("job_template", "AWS landing zone - drift report")["extra_vars"] == {}
