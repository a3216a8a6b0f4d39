# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The drift report: what a ``--check --diff`` run of the landing zone would change, per account and resource.

A check-mode run reads the live organization and says, task by task, what
the real run would change: every such change is something that differs
between the organization and the inventory, made outside the landing zone
or not applied yet.  The ``drift_report`` callback plugin feeds every task
result to a ``DriftCollector``; this module turns them into one entry per
account and resource with the live state (``before``) and what the landing
zone would make of it (``after``), and renders JSON and Markdown.

Pure: no Ansible objects, no AWS call, so every rule is unit-tested.

What is never in the report:

* results of ``no_log`` tasks (Ansible has already replaced them; the task
  is listed as not compared);
* secret values in a diff: strings under keys named like a password,
  secret, token, access key, credential or private key, and any private
  key block, are replaced by ``(hidden)``;
* files on the controller (generated backend files, AWS CLI profiles,
  account maps): they are output of the landing zone, not state of the
  organization, and an AWX job starts without them every time.
"""

import datetime
import json
import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id

# The exit status of a check-mode run that found drift.  Not 2: ansible-playbook
# itself exits 2 when a host failed, 4 when one was unreachable or the playbook
# could not be parsed, 1, 5, 99 and 250 for other errors; 3 is none of them,
# so "drift" can never be mistaken for "error".
DRIFT_EXIT_CODE = 3
NO_DRIFT, DRIFT, ERROR = "no drift", "drift", "error"
REPORT_FORMAT = 1
JSON_NAME = "drift-report.json"
MARKDOWN_NAME = "drift-report.md"

HIDDEN = "(hidden)"
ABSENT = "(absent)"
_MISSING = object()

# Modules that act on AWS resources.  Everything else (ansible.builtin's copy,
# template, file, set_fact...) works on the controller.
AWS_COLLECTIONS = ("awsorg.landing_zone.", "amazon.aws.")
# Our modules that only write files on the controller.
LOCAL_FILE_MODULES = frozenset(["awsorg.landing_zone.aws_profile_writer", "awsorg.landing_zone.controller_files"])

# Key names (snake_case, after splitting camelCase) whose string values are secrets.
_SECRET_KEY = re.compile(
    r"(?:^|_)(?:password|passwd|passphrase|secret|secret_key|secret_access_key|access_key|access_key_id"
    r"|session_token|security_token|token|private_key|credentials?|credential_process)$"
)
_PRIVATE_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY[A-Z ]*-----")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Markdown table cells are kept short; the JSON file has every value in full.
MARKDOWN_VALUE_LENGTH = 160


# --- secrets ------------------------------------------------------------------------------------


def is_secret_key(key):
    """True when a value stored under ``key`` is a secret (``SecretAccessKey``, ``initial_password``...)."""
    name = _CAMEL_HUMP.sub("_", str(key)).lower().replace("-", "_")
    return _SECRET_KEY.search(name) is not None


def hide_secrets(value, key=None):
    """``value`` with every secret string replaced by ``(hidden)``.

    A string is secret when its key is named like one, or when it holds a
    private key block.  Numbers and booleans stay (``RequireSymbols``,
    ``MinimumPasswordLength`` are settings, not secrets).
    """
    if isinstance(value, dict):
        return {k: hide_secrets(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [hide_secrets(v, key) for v in value]
    if isinstance(value, str) and value:
        if (key is not None and is_secret_key(key)) or _PRIVATE_KEY_BLOCK.search(value):
            return HIDDEN
    return value


# --- what differs -------------------------------------------------------------------------------


def differences(before, after, path="", key=None):
    """The leaves that differ between ``before`` and ``after``: ``[{path, before, after}]``.

    Mappings are compared key by key and lists of equal length item by item,
    so a changed principal in a trust policy reads
    ``trust_policy.Statement[0].Principal.AWS``.  A side that does not exist
    has no ``before`` / ``after`` key.  Secret values are hidden.
    """
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for name in _ordered_keys(before, after):
            found.extend(differences(before.get(name, _MISSING), after.get(name, _MISSING), _join(path, name), name))
        return found
    if isinstance(before, list) and isinstance(after, list) and before and len(before) == len(after):
        found = []
        for index, (old, new) in enumerate(zip(before, after)):
            found.extend(differences(old, new, f"{path}[{index}]", key))
        return found
    change = dict(path=path)
    if before is not _MISSING:
        change["before"] = hide_secrets(before, key)
    if after is not _MISSING:
        change["after"] = hide_secrets(after, key)
    return [change]


def _ordered_keys(before, after):
    """The keys of both mappings: before's in its order, then those only after has."""
    return list(before) + [name for name in after if name not in before]


def _join(path, name):
    return f"{path}.{name}" if path else str(name)


# --- which account ------------------------------------------------------------------------------


class AccountDirectory:
    """Account id, name and email to inventory host, learnt from the run's own results.

    The preflight's ``landing_zone_plan`` fact (every host's id, name and
    email), the organization role's ``organization_current_account_ids``
    (every id known after creating accounts) and ``add_host`` results that
    set an ``account_id``.
    """

    def __init__(self):
        self.host_by_id = {}
        self.host_by_label = {}
        self.id_by_host = {}

    def learn(self, result):
        facts = result.get("ansible_facts") or {}
        plan = facts.get("landing_zone_plan")
        if isinstance(plan, dict):
            for host, entry in plan.items():
                if isinstance(entry, dict):
                    self._add(host, entry.get("id"), entry.get("name"), entry.get("email"))
        known = facts.get("organization_current_account_ids")
        if isinstance(known, dict):
            for host, account_id in known.items():
                self._add(host, account_id)
        added = result.get("add_host")
        if isinstance(added, dict) and isinstance(added.get("host_vars"), dict):
            self._add(added.get("host_name"), added["host_vars"].get("account_id"))

    def _add(self, host, account_id, *labels):
        if not host:
            return
        if is_account_id(account_id):
            self.host_by_id[str(account_id)] = host
            self.id_by_host[host] = str(account_id)
        for label in labels:
            if label:
                self.host_by_label[str(label)] = host

    def of_host(self, host):
        """``(host, account id)`` of a task that ran on the account's own host."""
        return host, self.id_by_host.get(host)

    def of_key(self, key, *values):
        """``(host or label, account id)`` of a batched module's diff key.

        The key is an account id, or ``account <name or email>`` for an
        account the module knew by name only (org_account); the values'
        ``id`` is the account id when it has one.
        """
        label = str(key)
        if label.startswith("account "):
            label = label[len("account "):]
        account_id = label if is_account_id(label) else None
        for value in values:
            if account_id is None and isinstance(value, dict) and is_account_id(value.get("id")):
                account_id = str(value["id"])
        host = self.host_by_id.get(account_id) or self.host_by_label.get(label)
        if account_id is None and host:
            account_id = self.id_by_host.get(host)
        return host or label, account_id


# --- collecting results -------------------------------------------------------------------------


def _follow_up_key(key):
    """``(account id, job label)`` of org_account's follow-up diff key (``<id> <module> [name]``), else ``(key, None)``."""
    account_id, _sep, job = str(key).partition(" ")
    if is_account_id(account_id) and job:
        return account_id, job
    return key, None


def _short_name(action):
    return action.rsplit(".", 1)[-1] if action else None


def _is_aws_action(action):
    return bool(action) and action.startswith(AWS_COLLECTIONS) and action not in LOCAL_FILE_MODULES


def _is_file_diff(diff):
    """A diff of a file on the controller: Ansible names the file in before_header / after_header."""
    header = diff.get("before_header") or diff.get("after_header")
    return isinstance(header, str) and ("/" in header or "\\" in header)


def _diffs_of(result):
    diff = result.get("diff")
    if isinstance(diff, dict):
        return [diff]
    if isinstance(diff, list):
        return [item for item in diff if isinstance(item, dict)]
    return []


def is_no_log(result):
    """A result Ansible hid (``no_log``): only ``censored`` and ``changed`` are left of it."""
    return bool(result.get("_ansible_no_log")) or "censored" in result


def is_loop_summary(result):
    """The result of a whole loop: its items were each reported on their own."""
    items = result.get("results")
    return isinstance(items, list) and any(isinstance(item, dict) and "ansible_loop_var" in item for item in items)


class DriftCollector:
    """Task results in, drift entries out.

    ``add_result(host, task, action, result)`` for every result of a task
    (each loop item on its own), ``add_failure`` for every failed or
    unreachable one; then ``report()``.
    """

    def __init__(self):
        self.accounts = AccountDirectory()
        # (entry, whose account it is): the account is named at the end, when
        # the run has told every id (org_account reports before the role
        # sets organization_current_account_ids).
        self._found = []
        self.not_compared = []
        self.errors = []

    @property
    def entries(self):
        """The drift entries, each with its account's host (or label) and id."""
        return [self._named(entry, whose) for entry, whose in self._found]

    def _named(self, entry, whose):
        host, key, values = whose
        account, account_id = self.accounts.of_key(key, *values) if key is not None else self.accounts.of_host(host)
        return dict(account=account, account_id=account_id, **entry)

    def add_result(self, host, task, action, result, item_label=None):
        self.accounts.learn(result)
        if not result.get("changed") or is_loop_summary(result):
            return
        if is_no_log(result):
            self._not_compared(host, task, action, "no_log: its result is hidden")
            return
        if not _is_aws_action(action):
            self._not_compared(host, task, action, "works on the controller, not on the organization")
            return
        diffs = _diffs_of(result)
        resource_diffs = [diff for diff in diffs if not _is_file_diff(diff)]
        if diffs and not resource_diffs:
            self._not_compared(host, task, action, "files on the controller only")
            return
        found = []
        for diff in resource_diffs:
            found.extend(self._entries(host, task, action, result, diff, item_label))
        if not found and len(resource_diffs) < len(diffs):
            # What differs is in the files only (tf_backend's backend files).
            self._not_compared(host, task, action, "files on the controller only")
            return
        if not found:
            # Changed, and no diff says what: still a change the real run would make.
            found.append(self._entry((host, None, ()), action, _label(item_label), task, host, None, None))
        self._found.extend(found)

    def add_failure(self, host, task, action, result, unreachable=False):
        if is_no_log(result):
            message = "(hidden: no_log)"
        else:
            message = hide_secrets(result.get("msg") or result.get("reason") or result.get("stderr") or "")
        self.errors.append(dict(host=host, task=task, action=action, unreachable=unreachable,
                                msg=str(message)[:2000]))

    def _not_compared(self, host, task, action, reason):
        item = dict(host=host, task=task, action=action, reason=reason)
        if item not in self.not_compared:  # once per task, not per loop item
            self.not_compared.append(item)

    def _entries(self, host, task, action, result, diff, item_label):
        before, after = diff.get("before"), diff.get("after")
        per_account = isinstance(result.get("accounts"), list)
        per_item = isinstance(result.get("results"), list)
        if (per_account or per_item) and isinstance(before, dict) and isinstance(after, dict):
            # A batched module: its diff is keyed by account (accounts) or by item (paths, policies).
            for key in _ordered_keys(before, after):
                old, new = before.get(key), after.get(key)
                if old == new:
                    continue
                if per_account:
                    account_key, job = _follow_up_key(key)
                    if job:
                        # org_account's follow-up job in an account: the job's module and label name it.
                        module, _sep, name = job.partition(" ")
                        yield self._entry((host, account_key, ()), f"{action.rsplit('.', 1)[0]}.{module}",
                                          name or None, task, host, old, new)
                        continue
                    whose, resource = (host, key, (old, new)), _label(item_label)
                else:
                    whose, resource = (host, None, ()), " ".join(part for part in (_label(item_label), str(key)) if part)
                yield self._entry(whose, action, resource, task, host, old, new)
            return
        if before == after:
            return
        yield self._entry((host, None, ()), action, _label(item_label), task, host, before, after)

    @staticmethod
    def _entry(whose, action, resource, task, host, before, after):
        """``(entry, whose)``: whose account is ``(host, diff key or None, values)``, named in ``entries``."""
        return dict(
            resource_type=_short_name(action),
            resource=resource or None,
            task=task,
            host=host,
            before=hide_secrets(before),
            after=hide_secrets(after),
            changes=differences(before, after) if (before is not None or after is not None) else [],
        ), whose

    def status(self, failed_hosts=()):
        # The play recap decides: a failure a block rescued is listed, and is no error of the run.
        if failed_hosts:
            return ERROR
        return DRIFT if self._found else NO_DRIFT

    def report(self, failed_hosts=(), playbook=None, diff_mode=True, now=None):
        """The whole report, as written to the JSON file."""
        status = self.status(failed_hosts)
        now = now or datetime.datetime.now(datetime.timezone.utc)
        entries = self.entries
        accounts = sorted({entry["account"] for entry in entries if entry["account"]})
        return dict(
            format=REPORT_FORMAT,
            status=status,
            exit_code={NO_DRIFT: 0, DRIFT: DRIFT_EXIT_CODE}.get(status),
            generated_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            playbook=playbook,
            diff_mode=bool(diff_mode),
            summary=dict(resources=len(entries), accounts=accounts, failed_hosts=sorted(failed_hosts)),
            drift=entries,
            not_compared=list(self.not_compared),
            errors=list(self.errors),
        )


def _label(item_label):
    return item_label if isinstance(item_label, str) and item_label else None


# --- rendering ----------------------------------------------------------------------------------


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=False, default=str) + "\n"


def render_markdown(report):
    """The report for people: a headline, then one table row per changed value."""
    lines = ["# Drift report", "", _headline(report), ""]
    when = f"Checked {report['generated_at']}"
    if report.get("playbook"):
        when += f" by `{report['playbook']}`"
    lines += [when + " (check mode" + (", diff)." if report["diff_mode"] else "; without --diff: no before/after)."), ""]
    if report["drift"]:
        lines += ["| account | resource | what | live (before) | landing zone (after) |", "|---|---|---|---|---|"]
        for entry in report["drift"]:
            lines += [_row(entry, change) for change in entry["changes"] or [None]]
        lines.append("")
    if report["errors"]:
        lines += ["## Failed tasks", ""]
        lines += [f"- {error['host']}: {_cell(error['task'])}: {_cell(error['msg'])}" for error in report["errors"]]
        lines.append("")
    if report["not_compared"]:
        lines += ["## Not compared", ""]
        lines += [f"- {item['host']}: {_cell(item['task'])} ({item['reason']})" for item in report["not_compared"]]
        lines.append("")
    return "\n".join(lines)


def _headline(report):
    summary = report["summary"]
    if report["status"] == NO_DRIFT:
        return "**No drift**: the live organization matches the inventory."
    changes = f"{summary['resources']} resource(s) in {len(summary['accounts'])} account(s)"
    if report["status"] == DRIFT:
        return (f"**Drift**: {changes} ({', '.join(summary['accounts'])}) differ from the inventory. A run of the"
                " landing zone would change each value below from the live one (before) to the inventory's (after).")
    failed = ", ".join(summary["failed_hosts"]) or ", ".join(sorted({e["host"] for e in report["errors"]}))
    return f"**Error**: the run did not finish (failed: {failed}); drift found so far: {changes}."


def _row(entry, change):
    account = entry["account"] or ""
    if entry["account_id"] and entry["account_id"] != account:
        account = f"{account} ({entry['account_id']})"
    resource = " ".join(part for part in (entry["resource_type"], entry["resource"]) if part)
    if change is None:
        # A change the module did not describe (no diff): still one the real run would make.
        cells = ["(would change; no diff)", "", ""]
    else:
        cells = [f"`{change['path']}`" if change["path"] else "(the whole resource)",
                 _value(change.get("before", _MISSING)), _value(change.get("after", _MISSING))]
    return "| " + " | ".join([_cell(account), _cell(resource)] + cells) + " |"


def _value(value):
    if value is _MISSING:
        return ABSENT
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) > MARKDOWN_VALUE_LENGTH:
        text = text[:MARKDOWN_VALUE_LENGTH - 1] + "…"
    return f"`{_cell(text).replace('`', chr(39))}`"


def _cell(text):
    """Text safe inside a Markdown table cell: one line, no column separator."""
    return " ".join(str(text).split()).replace("|", "\\|")
