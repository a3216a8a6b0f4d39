# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the members of one IAM group (created when missing).

The membership part of amazon.aws.iam_group, with what it cannot do: act in
a member account through the module's ``assume_role``, and converge every
group of an account in one module run (``groups``).  The group's policies
are iam_cross_account_group's business.  An unchanged group costs one
GetGroup.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam_users


def user_names_problem(users):
    """The first bad name of ``users``, as ``users[i]: <problem> (got '<name>')``; None when all are good."""
    for index, user in enumerate(users):
        problem = validate_iam_identifiers("user", user)
        if problem:
            return f"users[{index}]: {problem} (got {user!r})"
    return None


def membership_changes(members, users, purge):
    """The users to add and the members to remove, turning the set ``members`` into ``users``."""
    wanted = set(users)
    return sorted(wanted - members), sorted(members - wanted) if purge else []


def apply_membership(client, group_name, to_add, to_remove):
    for user in to_add:
        iam_users.add_user_to_group(client, group_name, user)
    for user in to_remove:
        iam.remove_user_from_group(client, group_name, user)


def validate(module):
    """Refuse a bad group or user name before any AWS call."""
    params = module.params
    problem = validate_iam_identifiers("group", params["name"])
    if problem:
        module.fail_json(msg=f"name: {problem} (got {params['name']!r})")
    problem = user_names_problem(params["users"])
    if problem:
        module.fail_json(msg=problem)


def _describe(name, members):
    return dict(group_name=name, members=sorted(members))


def run(module):
    validate(module)
    params = module.params
    client = module.client("iam")
    name = params["name"]
    found = iam.get_group(client, name)
    current = {user["UserName"] for user in found["Users"]} if found else set()
    to_add, to_remove = membership_changes(current, params["users"], params["purge_users"])
    if not module.check_mode:
        if found is None:
            iam.create_group(client, name)
        apply_membership(client, name, to_add, to_remove)
    before = _describe(name, current) if found else None
    after = _describe(name, (current | set(to_add)) - set(to_remove))
    return dict(
        changed=found is None or bool(to_add or to_remove),
        group=after,
        added=to_add,
        removed=to_remove,
        diff=dict(before=before, after=after),
    )
