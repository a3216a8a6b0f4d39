"""iam_cross_account_role refuses what CreateRole would, before its first call, with the preflight's rules."""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import validate

SOURCE = "111111111111"


def _params(**options):
    return dict(dict(name="engineers", path=None, state="present", source_account_id=SOURCE), **options)


@pytest.mark.parametrize("description", ["Engineers \u2014 read only", "Costs in \u20ac", "x" * 1001])
def test_a_description_createrole_would_refuse(description):
    with pytest.raises(ValidationError) as error:
        validate(_params(description=description))
    assert str(error.value).startswith(f"description: {description!r} ")


def test_a_description_of_latin_1_tabs_and_line_breaks_passes():
    assert validate(_params(description="Équipe\tplateforme\r\n" + "x" * 980)) is None


def test_a_path_with_a_letter_outside_ascii_is_refused():
    # amazon.aws's validate_iam_identifiers takes "é" (Python's \w); CreateRole's Path is ASCII.
    with pytest.raises(ValidationError) as error:
        validate(_params(path="/péople/"))
    assert str(error.value).startswith("path: '/péople/' is not an IAM path")


@pytest.mark.parametrize("duration", [3599, 43201])
def test_a_max_session_duration_outside_iams_range(duration):
    with pytest.raises(ValidationError) as error:
        validate(_params(max_session_duration=duration))
    assert str(error.value) == f"max_session_duration: {duration} is not between 3600 and 43200"
