# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The IAM Identity Center assignment matrix: principal x permission set x account, in one run.

Targets are account ids or OU paths; an OU path stands for every active
account in that OU and in the OUs below it (``/`` is every account), read
from AWS Organizations at run time, so an account moved into an OU gets the
OU's assignments on the next run.  The current assignments are read once
per principal (ListAccountAssignmentsForPrincipal).  With ``purge`` the
listed principals lose the assignments the matrix does not hold; principals
the matrix does not name are never touched.
"""

import functools

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import identitystore
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import sso_admin
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import find_instance
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import permission_sets_by_name
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.identity_center import wait_for_request
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import OUPathError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.ou_resolver import OUResolver
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import is_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import normalize_ou_path
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import ACCOUNT_ID
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan


def validate(params):
    """Check the matrix; returns it with OU paths normalised."""
    checked = []
    for index, entry in enumerate(params["assignments"]):
        field = f"assignments[{index}]"
        if not entry["principal_name"]:
            raise SpecError(f"{field}.principal_name: required")
        if not entry["targets"]:
            raise SpecError(f"{field}.targets: give at least one account id or OU path")
        targets = []
        for target in entry["targets"]:
            target = str(target)
            if is_ou_path(target):
                try:
                    targets.append(normalize_ou_path(target))
                except OUPathError as e:
                    raise SpecError(f"{field}.targets: {e}") from e
            elif ACCOUNT_ID.fullmatch(target):
                targets.append(target)
            else:
                raise SpecError(f"{field}.targets: {target!r} is neither a 12-digit account id nor an OU path (/...)")
        checked.append(dict(entry, targets=targets))
    return checked


class OrganizationAccounts:
    """Active accounts of the organization, and of an OU with the OUs below it."""

    def __init__(self, client):
        self.client = client
        self.resolver = OUResolver(client, org.list_roots(client)[0]["Id"])
        self._accounts = None
        self._below = {}

    def active(self):
        if self._accounts is None:
            self._accounts = {a["Id"]: a for a in org.list_accounts(self.client) if a.get("Status") == "ACTIVE"}
        return self._accounts

    def under(self, field, path):
        ou_id = self.resolver.resolve(path)
        if ou_id is None:
            raise SpecError(f"{field}: the OU {path} does not exist")
        return self._below_id(ou_id)

    def _below_id(self, parent_id):
        if parent_id not in self._below:
            accounts = {a["Id"] for a in org.list_accounts_for_parent(self.client, parent_id) if a.get("Status") == "ACTIVE"}
            for ou in self.resolver.children(parent_id).values():
                accounts |= self._below_id(ou["Id"])
            self._below[parent_id] = accounts
        return self._below[parent_id]


def _principal_id(client, store, principal_type, name):
    if principal_type == "GROUP":
        return identitystore.get_group_id(client, store, name)
    return identitystore.get_user_id(client, store, name)


class Matrix:
    """The wanted assignments as (principal type, principal id, permission set ARN, account id)."""

    def __init__(self, module, instance):
        self.module = module
        self.instance_arn = instance["InstanceArn"]
        self.store = instance["IdentityStoreId"]
        self.sso = module.client("sso-admin")
        self.permission_sets = {}  # name -> ARN
        self.principals = {}  # (type, name) -> id
        self.accounts = OrganizationAccounts(module.client("organizations"))

    def resolve(self, entries):
        named = permission_sets_by_name(self.sso, self.instance_arn)
        ids = self.module.client("identitystore")
        wanted = set()
        for index, entry in enumerate(entries):
            field = f"assignments[{index}]"
            permission_set = named.get(entry["permission_set"])
            if permission_set is None:
                raise SpecError(f"{field}.permission_set: no permission set {entry['permission_set']!r} in"
                                f" {self.instance_arn}")
            self.permission_sets[entry["permission_set"]] = permission_set["PermissionSetArn"]
            key = (entry["principal_type"], entry["principal_name"])
            if key not in self.principals:
                principal_id = _principal_id(ids, self.store, *key)
                if principal_id is None:
                    raise SpecError(f"{field}.principal_name: no {key[0].lower()} {key[1]!r} in the identity store"
                                    f" {self.store}")
                self.principals[key] = principal_id
            for account in self._accounts_of(field, entry["targets"]):
                wanted.add((key[0], self.principals[key], permission_set["PermissionSetArn"], account))
        return wanted

    def _accounts_of(self, field, targets):
        accounts = set()
        for target in targets:
            if is_ou_path(target):
                accounts |= self.accounts.under(f"{field}.targets", target)
            elif target in self.accounts.active():
                accounts.add(target)
            else:
                raise SpecError(f"{field}.targets: {target} is not an active account of the organization")
        return accounts

    def current(self):
        found = set()
        for (principal_type, _name), principal_id in self.principals.items():
            for assignment in sso_admin.list_account_assignments_for_principal(
                    self.sso, self.instance_arn, principal_type, principal_id):
                found.add((principal_type, principal_id, assignment["PermissionSetArn"], assignment["AccountId"]))
        return found

    def ordered(self, assignments):
        """``assignments`` sorted by principal, permission set and account (names, not ids)."""
        return sorted(assignments, key=lambda a: tuple(self.describe(a).values()))

    def describe(self, assignment):
        principal_type, principal_id, permission_set_arn, account_id = assignment
        names = {v: k[1] for k, v in self.principals.items()}
        permission_sets = {v: k for k, v in self.permission_sets.items()}
        return dict(principal_type=principal_type, principal_name=names.get(principal_id, principal_id),
                    permission_set=permission_sets.get(permission_set_arn, permission_set_arn),
                    account_id=account_id)


def _label(described):
    return (f"{described['principal_type'].lower()} {described['principal_name']} ->"
            f" {described['permission_set']} in {described['account_id']}")


def _assignment_params(assignment):
    principal_type, principal_id, permission_set_arn, account_id = assignment
    return dict(TargetId=account_id, PermissionSetArn=permission_set_arn, PrincipalType=principal_type,
                PrincipalId=principal_id)


def _create(client, instance, assignment, label):
    status = sso_admin.create_account_assignment(client, instance, **_assignment_params(assignment))
    wait_for_request(
        lambda request_id: sso_admin.describe_account_assignment_creation_status(client, instance, request_id),
        status, f"assigning {label}")


def _delete(client, instance, assignment, label):
    status = sso_admin.delete_account_assignment(client, instance, **_assignment_params(assignment))
    wait_for_request(
        lambda request_id: sso_admin.describe_account_assignment_deletion_status(client, instance, request_id),
        status, f"removing {label}")


def plan_changes(matrix, plan, wanted, current, purge):
    """Plan the creations, then the removals; returns both, described."""
    client, instance = matrix.sso, matrix.instance_arn
    to_create = matrix.ordered(wanted - current)
    to_delete = matrix.ordered(current - wanted) if purge else []
    for assignment in to_create:
        label = _label(matrix.describe(assignment))
        plan.add(f"assign {label}", functools.partial(_create, client, instance, assignment, label))
    for assignment in to_delete:
        label = _label(matrix.describe(assignment))
        plan.add(f"remove {label}", functools.partial(_delete, client, instance, assignment, label))
    return [matrix.describe(a) for a in to_create], [matrix.describe(a) for a in to_delete]


def run(module):
    params = module.params
    plan = Plan()
    try:
        entries = validate(params)
        instance = find_instance(module.client("sso-admin"), params.get("instance_arn"), module.region)
        matrix = Matrix(module, instance)
        wanted = matrix.resolve(entries)
        current = matrix.current()
        created, deleted = plan_changes(matrix, plan, wanted, current, params["purge"])
        if not module.check_mode:
            plan.apply()
    except SpecError as e:
        module.fail_json(msg=str(e))
    after_set = wanted | (set() if params["purge"] else current)
    before = [_label(matrix.describe(a)) for a in matrix.ordered(current)]
    after = [_label(matrix.describe(a)) for a in matrix.ordered(after_set)]
    return dict(
        changed=bool(plan.actions),
        changes=plan.changes,
        instance_arn=instance["InstanceArn"],
        assignments=[matrix.describe(a) for a in matrix.ordered(wanted)],
        created=created,
        deleted=deleted,
        diff=dict(before=dict(assignments=before), after=dict(assignments=after)),
    )
