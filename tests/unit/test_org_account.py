"""org_account's input validation: every bad value fails naming the option, before any AWS call."""

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.org_account import validate

DEFAULTS = dict(
    name=None,
    email=None,
    account_id=None,
    ou=None,
    role_name="OrganizationAccountAccessRole",
    iam_user_access_to_billing="ALLOW",
    tags=None,
    purge_tags=False,
    state="present",
    quarantine_ou=None,
    close=False,
    wait=True,
    wait_timeout=900,
)


class Failed(Exception):
    pass


class ValidatingModule:
    """The part of AnsibleLandingZoneModule that validate() uses; it has no AWS client at all."""

    def __init__(self, **params):
        self.params = dict(DEFAULTS, **params)

    def fail_json(self, msg):
        raise Failed(msg)


@pytest.mark.parametrize(
    "params, message_start",
    [
        (dict(email="not-an-email"), "email: 'not-an-email'"),
        (dict(email="a b@example.com"), "email: 'a b@example.com'"),
        (dict(email="ops@example.com\n"), "email: 'ops@example.com\\n'"),
        (dict(email="x" * 60 + "@example.com"), "email: 'xxxx"),
        (dict(name=""), "name: ''"),
        (dict(name="n" * 51), "name: '" + "n" * 51 + "'"),
        (dict(name="café"), "name: 'café'"),
        (dict(name="app\n"), "name: 'app\\n'"),
        (dict(account_id="12345678901"), "account_id: '12345678901'"),
        (dict(account_id="123456789012\n"), "account_id: '123456789012\\n'"),
        (dict(role_name="bad role"), "role_name: 'bad role'"),
        (dict(wait_timeout=-1), "wait_timeout: -1"),
        (dict(ou="workloads"), "ou: OU path 'workloads'"),
        (dict(ou="/a/b/c/d/e/f"), "ou: OU path '/a/b/c/d/e/f' is 6 levels deep"),
        (dict(quarantine_ou="/a//b"), "quarantine_ou: OU path '/a//b'"),
    ],
)
def test_bad_values_fail_naming_the_option_and_the_value(params, message_start):
    with pytest.raises(Failed) as failed:
        validate(ValidatingModule(**params))
    assert str(failed.value).startswith(message_start)


@pytest.mark.parametrize(
    "params, message_start",
    [
        (dict(name="app"), "account_id or email: one of them is required"),
        (dict(email="ops@example.com", state="absent"), "quarantine_ou: required with state=absent"),
    ],
)
def test_missing_options_are_checked_per_account(params, message_start):
    # Checked by validate(), not the module's required_if, so that each entry of accounts is checked too.
    with pytest.raises(Failed) as failed:
        validate(ValidatingModule(**params))
    assert str(failed.value).startswith(message_start)


def test_good_values_pass():
    validate(
        ValidatingModule(
            name="n" * 50,
            email="aws+payments-prod@example.co.uk",
            account_id="012345678901",
            ou="/workloads/prod",
            quarantine_ou="/",
            role_name="LandingZone.Admin@ops",
            wait_timeout=0,
        )
    )
