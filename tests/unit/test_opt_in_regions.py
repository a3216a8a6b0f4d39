"""Opt-in regions: the collection's list against botocore's, the checks, the inventory rows and the converge logic."""

import botocore.loaders
import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.opt_in_regions import DEFAULT_REGIONS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.opt_in_regions import OPT_IN_REGIONS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.opt_in_regions import region_lists_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import module_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import account_settings


def test_default_and_opt_in_regions_are_botocores_aws_partition():
    endpoints = botocore.loaders.Loader().load_data("endpoints")
    aws = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    assert not DEFAULT_REGIONS & OPT_IN_REGIONS
    assert len(DEFAULT_REGIONS) == 17
    # A region botocore knows and this list does not: AWS opened a region; add it to OPT_IN_REGIONS.
    assert set(aws["regions"]) == DEFAULT_REGIONS | OPT_IN_REGIONS


def test_region_lists_problems():
    assert region_lists_problems(["af-south-1"], ["me-south-1"]) == []
    assert region_lists_problems(None, None) == []
    problems = region_lists_problems(["us-east-1", "Nowhere"], ["af-south-1", "xx-north-9"])
    assert "opt_in_regions: 'us-east-1' is enabled by default" in problems[0]
    assert "opt_in_regions: 'Nowhere' is not an AWS region" in problems[1]
    assert "opt_out_regions: 'xx-north-9' is not an opt-in region" in problems[2]
    assert region_lists_problems(["af-south-1"], ["af-south-1"]) == [
        "opt_in_regions and opt_out_regions: af-south-1 cannot be both enabled and disabled"]


def test_the_plan_feeds_the_regions_an_accounts_own_list_replacing_the_organization_wide_one():
    hosts = dict(
        mgmt=dict(account_id="123456789012", account_email="root@example.com", account_wave=0),
        dev=dict(account_opt_out_regions=["me-south-1"]),
        own=dict(account_opt_in_regions=["eu-south-2"]),
        old=dict(account_id="210987654321", account_state="absent"),
    )
    settings = dict(landing_zone_project="acme", landing_zone_email_pattern="aws+{account}@example.com",
                    landing_zone_opt_in_regions=["af-south-1"])
    plan, problems = build_plan(hosts, ["mgmt"], settings)
    assert problems == []
    params = {host: entry["params"] for host, entry in module_params(plan)["org_account"].items()}
    assert (params["dev"]["opt_in_regions"], params["dev"]["opt_out_regions"]) == (["af-south-1"], ["me-south-1"])
    assert params["own"]["opt_in_regions"] == ["eu-south-2"] and "opt_out_regions" not in params["own"]
    assert "opt_in_regions" not in params["old"]  # a retired account is not touched


def test_the_preflight_refuses_a_region_that_is_not_opt_in():
    hosts = dict(mgmt=dict(account_id="123456789012", account_email="root@example.com", account_wave=0,
                           account_opt_in_regions=["eu-west-1"]))
    _plan, problems = build_plan(hosts, ["mgmt"], dict(landing_zone_project="acme"))
    assert any("account_opt_in_regions" in str(p) and "enabled by default" in str(p) for p in problems), problems


class _Module:
    def __init__(self, params, check_mode=False):
        self.params = dict(dict(name=None, wait=True, wait_timeout=60), **params)
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def fail_json(self, msg):
        raise AssertionError(msg)


class _Target:
    """An account whose regions change as AWS does: each write makes a transition, each read may settle it."""

    def __init__(self, module, statuses):
        self.module = module
        self.account = dict(Id="210987654321", Name="dev")
        self.statuses = dict(statuses)
        self.reads = 0
        self.writes = []

    def regions_not_disabled(self):
        self.reads += 1
        listed = {r: s for r, s in self.statuses.items() if s != "DISABLED"}
        self.statuses = {r: {"ENABLING": "ENABLED", "DISABLING": "DISABLED"}.get(s, s) for r, s in self.statuses.items()}
        return listed


def test_a_region_changing_the_other_way_is_waited_on_before_it_is_changed(monkeypatch):
    module = _Module(dict(opt_in_regions=["af-south-1"], opt_out_regions=["me-south-1"]))
    target = _Target(module, {"af-south-1": "DISABLING", "me-south-1": "ENABLED"})
    calls = []

    def change(kind):
        def call(client, region, account_id):  # pylint: disable=unused-argument
            calls.append((kind, region, target.statuses[region]))
            target.statuses[region] = {"enable": "ENABLING", "disable": "DISABLING"}[kind]
        return call

    monkeypatch.setattr(account_settings.account_api, "enable_region", change("enable"))
    monkeypatch.setattr(account_settings.account_api, "disable_region", change("disable"))
    before, after = {}, {}
    changed = account_settings._converge_regions(  # pylint: disable=protected-access
        module, _FakeTrusted(target), account_settings.wanted_regions(module.params), before, after,
        sleep=lambda seconds: None, clock=lambda: 0.0)
    assert changed is True
    # af-south-1 was DISABLING: enabled only once it read DISABLED (AWS answers ConflictException before).
    assert calls == [("enable", "af-south-1", "DISABLED"), ("disable", "me-south-1", "ENABLED")]
    assert before["regions"] == {"af-south-1": "DISABLING", "me-south-1": "ENABLED"}
    assert after["regions"] == {"af-south-1": "ENABLED", "me-south-1": "DISABLED"}


class _FakeTrusted:
    """account_settings.AccountTarget's interface over _Target."""

    def __init__(self, target):
        self._target = target
        self.module = target.module
        self.account = target.account
        self.trusted = self.will_be_trusted = True
        self.account_id = target.account["Id"]
        self.client = None

    def regions_not_disabled(self):
        return self._target.regions_not_disabled()


def test_nothing_to_change_reads_nothing():
    assert account_settings.converge(_Module({}), RunContext(), None, dict(Id="1", Name="x"), {}, {}) is False


@pytest.mark.parametrize("current, wanted, write", [
    ("ENABLED", "ENABLED", False), ("ENABLING", "ENABLED", False), ("DISABLED", "ENABLED", True),
    ("DISABLED", "DISABLED", False), ("DISABLING", "DISABLED", False), ("ENABLED", "DISABLED", True),
])
def test_only_a_region_settled_the_other_way_needs_a_call(current, wanted, write):
    assert account_settings._needs_write(current, wanted) is write  # pylint: disable=protected-access
