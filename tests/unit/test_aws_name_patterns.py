"""AWS's name patterns are ASCII and whole: Python's \\w would take "é", and a "$" anchor a trailing newline.

The API models spell these rules with \\w, which AWS reads as [A-Za-z0-9_]; each
check here is matched with fullmatch and re.ASCII.
"""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import alias_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import settings_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import MANAGED_POLICY_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import POLICY_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import selection_statements
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.sso_permission_set import session_minutes
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.sso_permission_set import validate as validate_permission_sets

CONTACT = dict(name="Ops", title="Operations", email_address="ops@example.com", phone_number="+1 555 0100")


@pytest.mark.parametrize("alias", ["myalias\n", "my-älias", "MyAlias"])
def test_an_account_alias_with_a_trailing_newline_or_a_non_ascii_letter_is_refused(alias):
    assert alias_problem(alias) == (f"{alias!r} must be 3-63 lowercase letters, digits and single hyphens, starting"
                                    " and ending with a letter or digit")


def test_a_plain_account_alias_passes():
    assert alias_problem("acme-prod") is None


@pytest.mark.parametrize("email", ["ops@exämple.com", "öps@example.com", "ops@example.cöm"])
def test_an_alternate_contact_email_with_a_non_ascii_letter_is_refused(email):
    problems = settings_problems(dict(alternate_contacts=dict(security=dict(CONTACT, email_address=email))))
    assert problems == [f"alternate_contacts.security.email_address: {email!r} is not an email address"]


@pytest.mark.parametrize("email", ["ops@example.com", " ops+sec@mail.example.com "])
def test_an_ascii_alternate_contact_email_passes(email):
    assert settings_problems(dict(alternate_contacts=dict(security=dict(CONTACT, email_address=email)))) == []


@pytest.mark.parametrize("phone", ["+1\u2003555 0100", "+1 555 ٠١٠٠"])
def test_an_alternate_contact_phone_with_a_non_ascii_digit_or_space_is_refused(phone):
    problems = settings_problems(dict(alternate_contacts=dict(security=dict(CONTACT, phone_number=phone))))
    assert problems == [f"alternate_contacts.security.phone_number: {phone!r} may only hold digits, spaces and ( ) + -"]


@pytest.mark.parametrize("name, expected", [
    ("read-findings", True),
    ("p+=,.@_-", True),
    ("p" * 128, True),
    ("p" * 129, False),
    ("réad", False),
    ("read\n", False),
])
def test_inline_policy_names_are_iam_ascii(name, expected):
    assert (POLICY_NAME.fullmatch(name) is not None) is expected


def test_managed_policy_arns_are_ascii():
    assert MANAGED_POLICY_ARN.fullmatch("arn:aws:iam::aws:policy/PowerUserAccess")
    assert MANAGED_POLICY_ARN.fullmatch("arn:aws:iam::123456789012:policy/team/ops")
    assert not MANAGED_POLICY_ARN.fullmatch("arn:aws:iam::aws:policy/PöwerUserAccess")
    assert not MANAGED_POLICY_ARN.fullmatch("arn:aws:iam::aws:policy/PowerUserAccess\n")


def _permission_set(name):
    return dict(name=name, state="present", description=None, session_duration="PT1H", relay_state=None,
                managed_policy_arns=None, inline_policy=None)


@pytest.mark.parametrize("name", ["Admin\n", "Ädmin"])
def test_a_permission_set_name_with_a_trailing_newline_or_a_non_ascii_letter_is_refused(name):
    with pytest.raises(SpecError) as error:
        validate_permission_sets(dict(permission_sets=[_permission_set(name)]))
    assert str(error.value) == f"permission_sets[0].name: must be 1 to 32 letters, digits and +=,.@_-, got {name!r}"


def test_an_ascii_permission_set_name_passes():
    assert validate_permission_sets(dict(permission_sets=[_permission_set("Admin_2+ops")]))[0]["name"] == "Admin_2+ops"


@pytest.mark.parametrize("description, refused", [("Admins \u2014 all accounts", "'\u2014'"), ("Costs in \u20ac", "'\u20ac'")])
def test_a_permission_set_description_outside_latin_1_is_refused_naming_the_characters(description, refused):
    entry = dict(_permission_set("Admin"), description=description)
    with pytest.raises(SpecError) as error:
        validate_permission_sets(dict(permission_sets=[entry]))
    assert str(error.value).startswith(f"permission_sets[0].description: {description!r} holds {refused};"
                                       " IAM Identity Center takes only printable ASCII"), str(error.value)


def test_a_latin_1_permission_set_description_with_a_line_break_passes():
    entry = dict(_permission_set("Admin"), description="Équipe d'exploitation\nread-only")
    assert validate_permission_sets(dict(permission_sets=[entry]))[0]["description"] == entry["description"]


def test_a_session_duration_with_a_trailing_newline_or_other_digits_is_not_a_duration():
    assert session_minutes("PT8H") == 480
    assert session_minutes("PT8H\n") is None
    assert session_minutes("PT٨H") is None


@pytest.mark.parametrize("role", ["bad\n", "rôle"])
def test_an_scp_library_exempt_role_with_a_trailing_newline_or_a_non_ascii_letter_is_refused(role):
    selection = dict(name="allow_regions", params=dict(regions=["eu-west-1"], exempt_roles=[role]))
    with pytest.raises(LibraryError) as error:
        selection_statements(selection, "scp_library[0]")
    assert f"params.exempt_roles: {role!r} is not a role name" in str(error.value)
