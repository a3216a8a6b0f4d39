# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per Amazon S3 API call.

Errors go through amazon.aws's S3ErrorHandler (permission and "not supported"
errors get their own exception classes); the "not found" answers of the
bucket sub-resources (no policy, no lifecycle, no encryption ...) become a
default value instead of an error.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.s3 import AnsibleS3Error
from ansible_collections.amazon.aws.plugins.module_utils.s3 import S3ErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import COMMON_TRANSIENT_CODES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry

# DeleteObjects takes at most this many keys per request.
DELETE_OBJECTS_BATCH = 1000


class LandingZoneS3ErrorHandler(S3ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(
            [
                "404",
                "NoSuchBucket",
                "NoSuchKey",
                "NoSuchBucketPolicy",
                "NoSuchLifecycleConfiguration",
                "ServerSideEncryptionConfigurationNotFoundError",
                "NoSuchPublicAccessBlockConfiguration",
                "OwnershipControlsNotFoundError",
            ]
        )


# S3 is eventually consistent about a bucket it has just created: for a few
# seconds the bucket's sub-resources can answer NoSuchBucket.  Calls on a
# bucket known to exist retry that answer; HeadBucket (the existence check)
# does not.
s3_bucket_retry = AWSRetry.jittered_backoff(
    retries=10,
    delay=1,
    backoff=2.0,
    max_delay=30,
    catch_extra_error_codes=COMMON_TRANSIENT_CODES + ["NoSuchBucket"],
)


# --- the bucket -------------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("check whether the bucket exists")
@landing_zone_retry
def head_bucket(client, bucket):
    """The HeadBucket answer's headers, or None when no bucket has that name."""
    return client.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]


@LandingZoneS3ErrorHandler.common_error_handler("create the bucket")
@landing_zone_retry
def create_bucket(client, bucket, region, object_ownership=None):
    """Create the bucket; True when this call made it, False when S3 says the caller owns it already.

    Called only after HeadBucket found no bucket of that name, so
    BucketAlreadyOwnedByYou means an earlier CreateBucket of ours went
    through and its answer was lost (botocore repeats a call whose
    connection was reset): the bucket is adopted, its settings are applied
    next as for a new one.  S3 "returns this error in all Amazon Web Services
    Regions except in the North Virginia Region" (there it answers 200 OK)
    (BucketAlreadyOwnedByYou, Amazon S3 API Reference, CreateBucket).
    """
    params = dict(Bucket=bucket)
    # us-east-1 is the one region that rejects a LocationConstraint naming it.
    if region and region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if object_ownership:
        params["ObjectOwnership"] = object_ownership
    try:
        client.create_bucket(**params)
    except is_boto3_error_code("BucketAlreadyOwnedByYou"):
        return False
    return True


@LandingZoneS3ErrorHandler.deletion_error_handler("delete the bucket")
@s3_bucket_retry
def delete_bucket(client, bucket):
    client.delete_bucket(Bucket=bucket)
    return True


# --- versioning -------------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket versioning", {})
@s3_bucket_retry
def get_bucket_versioning(client, bucket):
    response = client.get_bucket_versioning(Bucket=bucket)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@LandingZoneS3ErrorHandler.common_error_handler("enable bucket versioning")
@s3_bucket_retry
def put_bucket_versioning(client, bucket, status):
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


# --- default encryption -----------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket default encryption", {})
@s3_bucket_retry
def get_bucket_encryption(client, bucket):
    return client.get_bucket_encryption(Bucket=bucket).get("ServerSideEncryptionConfiguration", {})


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket default encryption")
@s3_bucket_retry
def put_bucket_encryption(client, bucket, configuration):
    client.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=configuration)


# --- public access block ----------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket public access block", {})
@s3_bucket_retry
def get_public_access_block(client, bucket):
    return client.get_public_access_block(Bucket=bucket).get("PublicAccessBlockConfiguration", {})


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket public access block")
@s3_bucket_retry
def put_public_access_block(client, bucket, configuration):
    client.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=configuration)


# --- object ownership -------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket ownership controls")
@s3_bucket_retry
def get_bucket_ownership(client, bucket):
    """The bucket's ObjectOwnership setting, or None when it has no ownership controls."""
    rules = client.get_bucket_ownership_controls(Bucket=bucket).get("OwnershipControls", {}).get("Rules", [])
    return rules[0].get("ObjectOwnership") if rules else None


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket ownership controls")
@s3_bucket_retry
def put_bucket_ownership(client, bucket, object_ownership):
    client.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": object_ownership}]}
    )


# --- policy -----------------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket policy")
@s3_bucket_retry
def get_bucket_policy(client, bucket):
    """The policy document as a JSON string, or None when the bucket has none."""
    return client.get_bucket_policy(Bucket=bucket).get("Policy")


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket policy")
@s3_bucket_retry
def put_bucket_policy(client, bucket, policy_json):
    client.put_bucket_policy(Bucket=bucket, Policy=policy_json)


# --- lifecycle --------------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket lifecycle configuration", [])
@s3_bucket_retry
def get_bucket_lifecycle_rules(client, bucket):
    return client.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket lifecycle configuration")
@s3_bucket_retry
def put_bucket_lifecycle_rules(client, bucket, rules):
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})


# --- server access logging --------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("get the bucket access logging", {})
@s3_bucket_retry
def get_bucket_logging(client, bucket):
    """The LoggingEnabled block ({} when access logging is off)."""
    return client.get_bucket_logging(Bucket=bucket).get("LoggingEnabled", {})


@LandingZoneS3ErrorHandler.common_error_handler("set the bucket access logging")
@s3_bucket_retry
def put_bucket_logging(client, bucket, target_bucket, target_prefix):
    client.put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target_bucket, "TargetPrefix": target_prefix}},
    )


# --- objects ----------------------------------------------------------------


@LandingZoneS3ErrorHandler.list_error_handler("check whether the object exists")
@s3_bucket_retry
def head_object(client, bucket, key):
    return client.head_object(Bucket=bucket, Key=key)


@LandingZoneS3ErrorHandler.list_error_handler("read the object")
@s3_bucket_retry
def get_object_bytes(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


@LandingZoneS3ErrorHandler.common_error_handler("upload the object")
@s3_bucket_retry
def put_object(client, bucket, key, body, content_type):
    client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


@LandingZoneS3ErrorHandler.common_error_handler("look for object versions")
@s3_bucket_retry
def has_object_versions(client, bucket):
    """True when the bucket holds any object version or delete marker."""
    response = client.list_object_versions(Bucket=bucket, MaxKeys=1)
    return bool(response.get("Versions") or response.get("DeleteMarkers"))


@LandingZoneS3ErrorHandler.common_error_handler("list object versions")
@s3_bucket_retry
def list_object_versions(client, bucket):
    """Every (Key, VersionId) of the bucket, delete markers included."""
    result = client.get_paginator("list_object_versions").paginate(Bucket=bucket).build_full_result()
    entries = result.get("Versions", []) + result.get("DeleteMarkers", [])
    return [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries]


@LandingZoneS3ErrorHandler.common_error_handler("delete object versions")
@s3_bucket_retry
def delete_object_versions(client, bucket, objects):
    """Delete ``objects`` (Key/VersionId dicts); raises if S3 refused any of them."""
    for start in range(0, len(objects), DELETE_OBJECTS_BATCH):
        batch = objects[start:start + DELETE_OBJECTS_BATCH]
        response = client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise AnsibleS3Error(
                message=f"S3 refused to delete {len(errors)} object version(s) of {bucket}, first"
                f" {first.get('Key')} ({first.get('Code')}: {first.get('Message')})"
            )
