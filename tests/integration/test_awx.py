"""AWX / Automation Controller: the configuration playbook and the landing zone run the AWX way.

``playbooks/awx/configure.yml`` is read here the way Ansible reads it: its
tasks are templated with its own variables (``ControllerConfig``), which
gives the exact objects it would create in AWX.  The tests check that those
objects name playbooks, inventories and job templates that exist, and then
run the demo landing zone as the AWX workflow would: one ``ansible-runner``
job per workflow node, in the workflow's order, each in a fresh private data
dir holding the inventory, ``env/envvars`` with the credentials the way AWX
injects them, ``env/extravars`` with the job template's extra variables and
the GPG credential's injected file.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2.sandbox
import pytest
import yaml

from tests.harness import awsproxy
from tests.harness.awsproxy import RecordingProxy
from tests.harness.demo_inventory import prepare_demo_inventory
from tests.harness.motoserver import MotoServer
from tests.harness.snapshot import organization_snapshot
from tests.integration.conftest import AwsReader

REPO = Path(__file__).resolve().parents[2]
CONFIGURE = REPO / "playbooks" / "awx" / "configure.yml"
DEMO_INVENTORY = REPO / "inventories" / "demo"
VENV_BIN = Path(sys.executable).parent
MANAGEMENT_ACCOUNT = "123456789012"

# What AWX's built-in "Amazon Web Services" credential injects, plus the
# endpoint (AWX's built-in type has no endpoint field: the landing zone's own
# management-account type brings it).
INJECTED_ACCESS_KEY = "AKIA-awx-injected-01"
INJECTED_SESSION_TOKEN = "awx-injected-session-token"


# --- reading the configuration playbook ---------------------------------------


class ControllerConfig:
    """The AWX objects configure.yml creates, by module, with fully templated arguments."""

    _plugins_ready = False

    def __init__(self, extra_vars=None):
        os.environ.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
        from ansible.parsing.dataloader import DataLoader
        from ansible.plugins.loader import init_plugin_loader
        from ansible.template import Templar

        if not ControllerConfig._plugins_ready:
            init_plugin_loader()
            ControllerConfig._plugins_ready = True
        loader = DataLoader()
        loader.set_basedir(str(CONFIGURE.parent))
        plays = loader.load_from_file(str(CONFIGURE), trusted_as_template=True)
        assert len(plays) == 1, "configure.yml is one play on localhost"
        play = plays[0]
        # Precedence as in Ansible: play vars < vars_files < extra vars.
        variables = dict(play.get("vars") or {})
        for vars_file in play.get("vars_files") or []:
            variables.update(loader.load_from_file(str(CONFIGURE.parent / vars_file), trusted_as_template=True))
        variables.update(extra_vars or {})
        self.variables = variables
        templar = Templar(loader=loader, variables=variables)
        self.objects = {}
        self.skipped = []
        for task in play["tasks"]:
            module = next(key for key in task if key.startswith(("awx.awx.", "ansible.builtin.")))
            if "when" in task and not templar.evaluate_conditional(task["when"]):
                self.skipped.append(task["name"])
                continue
            items = [None]
            loop_var = (task.get("loop_control") or {}).get("loop_var", "item")
            if "loop" in task:
                items = templar.template(task["loop"])
            for item in items:
                scoped = templar if item is None else templar.copy_with_new_env(
                    available_variables={**variables, loop_var: item})
                # Plain Python data: Ansible tags its strings with their origin.
                args = json.loads(json.dumps(scoped.template(task[module])))
                self.objects.setdefault(module.rsplit(".", 1)[-1], []).append(args)

    def all(self, kind):
        return self.objects.get(kind, [])

    def named(self, kind, name):
        found = [o for o in self.all(kind) if o["name"] == name]
        assert len(found) == 1, f"{kind} {name!r}: {len(found)} found among {[o['name'] for o in self.all(kind)]}"
        return found[0]

    def workflow_chain(self, name):
        """The workflow's nodes from its start along the success edges."""
        nodes = {n["identifier"]: n for n in self.named("workflow_job_template", name)["workflow_nodes"]}
        children = {c["identifier"] for n in nodes.values() for c in n.get("related", {}).get("success_nodes", [])}
        starts = [i for i in nodes if i not in children]
        assert len(starts) == 1, f"workflow {name!r} must start at one node, starts at {starts}"
        chain, current = [], nodes[starts[0]]
        while True:
            chain.append(current)
            following = current.get("related", {}).get("success_nodes", [])
            assert len(following) <= 1, f"node {current['identifier']} branches: {following}"
            if not following:
                break
            current = nodes[following[0]["identifier"]]
            assert current not in chain, f"workflow {name!r} loops at {current['identifier']}"
        assert len(chain) == len(nodes), f"nodes not on the chain: {set(nodes) - {n['identifier'] for n in chain}}"
        return chain

    def job_stages(self, workflow_name):
        """(job template, node) for every job template node of the workflow, in order."""
        return [
            (self.named("job_template", node["unified_job_template"]["name"]), node)
            for node in self.workflow_chain(workflow_name)
            if node["unified_job_template"]["type"] == "job_template"
        ]


def inject(credential_type, inputs, private_data_dir):
    """What AWX puts in a job for one credential: (env, extra_vars), file injectors written to env/.

    AWX renders each injector template in a sandboxed Jinja environment with
    the credential's non-empty inputs, writes ``file`` templates to files in
    the job's ``env/`` directory and names them ``tower.filename.<label>``.
    """
    sandbox = jinja2.sandbox.ImmutableSandboxedEnvironment()
    namespace = {key: value for key, value in inputs.items() if value not in ("", None)}
    filenames = {}
    injectors = credential_type["injectors"]
    for index, (label, template) in enumerate(sorted(injectors.get("file", {}).items())):
        path = Path(private_data_dir) / "env" / f"credential_file_{index}"
        path.write_text(sandbox.from_string(template).render(**namespace), encoding="utf-8")
        filenames[label.split(".", 1)[1]] = str(path)
    namespace["tower"] = {"filename": filenames}
    env = {name: sandbox.from_string(t).render(**namespace) for name, t in injectors.get("env", {}).items()}
    extra_vars = {name: sandbox.from_string(t).render(**namespace) for name, t in injectors.get("extra_vars", {}).items()}
    return env, extra_vars


def configuration(tmp_path, **extra):
    keys = tmp_path / "operator-keys"
    keys.mkdir(exist_ok=True)
    if not list(keys.glob("*.asc")):
        (keys / "alice.asc").write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n")
    variables = dict(
        landing_zone_awx_gpg_keys_dir=str(keys),
        landing_zone_awx_output_dir="/srv/landing-zone",
        landing_zone_awx_management_credential_inputs=dict(access_key_id="AKIAEXAMPLE", secret_access_key="x"),
    )
    variables.update(extra)
    return ControllerConfig(variables)


# Variables of site.yml's imports that its stages must not have: the wave plays
# of site.yml wait, in the same run, for the background accounts run the
# organization plays start (roles/organization/tasks/last_round.yml); a stage
# is a job of its own, and its wave jobs converge those accounts themselves.
SITE_ONLY_IMPORT_VARS = {"landing_zone_last_round_in_background"}


def site_imports():
    """(playbook path, vars) of every import in playbooks/site.yml, in order.

    Not report.yml: it reads what the plays before it registered in the same
    run, which a workflow of one job per stage does not have.
    """
    site = yaml.safe_load((REPO / "playbooks" / "site.yml").read_text(encoding="utf-8"))
    return [((REPO / "playbooks" / entry["ansible.builtin.import_playbook"]).resolve(), entry.get("vars") or {})
            for entry in site if entry["ansible.builtin.import_playbook"] != "report.yml"]


def last_import(playbook):
    plays = yaml.safe_load(playbook.read_text(encoding="utf-8"))
    imports = [p["ansible.builtin.import_playbook"] for p in plays if "ansible.builtin.import_playbook" in p]
    assert imports, f"{playbook} imports no playbook"
    return (playbook.parent / imports[-1]).resolve()


def tool(name):
    return str(VENV_BIN / name)


def tool_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(PATH=str(VENV_BIN) + os.pathsep + env.get("PATH", ""), ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", NO_COLOR="1")
    return env


# --- the configuration playbook ---------------------------------------------


@pytest.mark.long
def test_configuration_and_stage_playbooks_pass_syntax_check(tmp_path):
    config = configuration(tmp_path)
    # One check per playbook (the ten wave job templates share one).
    checks = {CONFIGURE: {}}
    for jt in config.all("job_template"):
        checks.setdefault(REPO / jt["playbook"], jt["extra_vars"])
    for playbook, extra_vars in checks.items():
        proc = subprocess.run(
            [tool("ansible-playbook"), "--syntax-check", str(playbook), "-i", str(DEMO_INVENTORY / "hosts.yml"),
             "-e", json.dumps(extra_vars)],
            cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=300, check=False,
        )
        assert proc.returncode == 0, f"{playbook.relative_to(REPO)}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"


def test_job_templates_and_workflows_name_what_exists(tmp_path):
    config = configuration(tmp_path)
    [ee] = config.all("execution_environment")
    [project] = config.all("project")
    [inventory] = config.all("inventory")
    [source] = config.all("inventory_source")
    credential_names = {c["name"] for c in config.all("credential")}
    credential_types = {t["name"] for t in config.all("credential_type")}

    # The project is this repository, run in the execution environment.
    assert project["scm_type"] == "git" and project["default_environment"] == ee["name"]
    assert {c["credential_type"] for c in config.all("credential")} <= credential_types
    # The inventory is synced from an inventory file of the repository.
    assert source["inventory"] == inventory["name"]
    assert source["source"] == "scm" and source["source_project"] == project["name"]
    assert (REPO / source["source_path"]).is_file(), source["source_path"]
    groups = yaml.safe_load((REPO / source["source_path"]).read_text(encoding="utf-8"))["all"]["children"]
    assert {"accounts", "management"} <= set(groups)

    job_templates = config.all("job_template")
    for jt in job_templates:
        assert (REPO / jt["playbook"]).is_file(), f"{jt['name']}: no playbook {jt['playbook']}"
        assert jt["project"] == project["name"] and jt["inventory"] == inventory["name"], jt["name"]
        assert jt["execution_environment"] == ee["name"], jt["name"]
        assert set(jt["credentials"]) == credential_names, jt["name"]
        assert jt["extra_vars"]["landing_zone_output_dir"] == "/srv/landing-zone", jt["name"]
        assert jt["extra_vars"]["organization_account_ids_file"] == "/srv/landing-zone/landing_zone_account_ids.yml"
        assert jt["ask_limit_on_launch"] and jt["ask_job_type_on_launch"], jt["name"]

    # The apply workflow: sync project, sync inventory, then one job
    # template per stage of site.yml, in site.yml's order; each stage's
    # playbook ends with the very playbook site.yml imports for that stage.
    apply_chain = config.workflow_chain("AWS landing zone")
    assert [n["unified_job_template"]["type"] for n in apply_chain[:2]] == ["project", "inventory_source"]
    assert apply_chain[0]["unified_job_template"]["name"] == project["name"]
    assert apply_chain[1]["unified_job_template"]["name"] == source["name"]
    stages = [jt for jt, node in config.job_stages("AWS landing zone")]
    assert len(stages) == len(apply_chain) - 2
    imports = site_imports()
    assert len(stages) == len(imports), [jt["name"] for jt in stages]
    for jt, (imported, import_vars) in zip(stages, imports):
        assert last_import(REPO / jt["playbook"]) == imported, f"{jt['name']} does not end with {imported}"
        for name, value in import_vars.items():
            if name in SITE_ONLY_IMPORT_VARS:
                assert name not in jt["extra_vars"], f"{jt['name']}: {name} is site.yml's own"
                continue
            assert jt["extra_vars"].get(name) == value, f"{jt['name']}: {name} should be {value}"
    # Every job template is a stage, but the drift report's (tests/integration/test_drift_report.py).
    assert {jt["name"] for jt in stages} == {jt["name"] for jt in job_templates} - {"AWS landing zone - drift report"}
    # Only success edges: a failed stage ends the workflow.
    for node in apply_chain:
        related = node.get("related", {})
        assert not related.get("failure_nodes") and not related.get("always_nodes"), node["identifier"]

    # The preview workflow: the same stages, every job in check mode with diffs.
    preview = config.job_stages("AWS landing zone - preview")
    assert [jt["name"] for jt, node in preview] == [jt["name"] for jt in stages]
    for jt, node in preview:
        assert node["job_type"] == "check" and node["diff_mode"] is True, node["identifier"]
        assert jt["ask_job_type_on_launch"] and jt["ask_diff_mode_on_launch"], jt["name"]

    # Without a GPG keys directory no GPG credential is made or attached.
    plain = configuration(tmp_path, landing_zone_awx_gpg_keys_dir="")
    assert [c["name"] for c in plain.all("credential")] == ["AWS landing zone - management account"]
    assert all(jt["credentials"] == ["AWS landing zone - management account"] for jt in plain.all("job_template"))
    assert all(set(jt["extra_vars"]) <= {"landing_zone_wave"}
               for jt in configuration(tmp_path, landing_zone_awx_output_dir="").all("job_template"))


def test_credential_types_inject_what_the_playbooks_read(tmp_path):
    (tmp_path / "env").mkdir()
    keys = tmp_path / "keys"
    keys.mkdir()
    for user in ("alice", "bob"):
        (keys / f"{user}.asc").write_text(
            f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nkey-of-{user}\n-----END PGP PUBLIC KEY BLOCK-----\n")
    config = configuration(tmp_path, landing_zone_awx_gpg_keys_dir=str(keys))
    management_type = config.named("credential_type", "AWS landing zone - management account")
    gpg_type = config.named("credential_type", "AWS landing zone - GPG public keys")

    env, extra_vars = inject(management_type, dict(access_key_id="AKIAEXAMPLE", secret_access_key="secret",
                                                   session_token="token", endpoint_url=""), tmp_path)
    assert env == dict(AWS_ACCESS_KEY_ID="AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_SESSION_TOKEN="token",
                       AWS_SECURITY_TOKEN="token", AWS_ENDPOINT_URL="")
    assert extra_vars == {}
    # AWX refuses injected variable names that start with ANSIBLE_.
    assert not [name for name in env if name.startswith("ANSIBLE_")]

    public_keys = config.named("credential", "AWS landing zone - GPG public keys")["inputs"]["public_keys"]
    env, extra_vars = inject(gpg_type, dict(public_keys=public_keys), tmp_path)
    assert env == {}
    injected = yaml.safe_load(Path(extra_vars["landing_zone_gpg_public_keys_file"]).read_text(encoding="utf-8"))
    assert {user: key.strip() for user, key in injected.items()} == {
        user: (keys / f"{user}.asc").read_text().strip() for user in ("alice", "bob")
    }


# --- the landing zone under ansible-runner ---------------------------------------


class Job:
    """One AWX-style job: a fresh private data dir, ansible-runner, its events."""

    def __init__(self, base, ident, playbook, extra_vars, envvars, credentials):
        self.ident = ident
        self.playbook = playbook
        self.dir = base / ident
        env_dir = self.dir / "env"
        env_dir.mkdir(parents=True)
        # AWX's inventory comes from its database, synced from the repository:
        # it never holds what an earlier job wrote next to its own copy.
        shutil.copytree(DEMO_INVENTORY, self.dir / "inventory")
        cmdline = []
        for credential_type, inputs in credentials:
            env, credential_vars = inject(credential_type, inputs, self.dir)
            envvars = {**envvars, **env}
            if credential_vars:
                vars_file = env_dir / f"credential_vars_{len(cmdline)}.yml"
                vars_file.write_text(yaml.safe_dump(credential_vars), encoding="utf-8")
                cmdline.append(f"-e @{vars_file}")
        (env_dir / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
        (env_dir / "extravars").write_text(yaml.safe_dump(extra_vars), encoding="utf-8")
        if cmdline:
            (env_dir / "cmdline").write_text(" ".join(cmdline), encoding="utf-8")

    def run(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
        env["PATH"] = str(VENV_BIN) + os.pathsep + env.get("PATH", "")
        proc = subprocess.run(
            [tool("ansible-runner"), "run", str(self.dir), "-p", self.playbook, "--project-dir", str(REPO),
             "--ident", self.ident],
            env=env, capture_output=True, text=True, timeout=1800, check=False,
        )
        artifacts = self.dir / "artifacts" / self.ident
        self.stdout = (artifacts / "stdout").read_text(encoding="utf-8") if (artifacts / "stdout").exists() else proc.stdout
        self.rc = int((artifacts / "rc").read_text().strip()) if (artifacts / "rc").exists() else proc.returncode
        self.events = [json.loads(p.read_text(encoding="utf-8"))
                       for p in sorted((artifacts / "job_events").glob("*.json"), key=lambda p: int(p.name.split("-")[0]))]
        stats = [e["event_data"] for e in self.events if e["event"] == "playbook_on_stats"]
        self.stats = stats[-1] if stats else {}
        return self

    def changed_tasks(self):
        return [(e["event_data"].get("task"), e["event_data"].get("host")) for e in self.events
                if e["event"] == "runner_on_ok" and e["event_data"].get("res", {}).get("changed")]

    def describe(self):
        output = re.sub(r"\x1b\[[0-9;]*m", "", self.stdout)
        return f"{self.ident} ({self.playbook}) rc={self.rc}:\n{output[-5000:]}"


def capture_signatures(monkeypatch):
    """(access key id, session token, service, action) of every request the proxy forwards."""
    seen = []
    describe = awsproxy.describe_request

    def recording(method, path, headers, body):
        service, action, region = describe(method, path, headers, body)
        credential = re.search(r"Credential=([^/]+)/", headers.get("Authorization", ""))
        seen.append((credential.group(1) if credential else None, headers.get("X-Amz-Security-Token"),
                     service, action))
        return service, action, region

    monkeypatch.setattr(awsproxy, "describe_request", recording)
    return seen


def run_workflow(base, stages, envvars, credentials, label):
    jobs = []
    for index, (jt, node) in enumerate(stages):
        job = Job(base, f"{label}-{index:02d}-{node['identifier']}", jt["playbook"], jt["extra_vars"], envvars,
                  credentials).run()
        jobs.append(job)
        # A workflow node runs only when the one before succeeded.
        assert job.rc == 0, job.describe()
    return jobs


@pytest.fixture
def landing_zone_moto(tmp_path):
    """A moto server of its own, knowing AWS managed policies (AdministratorAccess, ...), behind a proxy.

    The session's moto server does not load them (a reset would reload them
    into every account); the roles attach them.
    """
    with MotoServer(log_path=str(tmp_path / "moto.log"), load_managed_policies=True) as moto:
        proxy = RecordingProxy(moto.url).start()
        try:
            yield proxy, AwsReader(moto.url)
        finally:
            proxy.stop()


def assert_every_injected_call_carried_the_token(signatures):
    """Every call made with the injected keys carried the injected token, given only as AWS_SECURITY_TOKEN."""
    injected = [s for s in signatures if s[0] == INJECTED_ACCESS_KEY]
    assert injected, "no AWS call used the injected credentials"
    without_token = sorted({f"{service}:{action}" for key, token, service, action in injected
                            if token != INJECTED_SESSION_TOKEN})
    assert without_token == [], f"calls signed with the injected key but not its session token: {without_token}"
    assert not [s for s in signatures if s[0] is None], "unsigned AWS calls"


# The whole demo as one AWX job, twice: minutes of both cores (make test-full-demo; CI runs it).
@pytest.mark.slow
@pytest.mark.full_demo
def test_site_converges_under_ansible_runner_then_is_a_noop(tmp_path, landing_zone_moto, monkeypatch):
    """site.yml as one AWX job: a private data dir with env/envvars (the built-in AWS credential's
    injection, token as AWS_SECURITY_TOKEN only), env/extravars and the inventory; run twice."""
    proxy, aws = landing_zone_moto
    staging = tmp_path / "demo"
    keyring = prepare_demo_inventory(staging)
    try:
        output_dir = tmp_path / "landing-zone-output"
        output_dir.mkdir()
        extra_vars = dict(
            landing_zone_keys_dir=str(staging / "keys"),
            landing_zone_output_dir=str(output_dir),
            organization_account_ids_file=str(output_dir / "landing_zone_account_ids.yml"),
        )
        envvars = dict(AWS_ACCESS_KEY_ID=INJECTED_ACCESS_KEY, AWS_SECRET_ACCESS_KEY="testing",
                       AWS_SECURITY_TOKEN=INJECTED_SESSION_TOKEN, AWS_ENDPOINT_URL=proxy.url)
        signatures = capture_signatures(monkeypatch)

        first = Job(tmp_path / "jobs", "site-first", "playbooks/site.yml", extra_vars, envvars, []).run()
        assert first.rc == 0, first.describe()
        check_end_state(aws, output_dir, keyring)
        first_calls = len(proxy.calls)

        proxy.reset()
        second = Job(tmp_path / "jobs", "site-second", "playbooks/site.yml", extra_vars, envvars, []).run()
        assert second.rc == 0, second.describe()
        assert second.changed_tasks() == []
        assert sum(second.stats.get("changed", {}).values()) == 0
        assert proxy.mutating_calls() == [], proxy.mutating_calls()
        assert first_calls > len(proxy.calls) > 0
        assert_every_injected_call_carried_the_token(signatures)
    finally:
        keyring.close()


# The whole AWX workflow, one job per stage (14 jobs, twice): minutes of
# ansible-runner start-ups, so `make test` leaves it to `make test-awx-workflow`.
@pytest.mark.awx_workflow
def test_demo_landing_zone_converges_under_ansible_runner(tmp_path, landing_zone_moto, monkeypatch):
    proxy, aws = landing_zone_moto
    # The operator's side: the demo users' public keys in a directory, which
    # configure.yml turns into the GPG credential; the inventory has no keys/.
    staging = tmp_path / "demo"
    keyring = prepare_demo_inventory(staging)
    try:
        operator_keys = tmp_path / "operator-keys"
        shutil.move(str(staging / "keys"), operator_keys)
        # A directory that outlives the jobs, as a volume exposed to them would be.
        output_dir = tmp_path / "landing-zone-output"
        output_dir.mkdir()
        config = ControllerConfig(dict(landing_zone_awx_gpg_keys_dir=str(operator_keys),
                                       landing_zone_awx_output_dir=str(output_dir)))
        stages = config.job_stages("AWS landing zone")
        gpg = (config.named("credential_type", "AWS landing zone - GPG public keys"),
               config.named("credential", "AWS landing zone - GPG public keys")["inputs"])
        # The built-in AWS credential's injection: the token only as AWS_SECURITY_TOKEN.
        envvars = dict(AWS_ACCESS_KEY_ID=INJECTED_ACCESS_KEY, AWS_SECRET_ACCESS_KEY="testing",
                       AWS_SECURITY_TOKEN=INJECTED_SESSION_TOKEN, AWS_ENDPOINT_URL=proxy.url)
        signatures = capture_signatures(monkeypatch)

        run_workflow(tmp_path / "jobs", stages, envvars, [gpg], "first")
        first_run_calls = list(proxy.calls)
        check_end_state(aws, output_dir, keyring)

        # The same workflow again: nothing to change, no AWS write call.
        proxy.reset()
        second = run_workflow(tmp_path / "jobs", stages, envvars, [gpg], "second")
        changed = [(job.ident, task) for job in second for task in job.changed_tasks()]
        assert changed == [], changed
        assert all(sum(job.stats.get("changed", {}).values()) == 0 for job in second)
        assert proxy.mutating_calls() == [], proxy.mutating_calls()
        assert len(first_run_calls) > len(proxy.calls) > 0
        assert_every_injected_call_carried_the_token(signatures)
    finally:
        keyring.close()


def check_end_state(aws, output_dir, keyring):
    """The landing zone the demo inventory declares, read back from moto, and the files the jobs wrote."""
    inventory = yaml.safe_load((DEMO_INVENTORY / "hosts.yml").read_text(encoding="utf-8"))
    settings = {}
    for path in sorted((DEMO_INVENTORY / "group_vars" / "all").glob("*.yml")):
        settings.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    hosts = inventory["all"]["children"]["accounts"]["hosts"]
    project = settings["landing_zone_project"]

    # Organization stage: OUs, accounts in their OUs with their tags, SCPs.
    snapshot = organization_snapshot(aws.client("organizations"))
    declared_ous = set(settings["landing_zone_organizational_units"]) | {settings["landing_zone_quarantine_ou"]}
    assert declared_ous <= set(snapshot["ous"])
    by_name = {a["name"]: a for a in snapshot["accounts"].values()}
    ids = {}
    for host, host_vars in hosts.items():
        if host_vars.get("account_id"):
            ids[host] = str(host_vars["account_id"])
            continue
        account = by_name[host_vars.get("account_name", f"{project}-{host}")]
        assert account["ou"] == host_vars.get("account_ou", "/"), host
        tags = aws.client("organizations").list_tags_for_resource(ResourceId=account["id"])["Tags"]
        assert {t["Key"]: t["Value"] for t in tags} == host_vars.get("account_tags", {}), host
        ids[host] = account["id"]
    for policy in settings["landing_zone_service_control_policies"]:
        assert snapshot["policies"][policy["name"]] == sorted(policy["targets"]), policy["name"]
    account_map = json.loads((output_dir / "accounts.auto.tfvars.json").read_text(encoding="utf-8"))["accounts"]
    assert {host: entry["id"] for host, entry in account_map.items()} == ids

    # Wave stages: people in the identity account, roles trusting it in the
    # accounts, the Terraform state backend.
    identity = settings["landing_zone_identity_account"]
    iam = aws.client("iam", account_id=ids[identity])
    for user in settings["landing_zone_users"]:
        iam.get_user(UserName=user["name"])
        iam.get_login_profile(UserName=user["name"])
        # Encrypted to the key the AWX GPG credential brought: the user's own key opens it.
        encrypted = output_dir / "passwords" / f"{user['name']}.password.asc"
        assert keyring.decrypt(encrypted.read_text(encoding="utf-8")).strip(), user["name"]
    for group in settings["landing_zone_groups"]:
        members = {u["UserName"] for u in iam.get_group(GroupName=group["name"])["Users"]}
        assert members == {u["name"] for u in settings["landing_zone_users"] if group["name"] in u["groups"]}
    for role in settings["landing_zone_cross_account_roles"]:
        for host in role.get("accounts", list(hosts)):
            trust = aws.client("iam", account_id=ids[host]).get_role(RoleName=role["name"])["Role"]
            assert ids[identity] in json.dumps(trust["AssumeRolePolicyDocument"]), (role["name"], host)
    backend_account = settings["landing_zone_tf_backend_account"]
    backend = settings["landing_zone_tf_backend"]
    bucket = backend["bucket"].format(project=project, account=backend_account)
    aws.client("s3", account_id=ids[backend_account]).head_bucket(Bucket=bucket)
    table = backend["lock_table"].format(project=project, account=backend_account)
    aws.client("dynamodb", account_id=ids[backend_account]).describe_table(TableName=table)

    # Profiles stage: a profile reaching every account.
    config = (output_dir / "aws" / "config").read_text(encoding="utf-8")
    for host, account_id in ids.items():
        assert account_id in config, host
