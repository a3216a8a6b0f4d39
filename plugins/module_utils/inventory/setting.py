# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ``Setting`` of inventory/schema.py's table, and the type checks every setting gets.

A value is checked against its setting's kind (str, int, bool, list, dict,
raw, path), its choices, its own check, and, for a mapping, its known keys;
each problem comes back with the path inside the variable
(``permission_sets[Admin].session_duration``), so the preflight names the
host, the variable, the key and the value.
"""

UNSET = type("Unset", (), {"__repr__": lambda self: "UNSET"})()


class Derived:
    """A default computed per account: ``compute(context)``, context an ``AccountContext`` of inventory/plan.py."""

    def __init__(self, text, compute):
        self.text = text
        self.compute = compute

    def __repr__(self):
        return self.text


KINDS = ("str", "int", "bool", "list", "dict", "raw", "path")


class Setting:
    """One inventory variable, or one key of a mapping.

    ``kind``: str, int, bool, list, dict, raw (anything) or path.
    ``elements``: the kind of a list's items; ``fields``: the keys of a dict
    (or of the dicts of a list), themselves Settings; ``unknown_keys``:
    ``report`` an unknown key, or ``ignore`` it (a check elsewhere names it,
    or the mapping is free-form when ``fields`` is None).
    ``check(value)``: a problem (str), problems (list) or None, for a value
    of the right kind.  ``nullable``: null means "not set" (elsewhere null is
    refused: a role's ``| default(...)`` does not replace it).
    ``plan``: the key of a host variable in the plan's account entry.
    ``feeds``: ``module.option`` the value is passed to (only for accounts of
    ``feed_state`` when that is set; never when the value is null).
    ``roles``: ``(role, option)`` pairs whose default is this setting.
    ``checked_elsewhere``: the kind is declared (for the role argument
    specs) but another check names a bad value, in its own words.
    """

    def __init__(self, name, kind, description, default=UNSET, elements=None, fields=None, unknown_keys="report",
                 choices=None, check=None, nullable=False, minimum=None, maximum=None, label_key="name",
                 plan=None, feeds=(), feed_state=None, roles=(), checked_elsewhere=False):
        if kind not in KINDS:
            raise ValueError(f"{name}: unknown kind {kind!r}")
        self.name = name
        self.kind = kind
        self.description = description
        self.default = default
        self.elements = elements
        self.fields = {f.name: f for f in fields} if fields is not None else None
        self.unknown_keys = unknown_keys
        self.choices = tuple(choices) if choices else None
        self.check = check
        self.nullable = nullable
        self.minimum = minimum
        self.maximum = maximum
        self.label_key = label_key
        self.plan = plan
        self.feeds = tuple(feeds)
        self.feed_state = feed_state
        self.roles = tuple(roles)
        self.checked_elsewhere = checked_elsewhere

    def field(self, name):
        return (self.fields or {}).get(name)


# --- type checks --------------------------------------------------------------------


def _type_name(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    names = {"str": "string", "int": "integer", "float": "number", "NoneType": "null"}
    return names.get(type(value).__name__, type(value).__name__)


def is_integer(value):
    """An int, or a string of digits (a templated value); never a boolean."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit())


def kind_problem(setting, value):
    """Why ``value`` is not of the setting's kind, or None."""
    kind = setting.kind
    if kind == "bool" and not isinstance(value, bool):
        return f"must be true or false, got {value!r}"
    if kind == "int":
        if setting.minimum is not None and setting.maximum is not None:
            if not is_integer(value) or not setting.minimum <= int(value) <= setting.maximum:
                return f"must be an integer {setting.minimum}-{setting.maximum}, got {value!r}"
        elif not is_integer(value):
            return f"must be an integer, got {value!r}"
    if kind in ("str", "path") and not isinstance(value, str):
        return f"must be a string, got {_type_name(value)} {value!r}"
    if kind == "list" and (isinstance(value, str) or not isinstance(value, (list, tuple))):
        return f"must be a list, got {_type_name(value)} {value!r}"
    if kind == "dict" and not isinstance(value, dict):
        return f"must be a mapping, got {_type_name(value)} {value!r}"
    return None


def _join(path):
    """``["permission_sets", "[Admin]", "session_duration"]`` -> ``permission_sets[Admin].session_duration``."""
    text = ""
    for part in path:
        text += part if part.startswith("[") or not text else "." + part
    return text


def _item_label(setting, item, index):
    label = item.get(setting.label_key) if isinstance(item, dict) and setting.label_key else None
    return f"[{label}]" if isinstance(label, str) and label else f"[{index}]"


def _checked(setting, value):
    found = setting.check(value) if setting.check else None
    if not found:
        return []
    return [found] if isinstance(found, str) else list(found)


def value_problems(setting, value, path=()):
    """Every problem of ``value`` as ``setting``: ``[(path, message)]``, path a list of keys and ``[item]``s."""
    if (value is None and setting.nullable) or setting.checked_elsewhere:
        return []
    problem = kind_problem(setting, value)
    if problem:
        return [(list(path), problem)]
    if setting.choices and value not in setting.choices:
        return [(list(path), f"must be one of {', '.join(setting.choices)}, got {value!r}")]
    found = [(list(path), message) for message in _checked(setting, value)]
    if setting.kind == "dict" and setting.fields is not None:
        found.extend(_mapping_problems(setting, value, path))
    if setting.kind == "list":
        for index, item in enumerate(value):
            item_path = list(path) + [_item_label(setting, item, index)]
            if setting.elements == "dict":
                problem = None if isinstance(item, dict) else f"must be a mapping, got {_type_name(item)} {item!r}"
                if problem:
                    found.append((item_path, problem))
                elif setting.fields is not None:
                    found.extend(_mapping_problems(setting, item, item_path))
            elif setting.elements in ("str", "path") and not isinstance(item, str):
                found.append((item_path, f"must be a string, got {_type_name(item)} {item!r}"))
    return found


def _mapping_problems(setting, mapping, path):
    found = []
    for key, item in mapping.items():
        field = setting.fields.get(key)
        if field is None:
            if setting.unknown_keys == "report":
                found.append((list(path), unknown_key_message(key, setting.fields)))
            continue
        found.extend(value_problems(field, item, list(path) + [str(key)]))
    return found


def unknown_key_message(key, known):
    return f"unknown setting {key!r}; allowed: {', '.join(known)}"


def as_problems(variable, found):
    """``value_problems`` as ``(variable label, message)``: leading ``[item]`` parts join the variable's name."""
    result = []
    for path, message in found:
        label = variable
        while path and path[0].startswith("["):
            label += path.pop(0)
        result.append((label, f"{_join(path)}: {message}" if path else message))
    return result
