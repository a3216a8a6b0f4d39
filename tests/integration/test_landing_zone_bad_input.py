"""The whole landing zone (playbooks/site.yml) on malformed demo inventories: nothing is written.

Each case copies inventories/demo (with its users' GPG keys), breaks one
thing, and runs the real ``ansible-playbook playbooks/site.yml`` on it
against moto behind the recording proxy.  The run must fail in the preflight
with a message naming the host (``all`` for organization-wide variables, the
group for group membership) and the variable, and the proxy must have seen
no AWS write.
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


@pytest.fixture(scope="module")
def pristine_inventory(tmp_path_factory):
    """One demo inventory copy with GPG keys; every case works on a copy of it."""
    base = tmp_path_factory.mktemp("bad-input")
    # The keyring in the system temp dir: gpg-agent's socket path must stay short.
    keyring = prepare_demo_inventory(base / "inventory")
    yield base / "inventory"
    keyring.close()


def _problem_lines(run):
    failed = run.failed()
    assert [r["task"] for r in failed] == [PREFLIGHT_TASK], run.output[-3000:]
    return failed[0]["result"]["problems"]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_inventory_fails_in_preflight_naming_host_and_variable(case, pristine_inventory, ansible, proxy, tmp_path):
    break_it, expected = CASES[case]
    inventory_dir = tmp_path / "inventory"
    shutil.copytree(pristine_inventory, inventory_dir)
    inventory = Inventory(inventory_dir)
    break_it(inventory)
    inventory.save()

    run = ansible.run_playbook("playbooks/site.yml", inventory=inventory.hosts_file)

    assert run.rc != 0, run.output[-3000:]
    problems = _problem_lines(run)
    # What the user reads: the task's message, white space as printed aside.
    printed = " ".join(run.output.split())
    for host, variable, words in expected:
        matching = [p for p in problems if p.startswith(f"{host}: {variable}: ") and words in p]
        assert matching, f"no problem {host}: {variable}: ...{words}... in {problems}"
        assert " ".join(matching[0].split()) in printed, run.output[-3000:]
    # Exactly these problems: the demo inventory itself has none.
    assert len(problems) == len(expected), problems
    assert not (inventory_dir / "group_vars" / "all" / "landing_zone_account_ids.yml").exists()
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
