"""Issue 14's bad inputs through the whole landing zone (playbooks/site.yml): refused in the preflight, nothing written.

As tests/integration/test_landing_zone_bad_input.py: each case breaks one
thing of a copy of inventories/demo (with its users' GPG keys); the cases of
a group (GROUPS) are broken in one copy and the real ``ansible-playbook
playbooks/site.yml`` runs once on it against moto behind the recording
proxy.  Before the schema each of these half-built the organization (10 to
70 writes) or was silently accepted; now the run must fail in the preflight
with, for every case, problems naming the host, the variable and the value,
no other problem, and the proxy must have seen no AWS write.  Each case on
its own: tests/unit/test_inventory_bad_input.py.
"""

import pytest
import yaml

from tests.harness.demo_inventory import prepare_demo_inventory
from tests.harness.gpgkeys import TestKeyring
from tests.integration.test_landing_zone_bad_input import assert_refused_in_preflight
from tests.integration.test_landing_zone_bad_input import break_inventory
from tests.integration.test_landing_zone_bad_input import check_groups

DENY = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}


class Inventory:
    """The hosts and every group_vars/all file of a demo inventory copy, to break and write back."""

    def __init__(self, directory):
        self.directory = directory
        self.hosts_file = directory / "hosts.yml"
        self.tree = yaml.safe_load(self.hosts_file.read_text())
        self.files = {path: yaml.safe_load(path.read_text()) for path in sorted((directory / "group_vars" / "all").glob("*.yml"))}

    @property
    def accounts(self):
        return self.tree["all"]["children"]["accounts"]["hosts"]

    def settings(self, name):
        """The mapping of the group_vars file that holds ``name`` (landing_zone.yml for a new one)."""
        return next((v for v in self.files.values() if name in v), self.files[self.directory / "group_vars" / "all" / "landing_zone.yml"])

    def __getitem__(self, name):
        return self.settings(name)[name]

    def __setitem__(self, name, value):
        self.settings(name)[name] = value

    def entry(self, name, key):
        return next(e for e in self[name] if e.get("name") == key)

    def save(self):
        self.hosts_file.write_text(yaml.safe_dump(self.tree, sort_keys=False))
        for path, content in self.files.items():
            path.write_text(yaml.safe_dump(content, sort_keys=False))


def account_name_with_a_newline(inv):
    inv.accounts["production"]["account_name"] = "acme\nproduction"


def eleven_scps_on_one_account(inv):
    inv["landing_zone_service_control_policies"] += [
        dict(name=f"deny-{n}", document=DENY, targets=["production"]) for n in range(10)]


def library_scps_on_a_full_ou(inv):
    # FullAWSAccess and 9 inline SCPs fill /workloads/prod; the library's require_imdsv2 needs one more.
    inv["landing_zone_service_control_policies"] += [
        dict(name=f"deny-{n}", document=DENY, targets=["/workloads/prod"]) for n in range(9)]


def private_key_as_pgp_key(inv):
    with TestKeyring() as ring:
        key = ring.generate("bob", email="bob@example.com")
        (inv.directory / "keys" / "bob.asc").write_text(ring.gpg("--armor", "--export-secret-keys", key.fingerprint).stdout)
        ring.stop_agent()


def no_key_at_all_as_pgp_key(inv):
    (inv.directory / "keys" / "bob.asc").write_text("bob's key is on the wiki\n")


def iam_user_name_with_a_space(inv):
    inv.entry("landing_zone_users", "bob")["name"] = "bob smith"


def non_boolean_require_mfa(inv):
    inv.entry("landing_zone_cross_account_roles", "admin")["require_mfa"] = "no way"


def non_boolean_account_close(inv):
    inv.accounts["staging"]["account_close"] = "no way"


def same_user_twice(inv):
    inv["landing_zone_users"].append(dict(name="Alice", pgp_key="{{ landing_zone_keys_dir }}/alice.asc", groups=["admins"]))


def present_account_in_quarantine(inv):
    inv.accounts["staging"]["account_ou"] = "/suspended"


def identity_and_log_archive_account_retired(inv):
    inv.accounts["security"]["account_state"] = "absent"


def backend_account_retired(inv):
    inv.accounts["shared"]["account_state"] = "absent"


def tag_value_a_mapping(inv):
    inv.accounts["production"]["account_tags"]["owner"] = dict(team="platform")


def tag_key_reserved_by_aws(inv):
    inv.accounts["development"]["account_tags"]["aws:team"] = "platform"


def exempt_every_role_in_the_library(inv):
    inv.entry("landing_zone_scp_library", "allow_regions")["params"]["exempt_roles"] = ["*"]


def mistyped_variables(inv):
    inv["landing_zone_basline"] = dict(regions=["us-east-1"])
    inv.accounts["development"]["acount_ou"] = "/workloads/prod"


# (break the inventory, [problems that must be listed: (host, variable, words of the message)])
CASES = {
    "account name with a newline": (account_name_with_a_newline, [
        ("production", "account_name", "'acme\\nproduction' must be 1 to 50 printable ASCII characters, no control"
                                       " characters or newlines")]),
    "11 SCPs on one account": (eleven_scps_on_one_account, [
        ("production", "landing_zone_service_control_policies",
         "target production: 11 SCPs would be attached (FullAWSAccess, deny-0,")]),
    "library SCPs on a full OU": (library_scps_on_a_full_ou, [
        ("all", "landing_zone_scp_library", "none of the 10 SCPs a target may have is free: 10 are taken already"
                                            " (FullAWSAccess, deny-0,")]),
    "private key as pgp_key": (private_key_as_pgp_key, [
        ("all", "landing_zone_users[bob]", "bob.asc' holds a private key; give the public key only")]),
    "no OpenPGP key as pgp_key": (no_key_at_all_as_pgp_key, [
        ("all", "landing_zone_users[bob]", "bob.asc' is not an OpenPGP public key")]),
    "IAM user name with a space": (iam_user_name_with_a_space, [
        ("all", "landing_zone_users[bob smith]", "name: 'bob smith' is not an IAM user name")]),
    "non-boolean require_mfa": (non_boolean_require_mfa, [
        ("all", "landing_zone_cross_account_roles[admin]", "require_mfa: must be true or false, got 'no way'")]),
    "non-boolean account_close": (non_boolean_account_close, [
        ("staging", "account_close", "must be true or false, got 'no way'")]),
    "the same user twice": (same_user_twice, [
        ("all", "landing_zone_users[Alice]", "name: 'Alice' is listed twice (also entry 0)")]),
    "present account in the quarantine OU": (present_account_in_quarantine, [
        ("staging", "account_ou", "'/suspended' is landing_zone_quarantine_ou, where retired accounts go")]),
    "identity and log-archive account retired": (identity_and_log_archive_account_retired, [
        ("security", "account_state", "is 'absent', but security is still landing_zone_identity_account;"),
        ("security", "account_state", "is 'absent', but security is still landing_zone_services.log_archive_account;"),
        ("security", "account_state",
         "is 'absent', but security is still landing_zone_services.delegated_admin_account;")]),
    "Terraform backend account retired": (backend_account_retired, [
        ("shared", "account_state", "is 'absent', but shared is still landing_zone_tf_backend_account;")]),
    "tag value that is a mapping": (tag_value_a_mapping, [
        ("production", "account_tags", "'owner': a tag value must be a string, number or boolean, got a mapping"
                                       " {'team': 'platform'}")]),
    "tag key reserved by AWS": (tag_key_reserved_by_aws, [
        ("development", "account_tags", "'aws:team': tag keys starting with 'aws:' are reserved by AWS")]),
    "exempt_roles '*' in the SCP library": (exempt_every_role_in_the_library, [
        ("all", "landing_zone_scp_library[allow_regions]", "params.exempt_roles: '*' matches every role")]),
    "mistyped variables": (mistyped_variables, [
        ("all", "landing_zone_basline", "is not a variable of the landing zone (a typo?), so nothing would read it;"
                                        " did you mean landing_zone_baseline?"),
        ("development", "acount_ou", "did you mean account_ou?")]),
}


# The cases run together, one site.yml run per group.  bob's key (a private
# key, not a key at all) and bob's name are broken once per group.
GROUPS = [
    ["account name with a newline", "11 SCPs on one account", "private key as pgp_key", "non-boolean require_mfa",
     "non-boolean account_close", "identity and log-archive account retired", "tag value that is a mapping",
     "exempt_roles '*' in the SCP library", "mistyped variables"],
    ["library SCPs on a full OU", "no OpenPGP key as pgp_key", "the same user twice",
     "present account in the quarantine OU", "Terraform backend account retired", "tag key reserved by AWS"],
    ["IAM user name with a space"],
]
check_groups(GROUPS, CASES)


@pytest.fixture(scope="module")
def pristine_inventory(tmp_path_factory):
    """One demo inventory copy with GPG keys; every group works on a copy of it."""
    base = tmp_path_factory.mktemp("bad-input")
    # The keyring in the system temp dir: gpg-agent's socket path must stay short.
    keyring = prepare_demo_inventory(base / "inventory")
    yield base / "inventory"
    keyring.close()


@pytest.mark.parametrize("group", GROUPS, ids=[f"group-{n}" for n in range(len(GROUPS))])
def test_issue_14_bad_input_is_refused_in_preflight_before_any_write(group, pristine_inventory, ansible, proxy, tmp_path):
    inventory, expected = break_inventory(pristine_inventory, tmp_path / "inventory", Inventory, CASES, group)

    run = ansible.run_playbook("playbooks/site.yml", inventory=inventory.hosts_file)

    assert_refused_in_preflight(run, expected, inventory.directory, proxy)
