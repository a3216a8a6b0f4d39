# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The standard SCP library: ready statements, picked by name from the inventory.

Each entry has a name, a sentence saying what it denies, its parameters
(with defaults) and a function that returns its statement(s).  Pure Python,
no AWS calls: the preflight, the lookup plugin, the planning module and
docs/scp-library.md all read the same data.

Things to keep in mind about SCPs (AWS Organizations User Guide):

* SCPs never restrict the management account, nor service-linked roles.
* A Deny in any SCP on the path from the root to the account wins; the
  library only uses Deny statements, so how they are split across documents
  does not change their effect.
* ``aws:PrincipalArn`` of an assumed-role session is the role's ARN (with its
  path), not the session's; exempting a role by ARN pattern therefore covers
  every session of it.
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import SCP_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import REGION

# A role named without ":" becomes this pattern: any partition, any account.
ROLE_ARN_PATTERN = "arn:*:iam::*:role/{0}"

# Role names as IAM spells them ([\w+=,.@-], \w being ASCII: re.ASCII), with the wildcards * and ?.
# Matched with fullmatch: a "$" anchor would let a trailing newline through.
_ROLE_NAME = re.compile(r"[\w+=,.@*?-]{1,64}", re.ASCII)
_ROLE_ARN = re.compile(r"arn:[a-z*-]+:iam::[0-9*?]*:role/\S+")
_ACTION = re.compile(r"[a-z0-9*?-]+:[A-Za-z0-9*?]+")


class LibraryError(ValueError):
    """A selection the library cannot build; the message names the parameter and the value."""


class Param:
    """One parameter of a library entry: its kind decides how a value is checked."""

    def __init__(self, name, kind, description, default=None, required=False, minimum=None, maximum=None):
        self.name = name
        self.kind = kind
        self.description = description
        self.default = default
        self.required = required
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value, where):
        """The value as the statement builder wants it; raises LibraryError naming ``where``."""
        checker = _CHECKERS[self.kind]
        return checker(self, value, f"{where}.{self.name}")


def _string_list(value, field):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise LibraryError(f"{field}: must be a list of strings, got {value!r}")
    if not all(isinstance(item, str) and item for item in value):
        raise LibraryError(f"{field}: must be a list of non-empty strings, got {value!r}")
    return list(value)


def _check_regions(param, value, field):
    regions = _string_list(value, field)
    if param.required and not regions:
        raise LibraryError(f"{field}: needs at least one region")
    for region in regions:
        if not REGION.fullmatch(region):
            raise LibraryError(f"{field}: {region!r} is not a region name such as 'eu-west-1'")
    return sorted(set(regions))


def _check_roles(param, value, field):
    roles = _string_list(value, field)
    for role in roles:
        if ":" in role:
            if not _ROLE_ARN.fullmatch(role):
                raise LibraryError(
                    f"{field}: {role!r} is neither a role name nor an IAM role ARN pattern such as"
                    " 'arn:aws:iam::*:role/admin'"
                )
        elif not _ROLE_NAME.fullmatch(role):
            raise LibraryError(f"{field}: {role!r} is not a role name (1-64 of letters, digits, +=,.@_- and * ?)")
    if param.required and not roles:
        raise LibraryError(f"{field}: needs at least one role")
    return roles


def _check_actions(param, value, field):
    actions = _string_list(value, field)
    for action in actions:
        if not _ACTION.fullmatch(action):
            raise LibraryError(f"{field}: {action!r} is not an IAM action such as 's3:GetObject' or 'waf:*'")
    return actions


def _check_choices(param, value, field):
    chosen = _string_list(value, field)
    choices = list(param.default)
    for item in chosen:
        if item not in choices:
            raise LibraryError(f"{field}: {item!r} is not one of {', '.join(choices)}")
    if not chosen:
        raise LibraryError(f"{field}: needs at least one of {', '.join(choices)}")
    return chosen


def _check_strings(param, value, field):
    strings = _string_list(value, field)
    if not strings:
        raise LibraryError(f"{field}: needs at least one value")
    return strings


def _check_bool(param, value, field):
    if not isinstance(value, bool):
        raise LibraryError(f"{field}: must be true or false, got {value!r}")
    return value


def _check_int(param, value, field):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            raise LibraryError(f"{field}: must be an integer, got {value!r}") from None
    if not param.minimum <= value <= param.maximum:
        raise LibraryError(f"{field}: must be between {param.minimum} and {param.maximum}, got {value}")
    return value


_CHECKERS = dict(
    regions=_check_regions,
    roles=_check_roles,
    actions=_check_actions,
    choices=_check_choices,
    strings=_check_strings,
    bool=_check_bool,
    int=_check_int,
)


class LibraryEntry:
    def __init__(self, name, denies, params, build):
        self.name = name
        self.denies = denies
        self.params = params
        self.build = build

    def resolve(self, given, where):
        """Defaults merged with ``given``, every value checked."""
        given = given or {}
        if not isinstance(given, dict):
            raise LibraryError(f"{where}: must be a mapping of parameter names to values, got {given!r}")
        known = {p.name for p in self.params}
        unknown = sorted(set(given) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise LibraryError(f"{where}: unknown parameter {unknown[0]!r} for {self.name}; allowed: {allowed}")
        resolved = {}
        for param in self.params:
            if param.name in given:
                value = given[param.name]
            elif param.required:
                raise LibraryError(f"{where}.{param.name}: is required by {self.name}")
            else:
                value = param.default
            resolved[param.name] = param.check(value, where) if value is not None else None
        return resolved

    def statements(self, given=None, where=None):
        where = where or f"{self.name}: params"
        return self.build(self.resolve(given, where))


def role_arn_patterns(roles):
    """``aws:PrincipalArn`` patterns: names become any-account role ARNs, ARN patterns stay."""
    return [role if ":" in role else ROLE_ARN_PATTERN.format(role) for role in roles]


def _unless_exempt(statement, exempt_roles):
    if exempt_roles:
        statement.setdefault("Condition", {})["ArnNotLike"] = {"aws:PrincipalArn": role_arn_patterns(exempt_roles)}
    return statement


# --- the entries --------------------------------------------------------------


def _deny_root_user(params):
    return [
        {
            "Sid": "DenyRootUser",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": "arn:*:iam::*:root"}},
        }
    ]


def _deny_leave_organization(params):
    return [
        {"Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    ]


def _deny_all(params):
    return [{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]


# Actions of global services (their endpoint, and so aws:RequestedRegion, is
# us-east-1 or another fixed region whatever region the caller works in) and
# the few regional calls consoles and tools make for account-wide views.
# Denying them outside the allowed regions would break IAM, Organizations,
# billing, Route 53, CloudFront, support ... everywhere.
GLOBAL_SERVICE_ACTIONS = [
    "a4b:*",
    "access-analyzer:*",
    "account:*",
    "acm:*",
    "artifact:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "billing:*",
    "budgets:*",
    "ce:*",
    "chatbot:*",
    "cloudfront:*",
    "cloudtrail:LookupEvents",
    "compute-optimizer:*",
    "config:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "freetier:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "invoicing:*",
    "kms:*",
    "networkmanager:*",
    "organizations:*",
    "payments:*",
    "pricing:*",
    "resource-explorer-2:*",
    "route53:*",
    "route53domains:*",
    "s3:CreateMultiRegionAccessPoint",
    "s3:DeleteMultiRegionAccessPoint",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketLocation",
    "s3:GetMultiRegionAccessPoint",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublicAccessBlock",
    "savingsplans:*",
    "shield:*",
    "sso:*",
    "sts:*",
    "support:*",
    "supportplans:*",
    "sustainability:*",
    "tag:GetResources",
    "tax:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
]


def _allow_regions(params):
    not_actions = sorted(set(GLOBAL_SERVICE_ACTIONS) | set(params["extra_global_actions"]))
    statement = {
        "Sid": "DenyOutsideAllowedRegions",
        "Effect": "Deny",
        "NotAction": not_actions,
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": params["regions"]}},
    }
    return [_unless_exempt(statement, params["exempt_roles"])]


# What stops or deletes each security service, or cuts an account loose from
# the organization's administrator account for it.
SECURITY_SERVICE_ACTIONS = {
    "cloudtrail": [
        "cloudtrail:DeleteTrail",
        "cloudtrail:PutEventSelectors",
        "cloudtrail:StopLogging",
        "cloudtrail:UpdateTrail",
    ],
    "config": [
        "config:DeleteConfigRule",
        "config:DeleteConfigurationAggregator",
        "config:DeleteConfigurationRecorder",
        "config:DeleteDeliveryChannel",
        "config:DeleteRetentionConfiguration",
        "config:StopConfigurationRecorder",
    ],
    "guardduty": [
        "guardduty:DeleteDetector",
        "guardduty:DeleteMembers",
        "guardduty:DisassociateFromAdministratorAccount",
        "guardduty:DisassociateFromMasterAccount",
        "guardduty:DisassociateMembers",
        "guardduty:StopMonitoringMembers",
        "guardduty:UpdateDetector",
    ],
    "securityhub": [
        "securityhub:BatchDisableStandards",
        "securityhub:DeleteMembers",
        "securityhub:DisableSecurityHub",
        "securityhub:DisassociateFromAdministratorAccount",
        "securityhub:DisassociateFromMasterAccount",
        "securityhub:DisassociateMembers",
    ],
    "access_analyzer": [
        "access-analyzer:DeleteAnalyzer",
    ],
}
_SECURITY_SERVICE_SIDS = {
    "cloudtrail": "ProtectCloudTrail",
    "config": "ProtectConfig",
    "guardduty": "ProtectGuardDuty",
    "securityhub": "ProtectSecurityHub",
    "access_analyzer": "ProtectAccessAnalyzer",
}


def _protect_security_services(params):
    statements = []
    for service in SECURITY_SERVICE_ACTIONS:
        if service not in params["services"]:
            continue
        statement = {
            "Sid": _SECURITY_SERVICE_SIDS[service],
            "Effect": "Deny",
            "Action": SECURITY_SERVICE_ACTIONS[service],
            "Resource": "*",
        }
        statements.append(_unless_exempt(statement, params["exempt_roles"]))
    return statements


# Every IAM call that changes a role, its policies, its trust or its tags.
ROLE_CHANGING_ACTIONS = [
    "iam:AttachRolePolicy",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
]


def _protect_landing_zone_roles(params):
    statement = {
        "Sid": "ProtectLandingZoneRoles",
        "Effect": "Deny",
        "Action": ROLE_CHANGING_ACTIONS,
        "Resource": role_arn_patterns(params["roles"]),
    }
    return [_unless_exempt(statement, params["exempt_roles"])]


SSE_HEADER = "s3:x-amz-server-side-encryption"


def _deny_unencrypted_s3_uploads(params):
    # A negated operator (StringNotEquals) is true when the key is missing,
    # so "a header with another value" needs the Null=false guard, and
    # "no header at all" is its own statement.
    statements = [
        {
            "Sid": "DenyS3UploadsWithOtherEncryption",
            "Effect": "Deny",
            "Action": "s3:PutObject",
            "Resource": "*",
            "Condition": {
                "Null": {SSE_HEADER: "false"},
                "StringNotEquals": {SSE_HEADER: params["algorithms"]},
            },
        }
    ]
    if params["require_header"]:
        statements.append(
            {
                "Sid": "DenyS3UploadsWithoutEncryptionHeader",
                "Effect": "Deny",
                "Action": "s3:PutObject",
                "Resource": "*",
                "Condition": {"Null": {SSE_HEADER: "true"}},
            }
        )
    return statements


def _require_imdsv2(params):
    statements = [
        {
            "Sid": "RequireImdsv2OnLaunch",
            "Effect": "Deny",
            "Action": "ec2:RunInstances",
            "Resource": "arn:*:ec2:*:*:instance/*",
            "Condition": {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}},
        },
        # Credentials an instance got from IMDSv1 carry ec2:RoleDelivery 1.0.
        {
            "Sid": "DenyImdsv1Credentials",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"ec2:RoleDelivery": "2.0"}},
        },
        _unless_exempt(
            {
                "Sid": "DenyInstanceMetadataOptionsChange",
                "Effect": "Deny",
                "Action": "ec2:ModifyInstanceMetadataOptions",
                "Resource": "*",
            },
            params["exempt_roles"],
        ),
    ]
    if params["max_hop_limit"] is not None:
        statements.append(
            {
                "Sid": "LimitImdsHopLimit",
                "Effect": "Deny",
                "Action": "ec2:RunInstances",
                "Resource": "arn:*:ec2:*:*:instance/*",
                "Condition": {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": str(params["max_hop_limit"])}},
            }
        )
    return statements


def _exempt_roles_param(default=None, what="the statements"):
    return Param(
        "exempt_roles",
        "roles",
        f"Roles {what} do not apply to: role names (any account) or IAM role ARN patterns.",
        default=list(default or []),
    )


_ENTRIES = [
    LibraryEntry(
        "deny_root_user",
        "Every action by the root user of a member account.",
        [],
        _deny_root_user,
    ),
    LibraryEntry(
        "deny_leave_organization",
        "organizations:LeaveOrganization: member accounts cannot leave the organization.",
        [],
        _deny_leave_organization,
    ),
    LibraryEntry(
        "deny_all",
        "Every action by every principal (for the quarantine OU).",
        [],
        _deny_all,
    ),
    LibraryEntry(
        "allow_regions",
        "Every action outside the listed regions, except global services' actions and the exempt roles.",
        [
            Param("regions", "regions", "The regions that stay usable.", required=True),
            _exempt_roles_param(what="the region restriction does"),
            Param(
                "extra_global_actions",
                "actions",
                "Actions to exempt in addition to the global services' list.",
                default=[],
            ),
        ],
        _allow_regions,
    ),
    LibraryEntry(
        "protect_security_services",
        "Stopping, deleting or disassociating CloudTrail, Config, GuardDuty, Security Hub and IAM"
        " Access Analyzer, except by the exempt roles.",
        [
            Param(
                "services",
                "choices",
                "Which services to protect (one statement each).",
                default=list(SECURITY_SERVICE_ACTIONS),
            ),
            _exempt_roles_param(what="the protection does"),
        ],
        _protect_security_services,
    ),
    LibraryEntry(
        "protect_landing_zone_roles",
        "Changing or deleting the landing zone's roles (policies, trust, boundary, tags), except by the"
        " exempt roles.",
        [
            Param("roles", "roles", "The protected roles.", default=["OrganizationAccountAccessRole"]),
            _exempt_roles_param(["OrganizationAccountAccessRole"], what="may still change them; the protection does"),
        ],
        _protect_landing_zone_roles,
    ),
    LibraryEntry(
        "deny_unencrypted_s3_uploads",
        "s3:PutObject with a server-side encryption header other than the listed algorithms, and (by"
        " default) without the header.",
        [
            Param(
                "algorithms",
                "strings",
                "Accepted values of the x-amz-server-side-encryption header.",
                default=["AES256", "aws:kms", "aws:kms:dsse"],
            ),
            Param(
                "require_header",
                "bool",
                "Also deny uploads that send no encryption header (relying on the bucket default).",
                default=True,
            ),
        ],
        _deny_unencrypted_s3_uploads,
    ),
    LibraryEntry(
        "require_imdsv2",
        "Launching instances without IMDSv2 required, using credentials delivered by IMDSv1, and changing"
        " instance metadata options except by the exempt roles.",
        [
            _exempt_roles_param(what="may change instance metadata options; the statement does"),
            Param(
                "max_hop_limit",
                "int",
                "When set, also deny launches whose metadata PUT response hop limit is higher.",
                minimum=1,
                maximum=64,
            ),
        ],
        _require_imdsv2,
    ),
]

LIBRARY = {entry.name: entry for entry in _ENTRIES}


def get_entry(name, where="name"):
    entry = LIBRARY.get(name) if isinstance(name, str) else None
    if entry is None:
        raise LibraryError(f"{where}: {name!r} is not in the SCP library; known: {', '.join(LIBRARY)}")
    return entry


# The selection's opt-in to an exempt_roles pattern that matches every role.
EXEMPT_EVERY_ROLE_OPT_IN = "allow_exempting_every_role"


def exempts_every_role(pattern):
    """A role name or ARN pattern whose role part is only wildcards (``*``) matches every role."""
    name = pattern.rsplit(":role/", 1)[1] if ":role/" in pattern else pattern
    return bool(name) and "*" in name and not name.strip("*?/")


def _check_exempt_roles(entry, selection, where):
    """An exempt_roles of ``*`` leaves no role under the statements; only an explicit opt-in lets it through."""
    params = selection.get("params")
    if not isinstance(params, dict) or selection.get(EXEMPT_EVERY_ROLE_OPT_IN) is True:
        return
    if "exempt_roles" not in {p.name for p in entry.params}:
        return
    for role in params.get("exempt_roles") or []:
        if isinstance(role, str) and exempts_every_role(role):
            raise LibraryError(
                f"{where}: params.exempt_roles: {role!r} matches every role, so {entry.name}'s statements would"
                f" apply to no role at all; name the roles to exempt, or set {EXEMPT_EVERY_ROLE_OPT_IN}: true on"
                " this selection to mean it"
            )


def selection_statements(selection, where):
    """The statements of one selection ``{name, params}``, checked; raises LibraryError."""
    if not isinstance(selection, dict):
        raise LibraryError(f"{where}: must be a mapping with name, params and targets, got {selection!r}")
    entry = get_entry(selection.get("name"), f"{where}: name")
    _check_exempt_roles(entry, selection, where)
    return entry.statements(selection.get("params"), f"{where}: params")


def library_document(selections, where="scp_library"):
    """One SCP document holding the statements of every selection, in order."""
    statements = []
    for index, selection in enumerate(selections):
        if isinstance(selection, str):
            selection = dict(name=selection)
        statements.extend(selection_statements(selection, f"{where}[{index}]"))
    if not statements:
        raise LibraryError(f"{where}: select at least one library entry")
    sids = [s["Sid"] for s in statements]
    duplicates = sorted({sid for sid in sids if sids.count(sid) > 1})
    if duplicates:
        raise LibraryError(f"{where}: an entry is selected twice (statement {duplicates[0]} appears twice)")
    return {"Version": SCP_VERSION, "Statement": statements}


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
