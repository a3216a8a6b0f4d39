"""org_account closes retired accounts within AWS's rolling 30-day close quota.

The strict layer refuses CloseAccount past the quota (close_quota_minimum
lowered to 2: with four members AWS's figure is max(2, 20% of 4) = 2); the
module is told the same figure (close_quota).  The end state is read back
from moto, the writes from the proxy's record.
"""

import datetime

import pytest

MODULE = "awsorg.landing_zone.org_account"


def _failed(result):
    """Whether the module failed (ansible-core 2.19 keeps ``failed`` out of the result dict)."""
    return next(r["status"] for r in result["_run"].results if r["task"] == "module under test") == "failed"


TAG = "landing-zone:close-requested"


def _tags(client, account_id):
    return {t["Key"]: t["Value"] for t in client.list_tags_for_resource(ResourceId=account_id)["Tags"]}


@pytest.fixture
def retiring(proxy, organization):
    """Four member accounts made directly in moto, a quarantine OU, and the strict close quota at 2."""
    client = organization["client"]
    quarantine = client.create_organizational_unit(ParentId=organization["root_id"], Name="suspended")[
        "OrganizationalUnit"]["Id"]
    ids = [client.create_account(AccountName=f"old-{i}", Email=f"old-{i}@example.com")["CreateAccountStatus"][
        "AccountId"] for i in range(4)]
    proxy.configure_strict(close_quota_minimum=2, close_pending_seconds=0)
    return dict(client=client, quarantine=quarantine, ids=ids)


def _batch(ids, **options):
    return dict(accounts=[dict(params=dict(account_id=i, state="absent", close=True)) for i in ids],
                quarantine_ou="/suspended", **options)


def _split(result):
    return [(r["account_id"], r["close_state"], r["close_waiting_until"]) for r in result["accounts"]]


@pytest.mark.long  # preview, run and re-run; the quota's refusal stays in make test (below)
def test_closes_what_the_quota_allows_the_rest_waits_preview_agrees_rerun_writes_nothing(ansible, proxy, retiring):
    client, ids = retiring["client"], retiring["ids"][:3]
    args = _batch(ids, close_quota=2)
    proxy.reset()
    predicted = ansible.run_module(MODULE, args, check=True)
    assert proxy.mutating_calls() == []
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)).strftime("%Y-%m-%d")
    expected = [(ids[0], "closing", None), (ids[1], "closing", None), (ids[2], "waiting", until)]
    assert _split(predicted) == expected, predicted

    applied = ansible.run_module(MODULE, args)
    assert not _failed(applied), applied
    assert applied["changed"] is True
    assert _split(applied) == expected
    assert any(ids[2] in w and until in w for w in applied.get("warnings", [])), applied.get("warnings")
    for account_id in ids[:2]:
        assert client.describe_account(AccountId=account_id)["Account"]["Status"] in ("PENDING_CLOSURE", "SUSPENDED")
        assert TAG in _tags(client, account_id)
    waiting = client.describe_account(AccountId=ids[2])["Account"]
    assert waiting["Status"] == "ACTIVE" and TAG not in _tags(client, ids[2])
    assert client.list_parents(ChildId=ids[2])["Parents"][0]["Id"] == retiring["quarantine"]
    writes = sorted(c["action"] for c in proxy.mutating_calls())
    assert writes == ["CloseAccount"] * 2 + ["MoveAccount"] * 3 + ["TagResource"] * 2

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert proxy.mutating_calls() == []
    assert _split(again) == [(ids[0], "closed", None), (ids[1], "closed", None), (ids[2], "waiting", until)]


def test_a_refusal_of_aws_leaves_the_account_waiting_not_failed(ansible, proxy, retiring):
    client, ids = retiring["client"], retiring["ids"][:3]
    # Without close_quota the module counts with AWS's figure (250): the strict layer refuses the third.
    result = ansible.run_module(MODULE, _batch(ids))
    assert not _failed(result), result
    states = sorted(r["close_state"] for r in result["accounts"])
    assert states == ["closing", "closing", "waiting"]
    [waiting] = [r for r in result["accounts"] if r["close_state"] == "waiting"]
    assert waiting["close_waiting_until"] is None
    assert client.describe_account(AccountId=waiting["account_id"])["Account"]["Status"] == "ACTIVE"
    assert TAG not in _tags(client, waiting["account_id"])
    assert [c for c in proxy.calls if c["action"] == "CloseAccount" and c.get("strict")] != []
    assert any("CLOSE_ACCOUNT_QUOTA_EXCEEDED" in w for w in result.get("warnings", []))
