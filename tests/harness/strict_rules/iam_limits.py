"""IAM's size and count quotas (behaviour 5)."""

from tests.harness.strict_aws import Rule


class IamLimitRules(Rule):
    name = "iam_limits"
