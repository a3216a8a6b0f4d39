"""The drift report's rules (common/drift_report.py): entries per account and resource, secrets, rendering."""

import datetime
import json

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import drift_report
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import DriftCollector
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import differences
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import hide_secrets

MGMT, DEV, PROD = "111111111111", "222222222222", "333333333333"
PLAN = {"ansible_facts": {"landing_zone_plan": {
    "mgmt": {"id": MGMT, "name": "acme-management", "email": "root@acme.example"},
    "dev": {"id": None, "name": "acme-dev", "email": "dev@acme.example"},
    "prod": {"id": PROD, "name": "acme-prod", "email": "prod@acme.example"}}}, "changed": False}
NOW = datetime.datetime(2026, 5, 9, 6, 0, tzinfo=datetime.timezone.utc)


def collector():
    found = DriftCollector()
    # The preflight keeps validate_inventory's plan with set_fact: the collector learns it there.
    found.add_result("mgmt", "The plan", "ansible.builtin.set_fact", PLAN)
    # dev's id became known when the organization role found the account.
    found.add_result("mgmt", "Remember", "ansible.builtin.add_host",
                     {"changed": False, "add_host": {"host_name": "dev", "host_vars": {"account_id": DEV}}})
    return found


# --- secrets ---------------------------------------------------------------------------


def test_secret_strings_are_hidden_settings_are_not():
    value = {
        "SecretAccessKey": "wJalr", "AccessKeyId": "AKIA1", "SessionToken": "tok", "aws_secret_access_key": "s",
        "initial_password": "hunter2", "credential_process": "vault read aws", "nested": [{"password": "p"}],
        "key": "-----BEGIN PGP PRIVATE KEY BLOCK-----\nxyz\n-----END PGP PRIVATE KEY BLOCK-----",
        # Settings named after passwords, and public material, stay.
        "MinimumPasswordLength": 14, "AllowUsersToChangePassword": True, "RequireSymbols": True,
        "pgp_key": "-----BEGIN PGP PUBLIC KEY BLOCK-----", "password": "", "role_name": "ops",
    }
    hidden = hide_secrets(value)
    for name in ("SecretAccessKey", "AccessKeyId", "SessionToken", "aws_secret_access_key", "initial_password",
                 "credential_process", "key"):
        assert hidden[name] == "(hidden)", name
    assert hidden["nested"] == [{"password": "(hidden)"}]
    for name in ("MinimumPasswordLength", "AllowUsersToChangePassword", "RequireSymbols", "pgp_key", "password",
                 "role_name"):
        assert hidden[name] == value[name], name


def test_a_changed_secret_is_a_change_whose_values_stay_hidden():
    found = differences({"user": "bob", "password": "old"}, {"user": "bob", "password": "new"})
    assert found == [{"path": "password", "before": "(hidden)", "after": "(hidden)"}]


# --- what differs ----------------------------------------------------------------------


def test_differences_name_the_leaf_that_changed():
    before = {"trust_policy": {"Statement": [{"Principal": {"AWS": "arn:aws:iam::999999999999:root"}}]},
              "tags": {"environment": "production"}, "targets": []}
    after = {"trust_policy": {"Statement": [{"Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}}]},
             "tags": {"environment": "production", "owner": "platform"}, "targets": [{"target_id": "ou-1"}]}
    assert differences(before, after) == [
        {"path": "trust_policy.Statement[0].Principal.AWS", "before": "arn:aws:iam::999999999999:root",
         "after": f"arn:aws:iam::{MGMT}:root"},
        {"path": "tags.owner", "after": "platform"},
        {"path": "targets", "before": [], "after": [{"target_id": "ou-1"}]},
    ]
    assert differences(None, {"name": "x"}) == [{"path": "", "before": None, "after": {"name": "x"}}]
    assert differences({"a": [1, 2]}, {"a": [2, 1]}) == [
        {"path": "a[0]", "before": 1, "after": 2},
        {"path": "a[1]", "before": 2, "after": 1},
    ]
    assert differences({"a": 1}, {"a": 1}) == []


# --- entries per account and resource ---------------------------------------------------


def test_batched_modules_give_one_entry_per_changed_account():
    found = collector()
    # org_account knows accounts by id or, when it had no id, by "account <name>".
    found.add_result("mgmt", "Every account", "awsorg.landing_zone.org_account", {
        "changed": True,
        "accounts": [{"changed": False, "account": {"id": MGMT}}, {"changed": True, "account": {"id": DEV}}],
        "diff": {"before": {MGMT: {"id": MGMT, "ou_path": "/"}, "account acme-dev": {"id": DEV, "ou_path": "/suspended"}},
                 "after": {MGMT: {"id": MGMT, "ou_path": "/"}, "account acme-dev": {"id": DEV, "ou_path": "/workloads"}}},
    })
    # A loop item of a batched module: the item's label names the resource.
    found.add_result("dev", "Roles", "awsorg.landing_zone.iam_cross_account_role", {
        "changed": True, "accounts": [], "_ansible_item_label": "ops", "ansible_loop_var": "role",
        "diff": {"before": {PROD: {"trust": "a"}, DEV: {"trust": "b"}}, "after": {PROD: {"trust": "c"}, DEV: {"trust": "b"}}},
    }, item_label="ops")
    assert [(e["account"], e["account_id"], e["resource_type"], e["resource"], e["changes"]) for e in found.entries] == [
        ("dev", DEV, "org_account", None, [{"path": "ou_path", "before": "/suspended", "after": "/workloads"}]),
        ("prod", PROD, "iam_cross_account_role", "ops", [{"path": "trust", "before": "a", "after": "c"}]),
    ]
    assert found.entries[1]["host"] == "dev" and found.entries[1]["task"] == "Roles"


def test_org_accounts_follow_up_jobs_are_named_by_their_module_and_account():
    found = collector()
    found.add_result("mgmt", "Every account", "awsorg.landing_zone.org_account", {
        "changed": True, "accounts": [{"changed": False, "account": {"id": DEV}}],
        "follow_up": [{"changed": True, "account_id": DEV, "module": "account_baseline"}],
        "diff": {"before": {f"{DEV} account_baseline": {"alias": None},
                            f"{PROD} iam_cross_account_role admin": {"require_mfa": False}},
                 "after": {f"{DEV} account_baseline": {"alias": "acme-dev"},
                           f"{PROD} iam_cross_account_role admin": {"require_mfa": True}}},
    })
    assert [(e["account"], e["account_id"], e["resource_type"], e["resource"], e["changes"]) for e in found.entries] == [
        ("dev", DEV, "account_baseline", None, [{"path": "alias", "before": None, "after": "acme-dev"}]),
        ("prod", PROD, "iam_cross_account_role", "admin", [{"path": "require_mfa", "before": False, "after": True}]),
    ]


def test_accounts_are_named_with_what_the_whole_run_learnt():
    # org_account reports before the organization role tells every account id.
    found = DriftCollector()
    found.add_result("mgmt", "Every account", "awsorg.landing_zone.org_account", {
        "changed": True, "accounts": [{"changed": True, "account": {"id": PROD}}],
        "diff": {"before": {PROD: {"id": PROD, "tags": {}}}, "after": {PROD: {"id": PROD, "tags": {"a": "b"}}}}})
    assert [(e["account"], e["account_id"]) for e in found.entries] == [(PROD, PROD)]
    found.add_result("mgmt", "Account ids", "ansible.builtin.set_fact",
                     {"changed": False, "ansible_facts": {"organization_current_account_ids": {"prod": PROD}}})
    assert [(e["account"], e["account_id"]) for e in found.entries] == [("prod", PROD)]
    assert found.report(now=NOW)["summary"]["accounts"] == ["prod"]


def test_an_account_not_created_yet_is_named_by_its_label():
    found = collector()
    found.add_result("mgmt", "Every account", "awsorg.landing_zone.org_account", {
        "changed": True, "accounts": [{"changed": True, "account": None}],
        "diff": {"before": {"account acme-sandbox": None}, "after": {"account acme-sandbox": {"name": "acme-sandbox"}}},
    })
    [entry] = found.entries
    assert (entry["account"], entry["account_id"]) == ("acme-sandbox", None)
    assert entry["changes"] == [{"path": "", "before": None, "after": {"name": "acme-sandbox"}}]


def test_modules_of_the_organization_give_one_entry_per_item():
    found = collector()
    found.add_result("mgmt", "SCPs", "awsorg.landing_zone.org_scp", {
        "changed": True, "results": [{"changed": True}, {"changed": False}],
        "diff": {"before": {"deny-leaving": {"targets": []}, "other": {"targets": ["r"]}},
                 "after": {"deny-leaving": {"targets": ["ou-1"]}, "other": {"targets": ["r"]}}},
    })
    [entry] = found.entries
    assert (entry["account"], entry["account_id"], entry["resource_type"], entry["resource"]) == (
        "mgmt", MGMT, "org_scp", "deny-leaving")


def test_a_single_resource_on_its_account_host():
    found = collector()
    found.add_result("prod", "Password policy", "awsorg.landing_zone.iam_password_policy", {
        "changed": True, "diff": {"before": {"MinimumPasswordLength": 8}, "after": {"MinimumPasswordLength": 14}}})
    [entry] = found.entries
    assert (entry["account"], entry["account_id"], entry["resource"]) == ("prod", PROD, None)
    assert entry["changes"] == [{"path": "MinimumPasswordLength", "before": 8, "after": 14}]


def test_what_is_not_compared():
    found = collector()
    # no_log: Ansible left only "censored".
    found.add_result("mgmt", "Passwords", "awsorg.landing_zone.iam_initial_password",
                     {"changed": True, "censored": "the output has been hidden", "_ansible_no_log": True})
    # Files on the controller: builtin modules, our profile writer, and the file part of a module's diff.
    found.add_result("mgmt", "Account map", "ansible.builtin.copy",
                     {"changed": True, "diff": {"before_header": "/out/map.json", "before": "", "after": "{}"}})
    found.add_result("mgmt", "Profiles", "awsorg.landing_zone.aws_profile_writer", {"changed": True, "diff": {}})
    found.add_result("mgmt", "Id map", "awsorg.landing_zone.controller_files",
                     {"changed": True, "diff": [{"before_header": "/out/ids.yml (mode)", "before": "0600\n", "after": "0644\n"}]})
    found.add_result("mgmt", "Backend", "awsorg.landing_zone.tf_backend", {
        "changed": True, "diff": [{"before": {"bucket": {"v": 1}}, "after": {"bucket": {"v": 1}}},
                                  {"before_header": "/out/mgmt/backend.tfvars", "after_header": "/out/mgmt/backend.tfvars",
                                   "before": "", "after": "bucket = \"x\""}]})
    # Unchanged results and whole-loop summaries are not entries either.
    found.add_result("mgmt", "Read", "awsorg.landing_zone.org_ou", {"changed": False, "diff": {"before": 1, "after": 2}})
    found.add_result("dev", "Roles", "awsorg.landing_zone.iam_cross_account_role",
                     {"changed": True, "results": [{"ansible_loop_var": "role", "changed": True}]})
    assert found.entries == []
    assert [(n["task"], n["reason"]) for n in found.not_compared] == [
        ("Passwords", "no_log: its result is hidden"),
        ("Account map", "works on the controller, not on the organization"),
        ("Profiles", "works on the controller, not on the organization"),
        ("Id map", "works on the controller, not on the organization"),
        ("Backend", "files on the controller only"),
    ]
    assert "hunter" not in json.dumps(found.report(now=NOW))


def test_a_change_without_diff_is_still_reported():
    found = collector()
    found.add_result("prod", "Baseline", "awsorg.landing_zone.account_baseline", {"changed": True})
    [entry] = found.entries
    assert (entry["account"], entry["before"], entry["after"], entry["changes"]) == ("prod", None, None, [])
    assert "| prod (333333333333) | account_baseline | (would change; no diff) |" in drift_report.render_markdown(
        found.report(now=NOW))


# --- status and rendering ----------------------------------------------------------------


def test_status_exit_code_and_markdown():
    clean = collector()
    report = clean.report(playbook="playbooks/drift.yml", now=NOW)
    assert (report["status"], report["exit_code"]) == ("no drift", 0)
    assert report["generated_at"] == "2026-05-09T06:00:00Z"
    assert "**No drift**: the live organization matches the inventory." in drift_report.render_markdown(report)

    drifted = collector()
    drifted.add_result("prod", "Policy", "awsorg.landing_zone.iam_password_policy", {
        "changed": True, "diff": {"before": {"Note": "a|b", "Long": "x" * 400}, "after": {"Note": "c", "Long": "y"}}})
    report = drifted.report(playbook="playbooks/drift.yml", now=NOW)
    assert (report["status"], report["exit_code"]) == ("drift", drift_report.DRIFT_EXIT_CODE) == ("drift", 3)
    markdown = drift_report.render_markdown(report)
    assert "**Drift**: 1 resource(s) in 1 account(s) (prod) differ from the inventory." in markdown
    assert "| prod (333333333333) | iam_password_policy | `Note` | `a\\|b` | `c` |" in markdown
    long_row = next(line for line in markdown.splitlines() if "`Long`" in line)
    assert "x" * 159 + "…" in long_row and "x" * 160 not in long_row
    assert json.loads(drift_report.render_json(report)) == report

    drifted.add_failure("dev", "Baseline", "awsorg.landing_zone.account_baseline",
                        {"msg": "boom", "failed": True})
    report = drifted.report(failed_hosts=["dev"], now=NOW)
    assert (report["status"], report["exit_code"]) == ("error", None)
    markdown = drift_report.render_markdown(report)
    assert "**Error**: the run did not finish (failed: dev)" in markdown and "- dev: Baseline: boom" in markdown
    # A failure a block rescued is listed, and the run is no error.
    assert drifted.report(failed_hosts=[], now=NOW)["status"] == "drift"
