"""A deny-all service control policy denies a member account's calls (behaviour 8)."""

from tests.harness.strict_aws import Rule


class ServiceControlPolicyRules(Rule):
    name = "scp"
