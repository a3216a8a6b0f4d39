"""The whole landing zone against a local moto server, twice.

Started by `make demo` (scripts/demo.sh) after the set-up:
1. starts moto on a free 127.0.0.1 port, behind the recording proxy;
2. copies inventories/demo into .demo/inventory (the repo stays clean) and
   makes GPG keys for the demo users (public keys only in the inventory);
3. runs playbooks/site.yml, then prints the organization as a tree, the
   files written (account map, backend configs, AWS CLI profiles, encrypted
   passwords) and writes the tree as Mermaid to .demo/output/organization.md;
4. runs site.yml again and shows it changed nothing and made no write call;
5. stops moto.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / ".collections"))

from tests.harness.awsproxy import RecordingProxy  # noqa: E402
from tests.harness.demo_inventory import prepare_demo_inventory  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402
from tests.harness.snapshot import organization_snapshot, render_mermaid, render_tree  # noqa: E402

DEMO = REPO / ".demo"
INVENTORY = DEMO / "inventory"
OUTPUT = INVENTORY / "output"
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def heading(text):
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def prepare_inventory():
    if DEMO.exists():
        shutil.rmtree(DEMO)
    DEMO.mkdir()
    # The users' key pairs stay in a keyring under .demo/ so their encrypted
    # initial passwords can be opened afterwards; only public keys go into
    # the inventory, as a real team's keys/ directory would hold them.
    return prepare_demo_inventory(INVENTORY, keyring_dir=DEMO)


def run_site(proxy, label):
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL=proxy.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        PATH=str(REPO / ".venv" / "bin") + os.pathsep + env.get("PATH", ""),
    )
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(key, None)
    log_path = DEMO / f"{label}.log"
    proxy.reset()
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.run(
            [str(REPO / ".venv" / "bin" / "ansible-playbook"), "playbooks/site.yml", "-i", str(INVENTORY / "hosts.yml")],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, check=False,
        )
    elapsed = time.monotonic() - started
    output = log_path.read_text(encoding="utf-8")
    recap = RECAP.findall(output)
    changed = sum(int(r[2]) for r in recap)
    failed = sum(int(r[4]) + int(r[3]) for r in recap)
    print(f"   {label}: rc={proc.returncode}, {elapsed:.1f} s, {len(proxy.calls)} AWS calls"
          f" ({len(proxy.mutating_calls())} writes), tasks changed={changed}, failed={failed};"
          f" log: {log_path.relative_to(REPO)}")
    if proc.returncode != 0:
        print(output[-6000:])
        raise SystemExit(f"site.yml failed during the {label}")
    return changed, len(proxy.mutating_calls())


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


def main():
    with MotoServer(load_managed_policies=True) as moto:
        proxy = RecordingProxy(moto.url).start()
        keyring = None
        try:
            mode = "strict (AWS's refusals where moto accepts)" if proxy.strict.enabled else "plain moto (STRICT_AWS=0)"
            heading(f"moto on {moto.url}, recording proxy on {proxy.url}, {mode}")
            keyring = prepare_inventory()
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
            proxy.stop()
            if keyring is not None:
                keyring.stop_agent()
    return 0


if __name__ == "__main__":
    sys.exit(main())
