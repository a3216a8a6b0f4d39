# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one organizational unit, addressed by its path from the root.

With the module's ``paths`` option the OUs are converged one after the other
in one run (``run_in_sequence`` in account_batch.py); ``run`` then gets a
``sequence`` dict that lives as long as the run: the root is listed once,
each parent's OUs once (one OUResolver for the run, told about every OU the
run creates or removes, so a new OU's children are never listed: it has
none), and in check mode what the earlier paths would create or remove is
remembered, so that ``/workloads/prod`` after ``/workloads`` is predicted
as the real run will do it (``/workloads`` already there).
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import DuplicateOUError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import join_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_ou_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id

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


def _create_missing(module, client, resolver, parent_id, names, existing_count, predicted):
    """Create the OUs ``names[existing_count:]`` in order; return (leaf, its parent id, created paths).

    Only the leaf gets ``tags``: the parents are created on the way to it.
    In check mode nothing is created, the predicted ids are placeholders
    (``(new OU /path)``, common/placeholders.py: org_account accepts one as
    the target of a move in check mode), and the predicted OUs are kept in ``predicted`` (path -> OU) for the later paths
    of the same run.
    """
    created = []
    leaf = None
    for depth in range(existing_count, len(names)):
        name = names[depth]
        is_leaf = depth == len(names) - 1
        tags = ansible_dict_to_boto3_tag_list(module.params["tags"]) if is_leaf else None
        path = join_ou_path(names[: depth + 1])
        if module.check_mode:
            ou = predicted[path] = dict(Id=new_ou_id(path), Arn=None, Name=name)
        else:
            ou = _create_or_adopt(module, client, parent_id, name, path, tags, is_leaf)
            resolver.remember_new(parent_id, ou)
        created.append(path)
        if is_leaf:
            leaf = ou
        else:
            parent_id = ou["Id"]
    return leaf, parent_id, created


def _create_or_adopt(module, client, parent_id, name, path, tags, is_leaf):
    """CreateOrganizationalUnit; when AWS answers that the OU exists, the OU that exists.

    A first CreateOrganizationalUnit whose answer was lost (the connection
    dropped after AWS made the OU) is repeated by botocore, and AWS refuses
    the repeat with DuplicateOrganizationalUnitException: the OU is there,
    made by the first try.  It is read back by name under its parent
    (Organizations may list it only after a moment) and given the tags the
    task asks for.
    """
    try:
        return org.create_ou(client, parent_id, name, tags)
    except org.AnsibleOrganizationsAlreadyExists as refused:
        ou = org.read_back(lambda: _only_ou_named(client, parent_id, name, path))
        if ou is None:
            raise refused
    if is_leaf and module.params["tags"] is not None:
        current = org.tags_of(client, ou["Id"])
        org.sync_tags(client, ou["Id"], current, module.params["tags"], module.params["purge_tags"], False)
    return ou


def _only_ou_named(client, parent_id, name, path):
    """The one OU called ``name`` under ``parent_id`` (None when there is none); refuses several."""
    same = [ou for ou in org.list_ous_for_parent(client, parent_id) if ou["Name"] == name]
    if len(same) > 1:
        raise DuplicateOUError(
            f"OU path {path!r}: {len(same)} OUs are named {name!r} under its parent {parent_id}"
            f" ({', '.join(o['Id'] for o in same)}); AWS allows one OU of a name per parent: remove or"
            " rename the extra ones"
        )
    return same[0] if same else None


def _with_predicted(existing, names, predicted):
    """``existing`` extended by the OUs an earlier path of this check-mode run would create."""
    existing = list(existing)
    while len(existing) < len(names) and join_ou_path(names[: len(existing) + 1]) in predicted:
        existing.append(predicted[join_ou_path(names[: len(existing) + 1])])
    return existing


def _resolver(client, root, sequence):
    """The run's OUResolver: each parent's OUs are listed once per run."""
    if "resolver" not in sequence:
        sequence["resolver"] = OUResolver(client, root["Id"])
    return sequence["resolver"]


def ensure_present(module, client, root, names, sequence=None):
    path = join_ou_path(names)
    sequence = {} if sequence is None else sequence
    predicted = sequence.setdefault("predicted_created", {})
    resolver = _resolver(client, root, sequence)
    # A preview of a new organization: nothing below its root exists yet.
    existing = [] if is_placeholder(root["Id"]) else resolver.ancestry(path)
    if module.check_mode:
        existing = _with_predicted(existing, names, predicted)

    if len(existing) == len(names) and names and is_placeholder(existing[-1]["Id"]):
        # Check mode: an earlier path of this run would create it, with the same tags.
        parent_id = existing[-2]["Id"] if len(existing) > 1 else root["Id"]
        tags = boto3_tag_list_to_ansible_dict(ansible_dict_to_boto3_tag_list(module.params["tags"]))
        after = _describe(existing[-1], path, parent_id, tags)
        return dict(changed=False, ou=after, created=[], diff=dict(before=after, after=after))

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
    leaf, leaf_parent_id, created = _create_missing(module, client, resolver, parent_id, names, len(existing), predicted)
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


def ensure_absent(module, client, root, names, sequence=None):
    path = join_ou_path(names)
    # Check mode: the ids of the OUs an earlier path of this run would remove.
    sequence = {} if sequence is None else sequence
    removed = sequence.setdefault("predicted_removed", set())
    resolver = _resolver(client, root, sequence)
    existing = [] if is_placeholder(root["Id"]) else resolver.ancestry(path)
    if len(existing) < len(names) or existing[-1]["Id"] in removed:
        return dict(changed=False, ou=None, created=[], diff=dict(before=None, after=None))

    ou = existing[-1]
    parent_id = existing[-2]["Id"] if len(existing) > 1 else root["Id"]
    child_ous = [child for child in org.list_ous_for_parent(client, ou["Id"]) if child["Id"] not in removed]
    accounts = org.list_accounts_for_parent(client, ou["Id"])
    if child_ous or accounts:
        _refuse_non_empty(module, path, ou, child_ous, accounts)

    before = _describe(ou, path, parent_id, org.tags_of(client, ou["Id"]))
    if module.check_mode:
        removed.add(ou["Id"])
    else:
        org.delete_ou(client, ou["Id"])
        resolver.forget(parent_id, ou)
    return dict(changed=True, ou=None, created=[], diff=dict(before=before, after=None))


def _root(module, client):
    """The organization's root; in check mode without an organization, a placeholder root.

    A preview of a new organization (org_organization would create it first)
    predicts every OU of the run as created, with placeholder ids.
    """
    try:
        return org.list_roots(client)[0]
    except org.AnsibleOrganizationsError:
        if module.check_mode and org.describe_organization(client) is None:
            return dict(Id=new_root_id(), Name="Root")
        raise


def run(module, sequence=None):
    """Converge the OU at ``path``; ``sequence``: a dict kept across the paths of one ``paths`` run."""
    names = validate(module)
    if sequence is None:
        sequence = {}
    if "client" not in sequence:
        sequence["client"] = module.client("organizations")
    client = sequence["client"]
    if "root" not in sequence:
        sequence["root"] = _root(module, client)
    root = sequence["root"]
    try:
        if module.params["state"] == "absent":
            return ensure_absent(module, client, root, names, sequence)
        return ensure_present(module, client, root, names, sequence)
    except DuplicateOUError as e:
        # Two OUs of one name on the path: stop before writing anything more.
        module.fail_json(msg=f"path: {e}")
