"""account_baseline and the baseline role against moto: predict, converge in every account, keep, refuse."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.s3control import strip_account_label

MANAGEMENT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
SECURITY = dict(name="Acme Security", title="Security team", email_address="security@example.com",
                phone_number="+1 555 0100")
BILLING = dict(name="Acme Finance", title="Accounts payable", email_address="billing@example.com",
               phone_number="+1 555 0102")
PASSWORD_POLICY = dict(minimum_password_length=16, require_symbols=True, require_numbers=True,
                       require_uppercase=True, require_lowercase=True, allow_password_change=True,
                       password_reuse_prevent=24)
BASELINE = dict(
    password_policy=PASSWORD_POLICY,
    s3_public_access_block=dict(ignore_public_acls=True),
    regions=REGIONS,
    alternate_contacts=dict(security=SECURITY, billing=BILLING),
)


def member_account(client, name):
    return client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]


def write_inventory(path, alpha, beta):
    """mgmt (group management, acts as the caller), alpha and beta (through their member role)."""
    path.write_text(json.dumps({"all": {
        "vars": {"ansible_connection": "local", "landing_zone_project": "acme", "landing_zone_baseline": BASELINE},
        "children": {
            "management": {"hosts": {"mgmt": {"account_id": MANAGEMENT}}},
            "members": {"hosts": {"alpha": {"account_id": alpha}, "beta": {"account_id": beta}}},
        },
    }}))
    return path


def baseline_playbook(tmp_path):
    playbook = tmp_path / "baseline.yml"
    playbook.write_text(json.dumps([
        {"name": "baseline", "hosts": "all", "gather_facts": False,
         "tasks": [{"name": "baseline", "ansible.builtin.include_role": {"name": "awsorg.landing_zone.baseline"}}]},
        {"name": "bad input", "hosts": "mgmt", "gather_facts": False, "tasks": [
            {"name": "bad alias", "ignore_errors": True, "awsorg.landing_zone.account_baseline": {
                "account_alias": "Acme_Mgmt", "ebs_encryption_by_default": True}},
            {"name": "missing key", "awsorg.landing_zone.account_baseline": {
                "ebs_encryption_by_default": True, "ebs_default_kms_key_id": "alias/nothing", "regions": REGIONS,
                "alternate_contacts": {"billing": dict(BILLING, name="Someone Else")}}, "ignore_errors": True},
        ]},
    ]))
    return playbook


def role_results(run):
    return {r["host"]: r["result"] for r in run.results if r["task"].endswith("Account baseline")}


def read_baseline(aws, account_id):
    """Every baseline setting of one account, read straight from moto."""
    iam = aws.client("iam", account_id)
    s3control = aws.client("s3control", account_id)
    s3control.meta.events.register("before-sign.s3-control", strip_account_label)
    contacts = aws.client("account", account_id)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    return dict(
        aliases=iam.list_account_aliases()["AccountAliases"],
        password_policy=(policy["MinimumPasswordLength"], policy["RequireSymbols"], policy["PasswordReusePrevention"],
                         policy.get("MaxPasswordAge") or 0),
        public_access_block=s3control.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"],
        ebs={region: aws.client("ec2", account_id, region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
             for region in REGIONS},
        contacts={kind: {k: v for k, v in contacts.get_alternate_contact(AlternateContactType=kind)[
            "AlternateContact"].items() if k != "AlternateContactType"} for kind in ("SECURITY", "BILLING")},
    )


def test_baseline_is_predicted_set_in_every_account_and_kept(ansible, aws, proxy, organization, tmp_path):
    client = organization["client"]
    alpha, beta = member_account(client, "alpha"), member_account(client, "beta")
    # beta starts half done: an old alias, EBS encryption on in one region, a stale billing contact.
    aws.client("iam", beta).create_account_alias(AccountAlias="old-beta")
    aws.client("ec2", beta, "eu-west-1").enable_ebs_encryption_by_default()
    aws.client("account", beta).put_alternate_contact(AlternateContactType="BILLING", **{
        "Name": "Old", "Title": "Old", "EmailAddress": "old@example.com", "PhoneNumber": "1"})
    inventory = write_inventory(tmp_path / "hosts.json", alpha, beta)
    playbook = baseline_playbook(tmp_path)
    proxy.reset()

    predicted = ansible.run_playbook(playbook, inventory=inventory, check=True, diff=True)
    results = role_results(predicted)
    assert set(results) == {"mgmt", "alpha", "beta"}, predicted.output[-3000:]
    assert results["alpha"]["changed_settings"] == [
        "account_alias", "password_policy", "s3_public_access_block", "ebs:us-east-1", "ebs:eu-west-1",
        "alternate_contacts:billing", "alternate_contacts:security"]
    # beta's eu-west-1 EBS setting is already right; its old alias and billing contact show in the diff.
    assert "ebs:eu-west-1" not in results["beta"]["changed_settings"]
    assert results["beta"]["diff"]["before"]["account_alias"] == "old-beta"
    assert results["beta"]["diff"]["after"]["account_alias"] == "acme-beta"
    assert results["beta"]["diff"]["before"]["alternate_contacts"]["billing"]["email_address"] == "old@example.com"
    assert results["alpha"]["diff"]["before"]["s3_public_access_block"] is None
    assert results["mgmt"]["baseline"]["s3_public_access_block"] == dict(
        block_public_acls=True, ignore_public_acls=True, block_public_policy=True, restrict_public_buckets=True)
    assert predicted.one("bad alias")["msg"].startswith("account_alias: 'Acme_Mgmt' must be 3-63 lowercase letters")
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
    with pytest.raises(Exception, match="NoSuchEntity"):
        aws.client("iam", alpha).get_account_password_policy()

    converged = ansible.run_playbook(playbook, inventory=inventory, diff=True)
    results = role_results(converged)
    assert all(r["changed"] for r in results.values()), converged.output[-3000:]
    assert results["alpha"]["baseline"] == role_results(predicted)["alpha"]["diff"]["after"]
    # The missing KMS key failed before anything was written: mgmt's billing
    # contact is still the role's, not the failing task's "Someone Else".
    assert converged.one("missing key")["msg"] == "ebs_default_kms_key_id: there is no KMS key 'alias/nothing' in us-east-1"
    for host, account_id in (("mgmt", MANAGEMENT), ("alpha", alpha), ("beta", beta)):
        state = read_baseline(aws, account_id)
        assert state["aliases"] == [f"acme-{host}"], host
        assert state["password_policy"] == (16, True, 24, 0), host
        assert state["public_access_block"] == dict(BlockPublicAcls=True, IgnorePublicAcls=True,
                                                    BlockPublicPolicy=True, RestrictPublicBuckets=True), host
        assert state["ebs"] == {"us-east-1": True, "eu-west-1": True}, host
        assert state["contacts"]["SECURITY"] == {"Name": SECURITY["name"], "Title": SECURITY["title"],
                                                 "EmailAddress": SECURITY["email_address"],
                                                 "PhoneNumber": SECURITY["phone_number"]}, host
        assert state["contacts"]["BILLING"]["Name"] == BILLING["name"], host

    proxy.reset()
    again = ansible.run_playbook(playbook, inventory=inventory, diff=True)
    results = role_results(again)
    assert {host: r["changed"] for host, r in results.items()} == {"mgmt": False, "alpha": False, "beta": False}
    assert all(r["changed_settings"] == [] for r in results.values())
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
