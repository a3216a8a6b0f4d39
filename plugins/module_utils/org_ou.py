# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one organizational unit, addressed by its path from the root."""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.awsorg.landing_zone.plugins.module_utils import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.ou_paths import OUResolver
from ansible_collections.awsorg.landing_zone.plugins.module_utils.ou_paths import join_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.ou_paths import split_ou_path

# How many names of what is inside a non-empty OU the error message lists.
_LISTED_CONTENTS = 5


def validate(module):
    """The path as a list of names; fails before any AWS call on bad input."""
    path = module.params["path"]
    try:
        names = split_ou_path(path)
    except OUPathError as e:
        module.fail_json(msg=f"path: {e}")
    if module.params["state"] == "absent" and not names:
        module.fail_json(msg="path: '/' is the root of the organization; it cannot be removed (state=absent)")
    return names


def _describe(ou, path, parent_id, tags):
    return dict(id=ou["Id"], arn=ou.get("Arn"), name=ou["Name"], path=path, parent_id=parent_id, tags=tags)


def _create_missing(module, client, parent_id, names, existing_count):
    """Create the OUs ``names[existing_count:]`` in order; return (leaf, its parent id, created paths).

    Only the leaf gets ``tags``: the parents are created on the way to it.
    In check mode nothing is created and the predicted ids are None.
    """
    created = []
    leaf = None
    for depth in range(existing_count, len(names)):
        name = names[depth]
        is_leaf = depth == len(names) - 1
        tags = ansible_dict_to_boto3_tag_list(module.params["tags"]) if is_leaf else None
        if module.check_mode:
            ou = dict(Id=None, Arn=None, Name=name)
        else:
            ou = org.create_ou(client, parent_id, name, tags)
        created.append(join_ou_path(names[: depth + 1]))
        if is_leaf:
            leaf = ou
        else:
            parent_id = ou["Id"]
    return leaf, parent_id, created


def ensure_present(module, client, root, names):
    path = join_ou_path(names)
    resolver = OUResolver(client, root["Id"])
    existing = resolver.ancestry(path)

    if len(existing) == len(names):
        if names:
            ou = existing[-1]
            parent_id = existing[-2]["Id"] if len(existing) > 1 else root["Id"]
        else:
            # The root itself: it can carry tags like any OU.
            ou, parent_id = root, None
        params = module.params
        current = org.tags_of(client, ou["Id"])
        before = _describe(ou, path, parent_id, current)
        changed, tags = org.sync_tags(
            client, ou["Id"], current, params["tags"], params["purge_tags"], module.check_mode
        )
        after = _describe(ou, path, parent_id, tags)
        return dict(changed=changed, ou=after, created=[], diff=dict(before=before, after=after))

    parent_id = existing[-1]["Id"] if existing else root["Id"]
    leaf, leaf_parent_id, created = _create_missing(module, client, parent_id, names, len(existing))
    tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(module.params["tags"]))
    after = _describe(leaf, path, leaf_parent_id, tags)
    return dict(changed=True, ou=after, created=created, diff=dict(before=None, after=after))


def _summarize(kind, items, label):
    if not items:
        return None
    shown = ", ".join(label(item) for item in items[:_LISTED_CONTENTS])
    more = f" and {len(items) - _LISTED_CONTENTS} more" if len(items) > _LISTED_CONTENTS else ""
    plural = "" if len(items) == 1 else "s"
    return f"{len(items)} {kind}{plural} ({shown}{more})"


def _refuse_non_empty(module, path, ou, child_ous, accounts):
    contents = [
        _summarize("child OU", child_ous, lambda o: o["Name"]),
        _summarize("account", accounts, lambda a: f"{a.get('Name')} {a['Id']}"),
    ]
    module.fail_json(
        msg=(
            f"path: cannot remove {path} ({ou['Id']}): it still holds "
            + " and ".join(c for c in contents if c)
            + ". Move or remove them first; state=absent only removes an empty OU"
        )
    )


def ensure_absent(module, client, root, names):
    path = join_ou_path(names)
    existing = OUResolver(client, root["Id"]).ancestry(path)
    if len(existing) < len(names):
        return dict(changed=False, ou=None, created=[], diff=dict(before=None, after=None))

    ou = existing[-1]
    parent_id = existing[-2]["Id"] if len(existing) > 1 else root["Id"]
    child_ous = org.list_ous_for_parent(client, ou["Id"])
    accounts = org.list_accounts_for_parent(client, ou["Id"])
    if child_ous or accounts:
        _refuse_non_empty(module, path, ou, child_ous, accounts)

    before = _describe(ou, path, parent_id, org.tags_of(client, ou["Id"]))
    if not module.check_mode:
        org.delete_ou(client, ou["Id"])
    return dict(changed=True, ou=None, created=[], diff=dict(before=before, after=None))


def run(module):
    names = validate(module)
    client = module.client("organizations")
    root = org.list_roots(client)[0]
    if module.params["state"] == "absent":
        return ensure_absent(module, client, root, names)
    return ensure_present(module, client, root, names)
