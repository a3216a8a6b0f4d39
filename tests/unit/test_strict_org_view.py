"""The strict layer's view of the organization: read from moto once, again after organization_view_seconds or a write."""

from types import SimpleNamespace

import pytest

from tests.harness.strict_aws import StrictConfig
from tests.harness.strict_rules.org_view import OrganizationView


class _Organizations:
    """moto's organizations client as the view reads it; counts DescribeOrganization."""

    class exceptions:  # pylint: disable=invalid-name
        AWSOrganizationsNotInUseException = LookupError

    def __init__(self):
        self.reads = 0

    def describe_organization(self):
        self.reads += 1
        return {"Organization": {"Id": "o-example", "MasterAccountId": "111111111111"}}

    def list_roots(self):
        return {"Roots": [{"Id": "r-root", "PolicyTypes": []}]}

    def get_paginator(self, _operation):
        return SimpleNamespace(paginate=lambda **_params: [{"Accounts": [{"Id": "111111111111"}]}])


def _view(seconds):
    client = _Organizations()
    now = [0.0]
    layer = SimpleNamespace(config=StrictConfig(organization_view_seconds=seconds), clock=lambda: now[0],
                            moto=SimpleNamespace(client=lambda _service: client))
    return OrganizationView(layer), client, now


def test_the_view_is_read_again_only_after_its_seconds_or_a_write():
    view, client, now = _view(1.0)
    assert view.organization()["id"] == "o-example"
    now[0] = 0.9
    view.organization()
    assert client.reads == 1
    now[0] = 1.0
    view.organization()
    assert client.reads == 2
    view.forget()  # a write passed through the proxy
    view.organization()
    assert client.reads == 3


def test_a_longer_view_reads_moto_less_and_the_setting_is_read_on_each_use():
    view, client, now = _view(60.0)
    view.organization()
    now[0] = 30.0
    view.organization()
    assert client.reads == 1
    view.layer.config = StrictConfig(organization_view_seconds=10.0)  # the proxy's configure()
    view.organization()
    assert client.reads == 2


def test_the_setting_is_checked():
    with pytest.raises(ValueError, match="organization_view_seconds"):
        StrictConfig(organization_view_seconds=-1)
