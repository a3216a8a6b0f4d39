"""Host and group naming of the organization inventory plugin (no AWS)."""

import random

import pytest

from ansible_collections.awsorg.landing_zone.plugins.inventory.organization import InventoryModule
from ansible_collections.awsorg.landing_zone.plugins.inventory.organization import account_status
from ansible_collections.awsorg.landing_zone.plugins.inventory.organization import assign_host_names
from ansible_collections.awsorg.landing_zone.plugins.inventory.organization import ou_group_name
from ansible_collections.awsorg.landing_zone.plugins.inventory.organization import sanitize_host_name


@pytest.mark.parametrize(
    "name, prefix, expected",
    [
        ("acme-security", None, "acme-security"),
        ("acme-security", "acme-", "security"),
        ("ACME-Log Archive", "acme-", "log_archive"),
        ("Acme Payments EU!", "acme-", "acme_payments_eu_"),
        ("Acme Payments", "Acme ", "payments"),
        ("acme-", "acme-", "acme-"),
        ("other-security", "acme-", "other-security"),
        ("snake_case-1", None, "snake_case-1"),
    ],
)
def test_sanitize_host_name(name, prefix, expected):
    assert sanitize_host_name(name, prefix) == expected


def test_collisions_get_the_account_id_whatever_the_listing_order():
    accounts = [
        dict(id="222222222222", name="acme-app"),
        dict(id="111111111111", name="ACME app"),
        dict(id="333333333333", name="acme-security"),
        dict(id="444444444444", name="app"),
    ]
    expected = {
        "111111111111": "acme_app",
        "222222222222": "app_222222222222",
        "333333333333": "security",
        "444444444444": "app_444444444444",
    }
    for seed in range(5):
        random.Random(seed).shuffle(accounts)
        assert assign_host_names(accounts, "acme-") == expected


def test_a_suffixed_name_never_takes_another_accounts_name():
    accounts = [
        dict(id="111111111111", name="app"),
        dict(id="222222222222", name="app"),
        # Named exactly what the first collision would become.
        dict(id="333333333333", name="app_111111111111"),
    ]
    names = assign_host_names(accounts)
    assert len(set(names.values())) == 3
    assert names["333333333333"] == "app_111111111111"
    assert names["111111111111"] == "app_111111111111_111111111111"
    assert names["222222222222"] == "app_222222222222"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/", None),
        ("/workloads", "ou_workloads"),
        ("/workloads/prod", "ou_workloads_prod"),
        ("/Shared Services/log-archive", "ou_shared_services_log_archive"),
    ],
)
def test_ou_group_name(path, expected):
    assert ou_group_name(path) == expected


def test_status_falls_back_to_the_newer_state_field():
    assert account_status({"Status": "ACTIVE", "State": "ACTIVE"}) == "ACTIVE"
    assert account_status({"State": "CLOSED"}) == "CLOSED"


@pytest.mark.parametrize(
    "path, accepted",
    [
        ("inventories/prod/organization.yml", True),
        ("inventories/prod/organization.yaml", True),
        ("inventories/prod/aws_organization.yml", True),
        ("inventories/prod/acme.organization.yml", True),
        ("inventories/prod/hosts.yml", False),
        ("inventories/prod/organization.json", False),
    ],
)
def test_verify_file_accepts_only_organization_configs(tmp_path, path, accepted):
    config = tmp_path / path
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("plugin: awsorg.landing_zone.organization\n")
    assert InventoryModule().verify_file(str(config)) is accepted


# --- values from AWS are never templates -------------------------------------

class _Marked(str):
    """What the test's stand-in for wrap_var returns: a string known to have been marked."""


def _mark(value):
    if isinstance(value, dict):
        return {_mark(key): _mark(item) for key, item in value.items()}
    if isinstance(value, str):
        return _Marked(value)
    return value


def _all_marked(value):
    if isinstance(value, dict):
        return all(_all_marked(key) and _all_marked(item) for key, item in value.items())
    if isinstance(value, str):
        return isinstance(value, _Marked)
    return value is None


TEMPLATE = "{{ lookup('pipe', 'touch /tmp/pwned') }}"


def test_every_value_from_aws_is_marked_unsafe(monkeypatch):
    # ansible-core 2.19 leaves wrap_var's result a plain str (it only drops
    # trust), so the marking is observed through the function the plugin
    # calls: under 2.17 and 2.18 that same call is what makes the value an
    # AnsibleUnsafeText that Jinja never evaluates.
    from ansible_collections.awsorg.landing_zone.plugins.inventory import organization

    monkeypatch.setattr(organization, "wrap_var", _mark)
    account = dict(id="210987654321", name=TEMPLATE, email=f"{TEMPLATE}@example.com",
                   arn=f"arn:aws:organizations::123456789012:account/o-abcdefghij/{TEMPLATE}",
                   status="ACTIVE", joined_method="CREATED", ou_path=f"/{TEMPLATE}", ou_id="ou-ab12-abcdefgh",
                   tags={TEMPLATE: TEMPLATE, "env": "prod"})

    host_vars = organization.account_host_vars(account)

    from_aws = {name: value for name, value in host_vars.items() if not name.startswith("ansible_")}
    assert sorted(from_aws) == ["account_arn", "account_email", "account_id", "account_joined_method",
                                "account_name", "account_ou", "account_ou_id", "account_status", "account_tags"]
    unmarked = [name for name, value in from_aws.items() if not _all_marked(value)]
    assert unmarked == []
    assert host_vars["account_name"] == TEMPLATE
    assert host_vars["account_tags"] == {TEMPLATE: TEMPLATE, "env": "prod"}
