# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pack the SCP library statements selected for each target into as few SCPs as fit.

Pure Python, no AWS calls: the preflight and the planning module
(org_scp_library_plan) run the same function, so a plan refused here is
refused before anything is written.

Two AWS limits bound the packing:

* the size of one SCP (characters of the minified document, 10,240 by
  default); the statements of one target are packed first-fit-decreasing by
  their minified size;
* at most 10 SCPs attached to one root, OU or account, the AWS managed
  FullAWSAccess and the inventory's other SCPs on that target included.

The packed SCPs are named ``<prefix>-<target slug>-<n>`` (``lz-root-1``,
``lz-workloads-prod-2``, ``lz-123456789012-1``), so a re-run with the same
selections yields the same names and documents, and changes nothing.
"""

import hashlib

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import SCP_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import selection_statements

# AWS: at most 10 SCPs attached directly to a root, OU or account, FullAWSAccess
# included (5 until May 2026). Quotas for AWS Organizations:
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
MAX_SCPS_PER_TARGET = 10
AWS_MANAGED_SCP = "FullAWSAccess"
DEFAULT_PREFIX = "lz"
# CreatePolicy limits, for policies of every type (AWS Organizations API Reference, CreatePolicy:
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html): Name 1-128
# characters, Description at most 512.  org_scp and the preflight both check them with these functions.
MAX_NAME_LENGTH = 128
MAX_DESCRIPTION_LENGTH = 512
# The tag that marks an SCP as packed from the library (its value: the target),
# so stale ones can be told apart from SCPs someone named alike.
LIBRARY_TAG = "landing-zone:scp-library"


def policy_name_problem(name):
    """What CreatePolicy would refuse in ``name``, or None."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_LENGTH:
        return f"name: must be 1 to {MAX_NAME_LENGTH} characters, got {name!r}"
    return None


def policy_description_problem(description):
    """What CreatePolicy would refuse in ``description`` (None: no description), or None."""
    if description is not None and len(str(description)) > MAX_DESCRIPTION_LENGTH:
        return (f"description: must be at most {MAX_DESCRIPTION_LENGTH} characters, got {len(str(description))}:"
                f" {description!r}")
    return None


# The characters a document adds around its statements: {"Version":"2012-10-17","Statement":[ ... ]}
_WRAPPER = len(minify({"Version": SCP_VERSION, "Statement": []}))


def normalize_target(target):
    """``/`` and OU paths normalised (``/a/b/`` is ``/a/b``); account ids and hosts as given."""
    target = str(target).strip()
    if target.startswith("/"):
        return normalize_ou_path(target)
    return target


def target_slug(target):
    """The target as it appears in SCP names: ``root``, ``workloads-prod``, an account id or host."""
    if target == "/":
        return "root"
    slug = target.strip("/").replace("/", "-")
    return "-".join(slug.split())


def policy_name(prefix, target, number):
    name = f"{prefix}-{target_slug(target)}-{number}"
    if len(name) <= MAX_NAME_LENGTH:
        return name
    # Five levels of long OU names do not fit: keep the start, add a digest
    # of the whole path so two long paths never share a name.
    digest = hashlib.sha256(target.encode("utf-8")).hexdigest()[:10]
    keep = MAX_NAME_LENGTH - len(prefix) - len(str(number)) - len(digest) - 3
    return f"{prefix}-{target_slug(target)[:keep]}-{digest}-{number}"


def document_size(statement_sizes):
    """Characters of a minified document holding statements of these minified sizes."""
    return _WRAPPER + sum(statement_sizes) + max(len(statement_sizes) - 1, 0)


class _Item:
    def __init__(self, order, source, statement):
        self.order = order
        self.source = source
        self.statement = statement
        self.size = len(minify(statement))


def first_fit_decreasing(items, size_limit):
    """Bins of items, largest first into the first bin with room; deterministic."""
    bins = []
    for item in sorted(items, key=lambda i: (-i.size, i.order)):
        for contents in bins:
            if document_size([i.size for i in contents] + [item.size]) <= size_limit:
                contents.append(item)
                break
        else:
            bins.append([item])
    return [sorted(contents, key=lambda i: i.order) for contents in bins]


def _selected_statements(selections, label, problems, statements_of=selection_statements):
    """{target: [_Item]} in selection order; every bad selection is a problem."""
    by_target = {}
    order = 0
    for index, selection in enumerate(selections or []):
        where = f"{label}[{index}]"
        name = selection.get("name") if isinstance(selection, dict) else None
        if isinstance(name, str) and name:
            where = f"{label}[{name}]"
        try:
            statements = statements_of(selection, where)
        except LibraryError as e:
            problems.append(str(e))
            continue
        targets = selection.get("targets") or []
        if isinstance(targets, str) or not isinstance(targets, (list, tuple)):
            problems.append(f"{where}: targets: must be a list of '/', OU paths or accounts, got {targets!r}")
            continue
        if not targets:
            problems.append(f"{where}: targets: needs at least one target ('/', an OU path or an account)")
        seen = set()
        for target in targets:
            try:
                target = normalize_target(target)
            except OUPathError as e:
                problems.append(f"{where}: targets: {e}")
                continue
            if target in seen:
                continue
            seen.add(target)
            items = by_target.setdefault(target, [])
            if any(item.source == name for item in items):
                problems.append(f"{where}: {name} is selected twice for target {target}")
                continue
            for statement in statements:
                items.append(_Item(order, name, statement))
                order += 1
    return by_target


def _other_policies_by_target(other_policies):
    """{target: [names]}: the inventory's other SCPs (those not being deleted) by target."""
    by_target = {}
    for policy in other_policies or []:
        if not isinstance(policy, dict) or policy.get("state", "present") == "absent":
            continue
        for target in policy.get("targets") or []:
            if target is None:
                continue
            try:
                target = normalize_target(target)
            except OUPathError:
                continue  # the preflight names a bad target of an inline SCP itself
            names = by_target.setdefault(target, [])
            if policy.get("name") not in names:
                names.append(policy.get("name"))
    return by_target


def _description(target, sources, kind="SCP"):
    text = f"Landing zone {kind} library on {target}: {', '.join(sources)}"
    return text if len(text) <= MAX_DESCRIPTION_LENGTH else text[: MAX_DESCRIPTION_LENGTH - 3] + "..."


def _refusal(label, target, bins, items, free, others, size_limit, limits=None):
    per_target, aws_managed, kind = limits or (MAX_SCPS_PER_TARGET, AWS_MANAGED_SCP, "SCP")
    total = sum(i.size for i in items)
    attached = ", ".join([aws_managed] + others)
    if free <= 0:
        # The target is full before the library's first SCP (a negative count of free SCPs reads as nonsense).
        return (
            f"{label}: target {target}: the {len(items)} library statements ({total} characters) need"
            f" {len(bins)} {kind}s of at most {size_limit} characters, but none of the {per_target} {kind}s a"
            f" target may have is free: {len(others) + 1} are taken already ({attached})"
        )
    return (
        f"{label}: target {target}: the {len(items)} library statements ({total} characters) need"
        f" {len(bins)} {kind}s of at most {size_limit} characters, but only {free} of the"
        f" {per_target} {kind}s a target may have are free ({len(others) + 1} taken: {attached})"
    )


def plan_library(selections, other_policies=None, size_limit=DEFAULT_SCP_SIZE_LIMIT, prefix=DEFAULT_PREFIX,
                 label="landing_zone_scp_library", statements_of=selection_statements, limits=None):
    """Pack the selections per target.

    ``selections``: ``[{name, params, targets}]`` (targets as ``/``, OU paths,
    account ids or hosts). ``other_policies``: the inventory's other SCPs,
    ``[{name, targets, state}]``, counted against the per-target limit with
    FullAWSAccess. Returns ``(plan, problems)``: ``plan`` is
    ``{"policies": [...], "targets": {...}, "size_limit": n}``; ``problems``
    a list of strings naming the selection, the target and the numbers.

    ``statements_of`` and ``limits`` (per-target count, the AWS managed
    policy on every target, the kind's short name) pack another library the
    same way: the RCP library passes rcp_library.selection_statements and
    RCP_LIMITS.
    """
    per_target, aws_managed, kind = limits or (MAX_SCPS_PER_TARGET, AWS_MANAGED_SCP, "SCP")
    problems = []
    by_target = _selected_statements(selections, label, problems, statements_of)
    others = _other_policies_by_target(other_policies)
    policies = []
    targets = {}
    names = {}
    for target in sorted(by_target):
        items = by_target[target]
        if not items:
            continue
        oversized = [i for i in items if document_size([i.size]) > size_limit]
        for item in oversized:
            problems.append(
                f"{label}[{item.source}]: statement {item.statement.get('Sid')} is {item.size} characters;"
                f" {'an' if kind[0] in 'AEIOSR' else 'a'} {kind} holding only it is {document_size([item.size])} characters, over the size limit"
                f" of {size_limit}"
            )
        if oversized:
            continue
        bins = first_fit_decreasing(items, size_limit)
        other_names = others.get(target, [])
        free = per_target - 1 - len(other_names)
        if len(bins) > free:
            problems.append(_refusal(label, target, bins, items, free, other_names, size_limit, limits))
            continue
        planned = []
        for number, contents in enumerate(bins, start=1):
            name = policy_name(prefix, target, number)
            if name in names:
                problems.append(f"{label}: targets {names[name]} and {target} would both name {'an' if kind[0] in 'AEIOSR' else 'a'} {kind} {name}")
                continue
            names[name] = target
            sources = list(dict.fromkeys(i.source for i in contents))
            document = {"Version": SCP_VERSION, "Statement": [i.statement for i in contents]}
            policies.append(
                dict(
                    name=name,
                    target=target,
                    description=_description(target, sources, kind),
                    document=document,
                    size=len(minify(document)),
                    sources=sources,
                    statements=[i.statement.get("Sid") for i in contents],
                )
            )
            planned.append(name)
        targets[target] = dict(
            policies=planned,
            other_policies=[aws_managed] + other_names,
            attached=len(planned) + 1 + len(other_names),
            limit=per_target,
        )
    return dict(policies=policies, targets=targets, size_limit=size_limit), problems


# The RCP library's limits: 5 RCPs per root, OU or account, RCPFullAWSAccess included (common/policy_types.py).
RCP_LIMITS = (POLICY_TYPES[RCP].per_target, POLICY_TYPES[RCP].aws_managed, "RCP")
RCP_LIBRARY_TAG = "landing-zone:rcp-library"


def plan_summary(plan, retired=(), kind="SCP"):
    """The plan as lines a person reads before anything is written."""
    lines = []
    for policy in plan["policies"]:
        target = plan["targets"][policy["target"]]
        lines.append(
            f"{policy['name']} on {policy['target']} ({policy['size']}/{plan['size_limit']} characters,"
            f" {target['attached']}/{target['limit']} {kind}s on the target): {', '.join(policy['statements'])}"
        )
    lines.extend(f"{name}: no longer planned, deleted" for name in retired)
    return lines
