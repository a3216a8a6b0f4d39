"""A new account's services answer "not ready" for a while after its role works (behaviour 4b).

Right after CreateAccount, the account's OrganizationAccountAccessRole can
be assumed before the account's services answer: they answer
``OptInRequired`` while a new account is being activated.  For
``StrictConfig.new_account_services_delay_seconds`` after the account's
creation SUCCEEDED (counted as ``member_role_delay_seconds`` is:
strict_rules/sts.py), the account's own calls get that answer from

* EC2's EBS encryption settings: EC2's error document, "You are not
  subscribed to this service. Please go to http://aws.amazon.com to
  subscribe.", HTTP 401.  Amazon EC2 API Reference, "Error codes for the
  Amazon EC2 API": OptInRequired, the account is not subscribed to the
  service, and a new account may take some time to be activated.  The
  message and status as EC2 sends them, quoted in awslabs/
  aws-deployment-framework issue #283 (DescribeRegions right after account
  creation) and in Terraform's "error creating EBS encryption by default
  (true): OptInRequired: ... status code: 401";
* Account Management's alternate contacts: ``OptInRequired``, "The AWS
  access key ID needs a subscription for the service.", HTTP 403, the
  common error of every AWS API (AWS Account Management API Reference,
  "Common Errors"; its operations document no not-ready error of their own).
"""

import uuid

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_rules.sts import sts_rules

EBS_ENCRYPTION_ACTIONS = (
    "GetEbsEncryptionByDefault",
    "EnableEbsEncryptionByDefault",
    "DisableEbsEncryptionByDefault",
    "GetEbsDefaultKmsKeyId",
    "ModifyEbsDefaultKmsKeyId",
    "ResetEbsDefaultKmsKeyId",
)
ALTERNATE_CONTACT_ACTIONS = (
    "REST.POST.getAlternateContact",
    "REST.POST.putAlternateContact",
    "REST.POST.deleteAlternateContact",
)
EC2_OPT_IN_REQUIRED = "You are not subscribed to this service. Please go to http://aws.amazon.com to subscribe."
EC2_OPT_IN_REQUIRED_STATUS = 401
COMMON_OPT_IN_REQUIRED = "The AWS access key ID needs a subscription for the service."
COMMON_OPT_IN_REQUIRED_STATUS = 403


def ec2_error(code, message, status):
    """EC2's error document (botocore's ec2 protocol reads Response/Errors/Error and RequestID)."""
    request_id = str(uuid.uuid4())
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>").encode()
    return status, {"Content-Type": "text/xml;charset=UTF-8"}, body


class NewAccountServiceRules(Rule):
    name = "new_account_services"

    def before(self, request):
        delay = self.config.new_account_services_delay_seconds
        if not delay or request.caller is None:
            return None
        ec2 = request.is_("ec2", *EBS_ENCRYPTION_ACTIONS)
        if not ec2 and not request.is_("account", *ALTERNATE_CONTACT_ACTIONS):
            return None
        succeeded = sts_rules(self.layer).creation_succeeded_at(request.caller.account_id)
        if succeeded is None or self.layer.clock() >= succeeded + delay:
            return None
        if ec2:
            return ec2_error("OptInRequired", EC2_OPT_IN_REQUIRED, EC2_OPT_IN_REQUIRED_STATUS)
        return AwsError("OptInRequired", COMMON_OPT_IN_REQUIRED, COMMON_OPT_IN_REQUIRED_STATUS)
