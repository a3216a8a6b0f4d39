# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge one IAM user: create it, set its path and tags, or delete it with everything it holds.

What amazon.aws.iam_user does for users, with what it cannot do: act inside a
member account through the module's ``assume_role`` (the identities role
needed a separate sts_assume_role task and temporary keys handed from task
to task, a second route into member accounts), and converge every user of
an account in one module run (``users``, one AssumeRole and one process for
all of them).  GetUser carries the user's tags, so an unchanged user costs
one call.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import validate_iam_identifiers
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam_users
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_path_problem


def validate(module):
    """Refuse a bad name, path or tag before any AWS call."""
    params = module.params
    problem = validate_iam_identifiers("user", params["name"], params.get("path"))
    if problem:
        module.fail_json(msg=f"name/path: {problem} (name={params['name']!r}, path={params.get('path')!r})")
    if params.get("path") is not None and iam_path_problem(params["path"]):
        module.fail_json(msg=f"path: {iam_path_problem(params['path'])}")
    for key, value in (params.get("tags") or {}).items():
        if not isinstance(value, str):
            module.fail_json(msg=f"tags: the value of {key!r} must be a string, got {value!r}")


def _describe(user, tags):
    return dict(
        user_name=user["UserName"],
        arn=user.get("Arn"),
        user_id=user.get("UserId"),
        path=user.get("Path", "/"),
        tags=tags,
    )


def _result(changed, before, after):
    return dict(changed=changed, user=after, diff=dict(before=before, after=after))


def _create(module, client):
    """CreateUser; a user that exists already (the lost answer of this very call, repeated) is read back."""
    params = module.params
    tags = ansible_dict_to_boto3_tag_list(params["tags"]) if params["tags"] else None
    try:
        return iam_users.create_user(client, params["name"], params.get("path"), tags), True
    except AnsibleIAMError as e:
        if not isinstance(e.exception, is_boto3_error_code("EntityAlreadyExists", e.exception)):
            raise
    return iam.get_user(client, params["name"]), False


def _update(module, client, user):
    """Move and retag an existing user; returns (changed, tags after)."""
    params = module.params
    tags = boto3_tag_list_to_ansible_dict(user.get("Tags") or [])
    changed = False
    if params.get("path") is not None and params["path"] != user.get("Path", "/"):
        changed = True
        if not module.check_mode:
            iam_users.update_user_path(client, params["name"], params["path"])
    if params["tags"] is not None:
        to_set, to_unset = compare_aws_tags(tags, params["tags"], purge_tags=params["purge_tags"])
        if to_set or to_unset:
            changed = True
            if not module.check_mode:
                if to_unset:
                    iam_users.untag_user(client, params["name"], to_unset)
                if to_set:
                    iam_users.tag_user(client, params["name"], ansible_dict_to_boto3_tag_list(to_set))
            tags = {key: value for key, value in tags.items() if key not in to_unset}
            tags.update(to_set)
    return changed, tags


def ensure_present(module, client):
    params = module.params
    user = iam.get_user(client, params["name"])
    before = None
    if user is None:
        if module.check_mode:
            predicted = dict(UserName=params["name"], Path=params.get("path") or "/")
            return _result(True, None, _describe(predicted, dict(params["tags"] or {})))
        user, created = _create(module, client)
        if created:
            return _result(True, None, _describe(user, dict(params["tags"] or {})))
    else:
        before = _describe(user, boto3_tag_list_to_ansible_dict(user.get("Tags") or []))
    changed, tags = _update(module, client, user)
    after = _describe(dict(user, Path=params.get("path") or user.get("Path", "/")), tags)
    return _result(changed or before is None, before, after)


# --- state=absent ------------------------------------------------------------------


def _lock_out(client, name):
    """What lets the user sign in or call AWS goes first: password, keys, certificates, then MFA devices."""
    iam.delete_login_profile(client, name)
    for key_id in iam_users.list_access_keys(client, name):
        iam_users.delete_access_key(client, name, key_id)
    for key_id in iam_users.list_ssh_public_keys(client, name):
        iam_users.delete_ssh_public_key(client, name, key_id)
    for certificate_id in iam_users.list_signing_certificates(client, name):
        iam_users.delete_signing_certificate(client, name, certificate_id)
    for serial_number in iam_users.list_mfa_devices(client, name):
        iam_users.deactivate_mfa_device(client, name, serial_number)
        if serial_number.startswith("arn:"):
            # A virtual device (its serial number is its ARN) would stay behind, assigned to no one.
            iam_users.delete_virtual_mfa_device(client, serial_number)


def _strip_permissions(client, name):
    for policy_arn in iam_users.list_attached_user_policies(client, name):
        iam_users.detach_user_policy(client, name, policy_arn)
    for policy_name in iam_users.list_user_policies(client, name):
        iam_users.delete_user_policy(client, name, policy_name)
    for group_name in iam_users.list_groups_for_user(client, name):
        iam.remove_user_from_group(client, group_name, name)


def _delete(client, name):
    """Everything DeleteUser refuses to delete with the user, then the user.

    Service-specific (Git, Keyspaces, Bedrock) credentials are rare, so they
    are listed only when DeleteUser still answers DeleteConflict.
    """
    _lock_out(client, name)
    _strip_permissions(client, name)
    try:
        iam_users.delete_user(client, name)
    except AnsibleIAMError as e:
        if not isinstance(e.exception, is_boto3_error_code("DeleteConflict", e.exception)):
            raise
        for credential_id, _service in iam_users.list_service_specific_credentials(client, name):
            iam_users.delete_service_specific_credential(client, name, credential_id)
        iam_users.delete_user(client, name)


def ensure_absent(module, client):
    name = module.params["name"]
    user = iam.get_user(client, name)
    if user is None:
        return _result(False, None, None)
    before = _describe(user, boto3_tag_list_to_ansible_dict(user.get("Tags") or []))
    if not module.check_mode:
        _delete(client, name)
    return _result(True, before, None)


def run(module):
    validate(module)
    client = module.client("iam")
    if module.params["state"] == "absent":
        return ensure_absent(module, client)
    return ensure_present(module, client)
