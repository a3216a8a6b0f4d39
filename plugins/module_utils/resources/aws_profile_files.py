# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The local side of aws_profile_writer: the ``config`` and ``credentials`` files.

No AWS call here.  Both files are locked, re-read inside the lock, changed in
memory (only the sections that carry the collection's marker, see
common/aws_config_files.py), backed up and replaced atomically with mode
0600, so parallel writers never lose each other's profiles and other
people's sections stay byte for byte.

What leaves this module about the files shows only what is ours: the diff
holds the sections this run adds, changes or removes, never another
section, and never a value of the credentials file.

Backups are written 0600 from their first byte (never copied at the old mode
and tightened afterwards).  The config file gets a dated backup per change,
as ``backup_local`` names them; the credentials file keeps exactly one,
replaced on every change, because each backup is a full copy of someone's
keys.
"""

import os
import re
import time

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common import aws_config_files as ini
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.file_lock import file_lock
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
# The one backup of the credentials file, beside it.
CREDENTIALS_BACKUP_SUFFIX = ".awsorg-landing-zone.bak"
# Backups that AnsibleModule.backup_local made of the credentials file in
# earlier versions: NAME.PID.YYYY-MM-DD@HH:MM:SS~
_DATED_BACKUP = r"\.\d+\.\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}~"


class FilePlan:
    """One file: its text before, its text after, and which of our sections changed."""

    def __init__(self, path, file_kind, before):
        self.path = path
        self.file_kind = file_kind
        self.before = before  # None when the file does not exist
        self.document = ini.AwsIniFile(before or "", file_kind)
        # Our sections as they were, for the diff (the document is edited in place).
        self._before_sections = {s.key: ini.Section(s.key, list(s.lines)) for s in self.document.sections}
        self._changed_keys = set()
        self.added = []
        self.updated = []
        self.removed = []

    @property
    def after(self):
        return self.document.render()

    @property
    def content_changed(self):
        return self.after != (self.before or "")

    def set(self, key, items, adopt):
        existed = self.document.find(key) is not None
        if self.document.set_managed(key, items, adopt):
            (self.updated if existed else self.added).append(ini.describe_key(key))
            self._changed_keys.add(key)

    def remove(self, key):
        if self.document.remove_managed(key):
            self.removed.append(ini.describe_key(key))
            self._changed_keys.add(key)

    # --- the diff: our changed sections only ----------------------------------------

    def _view(self, section, before_section=None):
        if self.file_kind == ini.CREDENTIALS:
            return ini.credentials_diff_view(section, before_section.values() if before_section else None)
        return ini.config_diff_view(section)

    def diff(self):
        """Ansible's diff of this file: before and after of the sections this run changes."""
        before = [self._view(s) for key, s in self._before_sections.items() if key in self._changed_keys]
        after = [
            self._view(s, self._before_sections.get(s.key))
            for s in self.document.sections
            if s.key in self._changed_keys
        ]
        return dict(before_header=self.path, after_header=self.path, before="\n".join(before), after="\n".join(after))


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None


def wanted_sections(profiles, sso_sessions):
    """{file kind: {section key: items}} of every section the profiles and sessions need."""
    wanted = {ini.CONFIG: {}, ini.CREDENTIALS: {}}
    for name, items in sso_sessions.items():
        wanted[ini.CONFIG][(ini.SSO_SESSION, name)] = items
    for profile in profiles:
        if profile.config_items:
            wanted[ini.CONFIG][(ini.PROFILE, profile.name)] = profile.config_items
        if profile.credentials_items:
            wanted[ini.CREDENTIALS][(ini.PROFILE, profile.name)] = profile.credentials_items
    return wanted


def plan_files(paths, profiles, sso_sessions, purge, adopt):
    """Read both files and apply the wanted sections to them in memory."""
    config = FilePlan(paths[ini.CONFIG], ini.CONFIG, _read(paths[ini.CONFIG]))
    credentials = FilePlan(paths[ini.CREDENTIALS], ini.CREDENTIALS, _read(paths[ini.CREDENTIALS]))
    wanted = wanted_sections(profiles, sso_sessions)
    _check_sso_sessions_exist(profiles, config, sso_sessions)
    ours = {(ini.PROFILE, p.name) for p in profiles}
    for plan in (config, credentials):
        for key, items in wanted[plan.file_kind].items():
            plan.set(key, items, adopt)
        for key in plan.document.managed_keys():
            if key in wanted[plan.file_kind]:
                continue
            # A profile we still write but no longer in this file (static keys
            # turned into a role, say) loses its old managed section here; any
            # other managed section goes only when purge is asked for.
            if key in ours or purge:
                plan.remove(key)
    return config, credentials


def _check_sso_sessions_exist(profiles, config, sso_sessions):
    known = set(sso_sessions) | {k[1] for k in config.document.keys() if k[0] == ini.SSO_SESSION}
    for profile in profiles:
        session = profile.setting("sso_session")
        if session and session not in known:
            raise SpecError(
                f"{profile.source}: sso_session {session!r} is neither in sso_sessions nor in {config.path}"
            )


# --- writing ---------------------------------------------------------------------


def _mode_too_open(path):
    try:
        return (os.stat(path).st_mode & 0o777) != FILE_MODE
    except FileNotFoundError:
        return False


def needs_write(plan):
    return plan.content_changed


def needs_chmod(plan):
    return not plan.content_changed and bool(plan.document.managed_keys()) and _mode_too_open(plan.path)


def _dated_backup_path(path):
    # The name AnsibleModule.backup_local gives: unique per process and second.
    return f"{path}.{os.getpid()}.{time.strftime('%Y-%m-%d@%H:%M:%S~', time.localtime())}"


def _remove_dated_backups(path):
    """Drop the dated copies earlier versions left of ``path`` (each a full copy of someone's keys)."""
    directory, name = os.path.split(path)
    dated = re.compile(re.escape(name) + _DATED_BACKUP)
    for entry in os.listdir(directory):
        if dated.fullmatch(entry):
            try:
                os.unlink(os.path.join(directory, entry))
            except FileNotFoundError:
                pass  # another writer removed it first


def write_backup(plan):
    """Back up the text ``plan`` read (what the file held inside the lock); the backup's path.

    write_file_atomic gives the copy mode 0600 before its first byte, whatever
    the umask and whatever the mode of the file it copies.
    """
    if plan.file_kind == ini.CREDENTIALS:
        backup = plan.path + CREDENTIALS_BACKUP_SUFFIX
        write_file_atomic(backup, plan.before.encode("utf-8", "surrogateescape"), mode=FILE_MODE)
        _remove_dated_backups(plan.path)
    else:
        backup = _dated_backup_path(plan.path)
        write_file_atomic(backup, plan.before.encode("utf-8", "surrogateescape"), mode=FILE_MODE)
    return backup


def apply_plan(plan, backup):
    """Back up, then write (or just tighten the mode of) one file; the backup path or None."""
    backup_path = None
    if needs_write(plan):
        if plan.before is not None and backup:
            backup_path = write_backup(plan)
        write_file_atomic(plan.path, plan.after.encode("utf-8", "surrogateescape"), mode=FILE_MODE)
    elif needs_chmod(plan):
        os.chmod(plan.path, FILE_MODE)
    return backup_path


def real_paths(directory):
    # ~/.aws/config is often a symlink into a dotfiles repository: write the
    # file it points to, or the rename would replace the link with a copy.
    return {
        kind: os.path.realpath(os.path.join(directory, kind)) for kind in (ini.CONFIG, ini.CREDENTIALS)
    }


def converge(params, profiles, sso_sessions, check_mode):
    """(config plan, credentials plan, {file kind: backup path}) after writing both files."""
    directory = os.path.abspath(os.path.expanduser(params["directory"]))
    paths = real_paths(directory)
    if check_mode:
        config, credentials = plan_files(paths, profiles, sso_sessions, params["purge"], params["adopt"])
        return config, credentials, {}
    # Parallel writers may all find the directory missing: exist_ok.
    os.makedirs(directory, DIRECTORY_MODE, exist_ok=True)
    for path in paths.values():
        os.makedirs(os.path.dirname(path), DIRECTORY_MODE, exist_ok=True)
    # Fixed order (config, then credentials) so two writers never wait on each other in a cycle.
    with file_lock(paths[ini.CONFIG], timeout=params["lock_timeout"]):
        with file_lock(paths[ini.CREDENTIALS], timeout=params["lock_timeout"]):
            config, credentials = plan_files(paths, profiles, sso_sessions, params["purge"], params["adopt"])
            backups = {}
            for plan in (config, credentials):
                backup = apply_plan(plan, params["backup"])
                if backup:
                    backups[plan.file_kind] = backup
    return config, credentials, backups
