# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS Account Management alternate-contact call.

Without ``AccountId`` the calls act on the caller's own account, which is
how a module acting through a member account's role reaches it (passing
``AccountId`` is only allowed from the management or a delegated
administrator account, and only with trusted access for the account service).
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry

# Contact fields: option name -> API name.
CONTACT_FIELDS = {
    "name": "Name",
    "title": "Title",
    "email_address": "EmailAddress",
    "phone_number": "PhoneNumber",
}


class AnsibleAccountError(AnsibleAWSError):
    pass


class AccountErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAccountError

    @classmethod
    def _is_missing(cls):
        # The account has no contact of that type.
        return is_boto3_error_code("ResourceNotFoundException")


@AccountErrorHandler.list_error_handler("get an alternate contact")
@landing_zone_retry
def get_alternate_contact(client, contact_type):
    """The AlternateContact of ``contact_type`` (BILLING, OPERATIONS, SECURITY), or None."""
    return client.get_alternate_contact(AlternateContactType=contact_type)["AlternateContact"]


@AccountErrorHandler.common_error_handler("set an alternate contact")
@landing_zone_retry
def put_alternate_contact(client, contact_type, contact):
    client.put_alternate_contact(AlternateContactType=contact_type, **contact)
