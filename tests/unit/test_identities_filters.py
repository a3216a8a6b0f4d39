"""The filters that shape the inventory's people into the options of iam_user and iam_group_members."""

from ansible_collections.awsorg.landing_zone.plugins.filter.landing_zone import group_memberships
from ansible_collections.awsorg.landing_zone.plugins.filter.landing_zone import group_role_grants
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


class _NoHostvars(dict):
    """hostvars that must not be read: the id map given instead is enough."""

    def __getitem__(self, host):
        raise AssertionError(f"hostvars[{host!r}] was read")


def test_group_role_grants_take_the_runs_id_map_instead_of_every_hosts_variables():
    roles = [dict(name="admin"), dict(name="deployer", accounts=["prod", "dev", "new"])]
    group = dict(name="platform", roles=["admin", "deployer"])
    ids = {"prod": "111111111111", "dev": "222222222222", "mgmt": "333333333333"}
    grants = group_role_grants(group, roles, _NoHostvars(), ["mgmt", "prod", "dev", "new"], ids)
    # "new" has no id yet (a preview of its creation): left out of the narrowed role.
    assert grants == [dict(name="admin"), dict(name="deployer", account_ids=["111111111111", "222222222222"])]
    # Without the map, each host's account_id comes from hostvars, as before.
    hostvars = {host: {"account_id": account_id} for host, account_id in ids.items()} | {"new": {}}
    assert group_role_grants(group, roles, hostvars, ["mgmt", "prod", "dev", "new"]) == grants
