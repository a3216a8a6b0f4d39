# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: drift_report
type: aggregate
short_description: A drift report (JSON and Markdown, exit status 3 on drift) from a --check --diff run
version_added: 0.1.0
description:
  - Turns a C(--check --diff) run of the landing zone into a drift report - what in the live
    organization differs from the inventory, one entry per account and resource with the live
    state (before) and what a real run would make of it (after) - written as C(drift-report.json)
    and C(drift-report.md) in O(report_dir), and printed at the end of the run.
  - Reports only when asked to, so that it can stay enabled for every run - C(playbooks/drift.yml)
    asks (its first play sets C(landing_zone_drift_report=true)), and so does the extra variable
    C(-e landing_zone_drift_report=true) on any other playbook - and only in check mode.
  - Ends C(ansible-playbook) with exit status 0 when nothing would change (no drift) and 3 when
    something would (drift). A run with a failed or unreachable host keeps the exit status of
    C(ansible-playbook) (2, 4, ...), and its report says C(error). Any other status is an error
    too (1, 4 and 5 before the first play).
  - Secrets are never written - results of C(no_log) tasks are left out (listed as not compared),
    and strings under keys named like a password, secret, token, access key, credential or private
    key in a diff are replaced by C((hidden)).
  - Files on the controller (Terraform backend files, AWS CLI profiles, the account map) are output
    of the landing zone, not state of the organization; tasks that change only them are listed as
    not compared.
requirements:
  - Enabled in C(callbacks_enabled) of C(ansible.cfg) (this repository's C(ansible.cfg) enables it)
    or in E(ANSIBLE_CALLBACKS_ENABLED). List it last - its exit status ends C(ansible-playbook)
    after the play recap, before later plugins see the end of the run.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  report_dir:
    description:
      - Directory the report files are written to; created when missing. A relative path is
        relative to the directory C(ansible-playbook) runs in.
      - The extra variable C(landing_zone_drift_report_dir) (for example from an AWX job template)
        takes precedence.
    type: path
    default: drift-report
    env:
      - name: LANDING_ZONE_DRIFT_REPORT_DIR
    ini:
      - section: callback_drift_report
        key: report_dir
  exit_status:
    description:
      - End C(ansible-playbook) with exit status 3 when the report found drift. With V(false) the
        report is written and the exit status is that of C(ansible-playbook) (0).
    type: bool
    default: true
    env:
      - name: LANDING_ZONE_DRIFT_REPORT_EXIT_STATUS
    ini:
      - section: callback_drift_report
        key: exit_status
notes:
  - Which accounts the entries belong to is learnt from the run itself (the preflight's plan and the
    account ids the organization role finds), so run the whole landing zone, as C(playbooks/drift.yml) does.
  - The collection's README.md, section "Drift report", shows both outputs; docs/awx.md schedules the
    report as an AWX job.
"""

import os

from ansible import context
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.callback import CallbackBase

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import DRIFT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import DriftCollector
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import JSON_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import MARKDOWN_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import render_json
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.drift_report import render_markdown

# The variable that asks for a report: a play variable (playbooks/drift.yml) or an extra variable.
REQUEST_VARIABLE = "landing_zone_drift_report"
REPORT_DIR_VARIABLE = "landing_zone_drift_report_dir"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "awsorg.landing_zone.drift_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._collector = DriftCollector()
        self._requested = False
        self._report_dir_variable = None
        self._playbook = None

    # --- is a report asked for ------------------------------------------------------------------

    @staticmethod
    def _check_mode():
        return bool(context.CLIARGS.get("check"))

    @property
    def _active(self):
        return self._requested and self._check_mode()

    def v2_playbook_on_start(self, playbook):
        self._playbook = os.path.relpath(playbook._file_name) if playbook._file_name else None

    def v2_playbook_on_play_start(self, play):
        extra_vars = play.get_variable_manager().extra_vars or {}
        for variables in (play.vars or {}, extra_vars):
            if _literal_true(variables.get(REQUEST_VARIABLE)):
                self._requested = True
        report_dir = extra_vars.get(REPORT_DIR_VARIABLE)
        if isinstance(report_dir, str) and report_dir and "{{" not in report_dir:
            self._report_dir_variable = report_dir

    # --- results --------------------------------------------------------------------------------

    def _collect(self, result):
        if not self._active:
            return
        task = result._task
        self._collector.add_result(
            result._host.get_name(), task.get_name(), _action(task), result._result,
            item_label=result._result.get("_ansible_item_label"),
        )

    def v2_runner_on_ok(self, result):
        self._collect(result)

    def v2_runner_item_on_ok(self, result):
        self._collect(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if self._active and not ignore_errors:
            self._collector.add_failure(result._host.get_name(), result._task.get_name(), _action(result._task),
                                        result._result)

    def v2_runner_on_unreachable(self, result):
        if self._active:
            self._collector.add_failure(result._host.get_name(), result._task.get_name(), _action(result._task),
                                        result._result, unreachable=True)

    # --- the end of the run ---------------------------------------------------------------------

    def v2_playbook_on_stats(self, stats):
        if not self._requested:
            return
        if not self._check_mode():
            self._display.warning("drift_report: the run is not in check mode (--check), so it is no drift report;"
                                  " nothing was written")
            return
        failed = sorted(host for host in stats.processed
                        if stats.summarize(host)["failures"] or stats.summarize(host)["unreachable"])
        report = self._collector.report(failed_hosts=failed, playbook=self._playbook,
                                        diff_mode=bool(context.CLIARGS.get("diff")))
        markdown = render_markdown(report)
        directory = os.path.abspath(os.path.expanduser(self._report_dir_variable or self.get_option("report_dir")))
        try:
            _write(directory, JSON_NAME, render_json(report))
            _write(directory, MARKDOWN_NAME, markdown)
            written = f"JSON: {os.path.join(directory, JSON_NAME)}\nMarkdown: {os.path.join(directory, MARKDOWN_NAME)}"
        except OSError as e:
            written = None
            self._display.error(f"drift_report: could not write the report to {directory}: {to_text(e)}")
        self._display.banner("DRIFT REPORT")
        self._display.display(markdown)
        if written is None:
            # A report nobody can read must not pass for "no drift".
            raise SystemExit(1)
        self._display.display(written)
        if report["status"] == DRIFT and self.get_option("exit_status"):
            # ansible-playbook has nothing left to do but exit: the play recap is
            # printed and the other plugins listed before this one have seen the stats.
            raise SystemExit(report["exit_code"])


def _action(task):
    """The module's full name, however the task spelt it."""
    return getattr(task, "resolved_action", None) or task.action


def _literal_true(value):
    """A variable set to true as written (a template, unrendered here, does not count)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and "{{" not in value:
        return boolean(value, strict=False)
    return False


def _write(directory, name, text):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)
