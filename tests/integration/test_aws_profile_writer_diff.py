"""aws_profile_writer's --diff shows only what is ours; the credentials file keeps one private backup (issue 14)."""

import json
import os

import pytest

MODULE = "awsorg.landing_zone.aws_profile_writer"
BACKUP_NAME = "credentials.awsorg-landing-zone.bak"

# Someone else's profile: its credential_process arguments carry a secret.
PROCESS_SECRET = "Sup3rS3cretProcessArgument"
FOREIGN_CONFIG = f"""\
[profile unrelated]
credential_process = /opt/bin/fetch-creds --token {PROCESS_SECRET} --account 999999999999
region = eu-west-1
"""
# Another profile's keys in the credentials file.
FOREIGN_KEY_ID = "AKIAFOREIGNKEYID0001"
FOREIGN_SECRET = "foreign/Secret+Value+abcdefghijklmnopq"
FOREIGN_CREDENTIALS = f"""\
[other]
aws_access_key_id = {FOREIGN_KEY_ID}
aws_secret_access_key = {FOREIGN_SECRET}
"""
OUR_KEY_IDS = ("AKIAOURFIRSTKEYID001", "AKIAOURSECONDKEYID02")
OUR_SECRETS = ("ours/First+Secret+0123456789abcdefghij", "ours/Second+Secret+0123456789abcdefghi")
# Never in a diff: nothing of anyone else's sections, no value of the credentials file.
NEVER_SHOWN = (PROCESS_SECRET, "fetch-creds", "unrelated", "[other]", FOREIGN_KEY_ID, FOREIGN_SECRET,
               *OUR_KEY_IDS, *OUR_SECRETS)
# Never anywhere in the output either (our key ids are task arguments, which -vvv prints).
NEVER_IN_OUTPUT = (PROCESS_SECRET, "fetch-creds", "unrelated", "[other]", FOREIGN_KEY_ID, FOREIGN_SECRET, *OUR_SECRETS)


def _args(directory, key_index):
    return dict(
        directory=str(directory),
        project="acme",
        accounts=[dict(name="dev", id="111111111111")],
        roles=[dict(name="oaar", source_profile="acme-bootstrap")],
        profiles=[dict(name="acme-bootstrap", type="static", aws_access_key_id=OUR_KEY_IDS[key_index],
                       aws_secret_access_key=OUR_SECRETS[key_index])],
    )


def _diffs(result):
    return {os.path.basename(d["after_header"]): d for d in result["diff"]}


def _backups(directory):
    return sorted(name for name in os.listdir(directory) if name.startswith("credentials."))


def test_the_diff_shows_our_sections_only_and_no_credentials_value(ansible, tmp_path):
    directory = tmp_path / "aws"
    directory.mkdir()
    (directory / "config").write_text(FOREIGN_CONFIG)
    (directory / "credentials").write_text(FOREIGN_CREDENTIALS)
    # A dated copy an earlier version left: a full copy of someone's keys.
    (directory / "credentials.4242.2024-01-31@12:00:00~").write_text(FOREIGN_CREDENTIALS)

    run = ansible.run_tasks([
        {"name": "preview", MODULE: _args(directory, 0), "check_mode": True},
        {"name": "write", MODULE: _args(directory, 0)},
        {"name": "rotate", MODULE: _args(directory, 1)},
        {"name": "again", MODULE: _args(directory, 1)},
    ], diff=True, verbosity=3)
    assert not run.failed(), run.output[-4000:]
    preview, written, rotated, again = (run.one(name) for name in ("preview", "write", "rotate", "again"))

    # Nobody else's section and no credentials value in any diff; no secret anywhere in the -vvv output.
    for result in (preview, written, rotated):
        shown = json.dumps(result["diff"])
        for value in NEVER_SHOWN:
            assert value not in shown, (value, shown)
    for value in NEVER_IN_OUTPUT:
        assert value not in run.output, value

    # Adding: the preview predicts the real diff; our sections in full (config) or by key name (credentials).
    assert _diffs(preview) == _diffs(written)
    config, credentials = _diffs(written)["config"], _diffs(written)["credentials"]
    assert config["before"] == ""
    assert config["after"] == (
        "[profile acme-dev-oaar]\n# managed by awsorg.landing_zone\n"
        "role_arn = arn:aws:iam::111111111111:role/OrganizationAccountAccessRole\n"
        "source_profile = acme-bootstrap\n"
    )
    assert credentials["before"] == ""
    assert credentials["after"] == (
        "[acme-bootstrap]\n# managed by awsorg.landing_zone\naws_access_key_id = (set)\naws_secret_access_key = (set)\n"
    )

    # Rotating the key: only the credentials file changes, and its diff says which keys changed.
    assert list(_diffs(rotated)) == ["credentials"]
    rotated_credentials = _diffs(rotated)["credentials"]
    assert rotated_credentials["before"] == credentials["after"]
    assert rotated_credentials["after"] == (
        "[acme-bootstrap]\n# managed by awsorg.landing_zone\n"
        "aws_access_key_id = (changed)\naws_secret_access_key = (changed)\n"
    )
    assert again["changed"] is False and again["diff"] == []

    # The files hold everything; foreign sections byte for byte.
    assert (directory / "config").read_text().startswith(FOREIGN_CONFIG)
    credentials_text = (directory / "credentials").read_text()
    assert credentials_text.startswith(FOREIGN_CREDENTIALS) and OUR_SECRETS[1] in credentials_text

    # Two writing runs, one backup of the credentials file: the text before the last change. The
    # dated copy an earlier version left is gone.
    assert _backups(directory) == [BACKUP_NAME]
    assert written["credentials_backup_file"] == rotated["credentials_backup_file"] == str(directory / BACKUP_NAME)
    assert (directory / BACKUP_NAME).read_text() == FOREIGN_CREDENTIALS + "\n" + (
        "[acme-bootstrap]\n# managed by awsorg.landing_zone\n"
        f"aws_access_key_id = {OUR_KEY_IDS[0]}\naws_secret_access_key = {OUR_SECRETS[0]}\n"
    )
    assert (directory / BACKUP_NAME).stat().st_mode & 0o777 == 0o600


@pytest.mark.long
def test_a_purge_shows_the_removed_sections_only(ansible, tmp_path):
    directory = tmp_path / "aws"
    directory.mkdir()
    (directory / "config").write_text(FOREIGN_CONFIG)
    (directory / "credentials").write_text(FOREIGN_CREDENTIALS)
    first = ansible.run_module(MODULE, _args(directory, 0))
    assert first["changed"] is True, first.get("msg")

    purged = ansible.run_module(MODULE, dict(_args(directory, 0), roles=[], profiles=[], purge=True))
    assert sorted(purged["removed"]) == ["profile acme-bootstrap", "profile acme-dev-oaar"], purged.get("msg")
    diffs = _diffs(purged)
    assert diffs["config"]["before"].startswith("[profile acme-dev-oaar]\n") and diffs["config"]["after"] == ""
    assert diffs["credentials"]["before"] == (
        "[acme-bootstrap]\n# managed by awsorg.landing_zone\naws_access_key_id = (set)\naws_secret_access_key = (set)\n"
    )
    assert diffs["credentials"]["after"] == ""
    for value in NEVER_SHOWN:
        assert value not in json.dumps(purged["diff"]), value
    for value in NEVER_IN_OUTPUT:
        assert value not in purged["_run"].output, value
    # Foreign sections stay (with the blank line that separated ours from them); ours are gone.
    for name, foreign in (("config", FOREIGN_CONFIG), ("credentials", FOREIGN_CREDENTIALS)):
        text = (directory / name).read_text()
        assert text.startswith(foreign) and text[len(foreign):].strip() == "", text


def test_the_backup_is_private_under_a_permissive_umask(ansible, tmp_path):
    directory = tmp_path / "aws"
    directory.mkdir()
    previous = os.umask(0)
    try:
        (directory / "credentials").write_text(FOREIGN_CREDENTIALS)
        os.chmod(directory / "credentials", 0o666)  # world-readable, as a careless tool left it
        (directory / "config").write_text(FOREIGN_CONFIG)
        os.chmod(directory / "config", 0o666)
        result = ansible.run_module(MODULE, _args(directory, 0))
    finally:
        os.umask(previous)
    assert result["changed"] is True, result.get("msg")
    for name in ("credentials", "config", BACKUP_NAME, os.path.basename(result["backup_file"])):
        assert (directory / name).stat().st_mode & 0o777 == 0o600, name
    assert (directory / BACKUP_NAME).read_text() == FOREIGN_CREDENTIALS
