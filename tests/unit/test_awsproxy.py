"""The fault proxy's decisions, configuration and account-creation bookkeeping, without a network."""

import json
import re

import pytest

from tests.harness.awsproxy import AccountCreationDelay
from tests.harness.awsproxy import FaultConfig
from tests.harness.awsproxy import FaultDecider
from tests.harness.awsproxy import build_parser
from tests.harness.awsproxy import config_from_args


def decisions(config, service="organizations", action="ListRoots", count=1000):
    decider = FaultDecider(config)
    return [decider.decide(service, action) for _call in range(count)]


def test_the_fault_rate_is_respected_over_many_calls():
    made = decisions(FaultConfig(fault_rate=0.3, seed=7))
    injected = [kind for kind in made if kind]
    assert 0.25 <= len(injected) / len(made) <= 0.35
    # Equal default weights: every default kind shows up, reset_after (opt-in) never.
    assert set(injected) == {"throttle", "concurrent", "http500", "http503", "reset"}


def test_the_same_seed_makes_the_same_faults_and_another_seed_others():
    first = decisions(FaultConfig(fault_rate=0.3, seed=42), count=200)
    assert decisions(FaultConfig(fault_rate=0.3, seed=42), count=200) == first
    assert decisions(FaultConfig(fault_rate=0.3, seed=43), count=200) != first


def test_no_faults_by_default():
    assert set(decisions(FaultConfig())) == {None}


def test_the_most_specific_rule_wins_and_unmatched_calls_use_the_fault_rate():
    config = FaultConfig(
        fault_rules={"organizations:*": 0.3, "organizations:CreateAccount": 0, "sts:AssumeRole": 1, "iam": 0.5},
        seed=1,
    )
    assert config.rate_for("organizations", "ListRoots") == 0.3
    assert config.rate_for("organizations", "CreateAccount") == 0
    assert config.rate_for("sts", "AssumeRole") == 1
    assert config.rate_for("sts", "GetCallerIdentity") == 0
    assert config.rate_for("iam", "CreateRole") == 0.5  # "iam" means "iam:*"
    assert set(decisions(config, "organizations", "CreateAccount", 200)) == {None}
    assert set(decisions(config, "sts", "AssumeRole", 200)) - {None}
    assert None not in decisions(config, "sts", "AssumeRole", 200)


def test_fault_kinds_are_drawn_by_weight():
    made = decisions(FaultConfig(fault_rate=1, fault_kinds={"throttle": 3, "reset": 1, "http500": 0}, seed=5))
    throttles = made.count("throttle")
    assert set(made) == {"throttle", "reset"}
    assert 0.70 <= throttles / len(made) <= 0.80


def test_latency_is_the_fixed_part_plus_up_to_the_jitter():
    decider = FaultDecider(FaultConfig(latency_ms=100, jitter_ms=50, seed=3))
    delays = [decider.latency() for _call in range(200)]
    assert all(0.100 <= delay <= 0.150 for delay in delays)
    assert max(delays) - min(delays) > 0.03
    assert FaultDecider(FaultConfig()).latency() == 0


@pytest.mark.parametrize(
    "fields, named",
    [
        (dict(fault_rate=1.5), "fault_rate"),
        (dict(fault_rules={"iam:*": -0.1}), "fault_rules['iam:*']"),
        (dict(fault_kinds={"meteor": 1}), "meteor"),
        (dict(fault_rate=0.1, fault_kinds={"throttle": 0}), "fault_kinds"),
        (dict(latency_ms=-5), "latency_ms"),
        (dict(account_creation_seconds=-1), "account_creation_seconds"),
        (dict(jitter_ms="lots"), "jitter_ms must be a number, got 'lots'"),
        (dict(fault_rules=["iam:*"]), "fault_rules must be a mapping"),
        (dict(seed="abc"), "seed"),
    ],
)
def test_bad_configuration_is_refused_naming_the_field(fields, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        FaultConfig(**fields)


def test_configuration_round_trips_through_json_and_refuses_unknown_fields():
    config = FaultConfig(fault_rate=0.1, fault_rules={"iam:*": 0.2}, latency_ms=5, seed=9)
    assert FaultConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert FaultConfig.from_dict({"fault_kinds": ["throttle"]}).fault_kinds == {"throttle": 1.0}
    with pytest.raises(ValueError, match="faultrate"):
        FaultConfig.from_dict({"faultrate": 0.3})


def test_command_line_flags_build_the_configuration():
    args = build_parser().parse_args([
        "--upstream", "http://127.0.0.1:5000",
        "--fault-rate", "0.05",
        "--faults", "organizations:*=0.3,iam:*=0.3,sts:AssumeRole=0.3",
        "--fault-kinds", "throttle=3,reset=1",
        "--latency-ms", "20", "--jitter-ms", "10",
        "--account-creation-seconds", "2.5",
        "--seed", "11",
    ])
    assert config_from_args(args) == FaultConfig(
        fault_rate=0.05,
        fault_rules={"organizations:*": 0.3, "iam:*": 0.3, "sts:AssumeRole": 0.3},
        fault_kinds={"throttle": 3.0, "reset": 1.0},
        latency_ms=20,
        jitter_ms=10,
        account_creation_seconds=2.5,
        seed=11,
    )
    assert config_from_args(build_parser().parse_args(["--upstream", "http://x:1"])) == FaultConfig()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _answer(data):
    return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(data).encode()


def test_account_creation_stays_in_progress_until_the_delay_passed():
    clock = FakeClock()
    delay = AccountCreationDelay(clock=clock)
    done = {"Id": "car-1", "AccountName": "dev", "State": "SUCCEEDED", "AccountId": "111111111111",
            "RequestedTimestamp": 1.0, "CompletedTimestamp": 1.0}
    created = delay.after("CreateAccount", b"{}", _answer({"CreateAccountStatus": done}), seconds=5)
    assert json.loads(created[2])["CreateAccountStatus"] == {
        "Id": "car-1", "AccountName": "dev", "State": "IN_PROGRESS", "RequestedTimestamp": 1.0}

    clock.now += 4.9
    listed = _answer({"Accounts": [{"Id": "123456789012"}, {"Id": "111111111111"}]})
    assert json.loads(delay.after("ListAccounts", b"{}", listed, 5)[2])["Accounts"] == [{"Id": "123456789012"}]
    body, refused = delay.before("DescribeAccount", b'{"AccountId": "111111111111"}', 5)
    assert refused[0] == 400 and json.loads(refused[2])["__type"] == "AccountNotFoundException"
    # moto would filter IN_PROGRESS away itself: the proxy asks for every state and filters.
    body, refused = delay.before("ListCreateAccountStatus", b'{"States": ["IN_PROGRESS"]}', 5)
    assert refused is None and json.loads(body) == {}
    statuses = _answer({"CreateAccountStatuses": [done, dict(done, Id="car-0", AccountId="123456789012")]})
    shown = json.loads(delay.after("ListCreateAccountStatus", b'{"States": ["IN_PROGRESS"]}', statuses, 5)[2])
    assert [s["Id"] for s in shown["CreateAccountStatuses"]] == ["car-1"]

    clock.now += 0.1
    polled = _answer({"CreateAccountStatus": done})
    assert delay.after("DescribeCreateAccountStatus", b"{}", polled, 5) is polled
    assert delay.after("ListAccounts", b"{}", listed, 5) is listed
    assert delay.before("DescribeAccount", b'{"AccountId": "111111111111"}', 5)[1] is None


def test_account_creation_is_instant_when_no_delay_is_configured():
    delay = AccountCreationDelay(clock=FakeClock())
    created = _answer({"CreateAccountStatus": {"Id": "car-1", "State": "SUCCEEDED", "AccountId": "111111111111"}})
    assert delay.after("CreateAccount", b"{}", created, seconds=0) is created
    assert delay.pending(5) == {}
