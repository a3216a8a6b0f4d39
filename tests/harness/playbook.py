"""Run ansible-playbook against the AWS endpoint of a test and read back what modules returned."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLBACKS = Path(__file__).resolve().parent / "callback_plugins"


class RunResult:
    def __init__(self, rc, stdout, stderr, results):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.results = results

    @property
    def output(self):
        return self.stdout + self.stderr

    def of(self, task_name, host=None):
        """The results of the tasks named ``task_name`` (optionally for one host)."""
        return [
            r["result"]
            for r in self.results
            if r["task"] == task_name and (host is None or r["host"] == host)
        ]

    def one(self, task_name, host=None):
        found = self.of(task_name, host)
        assert len(found) == 1, f"expected one result for {task_name!r}, got {len(found)}:\n{self.output[-4000:]}"
        return found[0]

    def failed(self):
        return [r for r in self.results if r["status"] == "failed" and not r["result"].get("_ansible_ignore_errors")]

    def changed(self):
        return [r for r in self.results if r["result"].get("changed")]

    def __repr__(self):
        return f"RunResult(rc={self.rc}, tasks={len(self.results)})"


class AnsibleRunner:
    """ansible-playbook with the repo's ansible.cfg and AWS pointed at ``endpoint_url``."""

    def __init__(self, endpoint_url, workdir, extra_env=None):
        self.endpoint_url = endpoint_url
        self.workdir = Path(workdir)
        self.extra_env = dict(extra_env or {})

    def env(self, **overrides):
        env = dict(os.environ)
        bindir = os.path.dirname(sys.executable)
        env.update(
            PATH=bindir + os.pathsep + env.get("PATH", ""),
            ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
            ANSIBLE_CALLBACK_PLUGINS=str(CALLBACKS),
            ANSIBLE_CALLBACKS_ENABLED="result_recorder",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            AWS_ENDPOINT_URL=self.endpoint_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_REGION="us-east-1",
        )
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE",
                    "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(key, None)
        # A value of None removes the variable: env={"ANSIBLE_PYTHON_INTERPRETER": None}
        # runs as a user's shell would, without the harness's interpreter.
        for key, value in {**self.extra_env, **overrides}.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = str(value)
        return env

    def run_playbook(self, playbook, inventory=None, extra_vars=None, check=False, diff=False,
                     verbosity=0, limit=None, args=(), env=None, timeout=1200):
        fd, record_path = tempfile.mkstemp(prefix="results-", suffix=".jsonl", dir=self.workdir)
        os.close(fd)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook)]
        if inventory:
            command += ["-i", str(inventory)]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        if limit:
            command += ["--limit", limit]
        command += list(args)
        run_env = self.env(RESULT_RECORDER_PATH=record_path, **(env or {}))
        # The caller judges the exit status (a failing task is often the point).
        proc = subprocess.run(command, cwd=REPO_ROOT, env=run_env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        with open(record_path, encoding="utf-8") as handle:
            results = [json.loads(line) for line in handle if line.strip()]
        os.unlink(record_path)
        return RunResult(proc.returncode, proc.stdout, proc.stderr, results)

    def run_tasks(self, tasks, check=False, diff=False, play_vars=None, **kwargs):
        """Run ``tasks`` (a list of task dicts) on localhost."""
        play = dict(hosts="localhost", gather_facts=False, tasks=tasks)
        if play_vars:
            play["vars"] = play_vars
        fd, path = tempfile.mkstemp(prefix="play-", suffix=".yml", dir=self.workdir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([play], handle)
        return self.run_playbook(path, check=check, diff=diff, **kwargs)

    def run_module(self, module, args=None, check=False, diff=True, **kwargs):
        """Run one module once; return its result dict (with ``rc``/``output`` of the run attached)."""
        task = {"name": "module under test", module: args or {}, "ignore_errors": True}
        run = self.run_tasks([task], check=check, diff=diff, **kwargs)
        results = run.of("module under test")
        assert results, f"the task did not run (rc={run.rc}):\n{run.output[-4000:]}"
        result = dict(results[0])
        result["_run"] = run
        return result
