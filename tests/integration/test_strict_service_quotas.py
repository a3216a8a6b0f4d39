"""Strict mode: Service Quotas answers for Organizations' account quota as AWS does (moto has none)."""

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through

# These tests are about the strict layer: strict whatever STRICT_AWS says.
pytestmark = pytest.mark.usefixtures("strict_on")

ACCOUNT_QUOTA = "L-29A0C5DF"


def _refused(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response
    assert type(raised.value).__name__ == error["Error"]["Code"] == "NoSuchResourceException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error


def test_the_default_account_quota_is_listed_and_has_no_applied_value_until_raised(proxy):
    quotas = through(proxy, "service-quotas")
    [quota] = quotas.list_aws_default_service_quotas(ServiceCode="organizations")["Quotas"]
    assert (quota["QuotaName"], quota["QuotaCode"], quota["Value"], quota["Adjustable"]) == (
        "Default maximum number of accounts", ACCOUNT_QUOTA, 10.0, True)
    assert quota["ServiceCode"] == "organizations" and quota["QuotaArn"].endswith(f":organizations/{ACCOUNT_QUOTA}")
    # No increase applied: GetServiceQuota retrieves nothing.
    _refused(quotas.get_service_quota, ServiceCode="organizations", QuotaCode=ACCOUNT_QUOTA)

    proxy.configure_strict(account_quota=25)
    applied = quotas.get_service_quota(ServiceCode="organizations", QuotaCode=ACCOUNT_QUOTA)["Quota"]
    assert (applied["QuotaCode"], applied["Value"], applied["QuotaAppliedAtLevel"]) == (ACCOUNT_QUOTA, 25.0, "ACCOUNT")
    assert applied["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:123456789012:organizations/{ACCOUNT_QUOTA}"
    # The default stays the default.
    default = quotas.get_aws_default_service_quota(ServiceCode="organizations", QuotaCode=ACCOUNT_QUOTA)["Quota"]
    assert default["Value"] == 10.0


def test_unknown_codes_and_other_regions_are_no_such_resource_and_moto_answers_without_strict(proxy):
    proxy.configure_strict(account_quota=25)
    quotas = through(proxy, "service-quotas")
    _refused(quotas.get_service_quota, ServiceCode="organizations", QuotaCode="L-00000000")
    elsewhere = through(proxy, "service-quotas", region="eu-west-1")
    _refused(elsewhere.list_aws_default_service_quotas, ServiceCode="organizations")
    # Other services are moto's (vpc has defaults).
    assert quotas.list_aws_default_service_quotas(ServiceCode="vpc")["Quotas"]
    proxy.configure_strict(enabled=False)
    _refused(quotas.list_aws_default_service_quotas, ServiceCode="organizations")  # moto lacks them
