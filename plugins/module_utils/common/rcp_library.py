# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The standard resource control policy (RCP) library: entries selected by name, like the SCP library.

Each entry builds RCP statements from its parameters; docs/rcp-library.md
says what each one protects and what it breaks.  Pure Python: the statements
are packed per target (scp_packing.plan_library with the RCP limits) before
anything is written.

What AWS allows in an RCP (AWS Organizations User Guide, "RCP syntax",
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html):
every customer statement is a ``Deny`` ("The effect of Allow is only
supported for the RCPFullAWSAccess policy", which AWS attaches to every root,
OU and account and which cannot be detached), ``Principal`` is ``"*"``
(narrowed with conditions), no ``NotAction`` nor ``NotPrincipal``.  RCPs
apply to the resources of a subset of services; the entries name only
actions of S3, STS, KMS, SQS and Secrets Manager, the first services RCPs
supported ("Resource control policies (RCPs)", List of AWS services that
support RCPs,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
An RCP's size quota is 5,120 characters and at most 5 RCPs (RCPFullAWSAccess
included) may be attached to one root, OU or account ("Quotas for AWS
Organizations", orgs_reference_limits.html; common/policy_types.py).
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryEntry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import Param
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id

# The services whose resources the library's RCPs guard, by their IAM prefix.
SERVICES = ["s3", "sts", "kms", "sqs", "secretsmanager"]
# The STS actions an RCP governs (those on a role's trust, not GetCallerIdentity, which needs no permission).
STS_ACTIONS = [
    "sts:AssumeRole",
    "sts:DecodeAuthorizationMessage",
    "sts:GetAccessKeyInfo",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "sts:SetContext",
]
# An AWS Organizations organization id (DescribeOrganization, Organization.Id pattern).
_ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


def _actions(services):
    actions = []
    for service in services:
        actions.extend(STS_ACTIONS if service == "sts" else [f"{service}:*"])
    return actions


class _OrganizationIdParam(Param):
    """One organization id (the SCP library's parameter kinds are lists)."""

    def check(self, value, where):
        if not isinstance(value, str) or not _ORGANIZATION_ID.match(value):
            raise LibraryError(f"{where}.{self.name}: must be one organization id such as 'o-a1b2c3d4e5', got {value!r}")
        return value


def _organization_id(params):
    return params["organization_id"]


class _AccountsParam(Param):
    def check(self, value, where):
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise LibraryError(f"{where}.{self.name}: must be a list of 12-digit account ids, got {value!r}")
        for account in value:
            if not is_account_id(str(account)):
                raise LibraryError(f"{where}.{self.name}: {account!r} is not a 12-digit account id")
        return [str(account) for account in value]


def _accounts(params):
    return params.get("allowed_accounts") or []


def _data_perimeter(params):
    # Deny unless the calling principal belongs to the organization (or to an allowed account); AWS service
    # principals act on their own behalf and are left to the confused-deputy entry.
    not_ours = {"aws:PrincipalOrgID": _organization_id(params), "aws:ResourceTag/dp:exclude:identity": "true"}
    if _accounts(params):
        not_ours["aws:PrincipalAccount"] = _accounts(params)
    return [dict(
        Sid="RcpDataPerimeterOrgIdentities", Effect="Deny", Principal="*", Action=_actions(params["services"]),
        Resource="*",
        Condition={"StringNotEqualsIfExists": not_ours, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
    )]


def _enforce_tls(params):
    return [dict(
        Sid="RcpEnforceSecureTransport", Effect="Deny", Principal="*", Action=_actions(params["services"]),
        Resource="*", Condition={"BoolIfExists": {"aws:SecureTransport": "false"}},
    )]


def _confused_deputy(params):
    # A service principal acting for a resource of this organization must say so (aws:SourceOrgID); calls
    # without a source account (the service acting for itself) are left alone.
    return [dict(
        Sid="RcpConfusedDeputyProtection", Effect="Deny", Principal="*", Action=_actions(params["services"]),
        Resource="*",
        Condition={
            "StringNotEqualsIfExists": {"aws:SourceOrgID": _organization_id(params)},
            "Null": {"aws:SourceAccount": "false"},
            "Bool": {"aws:PrincipalIsAWSService": "true"},
        },
    )]


def _services_param():
    return Param("services", "choices", "which services' resources", default=list(SERVICES))


def _organization_param():
    return _OrganizationIdParam("organization_id", "string", "the organization's id, o-...", required=True)


_ENTRIES = [
    LibraryEntry(
        "data_perimeter",
        "access to the resources from principals outside the organization",
        [_organization_param(), _services_param(),
         _AccountsParam("allowed_accounts", "accounts", "accounts outside the organization still allowed")],
        _data_perimeter,
    ),
    LibraryEntry(
        "enforce_tls",
        "requests to the resources that do not use TLS",
        [_services_param()],
        _enforce_tls,
    ),
    LibraryEntry(
        "confused_deputy_protection",
        "AWS services acting on the resources for another organization",
        [_organization_param(), _services_param()],
        _confused_deputy,
    ),
]

LIBRARY = {entry.name: entry for entry in _ENTRIES}


def get_entry(name, where="name"):
    entry = LIBRARY.get(name) if isinstance(name, str) else None
    if entry is None:
        raise LibraryError(f"{where}: {name!r} is not in the RCP library; known: {', '.join(LIBRARY)}")
    return entry


def selection_statements(selection, where):
    """The statements of one selection ``{name, params}``, checked; raises LibraryError."""
    if not isinstance(selection, dict):
        raise LibraryError(f"{where}: must be a mapping with name, params and targets, got {selection!r}")
    entry = get_entry(selection.get("name"), f"{where}: name")
    return entry.statements(selection.get("params"), f"{where}: params")


def describe():
    """The library as data: for the docs and the lookup's users."""
    return [
        dict(
            name=entry.name,
            denies=entry.denies,
            params=[
                dict(name=p.name, description=p.description, default=p.default, required=p.required)
                for p in entry.params
            ],
        )
        for entry in _ENTRIES
    ]
