"""org_account's follow_up against moto behind the strict layer: each account's work behind its own creation.

Creations take 8 seconds (the proxy answers IN_PROGRESS until then, as AWS
does) and a new account's member role is refused for the strict layer's
delay after its creation succeeded; AWS allows five creations in flight,
so the sixth waits for a slot and is created from about 8 s to 16 s.  The
slots go to the lower waves first, so the sixth is an account of wave 2 and
the first account's work (1 s role delay, a poll of up to 3 s) begins near
10-12 s: the overlap asserted below has seconds of margin.  (When the slots
went to whichever thread came first, a loaded machine sometimes created a
wave-1 account in the second round, and every job waited for it.)  The jobs
are the baseline (an alias per account) and a role trusting the first
account, which is created by the same run.
"""

import pytest

MODULE = "awsorg.landing_zone.org_account"
NAMES = [f"follow-{index}" for index in range(6)]
WAVES = [1, 1, 2, 2, 2, 2]


def _accounts():
    return [dict(params=dict(name=name, email=f"{name}@example.com")) for name in NAMES]


def _follow_up():
    baseline = dict(module="account_baseline", options=dict(regions=["us-east-1"]),
                    entries=[dict(index=index, params=dict(account_alias=f"acme-{name}"))
                             for index, name in enumerate(NAMES)])
    role = dict(module="iam_cross_account_role", options=dict(name="auditor", require_mfa=True),
                account_id_options=dict(source_account_id=0),
                entries=[dict(index=index) for index in range(1, len(NAMES))])
    return dict(waves=WAVES, jobs=[baseline, role])


def _account_of_call(proxy):
    """The account each call acted in, by its access key (the strict layer asks moto who owns it)."""
    known = {}

    def account_of(call):
        key = call.get("access_key_id")
        if key not in known:
            known[key] = proxy.strict.sessions.caller(key).account_id if key else None
        return known[key]
    return account_of


@pytest.mark.long
def test_each_account_gets_its_baseline_and_role_while_others_are_still_being_created(ansible, proxy, organization, aws):
    proxy.configure(account_creation_seconds=8)
    args = dict(accounts=_accounts(), follow_up=_follow_up())

    preview = ansible.run_module(MODULE, args, check=True)
    assert preview["changed"] is True, preview
    assert preview["followed_up"] == list(range(6))
    assert {(r["index"], r["label"]) for r in preview["follow_up"]} == (
        {(index, "account_baseline") for index in range(6)}
        | {(index, "iam_cross_account_role auditor") for index in range(1, 6)})
    assert proxy.mutating_calls() == []

    proxy.reset()
    result = ansible.run_module(MODULE, args)
    assert result["changed"] is True, result.get("msg")
    assert result["followed_up"] == list(range(6))
    ids = [entry["account"]["id"] for entry in result["accounts"]]

    # The end state, read back in each account.
    for account_id, name in zip(ids, NAMES):
        assert aws.client("iam", account_id).list_account_aliases()["AccountAliases"] == [f"acme-{name}"]
    for account_id in ids[1:]:
        trust = aws.client("iam", account_id).get_role(RoleName="auditor")["Role"]["AssumeRolePolicyDocument"]
        principals = [statement["Principal"]["AWS"] for statement in trust["Statement"]]
        assert principals == [f"arn:aws:iam::{ids[0]}:root"], trust

    # Work in member accounts began while a creation was still being waited on.
    account_of = _account_of_call(proxy)
    member_writes = [c for c in proxy.mutating_calls() if account_of(c) in ids]
    last_status_poll = max(c["time"] for c in proxy.calls if c["action"] == "DescribeCreateAccountStatus")
    first_member_write = min(c["time"] for c in member_writes)
    assert first_member_write < last_status_poll, (first_member_write, last_status_poll)
    # Wave 2 began only after wave 1's last write.
    wave_one = {ids[index] for index, wave in enumerate(WAVES) if wave == 1}
    wave_two = set(ids) - wave_one
    last_wave_one_write = max(c["time"] for c in member_writes if account_of(c) in wave_one)
    wave_two_calls = [c for c in proxy.calls if account_of(c) in wave_two]
    assert min(c["time"] for c in wave_two_calls) > last_wave_one_write
    assert sum(1 for c in proxy.calls if c["action"] == "CreateAccount") == 6
    # The slots go by wave: the account created last (in the second round) is one of wave 2.
    statuses = organization["client"].list_create_account_status()["CreateAccountStatuses"]
    requested = sorted((s["RequestedTimestamp"], s["AccountId"]) for s in statuses if s.get("AccountId") in ids)
    assert len(requested) == 6 and requested[-1][1] in wave_two, requested

    proxy.reset()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False, again
    assert again["followed_up"] == list(range(6))
    assert proxy.mutating_calls() == []
    # One member-role session per account for both of its jobs.
    assert [c["status"] for c in proxy.calls if c["action"] == "AssumeRole"] == [200] * 6


def test_leave_last_creations_leaves_the_last_round_alone_in_preview_and_real_run(ansible, proxy, organization, aws):
    """Seven entries: one account found by its email, six created (two rounds: five, then one).  The sixth
    creation (last in wave order) and the later wave are left to the caller, in the preview as in the real run;
    the task ends without waiting for that account's member role."""
    client = organization["client"]
    existing = client.create_account(AccountName="found", Email="found@example.com")["CreateAccountStatus"]
    names = ["found"] + NAMES
    waves = [1, 1, 1, 2, 2, 2, 3]  # "found" (wave 1) and the accounts of waves 1-2 first; follow-5 in wave 3
    accounts = [dict(params=dict(name=name, email=f"{name}@example.com")) for name in names]
    baseline = dict(module="account_baseline", options=dict(regions=["us-east-1"]),
                    entries=[dict(index=index, params=dict(account_alias=f"acme-{name}"))
                             for index, name in enumerate(names)])
    args = dict(accounts=accounts, follow_up=dict(waves=waves, jobs=[baseline], leave_last_creations=True))
    proxy.configure(account_creation_seconds=3)
    proxy.reset()

    preview = ansible.run_module(MODULE, args, check=True)
    assert preview["changed"] is True, preview
    assert preview["followed_up"] == [0, 1, 2, 3, 4, 5], preview["followed_up"]
    assert proxy.mutating_calls() == []
    # The listing that tells the creations from the accounts found is the one the entries read.
    assert [c["action"] for c in proxy.calls].count("ListAccounts") == 1

    proxy.reset()
    result = ansible.run_module(MODULE, args)
    assert result["changed"] is True, result.get("msg")
    assert result["followed_up"] == preview["followed_up"]
    ids = [entry["account"]["id"] for entry in result["accounts"]]
    assert ids[0] == existing["AccountId"]
    for account_id, name in zip(ids[:6], names[:6]):
        assert aws.client("iam", account_id).list_account_aliases()["AccountAliases"] == [f"acme-{name}"]
    # Left to the caller: created, placed, tagged, but no job ran in it and its role was never assumed.
    assert aws.client("iam", ids[6]).list_account_aliases()["AccountAliases"] == []
    account_of = _account_of_call(proxy)
    assert sum(1 for c in proxy.calls if c["action"] == "AssumeRole" and c["status"] == 200) == 6
    assert not [c for c in proxy.calls if account_of(c) == ids[6]]
