"""The strict layer in the proxy: on by default, one switch off, and AssumeRole of a role that does not exist."""

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.harness.clients import through
from tests.harness.strict_aws import strict_default


def _post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_strict_mode_is_on_by_default_and_switched_at_run_time(proxy):
    with urllib.request.urlopen(proxy.url + "/__proxy__/strict", timeout=10) as response:
        assert json.loads(response.read())["enabled"] is strict_default()  # True unless STRICT_AWS=0
    assert _post(proxy.url + "/__proxy__/strict", {"enabled": False})["enabled"] is False
    assert proxy.strict.enabled is False
    with pytest.raises(urllib.error.HTTPError) as refused:
        _post(proxy.url + "/__proxy__/strict", {"account_quota": 0})
    assert refused.value.code == 400
    assert "account_quota" in json.loads(refused.value.read())["error"]


@pytest.mark.usefixtures("strict_on")
def test_assume_role_of_a_role_that_does_not_exist_is_access_denied(proxy):
    role_arn = "arn:aws:iam::123456789012:role/NoSuchRole"
    with pytest.raises(ClientError) as denied:
        through(proxy, "sts").assume_role(RoleArn=role_arn, RoleSessionName="test")
    error = denied.value.response
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        "User: arn:aws:sts::123456789012:user/moto is not authorized to perform: sts:AssumeRole"
        f" on resource: {role_arn}")
    assert [(c["action"], c["status"], c["strict"]) for c in proxy.calls] == [("AssumeRole", 403, "AccessDenied")]


def test_moto_alone_lets_anyone_assume_a_role_that_does_not_exist(proxy):
    proxy.configure_strict(enabled=False)
    sts = through(proxy, "sts")
    answer = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/NoSuchRole", RoleSessionName="test")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/NoSuchRole/test"


@pytest.mark.usefixtures("strict_on")
def test_assume_role_of_a_role_that_exists_goes_through(proxy, aws):
    aws.client("iam").create_role(RoleName="Exists", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                       "Action": "sts:AssumeRole"}]}))
    answer = through(proxy, "sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/Exists", RoleSessionName="test")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/Exists/test"
    assert proxy.calls[-1]["strict"] is None
