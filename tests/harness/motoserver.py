"""Start and stop a real moto server process on a free 127.0.0.1 port."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.2)


class MotoServer:
    """A ``moto_server`` child process; use as a context manager or start()/stop()."""

    def __init__(self, port=None, log_path=None, load_managed_policies=False, command=None):
        self.load_managed_policies = load_managed_policies
        # The moto_server command line before its -H/-p arguments (default: moto_server itself).
        self.command = list(command) if command else None
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process = None

    def start(self):
        executable = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or shutil.which("moto_server")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        env = dict(os.environ)
        env.pop("AWS_ENDPOINT_URL", None)
        # AWS managed policies (AdministratorAccess, ...) exist in real
        # accounts; moto only knows them when asked to load them.  It costs:
        # every account then holds ~1,000 policies and a reset reloads them
        # for every account, so only whole-landing-zone runs ask for it.
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" if self.load_managed_policies else "false"
        self.process = subprocess.Popen(
            (self.command or [executable]) + ["-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        wait_for(self.url + "/moto-api/")
        return self

    def reset(self):
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
