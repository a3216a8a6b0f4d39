"""account_baseline and the baseline role against moto: predict, converge in every account, keep, refuse."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.s3control import strip_account_label

from tests.harness.clients import through

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
    """The role on every host of the play: it runs its one module run once (run_once), for all of them."""
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


ROLE_TASK = "Account baseline of every account"


def role_results(run, accounts):
    """The role's one module run: its result per host, from the result per account id."""
    records = [r for r in run.results if r["task"].endswith(ROLE_TASK)]
    assert len(records) == 1, run.output[-3000:]
    [record] = records
    by_account = {entry["account_id"]: entry for entry in record["result"]["accounts"]}
    results = {host: by_account[account_id] for host, account_id in accounts.items()}
    return record["result"], results


def assume_role_calls(proxy):
    return [call for call in proxy.calls if call["service"] == "sts" and call["action"] == "AssumeRole"]


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


@pytest.mark.long
def test_baseline_is_predicted_set_in_every_account_and_kept(ansible, aws, proxy, organization, tmp_path):
    client = organization["client"]
    alpha, beta = member_account(client, "alpha"), member_account(client, "beta")
    accounts = dict(mgmt=MANAGEMENT, alpha=alpha, beta=beta)
    # beta starts half done: an old alias, EBS encryption on in one region, a stale billing contact.
    aws.client("iam", beta).create_account_alias(AccountAlias="old-beta")
    aws.client("ec2", beta, "eu-west-1").enable_ebs_encryption_by_default()
    aws.client("account", beta).put_alternate_contact(AlternateContactType="BILLING", **{
        "Name": "Old", "Title": "Old", "EmailAddress": "old@example.com", "PhoneNumber": "1"})
    inventory = write_inventory(tmp_path / "hosts.json", alpha, beta)
    playbook = baseline_playbook(tmp_path)
    proxy.reset()

    predicted = ansible.run_playbook(playbook, inventory=inventory, check=True, diff=True)
    # One module run for the three accounts, in the order of the play's hosts.
    task, results = role_results(predicted, accounts)
    assert [entry["account_id"] for entry in task["accounts"]] == [MANAGEMENT, alpha, beta], predicted.output[-3000:]
    assert task["changed"] is True
    assert results["alpha"]["changed_settings"] == [
        "account_alias", "password_policy", "s3_public_access_block", "ebs:us-east-1", "ebs:eu-west-1",
        "alternate_contacts:billing", "alternate_contacts:security"]
    # beta's eu-west-1 EBS setting is already right; its old alias and billing contact show in the diff,
    # which is keyed by account id.
    assert "ebs:eu-west-1" not in results["beta"]["changed_settings"]
    assert task["diff"]["before"][beta]["account_alias"] == "old-beta"
    assert task["diff"]["after"][beta]["account_alias"] == "acme-beta"
    assert task["diff"]["before"][beta]["alternate_contacts"]["billing"]["email_address"] == "old@example.com"
    assert task["diff"]["before"][alpha]["s3_public_access_block"] is None
    assert results["mgmt"]["baseline"]["s3_public_access_block"] == dict(
        block_public_acls=True, ignore_public_acls=True, block_public_policy=True, restrict_public_buckets=True)
    assert predicted.one("bad alias")["msg"].startswith("account_alias: 'Acme_Mgmt' must be 3-63 lowercase letters")
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
    with pytest.raises(Exception, match="NoSuchEntity"):
        aws.client("iam", alpha).get_account_password_policy()

    proxy.reset()
    converged = ansible.run_playbook(playbook, inventory=inventory, diff=True)
    task, results = role_results(converged, accounts)
    assert all(r["changed"] for r in results.values()), converged.output[-3000:]
    assert results["alpha"]["baseline"] == role_results(predicted, accounts)[0]["diff"]["after"][alpha]
    # One module run: each member role assumed once, the management account acting as the caller.
    assert len(assume_role_calls(proxy)) == 2, assume_role_calls(proxy)
    # The missing KMS key failed before anything was written: mgmt's billing
    # contact is still the role's, not the failing task's "Someone Else".
    assert converged.one("missing key")["msg"] == "ebs_default_kms_key_id: there is no KMS key 'alias/nothing' in us-east-1"
    for host, account_id in accounts.items():
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
    task, results = role_results(again, accounts)
    assert task["changed"] is False, again.output[-3000:]
    assert {host: r["changed"] for host, r in results.items()} == {"mgmt": False, "alpha": False, "beta": False}
    assert all(r["changed_settings"] == [] for r in results.values())
    assert proxy.mutating_calls() == [], proxy.mutating_calls()


@pytest.mark.long
def test_module_with_accounts_predicts_refuses_a_bad_entry_and_sets_each_alias(ansible, aws, proxy, organization):
    client = organization["client"]
    alpha, beta = member_account(client, "alpha"), member_account(client, "beta")
    module = "awsorg.landing_zone.account_baseline"
    common = dict(password_policy=dict(minimum_password_length=20), regions=["us-east-1"],
                  ebs_encryption_by_default=True)
    accounts = [
        dict(account_id=MANAGEMENT, caller=True, params=dict(account_alias="acme-root")),
        dict(account_id=alpha, params=dict(account_alias="acme-alpha")),
        dict(account_id=beta, params=dict(account_alias="acme-beta", ebs_encryption_by_default=False)),
    ]
    bad = [accounts[0], accounts[1], dict(account_id=beta, params=dict(account_alias="Acme_Beta"))]
    proxy.reset()

    run = ansible.run_tasks([
        {"name": "bad entry", module: dict(common, accounts=bad), "ignore_errors": True},
        {"name": "predict", module: dict(common, accounts=accounts), "check_mode": True},
    ], diff=True)
    # The bad entry is named, and the good entries before it were not written either.
    refused = run.one("bad entry")
    assert [r["status"] for r in run.results if r["task"] == "bad entry"] == ["failed"]
    assert refused["msg"].startswith(f"accounts[2] (account {beta}): account_alias: 'Acme_Beta' must be 3-63"), refused
    predicted = run.one("predict")
    assert predicted["changed"] is True, run.output[-3000:]
    assert [entry["account_id"] for entry in predicted["accounts"]] == [MANAGEMENT, alpha, beta]
    assert predicted["diff"]["after"][alpha]["account_alias"] == "acme-alpha"
    assert predicted["diff"]["before"][alpha]["account_alias"] is None
    assert predicted["diff"]["after"][beta]["ebs"]["us-east-1"]["encryption_by_default"] is False
    assert [entry["changed_settings"] for entry in predicted["accounts"]] == [
        ["account_alias", "password_policy", "ebs:us-east-1"], ["account_alias", "password_policy", "ebs:us-east-1"],
        ["account_alias", "password_policy"]]
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
    for account_id in (MANAGEMENT, alpha, beta):
        assert aws.client("iam", account_id).list_account_aliases()["AccountAliases"] == []

    proxy.reset()
    converged = ansible.run_module(module, dict(common, accounts=accounts))
    assert converged["changed"] is True, converged["_run"].output[-3000:]
    assert [entry["changed"] for entry in converged["accounts"]] == [True, True, True]
    assert len(assume_role_calls(proxy)) == 2, assume_role_calls(proxy)
    for account_id, alias, ebs in ((MANAGEMENT, "acme-root", True), (alpha, "acme-alpha", True),
                                   (beta, "acme-beta", False)):
        assert aws.client("iam", account_id).list_account_aliases()["AccountAliases"] == [alias], account_id
        policy = aws.client("iam", account_id).get_account_password_policy()["PasswordPolicy"]
        assert policy["MinimumPasswordLength"] == 20, account_id
        ec2 = aws.client("ec2", account_id, "us-east-1")
        assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is ebs, account_id

    proxy.reset()
    again = ansible.run_module(module, dict(common, accounts=accounts))
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == [], proxy.mutating_calls()


def test_a_just_created_accounts_baseline_waits_until_its_services_answer(ansible, aws, proxy, organization,
                                                                          monkeypatch):
    """On AWS a new account's role can be assumed before its services answer (EC2: OptInRequired).

    The strict layer (strict_rules/new_account_services.py) answers so for
    new_account_services_delay_seconds; the member account's clients wait it
    out (assume_role.MemberAccountClient), the baseline goes on.
    """
    if not proxy.strict.enabled:
        pytest.skip("moto alone answers a new account's services at once: only strict mode makes them wait")
    # Not ready until the run has been refused twice (a delay in seconds would race the run's start on a
    # loaded machine): then the services answer.
    proxy.configure_strict(member_role_delay_seconds=1, new_account_services_delay_seconds=3600)
    record = proxy.record

    def ready_after_two_refusals(call):
        record(call)
        if sum(c.get("strict") == "OptInRequired" for c in proxy.calls) == 2:
            proxy.configure_strict(new_account_services_delay_seconds=0)

    monkeypatch.setattr(proxy, "record", ready_after_two_refusals)
    # Created through the proxy: the strict layer sees when its creation SUCCEEDED.
    fresh = member_account(through(proxy, "organizations"), "fresh")
    args = dict(regions=REGIONS, ebs_encryption_by_default=True, alternate_contacts=dict(security=SECURITY),
                accounts=[dict(account_id=fresh, params=dict(account_alias="acme-fresh"))])

    converged = ansible.run_module("awsorg.landing_zone.account_baseline", args)

    assert converged["changed"] is True, converged.get("msg") or converged["_run"].output[-3000:]
    [entry] = converged["accounts"]
    assert entry.get("failed") is not True, entry
    not_ready = [c["action"] for c in proxy.calls if c.get("strict") == "OptInRequired"]
    assert "GetEbsEncryptionByDefault" in not_ready, not_ready
    # Each call refused was made again until answered; nothing was written twice.
    assert [c["action"] for c in proxy.calls if c["action"] == "EnableEbsEncryptionByDefault" and c["status"] == 200
            ] == ["EnableEbsEncryptionByDefault"] * len(REGIONS)
    ec2 = {region: aws.client("ec2", fresh, region) for region in REGIONS}
    assert {region: client.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] for region, client in ec2.items()
            } == {"us-east-1": True, "eu-west-1": True}
    contact = aws.client("account", fresh).get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]
    assert (contact["Name"], contact["EmailAddress"]) == (SECURITY["name"], SECURITY["email_address"])
    assert aws.client("iam", fresh).list_account_aliases()["AccountAliases"] == ["acme-fresh"]

    proxy.reset()
    again = ansible.run_module("awsorg.landing_zone.account_baseline", args)
    assert again["changed"] is False, again["accounts"]
    assert proxy.mutating_calls() == [], proxy.mutating_calls()
