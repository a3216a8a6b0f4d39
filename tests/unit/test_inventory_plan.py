"""The preflight validator: every problem named by host and variable, the plan derived once."""

import copy
import shutil

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from tests.harness.gpgkeys import TestKeyring

SETTINGS = dict(
    landing_zone_project="acme",
    landing_zone_email_pattern="{owner}+{project}-{account}@{domain}",
    landing_zone_email_tokens=dict(owner="platform", domain="example.com"),
    landing_zone_organizational_units=["/security", "/workloads/prod"],
    landing_zone_quarantine_ou="/suspended",
    landing_zone_identity_account="security",
    landing_zone_service_control_policies=[
        dict(
            name="deny-all",
            document={"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}},
            targets=["/suspended", "security", "/"],
        ),
    ],
)
HOSTS = dict(
    management=dict(account_id="123456789012", account_email="root@example.com", account_wave=0),
    security=dict(account_ou="/security", account_wave=1),
    production=dict(account_ou="/workloads/prod", account_wave=2, account_tags=dict(env="prod")),
)


def plan_of(hosts=None, settings=None, management=("management",)):
    return build_plan(hosts or copy.deepcopy(HOSTS), list(management), settings or copy.deepcopy(SETTINGS))


def test_valid_inventory_derives_names_emails_and_defaults():
    plan, problems = plan_of()
    assert problems == []
    assert plan["security"]["email"] == "platform+acme-security@example.com"
    assert plan["security"]["name"] == "acme-security"
    assert plan["production"]["ou"] == "/workloads/prod"
    assert plan["production"]["tags"] == {"env": "prod"}
    assert plan["management"]["id"] == "123456789012"
    assert plan["management"]["management"] is True
    assert plan["security"]["state"] == "present"


def test_written_back_ids_are_used():
    settings = copy.deepcopy(SETTINGS)
    settings["landing_zone_account_ids"] = {"security": "111111111111"}
    plan, problems = plan_of(settings=settings)
    assert problems == []
    assert plan["security"]["id"] == "111111111111"


@pytest.mark.parametrize(
    "host, variable, value, expected",
    [
        ("security", "account_email", "not-an-email", "security: account_email: is not a valid email address: 'not-an-email'"),
        ("security", "account_ou", "/nowhere", "security: account_ou: '/nowhere' is not in landing_zone_organizational_units"),
        ("security", "account_ou", "/a/b/c/d/e/f", "security: account_ou: OU path '/a/b/c/d/e/f' is 6 levels deep"),
        ("security", "account_name", "x" * 51, "security: account_name: must be 1-50 characters, got 51"),
        ("security", "account_wave", 0, "security: account_wave: wave 0 is the management account's"),
        ("production", "account_wave", 1, "production: account_wave: is 1, but security (landing_zone_identity_account) deploys in wave 1"),
        ("security", "account_id", "12345", "security: account_id: must be 12 digits, got '12345'"),
        ("security", "account_state", "gone", "security: account_state: must be one of present, absent, got 'gone'"),
        ("management", "account_state", "absent", "management: account_state: the management account cannot be retired"),
    ],
)
def test_each_bad_value_is_named_by_host_and_variable(host, variable, value, expected):
    hosts = copy.deepcopy(HOSTS)
    hosts[host][variable] = value
    _plan, problems = plan_of(hosts)
    assert any(p.startswith(expected) for p in problems), problems


def test_duplicate_emails_and_names_are_reported_on_the_second_host():
    hosts = copy.deepcopy(HOSTS)
    hosts["production"]["account_email"] = "Platform+acme-security@example.com"
    hosts["production"]["account_name"] = "acme-security"
    _plan, problems = plan_of(hosts)
    assert "security: account_email: 'platform+acme-security@example.com' is also used by production" in problems
    assert "security: account_name: 'acme-security' is also used by production" in problems


def test_org_wide_problems_are_all_listed_at_once():
    settings = copy.deepcopy(SETTINGS)
    settings["landing_zone_identity_account"] = "ghost"
    settings["landing_zone_service_control_policies"][0]["targets"] = ["/nowhere", "nobody"]
    settings["landing_zone_project"] = "Bad Project"
    _plan, problems = plan_of(settings=settings, management=("management", "security"))
    joined = "\n".join(problems)
    assert "all: landing_zone_identity_account: 'ghost' is not a host in group accounts" in joined
    assert "target '/nowhere' is not in landing_zone_organizational_units" in joined
    assert "target 'nobody' is neither an OU path, an account id nor an account host" in joined
    assert "all: landing_zone_project: must be 2-32 lowercase" in joined
    assert "management: hosts: group management must hold exactly one host, got 2" in joined
    assert len(problems) >= 5


def test_scp_documents_keys_and_backend_names_are_checked_before_anything_runs(tmp_path):
    settings = copy.deepcopy(SETTINGS)
    big = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": [f"service{i}:Action{i}" for i in range(700)], "Resource": "*"}]}
    settings["landing_zone_service_control_policies"] = [
        dict(name="too-big", document=big, targets=["/"]),
        dict(name="not-json", document="{oops", targets=["/"]),
        dict(name="no-effect", document={"Version": "2012-10-17", "Statement": [{"Action": "*"}]}, targets=["/"]),
    ]
    # A real public key: the preflight reads the key, not only the file.
    with TestKeyring() as ring:  # in the system temp dir: gpg-agent's socket path stays short
        present = tmp_path / "alice.asc"
        shutil.copy(ring.generate("alice", email="alice@example.com").public_key_file, present)
    settings["landing_zone_users"] = [
        dict(name="alice", pgp_key=str(present)),
        dict(name="bob", pgp_key=str(tmp_path / "missing.asc")),
    ]
    settings["landing_zone_tf_backend_account"] = "security"
    settings["landing_zone_tf_backend"] = dict(bucket="{project}_{account}_STATE")
    _plan, problems = plan_of(settings=settings)
    joined = "\n".join(problems)
    assert "landing_zone_service_control_policies[too-big]: document: the minified document is" in joined
    assert "size limit is 10240 characters" in joined
    assert "landing_zone_service_control_policies[not-json]: document: not valid JSON" in joined
    assert "landing_zone_service_control_policies[no-effect]" in joined
    assert f"landing_zone_users[bob]: pgp_key: GPG public key file '{tmp_path / 'missing.asc'}' is missing" in joined
    assert "alice" not in joined
    assert "landing_zone_tf_backend.bucket: 'acme_security_STATE' may only hold lowercase letters" in joined


def test_cross_account_roles_and_groups_are_checked_against_the_accounts_and_each_other():
    settings = copy.deepcopy(SETTINGS)
    settings["landing_zone_cross_account_roles"] = [
        dict(name="admin"),
        dict(name="developer", accounts=["production"]),
        dict(name="empty", accounts=[]),
        dict(name="stray", accounts=["production", "ghost"]),
        dict(description="no name"),
    ]
    settings["landing_zone_groups"] = [dict(name="admins", roles=["admin", "developer"]),
                                       dict(name="auditors", roles=["auditor"])]
    _plan, problems = plan_of(settings=settings)
    assert sorted(problems) == sorted([
        "all: landing_zone_cross_account_roles[empty]: accounts: must list at least one account host, got []",
        "all: landing_zone_cross_account_roles[stray]: accounts: 'ghost' is not a host in group accounts",
        "all: landing_zone_cross_account_roles[4]: needs a name, got {'description': 'no name'}",
        "all: landing_zone_groups[auditors]: roles: 'auditor' is not a role of landing_zone_cross_account_roles",
    ])


def test_valid_cross_account_roles_and_groups_pass():
    settings = copy.deepcopy(SETTINGS)
    settings["landing_zone_cross_account_roles"] = [dict(name="admin"), dict(name="dev", accounts=["production"])]
    settings["landing_zone_groups"] = [dict(name="admins", roles=["admin", "dev"])]
    _plan, problems = plan_of(settings=settings)
    assert problems == []
