"""Placeholder ids of what a preview would create (common/placeholders.py)."""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import placeholders


def test_placeholders_name_what_they_stand_for_and_are_recognised():
    assert placeholders.new_account_id("acme-sandbox") == "(new account acme-sandbox)"
    assert placeholders.new_ou_id("/workloads/sandbox") == "(new OU /workloads/sandbox)"
    for value in ("(new account acme-sandbox)", "(new OU /a)", placeholders.new_organization_id(),
                  placeholders.new_root_id()):
        assert placeholders.is_placeholder(value)
    for value in ("123456789012", "ou-ab12-cdefgh12", None, 123456789012, "(new", ""):
        assert not placeholders.is_placeholder(value)


def test_an_ou_placeholder_gives_its_path_back():
    assert placeholders.placeholder_ou_path("(new OU /workloads/sandbox)") == "/workloads/sandbox"
    assert placeholders.placeholder_ou_path(placeholders.new_root_id()) == "/"
    assert placeholders.placeholder_ou_path("ou-ab12-cdefgh12") is None
    assert placeholders.placeholder_ou_path("(new account x)") is None
