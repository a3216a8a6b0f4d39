"""Retries and waits for an organization that is still settling (module_utils/aws/organizations.py, retries.py).

FinalizingOrganizationException is retried on the writes AWS answers it to,
with a budget of minutes; PolicyChangesInProgressException on the policy
writes; a policy type PENDING_ENABLE / PENDING_DISABLE is waited for with a
bounded timeout.  The strict layer shows the same against the proxy
(tests/integration/test_strict_organization_settling.py).
"""

import botocore.exceptions
import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import retries


def refused(code, operation):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": "not yet"}}, operation)


class Organizations:
    """A client whose writes are refused ``times`` times with ``code``; its roots read ``roots`` in turn."""

    def __init__(self, code=None, times=0, roots=()):
        self.code = code
        self.times = times
        self.calls = 0
        self.roots = list(roots)

    def _maybe_refuse(self, operation):
        self.calls += 1
        if self.calls <= self.times:
            raise refused(self.code, operation)

    def create_organizational_unit(self, **params):
        self._maybe_refuse("CreateOrganizationalUnit")
        return {"OrganizationalUnit": dict(Id="ou-ab12-cdef3456", Name=params["Name"])}

    def create_account(self, **params):
        self._maybe_refuse("CreateAccount")
        return {"CreateAccountStatus": dict(Id="car-1", State="IN_PROGRESS")}

    def attach_policy(self, **params):
        self._maybe_refuse("AttachPolicy")

    def can_paginate(self, operation):
        return operation == "list_roots"

    def get_paginator(self, operation):
        client = self

        class Pages:
            def build_full_result(self):
                return {"Roots": [client.roots.pop(0) if len(client.roots) > 1 else client.roots[0]]}

        class Paginator:
            def paginate(self, **params):
                return Pages()

        return Paginator()


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    return slept


def test_finalizing_organization_is_retried_on_ous_and_accounts_with_a_budget_of_minutes(no_sleep):
    client = Organizations("FinalizingOrganizationException", times=20)
    assert org.create_ou(client, "r-ab12", "workloads")["Name"] == "workloads"
    assert client.calls == 21
    client = Organizations("FinalizingOrganizationException", times=20)
    assert org.create_account(client, AccountName="log", Email="log@example.com")["State"] == "IN_PROGRESS"
    # 1 s doubling to a 30 s cap, full jitter: up to ~10 minutes over 25 attempts.
    assert max(no_sleep) <= 30


def test_finalizing_organization_gives_up_after_25_attempts(no_sleep):
    client = Organizations("FinalizingOrganizationException", times=100)
    with pytest.raises(org.AnsibleOrganizationsError, match="FinalizingOrganizationException"):
        org.create_ou(client, "r-ab12", "workloads")
    assert client.calls == 25


def test_policy_changes_in_progress_is_retried_on_policy_writes(no_sleep):
    client = Organizations("PolicyChangesInProgressException", times=3)
    org.attach_policy(client, "p-1", "r-ab12")
    assert client.calls == 4


def test_the_codes_are_kept_apart_from_the_common_ones():
    assert "FinalizingOrganizationException" not in retries.COMMON_TRANSIENT_CODES
    assert "PolicyChangesInProgressException" not in retries.COMMON_TRANSIENT_CODES


def root(**statuses):
    return dict(Id="r-ab12", PolicyTypes=[dict(Type=t, Status=s) for t, s in statuses.items()])


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_policy_types_polls_list_roots_until_none_is_pending():
    client = Organizations(roots=[root(TAG_POLICY="PENDING_ENABLE", BACKUP_POLICY="PENDING_DISABLE"),
                                  root(TAG_POLICY="PENDING_ENABLE"), root(TAG_POLICY="ENABLED")])
    clock = Clock()
    settled = org.wait_for_policy_types(client, "r-ab12", sleep=clock.sleep, clock=clock)
    assert settled["PolicyTypes"] == [dict(Type="TAG_POLICY", Status="ENABLED")]
    assert clock.now == 3.0  # 1 s, then 2 s


def test_wait_for_policy_types_stops_after_its_timeout_naming_what_is_pending():
    client = Organizations(roots=[root(TAG_POLICY="PENDING_ENABLE")])
    clock = Clock()
    with pytest.raises(org.AnsibleOrganizationsError, match=r"still pending after 300 s \(TAG_POLICY PENDING_ENABLE\)"):
        org.wait_for_policy_types(client, "r-ab12", sleep=clock.sleep, clock=clock)
    assert clock.now == 300
