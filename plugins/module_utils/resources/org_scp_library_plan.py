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
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import SCP_TYPE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp import size_limit
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import LIBRARY_TAG
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


def existing_library_policies(client, prefix):
    """{name: {"id", "tagged"}} of the SCPs named like packed ones; none before the organization exists."""
    if org.describe_organization(client) is None:
        return {}
    pattern = packed_name_pattern(prefix)
    found = {}
    for summary in org.list_policies(client, SCP_TYPE):
        if summary.get("AwsManaged") or not pattern.match(summary["Name"]):
            continue
        tags = {t["Key"] for t in org.list_tags(client, summary["Id"])}
        found[summary["Name"]] = dict(id=summary["Id"], tagged=LIBRARY_TAG in tags)
    return found


def run(module):
    params = module.params
    _check_options(module)
    # Nothing to pack, nothing to size: only packed SCPs of earlier runs to find.
    limit = size_limit(module) if params["library"] else DEFAULT_SCP_SIZE_LIMIT
    plan, problems = plan_library(
        params["library"], params["other_policies"], size_limit=limit, prefix=params["prefix"], label="library"
    )
    if problems:
        module.fail_json(msg="; ".join(problems), problems=problems)

    existing = existing_library_policies(module.client("organizations"), params["prefix"])
    foreign = [p["name"] for p in plan["policies"] if p["name"] in existing and not existing[p["name"]]["tagged"]]
    if foreign:
        module.fail_json(
            msg=(
                f"library: the SCP {foreign[0]} exists but was not packed from the library (it has no"
                f" {LIBRARY_TAG} tag); rename it, or choose another prefix than {params['prefix']!r}"
            )
        )
    for policy in plan["policies"]:
        policy["exists"] = policy["name"] in existing
        policy["tags"] = {LIBRARY_TAG: policy["target"]}
    planned = {p["name"] for p in plan["policies"]}
    plan["retired"] = sorted(name for name, found in existing.items() if found["tagged"] and name not in planned)
    plan["summary"] = plan_summary(plan, plan["retired"])
    return dict(changed=False, plan=plan)
