"""The filters that shape the inventory's people into the options of iam_user and iam_group_members."""

from ansible_collections.awsorg.landing_zone.plugins.filter.landing_zone import group_memberships
from ansible_collections.awsorg.landing_zone.plugins.filter.landing_zone import iam_user_options

USERS = [
    dict(name="alice", groups=["admins", "developers"], pgp_key="keys/alice.asc", pgp_email="alice@example.com",
         tags=dict(team="platform")),
    dict(name="bob", groups=["developers"], path="/contractors/"),
    dict(name="mallory", groups=["admins"], state="absent"),
]


def test_iam_user_options_keep_each_users_iam_options_in_order():
    assert iam_user_options(USERS) == [
        dict(name="alice", tags=dict(team="platform")),
        dict(name="bob", path="/contractors/"),
        dict(name="mallory", state="absent"),
    ]
    assert iam_user_options(None) == []


def test_group_memberships_list_the_present_members_of_every_group():
    groups = [dict(name="admins", roles=["admin"]), dict(name="developers", roles=["developer"]),
              dict(name="auditors", roles=["audit"])]
    assert group_memberships(groups, USERS) == [
        dict(name="admins", users=["alice"]),
        dict(name="developers", users=["alice", "bob"]),
        dict(name="auditors", users=[]),
    ]
