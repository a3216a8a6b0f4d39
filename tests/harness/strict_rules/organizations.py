"""Organizations: duplicates, creation limits, account quota, closing (behaviours 6 and 7)."""

from tests.harness.strict_aws import Rule


class OrganizationsRules(Rule):
    name = "organizations"
