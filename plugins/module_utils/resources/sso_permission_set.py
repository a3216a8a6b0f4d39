# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge a list of IAM Identity Center permission sets in one run.

Each permission set: description, session duration, relay state, AWS
managed policies and one inline policy.  A permission set that is already
provisioned to accounts keeps serving its old policies there until it is
provisioned again, so a change to one is followed by ProvisionPermissionSet
to every account that has it (and the module waits for that to finish).
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import sso_admin
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import find_instance
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import permission_sets_by_name
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import wait_for_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import documents_differ
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_unique
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import description_characters_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.access_portal import access_portal_url
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import partition_of

# IAM Identity Center CreatePermissionSet Name
# (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html): 1-32 of
# [\w+=,.@-], \w being ASCII (re.ASCII: Python's would also take "é").  Matched with fullmatch: a "$"
# anchor would let a trailing newline through.
NAME = re.compile(r"[\w+=,.@-]{1,32}", re.ASCII)
AWS_MANAGED_POLICY_ARN = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128}", re.ASCII)
SESSION_DURATION = re.compile(r"PT(?:([0-9]{1,3})H)?(?:([0-9]{1,3})M)?")
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 60, 720
DEFAULT_SESSION_DURATION = "PT1H"
MAX_DESCRIPTION, MAX_RELAY_STATE, MAX_INLINE_POLICY = 700, 240, 32768


# --- input ---------------------------------------------------------------------------


def session_minutes(value):
    """Minutes of an ISO 8601 duration like PT8H or PT1H30M; None when it is not one."""
    match = SESSION_DURATION.fullmatch(value or "")
    if not match or not (match.group(1) or match.group(2)):
        return None
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def _check_entry(field, entry):
    if not NAME.fullmatch(entry["name"] or ""):
        raise SpecError(f"{field}.name: must be 1 to 32 letters, digits and +=,.@_-, got {entry['name']!r}")
    if entry["state"] == "absent":
        return
    description = entry.get("description")
    if description is not None and not 1 <= len(description) <= MAX_DESCRIPTION:
        raise SpecError(f"{field}.description: must be 1 to {MAX_DESCRIPTION} characters, got {description!r}")
    refused = description and description_characters_problem(description, "IAM Identity Center",
                                                             "a permission set's description")
    if refused:
        raise SpecError(f"{field}.description: {refused}")
    minutes = session_minutes(entry["session_duration"])
    if minutes is None or not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise SpecError(
            f"{field}.session_duration: must be an ISO 8601 duration from PT1H to PT12H (like PT8H or PT1H30M),"
            f" got {entry['session_duration']!r}"
        )
    if entry.get("relay_state") is not None and not 1 <= len(entry["relay_state"]) <= MAX_RELAY_STATE:
        raise SpecError(f"{field}.relay_state: must be 1 to {MAX_RELAY_STATE} characters, got {entry['relay_state']!r}")
    for arn in entry.get("managed_policy_arns") or []:
        if not AWS_MANAGED_POLICY_ARN.fullmatch(arn):
            raise SpecError(
                f"{field}.managed_policy_arns: {arn!r} is not the ARN of an AWS managed policy"
                " (arn:aws:iam::aws:policy/...)"
            )


def _inline_policy(field, value):
    """The wanted inline policy as a dict, {} to remove it, or None to leave it alone."""
    if value is None:
        return None
    if value in ("", {}):
        return {}
    try:
        document = parse_policy(value, f"{field}.inline_policy")
    except PolicyDocumentError as e:
        raise SpecError(str(e)) from e
    if "Statement" not in document:
        raise SpecError(f"{field}.inline_policy: a policy document needs a Statement")
    if len(minify(document)) > MAX_INLINE_POLICY:
        raise SpecError(f"{field}.inline_policy: is {len(minify(document))} characters; at most {MAX_INLINE_POLICY}")
    return document


def validate(params):
    """Check every entry; returns the entries with their parsed inline policies."""
    entries = params["permission_sets"]
    check_unique("permission_sets", entries, "name")
    checked = []
    for index, entry in enumerate(entries):
        field = f"permission_sets[{index}]"
        _check_entry(field, entry)
        checked.append(dict(entry, inline_policy=_inline_policy(field, entry.get("inline_policy"))))
    return checked


# --- one permission set ----------------------------------------------------------------


def _describe(name, arn, settings, managed, inline):
    return dict(
        name=name,
        arn=arn,
        description=settings.get("Description"),
        session_duration=settings.get("SessionDuration"),
        relay_state=settings.get("RelayState"),
        managed_policy_arns=sorted(managed),
        inline_policy=inline or None,
    )


def _wanted_settings(entry):
    settings = {"SessionDuration": entry["session_duration"]}
    if entry.get("description") is not None:
        settings["Description"] = entry["description"]
    if entry.get("relay_state") is not None:
        settings["RelayState"] = entry["relay_state"]
    return settings


def _changed_settings(current, wanted):
    changed = {}
    for key, value in wanted.items():
        if key == "SessionDuration":
            if session_minutes(current.get(key) or DEFAULT_SESSION_DURATION) != session_minutes(value):
                changed[key] = value
        elif current.get(key) != value:
            changed[key] = value
    return changed


class PermissionSetPlanner:
    """Plans the changes of every permission set against one instance."""

    def __init__(self, module, client, instance_arn):
        self.module = module
        self.client = client
        self.instance_arn = instance_arn
        self.plan = Plan()
        self.arns = {}  # name -> ARN, filled in when a permission set is created

    def _policy_actions(self, name, current_managed, current_inline, entry):
        """Plan the managed and inline policies; returns (managed after, inline after)."""
        client, instance = self.client, self.instance_arn
        managed_after, inline_after = set(current_managed), current_inline
        if entry.get("managed_policy_arns") is not None:
            wanted = set(entry["managed_policy_arns"])
            for arn in sorted(wanted - set(current_managed)):
                self.plan.add(f"attach {arn} to the permission set {name}",
                              lambda arn=arn: sso_admin.attach_managed_policy(client, instance, self.arns[name], arn))
            for arn in sorted(set(current_managed) - wanted):
                self.plan.add(f"detach {arn} from the permission set {name}",
                              lambda arn=arn: sso_admin.detach_managed_policy(client, instance, self.arns[name], arn))
            managed_after = wanted
        wanted_inline = entry["inline_policy"]
        if wanted_inline == {} and current_inline:
            self.plan.add(f"delete the inline policy of the permission set {name}",
                          lambda: sso_admin.delete_inline_policy(client, instance, self.arns[name]))
            inline_after = None
        elif wanted_inline and (not current_inline or documents_differ(current_inline, wanted_inline)):
            self.plan.add(f"put the inline policy of the permission set {name}",
                          lambda: sso_admin.put_inline_policy(client, instance, self.arns[name], minify(wanted_inline)))
            inline_after = wanted_inline
        return managed_after, inline_after

    def plan_absent(self, name, existing):
        if existing is None:
            return None, None
        arn = existing["PermissionSetArn"]
        self.plan.add(f"delete the permission set {name}",
                      lambda: sso_admin.delete_permission_set(self.client, self.instance_arn, arn))
        return dict(name=name, arn=arn), None

    def plan_present(self, entry, existing):
        name, client, instance = entry["name"], self.client, self.instance_arn
        wanted = _wanted_settings(entry)
        if existing is None:
            def create():
                self.arns[name] = sso_admin.create_permission_set(client, instance, Name=name, **wanted)[
                    "PermissionSetArn"]

            self.plan.add(f"create the permission set {name}", create)
            managed, inline = self._policy_actions(name, [], None, entry)
            return None, _describe(name, None, wanted, managed, inline)

        arn = existing["PermissionSetArn"]
        self.arns[name] = arn
        actions_before = len(self.plan.actions)
        current_managed = [p["Arn"] for p in sso_admin.list_managed_policies(client, instance, arn)]
        inline_text = sso_admin.get_inline_policy(client, instance, arn)
        current_inline = parse_policy(inline_text, f"the inline policy of {name}") if inline_text else None
        before = _describe(name, arn, existing, current_managed, current_inline)
        changed = _changed_settings(existing, wanted)
        if changed:
            self.plan.add(f"update {', '.join(sorted(changed))} of the permission set {name}",
                          lambda: sso_admin.update_permission_set(client, instance, arn, **changed))
        managed, inline = self._policy_actions(name, current_managed, current_inline, entry)
        after = _describe(name, arn, dict(existing, **changed), managed, inline)
        if len(self.plan.actions) > actions_before and self.module.params["provision"]:
            self._plan_provisioning(name, arn)
        return before, after

    def _plan_provisioning(self, name, arn):
        client, instance = self.client, self.instance_arn
        accounts = sso_admin.list_accounts_for_provisioned_permission_set(client, instance, arn)
        if not accounts:
            return

        def provision():
            status = sso_admin.provision_permission_set(client, instance, arn)
            wait_for_request(
                lambda request_id: sso_admin.describe_permission_set_provisioning_status(client, instance, request_id),
                status, f"provisioning the permission set {name}")

        self.plan.add(f"provision the permission set {name} again to its {len(accounts)} account(s)", provision)


def run(module):
    params = module.params
    client = module.client("sso-admin")
    before, after = [], []
    try:
        entries = validate(params)
        instance = find_instance(client, params.get("instance_arn"), module.region)
        existing = permission_sets_by_name(client, instance["InstanceArn"]) if entries else {}
        planner = PermissionSetPlanner(module, client, instance["InstanceArn"])
        for entry in entries:
            if entry["state"] == "absent":
                old, new = planner.plan_absent(entry["name"], existing.get(entry["name"]))
            else:
                old, new = planner.plan_present(entry, existing.get(entry["name"]))
            if old is not None:
                before.append(old)
            if new is not None:
                after.append(new)
        if not module.check_mode:
            planner.plan.apply()
            for entry in after:
                entry["arn"] = planner.arns.get(entry["name"], entry["arn"])
    except SpecError as e:
        module.fail_json(msg=str(e))
    return dict(
        changed=bool(planner.plan.actions),
        changes=planner.plan.changes,
        instance_arn=instance["InstanceArn"],
        identity_store_id=instance["IdentityStoreId"],
        # The instance's partition is its ARN's: the portal's address differs per partition.
        access_portal_url=access_portal_url(instance["IdentityStoreId"], partition_of(instance["InstanceArn"])),
        permission_sets=after,
        diff=dict(before=dict(permission_sets=before), after=dict(permission_sets=after)),
    )
