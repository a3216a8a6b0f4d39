"""The whole landing zone against a local moto server, twice.

Started by `make demo` (scripts/demo.sh) after the set-up:
1. starts moto on a free 127.0.0.1 port, behind the recording proxy;
2. copies inventories/demo into .demo/inventory (the repo stays clean) and
   makes GPG keys for the demo users (public keys only in the inventory);
3. runs playbooks/site.yml, then prints the organization as a tree, the
   files written (account map, backend configs, AWS CLI profiles, encrypted
   passwords) and writes the tree as Mermaid to .demo/output/organization.md;
4. runs site.yml again and shows it changed nothing and made no write call;
5. stops moto and the proxy, or with --keep (`make demo KEEP=1`) leaves
   them running and prints the command that previews a change against
   them; `--stop` (`make demo-stop`) stops them.

While ansible-playbook runs, each play that has hosts is printed with the
seconds since the run started; its whole output goes to .demo/<run>.log.
The proxy runs as a process of its own (python -m tests.harness.awsproxy),
so that --keep can leave it running; the demo reads its recorded calls
through its control paths (/__proxy__/calls, /__proxy__/reset).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / ".collections"))

from tests.harness.demo_inventory import prepare_demo_inventory  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402
from tests.harness.motoserver import stop_process  # noqa: E402
from tests.harness.snapshot import organization_snapshot, render_mermaid, render_tree  # noqa: E402

DEMO = REPO / ".demo"
INVENTORY = DEMO / "inventory"
OUTPUT = INVENTORY / "output"
SERVERS = DEMO / "servers.json"  # the servers --keep left running
PLAY = re.compile(r"^PLAY \[(.*)\] \**$")
REPORT_TASK = "TASK [Accounts changed in this run, per step]"
# What the demo's runs take from the environment: AWS pointed at the proxy, and
# nothing of the user's own AWS configuration.
DEMO_AWS_ENV = dict(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
# A profile next to the keys makes amazon.aws refuse to run ("Passing both a
# profile and access tokens is not supported"); a token would not match the keys.
USER_AWS_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE")
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def heading(text):
    print(f"\n\033[1m== {text}\033[0m", flush=True)


class ProxyProcess:
    """The recording proxy in front of moto, as a process of its own (strict unless STRICT_AWS=0)."""

    MARKER = "tests.harness.awsproxy"

    def __init__(self, upstream, log_path):
        self.upstream = upstream
        self.log_path = Path(log_path)
        self.process = None
        self.url = None

    def start(self, timeout=30.0):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-m", self.MARKER, "--upstream", self.upstream],
                cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        # It prints its URL (a free port it bound itself) as its first line.
        deadline = time.monotonic() + timeout
        while self.url is None:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"^(http://\S+)$", text, re.M)
            if found:
                self.url = found.group(1)
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"the AWS proxy did not start; {self.log_path.relative_to(REPO)}:\n{text[-3000:]}")
            else:
                time.sleep(0.1)
        return self

    def _control(self, path, method="GET"):
        data = b"" if method == "POST" else None
        request = urllib.request.Request(f"{self.url}/__proxy__/{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def reset(self):
        """Forget the recorded calls (not what the strict layer knows of AWS's state)."""
        self._control("reset", "POST")

    def calls(self):
        return self._control("calls")

    def strict_enabled(self):
        return self._control("strict")["enabled"]

    def stop(self):
        stop_process(self.process)


def reset_demo_dir():
    if DEMO.exists():
        shutil.rmtree(DEMO)
    DEMO.mkdir()


def prepare_inventory(strict=True):
    # The users' key pairs stay in a keyring under .demo/ so their encrypted
    # initial passwords can be opened afterwards; only public keys go into
    # the inventory, as a real team's keys/ directory would hold them.
    keyring = prepare_demo_inventory(INVENTORY, keyring_dir=DEMO)
    if not strict:
        # moto has no centralized root access; only the strict layer emulates it
        # (docs/testing.md), so plain moto runs the demo without it.
        (INVENTORY / "group_vars" / "all" / "plain_moto.yml").write_text(
            "# Written by scripts/demo.py under STRICT_AWS=0: moto has no root access management.\n"
            "landing_zone_root_access: null\n", encoding="utf-8")
        print("   plain moto: the demo leaves out centralized root access (only the strict layer emulates it)")
    return keyring


def site_env(proxy_url):
    """The environment of a demo run: AWS at the proxy, none of the user's own AWS settings."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=proxy_url,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        PATH=str(REPO / ".venv" / "bin") + os.pathsep + env.get("PATH", ""),
        **DEMO_AWS_ENV,
    )
    for key in USER_AWS_ENV:
        env.pop(key, None)
    return env


def copy_with_progress(stream, log, started):
    """Copy ansible-playbook's output to the log; print each play that has hosts, with the seconds since the start.

    A play heading is held until the play's next line: a wave nobody is in
    prints "skipping: no hosts matched" and is not shown.
    """
    pending_play, pending_at = None, 0.0
    for line in stream:
        log.write(line)
        log.flush()  # `tail -f` shows every task as it ends
        text = line.strip()
        play = PLAY.match(text)
        if play:
            pending_play, pending_at = play.group(1), time.monotonic() - started
        elif pending_play is not None and text:
            if text != "skipping: no hosts matched":
                print(f"   [{pending_at:6.1f} s] {pending_play}", flush=True)
            pending_play = None


def report_lines(output):
    """The lines of site.yml's last task (playbooks/report.yml), as printed in the log; [] if absent."""
    if REPORT_TASK not in output:
        return []
    block = output.split(REPORT_TASK, 1)[1].split("\n\n", 1)[0]
    body = block.split("=>", 1)[1] if "=>" in block else ""
    try:
        message = yaml.safe_load(body)
    except yaml.YAMLError:
        return []
    lines = message.get("msg") if isinstance(message, dict) else None
    return [str(line) for line in lines] if isinstance(lines, list) else []


def run_site(proxy, label):
    log_path = DEMO / f"{label}.log"
    proxy.reset()
    print(f"   full log: {log_path.relative_to(REPO)} (tail -f to follow every task); plays, with seconds since the start:",
          flush=True)
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        with subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "ansible-playbook"), "playbooks/site.yml", "-i", str(INVENTORY / "hosts.yml")],
            cwd=REPO, env=dict(site_env(proxy.url), PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
        ) as proc:
            copy_with_progress(proc.stdout, log, started)
            returncode = proc.wait()
    elapsed = time.monotonic() - started
    output = log_path.read_text(encoding="utf-8")
    recap = RECAP.findall(output)
    changed = sum(int(r[2]) for r in recap)
    failed = sum(int(r[4]) + int(r[3]) for r in recap)
    calls = proxy.calls()
    writes = [call for call in calls if call["mutating"]]
    print(f"   {label}: rc={returncode}, {elapsed:.1f} s, {len(calls)} AWS calls"
          f" ({len(writes)} writes), tasks changed={changed}, failed={failed};"
          f" log: {log_path.relative_to(REPO)}")
    if returncode != 0:
        print(output[-6000:])
        raise SystemExit(f"site.yml failed during the {label}")
    for line in report_lines(output):
        print(f"   {line}")
    return changed, len(writes)


# --- servers left running (--keep) ------------------------------------------

def _runs(pid, *markers):
    """Whether process ``pid`` is alive and its command line holds every marker (it is ours, not a reused pid)."""
    proc = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, check=False)
    return proc.returncode == 0 and all(marker in proc.stdout for marker in markers)


def save_servers(moto, proxy):
    SERVERS.write_text(json.dumps({
        "proxy": {"pid": proxy.process.pid, "url": proxy.url, "markers": [ProxyProcess.MARKER, moto.url]},
        "moto": {"pid": moto.process.pid, "url": moto.url, "markers": ["moto"]},
    }, indent=2) + "\n", encoding="utf-8")


def stop_kept_servers(quiet=False):
    """Stop the proxy and moto an earlier --keep left running (their pids are in .demo/servers.json)."""
    if not SERVERS.exists():
        if not quiet:
            print(f"No demo servers to stop ({SERVERS.relative_to(REPO)} is absent).")
        return
    servers = json.loads(SERVERS.read_text(encoding="utf-8"))
    for name in ("proxy", "moto"):
        server = servers[name]
        if not _runs(server["pid"], *server["markers"]):
            print(f"   {name} (pid {server['pid']}) had already stopped")
            continue
        os.kill(server["pid"], signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _runs(server["pid"], *server["markers"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _runs(server["pid"], *server["markers"]):
            os.kill(server["pid"], signal.SIGKILL)
        print(f"   stopped {name} (pid {server['pid']}, {server['url']})")
    SERVERS.unlink()


def print_keep_instructions(moto, proxy):
    preview = ["env"] + [arg for key in USER_AWS_ENV for arg in ("-u", key)] + [f"AWS_ENDPOINT_URL={proxy.url}"]
    preview += [f"{key}={value}" for key, value in DEMO_AWS_ENV.items()]
    preview += [".venv/bin/ansible-playbook", "playbooks/site.yml", "-i", ".demo/inventory/hosts.yml"]
    heading(f"Left running: moto (pid {moto.process.pid}, {moto.url}) behind the proxy"
            f" (pid {proxy.process.pid}, {proxy.url})")
    print("   Preview a change (edit .demo/inventory/hosts.yml or group_vars/all/ first), from the repository root:")
    print(f"     {shlex.join(preview + ['--check', '--diff'])}")
    print("   Apply it: the same command without --check --diff.")
    print(f"   Stop them: make demo-stop   (or: kill {proxy.process.pid} {moto.process.pid})")


def show_files(keyring):
    for path in sorted(OUTPUT.rglob("*")):
        if path.is_file() and not path.name.endswith(".lock"):
            mode = oct(path.stat().st_mode & 0o777)
            print(f"   {path.relative_to(REPO)}  ({mode}, {path.stat().st_size} bytes)")
    config = OUTPUT / "aws" / "config"
    if config.exists():
        profiles = re.findall(r"^\[profile ([^\]]+)\]", config.read_text(encoding="utf-8"), re.M)
        heading(f"AWS CLI profiles in {config.relative_to(REPO)} (AWS_CONFIG_FILE)")
        for name in profiles:
            print(f"   {name}")
    heading("Encrypted initial passwords (only each user's own GPG key opens them)")
    for path in sorted((OUTPUT / "passwords").glob("*.asc")):
        print(f"   {path.stem.split('.')[0]}: {path.relative_to(REPO)}")
    print(f"   open one: gpg --homedir {Path(keyring.home).relative_to(REPO)} --decrypt <file>")


def demo(moto, proxy):
    mode = "strict (AWS's refusals where moto accepts)" if proxy.strict_enabled() else "plain moto (STRICT_AWS=0)"
    heading(f"moto on {moto.url}, recording proxy on {proxy.url}, {mode}")
    keyring = prepare_inventory(strict=proxy.strict_enabled())
    try:
        heading("First run: ansible-playbook playbooks/site.yml -i .demo/inventory/hosts.yml")
        run_site(proxy, "first-run")

        org = boto3.client("organizations", endpoint_url=moto.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        snapshot = organization_snapshot(org)
        heading("The organization")
        print(render_tree(snapshot))
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / "organization.md").write_text(render_mermaid(snapshot, "acme landing zone"), encoding="utf-8")

        heading("Files written (account map, backend configs, profiles, encrypted passwords)")
        show_files(keyring)

        heading("Second run: the same command again")
        changed, writes = run_site(proxy, "second-run")
        verdict = "nothing changed" if changed == 0 and writes == 0 else "SOMETHING CHANGED"
        print(f"   {verdict}: {changed} tasks changed, {writes} AWS write calls")
        if changed or writes:
            raise SystemExit(1)
        heading(f"Done. Mermaid diagram: {(OUTPUT / 'organization.md').relative_to(REPO)}")
    finally:
        keyring.stop_agent()


def main(argv=None):
    parser = argparse.ArgumentParser(description="The whole landing zone against a local moto server, twice.")
    parser.add_argument("--keep", action="store_true",
                        help="leave moto and the proxy running, and print how to preview a change against them")
    parser.add_argument("--stop", action="store_true", help="stop the servers an earlier --keep left running")
    args = parser.parse_args(argv)
    if args.stop:
        stop_kept_servers()
        return 0
    # An earlier --keep's servers: .demo, which holds their pids, is about to be replaced.
    stop_kept_servers(quiet=True)
    reset_demo_dir()
    moto = MotoServer(load_managed_policies=True, log_path=str(DEMO / "moto.log")).start()
    proxy = None
    kept = False
    try:
        proxy = ProxyProcess(moto.url, DEMO / "proxy.log").start()
        demo(moto, proxy)
        if args.keep:
            save_servers(moto, proxy)
            kept = True
            print_keep_instructions(moto, proxy)
    finally:
        if not kept:
            if proxy is not None:
                proxy.stop()
            moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
