"""IAM refuses a trust policy naming a role or user it does not know yet.

moto stores any Principal.  IAM resolves a role or user named in a role's
trust policy to that entity's unique id when it stores the policy (a role
deleted and made again under the same name is not trusted: IAM User Guide,
"AWS JSON policy elements: Principal", IAM role principals), so CreateRole
and UpdateAssumeRolePolicy naming one that does not exist answer
``MalformedPolicyDocument`` (HTTP 400) "Invalid principal in policy".  A
role just made is not known to IAM everywhere at once either (eventual
consistency): for ``new_role_delay_seconds`` after its CreateRole through
the proxy, the one delay STS also applies to it (strict_rules/sts.py), it is
refused the same way.  terraform-provider-aws retries both calls on that
message for its propagation timeout (internal/service/iam/role.go).

Account principals (``arn:aws:iam::ACCOUNT:root``, 12 digits), ``*``,
service and federated principals are not judged.
"""

import json
import re
import urllib.parse

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_rules.sts import sts_rules

_ENTITY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(role|user)/(?:[^/]+/)*([^/]+)")
_TRUST_POLICY_FIELD = {"CreateRole": "AssumeRolePolicyDocument", "UpdateAssumeRolePolicy": "PolicyDocument"}


def aws_principals(document):
    """Every value of Principal.AWS in a policy document's statements."""
    try:
        policy = json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document
    except ValueError:
        return []  # moto refuses a document that is not JSON
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        values = principal.get("AWS", []) if isinstance(principal, dict) else []
        found.extend(values if isinstance(values, list) else [values])
    return [value for value in found if isinstance(value, str)]


def invalid_principal(arn):
    return AwsError("MalformedPolicyDocument", f'Invalid principal in policy: "AWS":"{arn}"', 400)


class IamPrincipalRules(Rule):
    name = "iam_principals"

    def before(self, request):
        field = _TRUST_POLICY_FIELD.get(request.action) if request.service == "iam" else None
        if field is None:
            return None
        for arn in aws_principals(request.params.get(field, "")):
            match = _ENTITY_ARN.fullmatch(arn)
            if match and not self._known(arn, *match.groups()):
                raise invalid_principal(arn)
        return None

    def _known(self, arn, account_id, kind, name):
        """Whether IAM knows the role or user by now: it exists, and a role is past its new-role delay."""
        if kind == "role":
            sts = sts_rules(self.layer)
            return sts.role(arn) is not None and sts.ready(account_id, name)
        iam = self.moto.client("iam", account_id=account_id)
        try:
            iam.get_user(UserName=name)
        except iam.exceptions.NoSuchEntityException:
            return False
        return True
