"""Write every task result of a run to the JSON file named by RESULT_RECORDER_PATH.

Used by the tests to read what modules returned without parsing stdout.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: result_recorder
type: aggregate
short_description: record task results to a JSON file (tests only)
description: Appends one JSON object per task result to the file in RESULT_RECORDER_PATH.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get("RESULT_RECORDER_PATH")
        if not path:
            return
        entry = dict(
            host=result._host.get_name(),
            task=result._task.get_name(),
            action=result._task.action,
            status=status,
            result=result._result,
        )
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
