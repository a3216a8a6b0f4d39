"""IAM's size and count quotas (behaviour 5).

moto stores a policy of any size and attaches any number of managed policies;
IAM refuses past its quotas with ``LimitExceeded`` (HTTP 409, Query protocol).

Figures, from "IAM and AWS STS quotas, name requirements, and character
limits" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):

* inline policies: "the total aggregate policy size (the sum size of all
  inline policies) per entity" is at most 2,048 characters for a user, 5,120
  for a group and 10,240 for a role;
* a managed policy: 6,144 characters;
* a role trust policy: 2,048 characters (the default quota, adjustable);
* managed policies attached to one role, user or group: 10 (the default quota).

"IAM does not count white space when calculating the size of a policy
against these quotas"; GetAccountSummary calls the size quotas sizes "in
non-whitespace characters" (API_GetAccountSummary.html).  ``policy_size``
counts the characters that are not JSON white space (space, tab, line feed,
carriage return: the only white space a policy document may hold, which
allows U+0009, U+000A, U+000D and U+0020-U+00FF).

The messages are IAM's own, as its users have captured them (AWS documents
only the code): "Maximum policy size of 10240 bytes exceeded for role NAME"
(also for user / group), "Cannot exceed quota for PolicySize: 6144",
"Cannot exceed quota for ACLSizePerRole: 2048", "Cannot exceed quota for
PoliciesPerRole: 10" (PoliciesPerUser, PoliciesPerGroup).
"""

import json
import urllib.parse

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule

# Characters of a policy document that IAM does not count (JSON white space).
_WHITE_SPACE = str.maketrans("", "", " \t\n\r")

INLINE_LIMITS = {"user": 2048, "group": 5120, "role": 10240}
MANAGED_POLICY_LIMIT = 6144
TRUST_POLICY_LIMIT = 2048
ATTACHED_POLICIES_LIMIT = 10

# Per kind of entity: the Query parameter naming it, moto reader calls, quota name.
_ENTITIES = {
    "user": dict(param="UserName", list_inline="list_user_policies", get_inline="get_user_policy",
                 list_attached="list_attached_user_policies", quota="PoliciesPerUser"),
    "group": dict(param="GroupName", list_inline="list_group_policies", get_inline="get_group_policy",
                  list_attached="list_attached_group_policies", quota="PoliciesPerGroup"),
    "role": dict(param="RoleName", list_inline="list_role_policies", get_inline="get_role_policy",
                 list_attached="list_attached_role_policies", quota="PoliciesPerRole"),
}
_PUT_INLINE = {"PutUserPolicy": "user", "PutGroupPolicy": "group", "PutRolePolicy": "role"}
_ATTACH = {"AttachUserPolicy": "user", "AttachGroupPolicy": "group", "AttachRolePolicy": "role"}


def policy_size(document):
    """IAM's size of a policy document: its characters, white space not counted."""
    if not isinstance(document, str):
        # moto hands stored documents back parsed; compact JSON keeps every
        # character IAM counts (non-ASCII stays one character).
        document = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return len(document.translate(_WHITE_SPACE))


def inline_total(new_document, other_documents):
    """The entity's aggregate inline size once ``new_document`` is stored next to the others."""
    return policy_size(new_document) + sum(policy_size(d) for d in other_documents)


def limit_exceeded(message):
    return AwsError("LimitExceeded", message, 409)


def _document(value):
    """A stored document as moto's reader returns it (a dict, or URL-encoded JSON text)."""
    if isinstance(value, str):
        return urllib.parse.unquote(value)
    return value


class IamLimitRules(Rule):
    name = "iam_limits"

    def before(self, request):
        if request.service != "iam":
            return None
        action = request.action
        if action in _PUT_INLINE:
            return self._check_inline(request, _PUT_INLINE[action])
        if action in ("CreatePolicy", "CreatePolicyVersion"):
            return self._check_managed(request)
        if action in ("CreateRole", "UpdateAssumeRolePolicy"):
            return self._check_trust(request)
        if action in _ATTACH:
            return self._check_attach(request, _ATTACH[action])
        return None

    def _check_managed(self, request):
        if policy_size(request.params.get("PolicyDocument", "")) > MANAGED_POLICY_LIMIT:
            raise limit_exceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_LIMIT}")
        return None

    def _check_trust(self, request):
        field = "AssumeRolePolicyDocument" if request.action == "CreateRole" else "PolicyDocument"
        if policy_size(request.params.get(field, "")) > TRUST_POLICY_LIMIT:
            raise limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_LIMIT}")
        return None

    def _other_inline_documents(self, iam, kind, name, replaced_policy):
        """The entity's other inline documents (the one of the same name is being replaced), or None."""
        spec = _ENTITIES[kind]
        try:
            names = getattr(iam, spec["list_inline"])(**{spec["param"]: name})["PolicyNames"]
        except iam.exceptions.NoSuchEntityException:
            return None
        documents = []
        for policy_name in names:
            if policy_name == replaced_policy:
                continue
            stored = getattr(iam, spec["get_inline"])(**{spec["param"]: name, "PolicyName": policy_name})
            documents.append(_document(stored["PolicyDocument"]))
        return documents

    def _check_inline(self, request, kind):
        name = request.params.get(_ENTITIES[kind]["param"], "")
        document = request.params.get("PolicyDocument", "")
        limit = INLINE_LIMITS[kind]
        if policy_size(document) <= limit:
            others = self._other_inline_documents(self.caller_client("iam", request), kind, name, request.params.get("PolicyName"))
            if others is None:  # no such entity: moto answers NoSuchEntity as IAM does
                return None
            if inline_total(document, others) <= limit:
                return None
        raise limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {name}")

    def _check_attach(self, request, kind):
        spec = _ENTITIES[kind]
        iam = self.caller_client("iam", request)
        name = request.params.get(spec["param"], "")
        try:
            pages = iam.get_paginator(spec["list_attached"]).paginate(**{spec["param"]: name})
            attached = [p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]]
        except iam.exceptions.NoSuchEntityException:
            return None
        if request.params.get("PolicyArn") in attached:
            return None  # attaching it again is no new attachment
        if len(attached) >= ATTACHED_POLICIES_LIMIT:
            raise limit_exceeded(f"Cannot exceed quota for {spec['quota']}: {ATTACHED_POLICIES_LIMIT}")
        return None
