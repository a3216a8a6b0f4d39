"""The organization inventory plugin against moto: hosts, groups, host vars, API cost, statuses, cache."""

import json
import os
import subprocess
import sys
from collections import Counter

import yaml

from tests.harness.playbook import REPO_ROOT

MANAGEMENT_ACCOUNT = "123456789012"
OU_PATHS = [
    "/security",
    "/workloads",
    "/workloads/prod",
    "/workloads/prod/eu",
    "/workloads/dev",
    "/sandbox",
    "/suspended",
]
# (name, OU path, tags); "acme-app" twice on purpose: a host name collision.
ACCOUNTS = [
    ("acme-security", "/security", {"env": "shared", "team": "security"}),
    ("acme-log-archive", "/security", {"env": "shared"}),
    ("acme-payments", "/workloads/prod", {"env": "prod", "cost-center": "CC 42"}),
    ("Acme Payments EU!", "/workloads/prod/eu", {"env": "prod"}),
    ("acme-app", "/workloads/dev", {"env": "dev"}),
    ("acme-app", "/sandbox", {"env": "sandbox"}),
    ("acme-retired", "/suspended", {"env": "old"}),
]
RETIRED = "acme-retired"


def build_organization(aws):
    """The organization above, created in moto directly; returns ids by OU path and account index."""
    client = aws.client("organizations")
    client.create_organization(FeatureSet="ALL")
    ou_ids = {"/": client.list_roots()["Roots"][0]["Id"]}
    for path in OU_PATHS:
        parent, name = path.rsplit("/", 1)
        ou = client.create_organizational_unit(ParentId=ou_ids[parent or "/"], Name=name)
        ou_ids[path] = ou["OrganizationalUnit"]["Id"]
    account_ids = []
    for index, (name, path, tags) in enumerate(ACCOUNTS):
        status = client.create_account(
            AccountName=name,
            Email=f"aws+{index}@acme.example",
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["CreateAccountStatus"]
        account_id = status["AccountId"]
        client.move_account(AccountId=account_id, SourceParentId=ou_ids["/"], DestinationParentId=ou_ids[path])
        account_ids.append(account_id)
    retired_id = account_ids[[a[0] for a in ACCOUNTS].index(RETIRED)]
    client.close_account(AccountId=retired_id)
    assert client.describe_account(AccountId=retired_id)["Account"]["Status"] == "SUSPENDED"
    return dict(ou_ids=ou_ids, account_ids=account_ids, retired_id=retired_id)


def write_inventory(tmp_path, name="organization.yml", **options):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict(plugin="awsorg.landing_zone.organization", **options)))
    return path


def plain(value):
    """ansible-inventory marks strings that are not trusted as templates (all AWS data) as
    ``{"__ansible_unsafe": ...}``; return the bare values."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def inventory_list(ansible, path, *args):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(path), "--list", *args]
    # A source no plugin could parse is an error, not a warning and an empty inventory.
    env = ansible.env(ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    proc = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return plain(json.loads(proc.stdout))


def hosts_of(inventory, group):
    return sorted(inventory.get(group, {}).get("hosts", []))


def children_of(inventory, group):
    return sorted(inventory.get(group, {}).get("children", []))


def calls_by_action(proxy):
    return Counter(call["action"] for call in proxy.calls)


def test_hosts_groups_vars_and_one_walk_of_the_tree(ansible, aws, proxy, tmp_path):
    built = build_organization(aws)
    app_ids = [built["account_ids"][4], built["account_ids"][5]]
    path = write_inventory(
        tmp_path,
        hostname_prefix_strip="acme-",
        keyed_groups=[dict(key="account_tags.env", prefix="env"), dict(key="account_tags", prefix="tag")],
        compose=dict(member_role_arn="'arn:aws:iam::' ~ account_id ~ ':role/OrganizationAccountAccessRole'"),
        groups=dict(production="account_ou.startswith('/workloads/prod')"),
        # amazon.aws's option: every call after it uses the role's credentials.
        assume_role_arn=f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/InventoryReader",
    )
    # As on AWS (and in the strict proxy), only a role that exists can be assumed.
    aws.client("iam").create_role(RoleName="InventoryReader", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"},
                       "Action": "sts:AssumeRole"}]}))
    proxy.reset()

    inventory = inventory_list(ansible, path)

    hostvars = inventory["_meta"]["hostvars"]
    app_hosts = sorted(f"app_{account_id}" for account_id in app_ids)
    expected_hosts = sorted(["master", "security", "log-archive", "payments", "acme_payments_eu_", *app_hosts])
    assert sorted(hostvars) == expected_hosts
    assert hosts_of(inventory, "accounts") == expected_hosts
    assert hosts_of(inventory, "management") == ["master"]
    # OU groups: parents hold their child OUs' groups; the closed account is not listed by default.
    assert children_of(inventory, "ou_workloads") == ["ou_workloads_dev", "ou_workloads_prod"]
    assert children_of(inventory, "ou_workloads_prod") == ["ou_workloads_prod_eu"]
    assert hosts_of(inventory, "ou_workloads_prod") == ["payments"]
    assert hosts_of(inventory, "ou_workloads_prod_eu") == ["acme_payments_eu_"]
    assert hosts_of(inventory, "ou_security") == ["log-archive", "security"]
    assert hosts_of(inventory, "ou_workloads_dev") == [f"app_{app_ids[0]}"]
    assert hosts_of(inventory, "ou_sandbox") == [f"app_{app_ids[1]}"]
    assert hosts_of(inventory, "ou_suspended") == []
    assert RETIRED not in {v["account_name"] for v in hostvars.values()}
    # keyed_groups from tags, and a constructed group.
    assert hosts_of(inventory, "env_prod") == ["acme_payments_eu_", "payments"]
    assert hosts_of(inventory, "env_shared") == ["log-archive", "security"]
    assert hosts_of(inventory, "tag_team_security") == ["security"]
    assert hosts_of(inventory, "production") == ["acme_payments_eu_", "payments"]

    payments_id = built["account_ids"][2]
    payments = hostvars["payments"]
    assert payments["account_id"] == payments_id
    assert payments["account_name"] == "acme-payments"
    assert payments["account_email"] == "aws+2@acme.example"
    assert payments["account_ou"] == "/workloads/prod"
    assert payments["account_ou_id"] == built["ou_ids"]["/workloads/prod"]
    assert payments["account_status"] == "ACTIVE"
    assert payments["account_joined_method"] == "CREATED"
    assert payments["account_tags"] == {"env": "prod", "cost-center": "CC 42"}
    described = aws.client("organizations").describe_account(AccountId=payments_id)["Account"]
    assert payments["account_arn"] == described["Arn"]
    assert payments["member_role_arn"] == f"arn:aws:iam::{payments_id}:role/OrganizationAccountAccessRole"
    assert payments["ansible_connection"] == "local"
    assert os.path.realpath(payments["ansible_python_interpreter"]) == os.path.realpath(sys.executable)
    assert hostvars["acme_payments_eu_"]["account_ou"] == "/workloads/prod/eu"
    assert hostvars["master"]["account_id"] == MANAGEMENT_ACCOUNT
    assert hostvars["master"]["account_ou"] == "/"
    assert hostvars["master"]["account_tags"] == {}
    assert {hostvars[h]["account_id"] for h in app_hosts} == set(app_ids)

    # One listing of each kind per parent (7 OUs + the root), one tag call per listed account.
    calls = calls_by_action(proxy)
    parents = len(OU_PATHS) + 1
    listed = len(expected_hosts)
    assert calls.pop("AssumeRole") == 1
    assert calls == Counter(
        DescribeOrganization=1,
        ListRoots=1,
        ListOrganizationalUnitsForParent=parents,
        ListAccountsForParent=parents,
        ListTagsForResource=listed,
    )
    assert sum(calls.values()) == 2 + 2 * parents + listed
    assert proxy.mutating_calls() == []


def test_statuses_without_tags_and_the_cache(ansible, aws, proxy, tmp_path):
    built = build_organization(aws)
    path = write_inventory(
        tmp_path,
        name="aws_organization.yml",
        include_statuses=["ACTIVE", "SUSPENDED"],
        include_tags=False,
        cache=True,
        cache_plugin="ansible.builtin.jsonfile",
        cache_connection=str(tmp_path / "cache"),
    )
    proxy.reset()

    inventory = inventory_list(ansible, path)

    hostvars = inventory["_meta"]["hostvars"]
    assert len(hostvars) == len(ACCOUNTS) + 1
    retired = hostvars["acme-retired"]
    assert retired["account_id"] == built["retired_id"]
    assert retired["account_status"] == "SUSPENDED"
    assert retired["account_ou"] == "/suspended"
    assert hosts_of(inventory, "ou_suspended") == ["acme-retired"]
    assert all(v["account_tags"] == {} for v in hostvars.values())
    assert "ListTagsForResource" not in calls_by_action(proxy)
    assert len(proxy.calls) == 2 + 2 * (len(OU_PATHS) + 1)

    # Second run: served from the cache, no AWS call at all, same inventory.
    proxy.reset()
    assert inventory_list(ansible, path) == inventory
    assert proxy.calls == []


# Day-2 work: modules run locally, on the interpreter the inventory set, and reach each host's
# account through its OrganizationAccountAccessRole.
PLAYBOOK = """
- hosts: ou_workloads
  gather_facts: false
  tasks:
    - name: show account
      ansible.builtin.debug:
        msg: "{{ account_id }} {{ account_ou }}"

    - name: assume the member role
      amazon.aws.sts_assume_role:
        role_arn: "arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole"
        role_session_name: inventory-test
"""


def test_playbook_runs_over_the_accounts_of_an_ou_subtree(ansible, aws, proxy, tmp_path):
    built = build_organization(aws)
    inventory = write_inventory(tmp_path, hostname_prefix_strip="acme-")
    playbook = tmp_path / "accounts.yml"
    playbook.write_text(PLAYBOOK)

    run = ansible.run_playbook(playbook, inventory=inventory)

    assert run.rc == 0, run.output[-4000:]
    ids = built["account_ids"]
    # The other "acme-app" is in /sandbox, outside the play's group.
    account_ids = {"payments": ids[2], "acme_payments_eu_": ids[3], f"app_{ids[4]}": ids[4]}
    ou_paths = {
        "payments": "/workloads/prod",
        "acme_payments_eu_": "/workloads/prod/eu",
        f"app_{ids[4]}": "/workloads/dev",
    }
    shown = {r["host"]: r["result"]["msg"] for r in run.results if r["task"] == "show account"}
    assert shown == {host: f"{account_ids[host]} {ou_paths[host]}" for host in account_ids}
    sessions = {r["host"]: r["result"]["sts_user"]["arn"] for r in run.results if r["task"] == "assume the member role"}
    assert sessions == {
        host: f"arn:aws:sts::{account_id}:assumed-role/OrganizationAccountAccessRole/inventory-test"
        for host, account_id in account_ids.items()
    }
    assert calls_by_action(proxy)["AssumeRole"] == len(account_ids)


def test_credentials_outside_an_organization_fail_with_a_clear_message(ansible, proxy, tmp_path):
    path = write_inventory(tmp_path)
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(path), "--list"]
    env = ansible.env(ANSIBLE_INVENTORY_UNPARSED_FAILED="true")
    proc = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode != 0
    assert "not part of an AWS Organization" in proc.stderr
    # It stops at the first call, made once: "auto" is the one plugin that takes the source (ansible.cfg
    # does not list this plugin itself, which would make a second attempt after auto's failure).
    assert [call["action"] for call in proxy.calls] == ["DescribeOrganization"]


# An account name, OU name or tag is whatever someone with Organizations rights typed.
INJECTED = "{{ lookup('pipe', 'touch %s') }}"
SHOW_NAMES = """
- hosts: accounts
  gather_facts: false
  tasks:
    - name: show name
      ansible.builtin.debug:
        msg: "{{ account_name }} | {{ account_ou }} | {{ account_tags }}"
"""


def test_names_from_aws_are_never_evaluated_as_templates(ansible, aws, proxy, tmp_path):
    pwned = tmp_path / "pwned"
    injected = INJECTED % pwned
    client = aws.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    ou_id = client.create_organizational_unit(ParentId=root_id, Name=injected)["OrganizationalUnit"]["Id"]
    account_id = client.create_account(AccountName=injected, Email="evil@acme.example",
                                       Tags=[{"Key": "owner", "Value": injected}])["CreateAccountStatus"]["AccountId"]
    client.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_id)
    assert client.describe_account(AccountId=account_id)["Account"]["Name"] == injected
    inventory = write_inventory(tmp_path)
    playbook = tmp_path / "names.yml"
    playbook.write_text(SHOW_NAMES)

    run = ansible.run_playbook(playbook, inventory=inventory)

    assert run.rc == 0, run.output[-4000:]
    shown = {r["host"]: r["result"]["msg"] for r in run.results if r["task"] == "show name"}
    host = next(h for h in shown if h != "master")
    # The literal text reaches the task; the command never ran.
    assert shown[host].startswith(f"{injected} | /{injected} | ")
    assert injected in shown[host].split(" | ")[2]
    assert not pwned.exists()
