"""Strict mode of the recording proxy: answer as AWS does where moto does not.

moto accepts much that AWS refuses: it lets anyone assume any role ARN, even
one that does not exist, never reads a trust policy, enforces no IAM size,
and makes a second account when a lost CreateAccount answer is retried.  A
test that passes only because of that is a defect, so the proxy checks, in
front of moto, what AWS would check, and answers with AWS's own error (the
code, HTTP status and document botocore expects for the call's protocol).

The layer reads what it needs from moto itself (``MotoReader``: boto3
clients straight to the upstream moto, never through the proxy) and from the
calls that pass through (who got which session, when a role or an account
was made).  Each AWS behaviour lives in a rule object (``rules``) with two
hooks:

* ``before(request)``: return an ``AwsError`` (or a whole answer
  ``(status, headers, body)``) to answer instead of moto, or None;
* ``after(request, answer)``: see moto's answer (``request.upstream_answer``
  is moto's own, before the slow-account-creation rewrite); return a
  replacement answer, or None to keep it.

Strict mode is on by default (``StrictConfig.enabled``); ``STRICT_AWS=0``
in the environment turns it off everywhere for comparison, and
``POST /__proxy__/strict`` changes it at run time.  docs/testing.md lists
every behaviour with its AWS source and its test.
"""

import dataclasses
import json
import os
import threading
import time
import urllib.parse
import uuid

import boto3
import botocore.config

MOTO_DEFAULT_ACCOUNT = "123456789012"
MEMBER_ROLE = "OrganizationAccountAccessRole"
# Credentials the harness uses for the management account (moto's default account).
HARNESS_KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing")


def strict_default():
    """Strict unless ``STRICT_AWS`` says 0/false/no/off."""
    return os.environ.get("STRICT_AWS", "1").strip().lower() not in ("0", "false", "no", "off")


def _seconds(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def dataclass_from_dict(cls, data, what):
    """``cls(**data)`` for a JSON object sent to the proxy, naming unknown fields."""
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a JSON object, got {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; known: {sorted(known)}")
    return cls(**data)


@dataclasses.dataclass
class StrictConfig:
    """What the strict layer enforces, and how long AWS's eventual consistency lasts.

    The delays default short, for tests; the benchmark's latency mode sets
    realistic ones.
    """

    enabled: bool = dataclasses.field(default_factory=strict_default)
    # A new account's OrganizationAccountAccessRole cannot be assumed for this
    # long after its creation request reads SUCCEEDED.
    member_role_delay_seconds: float = 1.0
    # Counted from the same moment: a new account's services are not ready for
    # this long (EC2's EBS encryption calls answer OptInRequired,
    # strict_rules/new_account_services.py).  Only a delay longer than
    # member_role_delay_seconds is seen: the role is not assumable before.
    # 0 (off) by default: the tests that need it set it.
    new_account_services_delay_seconds: float = 0.0
    # A role made by CreateRole cannot be assumed for this long (IAM is
    # eventually consistent).
    new_role_delay_seconds: float = 0.5
    # The organization's account quota (AWS's default for a new
    # organization is 10; raised on request).
    account_quota: int = 10
    # How long a closed account stays PENDING_CLOSURE before SUSPENDED.
    close_pending_seconds: float = 1.0
    # CloseAccount: within a rolling 30 days an organization may close the
    # higher of this many or 20% of its member accounts, at most 1,000
    # (AWS's figure is 250: CloseAccount, Organizations API Reference).  Tests
    # lower it to reach the quota with a handful of accounts.
    close_quota_minimum: int = 250
    # An opt-in region reads ENABLING (DISABLING) this long after EnableRegion
    # (DisableRegion), then ENABLED (DISABLED); AWS takes minutes to hours.
    region_change_seconds: float = 0.5
    # The layer reads the organization (accounts, SCPs above an account) from
    # moto to judge calls, and reads it again this long after: a write passing
    # through the proxy refreshes it at once, this catches the writes tests
    # make straight to moto.  The benchmark, whose writes all pass through the
    # proxy, sets it long: these reads are the harness's cost, not AWS's (at
    # 101 accounts, 1 s made ~5 times as many moto requests as the run itself).
    organization_view_seconds: float = 1.0
    # A new organization answers FinalizingOrganizationException to
    # CreateAccount, CreateGovCloudAccount, InviteAccountToOrganization and
    # CreateOrganizationalUnit for this long after CreateOrganization ("This
    # can take up to an hour").  0 by default: most runs find the organization
    # made by the test straight in moto, and the collection's wait for it is
    # minutes long by design (retries.organization_finalizing_retry).
    organization_finalizing_seconds: float = 0.0
    # A policy type reads PENDING_ENABLE (PENDING_DISABLE) in ListRoots for
    # this long after EnablePolicyType (DisablePolicyType), then ENABLED (gone);
    # AttachPolicy of a type still PENDING_ENABLE is PolicyTypeNotEnabledException.
    policy_type_change_seconds: float = 0.5
    # This many CreateAccount requests that would succeed end FAILED with
    # INTERNAL_FAILURE instead ("an internal failure. Try again later",
    # CreateAccountStatus), the first ones after this configuration is set;
    # they make no account.  0 by default: the tests of the resubmit set it.
    creation_internal_failures: int = 0

    def __post_init__(self):
        if not isinstance(self.enabled, bool):
            raise ValueError(f"enabled must be true or false, got {self.enabled!r}")
        self.member_role_delay_seconds = _seconds("member_role_delay_seconds", self.member_role_delay_seconds)
        self.new_account_services_delay_seconds = _seconds("new_account_services_delay_seconds",
                                                           self.new_account_services_delay_seconds)
        self.new_role_delay_seconds = _seconds("new_role_delay_seconds", self.new_role_delay_seconds)
        self.close_pending_seconds = _seconds("close_pending_seconds", self.close_pending_seconds)
        self.region_change_seconds = _seconds("region_change_seconds", self.region_change_seconds)
        self.organization_view_seconds = _seconds("organization_view_seconds", self.organization_view_seconds)
        self.organization_finalizing_seconds = _seconds("organization_finalizing_seconds",
                                                        self.organization_finalizing_seconds)
        self.policy_type_change_seconds = _seconds("policy_type_change_seconds", self.policy_type_change_seconds)
        for name in ("account_quota", "close_quota_minimum"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        failures = self.creation_internal_failures
        if not isinstance(failures, int) or isinstance(failures, bool) or failures < 0:
            raise ValueError(f"creation_internal_failures must be a whole number of at least 0, got {failures!r}")

    @classmethod
    def from_dict(cls, data):
        return dataclass_from_dict(cls, data, "the strict configuration")

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class AwsError(Exception):
    """An error AWS answers; the layer shapes it for the call's protocol."""

    code: str
    message: str
    status: int = 400

    def __str__(self):
        return f"{self.code}: {self.message}"


# --- who is calling -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Caller:
    """The principal behind an access key, as AWS would see it.

    ``principal_arn`` is what a trust policy's Principal matches: the role's
    ARN for an assumed-role session, the user's for a user.  ``mfa`` is true
    only for a session made with SerialNumber and TokenCode; ``chained`` for
    a session made by an assumed-role session (role chaining).
    """

    access_key_id: str
    account_id: str
    arn: str
    principal_arn: str
    kind: str  # "user", "assumed-role" or "root"
    mfa: bool = False
    chained: bool = False


def principal_arn_of(arn):
    """``arn:aws:sts::1:assumed-role/R/s`` -> ``arn:aws:iam::1:role/R``; users keep theirs (in iam form)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return arn
    partition, account, resource = parts[1], parts[4], parts[5]
    if resource.startswith("assumed-role/"):
        role = resource.split("/")[1]
        return f"arn:{partition}:iam::{account}:role/{role}"
    if resource == "root":
        return f"arn:{partition}:iam::{account}:root"
    return f"arn:{partition}:iam::{account}:{resource}"


def kind_of(arn):
    resource = arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return "assumed-role"
    if resource == "root":
        return "root"
    return "user"


class Sessions:
    """What the layer learnt about access keys from the calls it saw.

    AssumeRole and GetSessionToken answers pass through the proxy: the new
    key's MFA and role-chaining facts are noted here.  Who a key belongs to
    is asked of moto (GetCallerIdentity with that key id: moto does not
    check signatures) and kept, since a key never changes owner.
    """

    def __init__(self, moto):
        self._moto = moto
        self._lock = threading.Lock()
        self._facts = {}  # access key id -> dict(mfa=, chained=)
        self._callers = {}  # access key id -> Caller

    def note_session(self, access_key_id, *, mfa, chained):
        with self._lock:
            self._facts[access_key_id] = dict(mfa=mfa, chained=chained)
            self._callers.pop(access_key_id, None)

    def know(self, caller):
        """A key whose owner the layer made itself (an emulated AssumeRoot session): moto never saw it."""
        with self._lock:
            self._facts[caller.access_key_id] = dict(mfa=caller.mfa, chained=caller.chained)
            self._callers[caller.access_key_id] = caller

    def is_session(self, access_key_id):
        """Whether the key was handed out by an AssumeRole or GetSessionToken seen here (temporary credentials)."""
        with self._lock:
            return access_key_id in self._facts

    def caller(self, access_key_id):
        with self._lock:
            known = self._callers.get(access_key_id)
        if known:
            return known
        identity = self._moto.caller_identity(access_key_id)
        facts = self._facts.get(access_key_id, {})
        arn = identity["Arn"]
        caller = Caller(
            access_key_id=access_key_id,
            account_id=identity["Account"],
            arn=arn,
            principal_arn=principal_arn_of(arn),
            kind=kind_of(arn),
            mfa=bool(facts.get("mfa")),
            chained=bool(facts.get("chained")),
        )
        with self._lock:
            self._callers[access_key_id] = caller
        return caller


# --- reading moto -----------------------------------------------------------------

class MotoReader:
    """boto3 clients straight to the upstream moto: what the layer knows of AWS's state.

    ``client(service)`` acts in the management account (moto's default);
    ``client(service, account_id=...)`` in that account, through a session of
    its OrganizationAccountAccessRole that moto hands out without checks
    (these calls never pass through the proxy, so no rule applies to them).
    """

    _CONFIG = botocore.config.Config(retries={"total_max_attempts": 3, "mode": "standard"})

    def __init__(self, url, region="us-east-1"):
        self.url = url
        self.region = region
        self._session = boto3.session.Session()
        self._lock = threading.Lock()
        self._clients = {}
        self._keys = {}

    def _make(self, service, **credentials):
        with self._lock:
            return self._session.client(service, endpoint_url=self.url, region_name=self.region,
                                        config=self._CONFIG, **credentials)

    def client(self, service, account_id=None):
        account_id = account_id or MOTO_DEFAULT_ACCOUNT
        key = (service, account_id)
        client = self._clients.get(key)
        if client is None:
            client = self._make(service, **self._credentials(account_id))
            self._clients[key] = client
        return client

    def _credentials(self, account_id):
        if account_id == MOTO_DEFAULT_ACCOUNT:
            return dict(HARNESS_KEYS)
        creds = self._keys.get(account_id)
        if creds is None:
            answer = self.client("sts").assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}", RoleSessionName="strict-layer")
            creds = answer["Credentials"]
            self._keys[account_id] = creds
        return dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"])

    def caller_identity(self, access_key_id):
        """moto's GetCallerIdentity for a key id (moto reads the key id, never the signature)."""
        client = self._make("sts", aws_access_key_id=access_key_id, aws_secret_access_key="unchecked")
        return client.get_caller_identity()

    def forget(self):
        """Drop cached clients and keys (after moto was reset)."""
        with self._lock:
            self._clients.clear()
            self._keys.clear()


# --- one request --------------------------------------------------------------

def _access_key_id(headers):
    auth = headers.get("Authorization", "")
    marker = "Credential="
    start = auth.find(marker)
    if start < 0:
        return None
    return auth[start + len(marker):].split("/", 1)[0] or None


def _params(protocol, method, path, headers, body):
    """The call's parameters: the JSON body, or the Query form (with the URL's query)."""
    if protocol == "json" or (protocol == "rest-json" and body[:1] == b"{"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    split = urllib.parse.urlsplit(path)
    params = {k: v[0] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
    if protocol == "query" and body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[0] for k, v in form.items()})
    return params


class StrictRequest:
    """One AWS call as the rules see it; ``caller`` is looked up on first use."""

    def __init__(self, layer, call, protocol, method, path, headers, body):
        self.layer = layer
        self.call = call
        self.service = call["service"]
        self.action = call["action"]
        self.region = call["region"] or layer.moto.region
        self.protocol = protocol
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.params = _params(protocol, method, path, headers, body)
        self.access_key_id = _access_key_id(headers)
        self.upstream_answer = None
        self._caller = None

    @property
    def caller(self):
        if self._caller is None and self.access_key_id:
            self._caller = self.layer.sessions.caller(self.access_key_id)
        return self._caller

    def is_(self, service, *actions):
        return self.service == service and (not actions or self.action in actions)


def query_list(params, prefix):
    """``Tags.member.1.Key`` style lists of the Query protocol: the values under ``prefix.member.N``."""
    found = []
    index = 1
    while f"{prefix}.member.{index}" in params:
        found.append(params[f"{prefix}.member.{index}"])
        index += 1
    return found


def json_answer(data, status=200):
    """A whole answer of the JSON protocol (X-Amz-Target services), as AWS sends it."""
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": str(uuid.uuid4())}
    return status, headers, json.dumps(data).encode()


def json_error(code, message, status=400, **fields):
    """A JSON-protocol error with fields beyond the message (``Reason`` of ConstraintViolationException)."""
    status, headers, body = json_answer(dict({"__type": code, "Message": message}, **fields), status)
    headers["x-amzn-ErrorType"] = code
    return status, headers, body


def answer_json(answer):
    """moto's JSON answer as a dict (None when it is not JSON or not a success)."""
    if not answer or answer[0] != 200:
        return None
    try:
        data = json.loads(answer[2] or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# --- the layer ------------------------------------------------------------------

class StrictLayer:
    """The rules, in order, between the proxy and moto."""

    def __init__(self, upstream_url, config=None, clock=time.monotonic):
        self.config = config or StrictConfig()
        self.clock = clock
        self.moto = MotoReader(upstream_url)
        self.sessions = Sessions(self.moto)
        self._lock = threading.Lock()
        # The proxy's slow-account-creation view (awsproxy.AccountCreationDelay):
        # which CreateAccount requests still read IN_PROGRESS, and for how long
        # a creation does.  Nothing is in flight until the proxy plugs it in.
        self._creations_in_flight = dict
        self._creation_seconds = float
        self.rules = self._make_rules()

    def watch_account_creation(self, in_flight, seconds):
        """``in_flight()`` -> {request id: account id} still IN_PROGRESS; ``seconds()`` -> a creation's length."""
        self._creations_in_flight = in_flight
        self._creation_seconds = seconds

    def creations_in_flight(self):
        return dict(self._creations_in_flight())

    def creation_seconds(self):
        return float(self._creation_seconds())

    def _make_rules(self):
        # Imported here: the rule modules import this one.
        from tests.harness.strict_rules import all_rules  # pylint: disable=import-outside-toplevel
        return all_rules(self)

    def configure(self, config):
        self.config = config
        return config

    def reset(self):
        """moto was reset: forget everything learnt from it."""
        self.moto.forget()
        self.sessions = Sessions(self.moto)
        for rule in self.rules:
            rule.reset()

    @property
    def enabled(self):
        return self.config.enabled

    def request(self, call, protocol, method, path, headers, body):
        return StrictRequest(self, call, protocol, method, path, headers, body)

    def before(self, request):
        """None to forward the call, else the answer (an AwsError is shaped by the proxy)."""
        for rule in self.rules:
            refusal = _ask(rule, rule.before, request)
            if refusal is not None:
                return refusal
        return None

    def after(self, request, answer):
        """None to keep moto's answer, else the answer to give instead."""
        for rule in self.rules:
            replaced = _ask(rule, rule.after, request, answer)
            if replaced is not None:
                return replaced
        return None


def _ask(rule, hook, *args):
    """A rule's verdict; a rule that breaks answers a visible, non-retryable error, never a hang."""
    try:
        return hook(*args)
    except AwsError as error:
        return error
    except Exception as error:  # pylint: disable=broad-except
        return AwsError("StrictLayerError", f"the strict layer's {rule.name} rule failed: {error!r}", 400)


class Rule:
    """Base of the rules: no opinion on any call."""

    name = "rule"

    def __init__(self, layer):
        self.layer = layer

    @property
    def config(self):
        return self.layer.config

    @property
    def moto(self):
        return self.layer.moto

    def caller_client(self, service, request):
        """A moto client acting in the caller's own account (the management account when unknown)."""
        return self.moto.client(service, account_id=request.caller.account_id if request.caller else None)

    def before(self, request):  # pylint: disable=unused-argument
        return None

    def after(self, request, answer):  # pylint: disable=unused-argument
        return None

    def reset(self):
        """moto was reset: forget what the rule learnt from it."""
