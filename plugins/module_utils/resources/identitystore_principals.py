# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Users, groups and group memberships of the IAM Identity Center identity store, in one run.

The whole directory is read with one ListUsers and one ListGroups, and the
members of each group that lists ``members``.  Users are matched by user
name, groups by display name.  A group's ``members`` is the exact list of
its members; other groups' memberships are not touched.  A member must be a
user of this run or already exist in the store, or the run fails before the
first write.
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import identitystore
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import find_instance
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_unique
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan

# AWS documents d- and ten hex digits (or a UUID); the shape is checked here
# loosely to catch a wrong value (an ARN, a name), the service checks the rest.
IDENTITY_STORE_ID = re.compile(r"^d-[0-9a-z]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
USER_NAME = re.compile(r"^\S{1,128}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_ATTRIBUTE = 1024


# --- input ---------------------------------------------------------------------------


def _check_text(field, value, required=False):
    if value is None:
        if required:
            raise SpecError(f"{field}: required")
        return
    if not value or len(value) > MAX_ATTRIBUTE or value != value.strip():
        raise SpecError(f"{field}: must be 1 to {MAX_ATTRIBUTE} characters without leading or trailing blanks,"
                        f" got {value!r}")


def _check_user(field, user):
    if not USER_NAME.match(user["user_name"] or ""):
        raise SpecError(f"{field}.user_name: must be 1 to 128 characters without blanks, got {user['user_name']!r}")
    if user["state"] == "absent":
        return
    for key in ("given_name", "family_name"):
        _check_text(f"{field}.{key}", user.get(key), required=True)
    _check_text(f"{field}.display_name", user.get("display_name"))
    if user.get("email") is not None and not EMAIL.match(user["email"]):
        raise SpecError(f"{field}.email: not an email address, got {user['email']!r}")


def validate(params):
    users, groups = params["users"], params["groups"]
    if params.get("identity_store_id") and not IDENTITY_STORE_ID.match(params["identity_store_id"]):
        raise SpecError(f"identity_store_id: must look like d-1234567890, got {params['identity_store_id']!r}")
    check_unique("users", users, "user_name")
    check_unique("groups", groups, "name")
    for index, user in enumerate(users):
        _check_user(f"users[{index}]", user)
    removed = {u["user_name"] for u in users if u["state"] == "absent"}
    for index, group in enumerate(groups):
        _check_text(f"groups[{index}].name", group["name"], required=True)
        if group["state"] == "absent":
            continue
        _check_text(f"groups[{index}].description", group.get("description"))
        for member in group.get("members") or []:
            if member in removed:
                raise SpecError(f"groups[{index}].members: {member!r} is a user with state=absent")


# --- users -----------------------------------------------------------------------------


def user_attributes(user):
    """CreateUser's attributes of a wanted user."""
    attributes = dict(
        UserName=user["user_name"],
        DisplayName=user.get("display_name") or f"{user['given_name']} {user['family_name']}",
        Name={"GivenName": user["given_name"], "FamilyName": user["family_name"]},
    )
    if user.get("email"):
        attributes["Emails"] = [{"Value": user["email"], "Type": "work", "Primary": True}]
    return attributes


def _primary_email(found):
    emails = found.get("Emails") or []
    primary = [e for e in emails if e.get("Primary")] or emails
    return primary[0].get("Value") if primary else None


def user_update_operations(found, wanted):
    """UpdateUser operations that turn the user ``found`` into the attributes ``wanted``."""
    operations = []
    if found.get("DisplayName") != wanted["DisplayName"]:
        operations.append({"AttributePath": "displayName", "AttributeValue": wanted["DisplayName"]})
    name = found.get("Name") or {}
    for key, path in (("GivenName", "name.givenName"), ("FamilyName", "name.familyName")):
        if name.get(key) != wanted["Name"][key]:
            operations.append({"AttributePath": path, "AttributeValue": wanted["Name"][key]})
    if "Emails" in wanted and _primary_email(found) != wanted["Emails"][0]["Value"]:
        operations.append({"AttributePath": "emails", "AttributeValue": wanted["Emails"]})
    return operations


def _describe_user(user_name, user_id, attributes):
    if attributes is None:
        return None
    return dict(
        user_name=user_name,
        user_id=user_id,
        display_name=attributes.get("DisplayName"),
        given_name=(attributes.get("Name") or {}).get("GivenName"),
        family_name=(attributes.get("Name") or {}).get("FamilyName"),
        email=_primary_email(attributes),
    )


class PrincipalPlanner:
    def __init__(self, client, store_id, found_users, found_groups):
        self.client = client
        self.store_id = store_id
        self.plan = Plan()
        self.user_ids = {u["UserName"]: u["UserId"] for u in found_users}
        self.users = {u["UserName"]: u for u in found_users}
        self.groups = {g["DisplayName"]: g for g in found_groups}
        self.group_ids = {g["DisplayName"]: g["GroupId"] for g in found_groups}

    def plan_user(self, user):
        name, client, store = user["user_name"], self.client, self.store_id
        found = self.users.get(name)
        if user["state"] == "absent":
            if found:
                self.plan.add(f"delete the user {name}",
                              lambda: identitystore.delete_user(client, store, found["UserId"]))
            return _describe_user(name, found and found["UserId"], found), None
        wanted = user_attributes(user)
        if found is None:
            def create():
                self.user_ids[name] = identitystore.create_user(client, store, **wanted)

            self.plan.add(f"create the user {name}", create)
            return None, _describe_user(name, None, wanted)
        operations = user_update_operations(found, wanted)
        if operations:
            self.plan.add(f"update {', '.join(o['AttributePath'] for o in operations)} of the user {name}",
                          lambda: identitystore.update_user(client, store, found["UserId"], operations))
        # Attributes the options leave out (an email) keep their current value.
        return _describe_user(name, found["UserId"], found), _describe_user(name, found["UserId"], dict(found, **wanted))

    def plan_group(self, group):
        name, client, store = group["name"], self.client, self.store_id
        found = self.groups.get(name)
        if group["state"] == "absent":
            if found:
                self.plan.add(f"delete the group {name}",
                              lambda: identitystore.delete_group(client, store, found["GroupId"]))
            return (dict(name=name, group_id=found["GroupId"]) if found else None), None
        before = None
        if found is None:
            attributes = dict(DisplayName=name)
            if group.get("description"):
                attributes["Description"] = group["description"]

            def create():
                self.group_ids[name] = identitystore.create_group(client, store, **attributes)

            self.plan.add(f"create the group {name}", create)
        else:
            before = dict(name=name, group_id=found["GroupId"], description=found.get("Description"))
            description = group.get("description")
            if description is not None and found.get("Description") != description:
                operations = [{"AttributePath": "description", "AttributeValue": description}]
                self.plan.add(f"update the description of the group {name}",
                              lambda: identitystore.update_group(client, store, found["GroupId"], operations))
        after = dict(name=name, group_id=found and found["GroupId"],
                     description=group.get("description") or (found or {}).get("Description"))
        if group.get("members") is not None:
            before_members, after_members = self._plan_members(group, found)
            if before is not None:
                before["members"] = before_members
            after["members"] = after_members
        return before, after

    def _plan_members(self, group, found):
        name, client, store = group["name"], self.client, self.store_id
        memberships = identitystore.list_group_memberships(client, store, found["GroupId"]) if found else []
        by_user_id = {m["MemberId"].get("UserId"): m["MembershipId"] for m in memberships if "UserId" in m["MemberId"]}
        names_by_id = {user_id: user_name for user_name, user_id in self.user_ids.items()}
        current = {names_by_id.get(user_id, user_id): membership for user_id, membership in by_user_id.items()}
        wanted = set(group["members"])
        for member in sorted(wanted - set(current)):
            self.plan.add(f"add {member} to the group {name}",
                          lambda member=member: identitystore.create_group_membership(
                              client, store, self.group_ids[name], self.user_ids[member]))
        for member in sorted(set(current) - wanted):
            membership = current[member]
            self.plan.add(f"remove {member} from the group {name}",
                          lambda membership=membership: identitystore.delete_group_membership(client, store, membership))
        return sorted(current), sorted(wanted)


def _check_members_exist(params, planner):
    """Every member is a user of this run or of the store (before any write)."""
    wanted_users = {u["user_name"] for u in params["users"] if u["state"] == "present"}
    for index, group in enumerate(params["groups"]):
        if group["state"] == "absent":
            continue
        for member in group.get("members") or []:
            if member not in wanted_users and member not in planner.user_ids:
                raise SpecError(f"groups[{index}].members: {member!r} is neither in users nor in the identity store")


def identity_store_of(module):
    if module.params.get("identity_store_id"):
        return module.params["identity_store_id"]
    return find_instance(module.client("sso-admin"), None, module.region)["IdentityStoreId"]


def run(module):
    params = module.params
    client = module.client("identitystore")
    before = dict(users=[], groups=[])
    after = dict(users=[], groups=[])
    try:
        validate(params)
        store = identity_store_of(module)
        planner = PrincipalPlanner(client, store, identitystore.list_users(client, store),
                                   identitystore.list_groups(client, store))
        _check_members_exist(params, planner)
        # Users first: memberships of new users need their ids.
        for user in params["users"]:
            old, new = planner.plan_user(user)
            before["users"] += [old] if old else []
            after["users"] += [new] if new else []
        for group in params["groups"]:
            old, new = planner.plan_group(group)
            before["groups"] += [old] if old else []
            after["groups"] += [new] if new else []
        if not module.check_mode:
            planner.plan.apply()
            for user in after["users"]:
                user["user_id"] = planner.user_ids.get(user["user_name"])
            for group in after["groups"]:
                group["group_id"] = planner.group_ids.get(group["name"])
    except SpecError as e:
        module.fail_json(msg=str(e))
    return dict(changed=bool(planner.plan.actions), changes=planner.plan.changes, identity_store_id=store,
                users=after["users"], groups=after["groups"], diff=dict(before=before, after=after))
