"""A deny-all service control policy denies a member account's calls (behaviour 8).

A call made with credentials of a member account is refused when a service
control policy that denies everything (a statement Effect Deny, Action
``*``, no Condition) is attached to the account, to an OU above it or to
the root, and SCPs are enabled on the root.  SCPs never apply to the
management account nor to service-linked roles (AWS Organizations User
Guide, "Service control policies (SCPs)",
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).

The refusal is AWS's explicit-deny AccessDenied, shaped per protocol.  Its
message names the policy as AWS has done since 2025 ("... with an explicit
deny in a service control policy: arn:aws:organizations::...", AWS Security
Blog, "Enhanced access denied error messages with policy ARNs",
https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/;
the phrase itself: IAM User Guide, "Troubleshoot access denied error
messages", https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).

Only deny-all SCPs are evaluated: the action names of REST calls as the
proxy sees them are not IAM action names, so a narrower SCP could not be
matched honestly.
"""

import urllib.parse

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_rules.org_view import organization_view

# The error code and HTTP status of an access denial, per protocol: the Query
# services (IAM, STS) and S3 answer AccessDenied 403; the JSON services
# (Organizations, KMS, ...) AccessDeniedException 400; REST-JSON services
# (Account, ...) AccessDeniedException 403 (each service's API reference,
# "Common Errors": AccessDeniedException, HTTP Status Code 400 for the JSON
# protocol; botocore's service models for the others).
_DENIAL = {
    "query": ("AccessDenied", 403),
    "json": ("AccessDeniedException", 400),
    "s3": ("AccessDenied", 403),
    "rest-json": ("AccessDeniedException", 403),
}

# "No permissions are required to perform this operation. If an administrator
# attaches a policy to your identity that explicitly denies access to the
# sts:GetCallerIdentity action, you can still perform this operation."
# (AWS STS API Reference, GetCallerIdentity.)
_NEVER_DENIED = {("sts", "GetCallerIdentity")}

# Service-linked roles are named AWSServiceRoleFor<Service> (as AWS names
# them, e.g. AWSServiceRoleForOrganizations); a session ARN carries the role
# name only, not its /aws-service-role/ path.
_SERVICE_LINKED_PREFIX = "AWSServiceRoleFor"


def is_service_linked(caller):
    if caller.kind != "assumed-role":
        return False
    role_name = caller.principal_arn.rsplit("/", 1)[-1]
    return role_name.startswith(_SERVICE_LINKED_PREFIX)


def _resource(request, account_id):
    """The resource named in the message: the IAM entity or S3 bucket when the call names one, else ``*``."""
    params = request.params
    if request.service == "iam":
        for param, kind in (("RoleName", "role"), ("UserName", "user"), ("GroupName", "group")):
            if params.get(param):
                return f"arn:aws:iam::{account_id}:{kind}/{params[param]}"
        if params.get("PolicyArn"):
            return params["PolicyArn"]
    if request.service == "s3":
        bucket = [p for p in urllib.parse.urlsplit(request.path).path.split("/") if p][:1]
        if bucket:
            return f"arn:aws:s3:::{bucket[0]}"
    return "*"


def scp_denial(request, caller, policy_arn):
    code, status = _DENIAL.get(request.protocol, _DENIAL["query"])
    message = (f"User: {caller.arn} is not authorized to perform: {request.service}:{request.action}"
               f" on resource: {_resource(request, caller.account_id)}"
               f" with an explicit deny in a service control policy: {policy_arn}")
    return AwsError(code, message, status)


class ServiceControlPolicyRules(Rule):
    name = "scp"

    @property
    def view(self):
        return organization_view(self.layer)

    def before(self, request):
        if not request.access_key_id or (request.service, request.action) in _NEVER_DENIED:
            return None
        caller = request.caller
        if caller is None or is_service_linked(caller):
            return None
        policy_arn = self.view.scp_denial(caller.account_id)
        if policy_arn:
            raise scp_denial(request, caller, policy_arn)
        return None

    def after(self, request, answer):
        # An Organizations write may have moved an account or changed a policy.
        if request.service == "organizations" and request.call.get("mutating"):
            self.view.forget()
        return None

    def reset(self):
        self.view.forget()
