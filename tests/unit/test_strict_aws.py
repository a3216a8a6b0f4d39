"""The strict layer's own plumbing: its configuration, the switch, who a caller is, a call's parameters."""

import pytest

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import StrictConfig
from tests.harness.strict_aws import StrictLayer
from tests.harness.strict_aws import kind_of
from tests.harness.strict_aws import principal_arn_of
from tests.harness.strict_aws import query_list
from tests.harness.strict_aws import _params


@pytest.mark.parametrize("value, enabled", [(None, True), ("1", True), ("0", False), ("off", False),
                                            ("False", False), ("yes", True)])
def test_strict_aws_environment_switch(monkeypatch, value, enabled):
    if value is None:
        monkeypatch.delenv("STRICT_AWS", raising=False)
    else:
        monkeypatch.setenv("STRICT_AWS", value)
    assert StrictConfig().enabled is enabled


@pytest.mark.parametrize("fields, message", [
    (dict(enabled="yes"), "enabled must be true or false"),
    (dict(member_role_delay_seconds=-1), "member_role_delay_seconds must not be negative"),
    (dict(new_role_delay_seconds="soon"), "new_role_delay_seconds must be a number"),
    (dict(account_quota=0), "account_quota must be a whole number of at least 1"),
    (dict(account_quota=True), "account_quota must be a whole number"),
])
def test_strict_config_refuses_bad_values(fields, message):
    with pytest.raises(ValueError, match=message):
        StrictConfig(**fields)


def test_strict_config_from_dict_names_unknown_fields():
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['quota'\]"):
        StrictConfig.from_dict({"quota": 3})
    assert StrictConfig.from_dict({"account_quota": 25}).to_dict()["account_quota"] == 25


@pytest.mark.parametrize("arn, principal, kind", [
    ("arn:aws:sts::111122223333:assumed-role/Admin/session", "arn:aws:iam::111122223333:role/Admin", "assumed-role"),
    ("arn:aws:sts::123456789012:user/moto", "arn:aws:iam::123456789012:user/moto", "user"),
    ("arn:aws:iam::111122223333:user/team/alice", "arn:aws:iam::111122223333:user/team/alice", "user"),
    ("arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:root", "root"),
])
def test_principal_of_a_caller(arn, principal, kind):
    assert principal_arn_of(arn) == principal
    assert kind_of(arn) == kind


def test_params_of_query_and_json_calls():
    body = b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FX&DurationSeconds=3600"
    params = _params("query", "POST", "/", {}, body)
    assert params == {"Action": "AssumeRole", "RoleArn": "arn:aws:iam::111122223333:role/X", "DurationSeconds": "3600"}
    assert _params("json", "POST", "/", {}, b'{"Name": "x"}') == {"Name": "x"}
    assert _params("json", "POST", "/", {}, b"not json") == {}
    assert _params("s3", "PUT", "/bucket?versioning", {}, b"") == {"versioning": ""}


def test_query_list_reads_member_lists():
    params = {"Tags.member.1.Key": "a", "PolicyArns.member.1": "x", "PolicyArns.member.2": "y"}
    assert query_list(params, "PolicyArns") == ["x", "y"]
    assert query_list(params, "Missing") == []


class _Broken(Rule):
    name = "broken"

    def before(self, request):
        raise KeyError("no such thing")


class _Refusing(Rule):
    name = "refusing"

    def before(self, request):
        raise AwsError("AccessDenied", "no", 403)


def test_a_broken_rule_answers_a_visible_error_and_a_refusal_stops_the_chain():
    layer = StrictLayer.__new__(StrictLayer)
    layer.rules = [_Broken(layer), _Refusing(layer)]
    answer = layer.before(object())
    assert isinstance(answer, AwsError)
    assert answer.code == "StrictLayerError" and "broken rule failed" in answer.message
    layer.rules = [_Refusing(layer), _Broken(layer)]
    assert layer.before(object()).code == "AccessDenied"
