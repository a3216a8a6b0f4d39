"""Strict mode: a new account's services answer OptInRequired for a while after its role works (behaviour 4b).

tests/harness/strict_rules/new_account_services.py.  Shown with the exact
code, HTTP status and message, then the same call passing once the delay is
over, and with strict mode off (moto alone answers at once).
"""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through
from tests.harness.strict_aws import StrictConfig

pytestmark = pytest.mark.usefixtures("strict_on")

CONTACT = dict(AlternateContactType="SECURITY", Name="Sec Ops", Title="CISO", EmailAddress="sec@example.com",
               PhoneNumber="+1-555-0100")


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def refused(call, **params):
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response


def new_account(proxy, name):
    created = through(proxy, "organizations").create_account(AccountName=name, Email=f"{name}@example.com")
    account_id = created["CreateAccountStatus"]["AccountId"]
    credentials = through(proxy, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="run")["Credentials"]
    return account_id, credentials


def test_a_new_accounts_ebs_encryption_and_contacts_answer_opt_in_required_until_the_delay_is_over(
        proxy, organization, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, member_role_delay_seconds=0, new_account_services_delay_seconds=60)
    _account_id, credentials = new_account(proxy, "fresh")  # the role works at once
    ec2 = through(proxy, "ec2", credentials, region="eu-west-1")
    account = through(proxy, "account", credentials)

    for call in (ec2.get_ebs_encryption_by_default, ec2.enable_ebs_encryption_by_default):
        answer = refused(call)
        assert answer["Error"] == {
            "Code": "OptInRequired",
            "Message": "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe."}
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 401
    answer = refused(account.put_alternate_contact, **CONTACT)
    assert answer["Error"]["Code"] == "OptInRequired"
    assert answer["Error"]["Message"] == "The AWS access key ID needs a subscription for the service."
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert [c["strict"] for c in proxy.calls if c["service"] in ("ec2", "account")] == ["OptInRequired"] * 3
    # Nothing was written while refused.
    proxy.configure_strict(enabled=False)
    assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    proxy.configure_strict(enabled=True)

    clock.now += 59
    assert refused(ec2.get_ebs_encryption_by_default)["Error"]["Code"] == "OptInRequired"
    clock.now += 1.5
    assert ec2.enable_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
    account.put_alternate_contact(**CONTACT)
    assert account.get_alternate_contact(AlternateContactType="SECURITY")["AlternateContact"]["Name"] == "Sec Ops"


def test_only_the_new_accounts_own_calls_and_only_while_configured(proxy, organization, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, member_role_delay_seconds=0, new_account_services_delay_seconds=60)
    _account_id, credentials = new_account(proxy, "fresh")
    # The management account's own calls: never (from its credentials OptInRequired would be a real problem).
    assert through(proxy, "ec2").get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    # Off by default (StrictConfig: 0): the new account's services answer at once, as moto alone does.
    assert StrictConfig().new_account_services_delay_seconds == 0
    proxy.configure_strict(new_account_services_delay_seconds=0)
    assert through(proxy, "ec2", credentials).get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    proxy.configure_strict(enabled=False, new_account_services_delay_seconds=60)
    assert through(proxy, "ec2", credentials).get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
