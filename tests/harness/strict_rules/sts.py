"""sts:AssumeRole as AWS answers it (behaviours 1-4).

1. the role must exist;
2. its trust policy must allow the caller (Principal, aws:MultiFactorAuthPresent,
   aws:PrincipalOrgID, sts:ExternalId, aws:PrincipalAccount, aws:PrincipalArn);
3. DurationSeconds within the role's MaxSessionDuration, and 3,600 s when chaining;
4. a role is not assumable at once: a new account's OrganizationAccountAccessRole
   for ``member_role_delay_seconds`` after its creation SUCCEEDED, a role made by
   CreateRole for ``new_role_delay_seconds``.

Checked in that order: a role STS does not know yet is refused like one
that does not exist, and AWS says nothing about a role's settings to a
caller its trust policy refuses.  Refusals 1, 2 and 4 are the same
AccessDenied (403): AWS does not say why.

The new session's MFA and chaining facts are noted for later calls.
"""

import re
import threading
import xml.etree.ElementTree as ET

from tests.harness.strict_aws import MEMBER_ROLE
from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import answer_json
from tests.harness.strict_rules import policy_eval
from tests.harness.strict_rules.org_view import organization_view

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")

# DurationSeconds defaults to 3,600 s; a role's MaxSessionDuration too
# (STS API Reference, AssumeRole, "DurationSeconds").
DEFAULT_DURATION = 3600
# "Role chaining limits your AWS CLI or AWS API role session to a maximum of
# one hour" (same page; IAM User Guide, "Roles terms and concepts").
CHAINED_MAX_DURATION = 3600
# AWS's own ValidationError messages.  The first: the STS answer quoted in
# HADOOP-15781 (Status Code: 400; Error Code: ValidationError); the second:
# AWS re:Post Knowledge Center, "Can I increase the IAM role chaining session
# duration limit?" (https://repost.aws/knowledge-center/iam-role-chaining-limit).
ABOVE_MAX_SESSION = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
ABOVE_CHAINING_LIMIT = ("The requested DurationSeconds exceeds the 1 hour session limit"
                        " for roles assumed by role chaining.")


def access_denied(caller, role_arn):
    """AWS's AccessDenied for AssumeRole: the same answer whatever the reason."""
    who = caller.arn if caller else "anonymous"
    return AwsError("AccessDenied", f"User: {who} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                    403)


def new_access_key_id(answer):
    """The AccessKeyId in an AssumeRole / GetSessionToken answer (Query XML)."""
    try:
        root = ET.fromstring(answer[2])
    except ET.ParseError:
        return None
    for element in root.iter():
        if element.tag.endswith("AccessKeyId"):
            return element.text
    return None


def principal_type(caller):
    """aws:PrincipalType (AWS global condition context keys)."""
    return {"assumed-role": "AssumedRole", "root": "Account"}.get(caller.kind, "User")


def check_duration(role, params, caller):
    """Behaviour 3: ValidationError (400) for a DurationSeconds STS refuses."""
    duration = int(params.get("DurationSeconds") or DEFAULT_DURATION)
    if duration > int(role.get("MaxSessionDuration") or DEFAULT_DURATION):
        raise AwsError("ValidationError", ABOVE_MAX_SESSION, 400)
    if caller.kind == "assumed-role" and duration > CHAINED_MAX_DURATION:
        raise AwsError("ValidationError", ABOVE_CHAINING_LIMIT, 400)


def sts_rules(layer):
    """The layer's StsRules: the other rules ask it about new roles and new accounts."""
    return next(rule for rule in layer.rules if isinstance(rule, StsRules))


class StsRules(Rule):
    name = "sts"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._new_roles = {}  # (account id, role name in lower case) -> when CreateRole answered
        self._creations = {}  # CreateAccount request id -> account id, while the client has not seen SUCCEEDED
        self._new_accounts = {}  # account id -> dict(role=, created=, succeeded=)

    def reset(self):
        with self._lock:
            self._new_roles.clear()
            self._creations.clear()
            self._new_accounts.clear()

    def role(self, role_arn):
        """moto's Role dict, or None when the role does not exist."""
        match = _ROLE_ARN.match(role_arn or "")
        if not match:
            return None
        account_id, role_name = match.groups()
        iam = self.moto.client("iam", account_id=account_id)
        try:
            return iam.get_role(RoleName=role_name)["Role"]
        except iam.exceptions.NoSuchEntityException:
            return None

    def before(self, request):
        if not request.is_("sts", "AssumeRole"):
            return None
        role_arn = request.params.get("RoleArn")
        caller = request.caller
        role = self.role(role_arn)
        if role is None or caller is None:
            raise access_denied(caller, role_arn)
        account_id = role["Arn"].split(":")[4]
        if not self.ready(account_id, role["RoleName"]):
            raise access_denied(caller, role_arn)
        if not self.trusts(role, request, caller):
            raise access_denied(caller, role_arn)
        check_duration(role, request.params, caller)
        return None

    # --- behaviour 2: the trust policy ------------------------------------------

    def context(self, request, caller):
        """The request context of the AssumeRole call: the condition keys the evaluator knows."""
        params = request.params
        return {
            "aws:principalaccount": caller.account_id,
            "aws:principalarn": caller.principal_arn,
            "aws:principaltype": principal_type(caller),
            "aws:principalorgid": organization_view(self.layer).org_id_of(caller.account_id),
            "aws:multifactorauthpresent": self.mfa_present(params, caller),
            "sts:externalid": params.get("ExternalId") or None,
        }

    def mfa_present(self, params, caller):
        """aws:MultiFactorAuthPresent: "true" / "false" for temporary credentials, absent (None) for long-term keys.

        The key "is not present" in requests signed with long-term access
        keys; it is present in requests made with temporary credentials
        (AWS re:Post Knowledge Center, "How can I use MFA with the AWS CLI?";
        IAM User Guide, "AWS global condition context keys").  An AssumeRole
        that carries SerialNumber and TokenCode is itself authenticated with
        MFA (IAM User Guide, "Configuring MFA-protected API access").
        """
        if params.get("SerialNumber") and params.get("TokenCode"):
            return "true"
        temporary = caller.kind == "assumed-role" or self.layer.sessions.is_session(caller.access_key_id)
        if temporary:
            return "true" if caller.mfa else "false"
        return None

    def trusts(self, role, request, caller):
        policy = role.get("AssumeRolePolicyDocument") or {}
        who = policy_eval.Who(account_id=caller.account_id, arn=caller.arn, principal_arn=caller.principal_arn)
        verdict = policy_eval.evaluate(policy, "sts:AssumeRole", who, self.context(request, caller))
        return verdict == policy_eval.ALLOW

    # --- behaviour 4: eventual consistency ----------------------------------------

    def ready(self, account_id, role_name):
        """Whether STS knows the role by now (layer.clock, so tests can move time)."""
        now = self.layer.clock()
        with self._lock:
            created = self._new_roles.get((account_id, role_name.lower()))
            account = dict(self._new_accounts.get(account_id) or {})
        if created is not None and now < created + self.config.new_role_delay_seconds:
            return False
        if account and account["role"].lower() == role_name.lower():
            if now < self._succeeded_at(account) + self.config.member_role_delay_seconds:
                return False
        return True

    def creation_succeeded_at(self, account_id):
        """When the creation of an account made through the proxy SUCCEEDED, as the member role delay counts it.

        None for an account the proxy did not see created.
        """
        with self._lock:
            account = dict(self._new_accounts.get(account_id) or {})
        return self._succeeded_at(account) if account else None

    def _succeeded_at(self, account):
        """When the client saw the creation SUCCEEDED; if it has not looked, when it would have."""
        if account["succeeded"] is not None:
            return account["succeeded"]
        creation_seconds = getattr(self.layer, "creation_seconds", None)
        return account["created"] + (float(creation_seconds()) if creation_seconds else 0.0)

    def _note_created_role(self, request, answer):
        if answer[0] != 200 or request.caller is None or not request.params.get("RoleName"):
            return
        with self._lock:
            self._new_roles[(request.caller.account_id, request.params["RoleName"].lower())] = self.layer.clock()

    def _note_created_account(self, request, answer):
        upstream = answer_json(request.upstream_answer) or {}
        status = upstream.get("CreateAccountStatus") or {}
        account_id, request_id = status.get("AccountId"), status.get("Id")
        if not account_id or not request_id:
            return
        seen = (answer_json(answer) or {}).get("CreateAccountStatus") or {}
        now = self.layer.clock()
        with self._lock:
            self._new_accounts[account_id] = dict(role=request.params.get("RoleName") or MEMBER_ROLE, created=now,
                                                  succeeded=now if seen.get("State") == "SUCCEEDED" else None)
            if seen.get("State") != "SUCCEEDED":
                self._creations[request_id] = account_id

    def _note_creation_status(self, answer):
        data = answer_json(answer) or {}
        statuses = data.get("CreateAccountStatuses") or [data.get("CreateAccountStatus") or {}]
        now = self.layer.clock()
        with self._lock:
            for status in statuses:
                if status.get("State") == "SUCCEEDED" and status.get("Id") in self._creations:
                    account_id = self._creations.pop(status["Id"])
                    if account_id in self._new_accounts:
                        self._new_accounts[account_id]["succeeded"] = now

    # --- after: what passed ----------------------------------------------------------

    def after(self, request, answer):
        if not answer:
            return None
        if request.is_("iam", "CreateRole"):
            self._note_created_role(request, answer)
        elif request.is_("organizations", "CreateAccount"):
            self._note_created_account(request, answer)
        elif request.is_("organizations", "DescribeCreateAccountStatus", "ListCreateAccountStatus") and self._creations:
            self._note_creation_status(answer)
        elif request.is_("sts", "AssumeRole", "GetSessionToken") and answer[0] == 200:
            self._note_session(request, answer)
        return None

    def _note_session(self, request, answer):
        key = new_access_key_id(answer)
        if key:
            caller = request.caller
            mfa = bool(request.params.get("SerialNumber") and request.params.get("TokenCode"))
            chained = request.action == "AssumeRole" and caller is not None and caller.kind == "assumed-role"
            self.layer.sessions.note_session(key, mfa=mfa or bool(caller and caller.mfa), chained=chained)
