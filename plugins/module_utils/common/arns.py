# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ARNs in the right partition: the one place the collection writes ``arn:<partition>:``.

An ARN starts with its partition: ``arn:aws:`` in the commercial Regions,
``arn:aws-cn:`` in China and ``arn:aws-us-gov:`` in AWS GovCloud (US)
("Amazon Resource Names (ARNs)", IAM User Guide:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).  An
ARN of another partition names nothing: a role ARN built with ``arn:aws``
cannot be assumed from aws-cn.  Every builder here takes the partition;
it comes from the caller identity (aws/sts.py returns it) or from the
partition of the module's region (batch/modules.py), never from a guess.
"""

DEFAULT_PARTITION = "aws"
# The partitions whose ARNs the collection is tested to build.
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


def partition_of(arn):
    """The partition of an ARN: ``arn:<partition>:service:...``."""
    return arn.split(":", 2)[1]


def iam_role_arn(partition, account_id, role_name, path="/"):
    """``arn:<partition>:iam::<account_id>:role<path><role_name>``; ``account_id`` may be ``*`` (any account)."""
    return f"arn:{partition}:iam::{account_id}:role{path or '/'}{role_name}"


def account_root_arn(partition, account_id):
    """``arn:<partition>:iam::<account_id>:root``: the account as a principal of a trust policy."""
    return f"arn:{partition}:iam::{account_id}:root"


def root_task_policy_arn(partition, task):
    """``arn:<partition>:iam::aws:policy/root-task/<task>``: an AWS managed task policy of sts:AssumeRoot.

    The managed policies that scope a root session (IAMAuditRootUserCredentials,
    IAMDeleteRootUserCredentials, IAMCreateRootUserPassword, S3UnlockBucketPolicy,
    SQSUnlockQueuePolicy): "Perform a privileged task on an AWS Organizations
    member account", IAM User Guide,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html;
    STS API Reference, AssumeRoot, TaskPolicyArn.
    """
    return f"arn:{partition}:iam::aws:policy/root-task/{task}"
