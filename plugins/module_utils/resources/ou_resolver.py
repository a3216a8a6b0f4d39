# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Resolve OU paths against the live organization.

Resolving a path walks down from the root one ListOrganizationalUnitsForParent
call per level (O(depth), never a scan of the whole organization).  Results
are cached per client so one module run resolves a shared prefix once.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import DuplicateOUError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import join_ou_path


class OUResolver:
    """Resolve OU paths to ids (and back) with one listing per parent."""

    def __init__(self, client, root_id):
        self.client = client
        self.root_id = root_id
        self._children = {}  # parent id -> {name: ou}
        self._duplicates = {}  # parent id -> {name: [ou, ou, ...]} for names held by several OUs
        self._paths = {root_id: "/"}

    def children(self, parent_id):
        if parent_id not in self._children:
            ous = org.list_ous_for_parent(self.client, parent_id) or []
            self._children[parent_id] = {ou["Name"]: ou for ou in ous}
            by_name = {}
            for ou in ous:
                by_name.setdefault(ou["Name"], []).append(ou)
            self._duplicates[parent_id] = {name: same for name, same in by_name.items() if len(same) > 1}
        return self._children[parent_id]

    def child(self, parent_id, name, path):
        """The OU ``name`` under ``parent_id`` or None; raises DuplicateOUError when several have that name."""
        ou = self.children(parent_id).get(name)
        same = self._duplicates.get(parent_id, {}).get(name)
        if same:
            raise DuplicateOUError(
                f"OU path {path!r}: {len(same)} OUs are named {name!r} under {self._paths.get(parent_id, parent_id)}"
                f" ({', '.join(o['Id'] for o in same)}); AWS allows one OU of a name per parent: remove or"
                " rename the extra ones"
            )
        return ou

    def remember(self, parent_id, ou):
        self.children(parent_id)[ou["Name"]] = ou

    def remember_new(self, parent_id, ou):
        """``ou`` was just created under ``parent_id``: it is listed there, and holds no OUs yet."""
        self.remember(parent_id, ou)
        self._children[ou["Id"]] = {}
        self._duplicates[ou["Id"]] = {}

    def forget(self, parent_id, ou):
        """``ou`` was removed from under ``parent_id``."""
        self.children(parent_id).pop(ou["Name"], None)
        self._children.pop(ou["Id"], None)
        self._duplicates.pop(ou["Id"], None)

    def lookup(self, path):
        """Return ``(found_id, missing_names)``: the deepest existing OU and what is missing below it."""
        parent_id = self.root_id
        current = ""
        parts = split_ou_path(path)
        for index, name in enumerate(parts):
            ou = self.child(parent_id, name, path)
            if ou is None:
                return parent_id, parts[index:]
            current += "/" + name
            parent_id = ou["Id"]
            self._paths[parent_id] = current
        return parent_id, []

    def ancestry(self, path):
        """The existing OUs along ``path``, from the top level down.

        Each item is the OU as ListOrganizationalUnitsForParent returns it
        (``Id``, ``Arn``, ``Name``).  The list is shorter than the path when
        part of the path does not exist; it is empty for ``/``.
        """
        parent_id = self.root_id
        found = []
        for name in split_ou_path(path):
            ou = self.child(parent_id, name, path)
            if ou is None:
                break
            found.append(ou)
            parent_id = ou["Id"]
            self._paths[parent_id] = join_ou_path([o["Name"] for o in found])
        return found

    def resolve(self, path):
        """The id of the OU at ``path``, or None when some part of it does not exist."""
        found_id, missing = self.lookup(path)
        return None if missing else found_id

    def path_of(self, parent_id):
        """The path of an OU or root id; walks ListParents upwards when not cached."""
        if parent_id in self._paths:
            return self._paths[parent_id]
        names = []
        current = parent_id
        while current != self.root_id and current not in self._paths:
            ou = org.describe_ou(self.client, current)
            names.append(ou["Name"])
            parents = org.list_parents(self.client, current)
            current = parents[0]["Id"]
        prefix = self._paths[current]
        path = prefix.rstrip("/") + "/" + "/".join(reversed(names)) if names else prefix
        self._paths[parent_id] = path
        return path
