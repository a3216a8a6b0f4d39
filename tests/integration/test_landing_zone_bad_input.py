"""The whole landing zone (playbooks/site.yml) on malformed demo inventories: nothing is written.

Each case breaks one thing of a copy of inventories/demo (with its users'
GPG keys).  The preflight reports every problem of an inventory together,
so the cases are run in a few groups (GROUPS), each group's cases broken in
one copy and the real ``ansible-playbook playbooks/site.yml`` run once on it
against moto behind the recording proxy.  The run must fail in the preflight
with, for every case of the group, a message naming the host (``all`` for
organization-wide variables, the group for group membership), the variable
and the value; no other problem; and the proxy must have seen no AWS write.
The cases of one group touch different hosts and variables, so none hides
or adds a problem of another (each case alone: tests/unit/test_inventory_plan.py
and tests/unit/test_inventory_bad_input.py).
"""

import shutil

import pytest
import yaml

from tests.harness.demo_inventory import prepare_demo_inventory

PREFLIGHT_TASK = "Validate accounts, OUs, policies, waves and references"


class Inventory:
    """The hosts and group_vars of a demo inventory copy, to break and write back."""

    def __init__(self, directory):
        self.directory = directory
        self.hosts_file = directory / "hosts.yml"
        self.settings_file = directory / "group_vars" / "all" / "landing_zone.yml"
        self.tree = yaml.safe_load(self.hosts_file.read_text())
        self.settings = yaml.safe_load(self.settings_file.read_text())

    @property
    def accounts(self):
        return self.tree["all"]["children"]["accounts"]["hosts"]

    def scp(self, name):
        return next(p for p in self.settings["landing_zone_service_control_policies"] if p["name"] == name)

    def user(self, name):
        return next(u for u in self.settings["landing_zone_users"] if u["name"] == name)

    def save(self):
        self.hosts_file.write_text(yaml.safe_dump(self.tree, sort_keys=False))
        self.settings_file.write_text(yaml.safe_dump(self.settings, sort_keys=False))


def duplicate_email(inv):
    inv.accounts["staging"]["account_email"] = "platform+acme-development@example.com"


def malformed_email(inv):
    inv.accounts["production"]["account_email"] = "production.example.com"


def ou_deeper_than_five(inv):
    inv.settings["landing_zone_organizational_units"].append("/workloads/prod/eu/west/1/blue")
    inv.accounts["production"]["account_ou"] = "/workloads/prod/eu/west/1/blue"


def unknown_ou_of_account(inv):
    inv.accounts["development"]["account_ou"] = "/workloads/dev"


def unknown_ou_in_scp_target(inv):
    inv.scp("deny-leaving-organization")["targets"].append("/sandbox")


def scp_over_size_limit(inv):
    # 600 distinct actions, about 24,000 characters minified: over the 10,240 quota.
    actions = [f"ec2:DescribeSomethingNumber{index:04d}" for index in range(600)]
    inv.scp("deny-leaving-organization")["document"]["Statement"].append(
        dict(Sid="TooBig", Effect="Deny", Action=actions, Resource="*"))


def scp_invalid_json(inv):
    inv.scp("deny-all-suspended")["document"] = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",'


def missing_gpg_key_file(inv):
    inv.user("bob")["pgp_key"] = "{{ landing_zone_keys_dir }}/bob-lost.asc"


def account_name_too_long(inv):
    inv.accounts["shared"]["account_name"] = "acme-shared-services-for-every-team-in-the-company-x"


def wave_before_identity_account(inv):
    # security (identity) and shared (state backend) deploy in wave 1; the
    # roles of development trust the one and its backend file names the
    # other, so development must come later.
    inv.accounts["development"]["account_wave"] = 1


def two_management_hosts(inv):
    inv.tree["all"]["children"]["management"]["hosts"]["security"] = None


def unknown_identity_account(inv):
    inv.settings["landing_zone_identity_account"] = "identity"


def invalid_backend_bucket_name(inv):
    inv.settings["landing_zone_tf_backend"]["bucket"] = "{project}_{account}_Terraform_State"


def role_in_no_account(inv):
    developer = next(r for r in inv.settings["landing_zone_cross_account_roles"] if r["name"] == "developer")
    developer["accounts"] = []


def management_account_retired(inv):
    inv.accounts["mgmt"]["account_state"] = "absent"


# (break the inventory, [problems that must be listed: (host, variable, words of the message)])
CASES = {
    "duplicate email": (duplicate_email, [
        ("staging", "account_email", "'platform+acme-development@example.com' is also used by development")]),
    "malformed email": (malformed_email, [
        ("production", "account_email", "is not a valid email address: 'production.example.com'")]),
    "OU deeper than 5 levels": (ou_deeper_than_five, [
        ("all", "landing_zone_organizational_units", "is 6 levels deep"),
        ("production", "account_ou", "is 6 levels deep")]),
    "unknown OU of an account": (unknown_ou_of_account, [
        ("development", "account_ou", "'/workloads/dev' is not in landing_zone_organizational_units")]),
    "unknown OU in an SCP target": (unknown_ou_in_scp_target, [
        ("all", "landing_zone_service_control_policies[deny-leaving-organization]",
         "target '/sandbox' is not in landing_zone_organizational_units")]),
    "SCP over the size limit": (scp_over_size_limit, [
        ("all", "landing_zone_service_control_policies[deny-leaving-organization]",
         "size limit is 10240 characters")]),
    "SCP not valid JSON": (scp_invalid_json, [
        ("all", "landing_zone_service_control_policies[deny-all-suspended]", "document: not valid JSON")]),
    "missing GPG key file": (missing_gpg_key_file, [
        ("all", "landing_zone_users[bob]", "bob-lost.asc' is missing or unreadable")]),
    "account name over 50 characters": (account_name_too_long, [
        ("shared", "account_name", "must be 1-50 characters, got 52")]),
    "wave order broken": (wave_before_identity_account, [
        ("development", "account_wave", "security (landing_zone_identity_account) deploys in wave 1"),
        ("development", "account_wave", "shared (landing_zone_tf_backend_account) deploys in wave 1")]),
    "two management hosts": (two_management_hosts, [
        ("management", "hosts", "group management must hold exactly one host, got 2: ['mgmt', 'security']"),
        # and, as a management account, security would have to deploy in wave 0
        ("security", "account_wave", "the management account deploys in wave 0, got 1")]),
    "unknown identity account": (unknown_identity_account, [
        ("all", "landing_zone_identity_account", "'identity' is not a host in group accounts"),
        # and security, no longer the identity account, deploys with the backend's wave
        ("security", "account_wave", "shared (landing_zone_tf_backend_account) deploys in wave 1")]),
    "backend bucket name invalid": (invalid_backend_bucket_name, [
        ("all", "landing_zone_tf_backend.bucket", "'acme_shared_Terraform_State' may only hold lowercase letters")]),
    "cross-account role in no account": (role_in_no_account, [
        ("all", "landing_zone_cross_account_roles[developer]", "accounts: must list at least one account host")]),
    "management account retired": (management_account_retired, [
        ("mgmt", "account_state", "the management account cannot be retired")]),
}


# The cases run together, one site.yml run per group.  Cases that would
# change one another's problems are in different groups: the wave checks
# (wave order, two management hosts, the identity account) all judge
# security's and development's waves.
GROUPS = [
    ["duplicate email", "OU deeper than 5 levels", "unknown OU in an SCP target", "SCP not valid JSON",
     "missing GPG key file", "account name over 50 characters", "backend bucket name invalid",
     "cross-account role in no account", "management account retired", "unknown identity account"],
    ["malformed email", "unknown OU of an account", "SCP over the size limit", "wave order broken"],
    ["two management hosts"],
]


def check_groups(groups, cases):
    """Every case in exactly one group."""
    grouped = [case for group in groups for case in group]
    assert sorted(grouped) == sorted(cases), set(grouped) ^ set(cases)


check_groups(GROUPS, CASES)


@pytest.fixture(scope="module")
def pristine_inventory(tmp_path_factory):
    """One demo inventory copy with GPG keys; every group works on a copy of it."""
    base = tmp_path_factory.mktemp("bad-input")
    # The keyring in the system temp dir: gpg-agent's socket path must stay short.
    keyring = prepare_demo_inventory(base / "inventory")
    yield base / "inventory"
    keyring.close()


def break_inventory(pristine, directory, inventory_class, cases, group):
    """A copy of ``pristine`` in ``directory`` with every case of ``group`` broken; {case: expected problems}."""
    shutil.copytree(pristine, directory)
    inventory = inventory_class(directory)
    for case in group:
        cases[case][0](inventory)
    inventory.save()
    return inventory, {case: cases[case][1] for case in group}


def assert_refused_in_preflight(run, expected, inventory_dir, proxy):
    """The run failed in the preflight only, listing for each case its problems (host, variable, words of
    the message) as printed, and no other problem; no account ids written back, no AWS write."""
    assert run.rc != 0, run.output[-3000:]
    failed = run.failed()
    assert [r["task"] for r in failed] == [PREFLIGHT_TASK], run.output[-3000:]
    problems = failed[0]["result"]["problems"]
    # What the user reads: the task's message, white space as printed aside.
    printed = " ".join(run.output.split())
    claimed, missing = set(), []
    for case, case_problems in expected.items():
        for host, variable, words in case_problems:
            matching = [i for i, p in enumerate(problems)
                        if p.startswith(f"{host}: {variable}: ") and words in p and i not in claimed]
            if not matching:
                missing.append(f"{case}: no problem {host}: {variable}: ...{words}...")
                continue
            claimed.add(matching[0])
            assert " ".join(problems[matching[0]].split()) in printed, (case, run.output[-3000:])
    assert not missing, "\n".join(missing) + f"\nin {problems}"
    # Exactly these problems, each one some case's: the demo inventory itself has none.
    assert len(problems) == len(claimed), [p for i, p in enumerate(problems) if i not in claimed]
    assert not (inventory_dir / "group_vars" / "all" / "landing_zone_account_ids.yml").exists()
    assert proxy.mutating_calls() == [], proxy.mutating_calls()


@pytest.mark.parametrize("group", GROUPS, ids=[f"group-{n}" for n in range(len(GROUPS))])
def test_bad_inventory_fails_in_preflight_naming_host_and_variable(group, pristine_inventory, ansible, proxy, tmp_path):
    inventory, expected = break_inventory(pristine_inventory, tmp_path / "inventory", Inventory, CASES, group)

    run = ansible.run_playbook("playbooks/site.yml", inventory=inventory.hosts_file)

    assert_refused_in_preflight(run, expected, inventory.directory, proxy)
