# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a service control policy goes: its targets, resolved and counted.

A target is given as ``/`` (the root), an OU path (``/workloads/prod``) or
a 12-digit account id; each must exist in the organization.  AWS bounds the
SCPs of one root, OU or account from both sides, and org_scp refuses a
change that would cross either bound before it writes anything.

In check mode (a preview) a target may also be one the run creates before
the policies: the placeholder root of a new organization, a placeholder
account id (org_account's ``(new account acme-sandbox)``) or an OU path
that does not exist yet (org_ou creates the inventory's OUs first); each
resolves to a placeholder target, and nothing is asked of AWS about it
(common/placeholders.py).
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_ou_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import new_root_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import get_type
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import MAX_SCPS_PER_TARGET
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver

SCP_TYPE = "SERVICE_CONTROL_POLICY"
# Per root, OU or account AWS allows at most MAX_SCPS_PER_TARGET attached
# SCPs, FullAWSAccess included, and at least one: detaching the last SCP of a
# target is refused (ConstraintViolationException)
# (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
MIN_SCPS_PER_TARGET = 1

_TYPE_ORDER = {"ROOT": 0, "ORGANIZATIONAL_UNIT": 1, "ACCOUNT": 2}


class TargetError(ValueError):
    pass


def _target(target_id, target_type, name_or_path):
    return dict(target_id=target_id, type=target_type, name_or_path=name_or_path)


def sorted_targets(targets):
    return sorted(targets, key=lambda t: (_TYPE_ORDER.get(t["type"], 3), t["name_or_path"] or "", t["target_id"]))


class TargetResolver:
    """Turn ``/``, OU paths and account ids into targets, and attached targets into names.

    The root is listed only when a path needs it; OU paths cost one listing
    per level (OUResolver).
    """

    def __init__(self, client, check_mode=False):
        self.client = client
        self.check_mode = check_mode
        self._root = None
        self._ous = None

    @property
    def root(self):
        if self._root is None:
            self._root = self._list_root()
        return self._root

    def _list_root(self):
        """The root; in a preview of a new organization (none yet), a placeholder root."""
        try:
            return org.list_roots(self.client)[0]
        except org.AnsibleOrganizationsError:
            if self.check_mode and org.describe_organization(self.client) is None:
                return dict(Id=new_root_id(), Name="Root", PolicyTypes=[])
            raise

    @property
    def previewing_new_organization(self):
        """True in a preview of a new organization: no policy, OU or account of it exists yet."""
        return is_placeholder(self.root["Id"])

    @property
    def ous(self):
        if self._ous is None:
            self._ous = OUResolver(self.client, self.root["Id"])
        return self._ous

    def scps_enabled(self):
        return self.type_enabled(SCP_TYPE)

    def type_enabled(self, policy_type):
        """Whether the policy type is enabled on the root (AttachPolicy is refused otherwise).

        A new organization's placeholder root: org_organization's preview
        enables the inventory's policy types before this runs.
        """
        if self.previewing_new_organization:
            return True
        status = next((p.get("Status") for p in self.root.get("PolicyTypes", []) if p.get("Type") == policy_type), None)
        if status in org.PENDING_POLICY_TYPE_STATUSES:
            if self.check_mode:
                # The preview shows the change under way as done, as the real run will find it.
                return status == "PENDING_ENABLE"
            # EnablePolicyType is asynchronous (aws/organizations.py, wait_for_policy_types):
            # wait for an enabling under way rather than stop the run.
            self._root = org.wait_for_policy_types(self.client, self.root["Id"])
            return self.type_enabled(policy_type)
        return status == "ENABLED"

    def resolve(self, given):
        given = str(given).strip()
        if self.check_mode and is_placeholder(given):
            # An account the preview's org_account step would create.
            return _target(given, "ACCOUNT", given)
        if is_account_id(given):
            account = org.describe_account(self.client, given)
            if account is None:
                raise TargetError(f"targets: account {given} is not a member of the organization")
            return _target(given, "ACCOUNT", account.get("Name"))
        if not given.startswith("/"):
            raise TargetError(
                f"targets: {given!r} is neither '/' (the root), an OU path such as '/workloads/prod'"
                " nor a 12-digit account id"
            )
        try:
            path = normalize_ou_path(given)
            if path == "/":
                return _target(self.root["Id"], "ROOT", "/")
            # Raises DuplicateOUError (an OUPathError) for two OUs of one name on the path.
            ou_id = None if self.previewing_new_organization else self.ous.resolve(path)
        except OUPathError as e:
            raise TargetError(f"targets: {e}") from e
        if ou_id is None and self.check_mode:
            # The preview's org_ou step, earlier in the run, would create it.
            return _target(new_ou_id(path), "ORGANIZATIONAL_UNIT", path)
        if ou_id is None:
            raise TargetError(f"targets: the OU path {given!r} does not exist in the organization")
        return _target(ou_id, "ORGANIZATIONAL_UNIT", path)

    def describe_attached(self, attached):
        """A ListTargetsForPolicy item as a target, with the OU's path."""
        target_type = attached["Type"]
        if target_type == "ROOT":
            name_or_path = "/"
        elif target_type == "ORGANIZATIONAL_UNIT":
            name_or_path = self.ous.path_of(attached["TargetId"])
        else:
            name_or_path = attached.get("Name")
        return _target(attached["TargetId"], target_type, name_or_path)


def resolve_targets(module, resolver):
    """The task's ``targets`` as targets (None when not given); every bad one fails the task at once."""
    if module.params.get("targets") is None:
        return None
    resolved = {}
    problems = []
    for given in module.params["targets"]:
        try:
            target = resolver.resolve(given)
        except TargetError as e:
            problems.append(str(e))
            continue
        resolved.setdefault(target["target_id"], target)
    if problems:
        # Every bad target at once, so one run shows all there is to fix.
        module.fail_json(msg="; ".join(problems))
    return list(resolved.values())


class AttachmentCounts:
    """How many policies of each type each target holds, as the writes planned so far in this run leave it.

    Each target's count is read once (ListPoliciesForTarget) and then kept
    up to date with ``record``: O(policies) checks every element's
    attachments against the per-target limits before the first write, each
    element seeing what the elements before it attach and detach (they are
    written in that order), instead of one element's write finding the limit
    reached after the elements before it were written.
    """

    def __init__(self, client):
        self._client = client
        self._counts = {}

    def __call__(self, target_id, policy_type):
        key = (target_id, policy_type)
        if key not in self._counts:
            self._counts[key] = len(org.list_policies_for_target(self._client, target_id, policy_type))
        return self._counts[key]

    def record(self, policy_type, to_attach, to_detach):
        """Count a plan's attachments and detachments of ``policy_type`` (a new target's are not read)."""
        for targets, change in ((to_attach, 1), (to_detach, -1)):
            for target in targets:
                if not is_placeholder(target["target_id"]):
                    self._counts[(target["target_id"], policy_type)] = self(target["target_id"], policy_type) + change


def _attached_count(client, counts, target_id, policy_type):
    if counts is not None:
        return counts(target_id, policy_type)
    return len(org.list_policies_for_target(client, target_id, policy_type))


def refuse_full_targets(module, client, to_attach, policy_type=SCP_TYPE, counts=None):
    """AWS refuses an eleventh SCP on a root, OU or account: refuse it before anything is written.

    Other policy types have their own per-target limit (common/policy_types.py).
    ``counts``: an AttachmentCounts shared by the elements of one run (else each target is read).
    """
    # A target the preview would create has only what this run attaches (and FullAWSAccess).
    to_attach = [target for target in to_attach if not is_placeholder(target["target_id"])]
    if policy_type != SCP_TYPE:
        _refuse_full_targets_of_type(module, client, to_attach, get_type(policy_type), counts)
        return
    for target in to_attach:
        count = _attached_count(client, counts, target["target_id"], SCP_TYPE)
        if count >= MAX_SCPS_PER_TARGET:
            module.fail_json(
                msg=(
                    f"targets: {target['name_or_path']} ({target['target_id']}) already has {count} SCPs"
                    f" attached, FullAWSAccess included; AWS allows at most {MAX_SCPS_PER_TARGET} per root,"
                    " OU or account"
                )
            )


def _refuse_full_targets_of_type(module, client, to_attach, policy_type, counts):
    for target in to_attach:
        count = _attached_count(client, counts, target["target_id"], policy_type.name)
        if count >= policy_type.per_target:
            managed = f", {policy_type.aws_managed} included" if policy_type.aws_managed else ""
            module.fail_json(
                msg=(
                    f"targets: {target['name_or_path']} ({target['target_id']}) already has {count}"
                    f" {policy_type.name} policies attached{managed}; AWS allows at most {policy_type.per_target}"
                    " per root, OU or account"
                )
            )


def refuse_last_scp_detach(module, client, to_detach, field, counts=None):
    """AWS refuses to detach the last SCP of a target: refuse it before anything is written."""
    for target in to_detach:
        count = _attached_count(client, counts, target["target_id"], SCP_TYPE)
        if count <= MIN_SCPS_PER_TARGET:
            module.fail_json(
                msg=(
                    f"{field}: this policy is the only SCP attached to {target['name_or_path']}"
                    f" ({target['target_id']}); AWS refuses to detach the last SCP of a root, OU or account."
                    " Attach another SCP (for example FullAWSAccess) to it first"
                )
            )
