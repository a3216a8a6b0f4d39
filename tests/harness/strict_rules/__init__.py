"""The strict layer's rules, one module per part of AWS (tests/harness/strict_aws.py).

Order matters: the first rule that refuses a call answers it.  The service
control policy check comes first (AWS evaluates SCPs before anything else
of a member account's call), then the service rules.
"""

from tests.harness.strict_rules.account_management import AccountManagementRules
from tests.harness.strict_rules.finalizing import FinalizingOrganizationRules
from tests.harness.strict_rules.handshakes import HandshakeRules
from tests.harness.strict_rules.iam_limits import IamLimitRules
from tests.harness.strict_rules.iam_principals import IamPrincipalRules
from tests.harness.strict_rules.iam_state import IamStateRules
from tests.harness.strict_rules.new_account_services import NewAccountServiceRules
from tests.harness.strict_rules.organizations import OrganizationsRules
from tests.harness.strict_rules.policy_types import PolicyTypeRules
from tests.harness.strict_rules.root_access import RootAccessRules
from tests.harness.strict_rules.s3 import S3Rules
from tests.harness.strict_rules.scp import ServiceControlPolicyRules
from tests.harness.strict_rules.service_quotas import ServiceQuotasRules
from tests.harness.strict_rules.sts import StsRules


def all_rules(layer):
    return [
        ServiceControlPolicyRules(layer),
        RootAccessRules(layer),
        StsRules(layer),
        NewAccountServiceRules(layer),
        IamLimitRules(layer),
        IamPrincipalRules(layer),
        IamStateRules(layer),
        # Before the rules that answer Organizations writes themselves (handshakes, CreateAccount).
        FinalizingOrganizationRules(layer),
        # Before OrganizationsRules: it answers whole calls about policy types moto lacks.
        PolicyTypeRules(layer),
        # Before OrganizationsRules: it answers the handshake calls moto lacks.
        HandshakeRules(layer),
        # Before OrganizationsRules: it renames accounts in the listings that rule rewrites too.
        AccountManagementRules(layer),
        OrganizationsRules(layer),
        S3Rules(layer),
        ServiceQuotasRules(layer),
    ]
