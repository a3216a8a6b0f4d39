"""iam_cross_account_group's policy builder: size independent of the number of accounts (no AWS)."""

import json

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import GROUP_POLICY_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import GroupPolicyTooLarge
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import build_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import check_policy_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import (
    inventory_group_grants,
)
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import (
    inventory_group_policy_problems,
)
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import policy_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_group import validate

ORG = "o-a1b2c3d4e5"
ROLES = [dict(name="admin"), dict(name="readonly"), dict(name="developer", accounts=[])]


def hosts(count):
    return [f"acct{i:03d}" for i in range(count)]


def ids(count):
    return {host: f"{100000000000 + i}" for i, host in enumerate(hosts(count))}


def group_document(count, group=None, roles=None):
    group = group or dict(name="admins", roles=["admin", "readonly"], require_mfa=True)
    entries = inventory_group_grants(group, roles or ROLES, ids(count), hosts(count))
    return build_policy(dict(roles=entries, organization_id=ORG, require_mfa=group.get("require_mfa")))


def test_iam_counts_no_white_space():
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Resource": "arn:aws:iam::*:role/admin"}]}
    pretty = json.dumps(document, indent=4)
    assert policy_size(document) == len("".join(pretty.split()))
    assert policy_size(json.loads(pretty)) == policy_size(document)


def test_a_group_over_the_whole_organization_does_not_grow_with_its_accounts():
    small, large = group_document(3), group_document(150)

    assert large == small
    assert policy_size(large) == policy_size(small) < 600
    [statement] = large["Statement"]
    assert statement["Resource"] == ["arn:aws:iam::*:role/admin", "arn:aws:iam::*:role/readonly"]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORG},
                                      "Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_one_arn_per_account_would_not_have_fit():
    # What the module wrote before: every account's role ARN, two roles, 150 accounts.
    arns = sorted(f"arn:aws:iam::{account_id}:role/{role}" for account_id in ids(150).values()
                  for role in ("admin", "readonly"))
    old = {"Version": "2012-10-17", "Statement": [
        {"Sid": "AssumeCrossAccountRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arns}]}
    assert policy_size(old) > GROUP_POLICY_SIZE_LIMIT
    assert policy_size(group_document(150)) < GROUP_POLICY_SIZE_LIMIT


def test_a_subset_of_accounts_is_listed_by_account_id_and_stays_correct():
    roles = [dict(name="admin"), dict(name="developer", accounts=hosts(150)[:140])]
    group = dict(name="developers", roles=["developer", "admin"], accounts=None)
    document = group_document(150, group, roles)

    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["AssumeRolesInTheOrganization"]["Resource"] == ["arn:aws:iam::*:role/admin"]
    listed = by_sid["AssumeRolesInListedAccounts"]
    assert listed["Resource"] == ["arn:aws:iam::*:role/developer"]
    assert listed["Condition"] == {"StringEquals": {"aws:ResourceAccount": sorted(list(ids(150).values())[:140])}}
    # 140 listed accounts: 15 characters each, well within the limit.
    assert 140 * 15 < policy_size(document) < GROUP_POLICY_SIZE_LIMIT
    # A group narrowed to some accounts narrows every role it grants.
    narrowed = group_document(150, dict(name="few", roles=["admin"], accounts=hosts(150)[:2]), roles)
    [statement] = narrowed["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceAccount": list(ids(150).values())[:2]}}


def test_too_many_listed_accounts_are_refused_naming_group_size_and_limit():
    roles = [dict(name="developer", accounts=hosts(400))]
    group = dict(name="developers", roles=["developer"])
    document = group_document(400, group, roles)
    size = policy_size(document)
    assert size > GROUP_POLICY_SIZE_LIMIT

    with pytest.raises(GroupPolicyTooLarge) as raised:
        check_policy_size("developers", document)
    assert f"group developers: its assume-role policy would be {size} characters" in str(raised.value)
    assert f"limit of {GROUP_POLICY_SIZE_LIMIT}" in str(raised.value)

    # The module refuses it in validate(), before any AWS call.
    params = dict(name="developers", state="present", roles=[dict(name="developer", account_ids=list(ids(400).values()))],
                  organization_id=None, role_name=None, role_arns=None, account_ids=None, policy_name=None)
    with pytest.raises(GroupPolicyTooLarge):
        validate(params)


def test_preflight_sizes_groups_with_placeholder_ids_and_the_longest_organization_id():
    roles = [dict(name="admin"), dict(name="developer", accounts=hosts(400))]
    groups = [dict(name="admins", roles=["admin"]), dict(name="developers", roles=["developer"])]

    problems = inventory_group_policy_problems(groups, roles, {}, hosts(400))

    [problem] = problems
    assert problem.startswith("all: landing_zone_groups[developers]: group developers: its assume-role policy would be")
    assert f"over IAM's limit of {GROUP_POLICY_SIZE_LIMIT}" in problem
    assert inventory_group_policy_problems(groups, roles, {}, hosts(300)) == []


def test_organization_wide_roles_need_the_organization_id():
    params = dict(name="admins", state="present", roles=[dict(name="admin")], organization_id=None, role_name=None,
                  role_arns=None, account_ids=None, policy_name=None)
    with pytest.raises(ValueError, match="organization_id: required"):
        validate(params)
    validate(dict(params, organization_id=ORG))
