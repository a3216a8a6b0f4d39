"""Per-task timings of a benchmark run, as JSON lines in the file named by BENCH_TIMER_PATH.

One line per task (in the order the tasks started): its name, its action,
when it started and how long until the next task started (every host
included), and how many host results it produced by status.  The
benchmark sums them per action to show where a run spends its time.
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: per-task wall time of a run (benchmark only)
description: Writes one JSON object per task to the file in BENCH_TIMER_PATH.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._current = None
        self._path = os.environ.get("BENCH_TIMER_PATH")

    def _flush(self):
        if self._current is None or not self._path:
            return
        entry = self._current
        entry["seconds"] = round(time.monotonic() - entry.pop("_started"), 3)
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
        self._current = None

    def _start(self, task):
        self._flush()
        self._current = dict(task=task.get_name(), action=task.action, results={}, _started=time.monotonic())

    def _count(self, status):
        if self._current is not None:
            self._current["results"][status] = self._current["results"].get(status, 0) + 1

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_playbook_on_play_start(self, play):
        self._flush()

    def v2_runner_on_ok(self, result):
        self._count("changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count("failed")

    def v2_runner_on_skipped(self, result):
        self._count("skipped")

    def v2_runner_item_on_ok(self, result):
        self._count("item")

    def v2_playbook_on_stats(self, stats):
        self._flush()
