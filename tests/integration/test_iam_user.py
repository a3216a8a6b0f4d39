"""iam_user and iam_group_members against moto: the identity account's people, reached through assume_role."""

import pytest

USER = "awsorg.landing_zone.iam_user"
MEMBERS = "awsorg.landing_zone.iam_group_members"


@pytest.fixture
def member(organization):
    client = organization["client"]
    request = client.create_account(AccountName="identity", Email="identity@example.com")["CreateAccountStatus"]
    status = client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    return status["AccountId"]


def mutating_actions(proxy):
    return [call["action"] for call in proxy.mutating_calls()]


def tags_of(iam, user):
    return {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=user)["Tags"]}


@pytest.mark.long
def test_users_in_a_member_account_in_one_run(ansible, aws, proxy, member):
    iam = aws.client("iam", account_id=member)
    args = dict(assume_role=dict(account_id=member), users=[
        dict(name="alice", tags=dict(team="platform")),
        dict(name="bob", path="/contractors/"),
    ])

    run = ansible.run_tasks([{"name": "predict", USER: args, "check_mode": True}, {"name": "users", USER: args}],
                            diff=True)
    assert not run.failed(), run.output[-3000:]
    predicted, created = run.one("predict"), run.one("users")
    assert predicted["changed"] is True
    assert [r["user"]["arn"] for r in predicted["results"]] == [None, None]
    assert created["changed"] is True
    assert created["diff"]["before"] == {"alice": None, "bob": None}
    # Check mode wrote nothing; the real run created each user once, in the member account only.
    assert mutating_actions(proxy).count("CreateUser") == 2
    assert sorted(u["UserName"] for u in iam.list_users()["Users"]) == ["alice", "bob"]
    assert iam.get_user(UserName="bob")["User"]["Path"] == "/contractors/"
    assert tags_of(iam, "alice") == {"team": "platform"}
    assert aws.client("iam").list_users()["Users"] == []
    # One AssumeRole per module run (check mode, then the real one), not one per user.
    assert [c["action"] for c in proxy.calls if c["action"] == "AssumeRole"] == ["AssumeRole", "AssumeRole"]

    # Again: nothing to do, no write, one GetUser per user.
    proxy.reset()
    run = ansible.run_tasks([{"name": "again", USER: args}])
    assert run.one("again")["changed"] is False, run.output[-3000:]
    assert mutating_actions(proxy) == []
    assert [c["action"] for c in proxy.calls if c["service"] == "iam"] == ["GetUser", "GetUser"]

    # A new path and other tags: UpdateUser, TagUser, UntagUser, shown in the diff.
    proxy.reset()
    changed_args = dict(args, users=[dict(name="alice", path="/people/", tags=dict(team="data"), purge_tags=True)])
    run = ansible.run_tasks([{"name": "moved", USER: changed_args}], diff=True)
    moved = run.one("moved")
    assert moved["changed"] is True
    assert moved["diff"]["before"]["alice"]["tags"] == {"team": "platform"}
    assert moved["diff"]["after"]["alice"] == dict(moved["results"][0]["user"])
    assert sorted(mutating_actions(proxy)) == ["TagUser", "UpdateUser"]
    assert iam.get_user(UserName="alice")["User"]["Path"] == "/people/"
    assert tags_of(iam, "alice") == {"team": "data"}


def test_absent_deletes_the_user_with_what_it_holds(ansible, aws, proxy, member):
    iam = aws.client("iam", account_id=member)
    iam.create_user(UserName="mallory")
    iam.create_access_key(UserName="mallory")
    iam.create_login_profile(UserName="mallory", Password="Secret-Passw0rd!")
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="mallory")
    iam.put_user_policy(UserName="mallory", PolicyName="inline",
                        PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                                       '"Action": "s3:ListAllMyBuckets", "Resource": "*"}]}')
    managed = iam.create_policy(PolicyName="read", PolicyDocument='{"Version": "2012-10-17", "Statement": [{'
                                '"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')["Policy"]["Arn"]
    iam.attach_user_policy(UserName="mallory", PolicyArn=managed)
    args = dict(assume_role=dict(account_id=member), name="mallory", state="absent")

    run = ansible.run_tasks([{"name": "predict", USER: args, "check_mode": True}, {"name": "gone", USER: args},
                             {"name": "again", USER: args}], diff=True)
    assert not run.failed(), run.output[-3000:]
    assert run.one("predict")["changed"] is True
    assert run.one("gone")["changed"] is True
    assert run.one("gone")["diff"]["before"]["user_name"] == "mallory"
    assert run.one("again")["changed"] is False
    assert iam.list_users()["Users"] == []
    assert iam.get_group(GroupName="ops")["Users"] == []
    assert mutating_actions(proxy).count("DeleteUser") == 1


@pytest.mark.long
def test_group_members_exactly_as_listed(ansible, aws, proxy, member):
    iam = aws.client("iam", account_id=member)
    for user in ("alice", "bob", "carol"):
        iam.create_user(UserName=user)
    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="carol")
    args = dict(assume_role=dict(account_id=member), purge_users=True, groups=[
        dict(name="admins", users=["alice"]),
        dict(name="developers", users=["alice", "bob"]),
    ])

    run = ansible.run_tasks([{"name": "predict", MEMBERS: args, "check_mode": True},
                             {"name": "members", MEMBERS: args}], diff=True)
    assert not run.failed(), run.output[-3000:]
    predicted, done = run.one("predict"), run.one("members")
    assert predicted["changed"] is True
    assert [(r["added"], r["removed"]) for r in predicted["results"]] == [(["alice"], ["carol"]), (["alice", "bob"], [])]
    assert done["diff"]["before"] == {"admins": {"group_name": "admins", "members": ["carol"]}, "developers": None}
    assert done["diff"]["after"]["developers"] == {"group_name": "developers", "members": ["alice", "bob"]}
    assert sorted(mutating_actions(proxy)) == ["AddUserToGroup", "AddUserToGroup", "AddUserToGroup", "CreateGroup",
                                               "RemoveUserFromGroup"]
    assert sorted(u["UserName"] for u in iam.get_group(GroupName="admins")["Users"]) == ["alice"]
    assert sorted(u["UserName"] for u in iam.get_group(GroupName="developers")["Users"]) == ["alice", "bob"]

    proxy.reset()
    run = ansible.run_tasks([{"name": "again", MEMBERS: args},
                             {"name": "keep others", MEMBERS: dict(assume_role=dict(account_id=member), name="admins",
                                                                   users=["bob"])}])
    assert run.one("again")["changed"] is False, run.output[-3000:]
    kept = run.one("keep others")
    assert kept["changed"] is True and kept["added"] == ["bob"] and kept["removed"] == []
    assert mutating_actions(proxy) == ["AddUserToGroup"]
    assert sorted(u["UserName"] for u in iam.get_group(GroupName="admins")["Users"]) == ["alice", "bob"]


def test_bad_names_fail_before_any_call(ansible, proxy, member):
    run = ansible.run_tasks([
        {"name": "bad user", USER: dict(assume_role=dict(account_id=member), users=[dict(name="ok"), dict(name="a b")]),
         "ignore_errors": True},
        {"name": "bad member", MEMBERS: dict(assume_role=dict(account_id=member), name="ops", users=["x/y"]),
         "ignore_errors": True},
    ])
    assert run.one("bad user")["msg"].startswith("item 1 (a b): name/path: user name must match pattern")
    assert run.one("bad member")["msg"].startswith("users[0]: user name must match pattern")
    assert [c for c in proxy.calls if c["service"] == "iam"] == []
