# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge a role that principals of another account may assume (the destination side).

The trust policy is always built from the options and compared semantically
with what IAM returns (amazon.aws ``compare_policies``: statement and value
order, whitespace, a single value versus a one-element list and
``arn:aws:iam::<id>:root`` versus ``<id>`` all compare equal), so a re-run
changes nothing.  Every other setting is only managed when its option is
given: pointing the module at an existing role such as
OrganizationAccountAccessRole with just the trust options touches nothing
but the trust policy.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import DEFAULT_PARTITION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import account_root_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import MANAGED_POLICY_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import POLICY_NAME
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import POLICY_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import ValidationError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import check_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.placeholders import is_placeholder
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import mfa_condition
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import IAM_PRINCIPAL_ARN
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import MAX_SESSION_DURATION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import MIN_SESSION_DURATION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ORGANIZATION_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_path_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import role_description_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.iam_policies import policies_differ


def argument_spec_of_one_account():
    """The options of one account (the module's, and those org_account's follow_up checks a job against)."""
    return dict(
        name=dict(type="str", required=True, aliases=["role_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        source_account_id=dict(type="str"),
        trusted_principals=dict(type="list", elements="str"),
        require_mfa=dict(type="bool", default=False),
        organization_id=dict(type="str"),
        managed_policy_arns=dict(type="list", elements="str"),
        purge_managed_policies=dict(type="bool", default=False),
        inline_policies=dict(type="dict"),
        purge_inline_policies=dict(type="bool", default=False),
        max_session_duration=dict(type="int"),
        path=dict(type="str"),
        description=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


# --- input --------------------------------------------------------------------


def _check_principals(params):
    principals = params.get("trusted_principals") or []
    for principal in principals:
        match = IAM_PRINCIPAL_ARN.fullmatch(principal)
        if not match:
            raise ValidationError(
                f"trusted_principals: {principal!r} is not the ARN of an IAM user, role or account root"
            )
        if match.group("account_id") != params["source_account_id"]:
            raise ValidationError(
                f"trusted_principals: {principal!r} is not in source_account_id {params['source_account_id']}"
            )


def _check_managed_policies(params):
    for arn in params.get("managed_policy_arns") or []:
        if not MANAGED_POLICY_ARN.fullmatch(arn):
            raise ValidationError(f"managed_policy_arns: {arn!r} is not a managed policy ARN")


def _inline_policies(params):
    policies = params.get("inline_policies")
    if policies is None:
        return None
    parsed = {}
    for name, policy in policies.items():
        if not POLICY_NAME.fullmatch(name):
            raise ValidationError(f"inline_policies: {name!r} is not a valid policy name")
        parsed[name] = parse_policy(f"inline_policies.{name}", policy)
    return parsed


def validate(params, check_mode=False):
    """Check every option before the first call; return the parsed inline policies.

    In check mode ``source_account_id`` may be a placeholder (common/placeholders.py): a
    preview whose identity account the real run creates; the trust policy then differs.
    """
    problem = validate_iam_identifiers("role", params["name"], params.get("path"))
    if problem:
        raise ValidationError(f"name/path: {problem} (name={params['name']!r}, path={params.get('path')!r})")
    if params.get("path") is not None and iam_path_problem(params["path"]):
        raise ValidationError(f"path: {iam_path_problem(params['path'])}")
    if params["state"] == "absent":
        return None
    # Checked here rather than by the module's required_if, so that each entry of accounts is checked too.
    if not params.get("source_account_id"):
        raise ValidationError("source_account_id: required with state=present")
    if not (check_mode and is_placeholder(params.get("source_account_id"))):
        check_account_id("source_account_id", params.get("source_account_id"))
    _check_principals(params)
    if params.get("organization_id") and not ORGANIZATION_ID.fullmatch(params["organization_id"]):
        raise ValidationError(f"organization_id: {params['organization_id']!r} is not an organization id (o-...)")
    _check_managed_policies(params)
    duration = params.get("max_session_duration")
    if duration is not None and not MIN_SESSION_DURATION <= duration <= MAX_SESSION_DURATION:
        raise ValidationError(
            f"max_session_duration: {duration} is not between {MIN_SESSION_DURATION} and {MAX_SESSION_DURATION}"
        )
    if params.get("description") is not None and role_description_problem(params["description"]):
        raise ValidationError(f"description: {role_description_problem(params['description'])}")
    return _inline_policies(params)


def build_trust_policy(params):
    """The trust policy the options ask for."""
    principals = sorted(params.get("trusted_principals") or [])
    if not principals:
        # The source account in the caller's partition (``partition``, set by run).
        principals = [account_root_arn(params.get("partition") or DEFAULT_PARTITION, params["source_account_id"])]
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
        "Action": "sts:AssumeRole",
    }
    condition = {}
    if params.get("require_mfa"):
        condition.update(mfa_condition())
    if params.get("organization_id"):
        condition["StringEquals"] = {"aws:PrincipalOrgID": params["organization_id"]}
    if condition:
        statement["Condition"] = condition
    return {"Version": POLICY_VERSION, "Statement": [statement]}


# --- reading ------------------------------------------------------------------


def read_role(client, role_name):
    """The role as the module reports it, or None."""
    role = iam.get_role(client, role_name)
    if role is None:
        return None
    inline = {name: iam.get_role_policy(client, role_name, name) for name in iam.list_role_policies(client, role_name)}
    return dict(
        role_name=role["RoleName"],
        arn=role["Arn"],
        role_id=role["RoleId"],
        path=role.get("Path") or "/",
        description=role.get("Description", ""),
        max_session_duration=role.get("MaxSessionDuration", MIN_SESSION_DURATION),
        trust_policy=role.get("AssumeRolePolicyDocument"),
        managed_policy_arns=sorted(iam.list_attached_role_policies(client, role_name)),
        inline_policies={name: doc for name, doc in inline.items() if doc is not None},
        tags=boto3_tag_list_to_ansible_dict(iam.list_role_tags(client, role_name)),
    )


# --- planning -----------------------------------------------------------------


class Plan:
    """What to change on an existing role, and the role as it will be."""

    def __init__(self, current, params, inline_policies):
        self.current = current
        self.trust_policy = build_trust_policy(params)
        self.update_trust = policies_differ(current["trust_policy"], self.trust_policy)
        self.role_updates = self._role_updates(params)
        self.attach, self.detach = self._managed(params)
        self.put_inline, self.delete_inline = self._inline(params, inline_policies)
        self.tags_to_set, self.tags_to_unset = self._tags(params)

    def _role_updates(self, params):
        updates = {}
        if params.get("description") is not None and params["description"] != self.current["description"]:
            updates["Description"] = params["description"]
        duration = params.get("max_session_duration")
        if duration is not None and duration != self.current["max_session_duration"]:
            updates["MaxSessionDuration"] = duration
        return updates

    def _managed(self, params):
        wanted = params.get("managed_policy_arns")
        if wanted is None:
            return [], []
        current = set(self.current["managed_policy_arns"])
        detach = sorted(current - set(wanted)) if params.get("purge_managed_policies") else []
        return sorted(set(wanted) - current), detach

    def _inline(self, params, wanted):
        if wanted is None:
            return {}, []
        current = self.current["inline_policies"]
        put = {name: doc for name, doc in wanted.items() if policies_differ(current.get(name), doc)}
        delete = sorted(set(current) - set(wanted)) if params.get("purge_inline_policies") else []
        return put, delete

    def _tags(self, params):
        if params.get("tags") is None:
            return {}, []
        return compare_aws_tags(self.current["tags"], params["tags"], params.get("purge_tags", True))

    @property
    def changed(self):
        return bool(
            self.update_trust or self.role_updates or self.attach or self.detach or self.put_inline
            or self.delete_inline or self.tags_to_set or self.tags_to_unset
        )

    def after(self):
        role = dict(self.current)
        if self.update_trust:
            role["trust_policy"] = self.trust_policy
        role["description"] = self.role_updates.get("Description", role["description"])
        role["max_session_duration"] = self.role_updates.get("MaxSessionDuration", role["max_session_duration"])
        role["managed_policy_arns"] = sorted((set(role["managed_policy_arns"]) | set(self.attach)) - set(self.detach))
        inline = {k: v for k, v in role["inline_policies"].items() if k not in self.delete_inline}
        inline.update(self.put_inline)
        role["inline_policies"] = inline
        tags = {k: v for k, v in role["tags"].items() if k not in self.tags_to_unset}
        tags.update(self.tags_to_set)
        role["tags"] = tags
        return role

    def apply(self, client):
        name = self.current["role_name"]
        if self.update_trust:
            iam.update_assume_role_policy(client, name, self.trust_policy)
        if self.role_updates:
            iam.update_role(client, name, **self.role_updates)
        for arn in self.attach:
            iam.attach_role_policy(client, name, arn)
        for arn in self.detach:
            iam.detach_role_policy(client, name, arn)
        for policy_name, document in sorted(self.put_inline.items()):
            iam.put_role_policy(client, name, policy_name, document)
        for policy_name in self.delete_inline:
            iam.delete_role_policy(client, name, policy_name)
        if self.tags_to_unset:
            iam.untag_role(client, name, self.tags_to_unset)
        if self.tags_to_set:
            iam.tag_role(client, name, ansible_dict_to_boto3_tag_list(self.tags_to_set))


# --- states ---------------------------------------------------------------------


def _new_role(params, inline_policies):
    """The role a create would produce (ARN and id are only known afterwards)."""
    return dict(
        role_name=params["name"],
        arn=None,
        role_id=None,
        path=params.get("path") or "/",
        description=params.get("description") or "",
        max_session_duration=params.get("max_session_duration") or MIN_SESSION_DURATION,
        trust_policy=build_trust_policy(params),
        managed_policy_arns=sorted(set(params.get("managed_policy_arns") or [])),
        inline_policies=inline_policies or {},
        tags=dict(params.get("tags") or {}),
    )


def create(module, client, inline_policies):
    params = module.params
    role = _new_role(params, inline_policies)
    if module.check_mode:
        return dict(changed=True, role=role, diff=dict(before=None, after=role))
    create_params = {}
    if params.get("path"):
        create_params["Path"] = params["path"]
    if params.get("description"):
        create_params["Description"] = params["description"]
    if params.get("max_session_duration"):
        create_params["MaxSessionDuration"] = params["max_session_duration"]
    if params.get("tags"):
        create_params["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    try:
        created = iam.create_role(client, params["name"], role["trust_policy"], **create_params)
    except iam.AnsibleIAMAlreadyExists:
        # A CreateRole whose answer was lost and which botocore sent again:
        # the first try made the role.  Converge it as an existing role.
        current = read_role(client, params["name"])
        if current is None:
            raise
        plan = Plan(current, params, inline_policies)
        if plan.changed:
            plan.apply(client)
        after = plan.after()
        return dict(changed=True, role=after, diff=dict(before=None, after=after))
    for arn in role["managed_policy_arns"]:
        iam.attach_role_policy(client, params["name"], arn)
    for policy_name, document in sorted(role["inline_policies"].items()):
        iam.put_role_policy(client, params["name"], policy_name, document)
    role.update(arn=created["Arn"], role_id=created["RoleId"], path=created.get("Path") or role["path"])
    return dict(changed=True, role=role, diff=dict(before=None, after=role))


def ensure_present(module, client, inline_policies):
    params = module.params
    current = read_role(client, params["name"])
    if current is None:
        return create(module, client, inline_policies)
    if params.get("path") and params["path"] != current["path"]:
        raise ValidationError(
            f"path: the role {current['role_name']} exists with path {current['path']!r}; IAM cannot move a"
            f" role to {params['path']!r} (delete and re-create it, or omit path)"
        )
    plan = Plan(current, params, inline_policies)
    if plan.changed and not module.check_mode:
        plan.apply(client)
    if plan.update_trust and params.get("require_mfa") and _acts_through(module, current["arn"]):
        module.warn(
            f"{current['arn']} now requires MFA, and this module assumed it: later runs that act through it"
            " need credentials from an MFA sign-in (for example sts get-session-token with --serial-number),"
            " or AssumeRole will be denied"
        )
    after = plan.after()
    return dict(changed=plan.changed, role=after, diff=dict(before=current, after=after))


def _acts_through(module, role_arn):
    """Whether the module's own assume_role is the role being changed."""
    return bool(module.assumed_role) and module.target_role_arn == role_arn


def ensure_absent(module, client):
    name = module.params["name"]
    current = read_role(client, name)
    if current is None:
        return dict(changed=False, role=None, diff=dict(before=None, after=None))
    if not module.check_mode:
        # DeleteRole refuses (DeleteConflict) while the role is in an instance
        # profile or has policies, so those go first.
        for profile in iam.list_instance_profiles_for_role(client, name):
            iam.remove_role_from_instance_profile(client, name, profile)
        for arn in current["managed_policy_arns"]:
            iam.detach_role_policy(client, name, arn)
        for policy_name in sorted(current["inline_policies"]):
            iam.delete_role_policy(client, name, policy_name)
        iam.delete_role(client, name)
    return dict(changed=True, role=None, diff=dict(before=current, after=None))


def check_options(module):
    """Refuse bad options before any AWS call; return the parsed inline policies."""
    try:
        return validate(module.params, module.check_mode)
    except ValidationError as e:
        module.fail_json(msg=str(e))


def run(module):
    module.params.setdefault("partition", module.partition())
    inline_policies = check_options(module)
    client = module.client("iam")
    try:
        if module.params["state"] == "absent":
            return ensure_absent(module, client)
        return ensure_present(module, client, inline_policies)
    except ValidationError as e:
        module.fail_json(msg=str(e))
