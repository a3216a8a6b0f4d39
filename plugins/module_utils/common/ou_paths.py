# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OU paths: ``/`` is the root, ``/workloads/prod`` an OU two levels below it.

Pure syntax: splitting, joining and checking paths.  Resolving a path against
the live organization is resources/ou_resolver.py.
"""

import re

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
