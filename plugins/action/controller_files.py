# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Files the roles generate on the controller, written from the worker itself: no module process.

``ansible.builtin.copy`` and ``ansible.builtin.file`` delegated to localhost
start a module process each (the copy action runs ``stat`` to compare), about
half a second of every run per file even when nothing changes.  The account id
map, the Terraform account map and the initial passwords' directory are the
controller's own files: this action compares and writes them in-process.
"""

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import file_state
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import make_directory
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import missing_directories
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic

ARGUMENT_SPEC = dict(
    files=dict(type="list", elements="dict", default=[], options=dict(
        path=dict(type="path", required=True),
        content=dict(type="str", required=True),
        mode=dict(type="raw", default="0644"),
    )),
    directories=dict(type="list", elements="dict", default=[], options=dict(
        path=dict(type="path", required=True),
        mode=dict(type="raw", default="0755"),
    )),
    directory_mode=dict(type="raw", default="0755"),
)


def _mode(value, where):
    """A mode given as an octal string (``"0644"``) or an int; a YAML 0644 is already the int."""
    try:
        mode = int(value, 8) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise AnsibleActionFail(f"{where}: mode {value!r} is not an octal file mode such as '0644'")
    return mode


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(self._task.args)
        if validated.error_messages:
            raise AnsibleActionFail("; ".join(validated.error_messages))
        params = validated.validated_parameters
        # Every mode is checked before the first write.
        directory_mode = _mode(params["directory_mode"], "directory_mode")
        directories = [(os.path.abspath(d["path"]), _mode(d["mode"], f"directories: {d['path']}"))
                       for d in params["directories"]]
        files = [(os.path.abspath(f["path"]), f["content"].encode("utf-8"), _mode(f["mode"], f"files: {f['path']}"))
                 for f in params["files"]]

        run = _Run(self._task.check_mode, directory_mode)
        try:
            for path, mode in directories:
                run.directory(path, mode)
            for path, data, mode in files:
                run.directory(os.path.dirname(path), None)
                run.file(path, data, mode)
        except OSError as e:
            raise AnsibleActionFail(f"{e.filename}: {e.strerror}", result=dict(
                changed=run.changed, directories=run.directories, files=run.files)) from e
        result.update(changed=run.changed, directories=run.directories, files=run.files)
        if self._task.diff and run.diffs:
            result["diff"] = run.diffs
        return result


class _Run:
    """What one task does to the controller's files, or (check mode) would do."""

    def __init__(self, check_mode, directory_mode):
        self.check_mode = check_mode
        self.directory_mode = directory_mode
        self.directories, self.files, self.diffs = [], [], []
        self._created = set()

    @property
    def changed(self):
        return any(entry["state"] != "unchanged" for entry in self.directories + self.files)

    def directory(self, path, mode):
        """``path`` exists (missing parents get directory_mode); with ``mode``, it has that mode."""
        for missing in missing_directories(path):
            if missing in self._created:
                continue
            wanted = mode if missing == path and mode is not None else self.directory_mode
            if not self.check_mode:
                make_directory(missing, wanted)
            self._created.add(missing)
            self.directories.append(dict(path=missing, state="created", mode=f"{wanted:04o}"))
        if mode is not None and path not in self._created:
            self.directories.append(dict(path=path, state=self._mode(path, os.stat(path).st_mode & 0o7777, mode),
                                         mode=f"{mode:04o}"))

    def file(self, path, data, mode):
        current, current_mode = file_state(path)
        if current == data:
            state = self._mode(path, current_mode, mode)
        else:
            self.diffs.append(dict(before_header=path, after_header=path,
                                   before="" if current is None else current.decode("utf-8", errors="replace"),
                                   after=data.decode("utf-8")))
            state = "created" if current is None else "updated"
            if not self.check_mode:
                write_file_atomic(path, data, mode=mode)
        self.files.append(dict(path=path, state=state, mode=f"{mode:04o}"))

    def _mode(self, path, current, wanted):
        if current == wanted:
            return "unchanged"
        self.diffs.append(dict(before_header=f"{path} (mode)", after_header=f"{path} (mode)",
                               before=f"{current:04o}\n", after=f"{wanted:04o}\n"))
        if not self.check_mode:
            os.chmod(path, wanted)
        return "mode changed"
