# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One client per service and region for every account of a batch, each call signed for its account.

A botocore client is expensive to build: every client gets a class of its
own with one method per operation (EC2 has about 700) and a copy of the
session's event handlers, about 10 ms of CPU for EC2 even with the service
model already loaded, and more while the batch's other threads compete for
the GIL.  A batch of 100 accounts asked for about 500 such clients (IAM,
S3 Control, EC2 in two regions, Account), one per account's credentials:
most of the CPU of a no-op baseline run went into building them.

botocore reads the credentials of a request when it signs it
(``RequestSigner.get_auth_instance`` asks the client's credentials object
for frozen credentials every time), so one client can sign for several
accounts: its credentials object here answers with the credentials bound to
the calling thread's context, and ``AccountBoundClient`` binds one account's
credentials around each call it forwards (and each page of a paginator and
each wait of a waiter it hands out).  A call made outside any binding fails
with NoCredentialsError: a shared client never falls back to the caller's
own credentials, so it cannot act in the management account by mistake.
"""

import contextlib
import contextvars
import functools

try:
    import botocore.credentials
    import botocore.exceptions
    import botocore.paginate
    import botocore.waiter
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency.

# The frozen credentials the current call is signed with (set by AccountBoundClient).
_BOUND_CREDENTIALS = contextvars.ContextVar("landing_zone_bound_credentials", default=None)

CREDENTIAL_NAMES = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def frozen_credentials(params):
    """botocore's frozen credentials for client keyword arguments (aws_access_key_id, ...)."""
    return botocore.credentials.Credentials(
        params["aws_access_key_id"], params.get("aws_secret_access_key"), params.get("aws_session_token")
    ).get_frozen_credentials()


@contextlib.contextmanager
def _signing_with(credentials):
    token = _BOUND_CREDENTIALS.set(credentials)
    try:
        yield
    finally:
        _BOUND_CREDENTIALS.reset(token)


class BoundCredentials:
    """The credentials object of a shared client: those bound to the call being signed."""

    method = "awsorg-landing-zone-bound"

    @staticmethod
    def _bound():
        credentials = _BOUND_CREDENTIALS.get()
        if credentials is None:
            # Never the caller's own credentials: a call outside a binding is a bug, not a management-account call.
            raise botocore.exceptions.NoCredentialsError()
        return credentials

    def get_frozen_credentials(self):
        return self._bound()

    @property
    def access_key(self):
        return self._bound().access_key

    @property
    def secret_key(self):
        return self._bound().secret_key

    @property
    def token(self):
        return self._bound().token

    def get_deferred_property(self, name):
        # The endpoint rules' AWS::Auth::AccountId, read when a request's endpoint is resolved.
        return lambda: getattr(self._bound(), name, None)


def make_shared(client):
    """Turn a freshly built client into a shared one: it signs with BoundCredentials.

    botocore keeps a client's credentials on its request signer, the object
    ``BaseClient._get_credentials`` reads them from too.
    """
    client._request_signer._credentials = BoundCredentials()  # pylint: disable=protected-access
    return client


class _Bound:
    """``target`` (a paginator, a page iterator, a waiter) whose calls and iteration are signed with ``credentials``."""

    def __init__(self, target, credentials):
        self._target = target
        self._credentials = credentials

    def __getattr__(self, name):
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute
        credentials = self._credentials

        @functools.wraps(attribute)
        def bound_call(*args, **kwargs):
            with _signing_with(credentials):
                result = attribute(*args, **kwargs)
            return _bind_result(result, credentials)

        return bound_call

    def __iter__(self):
        iterator = iter(self._target)
        while True:
            with _signing_with(self._credentials):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item


def _deferred_callers():
    try:
        return (botocore.paginate.Paginator, botocore.paginate.PageIterator, botocore.waiter.Waiter)
    except NameError:
        return ()


# What a client hands out that makes its calls later (botocore builds a subclass per operation).
_DEFERRED_CALLERS = _deferred_callers()


def _bind_result(result, credentials):
    """Paginators, page iterators and generators make their calls later: bind them too."""
    if isinstance(result, _DEFERRED_CALLERS) or hasattr(result, "__next__"):
        return _Bound(result, credentials)
    return result


class AccountBoundClient(_Bound):
    """A shared client seen by one account: every call it forwards is signed with that account's credentials."""

    def __init__(self, client, credentials):
        super().__init__(client, credentials)
        self.client = client

    def __getattr__(self, name):
        if name in ("get_paginator", "get_waiter") or name in self.client.meta.method_to_api_mapping:
            return super().__getattr__(name)
        return getattr(self.client, name)
