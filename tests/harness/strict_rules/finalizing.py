"""A new organization that has not finished initializing (FinalizingOrganizationException).

Right after CreateOrganization, AWS refuses some writes of the new
organization: "AWS Organizations couldn't perform the operation because your
organization hasn't finished initializing. This can take up to an hour. Try
again later. If after one hour you continue to receive this error, contact
Amazon Web Services Support." (FinalizingOrganizationException, botocore's
Organizations exceptions reference).  botocore 1.44's model lists it for
CreateAccount, CreateGovCloudAccount and InviteAccountToOrganization;
terraform-provider-aws retries CreateOrganizationalUnit on it too
(internal/service/organizations/organizational_unit.go, 4 minutes), and
hashicorp/terraform PR #13831 met it on CreateAccount right after
CreateOrganization.  moto never answers it.

This rule answers it (400, the JSON protocol's client error) to those calls
for ``StrictConfig.organization_finalizing_seconds`` after a CreateOrganization
that passed through the proxy (an organization the test makes straight in
moto is taken as finished).
"""

import threading

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule

FINALIZING_CALLS = ("CreateAccount", "CreateGovCloudAccount", "InviteAccountToOrganization", "CreateOrganizationalUnit")
FINALIZING_MESSAGE = (
    "AWS Organizations couldn't perform the operation because your organization hasn't finished initializing."
    " This can take up to an hour. Try again later. If after one hour you continue to receive this error,"
    " contact Amazon Web Services Support."
)


class FinalizingOrganizationRules(Rule):
    name = "finalizing_organization"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._created_at = None  # clock time of the last CreateOrganization seen

    def reset(self):
        with self._lock:
            self._created_at = None

    def finalizing(self):
        """Whether the organization made through the proxy is still initializing."""
        with self._lock:
            created_at = self._created_at
        return created_at is not None and self.layer.clock() - created_at < self.config.organization_finalizing_seconds

    def before(self, request):
        if request.is_("organizations", *FINALIZING_CALLS) and self.finalizing():
            raise AwsError("FinalizingOrganizationException", FINALIZING_MESSAGE, 400)
        return None

    def after(self, request, answer):
        if request.is_("organizations", "CreateOrganization") and answer and answer[0] == 200:
            with self._lock:
                self._created_at = self.layer.clock()
        return None
