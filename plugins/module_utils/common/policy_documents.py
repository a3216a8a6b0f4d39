# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service control policy documents: parse, validate, minify, compare.

Nothing here calls AWS, so every rule can be checked before the first write.

What AWS Organizations accepts in an SCP (AWS Organizations User Guide,
"SCP syntax"; SCPs support the full IAM policy language since 2025):

* ``Version`` is required and must be ``2012-10-17``.
* ``Statement`` is one statement object or a non-empty list of them.
* Each statement needs ``Effect`` (``Allow`` or ``Deny``) and exactly one of
  ``Action`` / ``NotAction``.
* ``Resource`` / ``NotResource`` may not both appear.  The guide lists neither
  as required for SCPs (only ``Effect`` and ``Action``/``NotAction`` are), so a
  statement without them is accepted and applies to every resource.
* ``Principal`` and ``NotPrincipal`` are not supported in SCPs.
* Every character of the stored document counts against the size quota, so
  the document is sent minified (no white space outside strings).
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

SCP_VERSION = "2012-10-17"
# The SCP size quota (characters of the stored document) since May 2026; used
# when Service Quotas cannot be read or does not list the quota.
DEFAULT_SCP_SIZE_LIMIT = 10240

TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
UNSUPPORTED_IN_SCPS = ("Principal", "NotPrincipal")
EFFECTS = ("Allow", "Deny")


class PolicyDocumentError(ValueError):
    """A document AWS would reject; the message names the option and the offending part."""


def _unique_keys(pairs):
    # json.loads keeps the last of two equal keys without a word, which would
    # silently drop a statement or condition the author wrote.
    document = {}
    for key, value in pairs:
        if key in document:
            raise PolicyDocumentError(f"the key {key!r} appears twice in one JSON object")
        document[key] = value
    return document


def parse_policy(value, field="policy"):
    """The document as a dict, from a dict or from JSON text."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, str):
        try:
            document = json.loads(value, object_pairs_hook=_unique_keys)
        except PolicyDocumentError as e:
            raise PolicyDocumentError(f"{field}: {e}") from e
        except ValueError as e:
            raise PolicyDocumentError(f"{field}: not valid JSON ({e})") from e
    elif isinstance(value, dict):
        try:
            # A round trip turns Ansible's string and mapping subclasses into
            # plain JSON types and proves the value can be serialised at all.
            document = json.loads(json.dumps(value))
        except (TypeError, ValueError) as e:
            raise PolicyDocumentError(f"{field}: cannot be written as JSON ({e})") from e
    else:
        raise PolicyDocumentError(
            f"{field}: must be a JSON object (a dict or a JSON string), got {type(value).__name__}"
        )
    if not isinstance(document, dict):
        raise PolicyDocumentError(f"{field}: must be a JSON object, got a JSON {type(document).__name__}")
    return document


def read_policy_file(path, field="policy_file"):
    """The parsed document stored in ``path``."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyDocumentError(f"{field}: cannot read {path!r} ({e})") from e
    return parse_policy(text, field=f"{field} {path!r}")


def _check_strings(statement, element, where):
    value = statement[element]
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) and v for v in values):
        raise PolicyDocumentError(
            f"{where}: {element} must be a non-empty string or a non-empty list of non-empty strings, got {value!r}"
        )


def _validate_statement(statement, where):
    if not isinstance(statement, dict):
        raise PolicyDocumentError(f"{where}: must be a JSON object, got {statement!r}")
    for element in statement:
        if element in UNSUPPORTED_IN_SCPS:
            raise PolicyDocumentError(f"{where}: {element} is not supported in service control policies")
        if element not in STATEMENT_ELEMENTS:
            raise PolicyDocumentError(
                f"{where}: unknown element {element!r}; allowed: {', '.join(STATEMENT_ELEMENTS)}"
            )
    if "Effect" not in statement:
        raise PolicyDocumentError(f"{where}: Effect is missing; it must be 'Allow' or 'Deny'")
    if statement["Effect"] not in EFFECTS:
        raise PolicyDocumentError(f"{where}: Effect is {statement['Effect']!r}; it must be 'Allow' or 'Deny'")
    actions = [e for e in ("Action", "NotAction") if e in statement]
    if len(actions) != 1:
        raise PolicyDocumentError(
            f"{where}: needs exactly one of Action and NotAction, found {' and '.join(actions) or 'neither'}"
        )
    _check_strings(statement, actions[0], where)
    resources = [e for e in ("Resource", "NotResource") if e in statement]
    if len(resources) > 1:
        raise PolicyDocumentError(f"{where}: Resource and NotResource cannot be used together")
    for element in resources:
        _check_strings(statement, element, where)
    if "Condition" in statement:
        condition = statement["Condition"]
        if not isinstance(condition, dict) or not all(isinstance(v, dict) for v in condition.values()):
            raise PolicyDocumentError(
                f"{where}: Condition must map condition operators to objects of keys and values, got {condition!r}"
            )
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise PolicyDocumentError(f"{where}: Sid must be a string, got {statement['Sid']!r}")


def validate_scp(document, field="policy"):
    """Raise PolicyDocumentError when ``document`` breaks a rule of the SCP grammar."""
    for element in document:
        if element not in TOP_LEVEL_ELEMENTS:
            raise PolicyDocumentError(
                f"{field}: unknown top-level element {element!r}; allowed: {', '.join(TOP_LEVEL_ELEMENTS)}"
            )
    if document.get("Version") != SCP_VERSION:
        found = repr(document["Version"]) if "Version" in document else "missing"
        raise PolicyDocumentError(f"{field}: Version must be {SCP_VERSION!r}, found {found}")
    if "Statement" not in document:
        raise PolicyDocumentError(f"{field}: Statement is missing")
    statements = document["Statement"]
    if isinstance(statements, dict):
        _validate_statement(statements, f"{field}: Statement")
    elif isinstance(statements, list) and statements:
        for index, statement in enumerate(statements):
            _validate_statement(statement, f"{field}: Statement[{index}]")
    else:
        raise PolicyDocumentError(
            f"{field}: Statement must be one statement object or a non-empty list of them, got {statements!r}"
        )


def minify(document):
    """The document as compact JSON: what is sent to AWS and what counts against the quota.

    Non-ASCII text stays as itself: an escape like \\u00e9 would count six
    characters instead of one.
    """
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def check_size(minified, limit, field="policy"):
    if len(minified) > limit:
        raise PolicyDocumentError(
            f"{field}: the minified document is {len(minified)} characters; the service control policy"
            f" size limit is {limit} characters"
        )


def prepare_scp(document, field="policy"):
    """Validate a parsed document and return it minified."""
    validate_scp(document, field)
    return minify(document)


def documents_differ(current, wanted):
    """True when the two documents grant or deny something different.

    Key order, white space, a single value against a one-item list and the
    order of list items do not count (amazon.aws compare_policies).
    """
    return compare_policies(current, wanted, default_version=None)


def is_scp_size_quota(quota):
    """Whether a Service Quotas record (service ``organizations``) is the SCP document size quota.

    Quota codes may change over time (AWS says so for Organizations), so the
    quota is recognised by its name instead.
    """
    name = (quota.get("QuotaName") or "").lower()
    names_scps = "service control polic" in name or "scp" in name.replace("(", " ").replace(")", " ").split()
    names_size = "size" in name or "character" in name
    return names_scps and names_size and "resource control" not in name
