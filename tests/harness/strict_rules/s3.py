"""S3 bucket names are global (behaviour 9).

"The bucket namespace is shared by all users of the system": CreateBucket of
a name that another account owns is ``BucketAlreadyExists`` (409).  Re-creating
one's own bucket is ``BucketAlreadyOwnedByYou`` (409) "in all AWS Regions
except in the North Virginia Region. For legacy compatibility, if you
re-create an existing bucket that you already own in the North Virginia
Region, Amazon S3 returns 200 OK" (BucketAlreadyOwnedByYou, Amazon S3 API
Reference / botocore's S3 model; messages from S3's "Error responses" list).

moto 5.2.5 already answers all three cases so (``s3_backends.bucket_accounts``
is global; responses.py special-cases us-east-1); this rule answers them
itself so that strict mode does not depend on moto's version, and adds the
``BucketName`` element AWS puts in these errors.  It reads path-style
requests (``/bucket``), which is what boto3 sends to the proxy's IP address.
"""

import uuid

from botocore.exceptions import ClientError

from tests.harness.strict_aws import Rule

ALREADY_EXISTS = ("The requested bucket name is not available. The bucket namespace is shared by all users of the"
                  " system. Please select a different name and try again.")
ALREADY_OWNED = "Your previous request to create the named bucket succeeded and you already own it."
LEGACY_REGION = "us-east-1"


def _xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bucket_error(code, message, bucket):
    """S3's 409 error document for CreateBucket, with the BucketName AWS adds."""
    request_id, host_id = uuid.uuid4().hex[:16].upper(), uuid.uuid4().hex
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{_xml_escape(message)}</Message>"
            f"<BucketName>{_xml_escape(bucket)}</BucketName>"
            f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>").encode()
    return 409, {"Content-Type": "application/xml", "x-amz-request-id": request_id, "x-amz-id-2": host_id}, body


def bucket_of(path):
    """The bucket of a path-style request, or None."""
    segments = [s for s in path.split("?", 1)[0].split("/") if s]
    return segments[0] if len(segments) == 1 else None


def create_bucket_verdict(owned_region, exists_elsewhere, request_region):
    """AWS's answer to CreateBucket: None (go on), "BucketAlreadyOwnedByYou" or "BucketAlreadyExists".

    ``owned_region``: the region of the caller's own bucket of that name, or None.
    """
    if owned_region is not None:
        if owned_region == LEGACY_REGION and request_region == LEGACY_REGION:
            return None  # 200 OK, for legacy compatibility
        return "BucketAlreadyOwnedByYou"
    if exists_elsewhere:
        return "BucketAlreadyExists"
    return None


class S3Rules(Rule):
    name = "s3"

    def before(self, request):
        if not request.is_("s3", "REST.PUT.bucket"):
            return None
        bucket = bucket_of(request.path)
        if bucket is None or request.caller is None:
            return None
        verdict = create_bucket_verdict(self._own_bucket_region(request.caller.account_id, bucket),
                                        self._exists(bucket), request.region)
        if verdict == "BucketAlreadyOwnedByYou":
            return bucket_error(verdict, ALREADY_OWNED, bucket)
        if verdict == "BucketAlreadyExists":
            return bucket_error(verdict, ALREADY_EXISTS, bucket)
        return None

    def _own_bucket_region(self, account_id, bucket):
        s3 = self.moto.client("s3", account_id=account_id)
        if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            return None
        return s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or LEGACY_REGION

    def _exists(self, bucket):
        try:
            self.moto.client("s3").head_bucket(Bucket=bucket)
        except ClientError:
            return False
        return True
