"""The organization's account quota, checked before the first write.

The quota comes from Service Quotas (the strict layer answers it from
``StrictConfig.account_quota``, the figure it refuses CreateAccount past);
every account of the organization counts, and every account the inventory
creates.  Refused before any write: by the organization role's first task
(site.yml), by org_account's ``quota_check_only``, and by a batch before its
first CreateAccount.
"""

import pytest
import yaml

from tests.integration.test_minimal_inventory import SITE
from tests.integration.test_minimal_inventory import write_inventory

MODULE = "awsorg.landing_zone.org_account"


def _failed(result):
    """Whether the module failed (ansible-core 2.19 keeps ``failed`` out of the result dict)."""
    return next(r["status"] for r in result["_run"].results if r["task"] == "module under test") == "failed"


def _new(*names):
    return [dict(params=dict(name=n, email=f"{n}@example.com", host=n)) for n in names]


def test_quota_check_only_refuses_naming_hosts_and_numbers_and_a_raised_quota_lets_it_through(
        ansible, proxy, organization):
    organization["client"].create_account(AccountName="existing", Email="existing@example.com")
    proxy.configure_strict(account_quota=3)
    args = dict(accounts=_new("sandbox", "payments"), quota_check_only=True)
    proxy.reset()

    refused = ansible.run_module(MODULE, args)
    assert _failed(refused), refused
    message = refused["msg"]
    for part in ("creates 2 account(s)", "sandbox", "payments", "has 2 account(s)", "account quota is 3"):
        assert part in message, message
    assert refused["account_quota"] == dict(quota=3, existing=2, planned=["sandbox", "payments"])
    assert proxy.mutating_calls() == []

    proxy.configure_strict(account_quota=4)
    passed = ansible.run_module(MODULE, args)
    assert not _failed(passed) and passed["changed"] is False, passed
    assert passed["account_quota"] == dict(quota=4, existing=2, planned=["sandbox", "payments"])
    assert not passed.get("warnings")
    assert proxy.mutating_calls() == []


def test_a_batch_refuses_before_its_first_create_account(ansible, proxy, organization):
    proxy.configure_strict(account_quota=2)
    proxy.reset()
    result = ansible.run_module(MODULE, dict(accounts=_new("a1", "a2")))
    assert _failed(result), result
    assert "account quota is 2" in result["msg"] and "a1" in result["msg"] and "a2" in result["msg"]
    assert [c for c in proxy.calls if c["action"] == "CreateAccount"] == []
    assert len(organization["client"].list_accounts()["Accounts"]) == 1


def test_site_refuses_an_inventory_over_the_quota_before_any_write(ansible, proxy, organization, tmp_path):
    # The README's minimal inventory creates dev and prod; the organization has its management account.
    path, inventory = write_inventory(tmp_path / "acme")
    proxy.configure_strict(account_quota=2)
    proxy.reset()
    run = ansible.run_playbook(SITE, inventory=path)
    assert run.rc != 0
    assert proxy.mutating_calls() == []
    [failure] = run.failed()
    message = failure["result"]["msg"]
    for part in ("creates 2 account(s) (dev, prod)", "has 1 account(s)", "account quota is 2"):
        assert part in message, message
    assert yaml.safe_load(path.read_text()) == inventory  # nothing written back either


def test_without_an_organization_the_caller_is_the_one_account_and_the_quota_the_default(ansible, proxy, aws):
    names = [f"n{i}" for i in range(10)]
    refused = ansible.run_module(MODULE, dict(accounts=_new(*names), quota_check_only=True))
    assert _failed(refused), refused
    assert refused["account_quota"] == dict(quota=10, existing=1, planned=names)
    passed = ansible.run_module(MODULE, dict(accounts=_new(*names[:9]), quota_check_only=True))
    assert not _failed(passed), passed
    assert proxy.mutating_calls() == []


def _quota_task(run):
    [entry] = [r for r in run.results if r["task"].endswith("Account quota - room for every account the inventory creates")]
    return entry


@pytest.mark.full_demo  # two site.yml runs: make test-full-demo (CI runs it after make test)
def test_site_checks_the_accounts_it_creates_and_a_re_run_that_creates_none_skips_the_check(
        ansible, proxy, organization, tmp_path):
    path, _inventory = write_inventory(tmp_path / "acme")
    proxy.configure_strict(account_quota=3)
    first = ansible.run_playbook(SITE, inventory=path)
    assert first.rc == 0, first.output[-4000:]
    checked = _quota_task(first)
    assert checked["status"] == "ok"
    # The management account's id is in the inventory: only dev and prod could be created.
    assert checked["result"]["account_quota"] == dict(quota=3, existing=1, planned=["dev", "prod"])
    names = {a["Name"] for a in organization["client"].list_accounts()["Accounts"]}
    assert {"acme-dev", "acme-prod"} <= names

    # Every id is written back now: nothing can be created, the module is not run.
    proxy.reset()
    again = ansible.run_playbook(SITE, inventory=path)
    assert again.rc == 0, again.output[-4000:]
    assert _quota_task(again)["status"] == "skipped"
    assert proxy.mutating_calls() == []
