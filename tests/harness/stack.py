"""moto and the strict recording proxy in front of it, each on a port it bound itself.

The Molecule scenario's AWS (scripts/molecule.sh), usable by hand too:

    python -m tests.harness.stack start --state DIR/stack.json [--log-dir DIR]
    python -m tests.harness.stack env   --state DIR/stack.json   # shell exports
    python -m tests.harness.stack stop  --state DIR/stack.json

``start`` launches ``serve`` as a detached process and returns once it
listens.  ``serve`` runs moto as a child process (it knows the AWS managed
policies the roles attach, MOTO_IAM_LOAD_MANAGED_POLICIES=true) and the
recording proxy in its own process (strict unless STRICT_AWS=0); both bind
port 0, so the ports are the ones the kernel gave the listeners, never
picked beforehand and hoped free.  It then writes the state file (atomically:
a reader sees all of it or none)::

    {"pid": <serve's pid>, "moto_pid": ..., "moto_url": "http://127.0.0.1:...",
     "proxy_url": "http://127.0.0.1:...", "log_dir": ...}

and serves until SIGTERM/SIGINT, when it stops the proxy and moto and
removes the state file.  moto runs in a process of its own so moto and the
proxy (and the strict layer's reads of moto) do not share one interpreter
lock.
"""

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# pylint: disable=wrong-import-position
from tests.harness.awsproxy import RecordingProxy  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402

START_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
# In the command lines of the stack's two processes.
SERVE_MARKER = b"tests.harness.stack"
MOTO_MARKER = b"motoserver.py"


def write_state(path, state):
    """Write ``state`` as JSON to ``path`` through a temporary file and a rename."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def read_state(path):
    """The state file's content, or None when there is none."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def alive(pid, marker=None):
    """Whether ``pid`` runs (and, with ``marker``, has it in its command line: a stale state file's
    pid may belong to another process by now)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if marker is None:
        return True
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the pid


def serve(state_path, log_dir):
    """Run moto and the proxy, write the state file, serve until SIGTERM/SIGINT."""
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    moto = MotoServer(log_path=str(log_dir / "moto.log"), load_managed_policies=True).start()
    try:
        proxy = RecordingProxy(moto.url, port=0, log_path=str(log_dir / "proxy.jsonl")).start()
        try:
            write_state(state_path, dict(pid=os.getpid(), moto_pid=moto.process.pid, moto_url=moto.url,
                                         proxy_url=proxy.url, log_dir=str(log_dir)))
            print(f"moto on {moto.url}, strict proxy on {proxy.url}", flush=True)
            while not stopping.wait(1.0):
                if moto.process.poll() is not None:
                    print(f"moto exited with status {moto.process.returncode}", flush=True)
                    return 1
        finally:
            proxy.stop()
    finally:
        Path(state_path).unlink(missing_ok=True)
        moto.stop()
    return 0


def start(state_path, log_dir):
    """``serve`` as a detached process; returns its state once it listens (raises if it does not)."""
    state_path = Path(state_path).resolve()
    state = read_state(state_path)
    if state and alive(state["pid"], SERVE_MARKER):
        raise SystemExit(f"a stack already runs for {state_path} (pid {state['pid']}): stop it first")
    state_path.unlink(missing_ok=True)
    log_dir = Path(log_dir or state_path.parent).resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "stack.log", "ab") as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "tests.harness.stack", "serve", "--state", str(state_path),
             "--log-dir", str(log_dir)],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = read_state(state_path)
        if state:
            return state
        if process.poll() is not None:
            break
        time.sleep(0.1)
    if process.poll() is None:
        process.terminate()
    tail = (log_dir / "stack.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    raise SystemExit(f"the stack did not start within {START_TIMEOUT:.0f} s; {log_dir / 'stack.log'}:\n{tail}")


def stop(state_path):
    """SIGTERM the stack of ``state_path``, wait until it is gone, remove the state file; True when one ran."""
    state = read_state(state_path)
    if not state:
        return False
    # Only processes that are still the stack's (their command lines say so).
    pids = [(pid, marker) for pid, marker in ((state["pid"], SERVE_MARKER), (state.get("moto_pid"), MOTO_MARKER))
            if pid and alive(pid, marker)]
    for pid, _marker in pids:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(alive(pid, marker) for pid, marker in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid, marker in pids:
        if alive(pid, marker):
            os.kill(pid, signal.SIGKILL)
    Path(state_path).unlink(missing_ok=True)
    return bool(pids)


def shell_exports(state):
    """The state as ``export NAME=value`` lines for a POSIX shell's eval."""
    values = dict(LANDING_ZONE_STACK_PID=state["pid"], LANDING_ZONE_MOTO_URL=state["moto_url"],
                  LANDING_ZONE_PROXY_URL=state["proxy_url"])
    return "\n".join(f"export {name}={shlex.quote(str(value))}" for name, value in values.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "serve", "env", "stop"))
    parser.add_argument("--state", required=True, help="the state file (JSON)")
    parser.add_argument("--log-dir", help="moto.log, proxy.jsonl, stack.log (default: the state file's folder)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.state, args.log_dir or Path(args.state).parent)
    if args.command == "start":
        print(shell_exports(start(args.state, args.log_dir)))
        return 0
    if args.command == "env":
        state = read_state(args.state)
        if not state or not alive(state["pid"], SERVE_MARKER):
            print(f"no stack runs for {args.state}", file=sys.stderr)
            return 1
        print(shell_exports(state))
        return 0
    print("stopped" if stop(args.state) else "not running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
