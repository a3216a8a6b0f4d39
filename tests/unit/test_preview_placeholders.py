"""A preview (check mode) takes the placeholder ids of what the run creates first (common/placeholders.py).

iam_cross_account_group grants a role in a new account, and org_scp targets
the root, OUs and accounts of an organization the preview would create;
outside check mode each placeholder is refused like any other bad id.
"""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_organization_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_ou_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import scp_targets
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_group import validate

NEW_ACCOUNT = new_account_id("acme-sandbox")


def group_params(**overrides):
    params = dict(name="admins", state="present", roles=[dict(name="admin", account_ids=["123456789012", NEW_ACCOUNT])],
                  organization_id=None, role_name=None, role_arns=None, account_ids=None, policy_name=None)
    params.update(overrides)
    return params


def test_a_group_grants_a_role_in_a_new_account_in_check_mode_only():
    validate(group_params(), check_mode=True)
    with pytest.raises(ValidationError, match="account_ids"):
        validate(group_params())


def test_a_group_over_a_new_organization_in_check_mode_only():
    params = group_params(roles=[dict(name="admin")], organization_id=new_organization_id())
    validate(params, check_mode=True)
    with pytest.raises(ValidationError, match="organization_id"):
        validate(params)


class NoOrganization:
    """Organizations before CreateOrganization: every listing refused."""


@pytest.fixture
def no_organization(monkeypatch):
    def refused(*_args, **_kwargs):
        raise org.AnsibleOrganizationsError(message="AWSOrganizationsNotInUseException")

    monkeypatch.setattr(org, "list_roots", refused)
    monkeypatch.setattr(org, "describe_organization", lambda client: None)
    return NoOrganization()


def test_scp_targets_of_a_new_organization_are_placeholders_in_check_mode(no_organization):
    resolver = scp_targets.TargetResolver(no_organization, check_mode=True)

    assert resolver.previewing_new_organization
    assert resolver.resolve("/")["target_id"] == new_root_id()
    assert resolver.resolve("/workloads/prod") == dict(
        target_id=new_ou_id("/workloads/prod"), type="ORGANIZATIONAL_UNIT", name_or_path="/workloads/prod")
    assert resolver.resolve(NEW_ACCOUNT)["target_id"] == NEW_ACCOUNT
    # org_organization's preview enables the inventory's policy types first.
    assert resolver.scps_enabled()


def test_scp_targets_refuse_placeholders_outside_check_mode(no_organization):
    resolver = scp_targets.TargetResolver(no_organization)
    with pytest.raises(org.AnsibleOrganizationsError):
        resolver.resolve("/")
    with pytest.raises(scp_targets.TargetError):
        resolver.resolve(NEW_ACCOUNT)
