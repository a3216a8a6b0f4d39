# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Organizations policy types: their limits and the grammar of their documents.

Pure Python, no AWS calls: org_policy, org_scp, the packing of the SCP and
RCP libraries and the preflight all read the same table, so a document or a
target refused here is refused before the first write.

The types are botocore's ``PolicyType`` enum (organizations service model)
less none: every type an organization can hold.  Two grammars:

* the authorization policies, SCPs and RCPs, are IAM policy documents
  (policy_documents.py has the SCP rules; an RCP differs: every statement a
  ``Deny`` with ``Principal`` ``"*"``, no ``NotAction`` nor ``NotPrincipal``);
* the management policies (tag, backup, AI services opt-out, chat
  applications, declarative, Security Hub, Inspector, ...) are JSON objects of
  their own, whose keys may carry inheritance operators (``@@assign``,
  ``@@append``, ``@@remove``, ``@@operators_allowed_for_child_policies``, and
  ``@@enforced_for`` in tag policies). AWS Organizations User Guide,
  "Management policy syntax and inheritance",
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html

Size quotas (characters of the stored, minified document) and how many
policies of one type may be attached to one root, OU or account: "Quotas for
AWS Organizations", Maximum and minimum values,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
(SCP 10,240 characters and 10 per target since May 2026, before 5,120 and 5;
RCP 5,120 and 5; declarative, backup, tag, chat applications and Security
Hub 10,000; AI services opt-out 2,500).  The types the quota table does not
name yet (Inspector, upgrade rollout, Bedrock, S3, Network Security
Director, GuardDuty) take the management policies' 10,000 characters and
10 per target; a lower real quota is still refused by AWS, before any other
write of this policy.
"""

import dataclasses

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import SCP_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import validate_scp

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
TAG = "TAG_POLICY"
BACKUP = "BACKUP_POLICY"
AI_OPT_OUT = "AISERVICES_OPT_OUT_POLICY"
CHATBOT = "CHATBOT_POLICY"
DECLARATIVE_EC2 = "DECLARATIVE_POLICY_EC2"

MANAGEMENT_SIZE_LIMIT = 10000
MANAGEMENT_PER_TARGET = 10


@dataclasses.dataclass(frozen=True)
class PolicyType:
    """What AWS enforces for one policy type."""

    name: str
    label: str
    size_limit: int
    per_target: int
    # The AWS managed policy attached to every root, OU and account while the
    # type is enabled (counts against per_target, cannot be detached or changed).
    aws_managed: str = None
    # AWS refuses to detach the last policy of this type from a target.
    keeps_one: bool = False
    # The top-level key a management policy of this type is written under.
    top_level_key: str = None

    @property
    def authorization(self):
        return self.name in (SCP, RCP)


def _management(name, label, key=None, size_limit=MANAGEMENT_SIZE_LIMIT, per_target=MANAGEMENT_PER_TARGET):
    return PolicyType(name, label, size_limit, per_target, top_level_key=key)


# botocore's PolicyType enum, in its order.
POLICY_TYPES = {
    t.name: t for t in (
        PolicyType(SCP, "service control policy", DEFAULT_SCP_SIZE_LIMIT, 10, aws_managed="FullAWSAccess", keeps_one=True),
        # "The effect of Allow is only supported for the RCPFullAWSAccess policy ... automatically attached to the
        # organization root, every OU, and every account ... You cannot detach this policy." (RCP syntax,
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html)
        PolicyType(RCP, "resource control policy", 5120, 5, aws_managed="RCPFullAWSAccess"),
        _management(TAG, "tag policy", "tags"),
        _management(BACKUP, "backup policy", "plans"),
        _management(AI_OPT_OUT, "AI services opt-out policy", "services", size_limit=2500),
        _management(CHATBOT, "chat applications policy", "chatbot"),
        _management(DECLARATIVE_EC2, "declarative policy for EC2", "ec2_attributes"),
        _management("SECURITYHUB_POLICY", "Security Hub policy"),
        _management("SECURITYHUB_CSPM_POLICY", "Security Hub CSPM policy"),
        _management("INSPECTOR_POLICY", "Inspector policy"),
        _management("UPGRADE_ROLLOUT_POLICY", "upgrade rollout policy"),
        _management("BEDROCK_POLICY", "Bedrock policy"),
        _management("S3_POLICY", "S3 policy"),
        _management("NETWORK_SECURITY_DIRECTOR_POLICY", "Network Security Director policy"),
        _management("GUARDDUTY_POLICY", "GuardDuty policy"),
    )
}
POLICY_TYPE_NAMES = list(POLICY_TYPES)

# The inheritance operators of management policies.
OPERATORS = ("@@assign", "@@append", "@@remove", "@@operators_allowed_for_child_policies", "@@enforced_for")

RCP_STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition")


class PolicyTypeError(ValueError):
    pass


def get_type(name, field="type"):
    try:
        return POLICY_TYPES[name]
    except KeyError:
        raise PolicyTypeError(f"{field}: {name!r} is not an Organizations policy type; one of {', '.join(POLICY_TYPES)}") from None


def _validate_rcp_statement(statement, where):
    for element in statement:
        if element not in RCP_STATEMENT_ELEMENTS:
            raise PolicyDocumentError(
                f"{where}: {element} is not supported in resource control policies; allowed: {', '.join(RCP_STATEMENT_ELEMENTS)}"
            )
    if statement.get("Effect") != "Deny":
        raise PolicyDocumentError(
            f"{where}: Effect must be 'Deny' (AWS allows 'Allow' only in its own RCPFullAWSAccess), got {statement.get('Effect')!r}"
        )
    if statement.get("Principal") != "*":
        raise PolicyDocumentError(
            f"{where}: Principal must be \"*\" in a resource control policy (narrow it with a Condition), got {statement.get('Principal')!r}"
        )


def validate_rcp(document, field="policy"):
    """The SCP grammar with the RCP differences (Principal "*", Deny only, no NotAction)."""
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if isinstance(statements, list):
        for index, statement in enumerate(statements):
            if isinstance(statement, dict):
                _validate_rcp_statement(statement, f"{field}: Statement[{index}]")
    # The rest is the SCP grammar, once Principal is out of the way.
    without_principal = dict(document)
    if isinstance(statements, list):
        without_principal["Statement"] = [
            {k: v for k, v in s.items() if k != "Principal"} if isinstance(s, dict) else s for s in statements
        ]
    validate_scp(without_principal, field)


def _check_operators(value, where):
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and key.startswith("@@") and key not in OPERATORS:
                raise PolicyDocumentError(f"{where}: unknown operator {key!r}; one of {', '.join(OPERATORS)}")
            _check_operators(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _check_operators(item, where)


def validate_management(policy_type, document, field="policy"):
    if not document:
        raise PolicyDocumentError(f"{field}: a {policy_type.label} needs at least one setting, got an empty object")
    if "Statement" in document or document.get("Version") == SCP_VERSION:
        raise PolicyDocumentError(
            f"{field}: this is an IAM policy document (Version, Statement); a {policy_type.label} is a management"
            " policy of its own syntax"
        )
    key = policy_type.top_level_key
    if key and key not in document:
        raise PolicyDocumentError(
            f"{field}: a {policy_type.label} holds its settings under {key!r}; found {', '.join(map(repr, document))}"
        )
    _check_operators(document, field)


def validate_document(type_name, document, field="policy"):
    """Raise PolicyDocumentError when AWS would refuse ``document`` as a policy of this type."""
    policy_type = get_type(type_name)
    if type_name == SCP:
        validate_scp(document, field)
    elif type_name == RCP:
        validate_rcp(document, field)
    else:
        validate_management(policy_type, document, field)


def prepare_document(type_name, document, field="policy"):
    """Validate a parsed document of this type and return it minified."""
    validate_document(type_name, document, field)
    return minify(document)


def check_type_size(type_name, minified, limit, field="policy"):
    if len(minified) > limit:
        raise PolicyDocumentError(
            f"{field}: the minified document is {len(minified)} characters; the {get_type(type_name).label}"
            f" size limit is {limit} characters"
        )


def types_in_use(policies, extra=()):
    """The policy types a list of ``{type}`` entries (and ``extra`` types) needs enabled, in botocore's order."""
    wanted = {p.get("type", SCP) for p in policies or [] if isinstance(p, dict)} | set(extra)
    return [name for name in POLICY_TYPES if name in wanted]
