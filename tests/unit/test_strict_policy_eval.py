"""The strict layer's policy evaluator (tests/harness/strict_rules/policy_eval.py)."""

import pytest

from tests.harness.strict_rules.policy_eval import ALLOW
from tests.harness.strict_rules.policy_eval import DENY
from tests.harness.strict_rules.policy_eval import IMPLICIT_DENY
from tests.harness.strict_rules.policy_eval import Who
from tests.harness.strict_rules.policy_eval import evaluate
from tests.harness.strict_rules.policy_eval import is_deny_all

MGMT = "123456789012"
OTHER = "210987654321"
USER = Who(MGMT, f"arn:aws:sts::{MGMT}:user/moto", f"arn:aws:iam::{MGMT}:user/moto")
SESSION = Who(MGMT, f"arn:aws:sts::{MGMT}:assumed-role/deploy/run-1", f"arn:aws:iam::{MGMT}:role/deploy")
STRANGER = Who(OTHER, f"arn:aws:sts::{OTHER}:assumed-role/deploy/run-1", f"arn:aws:iam::{OTHER}:role/deploy")
ORG = "o-abcdefghij"


def context(**overrides):
    """A request context with every key the STS rule supplies; None means absent from the request."""
    base = {"aws:principalaccount": MGMT, "aws:principalarn": USER.principal_arn, "aws:principaltype": "User",
            "aws:principalorgid": ORG, "aws:multifactorauthpresent": None, "sts:externalid": None}
    base.update({k.lower(): v for k, v in overrides.items()})
    return base


def trust(principal, effect="Allow", action="sts:AssumeRole", condition=None, **extra):
    statement = dict(Effect=effect, Principal=principal, Action=action, **extra)
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def verdict(policy, who=USER, ctx=None, action="sts:AssumeRole"):
    return evaluate(policy, action, who, ctx if ctx is not None else context())


# --- Principal -------------------------------------------------------------------------

@pytest.mark.parametrize("principal, who, expected", [
    ("*", STRANGER, ALLOW),
    ({"AWS": "*"}, STRANGER, ALLOW),
    ({"AWS": f"arn:aws:iam::{MGMT}:root"}, USER, ALLOW),
    ({"AWS": f"arn:aws:iam::{MGMT}:root"}, SESSION, ALLOW),
    ({"AWS": MGMT}, SESSION, ALLOW),  # a bare account id is the account's root
    ({"AWS": f"arn:aws:iam::{MGMT}:root"}, STRANGER, IMPLICIT_DENY),
    ({"AWS": [f"arn:aws:iam::{OTHER}:root", f"arn:aws:iam::{MGMT}:root"]}, USER, ALLOW),
    ({"AWS": f"arn:aws:iam::{MGMT}:role/deploy"}, SESSION, ALLOW),
    ({"AWS": f"arn:aws:iam::{MGMT}:role/team/deploy"}, SESSION, ALLOW),  # a session ARN has no path
    ({"AWS": f"arn:aws:iam::{MGMT}:role/deploy"}, USER, IMPLICIT_DENY),
    ({"AWS": f"arn:aws:iam::{MGMT}:role/deploy"}, STRANGER, IMPLICIT_DENY),  # same name, other account
    ({"AWS": f"arn:aws:iam::{MGMT}:role/other"}, SESSION, IMPLICIT_DENY),
    ({"AWS": f"arn:aws:iam::{MGMT}:user/moto"}, USER, ALLOW),
    ({"AWS": f"arn:aws:iam::{MGMT}:user/someone"}, USER, IMPLICIT_DENY),
    ({"AWS": f"arn:aws:sts::{MGMT}:assumed-role/deploy/run-1"}, SESSION, ALLOW),
    ({"AWS": f"arn:aws:sts::{MGMT}:assumed-role/deploy/run-2"}, SESSION, IMPLICIT_DENY),
    ({"Service": "ec2.amazonaws.com"}, USER, IMPLICIT_DENY),  # a service principal never matches IAM callers
    ({"Service": "ec2.amazonaws.com"}, SESSION, IMPLICIT_DENY),
    ({"Federated": "cognito-identity.amazonaws.com"}, USER, IMPLICIT_DENY),
    ({"AWS": "not-an-arn"}, USER, IMPLICIT_DENY),
])
def test_principal(principal, who, expected):
    assert verdict(trust(principal), who=who) == expected


def test_not_principal_is_not_understood_and_does_not_match():
    policy = {"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                             "Action": "sts:AssumeRole"}]}
    assert verdict(policy) == IMPLICIT_DENY


def test_a_statement_without_principal_does_not_match_a_trust_policy():
    assert verdict({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}) == IMPLICIT_DENY


# --- Action and Effect -------------------------------------------------------------------

@pytest.mark.parametrize("action, expected", [
    ("sts:AssumeRole", ALLOW),
    ("sts:assumerole", ALLOW),  # action names are case-insensitive
    ("sts:*", ALLOW),
    ("*", ALLOW),
    ("sts:Assume*", ALLOW),
    ("sts:AssumeRol?", ALLOW),
    (["sts:TagSession", "sts:AssumeRole"], ALLOW),
    ("sts:AssumeRoleWithSAML", IMPLICIT_DENY),
    (["sts:TagSession"], IMPLICIT_DENY),
    ("iam:*", IMPLICIT_DENY),
])
def test_action(action, expected):
    assert verdict(trust({"AWS": MGMT}, action=action)) == expected


def test_not_action():
    allow_all_but_saml = {"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "sts:AssumeRoleWithSAML"}]}
    assert verdict(allow_all_but_saml) == ALLOW
    allow_all_but_assume = {"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "sts:Assume*"}]}
    assert verdict(allow_all_but_assume) == IMPLICIT_DENY


def test_an_explicit_deny_wins_over_an_allow():
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:*"},
    ]}
    assert verdict(policy) == DENY


def test_a_deny_that_does_not_match_leaves_the_allow():
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole"},
    ]}
    assert verdict(policy) == ALLOW


def test_a_single_statement_object_and_an_empty_policy():
    single = {"Statement": {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"}}
    assert verdict(single) == ALLOW
    assert verdict({}) == IMPLICIT_DENY
    assert verdict({"Statement": []}) == IMPLICIT_DENY


# --- Condition ---------------------------------------------------------------------------

MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.mark.parametrize("condition, mfa, expected", [
    (MFA, None, IMPLICIT_DENY),  # long-term keys: the key is absent, Bool is false
    (MFA, "false", IMPLICIT_DENY),  # a session without MFA
    (MFA, "true", ALLOW),
    ({"Bool": {"aws:MultiFactorAuthPresent": True}}, "true", ALLOW),  # a JSON true in the policy
    ({"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}, "true", ALLOW),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, None, ALLOW),  # absent: IfExists holds
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, "false", IMPLICIT_DENY),
    ({"Null": {"aws:MultiFactorAuthPresent": "true"}}, None, ALLOW),
    ({"Null": {"aws:MultiFactorAuthPresent": "false"}}, None, IMPLICIT_DENY),
    ({"Null": {"aws:MultiFactorAuthPresent": "false"}}, "false", ALLOW),
])
def test_multi_factor_auth_present(condition, mfa, expected):
    policy = trust({"AWS": MGMT}, condition=condition)
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": mfa})) == expected


def test_deny_without_mfa_with_bool_if_exists_denies_sessions_without_mfa_only():
    policy = {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    ]}
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "false"})) == DENY
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": None})) == DENY
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true"})) == ALLOW


@pytest.mark.parametrize("condition, org_id, expected", [
    ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, ORG, ALLOW),
    ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, "o-zzzzzzzzzz", IMPLICIT_DENY),
    ({"StringEquals": {"aws:PrincipalOrgID": ORG}}, None, IMPLICIT_DENY),  # caller outside any organization
    ({"StringEquals": {"aws:PrincipalOrgID": [ORG, "o-zzzzzzzzzz"]}}, "o-zzzzzzzzzz", ALLOW),
    ({"StringEquals": {"aws:PrincipalOrgID": ORG.upper()}}, ORG, IMPLICIT_DENY),  # StringEquals is case-sensitive
    ({"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": ORG.upper()}}, ORG, ALLOW),
    ({"StringLike": {"aws:PrincipalOrgID": "o-abc*"}}, ORG, ALLOW),
    ({"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, ORG, IMPLICIT_DENY),
    ({"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, None, ALLOW),  # a negated operator holds for an absent key
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}, None, ALLOW),
    ({"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}, "o-zzzzzzzzzz", IMPLICIT_DENY),
    ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": [ORG]}}, ORG, ALLOW),
    ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": [ORG]}}, None, IMPLICIT_DENY),
    ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": [ORG]}}, None, ALLOW),
    ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": [ORG]}}, "o-zzzzzzzzzz", IMPLICIT_DENY),
])
def test_principal_org_id(condition, org_id, expected):
    policy = trust("*", condition=condition)
    assert verdict(policy, ctx=context(**{"aws:PrincipalOrgID": org_id})) == expected


def test_external_id():
    policy = trust({"AWS": MGMT}, condition={"StringEquals": {"sts:ExternalId": "s3cr3t"}})
    assert verdict(policy, ctx=context(**{"sts:ExternalId": "s3cr3t"})) == ALLOW
    assert verdict(policy, ctx=context(**{"sts:ExternalId": "guess"})) == IMPLICIT_DENY
    assert verdict(policy, ctx=context(**{"sts:ExternalId": None})) == IMPLICIT_DENY


def test_principal_account_and_arn():
    by_account = trust("*", condition={"StringEquals": {"aws:PrincipalAccount": MGMT}})
    assert verdict(by_account) == ALLOW
    assert verdict(by_account, ctx=context(**{"aws:PrincipalAccount": OTHER})) == IMPLICIT_DENY
    by_arn = trust("*", condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{MGMT}:role/dep*"}})
    assert verdict(by_arn, ctx=context(**{"aws:PrincipalArn": SESSION.principal_arn})) == ALLOW
    assert verdict(by_arn) == IMPLICIT_DENY
    not_arn = trust("*", condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}})
    assert verdict(not_arn) == ALLOW


def test_every_operator_and_every_key_of_a_block_must_hold():
    condition = {**MFA, "StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": MGMT}}
    policy = trust({"AWS": MGMT}, condition=condition)
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true"})) == ALLOW
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true", "aws:PrincipalAccount": OTHER})) \
        == IMPLICIT_DENY
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "false"})) == IMPLICIT_DENY


def test_condition_key_names_are_case_insensitive():
    policy = trust({"AWS": MGMT}, condition={"Bool": {"AWS:MultiFactorAuthPRESENT": "true"}})
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true"})) == ALLOW


@pytest.mark.parametrize("condition", [
    {"StringEquals": {"aws:SourceIp": "10.0.0.1"}},  # a key the context does not supply
    {"IpAddress": {"aws:PrincipalAccount": "10.0.0.0/8"}},  # an operator the evaluator does not know
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"ForSomeValues:StringEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringEquals": "not a block"},
])
def test_an_unknown_key_or_operator_makes_the_statement_not_match(condition):
    assert verdict(trust({"AWS": MGMT}, condition=condition)) == IMPLICIT_DENY
    # ... and a Deny that cannot be evaluated does not deny either.
    policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sts:AssumeRole"},
                            {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": condition}]}
    assert verdict(policy) == ALLOW


# --- the trust policies the real product writes ----------------------------------------------

def test_the_trust_moto_gives_organization_account_access_role():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"}, "Action": "sts:AssumeRole"}]}
    assert verdict(policy) == ALLOW
    assert verdict(policy, who=STRANGER) == IMPLICIT_DENY


def test_the_trust_iam_cross_account_role_builds():
    from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import \
        build_trust_policy  # pylint: disable=import-outside-toplevel
    policy = build_trust_policy(dict(source_account_id=MGMT, require_mfa=True, organization_id=ORG))
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true"})) == ALLOW
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": None})) == IMPLICIT_DENY
    assert verdict(policy, ctx=context(**{"aws:MultiFactorAuthPresent": "true", "aws:PrincipalOrgID": None})) \
        == IMPLICIT_DENY
    roles = build_trust_policy(dict(source_account_id=MGMT, trusted_principals=[SESSION.principal_arn]))
    assert verdict(roles, who=SESSION, ctx=context(**{"aws:MultiFactorAuthPresent": "false"})) == ALLOW
    assert verdict(roles, who=USER) == IMPLICIT_DENY


# --- deny-all SCPs -----------------------------------------------------------------------------

@pytest.mark.parametrize("policy, expected", [
    ({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}, True),
    ({"Statement": {"Effect": "Deny", "Action": ["*"]}}, True),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Deny", "Action": "*", "Resource": "*"}]}, True),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, False),  # FullAWSAccess
    ({"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}, False),
    ({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::b"}]}, False),
    ({"Statement": [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::b"}]}, False),
    ({"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]}, False),
    ({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                     "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}, False),
])
def test_is_deny_all(policy, expected):
    assert is_deny_all(policy) is expected
