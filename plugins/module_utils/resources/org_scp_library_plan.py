# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan the SCP library: the packed SCPs per target, and the packed SCPs no longer wanted.

Read-only: it packs the selections (scp_packing), then reads which SCPs
packed by an earlier run exist, so the caller can create or update the
planned ones with org_scp and delete the ones the plan no longer has (a
target dropped from every selection, or fewer SCPs needed than before).

An SCP counts as packed from the library only when it carries the
``landing-zone:scp-library`` tag; an SCP someone else named like a planned
one is refused, never overwritten.

With ``type`` RESOURCE_CONTROL_POLICY the RCP library (common/rcp_library.py)
is packed the same way: the RCP limits (5 per target, RCPFullAWSAccess
included; 5,120 characters), the ``landing-zone:rcp-library`` tag, and the
organization's id filled in where an entry takes one and the selection gives
none (``organization_id``, else DescribeOrganization's).
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import SCP_TYPE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import size_limit
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import PLACEHOLDER_ORGANIZATION_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import rcp_selections
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import selection_statements as rcp_statements
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import LIBRARY_TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import RCP_LIBRARY_TAG
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import RCP_LIMITS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_library
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_summary

_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _check_options(module):
    prefix = module.params["prefix"]
    if not _PREFIX.match(prefix):
        module.fail_json(msg=f"prefix: must be 1-32 letters, digits, '_', '.' or '-', starting with a letter or digit,"
                             f" got {prefix!r}")
    if module.params.get("size_limit") is not None and module.params["size_limit"] < 1:
        module.fail_json(msg=f"size_limit: must be a positive number of characters, got {module.params['size_limit']}")


def packed_name_pattern(prefix):
    return re.compile(rf"^{re.escape(prefix)}-.+-\d+$")


def existing_library_policies(client, prefix, policy_type=SCP_TYPE, tag=LIBRARY_TAG, organization=None):
    """{name: {"id", "tagged"}} of the policies named like packed ones; none before the organization exists."""
    if (organization or org.describe_organization(client)) is None:
        return {}
    pattern = packed_name_pattern(prefix)
    found = {}
    for summary in org.list_policies(client, policy_type):
        if summary.get("AwsManaged") or not pattern.match(summary["Name"]):
            continue
        tags = {t["Key"] for t in org.list_tags(client, summary["Id"])}
        found[summary["Name"]] = dict(id=summary["Id"], tagged=tag in tags)
    return found


def _library_kind(module, client):
    """(library, packing keyword arguments, tag, organization) of the SCP or the RCP library."""
    params = module.params
    if (params.get("type") or SCP_TYPE) != RCP:
        return params["library"], {}, LIBRARY_TAG, None
    organization = org.describe_organization(client)
    given_id = params.get("organization_id")
    # A preview of a new organization passes org_organization's "(new organization)" (common/placeholders.py),
    # which is no organization id: its statements are packed (and sized) with the preflight's stand-in.
    given_id = None if is_placeholder(given_id) else given_id
    organization_id = given_id or (organization or {}).get("Id") or PLACEHOLDER_ORGANIZATION_ID
    library = rcp_selections(params["library"], organization_id)
    return library, dict(statements_of=rcp_statements, limits=RCP_LIMITS), RCP_LIBRARY_TAG, organization


def run(module):
    params = module.params
    _check_options(module)
    client = module.client("organizations")
    library, packing, tag, organization = _library_kind(module, client)
    policy_type = params.get("type") or SCP_TYPE
    # Nothing to pack, nothing to size: only packed SCPs of earlier runs to find.
    limit = size_limit(module) if library else DEFAULT_SCP_SIZE_LIMIT
    plan, problems = plan_library(
        library, params["other_policies"], size_limit=limit, prefix=params["prefix"], label="library", **packing
    )
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)

    existing = existing_library_policies(client, params["prefix"], policy_type, tag, organization)
    kind = "RCP" if policy_type == RCP else "SCP"
    foreign = [p["name"] for p in plan["policies"] if p["name"] in existing and not existing[p["name"]]["tagged"]]
    if foreign:
        module.fail_json(
            msg=(
                f"library: the {kind} {foreign[0]} exists but was not packed from the library (it has no"
                f" {tag} tag); rename it, or choose another prefix than {params['prefix']!r}"
            )
        )
    for policy in plan["policies"]:
        policy["exists"] = policy["name"] in existing
        policy["tags"] = {tag: policy["target"]}
    planned = {p["name"] for p in plan["policies"]}
    plan["retired"] = sorted(name for name, found in existing.items() if found["tagged"] and name not in planned)
    plan["summary"] = plan_summary(plan, plan["retired"], kind)
    return dict(changed=False, plan=plan)
