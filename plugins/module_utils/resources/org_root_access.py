# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the organization's centralized root access features (IAM, management account).

Root credentials management lets the management account (or IAM's delegated
administrator) read and delete member accounts' root credentials; root
sessions let it perform privileged root tasks there (unlock a bucket or
queue policy).  Both need trusted access for iam.amazonaws.com first
("Centralize root access for member accounts", IAM User Guide,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html),
and IAM refuses even ListOrganizationsFeatures without it
(ServiceAccessNotEnabledException): without trusted access, no feature is on.

An option left unset (None) leaves its feature as it is.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.root_access import list_organizations_features
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.root_access import set_organizations_feature

IAM_PRINCIPAL = "iam.amazonaws.com"
# Option name -> IAM's FeatureType (botocore's iam model).
FEATURES = dict(credentials_management="RootCredentialsManagement", root_sessions="RootSessions")


def wanted_features(current, params):
    """The features enabled after the run: ``current`` with each option that is set applied."""
    wanted = set(current)
    for option, feature in FEATURES.items():
        if params.get(option) is True:
            wanted.add(feature)
        elif params.get(option) is False:
            wanted.discard(feature)
    return sorted(wanted)


def feature_changes(current, wanted):
    """(feature, enable) pairs to apply, enables first in FEATURES' order, disables after."""
    enables = [(f, True) for f in FEATURES.values() if f in wanted and f not in current]
    disables = [(f, False) for f in reversed(list(FEATURES.values())) if f in current and f not in wanted]
    return enables + disables


def not_trusted_message():
    return (f"trusted access for {IAM_PRINCIPAL} is not enabled in the organization: add it to"
            " org_organization's aws_service_access_principals (landing_zone_aws_service_access_principals)"
            " before enabling root access management")


def _trusted_access(module):
    """Whether iam.amazonaws.com has trusted access; False in a preview of a new organization.

    Without an organization Organizations refuses the listing
    (AWSOrganizationsNotInUseException); org_organization's preview, earlier
    in the run, creates it with the trusted access the inventory asks for.
    """
    client = module.client("organizations")
    try:
        return IAM_PRINCIPAL in org.list_aws_service_access(client)
    except org.AnsibleOrganizationsError:
        if module.check_mode and org.describe_organization(client) is None:
            return False
        raise


def run(module):
    trusted = _trusted_access(module)
    iam = module.client("iam")
    current = sorted(list_organizations_features(iam)) if trusted else []
    wanted = wanted_features(current, module.params)
    changes = feature_changes(current, wanted)
    if changes and not trusted:
        if not module.check_mode:
            module.fail_json(msg=not_trusted_message())
        module.warn(not_trusted_message() + " (in check mode, org_organization's preview enables it)")
    if changes and not module.check_mode:
        for feature, enable in changes:
            set_organizations_feature(iam, feature, enable)
        wanted = sorted(list_organizations_features(iam))
    before, after = dict(enabled_features=current), dict(enabled_features=wanted)
    return dict(changed=bool(changes), enabled_features=wanted, trusted_access=trusted or bool(changes),
                diff=dict(before=before, after=after))
