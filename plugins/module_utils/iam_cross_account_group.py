# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge a group whose members may assume roles in other accounts (the source side).

The group gets one inline policy allowing ``sts:AssumeRole`` on exactly the
destination role ARNs; being a member of the group is what grants access.
Membership itself is amazon.aws's business (``iam_group``/``iam_user``).
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.awsorg.landing_zone.plugins.module_utils import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import POLICY_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import POLICY_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import check_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import mfa_condition
from ansible_collections.awsorg.landing_zone.plugins.module_utils.iam_cross_account_role import policies_differ

DEFAULT_POLICY_NAME = "assume-cross-account-roles"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


def policy_name(params):
    if params.get("policy_name"):
        return params["policy_name"]
    if params.get("role_name"):
        return f"assume-{params['role_name']}"
    return DEFAULT_POLICY_NAME


def role_arns(params):
    """The destination role ARNs: role_name in every account_ids, plus role_arns; sorted, unique."""
    arns = set(params.get("role_arns") or [])
    for account_id in params.get("account_ids") or []:
        arns.add(f"arn:aws:iam::{account_id}:role/{params['role_name']}")
    return sorted(arns)


def validate(params):
    problem = validate_iam_identifiers("group", params["name"])
    if problem:
        raise ValidationError(f"name: {problem} (got {params['name']!r})")
    name = policy_name(params)
    if not POLICY_NAME.match(name):
        raise ValidationError(f"policy_name: {name!r} is not a valid policy name")
    if params["state"] == "absent":
        return
    if params.get("role_name"):
        problem = validate_iam_identifiers("role", params["role_name"])
        if problem:
            raise ValidationError(f"role_name: {problem} (got {params['role_name']!r})")
    for account_id in params.get("account_ids") or []:
        check_account_id("account_ids", account_id)
    for arn in params.get("role_arns") or []:
        if not _ROLE_ARN.match(arn):
            raise ValidationError(f"role_arns: {arn!r} is not an IAM role ARN")
    if not role_arns(params):
        raise ValidationError("account_ids/role_arns: name at least one destination role")


def build_policy(params):
    statement = {
        "Sid": "AssumeCrossAccountRoles",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": role_arns(params),
    }
    if params.get("require_mfa"):
        statement["Condition"] = mfa_condition()
    return {"Version": POLICY_VERSION, "Statement": [statement]}


def _describe(group, name, document):
    return dict(
        group_name=group["GroupName"],
        arn=group.get("Arn"),
        group_id=group.get("GroupId"),
        path=group.get("Path", "/"),
        policy_name=name,
        policy=document,
    )


def ensure_present(module, client):
    params = module.params
    name = policy_name(params)
    wanted = build_policy(params)
    found = iam.get_group(client, params["name"])
    changed = False
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
        before = _describe(group, name, current)
    if policies_differ(current, wanted):
        changed = True
        if not module.check_mode:
            iam.put_group_policy(client, params["name"], name, wanted)
    after = _describe(group, name, wanted if changed else current)
    return dict(changed=changed, group=after, role_arns=role_arns(params), diff=dict(before=before, after=after))


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


def run(module):
    try:
        validate(module.params)
    except ValidationError as e:
        module.fail_json(msg=str(e))
    client = module.client("iam")
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)
