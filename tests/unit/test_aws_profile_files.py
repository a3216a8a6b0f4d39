"""aws_profile_files: backups private from their first byte, one for the credentials file; diffs of our sections only."""

import os

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import aws_config_files as ini
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import aws_profile_files as files

FOREIGN = "[other]\naws_access_key_id = AKIAFOREIGN\naws_secret_access_key = foreign-secret\n"


@pytest.fixture
def permissive_umask():
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def watched_writes(monkeypatch):
    """Every file opened for writing through os.fdopen: its mode at that moment, before any byte."""
    modes = {}
    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        modes[os.readlink(f"/proc/self/fd/{fd}")] = os.fstat(fd).st_mode & 0o777
        return real_fdopen(fd, *args, **kwargs)

    def chmod(path, mode, *args, **kwargs):
        raise AssertionError(f"chmod({path!r}, {oct(mode)}) after the file was written")

    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(os, "chmod", chmod)
    return modes


def _credentials_plan(path, before):
    return files.FilePlan(str(path), ini.CREDENTIALS, before)


def test_the_credentials_backup_is_0600_before_its_first_byte_and_there_is_only_one(
        tmp_path, permissive_umask, watched_writes):
    credentials = tmp_path / "credentials"
    credentials.write_text(FOREIGN)
    old = [tmp_path / "credentials.17.2024-01-31@12:00:00~", tmp_path / "credentials.18.2024-02-01@08:30:00~"]
    for path in old:
        path.write_text(FOREIGN)
    unrelated = tmp_path / "credentials.mine~"
    unrelated.write_text("a file of the user's own")

    backups = set()
    for key_id in ("AKIAFIRST", "AKIASECOND"):
        plan = _credentials_plan(credentials, credentials.read_text())
        plan.set((ini.PROFILE, "ours"), [("aws_access_key_id", key_id), ("aws_secret_access_key", "s")], adopt=False)
        backups.add(files.apply_plan(plan, backup=True))

    [backup] = backups
    assert backup == str(credentials) + files.CREDENTIALS_BACKUP_SUFFIX
    # Every file written (the backup's and the credentials file's temporary files) was 0600 when opened.
    assert watched_writes and set(watched_writes.values()) == {0o600}
    assert any(os.path.basename(path).startswith("." + os.path.basename(backup)) for path in watched_writes)
    assert os.stat(backup).st_mode & 0o777 == 0o600
    assert "AKIAFIRST" in open(backup).read()
    # The dated copies of earlier versions are gone; the user's own file is not.
    assert not any(path.exists() for path in old)
    assert unrelated.read_text() == "a file of the user's own"


def test_the_config_backup_is_dated_and_0600_before_its_first_byte(tmp_path, permissive_umask, watched_writes):
    config = tmp_path / "config"
    config.write_text("[profile mine]\nregion = eu-west-1\n")
    plan = files.FilePlan(str(config), ini.CONFIG, config.read_text())
    plan.set((ini.PROFILE, "ours"), [("region", "us-east-1")], adopt=False)
    backup = files.apply_plan(plan, backup=True)
    assert os.path.basename(backup).startswith(f"config.{os.getpid()}.") and backup.endswith("~")
    assert set(watched_writes.values()) == {0o600}
    assert os.stat(backup).st_mode & 0o777 == 0o600
    assert open(backup).read() == "[profile mine]\nregion = eu-west-1\n"


def test_the_diff_holds_our_changed_sections_and_no_credentials_value(tmp_path):
    before = FOREIGN + "\n[ours]\n# managed by awsorg.landing_zone\naws_access_key_id = AKIAOLD\naws_secret_access_key = old\n"
    plan = _credentials_plan(tmp_path / "credentials", before)
    plan.set((ini.PROFILE, "ours"), [("aws_access_key_id", "AKIAOLD"), ("aws_secret_access_key", "new")], adopt=False)
    plan.set((ini.PROFILE, "added"), [("aws_access_key_id", "AKIANEW"), ("aws_secret_access_key", "n")], adopt=False)
    diff = plan.diff()
    assert diff["before"] == "[ours]\n# managed by awsorg.landing_zone\naws_access_key_id = (set)\naws_secret_access_key = (set)\n"
    assert diff["after"] == (
        "[ours]\n# managed by awsorg.landing_zone\naws_access_key_id = (set)\naws_secret_access_key = (changed)\n"
        "\n[added]\n# managed by awsorg.landing_zone\naws_access_key_id = (set)\naws_secret_access_key = (set)\n"
    )
    for value in ("AKIA", "foreign-secret", "old", "new", "[other]"):
        assert value not in diff["before"] + diff["after"]


def test_the_config_diff_redacts_an_adopted_sections_secrets_and_leaves_other_sections_out(tmp_path):
    before = (
        "[profile mine]\ncredential_process = /bin/creds --password hunter2\n"
        "[profile taken]\ncredential_process = /bin/creds --token t0ken\nregion = eu-west-1\n"
        "# a comment about the next section\n[profile other]\nregion = us-west-2\n"
    )
    plan = files.FilePlan(str(tmp_path / "config"), ini.CONFIG, before)
    plan.set((ini.PROFILE, "taken"), [("region", "us-east-1")], adopt=True)
    diff = plan.diff()
    assert diff["before"] == "[profile taken]\ncredential_process = ********\nregion = eu-west-1\n"
    assert diff["after"] == "[profile taken]\n# managed by awsorg.landing_zone\nregion = us-east-1\n"
