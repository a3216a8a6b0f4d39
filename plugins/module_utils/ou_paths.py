# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OU paths: ``/`` is the root, ``/workloads/prod`` an OU two levels below it.

Resolving a path walks down from the root one ListOrganizationalUnitsForParent
call per level (O(depth), never a scan of the whole organization).  Results
are cached per client so one module run resolves a shared prefix once.
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils import organizations as org

# AWS Organizations allows five levels of OUs below the root.
MAX_OU_DEPTH = 5
# OU names: 1-128 characters; the path syntax reserves "/".
_OU_NAME = re.compile(r"^[^/]{1,128}$")


class OUPathError(ValueError):
    pass


class DuplicateOUError(OUPathError):
    """Two OUs of one name under one parent: a path through that name is ambiguous.

    AWS refuses to create such a pair (DuplicateOrganizationalUnitException),
    but a pair made some other way must stop a run rather than have it pick one.
    """


def split_ou_path(path):
    """``"/a/b"`` -> ``["a", "b"]``; ``"/"`` -> ``[]``.  Raises OUPathError on bad input."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise OUPathError(f"OU path {path!r} must start with '/' (the root is '/')")
    parts = path.strip("/").split("/") if path.strip("/") else []
    for part in parts:
        if not part or not _OU_NAME.match(part) or part != part.strip():
            raise OUPathError(f"OU path {path!r} has an empty or invalid name {part!r}")
    if len(parts) > MAX_OU_DEPTH:
        raise OUPathError(
            f"OU path {path!r} is {len(parts)} levels deep; AWS Organizations allows at most"
            f" {MAX_OU_DEPTH} levels below the root"
        )
    return parts


def normalize_ou_path(path):
    return "/" + "/".join(split_ou_path(path))


def join_ou_path(names):
    """``["a", "b"]`` -> ``"/a/b"``; ``[]`` -> ``"/"``."""
    return "/" + "/".join(names)


def is_ou_path(value):
    return isinstance(value, str) and value.startswith("/")


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
