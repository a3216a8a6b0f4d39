# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module class every module of the collection is built on.

It is amazon.aws's AnsibleAWSModule (credentials, region, endpoint_url,
botocore logging, fail_json_aws) plus what this collection needs everywhere:

* ``assume_role``: act inside a member account.  A module created with
  ``assume_role=True`` gains the ``assume_role`` option; when the caller sets
  it, every client the module asks for carries the assumed role's temporary
  credentials, so a role can run per-account tasks with no separate
  sts_assume_role task.
* ``accounts``: a module created with ``accounts=True`` also accepts a list
  of accounts and converges each of them in one run, on a thread pool
  (module_utils/account_batch.py): one process, one import of boto3 and one
  load of each service model for a whole deploy wave instead of one per
  account.
* one boto3 session per module run: amazon.aws builds a new session for
  every client, and every new session parses its service model and endpoint
  data again (several MB of JSON for EC2); clients here share one session,
  and a client asked for twice with the same settings is built once.
* the ``AWS_SECURITY_TOKEN`` fallback that AWX's built-in AWS credential may
  inject instead of ``AWS_SESSION_TOKEN``.
"""

import os
import threading

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

from ansible.module_utils.ansible_release import __version__ as ansible_version

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import accounts_argument_spec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.shared_clients import CREDENTIAL_NAMES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.shared_clients import AccountBoundClient
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.shared_clients import frozen_credentials
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.shared_clients import make_shared

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_role_argument_spec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import ActsThroughMemberRole
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder


class AnsibleLandingZoneModule(ActsThroughMemberRole, AnsibleAWSModule):
    """AnsibleAWSModule with the collection's shared options and behaviour."""

    def __init__(self, **kwargs):
        with_assume_role = kwargs.pop("assume_role", False)
        with_accounts = kwargs.pop("accounts", False)
        # Options of the batch as a whole (org_account's follow_up), not of one account.
        batch_argument_spec = kwargs.pop("batch_argument_spec", None) or {}
        # The options one account is converged with; ``accounts`` entries are checked against it.
        self.account_argument_spec = dict(kwargs.get("argument_spec") or {})
        argument_spec = dict(self.account_argument_spec)
        if with_assume_role:
            argument_spec.update(assume_role_argument_spec())
        if with_accounts:
            argument_spec.update(accounts_argument_spec())
            argument_spec.update(batch_argument_spec)
            if with_assume_role:
                exclusive = list(kwargs.get("mutually_exclusive") or [])
                kwargs["mutually_exclusive"] = exclusive + [["accounts", "assume_role"]]
        kwargs["argument_spec"] = argument_spec
        super().__init__(**kwargs)
        self._member_credentials = None
        self._boto3_sessions = {}
        self._clients = {}
        self._clients_lock = threading.Lock()
        self._connection_info = None
        self._partition = None
        self._partition_lock = threading.Lock()
        self._adopt_security_token()
        self._predict_for_new_account()

    def _predict_for_new_account(self):
        """In check mode, inside an account the preview would create: predict, call nothing.

        Its id is a placeholder (common/placeholders.py), as org_account's
        check-mode result gives a new account: everything the module manages
        there does not exist yet, so the real run creates it all.  Outside
        check mode a placeholder is refused like any other bad account id.
        """
        account_id = (self.assumed_role or {}).get("account_id")
        if self.check_mode and is_placeholder(account_id):
            self.exit_json(changed=True, account_id=account_id,
                           msg=f"{account_id} does not exist yet: the real run creates everything of this task in it",
                           diff=dict(before={}, after={account_id: "created by the real run"}))

    def warn(self, *args, **kwargs):
        """A warning for the user, shown once.

        amazon.aws 10's AnsibleAWSModule.warn also keeps every warning and
        hands the list to exit_json/fail_json as ``warnings=``, which
        ansible-core 2.19 deprecates ("Passing `warnings` to `exit_json` or
        `fail_json` is deprecated").  AnsibleModule.warn alone already puts
        the warning in the result, on every ansible-core this collection runs on.
        """
        return self._module.warn(*args, **kwargs)

    def _adopt_security_token(self):
        # amazon.aws falls back to AWS_SESSION_TOKEN only; older AWX credential
        # injectors set AWS_SECURITY_TOKEN.  Use it when the keys themselves
        # came from the environment too, so explicit keys are never mixed with
        # someone else's token.
        params = self.params
        token = os.environ.get("AWS_SECURITY_TOKEN")
        if token and not params.get("session_token") and not os.environ.get("AWS_SESSION_TOKEN"):
            if params.get("access_key") and params.get("access_key") == os.environ.get("AWS_ACCESS_KEY_ID"):
                params["session_token"] = token

    @property
    def assumed_role(self):
        """The ``assume_role`` option, or None when the module acts as the caller."""
        return self.params.get("assume_role")

    def caller_client(self, service, retry_decorator=None, **extra_params):
        """A client with the caller's own credentials, even when assume_role is set.

        Safe to call from several threads: clients are built one at a time
        (a boto3 session is not thread-safe), then shared (clients are).
        Fails the module when the client cannot be built; see shared_client.
        """
        try:
            return self.shared_client(service, retry_decorator=retry_decorator, **extra_params)
        except AnsibleAWSError as e:
            self.fail_json_aws_error(e)

    def shared_client(self, service, retry_decorator=None, **extra_params):
        """As caller_client, but raises AnsibleAWSError instead of failing the module.

        For the worker threads of ``accounts`` (account_batch.py): a thread
        must not end the module (fail_json prints the result and exits) while
        the other accounts are still being converged.

        A client asked for with credentials of its own (a member role's) is
        one client per service and settings shared by every account of the
        run, each call signed with the credentials it was asked for
        (batch/shared_clients.py): building a client per account cost more
        CPU than the account's calls.
        """
        region, endpoint_url, connect_kwargs = self.connection_info()
        settings = dict(region_name=region, endpoint_url=endpoint_url, **connect_kwargs)
        settings.update(_boto3_names(extra_params))
        credentials = None
        if extra_params.get("aws_access_key_id"):
            credentials = frozen_credentials(settings)
            for name in CREDENTIAL_NAMES:
                settings[name] = f"bound-per-call-{name}"  # never used: calls are signed with the bound credentials
        with self._clients_lock:
            key = _client_key(service, settings)
            client = self._clients.get(key) if key else None
            if client is None:
                client = self._new_client(service, settings)
                if credentials is not None:
                    make_shared(client)
                if key:
                    self._clients[key] = client
        if credentials is not None:
            client = AccountBoundClient(client, credentials)
        if retry_decorator:
            return RetryingBotoClientWrapper(client, retry_decorator)
        return client

    def connection_info(self):
        """amazon.aws's ``(region, endpoint_url, connect_kwargs)``, worked out once per module run.

        Fails the module on bad connection options: call it first from the
        main thread (run_for_accounts does).
        """
        if self._connection_info is None:
            self._connection_info = get_aws_connection_info(self)
        region, endpoint_url, connect_kwargs = self._connection_info
        return region, endpoint_url, dict(connect_kwargs)

    def partition(self):
        """The partition the module works in (aws, aws-cn, aws-us-gov): the one of every ARN it builds.

        The partition of the module's region, from botocore's endpoint data
        (cn-north-1 is in aws-cn, us-gov-west-1 in aws-us-gov), so no AWS
        call; credentials only work in their own partition, so it is the
        caller's.  A region botocore does not know is asked of STS: the
        partition of the caller identity's ARN.  Worked out once per run.
        """
        with self._partition_lock:
            if self._partition is None:
                region, _endpoint_url, connect_kwargs = self.connection_info()
                try:
                    with self._clients_lock:
                        session = self._session(connect_kwargs.get("profile_name"))
                    self._partition = session.get_partition_for_region(region)
                except (ValueError, TypeError, botocore.exceptions.BotoCoreError):
                    self._partition = get_caller_identity(self.shared_client("sts"))["Partition"]
            return self._partition

    def _session(self, profile):
        """The run's boto3 session for ``profile`` (call with the clients lock held)."""
        session = self._boto3_sessions.get(profile)
        if session is None:
            session = self._boto3_sessions[profile] = boto3.session.Session(profile_name=profile)
        return session

    def _new_client(self, service, settings):
        profile = settings.pop("profile_name", None)
        config = botocore.config.Config(user_agent_extra=f"Ansible/{ansible_version} awsorg.landing_zone")
        for name in ("config", "aws_config"):
            extra = settings.pop(name, None)
            if extra:
                config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        try:
            return self._session(profile).client(service, config=config, **settings)
        except botocore.exceptions.NoRegionError as e:
            raise AnsibleAWSError(
                message=f"The {self._name} module requires a region and none was found in configuration,"
                " environment variables or module parameters"
            ) from e
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            raise AnsibleAWSError(message="Couldn't connect to AWS", exception=e) from e

    def member_credentials(self):
        """Temporary credentials for ``assume_role``, assumed once per module run."""
        if self._member_credentials is None:
            try:
                self._member_credentials = assume_member_role(self.caller_client("sts"), self.assumed_role,
                                                              partition=self.partition())
            except AnsibleAWSError as e:
                self.fail_json_aws_error(e)
        return self._member_credentials


def _boto3_names(params):
    # amazon.aws's client() takes region= and endpoint=; boto3 wants region_name= and endpoint_url=.
    params = dict(params)
    if "region" in params:
        params["region_name"] = params.pop("region")
    if "endpoint" in params:
        params["endpoint_url"] = params.pop("endpoint")
    return params


def _client_key(service, settings):
    """A cache key for a client, or None when a setting is not a plain value (a Config object)."""
    plain = (str, int, float, bool, type(None))
    if not all(isinstance(value, plain) for value in settings.values()):
        return None
    return (service,) + tuple(sorted(settings.items()))
