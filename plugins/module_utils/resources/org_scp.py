# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one Organizations policy: document, description, tags and attachments.

A service control policy unless the module has a ``type`` option
(org_policy): every policy type shares this code, with the grammar and the
limits of its type (common/policy_types.py).

Everything that can be refused is refused before the first write: the
document (grammar and size), the targets (each must exist) and the
per-target policy counts AWS enforces (both in scp_targets.py).  With
O(policies), that holds for the run as a whole: every element is planned
and checked before the first is written, the per-target counts as the
elements before it leave them (AttachmentCounts).

With O(policies), the elements of one run share a RunContext: the
organizations client, the target resolver (root, OU tree), the SCP size
quota and each type's policy listing are read once per run, not once per
element (ten SCPs cost 118 calls before, most of them these reads again).
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import service_quotas
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import check_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import is_scp_size_quota
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import prepare_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import read_policy_file
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import check_type_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import get_type
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import prepare_document
# FullAWSAccess (AWS_MANAGED_SCP) is created by AWS when SCPs are enabled and
# attached to every root, OU and account; it cannot be changed or deleted.
# The name and description limits are CreatePolicy's.
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import AWS_MANAGED_SCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_description_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import SCP_TYPE
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import AttachmentCounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import TargetResolver
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import refuse_full_targets
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import refuse_last_scp_detach
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import resolve_targets
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.scp_targets import sorted_targets

# --- reading the inputs -----------------------------------------------------


def _fail(module, error):
    module.fail_json(msg=str(error))


def policy_type_of(module):
    """The task's policy type: ``type`` (org_policy), else a service control policy (org_scp)."""
    return module.params.get("type") or SCP_TYPE


def _plural(policy_type):
    # Every label ends in "policy".
    return policy_type.label[:-1] + "ies"


def _check_options(module):
    params = module.params
    name = params["name"]
    if policy_name_problem(name):
        module.fail_json(msg=policy_name_problem(name))
    if name == AWS_MANAGED_SCP:
        module.fail_json(
            msg=f"name: {AWS_MANAGED_SCP!r} is the AWS managed SCP; it cannot be changed, deleted or managed here"
        )
    aws_managed = get_type(policy_type_of(module)).aws_managed
    if name == aws_managed:
        module.fail_json(
            msg=f"name: {aws_managed!r} is an AWS managed policy; it cannot be changed, deleted or managed here"
        )
    if policy_description_problem(params.get("description")):
        module.fail_json(msg=policy_description_problem(params.get("description")))
    if params.get("size_limit") is not None and params["size_limit"] < 1:
        module.fail_json(msg=f"size_limit: must be a positive number of characters, got {params['size_limit']}")


def _load_document(module):
    """``(document, minified, option name)`` from ``policy`` or ``policy_file``, validated."""
    params = module.params
    try:
        if params.get("policy_file"):
            field = "policy_file"
            document = read_policy_file(params["policy_file"])
        else:
            field = "policy"
            document = parse_policy(params["policy"])
        if policy_type_of(module) == SCP_TYPE:
            return document, prepare_scp(document, field), field
        return document, prepare_document(policy_type_of(module), document, field), field
    except PolicyDocumentError as e:
        _fail(module, e)


def size_limit(module, context=None):
    """The SCP size quota: ``size_limit``, else Service Quotas (read once per run), else the documented default."""
    params = module.params
    if params.get("size_limit") is not None:
        return params["size_limit"]
    if policy_type_of(module) != SCP_TYPE:
        # Service Quotas lists the SCP size quota only; the other types' are AWS's documented figures.
        return get_type(policy_type_of(module)).size_limit
    if not params.get("quota_lookup"):
        return DEFAULT_SCP_SIZE_LIMIT
    context = RunContext() if context is None else context
    return context.once("scp size quota", lambda: _live_scp_size_limit(module))


def _live_scp_size_limit(module):
    try:
        client = module.client("service-quotas", region=service_quotas.quotas_region(module.region))
        value = service_quotas.live_quota_value(client, "organizations", is_scp_size_quota)
    except AnsibleAWSError as e:
        module.warn(
            f"Could not read the SCP size quota from Service Quotas ({e}); using {DEFAULT_SCP_SIZE_LIMIT}"
            " characters. Set size_limit, or quota_lookup=false, to skip the look-up"
        )
        return DEFAULT_SCP_SIZE_LIMIT
    # Service Quotas does not list the quota (or, like moto, has no quotas
    # for Organizations at all): the documented default applies.
    return value or DEFAULT_SCP_SIZE_LIMIT


# --- reading AWS ------------------------------------------------------------


class DuplicatePolicyError(ValueError):
    """Several policies of one type with one name: which one the task means is ambiguous."""


def find_policy(client, name, policy_type=SCP_TYPE, listed=None):
    """The PolicySummary of the policy of that type called ``name``, or None (names are unique per policy type).

    Raises DuplicatePolicyError when several SCPs have that name (AWS refuses
    to create such a pair with DuplicatePolicyException; a pair made some
    other way stops the run rather than have it change one of them).
    ``listed``: the type's policies as the run listed them before its first
    write (``_listed_policies``); each element of a run has a name of its
    own, so that listing still answers for it.
    """
    listed = org.list_policies(client, policy_type) if listed is None else listed
    same = [p for p in listed if p["Name"] == name]
    if len(same) > 1:
        raise DuplicatePolicyError(
            f"name: {len(same)} {_plural(get_type(policy_type))} are named {name!r} ({', '.join(p['Id'] for p in same)});"
            " remove or rename the extra ones"
        )
    return same[0] if same else None


def _create_or_adopt(client, name, params):
    """CreatePolicy; when AWS answers that a policy of that name exists, that policy's summary.

    A first CreatePolicy whose answer was lost (the connection dropped after
    AWS made the policy) is repeated by botocore, and AWS refuses the repeat
    with DuplicatePolicyException.  Returns ``(summary, adopted)``; the
    caller then converges the adopted policy (content, description, tags)
    like any existing one.  Organizations may list it only after a moment.
    """
    try:
        return org.create_policy(client, **params)["PolicySummary"], False
    except org.AnsibleOrganizationsAlreadyExists as refused:
        summary = org.read_back(lambda: find_policy(client, name, params["Type"]))
        if summary is None:
            raise refused
        return summary, True


def _refuse_aws_managed(module, summary):
    if summary and summary.get("AwsManaged"):
        module.fail_json(msg=f"name: {summary['Name']!r} is an AWS managed policy; it cannot be changed or deleted")


def _current_state(client, resolver, summary):
    """What AWS holds for an existing policy: content, targets, tags."""
    policy = org.describe_policy(client, summary["Id"]) or {}
    content = json.loads(policy.get("Content") or "{}")
    targets = [resolver.describe_attached(t) for t in org.list_targets_for_policy(client, summary["Id"])]
    tags = boto3_tag_list_to_ansible_dict(org.list_tags(client, summary["Id"]) or [])
    return content, targets, tags


# --- the result -------------------------------------------------------------


def _view(name, description, content, targets, tags):
    return dict(
        name=name, description=description, content=content, targets=sorted_targets(targets), tags=tags
    )


def _result_policy(summary, view, limit):
    policy = dict(
        id=summary.get("Id") if summary else None,
        arn=summary.get("Arn") if summary else None,
        size=len(minify(view["content"])),
        size_limit=limit,
    )
    policy.update(view)
    return policy


# --- converge ---------------------------------------------------------------


def _plan_targets(wanted, current, purge):
    if wanted is None:
        return [], []
    current_ids = {t["target_id"] for t in current}
    wanted_ids = {t["target_id"] for t in wanted}
    to_attach = [t for t in wanted if t["target_id"] not in current_ids]
    to_detach = [t for t in current if t["target_id"] not in wanted_ids] if purge else []
    return to_attach, to_detach


def _plan_tags(current, wanted, purge):
    if wanted is None:
        return {}, []
    return compare_aws_tags(current, wanted, purge_tags=purge)


def _plan(module, summary, document, minified, current, wanted_targets):
    """What to write to turn ``current`` (empty when ``summary`` is None: no policy yet) into the task's ask."""
    params = module.params
    current_description = (summary.get("Description") or "") if summary else None
    description = params["description"] if params.get("description") is not None else current_description or ""
    content_changed = summary is None or documents_differ(current["content"], document)
    to_attach, to_detach = _plan_targets(wanted_targets, current["targets"], params["purge_targets"])
    tags_to_set, tags_to_unset = _plan_tags(current["tags"], params.get("tags"), params["purge_tags"])
    return dict(
        create=summary is None,
        content=minified if content_changed else None,
        description=description,
        description_changed=summary is not None and description != current_description,
        tags=params.get("tags") or {},
        tags_to_set=tags_to_set,
        tags_to_unset=tags_to_unset,
        to_attach=to_attach,
        to_detach=to_detach,
    )


def _has_changes(plan):
    return bool(
        plan["create"] or plan["content"] or plan["description_changed"] or plan["tags_to_set"]
        or plan["tags_to_unset"] or plan["to_attach"] or plan["to_detach"]
    )


def _predicted_view(name, document, current, plan):
    detached_ids = {t["target_id"] for t in plan["to_detach"]}
    targets = [t for t in current["targets"] if t["target_id"] not in detached_ids] + plan["to_attach"]
    tags = {k: v for k, v in current["tags"].items() if k not in plan["tags_to_unset"]}
    tags.update(plan["tags_to_set"])
    content = document if plan["content"] else current["content"]
    return _view(name, plan["description"], content, targets, tags)


def check_policy(module, context=None):
    """Everything about one policy that can be checked before an AWS write; ``(document, minified, limit)``.

    For O(policies) each element is checked before the first is converged;
    the module's own mutually_exclusive and required_if do not reach inside
    the elements, so their rules are repeated here.
    """
    params = module.params
    _check_options(module)
    if params.get("policy") is not None and params.get("policy_file"):
        module.fail_json(msg="policy, policy_file: give one of them, not both")
    if params["state"] == "absent":
        return None, None, None
    if params.get("policy") is None and not params.get("policy_file"):
        module.fail_json(msg="policy or policy_file: one of them is required with state=present")
    document, minified, field = _load_document(module)
    limit = size_limit(module, context)
    try:
        if policy_type_of(module) == SCP_TYPE:
            check_size(minified, limit, field)
        else:
            check_type_size(policy_type_of(module), minified, limit, field)
    except PolicyDocumentError as e:
        _fail(module, e)
    return document, minified, limit


def policies_validator(context=None):
    """The check of each element of O(policies), run on every element before the first is converged.

    The element's whole plan (``_planned``: document, targets, each
    target's limit as the elements before it leave the target, the last
    SCP of a target, the type enabled), which its converge then takes
    without reading AWS again; and each name once, as two elements for the
    same policy would rewrite it twice in every run (never changed=false).
    """
    seen = set()
    context = RunContext(batch=True) if context is None else context

    def validate(module):
        # Whatever the elements' types: CreatePolicy's DuplicatePolicyException ("A policy with the
        # same name already exists") is not scoped to a type, and moto refuses a name in any type.
        name = module.params["name"]
        if name in seen:
            module.fail_json(msg=f"name: {name!r} is the name of another element of policies; list each policy once")
        seen.add(name)
        _planned(module, context)

    return validate


def _shared(module, context):
    """The run's organizations client and target resolver: the root and OU tree are read once per run."""
    client = context.once("organizations client", lambda: module.client("organizations"))
    resolver = context.once("target resolver", lambda: TargetResolver(client, module.check_mode))
    return client, resolver


def _listed_policies(client, policy_type, context):
    """The policies of ``policy_type``, listed once per run (before its first write)."""
    return context.once(f"policies of type {policy_type}", lambda: org.list_policies(client, policy_type))


def _previewing_new_organization(module, resolver):
    """Check mode without an organization (org_organization's preview creates it): nothing exists yet."""
    return module.check_mode and resolver.previewing_new_organization


def _observed(module, client, resolver, policy_type, context):
    """``(summary, current)``: the element's policy as AWS holds it (None and nothing when there is none)."""
    # A preview of a new organization: no policy exists yet, all are created.
    summary = None if _previewing_new_organization(module, resolver) else find_policy(
        client, module.params["name"], policy_type, _listed_policies(client, policy_type, context))
    _refuse_aws_managed(module, summary)
    current = dict(content=None, targets=[], tags={})
    if summary:
        current["content"], current["targets"], current["tags"] = _current_state(client, resolver, summary)
    return summary, current


def _planned(module, context):
    """The element's reads, plan and refusals, once per run: the check before the first write, then its converge.

    Each plan is counted into the run's AttachmentCounts as it is made, so
    the next element is checked against the targets as this one leaves them.
    """
    key = (module.params["state"], policy_type_of(module), module.params["name"])
    return context.once(("planned",) + key, lambda: _plan_element(module, context))


def _plan_element(module, context):
    policy_type = policy_type_of(module)
    document, minified, limit = check_policy(module, context)
    client, resolver = _shared(module, context)
    # The run's per-target policy counts, kept up to date with each element's plan.
    counts = context.once("attachment counts", lambda: AttachmentCounts(client))
    # The task's targets first: walking to them fills the resolver's OU tree, which then names the
    # policy's current targets without a read per OU.
    wanted_targets = resolve_targets(module, resolver) if module.params["state"] == "present" else None
    summary, current = _observed(module, client, resolver, policy_type, context)
    if module.params["state"] == "absent":
        if summary and get_type(policy_type).keeps_one:
            refuse_last_scp_detach(module, client, current["targets"], "state=absent", counts)
        counts.record(policy_type, [], current["targets"])
        return dict(summary=summary, current=current)
    plan = _plan(module, summary, document, minified, current, wanted_targets)
    _refuse_type_not_enabled(module, resolver, policy_type, plan)
    refuse_full_targets(module, client, plan["to_attach"], policy_type, counts)
    if get_type(policy_type).keeps_one:
        refuse_last_scp_detach(module, client, plan["to_detach"], "purge_targets", counts)
    counts.record(policy_type, plan["to_attach"], plan["to_detach"])
    return dict(summary=summary, current=current, document=document, minified=minified, limit=limit,
                wanted_targets=wanted_targets, plan=plan)


def ensure_present(module, context):
    name = module.params["name"]
    policy_type = policy_type_of(module)
    planned = _planned(module, context)
    summary, current, plan = planned["summary"], planned["current"], planned["plan"]
    client, resolver = _shared(module, context)
    before = None
    if summary:
        before = _view(name, summary.get("Description") or "", current["content"], current["targets"], current["tags"])

    changed = _has_changes(plan)
    if changed and not module.check_mode:
        summary, adopted = _write(client, summary, name, plan, policy_type)
        if adopted:
            # What exists may differ from what the task asks: converge it as an existing policy.
            current["content"], current["targets"], current["tags"] = _current_state(client, resolver, summary)
            plan = _plan(module, summary, planned["document"], planned["minified"], current, planned["wanted_targets"])
            summary, _adopted = _write(client, summary, name, plan, policy_type)
    after = _predicted_view(name, planned["document"], current, plan)
    policy = dict(_result_policy(summary, after, planned["limit"]), type=policy_type)
    return dict(changed=changed, policy=policy, diff=dict(before=before, after=after))


def _refuse_type_not_enabled(module, resolver, policy_type, plan):
    """AttachPolicy (and CreatePolicy) need the type enabled on the root: refuse before the first write."""
    if policy_type == SCP_TYPE:
        if plan["to_attach"] and not resolver.scps_enabled():
            module.fail_json(
                msg=(
                    "targets: service control policies are not enabled on the organization root; enable"
                    " SERVICE_CONTROL_POLICY (awsorg.landing_zone.org_organization) before attaching SCPs"
                )
            )
        return
    if (plan["create"] or plan["to_attach"]) and not resolver.type_enabled(policy_type):
        if module.check_mode:
            # A check-mode run of the whole landing zone previews org_organization enabling it first.
            module.warn(f"type: {policy_type} is not enabled on the organization root yet; the real run needs it enabled first")
            return
        module.fail_json(
            msg=(
                f"type: {_plural(get_type(policy_type))} are not enabled on the organization root; enable"
                f" {policy_type} (awsorg.landing_zone.org_organization enabled_policy_types) first"
            )
        )


def _write(client, summary, name, plan, policy_type=SCP_TYPE):
    """Create or update the policy, then its tags and attachments; return ``(PolicySummary, adopted)``.

    ``adopted``: the creation found the policy made already (see
    ``_create_or_adopt``); nothing else was written, the caller plans again.
    """
    if plan["create"]:
        params = dict(Content=plan["content"], Description=plan["description"], Name=name, Type=policy_type)
        if plan["tags"]:
            params["Tags"] = ansible_dict_to_boto3_tag_list(plan["tags"])
        summary, adopted = _create_or_adopt(client, name, params)
        if adopted:
            return summary, True
    else:
        changes = {}
        if plan["content"]:
            changes["Content"] = plan["content"]
        if plan["description_changed"]:
            changes["Description"] = plan["description"]
        if changes:
            summary = org.update_policy(client, summary["Id"], **changes)["PolicySummary"]
        if plan["tags_to_unset"]:
            org.untag_resource(client, summary["Id"], plan["tags_to_unset"])
        if plan["tags_to_set"]:
            org.tag_resource(client, summary["Id"], ansible_dict_to_boto3_tag_list(plan["tags_to_set"]))
    for target in plan["to_attach"]:
        org.attach_policy(client, summary["Id"], target["target_id"])
    for target in plan["to_detach"]:
        org.detach_policy(client, summary["Id"], target["target_id"])
    return summary, False


def ensure_absent(module, context):
    planned = _planned(module, context)
    summary, current = planned["summary"], planned["current"]
    if summary is None:
        return dict(changed=False, diff=dict(before=None, after=None))
    if not module.check_mode:
        client, _resolver = _shared(module, context)
        # DeletePolicy refuses a policy that is still attached (PolicyInUseException).
        for target in current["targets"]:
            org.detach_policy(client, summary["Id"], target["target_id"])
        org.delete_policy(client, summary["Id"])
    before = _view(summary["Name"], summary.get("Description") or "", current["content"], current["targets"],
                   current["tags"])
    return dict(changed=True, diff=dict(before=before, after=None))


def run(module, context=None):
    """Converge the policy of ``module.params``; ``context`` is shared by the elements of one run of O(policies)."""
    context = RunContext() if context is None else context
    try:
        if module.params["state"] == "absent":
            return ensure_absent(module, context)
        return ensure_present(module, context)
    except DuplicatePolicyError as e:
        # Several SCPs of that name: stop before writing anything more.
        module.fail_json(msg=str(e))
