"""Fixtures shared by the unit tests."""

import boto3
import pytest
from botocore.stub import Stubber


@pytest.fixture
def client():
    """An Organizations client answered by botocore's Stubber (``client.stubber``); every stubbed answer must be used."""
    client = boto3.client(
        "organizations", region_name="us-east-1", aws_access_key_id="unit", aws_secret_access_key="unit"
    )
    with Stubber(client) as stubber:
        client.stubber = stubber
        yield client
        stubber.assert_no_pending_responses()
