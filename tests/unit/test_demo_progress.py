"""scripts/demo.py's progress lines and its reading of site.yml's change report."""

import importlib.util
import io
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_demo():
    spec = importlib.util.spec_from_file_location("demo_script", REPO / "scripts" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Shaped as ansible-playbook prints it (default callback, YAML results, no colour).
OUTPUT = """
PLAY [Preflight - validate the inventory] **************************************

TASK [Validate accounts, OUs, policies, waves and references] ******************
ok: [mgmt]

PLAY [Identity account, Terraform backend, log archive of wave 0] **************
skipping: no hosts matched

PLAY [Baseline and cross-account roles of every account of wave 2] *************

TASK [Accounts changed in this run, per step] **********************************
ok: [mgmt] =>
    msg:
    - 'Accounts changed, per batched step:'
    - '  accounts (created, adopted, placed, tagged, retired): staging, production'
    - '  baseline: mgmt, staging,
        production'

PLAY RECAP *********************************************************************
mgmt                       : ok=3    changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
"""


def test_each_play_with_hosts_is_shown_and_every_line_logged(capsys):
    demo = load_demo()
    log = io.StringIO()

    demo.copy_with_progress(io.StringIO(OUTPUT), log, started=0.0)

    shown = [line.split("] ", 1)[1] for line in capsys.readouterr().out.splitlines()]
    assert shown == ["Preflight - validate the inventory", "Baseline and cross-account roles of every account of wave 2"]
    assert log.getvalue() == OUTPUT


def test_the_change_report_is_read_back_from_the_log():
    demo = load_demo()

    assert demo.report_lines(OUTPUT) == [
        "Accounts changed, per batched step:",
        "  accounts (created, adopted, placed, tagged, retired): staging, production",
        "  baseline: mgmt, staging, production",
    ]
    assert demo.report_lines(OUTPUT.replace("Accounts changed in this run, per step", "Another task")) == []
