"""The one home of the input rules AWS applies: what passes and what AWS would refuse."""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import REGION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_SESSION_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import email_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import role_arn_account_id


@pytest.mark.parametrize("value, expected", [
    ("123456789012", True),
    (123456789012, True),
    ("12345678901", False),
    ("1234567890123", False),
    ("١٢٣٤٥٦٧٨٩٠١٢", False),  # Arabic-Indic digits: Python's \d takes them, AWS does not
    ("12345678901\n", False),
    (None, False),
])
def test_account_ids_are_twelve_ascii_digits(value, expected):
    assert is_account_id(value) is expected


@pytest.mark.parametrize("name, expected", [
    ("OrganizationAccountAccessRole", True),
    ("role+=,.@_-", True),
    ("rôle", False),
    ("r" * 64, True),
    ("r" * 65, False),
    ("has space", False),
])
def test_role_names_are_iam_ascii(name, expected):
    assert (ROLE_NAME.fullmatch(name) is not None) is expected


def test_session_names_are_ascii_too():
    assert ROLE_SESSION_NAME.fullmatch("awsorg-landing-zone")
    assert not ROLE_SESSION_NAME.fullmatch("sessión")


@pytest.mark.parametrize("arn, account", [
    ("arn:aws:iam::123456789012:role/admin", "123456789012"),
    ("arn:aws-us-gov:iam::123456789012:role/path/admin", "123456789012"),
    ("arn:aws-cn:iam::123456789012:role/admin", "123456789012"),
    ("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/admin", None),
    ("arn:aws:iam::123456789012:user/admin", None),
])
def test_role_arns_in_every_partition(arn, account):
    assert role_arn_account_id(arn) == account


def test_regions_and_emails():
    assert REGION.fullmatch("us-gov-west-1") and REGION.fullmatch("eu-west-1")
    assert not REGION.fullmatch("eu-west-١")
    assert email_problem("ops@example.com") is None
    assert email_problem("ops@example") is not None
