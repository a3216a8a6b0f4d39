# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the organization itself: existence, policy types, service access, root access.

Centralized root access (``root_access``, IAM's organization features) is
converged here, right after the trusted access it needs, so that a landing
zone's organization-wide settings take one module run; org_root_access does
the same on its own (resources/org_root_access.py holds the rules both use).
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.root_access import list_organizations_features
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.root_access import set_organizations_feature
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_organization_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPE_NAMES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_root_access import IAM_PRINCIPAL
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_root_access import feature_changes
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_root_access import not_trusted_message
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_root_access import wanted_features

# Every type botocore's Organizations model lists (common/policy_types.py).
POLICY_TYPES = list(POLICY_TYPE_NAMES)


def _enabled_policy_types(root):
    return sorted(p["Type"] for p in root.get("PolicyTypes", []) if p.get("Status") == "ENABLED")


def _settled_root(module, client, root):
    """The root once no policy type of it reads PENDING_ENABLE or PENDING_DISABLE.

    EnablePolicyType and DisablePolicyType are asynchronous (aws/organizations.py,
    wait_for_policy_types): the run waits for a change under way (its own, or an
    earlier run's) before it plans, and after its own changes.  A preview does not
    wait: it shows the change under way as done, as the real run would find it.
    """
    if not org.pending_policy_types(root):
        return root
    if module.check_mode:
        types = [dict(p, Status="ENABLED") for p in root.get("PolicyTypes", []) if p.get("Status") != "PENDING_DISABLE"]
        return dict(root, PolicyTypes=types)
    return org.wait_for_policy_types(client, root["Id"])


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


def _root_access_plan(module, current, enabled_services):
    """(features now, features after, changes) of ``root_access`` from the features ``current``.

    A change that needs the trusted access the run neither finds nor enables
    (``enabled_services``: the principals trusted after the run) is refused
    here, before the run's first write.
    """
    wanted = wanted_features(current, module.params["root_access"])
    changes = feature_changes(current, wanted)
    if changes and IAM_PRINCIPAL not in enabled_services:
        module.fail_json(msg=f"root_access: {not_trusted_message()}")
    return current, wanted, changes


def _current_root_access(module, services):
    """The features enabled now: IAM refuses to list them without trusted access for
    iam.amazonaws.com (ServiceAccessNotEnabledException), and without it none is on."""
    return sorted(list_organizations_features(module.client("iam"))) if IAM_PRINCIPAL in services else []


def _apply_root_access(module, plan):
    """Make the changes of ``plan``; the features enabled after them (as IAM answers, outside check mode)."""
    _current, wanted, changes = plan
    if not changes or module.check_mode:
        return wanted
    iam = module.client("iam")
    for feature, enable in changes:
        set_organizations_feature(iam, feature, enable)
    return sorted(list_organizations_features(iam))


def ensure_present(module, client):
    params = module.params
    organization = org.describe_organization(client)
    changed = False
    if organization is None:
        changed = True
        # Checked before the organization is created (its first write); a new one has no feature on.
        root_access = None if params.get("root_access") is None else _root_access_plan(
            module, [], params["aws_service_access_principals"])
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
            if root_access is not None:
                after["root_access_features"] = root_access[1]
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

    root = _settled_root(module, client, org.list_roots(client)[0])
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
    root_access = None if params.get("root_access") is None else _root_access_plan(
        module, _current_root_access(module, services), enabled_services)
    if root_access is not None:
        if before is not None:
            before["root_access_features"] = root_access[0]
        changed = changed or bool(root_access[2])
    if not module.check_mode:
        for principal in services_add:
            org.enable_aws_service_access(client, principal)
        for principal in services_remove:
            org.disable_aws_service_access(client, principal)
        for policy_type in types_add:
            root = org.enable_policy_type(client, root["Id"], policy_type)
        for policy_type in types_remove:
            root = org.disable_policy_type(client, root["Id"], policy_type)
        if types_add or types_remove:
            # Later steps of the run (org_scp, org_policy) attach policies of these types.
            root = org.wait_for_policy_types(client, root["Id"])

    after = _describe(organization, root, enabled_services)
    after["enabled_policy_types"] = enabled_types
    if root_access is not None:
        # After the trusted access it needs, enabled just above.
        after["root_access_features"] = _apply_root_access(module, root_access)
    return dict(changed=changed, organization=after, diff=dict(before=before, after=after))


def run(module):
    client = module.client("organizations")
    return ensure_present(module, client)
