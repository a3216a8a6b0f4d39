# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The default AWS access portal URL of an IAM Identity Center instance, in each partition.

Before anyone customises it, the portal is named after the instance's
identity store (``d-xxxxxxxxxx``), and its address depends on the partition:

* aws: ``https://<identity store id>.awsapps.com/start`` (AWS Sign-In User
  Guide, "Signing in to the AWS access portal":
  https://docs.aws.amazon.com/signin/latest/userguide/iam-id-center-sign-in-tutorial.html);
* aws-us-gov: ``https://start.us-gov-home.awsapps.com/directory/<identity store id>``
  (AWS GovCloud (US) User Guide, "AWS IAM Identity Center in AWS GovCloud (US)":
  https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/govcloud-sso.html);
* aws-cn: ``https://start.home.awsapps.cn/directory/<identity store id>``
  (Getting Started with Amazon Web Services in China, "IAM Identity Center":
  https://docs.amazonaws.cn/en_us/aws/latest/userguide/iam-identity-center.html).
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import DEFAULT_PARTITION

_PORTAL_URLS = {
    "aws": "https://{identity_store_id}.awsapps.com/start",
    "aws-us-gov": "https://start.us-gov-home.awsapps.com/directory/{identity_store_id}",
    "aws-cn": "https://start.home.awsapps.cn/directory/{identity_store_id}",
}


def access_portal_url(identity_store_id, partition=DEFAULT_PARTITION):
    """The default access portal URL of the identity store ``identity_store_id`` in ``partition``.

    Raises ValueError for a partition IAM Identity Center has no documented portal address in.
    """
    if partition not in _PORTAL_URLS:
        raise ValueError(f"IAM Identity Center has no documented AWS access portal address in partition {partition!r}")
    return _PORTAL_URLS[partition].format(identity_store_id=identity_store_id)
