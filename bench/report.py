"""docs/benchmarks.md from the results of bench/run.py.

    .venv/bin/python -m bench.report bench/results/<stamp>/results.json [...] > docs/benchmarks.md

Several results files merge (a later file's size replaces an earlier one's),
so sizes measured on different occasions can share one page.  The page's
fixed text (what is measured, targets, findings) lives in
``bench/benchmarks_notes.md`` and is appended below the tables.
"""

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTES = REPO / "bench" / "benchmarks_notes.md"
NOOP_TARGET_SECONDS = 60
LATENCY_TARGET_RATIO = 1.3


def _run(result, label):
    return next((r for r in result["runs"] if r["label"] == label), None) if result else None


def _ratio(a, b):
    return f"{a / b:.1f}x" if a and b else "-"


def _merge(paths):
    merged = dict(landing_zone={}, orgformation={}, floor={}, latency=None, machines=[], commands=[])
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        merged["machines"].append((data["started"], data["machine"]))
        merged["commands"].append(data["command"])
        for key in ("landing_zone", "orgformation", "floor"):
            for result in data.get(key) or []:
                merged[key][result["size"]] = result
        if data.get("latency"):
            merged["latency"] = data["latency"]
    return merged


def _main_table(merged):
    lines = [
        "| accounts (N + mgmt) | run | wall s | CPU s (Ansible) | CPU s (moto) | AWS calls | calls / account"
        " | writes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size in sorted(merged["landing_zone"]):
        ours = merged["landing_zone"][size]
        for label, name in (("first", "first converge"), ("noop", "no-op re-run")):
            run = _run(ours, label)
            if run is None:
                continue
            status = "" if run["rc"] == 0 else f" (rc {run['rc']})"
            lines.append(
                f"| {ours['accounts']} | {name}{status} | {run['wall_seconds']} | {run['cpu_seconds']}"
                f" | {run['moto_cpu_seconds']} | {run['calls']} | {run['calls_per_account']} | {run['writes']} |"
            )
    return lines


def _orgformation_table(merged):
    lines = [
        "| accounts (N + mgmt) | run | org-formation wall s | CPU s (node) | AWS calls | writes"
        " | landing zone wall s | wall ratio (landing zone / org-formation) | calls ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sorted(merged["orgformation"]):
        theirs = merged["orgformation"][size]
        ours = merged["landing_zone"].get(size)
        for label, name in (("first", "update from scratch"), ("noop", "no-op update")):
            run, other = _run(theirs, label), _run(ours, label)
            if run is None:
                continue
            status = "" if run["rc"] == 0 else f" (rc {run['rc']})"
            lines.append(
                f"| {theirs['accounts']} | {name}{status} | {run['wall_seconds']} | {run['cpu_seconds']}"
                f" | {run['calls']} | {run['writes']} | {other['wall_seconds'] if other else '-'}"
                f" | {_ratio(other['wall_seconds'], run['wall_seconds']) if other else '-'}"
                f" | {_ratio(other['calls'], run['calls']) if other else '-'} |"
            )
    return lines


def _floor_table(merged):
    if not merged["floor"]:
        return ["Not measured."]
    lines = [
        "| member accounts (N) | threads | wall s | CPU s (calls + proxy) | CPU s (moto) | AWS calls"
        " | calls / account | site.yml no-op wall s (N + mgmt) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, floor in sorted(merged["floor"].items()):
        ours = _run(merged["landing_zone"].get(size), "noop")
        lines.append(
            f"| {size} | {floor['threads']} | {floor['wall_seconds']} | {floor['cpu_seconds']}"
            f" | {floor.get('moto_cpu_seconds', '-')} | {floor['calls']} | {floor['calls_per_account']}"
            f" | {ours['wall_seconds'] if ours else '-'} |"
        )
    return lines


def _per_account_table(merged, label, limit=25):
    sizes = sorted(merged["landing_zone"])
    runs = {size: _run(merged["landing_zone"][size], label) for size in sizes}
    runs = {size: run for size, run in runs.items() if run}
    if not runs:
        return []
    totals = {}
    for size, run in runs.items():
        for action, count in run["by_action"].items():
            totals[action] = totals.get(action, 0) + count / merged["landing_zone"][size]["accounts"]
    actions = sorted(totals, key=totals.get, reverse=True)[:limit]
    header = "| action | " + " | ".join(f"N+1 = {merged['landing_zone'][s]['accounts']}" for s in runs) + " |"
    lines = [header, "|---|" + "---|" * len(runs)]
    for action in actions:
        cells = [f"{run['by_action'].get(action, 0) / merged['landing_zone'][size]['accounts']:.2f}"
                 for size, run in runs.items()]
        lines.append(f"| {action} | " + " | ".join(cells) + " |")
    lines.append("| **all calls** | " + " | ".join(f"**{run['calls_per_account']}**" for run in runs.values()) + " |")
    return lines


def _task_table(merged, label, limit=12):
    sizes = sorted(merged["landing_zone"])
    lines = []
    for size in sizes:
        run = _run(merged["landing_zone"][size], label)
        if not run or not run.get("task_seconds"):
            continue
        by_action = run["task_seconds"]["by_action"]
        lines.append(f"N + 1 = {merged['landing_zone'][size]['accounts']} ({run['wall_seconds']} s in all): "
                     + ", ".join(f"`{action}` {seconds} s" for action, seconds in list(by_action.items())[:limit]))
        lines.append("")
    return lines


def _latency_lines(merged):
    latency = merged["latency"]
    if not latency:
        return ["Not run."]
    ours = _run(latency["landing_zone"], "first")
    theirs = _run(latency.get("orgformation"), "first")
    floor = latency["floor_seconds"]
    lines = [
        f"{latency['size']} new accounts, {latency['latency_ms']} ms added to every AWS call, each account"
        f" creation IN_PROGRESS for {latency['creation_seconds']} s; floor = ceil({latency['size']} / 5) x"
        f" {latency['creation_seconds']} s = **{floor} s** (AWS allows 5 creations in flight).",
        "",
        "| tool | wall s | x floor | target | AWS calls |",
        "|---|---|---|---|---|",
    ]
    if ours:
        verdict = "met" if ours["rc"] == 0 and ours["wall_seconds"] <= LATENCY_TARGET_RATIO * floor else "missed"
        lines.append(f"| landing zone (site.yml, everything) | {ours['wall_seconds']}"
                     f" | {ours['wall_seconds'] / floor:.2f} | <= {LATENCY_TARGET_RATIO}x: {verdict} | {ours['calls']} |")
        account_phase = ours.get("task_seconds", {}).get("by_action", {}).get("awsorg.landing_zone.org_account")
        if account_phase:
            lines.append(f"| landing zone, the org_account task alone | {account_phase}"
                         f" | {account_phase / floor:.2f} | | |")
    if theirs:
        lines.append(f"| org-formation update (Organizations only) | {theirs['wall_seconds']}"
                     f" | {theirs['wall_seconds'] / floor:.2f} | | {theirs['calls']} |")
    return lines


def _machine_lines(merged):
    lines = []
    for started, machine in merged["machines"]:
        lines.append(
            f"- run {started}: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, {machine['os']};"
            f" Python {machine['python']}, ansible-core {machine['ansible_core']}, boto3 {machine['boto3']},"
            f" moto {machine['moto']}, node {machine['node']}, org-formation {machine.get('orgformation', '-')};"
            f" load average at start {', '.join(f'{x:.1f}' for x in machine['load_average'])},"
            f" at end {', '.join(f'{x:.1f}' for x in machine.get('load_average_end', []))}"
        )
    return lines


def render(paths):
    merged = _merge(paths)
    noop = {size: _run(result, "noop") for size, result in merged["landing_zone"].items()}
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (`bench/report.py`); the numbers below are measured, not estimated.",
        "",
        "## How to run it",
        "",
        "```",
        "make setup                                   # once: .venv with ansible-core, boto3, moto",
        ".venv/bin/python -m bench.run                # N = 20, 100, 400 (hours: see below)",
        ".venv/bin/python -m bench.run --sizes 20,100 # what this page holds",
        ".venv/bin/python -m bench.run --sizes 20 --no-orgformation --no-latency --no-docs   # a quick look",
        "```",
        "",
        "It needs `npm` for org-formation (installed into `bench/.node/` on first use; `--no-orgformation`"
        " skips it). Results, logs and per-task timings go to `bench/results/<stamp>/`; this page is"
        " rewritten from them (`python -m bench.report <results.json>... > docs/benchmarks.md` merges several).",
        "",
        "Commands that produced this page: " + "; ".join(f"`{c}`" for c in merged["commands"]),
        "",
        "## Machine and versions",
        "",
        *_machine_lines(merged),
        "",
        "The machine is shared with other work: wall times move with its load (given above); CPU times"
        " and call counts do not.",
        "",
        "## First converge and no-op re-run",
        "",
        "N member accounts plus the management account, 15 OUs, 10 SCPs, the demo's per-account baseline,"
        " cross-account roles, identities and AWS CLI profiles (`bench/inventory.py`), against moto behind"
        " the recording proxy. CPU (Ansible) is ansible-playbook and every process it started; moto's own"
        " CPU is apart.",
        "",
        *_main_table(merged),
        "",
        "### Side by side with org-formation",
        "",
        "org-formation converges only the Organizations part of the same organization (accounts, OUs, SCPs:"
        " it has no per-account baseline, roles, identities or profiles), from the same plan"
        " (`bench/orgformation.py`), on a fresh moto of its own.",
        "",
        *_orgformation_table(merged),
        "",
        f"No-op target: under {NOOP_TARGET_SECONDS} s for 100 accounts on 2 cores, zero writes: " + "; ".join(
            f"N + 1 = {merged['landing_zone'][s]['accounts']}: {run['wall_seconds']} s, {run['writes']} writes"
            for s, run in sorted(noop.items()) if run) + ".",
        "",
        "### AWS calls per account by action, no-op re-run",
        "",
        *_per_account_table(merged, "noop"),
        "",
        "### AWS calls per account by action, first converge",
        "",
        *_per_account_table(merged, "first"),
        "",
        "### Where the no-op re-run spends its time (seconds per module/action, all hosts)",
        "",
        *_task_table(merged, "noop"),
        "### Where the first converge spends its time",
        "",
        *_task_table(merged, "first"),
        "## Latency-realistic first converge",
        "",
        *_latency_lines(merged),
        "",
        "## The one-process floor of the no-op (`bench/batched_floor.py`)",
        "",
        "The AWS reads a no-op re-run makes per account (org_account, account_baseline, two"
        " iam_cross_account_role), made from one Python process with a thread pool against moto behind the"
        " proxy, on N accounts created directly in moto: what a batched implementation could reach.",
        "",
        *_floor_table(merged),
        "",
    ]
    if NOTES.exists():
        lines.append(NOTES.read_text(encoding="utf-8").rstrip())
        lines.append("")
    return "\n".join(lines)


def write_report(paths, destination):
    Path(destination).write_text(render(paths), encoding="utf-8")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(render(argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
