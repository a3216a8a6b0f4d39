# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge a group whose members may assume roles in other accounts (the source side).

The group gets one inline policy allowing ``sts:AssumeRole`` on its
destination roles; being a member of the group is what grants access.
With ``users``, the group's members are converged too, from the same
GetGroup answer (no read of its own), by iam_group_members' rules: one module
run for a group, its policy and its members.
The policy itself, and why it is shaped the way it is (IAM's 5,120-character
limit for a group's inline policies), is in common/cross_account_grants.py.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import POLICY_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import check_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import policies_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import policy_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import GROUP_POLICY_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import build_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import check_policy_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import grants
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import policy_name
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import role_arns
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ORGANIZATION_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ROLE_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_group_members import apply_membership
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_group_members import membership_changes
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.iam_group_members import user_names_problem


def _check_account_id(field, account_id, check_mode):
    """A 12-digit account id; in check mode also an account the preview would create.

    A preview's new account has a placeholder id, ``(new account acme-sandbox)``
    (common/placeholders.py); outside check mode it is refused like any bad id.
    """
    if check_mode and is_placeholder(account_id):
        return
    check_account_id(field, account_id)


def validate(params, check_mode=False):
    problem = validate_iam_identifiers("group", params["name"])
    if problem:
        raise ValidationError(f"name: {problem} (got {params['name']!r})")
    # The module's own required_by does not reach inside the elements of groups.
    if params.get("account_ids") and not params.get("role_name"):
        raise ValidationError("account_ids: needs role_name, the role granted in those accounts")
    name = policy_name(params)
    if not POLICY_NAME.fullmatch(name):
        raise ValidationError(f"policy_name: {name!r} is not a valid policy name")
    problem = user_names_problem(params.get("users") or [])
    if problem:
        raise ValidationError(problem)
    if params["state"] == "absent":
        return
    if params.get("role_name"):
        problem = validate_iam_identifiers("role", params["role_name"])
        if problem:
            raise ValidationError(f"role_name: {problem} (got {params['role_name']!r})")
    for account_id in params.get("account_ids") or []:
        _check_account_id("account_ids", account_id, check_mode)
    for index, entry in enumerate(params.get("roles") or []):
        problem = validate_iam_identifiers("role", entry["name"], entry.get("path"))
        if problem:
            raise ValidationError(f"roles[{index}]: {problem} (name={entry['name']!r}, path={entry.get('path')!r})")
        if entry.get("account_ids") is not None and not entry["account_ids"]:
            raise ValidationError(f"roles[{index}].account_ids: name at least one account, or leave it out for"
                                  " every account of organization_id")
        for account_id in entry.get("account_ids") or []:
            _check_account_id(f"roles[{index}].account_ids", account_id, check_mode)
    for arn in params.get("role_arns") or []:
        if not ROLE_ARN.fullmatch(arn):
            raise ValidationError(f"role_arns: {arn!r} is not an IAM role ARN")
    organization_wide = [pattern for pattern, accounts in grants(params) if accounts is None]
    if organization_wide and not params.get("organization_id"):
        raise ValidationError(f"organization_id: required for the roles granted in every account ({organization_wide[0]});"
                              " or give account_ids")
    # A preview of a new organization: org_organization's "(new organization)".
    previewed_organization = check_mode and is_placeholder(params.get("organization_id"))
    if params.get("organization_id") and not previewed_organization and not ORGANIZATION_ID.fullmatch(params["organization_id"]):
        raise ValidationError(f"organization_id: {params['organization_id']!r} is not an organization id (o-...)")
    if not role_arns(params):
        raise ValidationError("role_name/roles/role_arns: name at least one destination role")
    check_policy_size(params["name"], build_policy(params))


def _describe(group, name, document, members=None):
    described = dict(
        group_name=group["GroupName"],
        arn=group.get("Arn"),
        group_id=group.get("GroupId"),
        path=group.get("Path", "/"),
        policy_name=name,
        policy=document,
    )
    if members is not None:
        described["members"] = sorted(members)
    return described


def ensure_present(module, client):
    params = module.params
    name = policy_name(params)
    wanted = build_policy(params)
    found = iam.get_group(client, params["name"])
    # GetGroup lists the members too: the membership needs no read of its own.
    members = {user["UserName"] for user in found["Users"]} if found else set()
    managed = params.get("users") is not None
    to_add, to_remove = membership_changes(members, params["users"], params["purge_users"]) if managed else ([], [])
    changed = bool(to_add or to_remove)
    if found is None:
        changed = True
        before = None
        group = dict(GroupName=params["name"], Arn=None, GroupId=None, Path="/")
        if not module.check_mode:
            group = iam.create_group(client, params["name"])
        current = None
    else:
        group = found["Group"]
        current = iam.get_group_policy(client, params["name"], name)
        before = _describe(group, name, current, members if managed else None)
    policy_changes = policies_differ(current, wanted)
    if policy_changes and not module.check_mode:
        iam.put_group_policy(client, params["name"], name, wanted)
    if not module.check_mode:
        apply_membership(client, params["name"], to_add, to_remove)
    members_after = (members | set(to_add)) - set(to_remove)
    after = _describe(group, name, wanted if policy_changes or found is None else current,
                      members_after if managed else None)
    result = dict(changed=changed or policy_changes, group=after, role_arns=role_arns(params),
                  policy_size=policy_size(wanted), policy_size_limit=GROUP_POLICY_SIZE_LIMIT,
                  diff=dict(before=before, after=after))
    if managed:
        result.update(added=to_add, removed=to_remove)
    return result


def _delete_group(client, group_name, members):
    # DeleteGroup refuses (DeleteConflict) while the group has members or
    # policies: empty it first.
    for user in members:
        iam.remove_user_from_group(client, group_name, user["UserName"])
    for arn in iam.list_attached_group_policies(client, group_name):
        iam.detach_group_policy(client, group_name, arn)
    for name in iam.list_group_policies(client, group_name):
        iam.delete_group_policy(client, group_name, name)
    iam.delete_group(client, group_name)


def ensure_absent(module, client):
    params = module.params
    name = policy_name(params)
    found = iam.get_group(client, params["name"])
    if found is None:
        return dict(changed=False, group=None, role_arns=[], diff=dict(before=None, after=None))
    group = found["Group"]
    current = iam.get_group_policy(client, params["name"], name)
    before = _describe(group, name, current)
    if params["delete_group"]:
        if not module.check_mode:
            _delete_group(client, params["name"], found.get("Users", []))
        return dict(changed=True, group=None, role_arns=[], diff=dict(before=before, after=None))
    changed = current is not None
    if changed and not module.check_mode:
        iam.delete_group_policy(client, params["name"], name)
    after = _describe(group, name, None)
    return dict(changed=changed, group=after, role_arns=[], diff=dict(before=before, after=after))


def _validate(module):
    # The role ARN patterns are in the caller's partition (common/cross_account_grants.py).
    module.params.setdefault("partition", module.partition())
    try:
        validate(module.params, module.check_mode)
    except ValidationError as e:
        module.fail_json(msg=str(e))


def groups_validator():
    """The check of each element of O(groups), run on every element before the first is converged.

    Beyond ``validate``: each policy of a group once, as two elements for one
    policy would rewrite it twice in every run (never reporting
    changed=false); one group with two policies (two policy names) is fine.
    """
    seen = set()

    def validate_element(module):
        _validate(module)
        key = (module.params["name"], policy_name(module.params))
        if key in seen:
            module.fail_json(msg=f"name: another element of groups gives group {key[0]!r} its policy {key[1]!r};"
                                 " list each group's policy once")
        seen.add(key)

    return validate_element


def run(module):
    _validate(module)
    client = module.client("iam")
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)
