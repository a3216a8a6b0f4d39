# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read live quota values from Service Quotas.

One small wrapper per API call (error handler over ``landing_zone_retry``
over the paginator), and ``live_quota_value`` that finds a quota by a
predicate on its record, because AWS warns that quota codes can change.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


class AnsibleServiceQuotasError(AnsibleAWSError):
    pass


class ServiceQuotasErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleServiceQuotasError

    @classmethod
    def _is_missing(cls):
        # NoSuchResourceException: the service has no quotas in Service Quotas
        # (in this region), or the quota has no applied value of its own.
        return is_boto3_error_code("NoSuchResourceException")


def quotas_region(region):
    """The region that holds the quotas of a global service such as Organizations.

    Organizations lives in us-east-1 (aws), us-gov-west-1 (aws-us-gov) and
    cn-northwest-1 (aws-cn); Service Quotas answers for it only there.
    """
    region = region or ""
    if region.startswith("us-gov-"):
        return "us-gov-west-1"
    if region.startswith("cn-"):
        return "cn-northwest-1"
    return "us-east-1"


@ServiceQuotasErrorHandler.list_error_handler("list the default service quotas", [])
def list_aws_default_service_quotas(client, service_code):
    return all_pages(client, "list_aws_default_service_quotas", "Quotas", ServiceCode=service_code)


@ServiceQuotasErrorHandler.list_error_handler("get a service quota")
@landing_zone_retry
def get_service_quota(client, service_code, quota_code):
    return client.get_service_quota(ServiceCode=service_code, QuotaCode=quota_code)["Quota"]


def live_quota_value(client, service_code, matches):
    """The value in force for the first quota whose record satisfies ``matches``, or None.

    ListAWSDefaultServiceQuotas finds the quota and its code; an adjustable
    quota may have been raised for this account, so GetServiceQuota then reads
    the applied value (none applied: the default stands).
    """
    quota = next((q for q in list_aws_default_service_quotas(client, service_code) if matches(q)), None)
    if quota is None:
        return None
    value = quota.get("Value")
    if quota.get("Adjustable"):
        applied = get_service_quota(client, service_code, quota["QuotaCode"])
        if applied and applied.get("Value") is not None:
            value = applied["Value"]
    return None if value is None else int(value)
