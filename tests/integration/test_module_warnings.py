"""Ordinary runs carry no deprecation warnings of ours (issue 16).

A module's own warning reaches the user once, through AnsibleModule.warn,
and not through ``exit_json(warnings=...)``, which ansible-core 2.19
deprecates; an option whose name contains "pass" but holds no secret says
so (``no_log=False``), so Ansible does not warn that it might.
"""

MANAGEMENT_ACCOUNT = "123456789012"


def test_a_module_warning_is_shown_once_without_a_deprecation_warning(ansible, organization):
    # org_account warns, and does not rename, when the inventory's name is
    # not a member account's and the organization does not trust AWS Account
    # Management; account_baseline has password_policy and its
    # allow_password_change.
    client = organization["client"]
    request = client.create_account(AccountName="member", Email="member@example.com")["CreateAccountStatus"]
    member = client.describe_create_account_status(CreateAccountRequestId=request["Id"])["CreateAccountStatus"]["AccountId"]
    policy = dict(minimum_password_length=14, allow_password_change=True)
    run = ansible.run_tasks([
        {"name": "adopt", "awsorg.landing_zone.org_account": dict(account_id=member, name="not-its-name")},
        {"name": "policy", "awsorg.landing_zone.account_baseline": dict(password_policy=policy)},
    ])
    assert run.rc == 0, run.output[-4000:]
    [warning] = run.one("adopt")["warnings"]
    assert "does not rename accounts" in warning
    assert run.output.count("does not rename accounts") == 1, run.output[-4000:]
    assert run.one("policy")["changed"] is True
    assert "DEPRECATION WARNING" not in run.output, run.output[-4000:]
    assert "Passing `warnings`" not in run.output, run.output[-4000:]
    assert "did not set no_log" not in run.output, run.output[-4000:]
