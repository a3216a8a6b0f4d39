"""account_baseline without a network: option checks, the preflight of landing_zone_baseline, the EBS key.

moto does not answer GetEbsDefaultKmsKeyId, so the EBS default key is
exercised here against botocore's Stubber, which fails on any call that is
not expected, in this order, with these parameters.
"""

import copy

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_baseline import ebs_region_change
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import settings_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan

KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_MANAGED_ARN = "arn:aws:kms:eu-west-1:111111111111:key/ffffffff-12ab-34cd-56ef-1234567890ab"
CONTACT = dict(name="Sec", title="Security", email_address="security@example.com", phone_number="+1 555 0100")


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(account_alias="Acme_Prod"), "account_alias: 'Acme_Prod' must be 3-63 lowercase letters, digits and"),
        (dict(account_alias="acme--prod"), "account_alias: 'acme--prod' must be 3-63"),
        (dict(account_alias="123456789012"), "account_alias: '123456789012' must not be digits only"),
        (dict(password_policy=dict(minimum_password_length=200)),
         "password_policy.minimum_password_length: 200 is not between 6 and 128"),
        (dict(password_policy=dict(min_length=8)), "password_policy: unknown setting 'min_length'"),
        (dict(regions=["eu-west-1", "Frankfurt"]), "regions: 'Frankfurt' is not a region name"),
        (dict(ebs_default_kms_key_id=" "), "ebs_default_kms_key_id: must be a key id"),
        (dict(alternate_contacts=dict(security=dict(CONTACT, email_address="nobody"))),
         "alternate_contacts.security.email_address: 'nobody' is not an email address"),
        (dict(alternate_contacts=dict(billing=dict(CONTACT, phone_number="call me"))),
         "alternate_contacts.billing.phone_number: 'call me' may only hold digits"),
        (dict(alternate_contacts=dict(billing=dict(CONTACT, title="x" * 51))),
         "alternate_contacts.billing.title: must be at most 50 characters, got 51"),
        (dict(alternate_contacts=dict(legal=CONTACT)), "alternate_contacts: 'legal' is not one of billing,"),
    ],
)
def test_each_bad_setting_is_named_with_its_value(settings, message):
    problems = settings_problems(settings)
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_good_settings_have_no_problem():
    assert settings_problems(dict(
        account_alias="acme-production", password_policy=dict(minimum_password_length=16, password_max_age=0),
        regions=["us-east-1", "eu-west-1"], ebs_default_kms_key_id="alias/ebs",
        alternate_contacts=dict(security=CONTACT, billing=None),
    )) == []


# --- the preflight ------------------------------------------------------------------

SETTINGS = dict(
    landing_zone_project="acme",
    landing_zone_email_pattern="{owner}+{project}-{account}@{domain}",
    landing_zone_email_tokens=dict(owner="platform", domain="example.com"),
    landing_zone_identity_account="security",
    landing_zone_password_policy=dict(minimum_password_length=16, require_symbols=True),
)
HOSTS = dict(
    management=dict(account_id="123456789012", account_email="root@example.com", account_wave=0),
    security=dict(account_wave=1),
    Production_EU=dict(account_wave=2),
)


def preflight(baseline):
    settings = dict(copy.deepcopy(SETTINGS), landing_zone_baseline=baseline)
    return build_plan(copy.deepcopy(HOSTS), ["management"], settings)[1]


def test_the_preflight_checks_the_baseline_for_every_account():
    assert preflight(dict(account_alias=False, s3_public_access_block={}, regions=["us-east-1"])) == []
    problems = preflight(dict(
        password_policy=dict(minimum_password_length=12),
        s3_public_access_block=dict(block_public_acls="yes"),
        ebs_encryption_by_default="on",
        alternate_contacts=dict(security=dict(CONTACT, email_address="@")),
        region="eu-west-1",
    ))
    assert "Production_EU: landing_zone_baseline: account_alias: 'acme-Production_EU' must be 3-63 lowercase" \
           " letters, digits and single hyphens, starting and ending with a letter or digit" in problems
    assert "all: landing_zone_baseline: unknown setting 'region'; allowed: account_alias, password_policy," \
           " s3_public_access_block, ebs_encryption_by_default, ebs_default_kms_key_id, regions," \
           " alternate_contacts" in problems
    assert any(p.startswith("all: landing_zone_baseline: s3_public_access_block: must be false or a mapping")
               for p in problems)
    assert "all: landing_zone_baseline: ebs_encryption_by_default: must be true or false, got 'on'" in problems
    assert "all: landing_zone_baseline: alternate_contacts.security.email_address: '@' is not an email address" \
           in problems
    assert any(p.startswith("all: landing_zone_baseline: password_policy: differs from landing_zone_password_policy")
               for p in problems)
    assert len(problems) == 6, problems


def test_an_alias_pattern_without_the_account_gives_every_account_the_same_alias():
    problems = preflight(dict(account_alias="{project}-aws"))
    assert "security: landing_zone_baseline: account_alias: 'acme-aws' is also the alias of Production_EU" in problems
    assert preflight(dict(account_alias="{project}-{acount}")) == [
        "all: landing_zone_baseline: account_alias: cannot expand '{project}-{acount}': 'acount'"]


# --- EBS default key, per region -------------------------------------------------------


def stubbed(service):
    client = boto3.client(service, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def key(arn):
    return {"KeyMetadata": {"KeyId": arn.rsplit("/", 1)[-1], "Arn": arn}}


def test_the_ebs_key_is_compared_as_arns_and_set_before_encryption_is_switched_on():
    ec2, ec2_stub = stubbed("ec2")
    kms, kms_stub = stubbed("kms")
    ec2_stub.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": False}, {})
    kms_stub.add_response("describe_key", key(KEY_ARN), {"KeyId": "alias/ebs"})
    ec2_stub.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": "alias/aws/ebs"}, {})
    kms_stub.add_response("describe_key", key(AWS_MANAGED_ARN), {"KeyId": "alias/aws/ebs"})

    change = ebs_region_change("eu-west-1", ec2, kms, True, "alias/ebs")
    assert change.changed and change.label == "ebs:eu-west-1"
    assert change.before == dict(encryption_by_default=False, default_kms_key_id=AWS_MANAGED_ARN)
    assert change.after == dict(encryption_by_default=True, default_kms_key_id=KEY_ARN)
    ec2_stub.assert_no_pending_responses()
    kms_stub.assert_no_pending_responses()

    ec2_stub.add_response("modify_ebs_default_kms_key_id", {"KmsKeyId": KEY_ARN}, {"KmsKeyId": KEY_ARN})
    ec2_stub.add_response("enable_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {})
    change.write()
    ec2_stub.assert_no_pending_responses()


def test_the_same_key_by_another_name_changes_nothing_and_a_missing_key_fails_before_writing():
    ec2, ec2_stub = stubbed("ec2")
    kms, kms_stub = stubbed("kms")
    ec2_stub.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {})
    kms_stub.add_response("describe_key", key(KEY_ARN), {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"})
    ec2_stub.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": KEY_ARN}, {})
    change = ebs_region_change("eu-west-1", ec2, kms, None, "1234abcd-12ab-34cd-56ef-1234567890ab")
    assert not change.changed
    assert change.after == dict(encryption_by_default=True, default_kms_key_id=KEY_ARN)

    ec2_stub.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {})
    kms_stub.add_client_error("describe_key", "NotFoundException", expected_params={"KeyId": "alias/gone"})
    with pytest.raises(ValueError, match="ebs_default_kms_key_id: there is no KMS key 'alias/gone' in eu-west-1"):
        ebs_region_change("eu-west-1", ec2, kms, True, "alias/gone")
    ec2_stub.assert_no_pending_responses()
