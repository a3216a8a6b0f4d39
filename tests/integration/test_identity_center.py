"""IAM Identity Center against moto: permission sets, people and groups, the assignment matrix, SSO profiles."""

import configparser
import json

import pytest
import yaml

from tests.harness.playbook import REPO_ROOT

MANAGEMENT = "123456789012"
READ_ONLY_INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyObjectReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}],
}


def _organization_with_accounts(organization):
    """dev in /workloads/nonprod, prod in /workloads/prod, shared under the root; their ids by name."""
    client, root = organization["client"], organization["root_id"]
    workloads = client.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    ous = {name: client.create_organizational_unit(ParentId=workloads, Name=name)["OrganizationalUnit"]["Id"]
           for name in ("nonprod", "prod")}
    ids = {}
    for name, parent in (("dev", ous["nonprod"]), ("prod", ous["prod"]), ("shared", None)):
        ids[name] = client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
        if parent:
            client.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=parent)
    return ids


def _permission_sets(read_only):
    return {"name": "permission sets", "awsorg.landing_zone.sso_permission_set": dict(permission_sets=[
        dict(name="Admin", description="Full access", session_duration="PT4H",
             managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"]),
        dict(name="ReadOnly", **read_only),
    ])}


def _principals(developers):
    return {"name": "principals", "awsorg.landing_zone.identitystore_principals": dict(
        users=[dict(user_name="alice", given_name="Alice", family_name="Liddell", email="alice@example.com"),
               dict(user_name="bob", given_name="Bob", family_name="Builder")],
        groups=[dict(name="admins", description="Everything", members=["alice"]),
                dict(name="developers", members=developers)])}


def _assignments(developer_targets):
    return {"name": "assignments", "awsorg.landing_zone.sso_account_assignments": dict(assignments=[
        dict(principal_name="admins", permission_set="Admin", targets=["/"]),
        dict(principal_name="developers", permission_set="ReadOnly", targets=developer_targets),
    ])}


def _checked(tasks, check):
    return [dict(task, check_mode=check) for task in tasks]


def _store(aws):
    instance, = aws.client("sso-admin").list_instances()["Instances"]
    return instance["InstanceArn"], instance["IdentityStoreId"]


def _permission_set(aws, instance_arn, name):
    sso = aws.client("sso-admin")
    for arn in sso.list_permission_sets(InstanceArn=instance_arn)["PermissionSets"]:
        described = sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)["PermissionSet"]
        if described["Name"] == name:
            managed = sso.list_managed_policies_in_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
            inline = sso.get_inline_policy_for_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
            return dict(described, managed=sorted(p["Arn"] for p in managed["AttachedManagedPolicies"]),
                        inline=json.loads(inline["InlinePolicy"]) if inline["InlinePolicy"] else None)
    return None


def _group_members(aws, store, group):
    ids = aws.client("identitystore")
    group_id = ids.get_group_id(IdentityStoreId=store, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": group}})["GroupId"]
    names = {u["UserId"]: u["UserName"] for u in ids.list_users(IdentityStoreId=store)["Users"]}
    memberships = ids.list_group_memberships(IdentityStoreId=store, GroupId=group_id)["GroupMemberships"]
    return group_id, sorted(names[m["MemberId"]["UserId"]] for m in memberships)


def _assigned(aws, instance_arn, group_id, permission_set_arn):
    found = aws.client("sso-admin").list_account_assignments_for_principal(
        InstanceArn=instance_arn, PrincipalId=group_id, PrincipalType="GROUP")["AccountAssignments"]
    assert {a["PermissionSetArn"] for a in found} == {permission_set_arn}
    return sorted(a["AccountId"] for a in found)


@pytest.mark.long
def test_permission_sets_principals_and_matrix_converge_change_and_rerun_is_a_noop(ansible, aws, proxy, organization):
    ids = _organization_with_accounts(organization)
    read_only = dict(session_duration="PT8H", managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                     inline_policy=READ_ONLY_INLINE)
    first = [_permission_sets(read_only), _principals(["bob"]), _assignments(["/workloads/nonprod", ids["shared"]])]

    # Bad input fails before any write, in the same run as the first preview.
    bad = [
        {"name": "unknown permission set", "ignore_errors": True, "awsorg.landing_zone.sso_account_assignments": dict(
            assignments=[dict(principal_name="admins", permission_set="Admin", targets=["/workloads"])])},
        {"name": "bad session", "ignore_errors": True, "awsorg.landing_zone.sso_permission_set": dict(
            permission_sets=[dict(name="Admin"), dict(name="Long", session_duration="PT13H")])},
        {"name": "unknown member", "ignore_errors": True, "awsorg.landing_zone.identitystore_principals": dict(
            groups=[dict(name="admins", members=["carol"])])},
    ]
    predicted = ansible.run_tasks(bad + _checked(first[:2], True))
    assert proxy.mutating_calls() == []
    assert predicted.one("unknown permission set")["msg"].startswith(
        "assignments[0].permission_set: no permission set 'Admin'")
    assert predicted.one("bad session")["msg"].startswith("permission_sets[1].session_duration: must be an ISO 8601")
    assert predicted.one("unknown member")["msg"] == (
        "groups[0].members: 'carol' is neither in users nor in the identity store")
    sets, people = predicted.one("permission sets"), predicted.one("principals")
    assert sets["changes"] == [
        "create the permission set Admin", "attach arn:aws:iam::aws:policy/AdministratorAccess to the permission set Admin",
        "create the permission set ReadOnly", "attach arn:aws:iam::aws:policy/ReadOnlyAccess to the permission set ReadOnly",
        "put the inline policy of the permission set ReadOnly"]
    assert [ps["arn"] for ps in sets["permission_sets"]] == [None, None]
    assert people["changed"] is True and "add bob to the group developers" in people["changes"]

    applied = ansible.run_tasks(first)
    assert [r["status"] for r in applied.results] == ["ok"] * 3, applied.output[-3000:]
    assert applied.one("permission sets")["changes"] == sets["changes"]
    instance_arn, store = _store(aws)
    admin = _permission_set(aws, instance_arn, "Admin")
    assert (admin["SessionDuration"], admin["Description"]) == ("PT4H", "Full access")
    assert admin["managed"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    readonly = _permission_set(aws, instance_arn, "ReadOnly")
    assert readonly["SessionDuration"] == "PT8H" and readonly["inline"] == READ_ONLY_INLINE
    alice, = aws.client("identitystore").list_users(IdentityStoreId=store, Filters=[
        {"AttributePath": "UserName", "AttributeValue": "alice"}])["Users"]
    assert (alice["DisplayName"], alice["Emails"][0]["Value"]) == ("Alice Liddell", "alice@example.com")
    admins_id, admins = _group_members(aws, store, "admins")
    developers_id, developers = _group_members(aws, store, "developers")
    assert (admins, developers) == (["alice"], ["bob"])
    # "/" is every account; an OU path is its accounts and those below it.
    assert _assigned(aws, instance_arn, admins_id, admin["PermissionSetArn"]) == sorted([MANAGEMENT, *ids.values()])
    assert _assigned(aws, instance_arn, developers_id, readonly["PermissionSetArn"]) == sorted([ids["dev"], ids["shared"]])
    matrix = applied.one("assignments")
    assert len(matrix["created"]) == 6 and matrix["deleted"] == []

    # Session, policies, members and targets change; the inline policy goes.
    changed_read_only = dict(session_duration="PT2H", inline_policy="",
                             managed_policy_arns=["arn:aws:iam::aws:policy/SecurityAudit"])
    second = [_permission_sets(changed_read_only), _principals(["alice"]), _assignments(["/workloads"])]
    proxy.reset()
    unknown_ou = {"name": "unknown OU", "ignore_errors": True, "awsorg.landing_zone.sso_account_assignments": dict(
        assignments=[dict(principal_name="admins", permission_set="Admin", targets=["/nowhere"])])}
    preview = ansible.run_tasks([unknown_ou] + _checked(second, True))
    assert proxy.mutating_calls() == []
    assert preview.one("unknown OU")["msg"] == "assignments[0].targets: the OU /nowhere does not exist"
    assert preview.one("assignments")["deleted"] == [dict(principal_type="GROUP", principal_name="developers",
                                                          permission_set="ReadOnly", account_id=ids["shared"])]
    changed = ansible.run_tasks(second)
    for name in ("permission sets", "principals", "assignments"):
        assert changed.one(name).get("changes") == preview.one(name)["changes"], changed.one(name).get("msg")
    assert changed.one("principals")["changes"] == ["add alice to the group developers",
                                                    "remove bob from the group developers"]
    readonly = _permission_set(aws, instance_arn, "ReadOnly")
    assert readonly["SessionDuration"] == "PT2H" and readonly["inline"] is None
    assert readonly["managed"] == ["arn:aws:iam::aws:policy/SecurityAudit"]
    assert _group_members(aws, store, "developers")[1] == ["alice"]
    assert _assigned(aws, instance_arn, developers_id, readonly["PermissionSetArn"]) == sorted([ids["dev"], ids["prod"]])

    proxy.reset()
    again = ansible.run_tasks(_checked(second, True) + second)
    assert [(r["status"], r["result"]["changed"]) for r in again.results] == [("ok", False)] * 6
    assert proxy.mutating_calls() == []


def _inventory(tmp_path, ids):
    hosts = {"mgmt": dict(account_id=MANAGEMENT, account_wave=0),
             "dev": dict(account_id=ids["dev"], account_ou="/workloads/nonprod"),
             "prod": dict(account_id=ids["prod"], account_ou="/workloads/prod"),
             "shared": dict(account_id=ids["shared"])}
    settings = dict(
        ansible_connection="local",
        ansible_python_interpreter="{{ ansible_playbook_python }}",
        landing_zone_project="acme",
        landing_zone_organizational_units=["/workloads/nonprod", "/workloads/prod"],
        landing_zone_profiles=dict(directory=str(tmp_path / "aws")),
        landing_zone_identity_center=dict(
            session_name="acme",
            permission_sets=[
                dict(name="Admin", session_duration="PT4H", managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"],
                     profile_name="admin"),
                dict(name="ReadOnly", managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
            ],
            users=[dict(user_name="alice", given_name="Alice", family_name="Liddell")],
            groups=[dict(name="admins", members=["alice"]), dict(name="developers", members=["alice"])],
            assignments=[dict(group="admins", permission_set="Admin", targets=["/"]),
                         dict(group="developers", permission_set="ReadOnly", targets=["/workloads/nonprod", "shared"])],
        ),
    )
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(yaml.safe_dump(
        {"all": {"children": {"accounts": {"hosts": hosts}, "management": {"hosts": {"mgmt": None}}}}}))
    (inventory / "group_vars" / "all" / "settings.yml").write_text(yaml.safe_dump(settings))
    playbook = tmp_path / "identity_center.yml"
    playbook.write_text(yaml.safe_dump([
        {"ansible.builtin.import_playbook": str(REPO_ROOT / "playbooks" / name)}
        for name in ("preflight.yml", "services.yml", "profiles.yml")]))
    return inventory / "hosts.yml", playbook


def test_playbooks_assign_and_write_sso_profiles_for_each_assignment(ansible, aws, proxy, organization, tmp_path):
    ids = _organization_with_accounts(organization)
    inventory, playbook = _inventory(tmp_path, ids)

    first = ansible.run_playbook(playbook, inventory=inventory)
    assert first.rc == 0, first.output[-4000:]
    instance_arn, store = _store(aws)
    admins_id, _members = _group_members(aws, store, "admins")
    admin = _permission_set(aws, instance_arn, "Admin")
    assert _assigned(aws, instance_arn, admins_id, admin["PermissionSetArn"]) == sorted([MANAGEMENT, *ids.values()])

    config = configparser.ConfigParser()
    config.read(tmp_path / "aws" / "config")
    session = config["sso-session acme"]
    assert session["sso_start_url"] == f"https://{store}.awsapps.com/start"
    assert session["sso_region"] == "us-east-1"
    # One profile per account each permission set is assigned in, named by its profile_name.
    sso_profiles = {name: dict(config[name]) for name in config.sections() if "sso_role_name" in config[name]}
    expected = {f"profile acme-{host}-admin": ("Admin", account) for host, account in
                dict(mgmt=MANAGEMENT, **ids).items()}
    expected.update({f"profile acme-{host}-readonly": ("ReadOnly", ids[host]) for host in ("dev", "shared")})
    assert {name: (p["sso_role_name"], p["sso_account_id"]) for name, p in sso_profiles.items()} == expected
    assert all(p["sso_session"] == "acme" for p in sso_profiles.values())
    assert "profile acme-prod-oaar" in config.sections()

    proxy.reset()
    second = ansible.run_playbook(playbook, inventory=inventory)
    assert second.rc == 0, second.output[-4000:]
    assert second.changed() == []
    assert proxy.mutating_calls() == []
