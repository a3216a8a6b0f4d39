# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Assume a role in a member account, patiently.

Right after CreateAccount reports SUCCEEDED, AWS still needs a few minutes
before the new account's OrganizationAccountAccessRole can be assumed: STS
answers AccessDenied, and the account's services may answer that it "needs a
subscription".  Those answers are retried here until ``timeout`` seconds
have passed; anything else fails at once.
"""

import random
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.retries import landing_zone_retry

DEFAULT_MEMBER_ROLE = "OrganizationAccountAccessRole"
DEFAULT_SESSION_NAME = "awsorg-landing-zone"

# What STS and a just-created account answer while the role is not usable yet.
NOT_READY_CODES = (
    "AccessDenied",
    "InvalidClientTokenId",
    "SubscriptionRequiredException",
    "OptInRequired",
    "RegionDisabledException",
)


def assume_role_argument_spec():
    return dict(
        assume_role=dict(
            type="dict",
            options=dict(
                account_id=dict(type="str"),
                role_name=dict(type="str", default=DEFAULT_MEMBER_ROLE),
                role_arn=dict(type="str"),
                external_id=dict(type="str", no_log=True),
                session_name=dict(type="str", default=DEFAULT_SESSION_NAME),
                duration_seconds=dict(type="int", default=3600),
                timeout=dict(type="int", default=300),
            ),
            required_one_of=[("account_id", "role_arn")],
            mutually_exclusive=[("account_id", "role_arn")],
        ),
    )


def member_role_arn(assume_role):
    """The ARN to assume, from ``role_arn`` or ``account_id`` + ``role_name``."""
    if assume_role.get("role_arn"):
        return assume_role["role_arn"]
    account_id = str(assume_role["account_id"])
    if len(account_id) != 12 or not account_id.isdigit():
        raise AnsibleAWSError(message=f"assume_role.account_id must be 12 digits, got {account_id!r}")
    role_name = assume_role.get("role_name") or DEFAULT_MEMBER_ROLE
    return f"arn:aws:iam::{account_id}:role/{role_name}"


@landing_zone_retry
def _assume_role(sts_client, **params):
    return sts_client.assume_role(**params)["Credentials"]


def assume_member_role(sts_client, assume_role, sleep=time.sleep, clock=time.monotonic):
    """Return the Credentials dict of AssumeRole, retrying while the role is not ready."""
    role_arn = member_role_arn(assume_role)
    params = dict(
        RoleArn=role_arn,
        RoleSessionName=assume_role.get("session_name") or DEFAULT_SESSION_NAME,
        DurationSeconds=assume_role.get("duration_seconds") or 3600,
    )
    if assume_role.get("external_id"):
        params["ExternalId"] = assume_role["external_id"]
    timeout = assume_role.get("timeout")
    timeout = 300 if timeout is None else timeout
    deadline = clock() + timeout
    delay = 2.0
    attempts = 0
    while True:
        attempts += 1
        try:
            return _assume_role(sts_client, **params)
        except is_boto3_error_code(list(NOT_READY_CODES)) as e:
            remaining = deadline - clock()
            if remaining <= 0:
                code = e.response["Error"]["Code"]
                raise AnsibleAWSError(
                    message=(
                        f"Could not assume {role_arn}: AWS still answered {code} after {attempts} attempts"
                        f" over {timeout} seconds. A new account can take several minutes before its role"
                        " is usable; raise assume_role.timeout, or check the role name and its trust policy"
                    ),
                    exception=e,
                ) from e
            sleep(min(remaining, random.uniform(delay / 2, delay)))
            delay = min(delay * 2, 30.0)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise AnsibleAWSError(message=f"Failed to assume {role_arn}", exception=e) from e
