"""The strict layer's emulated Organizations handshakes (tests/harness/strict_rules/handshakes.py).

Each AWS refusal the rule emulates, and the end of an accepted invitation:
the account really is a member of moto's organization (ListAccounts,
DescribeAccount JoinedMethod INVITED, ListParents, MoveAccount, tags) and
has no OrganizationAccountAccessRole.
"""

import botocore.exceptions
import pytest

from tests.harness.clients import through
from tests.harness.strict_rules.handshakes import handshake_rule
from tests.harness.strict_rules.handshakes import standalone_credentials

pytestmark = pytest.mark.usefixtures("strict_on")

STANDALONE = "444455556666"
OTHER = "777788889999"


def refused(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(**params)
    response = caught.value.response
    # A modeled field of the error (Reason) is at the top of botocore's response.
    return dict(response["Error"], Reason=response.get("Reason"))


def in_account(proxy, moto_server, account_id):
    return through(proxy, "organizations", standalone_credentials(moto_server.url, account_id))


def invite(proxy, account_id=STANDALONE, **params):
    return through(proxy, "organizations").invite_account_to_organization(
        Target=dict(Id=account_id, Type="ACCOUNT"), **params)["Handshake"]


def test_an_invitation_is_open_once_and_only_the_management_account_sends_or_lists_it(proxy, organization, moto_server):
    handshake = invite(proxy, Tags=[dict(Key="owner", Value="data")])
    assert handshake["State"] == "OPEN" and handshake["Action"] == "INVITE"
    assert dict(Id=STANDALONE, Type="ACCOUNT") in handshake["Parties"]
    assert handshake["Id"].startswith("h-") and handshake["Arn"].endswith("/invite/" + handshake["Id"])

    management = through(proxy, "organizations")
    duplicate = refused(management.invite_account_to_organization, Target=dict(Id=STANDALONE, Type="ACCOUNT"))
    assert duplicate["Code"] == "DuplicateHandshakeException"
    listed = management.list_handshakes_for_organization(Filter=dict(ActionType="INVITE"))["Handshakes"]
    assert [h["Id"] for h in listed] == [handshake["Id"]]

    invited = in_account(proxy, moto_server, STANDALONE)
    assert [h["Id"] for h in invited.list_handshakes_for_account()["Handshakes"]] == [handshake["Id"]]
    for call, params in ((invited.invite_account_to_organization, dict(Target=dict(Id=OTHER, Type="ACCOUNT"))),
                         (invited.list_handshakes_for_organization, {})):
        assert refused(call, **params)["Code"] == "AccessDeniedException"
    stranger = in_account(proxy, moto_server, OTHER)
    assert refused(stranger.describe_handshake, HandshakeId=handshake["Id"])["Code"] == "HandshakeNotFoundException"


def test_an_account_in_an_organization_cannot_be_invited_or_join(proxy, organization, moto_server):
    client = organization["client"]
    member = client.describe_create_account_status(CreateAccountRequestId=client.create_account(
        AccountName="member", Email="member@example.com")["CreateAccountStatus"]["Id"])["CreateAccountStatus"]["AccountId"]
    management = through(proxy, "organizations")
    for account_id in (member, OTHER):
        if account_id == OTHER:
            handshake_rule(proxy).standalone(OTHER, in_organization=True)
        error = refused(management.invite_account_to_organization, Target=dict(Id=account_id, Type="ACCOUNT"))
        expected = ("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
        assert (error["Code"], error.get("Reason")) == expected

    handshake = invite(proxy)
    handshake_rule(proxy).standalone(STANDALONE, in_organization=True)  # it joined another one meanwhile
    error = refused(in_account(proxy, moto_server, STANDALONE).accept_handshake, HandshakeId=handshake["Id"])
    assert (error["Code"], error.get("Reason")) == ("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION")
    assert STANDALONE not in {a["Id"] for a in client.list_accounts()["Accounts"]}


def test_only_the_invited_account_accepts_and_then_it_is_a_member_without_the_member_role(
        proxy, organization, moto_server, aws):
    handshake_rule(proxy).standalone(STANDALONE, name="data-lake", email="data-lake@example.com")
    handshake = invite(proxy, Tags=[dict(Key="owner", Value="data")])
    for client in (through(proxy, "organizations"), in_account(proxy, moto_server, OTHER)):
        error = refused(client.accept_handshake, HandshakeId=handshake["Id"])
        assert error["Code"] in ("AccessDeniedException", "HandshakeNotFoundException"), error

    invited = in_account(proxy, moto_server, STANDALONE)
    accepted = invited.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    again = refused(invited.accept_handshake, HandshakeId=handshake["Id"])
    assert again["Code"] == "HandshakeAlreadyInStateException"

    client = organization["client"]
    account = client.describe_account(AccountId=STANDALONE)["Account"]
    assert (account["Name"], account["Email"], account["JoinedMethod"], account["State"]) == (
        "data-lake", "data-lake@example.com", "INVITED", "ACTIVE")
    assert STANDALONE in {a["Id"] for a in client.list_accounts()["Accounts"]}
    assert client.list_parents(ChildId=STANDALONE)["Parents"] == [dict(Id=organization["root_id"], Type="ROOT")]
    assert client.list_tags_for_resource(ResourceId=STANDALONE)["Tags"] == [dict(Key="owner", Value="data")]
    ou = client.create_organizational_unit(ParentId=organization["root_id"], Name="data")["OrganizationalUnit"]["Id"]
    client.move_account(AccountId=STANDALONE, SourceParentId=organization["root_id"], DestinationParentId=ou)
    assert client.list_parents(ChildId=STANDALONE)["Parents"][0]["Id"] == ou
    assert all(s.get("AccountId") != STANDALONE for s in client.list_create_account_status()["CreateAccountStatuses"])
    iam = through(proxy, "iam", standalone_credentials(moto_server.url, STANDALONE))
    assert refused(iam.get_role, RoleName="OrganizationAccountAccessRole")["Code"] == "NoSuchEntity"


def test_a_canceled_or_declined_invitation_cannot_be_accepted(proxy, organization, moto_server):
    management = through(proxy, "organizations")
    invited = in_account(proxy, moto_server, STANDALONE)
    first = invite(proxy)
    assert refused(invited.cancel_handshake, HandshakeId=first["Id"])["Code"] == "AccessDeniedException"
    assert management.cancel_handshake(HandshakeId=first["Id"])["Handshake"]["State"] == "CANCELED"
    assert refused(invited.accept_handshake, HandshakeId=first["Id"])["Code"] == "InvalidHandshakeTransitionException"

    second = invite(proxy)  # no pending invitation any more: a new one is allowed
    assert invited.decline_handshake(HandshakeId=second["Id"])["Handshake"]["State"] == "DECLINED"
    assert refused(invited.accept_handshake, HandshakeId=second["Id"])["Code"] == "InvalidHandshakeTransitionException"
    assert management.describe_handshake(HandshakeId=second["Id"])["Handshake"]["State"] == "DECLINED"
