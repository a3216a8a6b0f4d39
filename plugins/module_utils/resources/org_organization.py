# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the organization itself: existence, policy types, service access."""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_organization_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPE_NAMES

# Every type botocore's Organizations model lists (common/policy_types.py).
POLICY_TYPES = list(POLICY_TYPE_NAMES)


def _enabled_policy_types(root):
    return sorted(p["Type"] for p in root.get("PolicyTypes", []) if p.get("Status") == "ENABLED")


def _describe(organization, root, service_principals):
    return dict(
        id=organization["Id"],
        arn=organization.get("Arn"),
        feature_set=organization["FeatureSet"],
        management_account_id=organization["MasterAccountId"],
        management_account_email=organization.get("MasterAccountEmail"),
        root_id=root["Id"] if root else None,
        enabled_policy_types=_enabled_policy_types(root) if root else [],
        aws_service_access_principals=sorted(service_principals),
    )


def _plan(current, wanted, purge):
    """What to add and remove to turn the list ``current`` into ``wanted``."""
    to_add = sorted(set(wanted) - set(current))
    to_remove = sorted(set(current) - set(wanted)) if purge else []
    return to_add, to_remove


def ensure_present(module, client):
    params = module.params
    organization = org.describe_organization(client)
    changed = False
    if organization is None:
        changed = True
        if module.check_mode:
            account_id = get_caller_identity(module.client("sts"))["Account"]
            before = None
            # Placeholder ids (common/placeholders.py): the preview's later steps take them for
            # an organization and a root the real run creates.
            after = dict(
                id=new_organization_id(),
                arn=None,
                feature_set=params["feature_set"],
                management_account_id=account_id,
                management_account_email=None,
                root_id=new_root_id(),
                enabled_policy_types=sorted(params["enabled_policy_types"]),
                aws_service_access_principals=sorted(params["aws_service_access_principals"]),
            )
            return dict(changed=True, organization=after, diff=dict(before=before, after=after))
        organization = org.create_organization(client, params["feature_set"])
        before = None
    if organization["FeatureSet"] != params["feature_set"]:
        module.fail_json(
            msg=(
                f"feature_set: the organization {organization['Id']} uses {organization['FeatureSet']},"
                f" {params['feature_set']} was asked for. Changing it needs every member account to accept"
                " a handshake (EnableAllFeatures); start it from the console, then re-run"
            )
        )

    root = org.list_roots(client)[0]
    services = org.list_aws_service_access(client) if organization.get("FeatureSet") == "ALL" else []
    if not changed:
        before = _describe(organization, root, services)

    types_add, types_remove = _plan(
        _enabled_policy_types(root), params["enabled_policy_types"], params["purge_policy_types"]
    )
    services_add, services_remove = _plan(
        services, params["aws_service_access_principals"], params["purge_aws_service_access_principals"]
    )
    if types_add or types_remove or services_add or services_remove:
        changed = True

    enabled_types = sorted((set(_enabled_policy_types(root)) | set(types_add)) - set(types_remove))
    enabled_services = sorted((set(services) | set(services_add)) - set(services_remove))
    if not module.check_mode:
        for principal in services_add:
            org.enable_aws_service_access(client, principal)
        for principal in services_remove:
            org.disable_aws_service_access(client, principal)
        for policy_type in types_add:
            root = org.enable_policy_type(client, root["Id"], policy_type)
        for policy_type in types_remove:
            root = org.disable_policy_type(client, root["Id"], policy_type)

    after = _describe(organization, root, enabled_services)
    after["enabled_policy_types"] = enabled_types
    return dict(changed=changed, organization=after, diff=dict(before=before, after=after))


def run(module):
    client = module.client("organizations")
    return ensure_present(module, client)
