# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Report and remove member accounts' root user credentials, through sts:AssumeRoot.

For each account: a root session scoped by IAMAuditRootUserCredentials reads
the root user's password (login profile), access keys, MFA devices and
signing certificates.  Only when removal is asked and something is there, a
second session scoped by IAMDeleteRootUserCredentials deletes them: the
audit session cannot delete, and a run with nothing to remove writes nothing.
Both are AWS managed task policies ("Perform a privileged task on an AWS
Organizations member account", IAM User Guide,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html).

A root session lasts at most 900 seconds (STS API Reference, AssumeRoot,
DurationSeconds); the sessions are made in the caller's partition.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import root_access as aws_root
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import credentials_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import root_task_policy_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import is_account_id

AUDIT_TASK = "IAMAuditRootUserCredentials"
DELETE_TASK = "IAMDeleteRootUserCredentials"
# STS API Reference, AssumeRoot: "DurationSeconds ... up to the maximum session duration of 900 seconds".
MAX_SESSION_SECONDS = 900
NOTHING = dict(password=False, access_keys=[], mfa_devices=[], signing_certificates=[])


def management_account_id(module):
    """The organization's management account (None outside an organization): it has no member root session."""
    organization = org.describe_organization(module.client("organizations")) or {}
    return organization.get("MasterAccountId")


def validate(account_run, management_account_id=None):
    """Refuse, before any AssumeRoot, what AWS would refuse."""
    params = account_run.params
    if not is_account_id(account_run.account_id):
        account_run.fail_json(msg=f"account_id: must be a 12-digit AWS account id, got {account_run.account_id!r}")
    if management_account_id and account_run.account_id == management_account_id:
        account_run.fail_json(msg="the management account has no member root session (AssumeRoot targets member"
                              " accounts only); secure its root user by hand")
    if not 0 < params["session_duration"] <= MAX_SESSION_SECONDS:
        account_run.fail_json(msg=f"session_duration: must be 1 to {MAX_SESSION_SECONDS} seconds,"
                              f" got {params['session_duration']}")


def _root_session(account_run, task):
    """An IAM client acting as the account's root user, scoped by ``task``."""
    task_policy = root_task_policy_arn(account_run.partition(), task)
    credentials = aws_root.assume_root(account_run.caller_client("sts"), account_run.account_id, task_policy,
                                       account_run.params["session_duration"])
    return account_run.caller_client("iam", **credentials_params(credentials))


def read_root_credentials(iam):
    """What the root user holds: a password (bool) and the ids of its keys, MFA devices and certificates."""
    return dict(
        password=aws_root.get_root_login_profile(iam) is not None,
        access_keys=sorted(key["AccessKeyId"] for key in aws_root.list_root_access_keys(iam)),
        mfa_devices=sorted(device["SerialNumber"] for device in aws_root.list_root_mfa_devices(iam)),
        signing_certificates=sorted(c["CertificateId"] for c in aws_root.list_root_signing_certificates(iam)),
    )


def has_credentials(found):
    return found["password"] or any(found[kind] for kind in ("access_keys", "mfa_devices", "signing_certificates"))


def remove_root_credentials(iam, found):
    """Delete what ``found`` lists: keys and certificates first, MFA devices, the password last."""
    for key_id in found["access_keys"]:
        aws_root.delete_root_access_key(iam, key_id)
    for certificate_id in found["signing_certificates"]:
        aws_root.delete_root_signing_certificate(iam, certificate_id)
    for serial in found["mfa_devices"]:
        aws_root.deactivate_root_mfa_device(iam, serial)
    if found["password"]:
        aws_root.delete_root_login_profile(iam)


def run(account_run):
    found = read_root_credentials(_root_session(account_run, AUDIT_TASK))
    remove = account_run.params["remove"] and has_credentials(found)
    if remove and not account_run.check_mode:
        iam = _root_session(account_run, DELETE_TASK)
        remove_root_credentials(iam, found)
        after = read_root_credentials(iam)
    else:
        after = dict(NOTHING) if remove else found
    return dict(changed=bool(remove), account_id=account_run.account_id, root_credentials=found,
                removed=found if remove else dict(NOTHING), remaining=after, diff=dict(before=found, after=after))
