"""The pytest plugin's fixtures with moto: a user's ``mock_aws`` fixture in either order, moto's decorators
on tests and classes, the server fixture, and the network guard.

Inner pytest sessions (pytester) with the network trapped: any connection to
a non-loopback address fails the test that made it.
"""

from __future__ import annotations

import pytest

_CONFTEST = '''
import socket

import pytest
from moto import mock_aws

_connect = socket.socket.connect


def connect(self, address):
    if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1")):
        raise OSError(f"network trapped: connect to {address}")
    return _connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def aws():
    """What a moto user's conftest has."""
    with mock_aws():
        yield


@pytest.fixture
def aws_in_a_region(monkeypatch):
    """Another common shape: the test's monkeypatch, then moto."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield
'''

_TESTS = '''
import os

import boto3
import botocore.handlers
import botocore.session
import pytest
from botocore.endpoint import Endpoint
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from fakeimagebuilder.pytest_plugin import NetworkBlocked

BEFORE = (list(botocore.handlers.BUILTIN_HANDLERS), Endpoint._send, BotocoreStubber.__call__)
ENVIRONMENT = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}


def both_sides(imagebuilder):
    """S3 through moto, Image Builder through the fake, each using what the other holds."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="image-logs")
    imagebuilder.create_infrastructure_configuration(
        name="web", instanceProfileName="builder", logging={"s3Logs": {"s3BucketName": "image-logs"}}
    )
    listed = imagebuilder.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]
    arn = listed[0]["arn"]
    s3.put_object(Bucket="image-logs", Key="configuration", Body=arn.encode())
    bucket = imagebuilder.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
        "infrastructureConfiguration"]["logging"]["s3Logs"]["s3BucketName"]
    assert s3.get_object(Bucket=bucket, Key="configuration")["Body"].read() == arn.encode()


def test_moto_fixture_first(aws, imagebuilder_client):
    both_sides(imagebuilder_client)


def test_fake_fixture_first(imagebuilder_client, aws):
    both_sides(imagebuilder_client)


def test_clients_the_code_makes_itself(aws, imagebuilder_fake):
    both_sides(boto3.client("imagebuilder"))


@mock_aws
def test_decorated_by_moto(imagebuilder_client):
    both_sides(imagebuilder_client)


@mock_aws
class TestDecoratedByMoto:
    def test_in_a_class(self, imagebuilder_fake):
        both_sides(boto3.client("imagebuilder"))


def test_server_fixture_next_to_moto(aws, imagebuilder_server):
    both_sides(boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server)))
    # No fake in this test: an AWS endpoint is refused by the guard, not answered by moto.
    with pytest.raises(NetworkBlocked):
        boto3.client("imagebuilder").list_image_pipelines()


def test_guard_refuses_other_endpoints_under_moto(aws, imagebuilder_fake):
    client = botocore.session.get_session().create_client("imagebuilder", endpoint_url="https://imagebuilder.example.com")
    with pytest.raises(NetworkBlocked):
        client.list_image_pipelines()
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_without_the_fake_moto_answers_image_builder_as_before(aws):
    with pytest.raises(botocore.exceptions.ClientError, match="Not yet implemented"):
        boto3.client("imagebuilder", region_name="us-east-1").list_image_pipelines()


def test_monkeypatch_set_up_before_moto(monkeypatch, aws, imagebuilder_client):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    both_sides(imagebuilder_client)


def test_environment_restored_after_monkeypatch_before_moto():
    assert {name: value for name, value in os.environ.items() if name.startswith("AWS_")} == ENVIRONMENT


def test_moto_fixture_using_monkeypatch(aws_in_a_region, imagebuilder_client):
    both_sides(imagebuilder_client)


def test_environment_restored_after_a_moto_fixture_using_monkeypatch():
    assert {name: value for name, value in os.environ.items() if name.startswith("AWS_")} == ENVIRONMENT


def test_all_restored():
    assert (list(botocore.handlers.BUILTIN_HANDLERS), Endpoint._send, BotocoreStubber.__call__) == BEFORE
    assert {name: value for name, value in os.environ.items() if name.startswith("AWS_")} == ENVIRONMENT
'''


def test_the_plugins_fixtures_with_moto(pytester: pytest.Pytester):
    pytester.makeconftest(_CONFTEST)
    pytester.makepyfile(test_together=_TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=13)
