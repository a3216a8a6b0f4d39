# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the IAM Identity Center modules share: the instance, permission sets by name, waiting.

An organization has one IAM Identity Center instance, enabled once from the
console of the management account (there is no API that creates an
organization instance).  The modules find it with ListInstances, or take
``instance_arn`` when the caller sees more than one.

Permission sets are named, but every API call takes their ARN: one
ListPermissionSets and a DescribePermissionSet each map names to ARNs.
Account assignments and permission set provisioning are asynchronous: the
call answers IN_PROGRESS and a request id to poll.
"""

import random
import time

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import sso_admin
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError

# Polling of asynchronous requests (assignments, provisioning).
WAIT_TIMEOUT = 300
_IN_PROGRESS = "IN_PROGRESS"


class AsyncRequestFailed(SpecError):
    """AWS reported FAILED for an asynchronous request; the message carries its reason."""


def find_instance(client, instance_arn=None, region=None):
    """The instance dict (InstanceArn, IdentityStoreId, ...); SpecError naming ``instance_arn``."""
    instances = sso_admin.list_instances(client)
    if instance_arn:
        for instance in instances:
            if instance["InstanceArn"] == instance_arn:
                return instance
        found = ", ".join(i["InstanceArn"] for i in instances) or "none"
        raise SpecError(f"instance_arn: no IAM Identity Center instance {instance_arn!r} in {region} (found: {found})")
    if not instances:
        raise SpecError(
            f"instance_arn: IAM Identity Center is not enabled in {region}; enable it once in the management"
            " account's console (there is no API for an organization instance), then re-run"
        )
    if len(instances) > 1:
        raise SpecError(
            f"instance_arn: {len(instances)} IAM Identity Center instances are visible in {region}; name the"
            f" organization's one ({', '.join(i['InstanceArn'] for i in instances)})"
        )
    return instances[0]


def permission_sets_by_name(client, instance_arn):
    """Name -> DescribePermissionSet answer, for every permission set of the instance."""
    found = {}
    for arn in sso_admin.list_permission_sets(client, instance_arn):
        permission_set = sso_admin.describe_permission_set(client, instance_arn, arn)
        if permission_set is not None:
            found[permission_set["Name"]] = permission_set
    return found


def wait_for_request(describe, status, what, timeout=WAIT_TIMEOUT, sleep=time.sleep, clock=time.monotonic):
    """Poll ``describe(request_id)`` until the request has left IN_PROGRESS; return its final status.

    ``sleep`` and ``clock`` are injectable so the loop can be tested without
    waiting.  FAILED raises AsyncRequestFailed with AWS's reason.
    """
    deadline = clock() + timeout
    delay = 1.0
    while status.get("Status") == _IN_PROGRESS:
        remaining = deadline - clock()
        if remaining <= 0:
            raise AsyncRequestFailed(f"{what}: still in progress after {timeout} seconds (request {status['RequestId']})")
        sleep(min(remaining, random.uniform(delay / 2, delay)))
        delay = min(delay * 2, 10.0)
        status = describe(status["RequestId"])
    if status.get("Status") == "FAILED":
        raise AsyncRequestFailed(f"{what}: AWS reported FAILED: {status.get('FailureReason', 'no reason given')}")
    return status
