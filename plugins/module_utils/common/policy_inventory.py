# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The inventory's Organizations policies of every type, as org_policy items.

Pure Python, no AWS calls: the preflight checks, and the organization role
converges, the same items built here from four inventory variables:

* ``landing_zone_policies``: ``[{type, name, description, document | file,
  targets, purge_targets, state}]``, any policy type (common/policy_types.py);
* ``landing_zone_tag_policy``: ``{required_tags: {Key: [values]},
  enforced_for, targets, name}``, built into a tag policy;
* ``landing_zone_ai_services_opt_out: true``: the policy that opts every
  account out of every AI service, at the root;
* ``landing_zone_rcp_library``: RCP library selections (common/rcp_library.py),
  packed like the SCP library; here only their organization id is filled in.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import read_policy_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import AI_OPT_OUT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import SCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import PolicyTypeError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import check_type_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import get_type
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import prepare_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import types_in_use
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import LIBRARY as RCP_LIBRARY
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_description_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_name_problem

TAG_POLICY_NAME = "lz-tag-policy"
AI_OPT_OUT_NAME = "lz-ai-services-opt-out"
# Stands in for the organization id while the preflight checks RCP library parameters before the
# organization exists; the role passes the real one (org_organization's result).
PLACEHOLDER_ORGANIZATION_ID = "o-0000000000"


def rcp_library_prefix(prefix):
    """The packed RCPs' prefix: ``lz-rcp`` (``lz-rcp-root-1``), apart from the packed SCPs' ``lz-root-1``.

    CreatePolicy refuses a name another policy has (DuplicatePolicyException), the
    SCP library's included.
    """
    return f"{prefix}-rcp"


class PolicyInventoryError(ValueError):
    """A policy the inventory describes that cannot be built; the message names the key and the value."""


def tag_policy_document(required_tags, enforced_for=None):
    """A tag policy: each tag key with the capitalization AWS checks and its allowed values.

    Tag policy syntax (AWS Organizations User Guide, "Tag policy syntax and examples",
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_example-tag-policies.html):
    under ``tags``, one policy key per tag key, the tag key in lower case (the policy key ignores
    case); ``tag_key`` ``@@assign`` gives the capitalization resources must use, ``tag_value``
    ``@@assign`` the allowed values (left out: any value complies), ``enforced_for`` ``@@assign``
    the ``service:resource`` types where a noncompliant tagging operation is refused.
    """
    if not isinstance(required_tags, dict) or not required_tags:
        raise PolicyInventoryError(f"required_tags: must map at least one tag key to its allowed values, got {required_tags!r}")
    tags = {}
    for key, values in required_tags.items():
        if not isinstance(key, str) or not key.strip():
            raise PolicyInventoryError(f"required_tags: {key!r} is not a tag key")
        policy_key = key.lower()
        if policy_key in tags:
            raise PolicyInventoryError(f"required_tags: {key!r} differs from another key only in case (a tag policy ignores case)")
        entry = {"tag_key": {"@@assign": key}}
        if values is not None:
            if isinstance(values, str) or not isinstance(values, (list, tuple)) or not values:
                raise PolicyInventoryError(f"required_tags.{key}: must be a list of allowed values (or null for any), got {values!r}")
            entry["tag_value"] = {"@@assign": [str(value) for value in values]}
        if enforced_for:
            entry["enforced_for"] = {"@@assign": list(enforced_for)}
        tags[policy_key] = entry
    return {"tags": tags}


def ai_opt_out_document():
    """Every account opted out of every AI service, and child policies cannot opt back in.

    AI services opt-out policy syntax (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_ai-opt-out_syntax.html):
    the ``default`` service key stands for every AI service, those AWS adds later included; the
    values are case-sensitive (``optOut``); ``@@operators_allowed_for_child_policies``
    ``["@@none"]`` keeps a policy on an OU or account from overriding it.
    """
    return {"services": {"default": {"opt_out_policy": {
        "@@operators_allowed_for_child_policies": ["@@none"],
        "@@assign": "optOut",
    }}}}


def _inline_item(policy):
    item = {
        "type": policy.get("type") or SCP,
        "name": policy.get("name"),
        "targets": list(policy.get("targets") or []),
        "purge_targets": policy.get("purge_targets", True) is not False,
        "state": policy.get("state") or "present",
    }
    if policy.get("description") is not None:
        item["description"] = policy["description"]
    if "document" in policy:
        item["policy"] = policy["document"]
    if "file" in policy:
        item["policy_file"] = policy["file"]
    return item


def tag_policy_item(tag_policy):
    if not isinstance(tag_policy, dict):
        raise PolicyInventoryError(f"must be a mapping with required_tags and targets, got {tag_policy!r}")
    return {
        "type": TAG,
        "name": tag_policy.get("name") or TAG_POLICY_NAME,
        "description": tag_policy.get("description") or "Landing zone tag policy: the tag keys and values resources use",
        "policy": tag_policy_document(tag_policy.get("required_tags"), tag_policy.get("enforced_for")),
        "targets": list(tag_policy.get("targets") or ["/"]),
        "purge_targets": True,
        "state": "present",
    }


def ai_opt_out_item():
    return {
        "type": AI_OPT_OUT,
        "name": AI_OPT_OUT_NAME,
        "description": "Landing zone: every account opted out of every AI service (content not used to improve them)",
        "policy": ai_opt_out_document(),
        "targets": ["/"],
        "purge_targets": True,
        "state": "present",
    }


def policy_items(policies=None, tag_policy=None, ai_services_opt_out=False):
    """The org_policy items of the inventory's policies, in order; raises PolicyInventoryError."""
    items = [_inline_item(p) for p in policies or [] if isinstance(p, dict)]
    if tag_policy:
        items.append(tag_policy_item(tag_policy))
    if ai_services_opt_out:
        items.append(ai_opt_out_item())
    return items


def items_by_type(items):
    """``{type: [items]}`` in botocore's order of the types: one org_policy run per type."""
    grouped = {}
    for name in types_in_use(items):
        grouped[name] = [dict((k, v) for k, v in item.items() if k != "type") for item in items if item["type"] == name]
    return grouped


def enabled_policy_types(policies=None, tag_policy=None, ai_services_opt_out=False, rcp_library=None):
    """The policy types to enable on the root: SCPs always, and every type the inventory uses."""
    items = policy_items(policies, tag_policy, ai_services_opt_out)
    return types_in_use(items, extra=[SCP] + ([RCP] if rcp_library else []))


def rcp_selections(selections, organization_id):
    """The RCP library selections with ``organization_id`` filled in where an entry takes it and none is given."""
    filled = []
    for selection in selections or []:
        if not isinstance(selection, dict):
            filled.append(selection)
            continue
        entry = RCP_LIBRARY.get(selection.get("name")) if isinstance(selection.get("name"), str) else None
        params = selection.get("params")
        takes_id = entry is not None and any(p.name == "organization_id" for p in entry.params)
        if takes_id and (params is None or isinstance(params, dict)) and not (params or {}).get("organization_id"):
            selection = dict(selection, params=dict(params or {}, organization_id=organization_id))
        filled.append(selection)
    return filled


def item_problems(item):
    """What AWS would refuse in one item: its type, name, description, its document's grammar and size.  ``[message]``."""
    try:
        policy_type = get_type(item["type"])
    except PolicyTypeError as e:
        return [str(e)]
    if item.get("state") == "absent":
        return []
    if not isinstance(item.get("name"), str) or not item["name"]:
        return ["needs a name"]
    named = [problem for problem in (policy_name_problem(item["name"]), policy_description_problem(item.get("description")))
             if problem]
    if named:
        return named
    has_document, has_file = "policy" in item, "policy_file" in item
    if has_document == has_file:
        return ["needs exactly one of document or file"]
    try:
        if has_file:
            document = read_policy_file(item["policy_file"], field="file")
        else:
            document = parse_policy(item["policy"], field="document")
        check_type_size(policy_type.name, prepare_document(policy_type.name, document, field="document"),
                        policy_type.size_limit, field="document")
    except PolicyDocumentError as e:
        return [str(e)]
    return []


def policies_problems(policies=None, tag_policy=None, ai_services_opt_out=False):
    """``[(variable label, message)]`` for every policy of the inventory that AWS would refuse."""
    found = []
    for index, policy in enumerate(policies or []):
        if not isinstance(policy, dict):
            continue  # the schema names it
        label = f"landing_zone_policies[{policy.get('name') or index}]"
        found.extend((label, message) for message in item_problems(_inline_item(policy)))
    if tag_policy:
        try:
            item = tag_policy_item(tag_policy)
        except PolicyInventoryError as e:
            found.append(("landing_zone_tag_policy", str(e)))
        else:
            found.extend(("landing_zone_tag_policy", message) for message in item_problems(item))
    found.extend(_duplicate_names(policies, tag_policy, ai_services_opt_out))
    return found


def _duplicate_names(policies, tag_policy, ai_services_opt_out):
    """Names are unique per policy type: two items of one type and one name would rewrite one policy twice."""
    found, seen = [], {}
    try:
        items = policy_items(policies, tag_policy if isinstance(tag_policy, dict) else None, ai_services_opt_out)
    except PolicyInventoryError:
        items = policy_items(policies, None, ai_services_opt_out)
    for item in items:
        key = (item["type"], item["name"])
        if key in seen:
            found.append((f"landing_zone_policies[{item['name']}]",
                          f"name: {item['name']!r} is also {seen[key]}; names are unique per policy type ({item['type']})"))
        else:
            seen[key] = "the tag policy's" if item["name"] == TAG_POLICY_NAME and tag_policy else "another entry's"
    return found


def per_target_problems(items, target_key):
    """Each root, OU or account holds at most the type's count of policies (the AWS managed one included).

    ``target_key(target)`` is ``(key, where)``, one key per root, OU or account (or None to skip).
    Quotas for AWS Organizations, https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
    (common/policy_types.py holds the numbers).
    """
    counted = {}
    for item in items:
        if item.get("state") == "absent" or item["type"] not in types_in_use([item]):
            continue
        for target in item.get("targets") or []:
            key, where = target_key(target)
            if key is None:
                continue
            entry = counted.setdefault((item["type"], key), dict(where=where, target=str(target), names=[]))
            if item["name"] not in entry["names"]:
                entry["names"].append(item["name"])
    found = []
    for (type_name, _key), entry in counted.items():
        policy_type = get_type(type_name)
        managed = [policy_type.aws_managed] if policy_type.aws_managed else []
        if len(entry["names"]) + len(managed) > policy_type.per_target:
            found.append((entry["where"], f"target {entry['target']}: {len(entry['names']) + len(managed)} policies of type"
                          f" {type_name} would be attached ({', '.join(managed + entry['names'])}); AWS allows at most"
                          f" {policy_type.per_target} on one root, OU or account"
                          + (f", {managed[0]} included" if managed else "")))
    return found
