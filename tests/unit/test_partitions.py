"""Every ARN the collection builds is in the caller's partition: aws, aws-cn or aws-us-gov.

One test per builder, each in the three partitions; then where the
partition comes from: the module's region (no AWS call), else the caller
identity.
"""

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.awsorg.landing_zone.plugins.inventory import organization as inventory
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import member_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import AccountRun
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.access_portal import access_portal_url
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import account_root_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import iam_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import partition_of
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import build_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import role_arns
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import build_trust_policy

ACCOUNT = "210987654321"
PARTITIONS = ["aws", "aws-cn", "aws-us-gov"]
# A region of each partition, and what botocore's endpoint data says it is in.
REGIONS = {"us-east-1": "aws", "eu-central-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
           "us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov"}


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_arn_builders_write_the_partition(partition):
    assert iam_role_arn(partition, ACCOUNT, "Admin") == f"arn:{partition}:iam::{ACCOUNT}:role/Admin"
    assert iam_role_arn(partition, "*", "Admin", "/ops/") == f"arn:{partition}:iam::*:role/ops/Admin"
    assert account_root_arn(partition, ACCOUNT) == f"arn:{partition}:iam::{ACCOUNT}:root"
    assert partition_of(f"arn:{partition}:organizations::123456789012:account/o-abc/{ACCOUNT}") == partition


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_member_role_is_assumed_in_the_callers_partition(partition):
    assume_role = dict(account_id=ACCOUNT, role_name="OrganizationAccountAccessRole")
    expected = f"arn:{partition}:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
    assert member_role_arn(assume_role, partition) == expected

    class STS:
        calls = []

        def assume_role(self, **params):
            self.calls.append(params)
            return {"Credentials": dict(AccessKeyId="ASIA", SecretAccessKey="s", SessionToken="t")}

    sts = STS()
    assume_member_role(sts, assume_role, partition=partition)
    assert [call["RoleArn"] for call in sts.calls] == [expected]


def test_an_explicit_role_arn_keeps_its_own_partition():
    role_arn = f"arn:aws-cn:iam::{ACCOUNT}:role/Admin"
    assert member_role_arn(dict(role_arn=role_arn), "aws") == role_arn


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_cross_account_groups_role_patterns_are_in_the_partition(partition):
    params = dict(roles=[dict(name="infra"), dict(name="audit", path="/sec/", account_ids=[ACCOUNT])],
                  organization_id="o-abcdefghij", partition=partition)
    assert role_arns(params) == sorted([f"arn:{partition}:iam::*:role/infra", f"arn:{partition}:iam::*:role/sec/audit"])
    resources = [resource for statement in build_policy(params)["Statement"] for resource in statement["Resource"]]
    assert sorted(resources) == role_arns(params)


def test_without_a_partition_the_group_policy_is_the_commercial_one():
    # What the preflight sizes and what every group written so far holds.
    assert role_arns(dict(role_name="infra")) == ["arn:aws:iam::*:role/infra"]


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_cross_account_roles_trust_the_source_account_in_the_partition(partition):
    policy = build_trust_policy(dict(source_account_id=ACCOUNT, partition=partition))
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:{partition}:iam::{ACCOUNT}:root"}


@pytest.mark.parametrize("partition", PARTITIONS)
def test_the_inventory_builds_member_role_arns_in_the_accounts_partition(partition):
    account = dict(id=ACCOUNT, arn=f"arn:{partition}:organizations::123456789012:account/o-abcdefghij/{ACCOUNT}")
    assert inventory.member_role_arn(account, "OrganizationAccountAccessRole") == (
        f"arn:{partition}:iam::{ACCOUNT}:role/OrganizationAccountAccessRole")


# --- where the partition comes from --------------------------------------------------


@pytest.fixture
def make_module(monkeypatch):
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)

    def make(**args):
        args = dict(args, access_key="testing", secret_key="testing")
        with patch_module_args(args):
            return AnsibleLandingZoneModule(argument_spec={}, supports_check_mode=True, assume_role=True,
                                            accounts=True)

    return make


class CallerIdentity:
    """An STS client that only answers GetCallerIdentity, and counts."""

    def __init__(self, partition):
        self.partition = partition
        self.calls = 0

    def get_caller_identity(self):
        self.calls += 1
        return {"Account": ACCOUNT, "UserId": "AIDA", "Arn": f"arn:{self.partition}:iam::{ACCOUNT}:user/admin"}


@pytest.mark.parametrize("region, partition", sorted(REGIONS.items()))
def test_the_module_is_in_the_partition_of_its_region_without_an_aws_call(make_module, region, partition):
    module = make_module(region=region, assume_role=dict(account_id=ACCOUNT))
    sts = CallerIdentity("aws")
    module.shared_client = lambda *args, **kwargs: sts
    assert module.partition() == partition
    assert module.target_role_arn == f"arn:{partition}:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
    assert sts.calls == 0


def test_a_region_botocore_does_not_know_asks_the_caller_identity_once(make_module):
    module = make_module(region="xx-private-1")
    sts = CallerIdentity("aws-us-gov")
    module.shared_client = lambda *args, **kwargs: sts
    assert module.partition() == "aws-us-gov"
    assert module.partition() == "aws-us-gov"
    assert sts.calls == 1


def test_every_account_of_a_batch_assumes_its_role_in_the_modules_partition(make_module):
    module = make_module(region="cn-north-1", accounts=[dict(account_id=ACCOUNT)])
    entry = dict(account_id=ACCOUNT, role_name="OrganizationAccountAccessRole", caller=False, params={})
    account_run = AccountRun(module, entry, {}, RunContext(batch=True))
    assert account_run.target_role_arn == f"arn:aws-cn:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"


# --- the AWS access portal ----------------------------------------------------------


@pytest.mark.parametrize("partition, url", [
    ("aws", "https://d-1234567890.awsapps.com/start"),
    ("aws-us-gov", "https://start.us-gov-home.awsapps.com/directory/d-1234567890"),
    ("aws-cn", "https://start.home.awsapps.cn/directory/d-1234567890"),
])
def test_the_access_portal_url_is_the_partitions(partition, url):
    assert access_portal_url("d-1234567890", partition) == url


def test_no_access_portal_url_is_made_up_for_another_partition():
    with pytest.raises(ValueError, match="aws-iso"):
        access_portal_url("d-1234567890", "aws-iso")
