"""The section model of the AWS CLI files: every byte we do not own survives."""

import configparser

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import aws_config_files as ini

MARKER = ini.MANAGED_MARKER

FOREIGN_CONFIG = """\
# Personal settings, keep me
; and me

[default]
region=eu-central-1
output = json

# my sandbox profile
[profile sandbox]
role_arn = arn:aws:iam::999999999999:role/Admin
source_profile=default
s3 =
    max_concurrent_requests = 20

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region: us-east-1
[plugins]
endpoint = awscli_plugin_endpoint
"""


def _parse(text, kind=ini.CONFIG):
    return ini.AwsIniFile(text, kind)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        FOREIGN_CONFIG,
        FOREIGN_CONFIG.rstrip("\n"),
        FOREIGN_CONFIG.replace("\n", "\r\n"),
        "no header at all\nkey = value",
        "[profile x]\nkey = caf\udcc3\n",
    ],
)
def test_parse_and_render_is_byte_exact(text):
    assert _parse(text).render() == text


def test_section_keys_follow_botocore():
    doc = _parse(FOREIGN_CONFIG)
    assert doc.keys() == [
        ("profile", "default"),
        ("profile", "sandbox"),
        ("sso-session", "corp"),
        ("section", "plugins"),
    ]
    assert _parse("[acme]\n[default]\n", ini.CREDENTIALS).keys() == [("profile", "acme"), ("profile", "default")]
    # An indented "[...]" is a continuation of the value above, not a header.
    assert _parse("[profile a]\nx =\n  [not a header]\n").keys() == [("profile", "a")]


def test_adding_sections_keeps_the_foreign_text_as_a_prefix():
    doc = _parse(FOREIGN_CONFIG)
    assert doc.set_managed(("profile", "acme-dev"), [("role_arn", "arn:aws:iam::111111111111:role/R")])
    assert doc.set_managed(("sso-session", "acme"), [("sso_region", "us-east-1")])
    text = doc.render()
    assert text.startswith(FOREIGN_CONFIG)
    assert text[len(FOREIGN_CONFIG):] == (
        f"\n[profile acme-dev]\n{MARKER}\nrole_arn = arn:aws:iam::111111111111:role/R\n"
        f"\n[sso-session acme]\n{MARKER}\nsso_region = us-east-1\n"
    )
    parsed = configparser.RawConfigParser()
    parsed.read_string(text)
    assert parsed["profile acme-dev"]["role_arn"] == "arn:aws:iam::111111111111:role/R"
    assert parsed["profile sandbox"]["source_profile"] == "default"


def test_a_file_without_final_newline_gets_one_before_our_section():
    doc = _parse("[default]\nregion = us-east-1")
    doc.set_managed(("profile", "p"), [("region", "eu-west-1")])
    assert doc.render() == f"[default]\nregion = us-east-1\n\n[profile p]\n{MARKER}\nregion = eu-west-1\n"


def test_crlf_files_stay_crlf():
    doc = _parse("[default]\r\nregion = us-east-1\r\n")
    doc.set_managed(("profile", "p"), [("region", "eu-west-1")])
    assert doc.render() == f"[default]\r\nregion = us-east-1\r\n\r\n[profile p]\r\n{MARKER}\r\nregion = eu-west-1\r\n"


def test_rewriting_a_managed_section_is_idempotent_and_keeps_trailing_comments():
    text = (
        f"[profile acme-dev]\n{MARKER}\nregion = us-east-1\n\n# the next one is mine\n"
        "[profile mine]\nregion = eu-west-1\n"
    )
    doc = _parse(text)
    assert doc.set_managed(("profile", "acme-dev"), [("region", "us-east-1")]) is False
    assert doc.render() == text
    assert doc.set_managed(("profile", "acme-dev"), [("region", "us-west-2")]) is True
    assert doc.render() == text.replace("region = us-east-1", "region = us-west-2")


def test_a_foreign_section_is_not_taken_over_unless_adopted():
    doc = _parse("[profile acme-dev]\nregion = us-east-1\n")
    with pytest.raises(ini.ConfigFileError, match=r"\[profile acme-dev\] already exists .* adopt"):
        doc.set_managed(("profile", "acme-dev"), [("region", "eu-west-1")])
    assert doc.set_managed(("profile", "acme-dev"), [("region", "eu-west-1")], adopt=True)
    assert doc.render() == f"[profile acme-dev]\n{MARKER}\nregion = eu-west-1\n"
    assert doc.managed_keys() == [("profile", "acme-dev")]


def test_duplicate_sections_are_refused():
    doc = _parse("[profile a]\nx = 1\n[profile a]\nx = 2\n")
    with pytest.raises(ini.ConfigFileError, match="appears 2 times"):
        doc.set_managed(("profile", "a"), [("x", "3")])


def test_removal_touches_managed_sections_only():
    text = (
        "[profile keep]\nregion = eu-west-1\n\n"
        f"[profile old]\n{MARKER}\nregion = us-east-1\n\n"
        f"[profile gone]\n{MARKER}\nregion = us-east-1\n# note about last\n"
        "[profile last]\nregion = us-east-2\n"
    )
    doc = _parse(text)
    assert doc.remove_managed(("profile", "keep")) is False
    assert doc.remove_managed(("profile", "missing")) is False
    assert doc.remove_managed(("profile", "old")) is True
    assert doc.remove_managed(("profile", "gone")) is True
    assert doc.render() == (
        "[profile keep]\nregion = eu-west-1\n\n# note about last\n[profile last]\nregion = us-east-2\n"
    )


def test_values_of_a_section():
    doc = _parse(FOREIGN_CONFIG)
    assert doc.find(("sso-session", "corp")).values() == {
        "sso_start_url": "https://corp.awsapps.com/start",
        "sso_region": "us-east-1",
    }


def test_redact_hides_every_secret_whatever_the_syntax():
    text = (
        "[a]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n"
        "aws_session_token:tok3n\n  continued-tok3n\nAWS_SECRET_ACCESS_KEY=UPPER\r\n"
        "# aws_secret_access_key = in-a-comment\nregion = us-east-1\n"
    )
    redacted = ini.redact(text)
    for secret in ("s3cr3t", "tok3n", "UPPER", "in-a-comment"):
        assert secret not in redacted
    assert "aws_access_key_id = AKIAEXAMPLE" in redacted
    assert "aws_secret_access_key = ********" in redacted
    assert "AWS_SECRET_ACCESS_KEY=********\r\n" in redacted
    assert "# aws_secret_access_key = ********\n" in redacted
    assert "region = us-east-1" in redacted
    assert redacted.count("\n") == text.count("\n")
