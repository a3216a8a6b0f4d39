"""account_batch: many accounts in one module run; the shared, cached clients of modules.py; batch_accounts.

The module is the real AnsibleLandingZoneModule (built from module args the
way a module run gets them); only its AWS side is replaced by a fake, so no
network is needed.  fail_json prints the result and exits, as in a module
run: ``failure()`` reads that result back.
"""

import json
import threading

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.awsorg.landing_zone.plugins.filter.landing_zone import batch_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import AccountRunError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import _check_entries
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import account_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_cross_account_role import validate
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule

CALLER = "123456789012"
ALPHA = "210987654321"
BETA = "345678901234"
GAMMA = "456789012345"

# A small single-account spec, in the shape of the real modules': an alias, a
# choice, a typed option and a dict.
SPEC = dict(
    name=dict(type="str", required=True, aliases=["role_name"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    count=dict(type="int", default=1),
    tags=dict(type="dict", aliases=["resource_tags"]),
)


@pytest.fixture(autouse=True)
def module_profile(monkeypatch):
    """What patch_module_args sets for the module's lifetime: the result encoding of exit_json and fail_json."""
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")


def make_module(check_mode=False, **args):
    args.setdefault("region", "us-east-1")
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        return AnsibleLandingZoneModule(argument_spec=dict(SPEC), supports_check_mode=True, assume_role=True,
                                        accounts=True)


def failure(capsys, call, *args, **kwargs):
    """The result a module run prints when ``call`` ends it with fail_json."""
    with pytest.raises(SystemExit) as exited:
        call(*args, **kwargs)
    assert exited.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    return result


class FakeClient:
    def __init__(self, aws, service, settings):
        self.aws = aws
        self.service = service
        self.settings = settings

    @property
    def account(self):
        """The account these credentials act in."""
        key = self.settings.get("aws_access_key_id")
        return self.aws.keys[key] if key else CALLER

    def assume_role(self, RoleArn, **_params):  # pylint: disable=invalid-name
        with self.aws.lock:
            self.aws.assumed.append(RoleArn)
        account = RoleArn.split(":")[4]
        key = f"TESTKEY-{account}"
        self.aws.keys[key] = account
        return {"Credentials": dict(AccessKeyId=key, SecretAccessKey="secret", SessionToken="token")}

    def get_caller_identity(self):
        self.aws.identity_calls += 1
        return {"Account": CALLER, "Arn": f"arn:aws:iam::{CALLER}:user/admin"}


class FakeAws:
    """Stands in for AnsibleLandingZoneModule.shared_client: records AssumeRole, knows whose keys are whose."""

    def __init__(self, module):
        self.lock = threading.Lock()
        self.assumed = []
        self.keys = {}
        self.identity_calls = 0
        self.clients = 0
        module.shared_client = self.client

    def client(self, service, retry_decorator=None, **settings):
        with self.lock:
            self.clients += 1
        return FakeClient(self, service, settings)


def converge(account_run):
    """A runner in the shape of the real ones: reads with several clients, fails through fail_json."""
    iam = account_run.client("iam")
    ec2 = account_run.client("ec2", region="eu-west-1")
    assert iam.account == ec2.account
    if account_run.params["count"] < 0:
        account_run.fail_json(msg=f"count: {account_run.params['count']} is not possible in {iam.account}")
    if account_run.params["count"] == 0:
        raise KeyError("count")
    if account_run.params["state"] == "absent":
        account_run.warn("nothing to remove")
    wanted = dict(name=account_run.params["name"], count=account_run.params["count"])
    return dict(changed=True, acted_in=iam.account, thing=wanted,
                diff=dict(before=None, after=wanted))


# --- account_params -----------------------------------------------------------------


def entry(account_id=None, params=None, caller=False, role_name="OrganizationAccountAccessRole"):
    return dict(account_id=account_id, params=params or {}, caller=caller, role_name=role_name)


def test_entry_params_override_the_task_options_and_the_rest_come_from_the_task():
    module = make_module(name="infra", count=3, tags=dict(team="a"),
                         accounts=[dict(account_id=ALPHA)], endpoint_url="http://127.0.0.1:1")
    params, problems = account_params(module, entry(ALPHA, dict(count="7", state="absent")))
    assert problems == []
    assert params["count"] == 7  # converted as the module converts its own options
    assert params["state"] == "absent"
    assert params["name"] == "infra"
    assert params["tags"] == dict(team="a")
    # The task's connection options stay visible: helpers such as s3control read endpoint_url from params.
    assert params["endpoint_url"] == "http://127.0.0.1:1"
    assert "accounts" not in params and "max_workers" not in params
    # The entry did not change what the other accounts see.
    params, problems = account_params(module, entry(BETA))
    assert (params["count"], params["state"], problems) == (3, "present", [])


def test_an_alias_in_params_sets_its_option():
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA)])
    params, problems = account_params(module, entry(ALPHA, dict(role_name="other", resource_tags=dict(k="v"))))
    assert problems == []
    assert params["name"] == "other"
    assert params["tags"] == dict(k="v")
    _params, problems = account_params(module, entry(ALPHA, dict(role_name="other", name="third")))
    assert problems == ["params: name is given twice (as name and its alias)"]


def test_an_unknown_option_in_params_is_refused_by_name():
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA)])
    params, problems = account_params(module, entry(ALPHA, dict(colour="red", count=2, assume_role={})))
    assert params is None
    # assume_role is an option of the module, but not one an account of the batch can have.
    assert problems == ["params: unknown option(s) assume_role, colour"]


@pytest.mark.parametrize(
    "override, message_part",
    [
        (dict(count="many"), "count"),
        (dict(state="gone"), "state"),
        (dict(tags="not a dict"), "tags"),
    ],
)
def test_a_bad_value_in_params_is_reported_naming_the_option(override, message_part):
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA)])
    params, problems = account_params(module, entry(ALPHA, override))
    assert params is None
    assert len(problems) == 1 and message_part in problems[0], problems


# --- the entries, checked before anything runs ---------------------------------------


def test_every_bad_entry_is_reported_at_once_naming_it():
    module = make_module(name="infra", accounts=[
        dict(account_id=ALPHA),
        dict(params=dict(count=2)),  # no account_id, not the caller
        dict(account_id=ALPHA),  # twice
        dict(account_id=BETA, params=dict(count="x")),
        dict(account_id="12345"),  # not an account id: AssumeRole would fail after the others were written
        dict(account_id=GAMMA, role_name="bad role"),
    ])
    runs, problems = _check_entries(module, None, {}, False)
    assert [run.account_id for run in runs] == [ALPHA, ALPHA]
    assert problems[0] == "accounts[1] (account (caller)): account_id is required unless caller is true"
    assert problems[1] == f"accounts[2] (account {ALPHA}): the account is listed twice"
    assert problems[2].startswith(f"accounts[3] (account {BETA}): ") and "count" in problems[2]
    assert problems[3] == "accounts[4] (account 12345): account_id must be 12 digits, got '12345'"
    assert problems[4].startswith(f"accounts[5] (account {GAMMA}): role_name must be 1-64 characters")
    assert len(problems) == 5


def test_only_one_entry_can_be_the_caller():
    module = make_module(name="infra", accounts=[dict(caller=True), dict(account_id=CALLER, caller=True)])
    _runs, problems = _check_entries(module, None, {}, False)
    assert problems == [f"accounts[1] (account {CALLER}): only one entry can act as the caller (caller: true)"]


def test_validate_refuses_entries_with_their_own_message():
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA), dict(account_id=BETA, params=dict(count=9))])

    def validate(account_run):
        if account_run.params["count"] > 5:
            account_run.fail_json(msg=f"count: {account_run.params['count']} is more than 5")

    _runs, problems = _check_entries(module, validate, {}, False)
    assert problems == [f"accounts[1] (account {BETA}): count: 9 is more than 5"]


def test_a_bad_entry_fails_the_task_before_any_account_runs_or_aws_is_called(capsys):
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA), dict(account_id=BETA, params=dict(count="x"))])
    aws = FakeAws(module)
    ran = []
    result = failure(capsys, run_for_accounts, module, ran.append)
    assert result["msg"].startswith(f"accounts[1] (account {BETA}): ")
    assert ran == [] and aws.clients == 0 and aws.assumed == []


# --- the batch result ------------------------------------------------------------------


def test_result_per_account_in_order_with_the_diff_keyed_by_account_id():
    module = make_module(name="infra", accounts=[
        dict(account_id=BETA, params=dict(count=2)),
        dict(caller=True),
        dict(account_id=ALPHA, params=dict(state="absent")),
    ])
    aws = FakeAws(module)
    warnings = []
    module.warn = warnings.append
    result = run_for_accounts(module, converge)
    assert [r["account_id"] for r in result["accounts"]] == [BETA, CALLER, ALPHA]
    # Each ran in its own account: members through their role, the caller with its own keys.
    assert [r["acted_in"] for r in result["accounts"]] == [BETA, CALLER, ALPHA]
    assert result["accounts"][0]["thing"] == dict(name="infra", count=2)
    assert result["changed"] is True
    assert "diff" not in result["accounts"][0]
    assert result["diff"]["after"] == {BETA: dict(name="infra", count=2), CALLER: dict(name="infra", count=1),
                                       ALPHA: dict(name="infra", count=1)}
    assert result["diff"]["before"] == {BETA: None, CALLER: None, ALPHA: None}
    # The caller entry without an account id got the caller's, from one GetCallerIdentity.
    assert aws.identity_calls == 1
    # Each member role was assumed once, however many clients its account used.
    assert sorted(aws.assumed) == [f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
                                   for account in sorted([ALPHA, BETA])]
    assert warnings == [f"account {ALPHA}: nothing to remove"]


def test_one_failing_account_fails_the_task_naming_it_while_the_others_ran(capsys):
    module = make_module(name="infra", max_workers=2, accounts=[
        dict(account_id=ALPHA),
        dict(account_id=BETA, params=dict(count=-1)),
        dict(account_id=GAMMA, params=dict(count=0)),  # a bug in the runner: an exception it did not expect
        dict(account_id=CALLER, caller=True),
    ])
    FakeAws(module)
    ran = []

    def recording(account_run):
        ran.append(account_run.account_id)
        return converge(account_run)

    result = failure(capsys, run_for_accounts, module, recording)
    assert sorted(ran) == sorted([ALPHA, BETA, GAMMA, CALLER])
    assert result["msg"] == f"account {BETA}: count: -1 is not possible in {BETA}; account {GAMMA}: KeyError: 'count'"
    accounts = result["accounts"]
    assert [a["account_id"] for a in accounts] == [ALPHA, BETA, GAMMA, CALLER]
    assert [a.get("failed", False) for a in accounts] == [False, True, True, False]
    assert accounts[0]["thing"] == dict(name="infra", count=1) and accounts[0]["changed"] is True
    assert accounts[1]["msg"] == f"count: -1 is not possible in {BETA}"
    assert result["changed"] is True  # what the others changed is reported


def test_an_aws_error_in_one_account_is_that_accounts_failure(capsys):
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA), dict(account_id=BETA)])
    FakeAws(module)

    def runner(account_run):
        if account_run.account_id == BETA:
            raise AnsibleAWSError(message="Failed to read the role")
        return dict(changed=False)

    result = failure(capsys, run_for_accounts, module, runner)
    assert result["msg"] == f"account {BETA}: Failed to read the role"
    assert result["changed"] is False


def test_a_caller_entry_naming_another_account_is_refused_before_anything_runs(capsys):
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA), dict(account_id=BETA, caller=True)])
    aws = FakeAws(module)
    ran = []
    result = failure(capsys, run_for_accounts, module, ran.append)
    assert result["msg"] == (f"accounts[1] (account {BETA}): caller is true, but the caller's credentials are"
                             f" those of account {CALLER}, not {BETA}")
    assert ran == [] and aws.assumed == []


def test_check_mode_reaches_every_account():
    module = make_module(check_mode=True, name="infra", accounts=[dict(account_id=ALPHA), dict(account_id=BETA)])
    FakeAws(module)
    seen = []

    def runner(account_run):
        seen.append(account_run.check_mode)
        return dict(changed=True)

    assert run_for_accounts(module, runner)["changed"] is True
    assert seen == [True, True]


def test_accounts_and_assume_role_are_mutually_exclusive(capsys):
    result = failure(capsys, make_module, name="infra", accounts=[dict(account_id=ALPHA)],
                     assume_role=dict(account_id=BETA))
    assert "mutually exclusive" in result["msg"] and "accounts" in result["msg"]


# --- modules.py: one boto3 session, clients cached -------------------------------------


def real_module(monkeypatch, **args):
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    args.setdefault("access_key", "testing")
    args.setdefault("secret_key", "testing")
    with patch_module_args(dict(args, name="infra")):
        return AnsibleLandingZoneModule(argument_spec=dict(SPEC), supports_check_mode=True, accounts=True)


def test_a_client_asked_for_twice_with_the_same_settings_is_built_once(monkeypatch):
    module = real_module(monkeypatch, region="eu-west-1", endpoint_url="http://127.0.0.1:1")
    iam = module.caller_client("iam")
    assert module.caller_client("iam") is iam
    assert iam.meta.region_name == "eu-west-1"
    assert iam.meta.endpoint_url == "http://127.0.0.1:1"
    assert module.client("iam") is iam  # no assume_role: the caller's own
    assert module.caller_client("iam", region="us-east-2") is not iam
    assert module.caller_client("iam", region="us-east-2").meta.region_name == "us-east-2"
    member = module.caller_client("iam", aws_access_key_id="TESTKEY", aws_secret_access_key="s", aws_session_token="t")
    assert member is not iam
    assert member.meta.config.user_agent_extra.endswith("awsorg.landing_zone")
    wrapped = module.caller_client("iam", retry_decorator=lambda f: f)
    assert isinstance(wrapped, RetryingBotoClientWrapper) and wrapped.client is iam


def test_threads_asking_for_the_same_client_share_one(monkeypatch):
    module = real_module(monkeypatch, region="us-east-1")
    clients, barrier = [], threading.Barrier(6)

    def ask():
        barrier.wait()
        clients.append(module.shared_client("sts"))

    threads = [threading.Thread(target=ask) for _thread in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) == 6 and all(client is clients[0] for client in clients)


def test_without_a_region_shared_client_raises_and_caller_client_fails_the_module(monkeypatch, capsys):
    module = real_module(monkeypatch)
    with pytest.raises(AnsibleAWSError, match="requires a region"):
        module.shared_client("ec2")
    result = failure(capsys, module.caller_client, "ec2")
    assert "requires a region" in result["msg"]


def test_a_client_that_cannot_be_built_fails_only_its_account(monkeypatch, capsys):
    # The failure is reported as the account's, from the worker thread; the module is not ended there.
    module = real_module(monkeypatch, region="us-east-1",
                         accounts=[dict(account_id=ALPHA), dict(caller=True, account_id=CALLER)])
    built = []

    def runner(account_run):
        if account_run.account_id == ALPHA:
            account_run.caller_client("no-such-service")
        built.append(account_run.account_id)
        return dict(changed=False)

    module.shared_client = _identity_then(module.shared_client)
    result = failure(capsys, run_for_accounts, module, runner)
    assert result["msg"].startswith(f"account {ALPHA}: Couldn't connect to AWS")
    assert built == [CALLER]


def _identity_then(shared_client):
    """shared_client, except that sts answers GetCallerIdentity without the network."""

    class Sts:
        def get_caller_identity(self):
            return {"Account": CALLER}

    def client(service, retry_decorator=None, **settings):
        if service == "sts":
            return Sts()
        return shared_client(service, retry_decorator=retry_decorator, **settings)

    return client


# --- the batch_accounts filter ------------------------------------------------------------


def test_batch_accounts_one_entry_per_host_with_an_account_id():
    hostvars = {
        "mgmt": dict(account_id=123456789012),
        "alpha": dict(account_id=ALPHA),
        "new": dict(account_id=None),  # not created yet (check mode on a new organization)
        "beta": dict(account_id=BETA),
        "gone": {},
    }
    entries = batch_accounts(["mgmt", "alpha", "new", "beta", "gone"], hostvars, ["mgmt"], "Admin",
                             dict(alpha=dict(account_alias="acme-alpha"), beta={}))
    assert entries == [
        dict(account_id=CALLER, role_name="Admin", caller=True),
        dict(account_id=ALPHA, role_name="Admin", caller=False, params=dict(account_alias="acme-alpha")),
        dict(account_id=BETA, role_name="Admin", caller=False),
    ]
    assert batch_accounts(["alpha"], hostvars, None, "Admin") == [
        dict(account_id=ALPHA, role_name="Admin", caller=False)]


def test_account_run_error_is_what_fail_json_raises_in_a_batch():
    module = make_module(name="infra", accounts=[dict(account_id=ALPHA)])
    [account_run], _problems = _check_entries(module, None, {}, False)
    with pytest.raises(AccountRunError, match="^nope$"):
        account_run.fail_json(msg="nope")


def test_iam_cross_account_role_checks_source_account_id_per_account():
    # Not the module's required_if: an entry of accounts may bring its own source_account_id.
    with pytest.raises(ValidationError, match="^source_account_id: required with state=present$"):
        validate(dict(name="engineers", path=None, state="present", source_account_id=None))
    assert validate(dict(name="engineers", path=None, state="absent", source_account_id=None)) is None
    assert validate(dict(name="engineers", path=None, state="present", source_account_id=CALLER)) is None
