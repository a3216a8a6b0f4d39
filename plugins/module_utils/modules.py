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
* the ``AWS_SECURITY_TOKEN`` fallback that AWX's built-in AWS credential may
  inject instead of ``AWS_SESSION_TOKEN``.
"""

import os

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.awsorg.landing_zone.plugins.module_utils.assume_role import assume_role_argument_spec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.assume_role import assume_member_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.assume_role import member_role_arn


class AnsibleLandingZoneModule(AnsibleAWSModule):
    """AnsibleAWSModule with the collection's shared options and behaviour."""

    def __init__(self, **kwargs):
        with_assume_role = kwargs.pop("assume_role", False)
        if with_assume_role:
            argument_spec = dict(kwargs.get("argument_spec") or {})
            argument_spec.update(assume_role_argument_spec())
            kwargs["argument_spec"] = argument_spec
        super().__init__(**kwargs)
        self._member_credentials = None
        self._adopt_security_token()

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

    @property
    def target_role_arn(self):
        """ARN of the role the module acts through, or None."""
        if not self.assumed_role:
            return None
        return member_role_arn(self.assumed_role)

    def client(self, service, retry_decorator=None, **extra_params):
        if self.assumed_role and "aws_access_key_id" not in extra_params:
            credentials = self.member_credentials()
            extra_params.update(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return super().client(service, retry_decorator=retry_decorator, **extra_params)

    def caller_client(self, service, retry_decorator=None, **extra_params):
        """A client with the caller's own credentials, even when assume_role is set."""
        return super().client(service, retry_decorator=retry_decorator, **extra_params)

    def member_credentials(self):
        """Temporary credentials for ``assume_role``, assumed once per module run."""
        if self._member_credentials is None:
            try:
                self._member_credentials = assume_member_role(self.caller_client("sts"), self.assumed_role)
            except AnsibleAWSError as e:
                self.fail_json_aws_error(e)
        return self._member_credentials
