"""A small IAM policy evaluator: what the strict layer needs of trust policies and SCPs.

Pure functions, no AWS calls.  ``evaluate(policy, action, who, context)``
answers ``ALLOW``, ``DENY`` (an explicit Deny statement matched) or
``IMPLICIT_DENY`` (nothing allowed it), following AWS's evaluation logic for
one policy: any matching Deny wins, else any matching Allow, else denied
(IAM User Guide, "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).

What is evaluated:

* ``Effect`` Allow / Deny;
* ``Action`` / ``NotAction``: one string or a list, ``*`` and ``?``
  wildcards, case-insensitive (IAM JSON policy elements: Action);
* ``Principal``: ``"*"``, ``{"AWS": ...}`` with ``"*"``, an account
  (``arn:aws:iam::ACCT:root`` or the bare 12 digits: any principal of that
  account), a role ARN (any session of that role), a user ARN, an
  assumed-role session ARN.  ``Service``, ``Federated`` and
  ``CanonicalUser`` principals never match an IAM caller; a statement with
  ``NotPrincipal`` is not understood and does not match (IAM JSON policy
  elements: Principal);
* ``Condition``: the String, Arn, Bool and Null operators, their
  ``...IfExists`` forms and the ``ForAnyValue:`` / ``ForAllValues:``
  qualifiers.  A key the caller's ``context`` does not know, or an
  operator not listed here, makes the statement not match: AWS would not
  grant on a condition it cannot satisfy, and a harness that guesses would
  grant too much.

``context`` maps condition keys (any case) to the request's value: a
string, a list of strings, or None for a key AWS knows but that is absent
from this request (for example ``aws:MultiFactorAuthPresent`` for long-term
access keys).  Absent keys follow the IAM User Guide, "IAM JSON policy
elements: Condition operators": the condition is false, except for the
negated operators (``StringNotEquals``, ``ArnNotLike``, ...) where it is
true, ``...IfExists`` where it is true, and ``Null``, which tests presence.
``ForAllValues`` is true for an absent key, ``ForAnyValue`` false (same
page, "Multivalued context keys").
"""

import dataclasses
import re

ALLOW = "Allow"
DENY = "Deny"
IMPLICIT_DENY = "ImplicitDeny"

_ACCOUNT = re.compile(r"^\d{12}$")
_ARN = re.compile(r"^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$")


@dataclasses.dataclass(frozen=True)
class Who:
    """The caller as a policy sees it (strict_aws.Caller has the same attributes).

    ``arn`` is what STS names the caller (``arn:aws:sts::1:assumed-role/R/s``,
    ``arn:aws:iam::1:user/u``); ``principal_arn`` the IAM identity behind it
    (``arn:aws:iam::1:role/R``).
    """

    account_id: str
    arn: str
    principal_arn: str


class _Unknown(Exception):
    """An operator or key this evaluator does not know: the statement does not match."""


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def statements(policy):
    found = policy.get("Statement", []) if isinstance(policy, dict) else []
    return [s for s in as_list(found) if isinstance(s, dict)]


def _wildcard(pattern, value, ignore_case):
    """IAM's ``*`` / ``?`` wildcards; nothing else is special (``[`` is a plain character)."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    translated = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(translated, value, re.DOTALL) is not None


def action_matches(statement, action):
    """Whether the statement's Action (or NotAction) covers ``action`` (``service:Name``)."""
    if "Action" in statement:
        return any(_wildcard(str(p), action, True) for p in as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_wildcard(str(p), action, True) for p in as_list(statement["NotAction"]))
    return False


# --- Principal -------------------------------------------------------------------

def _parse_arn(value):
    match = _ARN.match(value)
    return match.groups() if match else None


def _aws_principal_matches(value, who):
    value = str(value)
    if value == "*":
        return True
    if _ACCOUNT.match(value):
        return who.account_id == value
    parsed = _parse_arn(value)
    if parsed is None:
        return False
    _partition, service, account, resource = parsed
    if account != who.account_id:
        return False
    if service == "iam" and resource == "root":
        return True  # the account: every principal in it
    if service == "sts":
        return value == who.arn  # one assumed-role session
    mine = _parse_arn(who.principal_arn)
    if mine is None:
        return False
    kind, _sep, rest = resource.partition("/")
    my_kind, _sep, my_rest = mine[3].partition("/")
    if kind != my_kind:
        return False
    if kind == "role":
        # A session ARN carries the role's name, not its path: compare names.
        return rest.rsplit("/", 1)[-1] == my_rest.rsplit("/", 1)[-1]
    return rest == my_rest


def principal_matches(statement, who):
    if "NotPrincipal" in statement or "Principal" not in statement:
        return False
    principal = statement["Principal"]
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    # Only "AWS" names IAM principals; Service, Federated and CanonicalUser never match an IAM caller.
    return any(_aws_principal_matches(value, who) for value in as_list(principal.get("AWS")))


# --- Condition ---------------------------------------------------------------------

def _string_equals(policy_value, value):
    return policy_value == value


def _string_equals_ignore_case(policy_value, value):
    return policy_value.lower() == value.lower()


def _string_like(policy_value, value):
    return _wildcard(policy_value, value, False)


def _bool_equals(policy_value, value):
    return policy_value.lower() == value.lower()


# operator base name -> (compare one policy value with one request value, negated)
_OPERATORS = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    # ArnEquals and ArnLike behave alike: both take wildcards (Condition operators, "ARN").
    "ArnEquals": (_string_like, False),
    "ArnLike": (_string_like, False),
    "ArnNotEquals": (_string_like, True),
    "ArnNotLike": (_string_like, True),
    "Bool": (_bool_equals, False),
}


def _policy_strings(values):
    # JSON true/false in a policy mean "true"/"false".
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(values)]


def _one_value_matches(compare, negated, policy_values, value):
    hit = any(compare(p, value) for p in policy_values)
    return not hit if negated else hit


def _operator_matches(operator, key_values, context):
    qualifier, _sep, base = operator.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise _Unknown(operator)
    if_exists = base.endswith("IfExists") and base != "IfExists"
    if if_exists:
        base = base[: -len("IfExists")]
    if not isinstance(key_values, dict):
        raise _Unknown(operator)
    for key, policy_values in key_values.items():
        lowered = key.lower()
        if lowered not in context:
            raise _Unknown(key)
        value = context[lowered]
        if base == "Null" and not qualifier and not if_exists:
            wanted_absent = _policy_strings(policy_values)[0].lower() == "true" if as_list(policy_values) else True
            if (value is None) != wanted_absent:
                return False
            continue
        if base not in _OPERATORS:
            raise _Unknown(operator)
        compare, negated = _OPERATORS[base]
        policy_strings = _policy_strings(policy_values)
        if value is None:
            if qualifier == "ForAllValues":
                continue
            if qualifier == "ForAnyValue":
                return False
            if if_exists or negated:
                continue
            return False
        values = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(value)]
        results = [_one_value_matches(compare, negated, policy_strings, v) for v in values]
        if qualifier == "ForAllValues":
            matched = all(results)
        elif qualifier == "ForAnyValue":
            matched = any(results)
        else:
            # A single-valued key: its one value must satisfy the operator.
            matched = bool(results) and all(results)
        if not matched:
            return False
    return True


def condition_matches(statement, context):
    """Every operator, every key of the Condition block holds (a missing block holds)."""
    condition = statement.get("Condition")
    if condition is None:
        return True
    if not isinstance(condition, dict):
        raise _Unknown("Condition")
    return all(_operator_matches(operator, keys, context) for operator, keys in condition.items())


# --- the verdict -----------------------------------------------------------------

def statement_matches(statement, action, who, context, check_principal=True):
    try:
        return (
            action_matches(statement, action)
            and (not check_principal or principal_matches(statement, who))
            and condition_matches(statement, context)
        )
    except _Unknown:
        return False


def evaluate(policy, action, who, context, check_principal=True):
    """ALLOW, DENY or IMPLICIT_DENY for ``action`` by ``who`` under one policy.

    ``check_principal=False`` for identity-style policies (SCPs) that have no
    Principal element.
    """
    allowed = False
    for statement in statements(policy):
        if not statement_matches(statement, action, who, context, check_principal):
            continue
        if statement.get("Effect") == DENY:
            return DENY
        if statement.get("Effect") == ALLOW:
            allowed = True
    return ALLOW if allowed else IMPLICIT_DENY


def is_deny_all(policy):
    """A statement Effect Deny, Action ``*``, on every resource and with no Condition: denies everything."""
    for statement in statements(policy):
        if statement.get("Effect") != DENY or "Condition" in statement or "NotResource" in statement:
            continue
        if "*" not in [str(a) for a in as_list(statement.get("Action"))]:
            continue
        if "Resource" in statement and "*" not in [str(r) for r in as_list(statement["Resource"])]:
            continue
        return True
    return False


__all__ = ["ALLOW", "DENY", "IMPLICIT_DENY", "Who", "evaluate", "is_deny_all", "statement_matches",
           "principal_matches", "action_matches", "condition_matches"]
