"""IAM Identity Center's pure parts: durations, user updates, waiting, the inventory filters."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.awsorg.landing_zone.plugins.filter import identity_center as filters
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import AsyncRequestFailed
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import wait_for_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identitystore_principals import user_attributes
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identitystore_principals import user_update_operations
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.sso_permission_set import session_minutes


@pytest.mark.parametrize("value, minutes", [("PT1H", 60), ("PT12H", 720), ("PT1H30M", 90), ("PT90M", 90),
                                            ("PT", None), ("1H", None), ("PT1D", None), ("", None)])
def test_session_minutes(value, minutes):
    assert session_minutes(value) == minutes


def test_user_update_names_only_the_attributes_that_differ():
    wanted = user_attributes(dict(user_name="alice", given_name="Alice", family_name="Liddell", email="a@example.com"))
    found = dict(UserName="alice", DisplayName="Alice Liddell", Name={"GivenName": "Alice", "FamilyName": "Smith"},
                 Emails=[{"Value": "old@example.com", "Primary": True}, {"Value": "a@example.com", "Primary": False}])
    assert user_update_operations(found, wanted) == [
        {"AttributePath": "name.familyName", "AttributeValue": "Liddell"},
        {"AttributePath": "emails", "AttributeValue": [{"Value": "a@example.com", "Type": "work", "Primary": True}]},
    ]
    same = dict(found, Name={"GivenName": "Alice", "FamilyName": "Liddell"}, Emails=[{"Value": "a@example.com"}])
    assert user_update_operations(same, wanted) == []


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def test_wait_for_request_polls_until_done_and_reports_a_failure():
    clock = FakeClock()
    answers = iter([dict(RequestId="r", Status="IN_PROGRESS"), dict(RequestId="r", Status="SUCCEEDED")])
    final = wait_for_request(lambda request_id: next(answers), dict(RequestId="r", Status="IN_PROGRESS"), "assigning",
                             sleep=clock.sleep, clock=clock)
    assert final["Status"] == "SUCCEEDED" and len(clock.slept) == 2

    with pytest.raises(AsyncRequestFailed, match="assigning: AWS reported FAILED: no such principal"):
        wait_for_request(lambda request_id: None, dict(RequestId="r", Status="FAILED", FailureReason="no such principal"),
                         "assigning", sleep=clock.sleep, clock=clock)

    clock = FakeClock()
    with pytest.raises(AsyncRequestFailed, match="still in progress after 30 seconds"):
        wait_for_request(lambda request_id: dict(RequestId="r", Status="IN_PROGRESS"),
                         dict(RequestId="r", Status="IN_PROGRESS"), "provisioning", timeout=30,
                         sleep=clock.sleep, clock=clock)
    assert clock.now == 30


PLAN = {
    "mgmt": dict(ou="/", state="present"),
    "dev": dict(ou="/workloads/nonprod", state="present"),
    "prod": dict(ou="/workloads/prod", state="present"),
    "shared": dict(ou="/infrastructure", state="present"),
    "old": dict(ou="/workloads/prod", state="absent"),
    "new": dict(ou="/workloads/prod", state="present"),
}
HOSTVARS = {"mgmt": dict(account_id="111111111111"), "dev": dict(account_id="222222222222"),
            "prod": dict(account_id="333333333333"), "shared": dict(account_id="444444444444"),
            "old": dict(account_id="555555555555"), "new": dict()}
IDENTITY_CENTER = dict(
    permission_sets=[dict(name="AdministratorAccess", profile_name="admin"), dict(name="ReadOnly"),
                     dict(name="Unused"), dict(name="Gone", state="absent")],
    assignments=[
        dict(group="admins", permission_set="AdministratorAccess", targets=["/"]),
        dict(group="developers", permission_set="ReadOnly", targets=["/workloads", "444444444444"]),
        dict(user="alice", permission_set="ReadOnly", targets=["mgmt"]),
        dict(group="former", permission_set="Gone", targets=["/"]),
    ],
)


def test_sso_profile_roles_reach_the_accounts_of_ou_paths_hosts_and_ids():
    roles = filters.sso_profile_roles(IDENTITY_CENTER, PLAN, HOSTVARS, list(PLAN), "acme", "eu-west-1")
    assert roles == [
        dict(name="admin", type="sso", sso_session="acme", sso_role_name="AdministratorAccess", region="eu-west-1",
             accounts=["dev", "mgmt", "prod", "shared"]),
        dict(name="readonly", type="sso", sso_session="acme", sso_role_name="ReadOnly", region="eu-west-1",
             accounts=["dev", "mgmt", "prod", "shared"]),
    ]
    narrow = dict(IDENTITY_CENTER, assignments=[dict(group="developers", permission_set="ReadOnly",
                                                     targets=["/workloads/prod"])])
    assert filters.sso_profile_roles(narrow, PLAN, HOSTVARS, list(PLAN), "acme", "us-east-1")[0]["accounts"] == ["prod"]


def test_assignment_matrix_maps_hosts_to_ids_and_refuses_ambiguous_principals():
    matrix = filters.sso_assignment_matrix(IDENTITY_CENTER["assignments"][1:3], HOSTVARS)
    assert matrix == [
        dict(principal_type="GROUP", principal_name="developers", permission_set="ReadOnly",
             targets=["/workloads", "444444444444"]),
        dict(principal_type="USER", principal_name="alice", permission_set="ReadOnly", targets=["111111111111"]),
    ]
    assert filters.sso_assignment_matrix([dict(group="g", permission_set="p", targets=["new"])], HOSTVARS)[0][
        "targets"] == [None]
    with pytest.raises(AnsibleFilterError, match=r"assignments\[0\]: give exactly one of group and user"):
        filters.sso_assignment_matrix([dict(group="g", user="u", permission_set="p", targets=["/"])], HOSTVARS)
    with pytest.raises(AnsibleFilterError, match="'Nope' is not in permission_sets"):
        filters.sso_profile_roles(dict(permission_sets=[], assignments=[dict(group="g", permission_set="Nope")]),
                                  PLAN, HOSTVARS, list(PLAN), "acme", "us-east-1")


def test_permission_set_options_drop_inventory_only_keys():
    assert filters.sso_permission_set_options([dict(name="A", profile_name="a", session_duration="PT2H")]) == [
        dict(name="A", session_duration="PT2H")]
