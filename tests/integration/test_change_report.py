"""The end of site.yml says which accounts changed, per step (playbooks/report.yml).

A batched step converges a whole wave in one module run on one host, so the
play recap shows its changes on that host only.  The report reads the
steps' per-account results; it is checked against what moto holds: every
account on a first converge, exactly the accounts changed behind the
collection's back (or in the inventory) afterwards, in check mode too, and
none on a re-run.

A run of site.yml is most of the time of these checks, so they run on the
organization of tests/integration/test_preview_honest.py
(test_one_organization_previewed_from_creation_to_a_new_ou): the README's
minimal inventory plus a baseline (and the roles, SCP library and root
access that test needs), converged from nothing; the functions below are
its change-report steps; that test checks the last one, none on a re-run.
"""

import yaml

from tests.integration.test_minimal_inventory import SITE

REPORT_FACT = "Accounts changed by each batched step"
REPORT_LINES = "Accounts changed in this run, per step"
ACCOUNTS_STEP = "accounts (created, adopted, placed, tagged, retired)"


def report(run):
    """The report's {step: [hosts]} and its printed lines, after checking the run succeeded."""
    assert run.rc == 0, run.output[-5000:]
    facts = run.one(REPORT_FACT)["ansible_facts"]["report_changed_accounts"]
    lines = run.one(REPORT_LINES)["msg"]
    return facts, lines


def account_ids(aws):
    client = aws.client("organizations")
    accounts = client.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]
    return {a["Name"]: a["Id"] for a in accounts}


def ebs_encrypted(aws, account_id):
    return aws.client("ec2", account_id=account_id).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


def first_converge_reports_every_account(aws, run, role_steps):
    """The first converge of the minimal inventory with a baseline (``run``): both accounts created, all three baselined.

    ``role_steps``: the report's steps of the inventory's cross-account roles, {step: [hosts]}.
    """
    facts, lines = report(run)
    ids = account_ids(aws)
    mgmt, dev, prod = ids["master"], ids["acme-dev"], ids["acme-prod"]
    assert all(ebs_encrypted(aws, account) for account in (mgmt, dev, prod))
    assert facts == {ACCOUNTS_STEP: ["dev", "prod"], "baseline": ["mgmt", "dev", "prod"], **role_steps}
    assert lines[0] == "Accounts changed, per batched step:"
    assert f"  {ACCOUNTS_STEP}: dev, prod" in lines and "  baseline: mgmt, dev, prod" in lines


def report_lists_exactly_the_accounts_changed(ansible, aws, proxy, path, inventory, env, preview):
    """On the converged organization: dev's EBS default encryption disabled out of band, a tag for prod in the inventory.

    ``preview()`` runs site.yml in check mode (and checks it wrote nothing).
    Returns the preview and the real run; leaves the organization converged.
    """
    ids = account_ids(aws)
    dev, prod = ids["acme-dev"], ids["acme-prod"]

    # dev loses its EBS default encryption behind the collection's back; prod gets a tag in the inventory.
    aws.client("ec2", account_id=dev).disable_ebs_encryption_by_default()
    inventory["all"]["children"]["accounts"]["hosts"]["prod"]["account_tags"] = {"environment": "production"}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")

    # The preview names what would change, and changes nothing.
    writes_before = len(proxy.mutating_calls())
    previewed = preview()
    facts, lines = report(previewed)
    assert facts == {ACCOUNTS_STEP: ["prod"], "baseline": ["dev"]}
    assert lines == ["Accounts that would change, per batched step:", f"  {ACCOUNTS_STEP}: prod", "  baseline: dev"]
    assert len(proxy.mutating_calls()) == writes_before
    assert not ebs_encrypted(aws, dev)
    assert aws.client("organizations").list_tags_for_resource(ResourceId=prod)["Tags"] == []

    # The run changes exactly those.
    real = ansible.run_playbook(SITE, inventory=path, env=env)
    facts, _lines = report(real)
    assert facts == {ACCOUNTS_STEP: ["prod"], "baseline": ["dev"]}
    assert ebs_encrypted(aws, dev)
    assert aws.client("organizations").list_tags_for_resource(ResourceId=prod)["Tags"] == [
        {"Key": "environment", "Value": "production"}]
    return previewed, real
