"""The README's minimal inventory, as printed, converges a landing zone.

The inventory is read out of README.md ("The inventory" section), so the
README cannot drift from what works.  It sets neither ``ansible_connection``
nor ``ansible_python_interpreter``, and ansible-playbook runs without the
harness's ANSIBLE_PYTHON_INTERPRETER, as from a user's shell: the playbooks
themselves must run every account on the controller, in the Python that
runs Ansible.  Only the management account's id, name and email are
replaced, as the README tells its reader to do (here: moto's own).
"""

import configparser
import json
import os
import re
import subprocess
import sys

import boto3
import pytest
import yaml

from tests.harness.playbook import REPO_ROOT

SITE = REPO_ROOT / "playbooks" / "site.yml"
MANAGEMENT = dict(account_id="123456789012", account_name="master", account_email="master@example.com")
AWS_CLI = os.path.join(os.path.dirname(sys.executable), "aws")


def readme_minimal_inventory():
    """The YAML block of README.md that starts with ``# inventories/acme/hosts.yml``."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The inventory\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    [block] = [b for b in blocks if b.startswith("# inventories/acme/hosts.yml\n")]
    return block


def write_inventory(directory):
    inventory = yaml.safe_load(readme_minimal_inventory())
    mgmt = inventory["all"]["children"]["accounts"]["hosts"]["mgmt"]
    assert set(MANAGEMENT) <= set(mgmt), "the README's mgmt host names its id, name and email"
    mgmt.update(MANAGEMENT)
    directory.mkdir(parents=True)
    path = directory / "hosts.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return path, inventory


def _account_ids_by_name(client):
    accounts = client.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    return {a["Name"]: a for a in accounts}


def test_readme_minimal_inventory_converges_without_interpreter_settings(ansible, aws, proxy, tmp_path):
    path, inventory = write_inventory(tmp_path / "acme")
    text = path.read_text()
    assert "ansible_connection" not in text and "ansible_python_interpreter" not in text
    home = tmp_path / "home"
    home.mkdir()

    # No harness interpreter; HOME of its own (the profiles go to ~/.aws/acme).
    run = ansible.run_playbook(SITE, inventory=path, env={"ANSIBLE_PYTHON_INTERPRETER": None, "HOME": home})

    assert run.rc == 0, run.output[-5000:]
    assert "Could not resolve hostname" not in run.output
    assert not run.failed()

    # The organization, its OU and both accounts, read back from moto.
    client = aws.client("organizations")
    organization = client.describe_organization()["Organization"]
    assert organization["FeatureSet"] == "ALL"
    assert organization["MasterAccountId"] == MANAGEMENT["account_id"]
    root_id = client.list_roots()["Roots"][0]["Id"]
    ous = {ou["Name"]: ou["Id"] for ou in client.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"]}
    assert set(ous) == {"workloads", "suspended"}  # and the default quarantine OU
    accounts = _account_ids_by_name(client)
    assert {"acme-dev", "acme-prod"} <= set(accounts)
    assert accounts["acme-dev"]["Email"] == "aws+acme-dev@acme.example"
    assert accounts["acme-prod"]["Email"] == "aws+acme-prod@acme.example"
    in_workloads = {a["Id"] for a in client.list_accounts_for_parent(ParentId=ous["workloads"])["Accounts"]}
    assert in_workloads == {accounts["acme-dev"]["Id"], accounts["acme-prod"]["Id"]}
    assert len(accounts) == 3

    # Every profile written resolves (the user's own bootstrap profile added, as the README says):
    # the management account has no OrganizationAccountAccessRole, so no oaar profile of its own.
    profiles_dir = home / ".aws" / "acme"
    (profiles_dir / "credentials").write_text(
        "[acme-bootstrap]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    written = profile_accounts(profiles_dir)
    assert written == {"acme-dev-oaar": accounts["acme-dev"]["Id"], "acme-prod-oaar": accounts["acme-prod"]["Id"]}
    check_profiles_resolve(profiles_dir, written, proxy.url, {"acme-bootstrap": MANAGEMENT["account_id"]})


def profile_accounts(directory):
    """{profile name: the account it names} for every profile of the config file."""
    parsed = configparser.RawConfigParser()
    parsed.read(directory / "config")
    found = {}
    for section in parsed.sections():
        if not section.startswith("profile "):
            continue
        role_arn = parsed[section].get("role_arn", "")
        found[section[len("profile "):]] = role_arn.split(":")[4] if role_arn else None
    return found


def check_profiles_resolve(directory, profiles, endpoint, extra=None):
    """Each profile reaches its account through the (strict) proxy, with botocore and the AWS CLI v1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(directory / "config"), AWS_SHARED_CREDENTIALS_FILE=str(directory / "credentials"),
               AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true", AWS_DEFAULT_REGION="us-east-1")
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        for profile, account_id in {**profiles, **(extra or {})}.items():
            identity = boto3.Session(profile_name=profile).client("sts").get_caller_identity()
            assert identity["Account"] == account_id, (profile, identity)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    for profile, account_id in {**profiles, **(extra or {})}.items():
        proc = subprocess.run([AWS_CLI, "sts", "get-caller-identity", "--profile", profile, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, (profile, proc.stderr)
        assert json.loads(proc.stdout)["Account"] == account_id, (profile, proc.stdout)


@pytest.mark.long
def test_an_inventory_that_sets_connection_or_interpreter_keeps_its_own(ansible, proxy, tmp_path):
    # Same README inventory, plus the inventory's own settings: the playbooks must use them, so
    # these deliberately broken ones make the first module fail, each in its own way.
    cases = {
        "interpreter": ({"ansible_python_interpreter": "/nonexistent/python3"},
                        "The module interpreter '/nonexistent/python3' was not found"),
        "connection": ({"ansible_connection": "ssh", "ansible_host": "mgmt.invalid"}, "Failed to connect to the host via ssh"),
    }
    for name, (host_vars, expected) in cases.items():
        path, inventory = write_inventory(tmp_path / name)
        inventory["all"]["children"]["accounts"]["hosts"]["mgmt"].update(host_vars)
        path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")

        run = ansible.run_playbook(SITE, inventory=path, env={"ANSIBLE_PYTHON_INTERPRETER": None})

        assert run.rc != 0, (name, run.output[-3000:])
        # The failed task's result (module_stdout, msg) names the interpreter / the transport.
        failures = json.dumps([r["result"] for r in run.results if r["status"] in ("failed", "unreachable")])
        assert expected in failures, (name, failures[-3000:], run.output[-3000:])
    # Nothing was created: the organization play stopped at its first module.
    assert [c for c in proxy.mutating_calls() if c["service"] == "organizations"] == []
