"""Service Quotas for ServiceCode ``organizations``, which moto 5.2 lacks (its default quotas cover vpc only).

moto answers NoSuchResourceException for every Organizations quota.  This
rule answers, with the shapes of botocore's service-quotas model
(``ServiceQuota``; JSON protocol, target ``ServiceQuotasV20190624``):

* ListAWSDefaultServiceQuotas(ServiceCode=organizations): AWS's default of
  the account quota, "Default maximum number of accounts", 10, adjustable
  (Quotas for AWS Organizations,
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html;
  code L-29A0C5DF, the one the Service Quotas console links for it: AWS warns
  the code may change, the collection finds the quota by name).
* GetServiceQuota(organizations, L-29A0C5DF): the value applied to this
  organization, ``StrictConfig.account_quota`` (the figure the Organizations
  rule refuses CreateAccount past: raising it in a test raises both).  While
  it is AWS's default no increase was applied, and, as AWS answers for a
  quota "If the applied quota value is not available for a quota, the quota is
  not retrieved" (GetServiceQuota, botocore's model), NoSuchResourceException;
  so is a code Organizations does not have.
* Organizations is global, its quotas live in us-east-1 ("you must use
  us-east-1 to access Organizations quotas", same page): another region
  answers NoSuchResourceException, as moto does for unknown services.

The SCP size quota is not listed: org_scp then keeps its documented default
(its tests expect 10,240 characters).  Other service codes go on to moto.
"""

from tests.harness.strict_aws import MOTO_DEFAULT_ACCOUNT
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import json_answer
from tests.harness.strict_aws import json_error

SERVICE_CODE = "organizations"
SERVICE_NAME = "AWS Organizations"
HOME_REGION = "us-east-1"
ACCOUNT_QUOTA_CODE = "L-29A0C5DF"
ACCOUNT_QUOTA_NAME = "Default maximum number of accounts"
DEFAULT_ACCOUNT_QUOTA = 10
NO_SUCH_RESOURCE = "The specified resource does not exist."
NOT_IN_REGION = "This service is not available in the current Region. Choose a different Region or a different service."


def account_quota_record(value, account_id=None):
    """A ``ServiceQuota`` of the account quota: the default (no account id in the ARN) or the applied value."""
    return dict(
        ServiceCode=SERVICE_CODE,
        ServiceName=SERVICE_NAME,
        QuotaArn=f"arn:aws:servicequotas:{HOME_REGION}:{account_id or ''}:{SERVICE_CODE}/{ACCOUNT_QUOTA_CODE}",
        QuotaCode=ACCOUNT_QUOTA_CODE,
        QuotaName=ACCOUNT_QUOTA_NAME,
        Value=float(value),
        Unit="None",
        Adjustable=True,
        GlobalQuota=True,
        QuotaAppliedAtLevel="ACCOUNT",
        Description="The default maximum number of accounts allowed in an organization.",
    )


class ServiceQuotasRules(Rule):
    name = "service_quotas"

    def before(self, request):
        if request.service not in ("servicequotas", "service-quotas"):
            return None
        if request.params.get("ServiceCode") != SERVICE_CODE:
            return None  # moto's answer (vpc, or NoSuchResourceException)
        handler = {
            "ListAWSDefaultServiceQuotas": self._list_defaults,
            "GetServiceQuota": self._get_applied,
            "GetAWSDefaultServiceQuota": self._get_default,
        }.get(request.action)
        if handler is None:
            return None
        if request.region != HOME_REGION:
            return json_error("NoSuchResourceException", NOT_IN_REGION)
        return handler(request)

    def _list_defaults(self, request):  # pylint: disable=unused-argument
        return json_answer(dict(Quotas=[account_quota_record(DEFAULT_ACCOUNT_QUOTA)]))

    def _get_default(self, request):
        if request.params.get("QuotaCode") != ACCOUNT_QUOTA_CODE:
            return json_error("NoSuchResourceException", NO_SUCH_RESOURCE)
        return json_answer(dict(Quota=account_quota_record(DEFAULT_ACCOUNT_QUOTA)))

    def _get_applied(self, request):
        applied = self.config.account_quota
        if request.params.get("QuotaCode") != ACCOUNT_QUOTA_CODE or applied == DEFAULT_ACCOUNT_QUOTA:
            return json_error("NoSuchResourceException", NO_SUCH_RESOURCE)
        account_id = request.caller.account_id if request.caller else MOTO_DEFAULT_ACCOUNT
        return json_answer(dict(Quota=account_quota_record(applied, account_id)))
