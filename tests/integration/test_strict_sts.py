"""Strict mode, sts:AssumeRole: the trust policy, DurationSeconds, and roles not assumable at once.

Each refusal is shown with its exact code, HTTP status and message, next to
the call that passes when the condition is met, and the same refused call
passing with strict mode off (moto alone accepts it).
"""

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role

from tests.harness.clients import through

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")

MGMT = "123456789012"
OTHER = "210987654321"
CALLER = f"arn:aws:sts::{MGMT}:user/moto"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def make_role(aws, name, principal, condition=None, account_id=None, **extra):
    """A role made straight in moto (not through the proxy: no new-role delay)."""
    iam = aws.client("iam", account_id=account_id)
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal, condition), **extra)["Role"]["Arn"]


def refused(call, **params):
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response


def assert_access_denied(response, role_arn, caller=CALLER):
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Message"] == (
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")


def session_arn(answer):
    return answer["AssumedRoleUser"]["Arn"]


# --- behaviour 2: the trust policy --------------------------------------------------------------

def test_a_trust_policy_that_names_another_account_is_access_denied(proxy, aws):
    role_arn = make_role(aws, "TrustsOther", {"AWS": f"arn:aws:iam::{OTHER}:root"})
    sts = through(proxy, "sts")
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    assert proxy.calls[-1]["strict"] == "AccessDenied"

    proxy.configure_strict(enabled=False)  # moto never reads the trust policy
    answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="run")
    assert session_arn(answer).endswith(":assumed-role/TrustsOther/run")


@pytest.mark.parametrize("principal", [
    {"AWS": f"arn:aws:iam::{MGMT}:root"},
    {"AWS": MGMT},
    {"AWS": "*"},
    "*",
    {"AWS": f"arn:aws:iam::{MGMT}:user/moto"},
])
def test_a_trust_policy_that_names_the_caller_is_assumed(proxy, aws, principal):
    role_arn = make_role(aws, "Trusting", principal)
    answer = through(proxy, "sts").assume_role(RoleArn=role_arn, RoleSessionName="run")
    assert session_arn(answer) == f"arn:aws:sts::{MGMT}:assumed-role/Trusting/run"
    assert proxy.calls[-1]["strict"] is None


def test_a_service_principal_never_matches_an_iam_caller(proxy, aws):
    role_arn = make_role(aws, "ForEc2", {"Service": "ec2.amazonaws.com"})
    assert_access_denied(refused(through(proxy, "sts").assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)


def test_a_role_principal_matches_sessions_of_that_role_only(proxy, aws):
    deployer = make_role(aws, "Deployer", {"AWS": MGMT})
    target = make_role(aws, "Target", {"AWS": deployer})
    sts = through(proxy, "sts")
    assert_access_denied(refused(sts.assume_role, RoleArn=target, RoleSessionName="run"), target)  # the user

    session = sts.assume_role(RoleArn=deployer, RoleSessionName="deploy")["Credentials"]
    answer = through(proxy, "sts", session).assume_role(RoleArn=target, RoleSessionName="chained")
    assert session_arn(answer) == f"arn:aws:sts::{MGMT}:assumed-role/Target/chained"


def test_mfa_is_present_only_for_sessions_made_with_mfa_or_an_assume_role_that_carries_it(proxy, aws):
    role_arn = make_role(aws, "NeedsMfa", {"AWS": MGMT}, MFA)
    sts = through(proxy, "sts")
    # Long-term keys: aws:MultiFactorAuthPresent is absent, and Bool of an absent key is false.
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    # A session made without MFA: the key is present and false.
    plain = sts.get_session_token()["Credentials"]
    assert_access_denied(refused(through(proxy, "sts", plain).assume_role, RoleArn=role_arn, RoleSessionName="run"),
                         role_arn)
    # The AssumeRole call itself carries the MFA device and code.
    mfa = dict(SerialNumber=f"arn:aws:iam::{MGMT}:mfa/moto", TokenCode="123456")
    assert session_arn(sts.assume_role(RoleArn=role_arn, RoleSessionName="run", **mfa)).endswith("/NeedsMfa/run")
    # A session made with MFA by GetSessionToken.
    with_mfa = sts.get_session_token(**mfa)["Credentials"]
    answer = through(proxy, "sts", with_mfa).assume_role(RoleArn=role_arn, RoleSessionName="run")
    assert session_arn(answer).endswith("/NeedsMfa/run")

    proxy.configure_strict(enabled=False)
    assert session_arn(sts.assume_role(RoleArn=role_arn, RoleSessionName="run")).endswith("/NeedsMfa/run")


def test_principal_org_id_is_the_callers_organization(proxy, aws):
    sts = through(proxy, "sts")
    # No organization yet: aws:PrincipalOrgID is absent from the request.
    pending = make_role(aws, "OrgOnlyBefore", "*", {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})
    assert_access_denied(refused(sts.assume_role, RoleArn=pending, RoleSessionName="run"), pending)

    # Made through the proxy: an Organizations write, so the layer reads the organization again at once.
    org_id = through(proxy, "organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    mine = make_role(aws, "OrgOnly", "*", {"StringEquals": {"aws:PrincipalOrgID": org_id}})
    assert session_arn(sts.assume_role(RoleArn=mine, RoleSessionName="run")).endswith("/OrgOnly/run")
    other = make_role(aws, "OtherOrgOnly", "*", {"StringEquals": {"aws:PrincipalOrgID": "o-zzzzzzzzzz"}})
    assert_access_denied(refused(sts.assume_role, RoleArn=other, RoleSessionName="run"), other)

    proxy.configure_strict(enabled=False)
    assert session_arn(sts.assume_role(RoleArn=other, RoleSessionName="run")).endswith("/OtherOrgOnly/run")


def test_external_id_principal_account_and_principal_arn(proxy, aws):
    sts = through(proxy, "sts")
    external = make_role(aws, "ThirdParty", {"AWS": MGMT}, {"StringEquals": {"sts:ExternalId": "s3cr3t-id"}})
    assert_access_denied(refused(sts.assume_role, RoleArn=external, RoleSessionName="run"), external)
    assert_access_denied(refused(sts.assume_role, RoleArn=external, RoleSessionName="run", ExternalId="guess-id"),
                         external)
    assert session_arn(sts.assume_role(RoleArn=external, RoleSessionName="run", ExternalId="s3cr3t-id"))

    by_account = make_role(aws, "ByAccount", "*", {"StringEquals": {"aws:PrincipalAccount": OTHER}})
    assert_access_denied(refused(sts.assume_role, RoleArn=by_account, RoleSessionName="run"), by_account)
    by_arn = make_role(aws, "ByArn", "*", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MGMT}:user/mo*"}})
    assert session_arn(sts.assume_role(RoleArn=by_arn, RoleSessionName="run")).endswith("/ByArn/run")


def test_an_explicit_deny_in_the_trust_policy_wins(proxy, aws):
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:*"},
    ]})
    role_arn = aws.client("iam").create_role(RoleName="Denied", AssumeRolePolicyDocument=document)["Role"]["Arn"]
    assert_access_denied(refused(through(proxy, "sts").assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)


# --- behaviour 3: DurationSeconds ----------------------------------------------------------------

ABOVE_MAX = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
ABOVE_CHAINING = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."


def assert_validation_error(response, message):
    assert response["Error"]["Code"] == "ValidationError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"] == message


def test_duration_above_the_roles_max_session_duration_is_a_validation_error(proxy, aws):
    short = make_role(aws, "Short", {"AWS": MGMT})  # MaxSessionDuration 3,600 s by default
    long = make_role(aws, "Long", {"AWS": MGMT}, MaxSessionDuration=7200)
    sts = through(proxy, "sts")
    assert_validation_error(refused(sts.assume_role, RoleArn=short, RoleSessionName="run", DurationSeconds=7200),
                            ABOVE_MAX)
    assert proxy.calls[-1]["strict"] == "ValidationError"
    assert session_arn(sts.assume_role(RoleArn=short, RoleSessionName="run", DurationSeconds=3600))
    assert session_arn(sts.assume_role(RoleArn=long, RoleSessionName="run", DurationSeconds=7200))
    assert_validation_error(refused(sts.assume_role, RoleArn=long, RoleSessionName="run", DurationSeconds=7201),
                            ABOVE_MAX)

    proxy.configure_strict(enabled=False)
    assert session_arn(sts.assume_role(RoleArn=short, RoleSessionName="run", DurationSeconds=7200))


def test_role_chaining_is_limited_to_one_hour(proxy, aws):
    first = make_role(aws, "First", {"AWS": MGMT}, MaxSessionDuration=43200)
    second = make_role(aws, "Second", {"AWS": MGMT}, MaxSessionDuration=43200)
    sts = through(proxy, "sts")
    session = sts.assume_role(RoleArn=first, RoleSessionName="run", DurationSeconds=43200)["Credentials"]
    chained = through(proxy, "sts", session)
    assert_validation_error(refused(chained.assume_role, RoleArn=second, RoleSessionName="run", DurationSeconds=3601),
                            ABOVE_CHAINING)
    assert session_arn(chained.assume_role(RoleArn=second, RoleSessionName="run", DurationSeconds=3600))
    # The user (long-term keys) is not chaining: 12 hours are fine.
    assert session_arn(sts.assume_role(RoleArn=second, RoleSessionName="run", DurationSeconds=43200))

    proxy.configure_strict(enabled=False)
    assert session_arn(chained.assume_role(RoleArn=second, RoleSessionName="run", DurationSeconds=43200))


# --- behaviour 4: eventual consistency --------------------------------------------------------------

class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_a_role_made_by_create_role_is_not_assumable_at_once(proxy, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, new_role_delay_seconds=5)
    role_arn = through(proxy, "iam").create_role(RoleName="Fresh", AssumeRolePolicyDocument=trust({"AWS": MGMT}))[
        "Role"]["Arn"]
    sts = through(proxy, "sts")
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    clock.now += 4.9
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    clock.now += 0.2
    assert session_arn(sts.assume_role(RoleArn=role_arn, RoleSessionName="run")).endswith("/Fresh/run")


def test_moto_alone_lets_a_new_role_be_assumed_at_once(proxy):
    proxy.configure_strict(enabled=False)
    role_arn = through(proxy, "iam").create_role(RoleName="Fresh", AssumeRolePolicyDocument=trust({"AWS": MGMT}))[
        "Role"]["Arn"]
    assert session_arn(through(proxy, "sts").assume_role(RoleArn=role_arn, RoleSessionName="run"))


def member_role(account_id):
    return f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"


def test_a_new_accounts_member_role_is_not_assumable_right_after_creation_succeeded(proxy, organization, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, member_role_delay_seconds=30)
    created = through(proxy, "organizations").create_account(AccountName="fresh", Email="fresh@example.com")
    status = created["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"  # no slow creation configured: SUCCEEDED at once
    role_arn = member_role(status["AccountId"])
    sts = through(proxy, "sts")
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    clock.now += 29
    assert_access_denied(refused(sts.assume_role, RoleArn=role_arn, RoleSessionName="run"), role_arn)
    clock.now += 1.5
    answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="run")
    assert session_arn(answer) == f"arn:aws:sts::{status['AccountId']}:assumed-role/OrganizationAccountAccessRole/run"

    proxy.configure_strict(enabled=False)
    again = through(proxy, "organizations").create_account(AccountName="other", Email="other@example.com")
    assert session_arn(sts.assume_role(RoleArn=member_role(again["CreateAccountStatus"]["AccountId"]),
                                       RoleSessionName="run"))


def test_the_member_role_delay_counts_from_when_the_client_sees_succeeded(proxy, organization, aws, monkeypatch):
    """With slow account creation, the delay starts when DescribeCreateAccountStatus first reads SUCCEEDED."""
    clock = FakeClock()
    monkeypatch.setattr(proxy.strict, "clock", clock)
    proxy.configure_strict(enabled=True, member_role_delay_seconds=30)
    proxy.configure(account_creation_seconds=0.5)
    orgs = through(proxy, "organizations")
    request = orgs.create_account(AccountName="slow", Email="slow@example.com")["CreateAccountStatus"]
    assert request["State"] == "IN_PROGRESS"
    [account_id] = [a["Id"] for a in aws.client("organizations").list_accounts()["Accounts"] if a["Name"] == "slow"]
    sts = through(proxy, "sts")
    assert_access_denied(refused(sts.assume_role, RoleArn=member_role(account_id), RoleSessionName="run"),
                         member_role(account_id))
    status = orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    while status["State"] == "IN_PROGRESS":
        status = orgs.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED" and status["AccountId"] == account_id
    clock.now += 29
    assert_access_denied(refused(sts.assume_role, RoleArn=member_role(account_id), RoleSessionName="run"),
                         member_role(account_id))
    clock.now += 1.5
    assert session_arn(sts.assume_role(RoleArn=member_role(account_id), RoleSessionName="run"))


def test_the_collections_assume_role_waits_out_the_member_role_delay(proxy, organization):
    """plugins/module_utils/aws/assume_role.py retries AccessDenied: with the default delays it gets through."""
    created = through(proxy, "organizations").create_account(AccountName="new", Email="new@example.com")
    account_id = created["CreateAccountStatus"]["AccountId"]
    credentials = assume_member_role(through(proxy, "sts"), dict(account_id=account_id, timeout=30))
    identity = through(proxy, "sts", credentials).get_caller_identity()
    assert identity["Arn"].startswith(f"arn:aws:sts::{account_id}:assumed-role/OrganizationAccountAccessRole/")
    answers = [(c["action"], c["status"]) for c in proxy.calls if c["action"] == "AssumeRole"]
    assert answers[0] == ("AssumeRole", 403) and answers[-1] == ("AssumeRole", 200), answers
