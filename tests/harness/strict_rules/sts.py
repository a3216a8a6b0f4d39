"""sts:AssumeRole as AWS answers it (behaviours 1-4).

1. the role must exist;
2. its trust policy must allow the caller (Principal, aws:MultiFactorAuthPresent,
   aws:PrincipalOrgID, sts:ExternalId);
3. DurationSeconds within the role's MaxSessionDuration, and 3,600 s when chaining;
4. a role is not assumable at once: a new account's OrganizationAccountAccessRole
   for ``member_role_delay_seconds`` after its creation SUCCEEDED, a role made by
   CreateRole for ``new_role_delay_seconds``.

The new session's MFA and chaining facts are noted for later calls.
"""

import re
import xml.etree.ElementTree as ET

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)$")


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


class StsRules(Rule):
    name = "sts"

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
        role = self.role(role_arn)
        if role is None:
            raise access_denied(request.caller, role_arn)
        return None

    def after(self, request, answer):
        if request.is_("sts", "AssumeRole", "GetSessionToken") and answer and answer[0] == 200:
            key = new_access_key_id(answer)
            if key:
                caller = request.caller
                mfa = bool(request.params.get("SerialNumber") and request.params.get("TokenCode"))
                chained = request.action == "AssumeRole" and caller is not None and caller.kind == "assumed-role"
                self.layer.sessions.note_session(key, mfa=mfa or bool(caller and caller.mfa), chained=chained)
        return None
