"""Start and stop a real moto server process on a 127.0.0.1 port it binds itself.

The server process asks the kernel for a free port (port 0) and reports the
one it got through a pipe, so no port is picked beforehand and hoped free
until the server binds it (two test workers, or another checkout on the same
machine, could take it in between).

Run as a program, this file is that server process:

    python tests/harness/motoserver.py [--host H] [--port P] [--report-fd FD]

prints (or writes to FD) ``{"url": ..., "pid": ...}`` once it listens, and
serves until SIGTERM/SIGINT.
"""

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request

# How long a moto server may take to import moto and listen (a loaded
# 2-core machine needs a few seconds).
START_TIMEOUT = 60.0


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


def _read_report(read_fd, process, timeout):
    """The JSON line the server writes to its report pipe once it listens (None: it exited or timed out)."""
    deadline = time.monotonic() + timeout
    data = b""
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        while time.monotonic() < deadline:
            readable = select.select([pipe], [], [], 0.2)[0]
            if readable:
                chunk = pipe.read(4096)
                if not chunk:  # the server closed its end: reported, or died
                    break
                data += chunk
                if data.endswith(b"\n"):
                    break
            elif process.poll() is not None:
                break
    return json.loads(data) if data.strip() else None


def stop_process(process):
    """Terminate a child process (kill it after 10 s); nothing when it has ended already."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class MotoServer:
    """A moto server child process; use as a context manager or start()/stop().

    ``url`` is known once ``start()`` returned: the server chose its port.
    ``port`` asks for a given port instead (the server still binds it itself).
    ``command`` runs another moto_server command line (bench/moto_server.py,
    moto's own ``-H/-p`` arguments): that one cannot report its port, so a
    free one is picked for it first.
    """

    def __init__(self, port=None, log_path=None, load_managed_policies=False, command=None):
        self.load_managed_policies = load_managed_policies
        self.command = list(command) if command else None
        self.port = port
        self.url = None
        self.log_path = log_path
        self.process = None

    def _environment(self):
        env = dict(os.environ)
        env.pop("AWS_ENDPOINT_URL", None)
        # AWS managed policies (AdministratorAccess, ...) exist in real
        # accounts; moto only knows them when asked to load them.  It costs:
        # every account then holds ~1,000 policies and a reset reloads them
        # for every account, so only whole-landing-zone runs ask for it.
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" if self.load_managed_policies else "false"
        return env

    def start(self):
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # pylint: disable=consider-using-with
        try:
            if self.command:
                self._start_command(log)
            else:
                self._start_reporting(log)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        wait_for(self.url + "/moto-api/")
        return self

    def _start_reporting(self, log):
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, os.path.abspath(__file__), "--host", "127.0.0.1", "--port", str(self.port or 0),
                 "--report-fd", str(write_fd)],
                stdout=log, stderr=subprocess.STDOUT, env=self._environment(), start_new_session=True,
                pass_fds=(write_fd,),
            )
        finally:
            os.close(write_fd)
        report = _read_report(read_fd, self.process, START_TIMEOUT)
        if not report:
            self.stop()
            raise RuntimeError(f"moto server did not start within {START_TIMEOUT} s"
                               f" (exit status {self.process.returncode}; log: {self.log_path})")
        self.url = report["url"]
        self.port = int(self.url.rsplit(":", 1)[1])

    def _start_command(self, log):
        # Only for moto_server command lines that cannot report their port.
        import socket  # pylint: disable=import-outside-toplevel
        if not self.port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            self.command + ["-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, env=self._environment(), start_new_session=True,
        )

    def reset(self):
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=30).close()

    def stop(self):
        stop_process(self.process)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the server process -------------------------------------------------------------


def _exit(_signum, _frame):
    sys.exit(0)


def serve(host, port, report):
    """Serve moto on ``host:port`` (0: a port the kernel picks) until SIGTERM; ``report(info)`` once listening."""
    # pylint: disable=import-outside-toplevel
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.serving import make_server

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    _speedups().install()
    # What moto_server itself runs (moto/server.py): werkzeug, one thread a request,
    # with the harness's own routes in front.
    app = with_harness_routes(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    bound = server.server_address[1]
    # moto_server sets it too: moto builds a few endpoint URLs from it.
    os.environ["MOTO_PORT"] = str(bound)
    report(dict(url=f"http://{host}:{bound}", pid=os.getpid()))
    try:
        server.serve_forever()
    finally:
        server.server_close()


# --- harness-only routes of the server process ------------------------------------------

# An invited account joins an organization (tests/harness/strict_rules/handshakes.py,
# on AcceptHandshake): moto 5.2 has no handshakes, nor any API that adds an
# existing account to an organization.
JOIN_PATH = "/__harness__/organizations/join"


def with_harness_routes(app):
    """``app`` with the harness's routes, answered in this process (they reach moto's backends directly)."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") == JOIN_PATH and environ.get("REQUEST_METHOD") == "POST":
            return _answer_join(environ, start_response)
        return app(environ, start_response)

    return application


def _answer_join(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        body, status = json.dumps(join_organization(**request)).encode(), "200 OK"
    except (ValueError, TypeError, KeyError, LookupError) as error:
        import traceback  # pylint: disable=import-outside-toplevel
        where = traceback.format_exc(limit=-2)
        body, status = json.dumps({"error": repr(error), "where": where}).encode(), "400 Bad Request"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def join_organization(management_account_id, account_id, name, email, tags=()):
    """Add ``account_id`` to the organization of ``management_account_id`` in moto, as AWS does on AcceptHandshake.

    In the root, JoinedMethod INVITED, with the invitation's tags and the
    default policies moto attaches to a new account; no
    OrganizationAccountAccessRole (moto's FakeAccount makes one, an invited
    account has none), and no creation request (ListCreateAccountStatus).
    """
    # pylint: disable=import-outside-toplevel
    from moto.core.utils import utcnow
    from moto.organizations import utils
    from moto.organizations.models import FakeAccount
    from moto.organizations.models import organizations_backends

    class InvitedAccount(FakeAccount):
        # moto's model metaclass names the service after the class's module (this
        # file runs as __main__ in the server process).
        __module__ = FakeAccount.__module__

        def __init__(self, organization):  # pylint: disable=super-init-not-called
            # FakeAccount.__init__ without the role it creates.
            self.type = "ACCOUNT"
            self.region = organization.region
            self.organization_id = organization.id
            self.master_account_id = organization.master_account_id
            self.create_account_status_id = None
            self.id = account_id
            self.name = name
            self.email = email
            self.create_time = utcnow()
            self.status = self.state = "ACTIVE"
            self.joined_method = "INVITED"
            self.parent_id = organization.root_id
            self.attached_policies = []
            self.tags = {tag["Key"]: tag["Value"] for tag in tags or ()}

        @property
        def create_account_status(self):
            # Never made by CreateAccount: no state ListCreateAccountStatus shows.
            return {"CreateAccountStatus": {"Id": None, "State": "INVITED", "AccountId": self.id}}

    backend = organizations_backends[management_account_id]["aws"]
    if backend.org is None:
        raise LookupError(f"{management_account_id} has no organization")
    if any(existing.id == account_id for existing in backend.accounts):
        raise LookupError(f"{account_id} is a member already")
    account = InvitedAccount(backend.org)
    backend.accounts.append(account)
    for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
        backend.attach_policy(PolicyId=policy_id, TargetId=account.id)
    organizations_backends.master_accounts[account.id] = (backend.account_id, backend.partition)
    return account.describe()


def _speedups():
    # This file runs as a script in the server process: the repository root is not on sys.path there.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.harness import moto_speedups  # pylint: disable=import-outside-toplevel
    return moto_speedups


def _reporter(report_fd):
    def report(info):
        line = (json.dumps(info) + "\n").encode()
        if report_fd is None:
            sys.stdout.write(line.decode())
            sys.stdout.flush()
            return
        os.write(report_fd, line)
        os.close(report_fd)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description="A moto server that reports the port it bound.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port the kernel picks")
    parser.add_argument("--report-fd", type=int, help="write the JSON report to this file descriptor, then close it")
    args = parser.parse_args(argv)
    serve(args.host, args.port, _reporter(args.report_fd))
    return 0


if __name__ == "__main__":
    sys.exit(main())
