"""The plugin's fixtures keep the suite's endpoint overrides that send other services to this machine.

A suite that sends every service to moto's server with ``AWS_ENDPOINT_URL``
(set once, by a session fixture) keeps it in tests that use the plugin's
fixtures; Image Builder still reaches the fake, or the test's
``imagebuilder_server``. In an inner pytest session whose network is trapped:
any connection to a non-loopback address fails the test that made it.
"""

from __future__ import annotations

import pytest

_CONFTEST = '''
import os
import socket

import pytest
from moto.server import ThreadedMotoServer

_connect = socket.socket.connect


def connect(self, address):
    if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1")):
        raise OSError(f"network trapped: connect to {address}")
    return _connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="session")
def moto_server():
    """Every service to moto's server, as a suite's session fixture sets it up."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    before = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ENDPOINT_URL_SNS=f"http://localhost:{port}",
        AWS_ENDPOINT_URL_EC2="https://ec2.example.com",
        AWS_ENDPOINT_URL_IMAGEBUILDER="http://127.0.0.1:9",
    )
    yield url
    server.stop()
    os.environ.clear()
    os.environ.update(before)  # this runs inside the outer test's process
'''

_TESTS = '''
import os

import boto3
import pytest

from fakeimagebuilder.pytest_plugin import NetworkBlocked


def endpoints():
    return {name: value for name, value in os.environ.items() if name.startswith("AWS_ENDPOINT_URL")}


def in_moto(moto_server):
    """Calls through clients that name no endpoint; moto's server holds what they made."""
    boto3.client("s3").create_bucket(Bucket="image-logs")
    boto3.client("sns").create_topic(Name="builds")
    direct = boto3.session.Session().client("s3", endpoint_url=moto_server)
    assert [b["Name"] for b in direct.list_buckets()["Buckets"]] == ["image-logs"]
    direct.delete_bucket(Bucket="image-logs")


def test_the_fake_next_to_moto_server(moto_server, imagebuilder_fake):
    assert endpoints() == {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ENDPOINT_URL_SNS": moto_server.replace("127.0.0.1", "localhost"),
        "AWS_ENDPOINT_URL_IMAGEBUILDER": "https://imagebuilder.us-east-1.amazonaws.com",
    }
    in_moto(moto_server)
    boto3.client("imagebuilder").create_infrastructure_configuration(name="web", instanceProfileName="builder")
    held = imagebuilder_fake.state()[imagebuilder_fake.account_id]["us-east-1"]["infrastructureConfigurations"]
    assert [c["name"] for c in held] == ["web"]


def test_the_server_next_to_moto_server(moto_server, imagebuilder_server, monkeypatch):
    in_moto(moto_server)
    with pytest.raises(NetworkBlocked):  # no fake in this test: Image Builder's AWS endpoint is refused
        boto3.client("imagebuilder").list_image_pipelines()
    monkeypatch.setenv("AWS_ENDPOINT_URL_IMAGEBUILDER", str(imagebuilder_server))
    client = boto3.session.Session().client("imagebuilder")  # a fresh session reads the variable
    client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    fake = imagebuilder_server.fake
    assert [c["name"] for c in fake.state()[fake.account_id]["us-east-1"]["infrastructureConfigurations"]] == ["web"]


def test_the_suites_overrides_are_back(moto_server):
    assert endpoints() == {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ENDPOINT_URL_SNS": moto_server.replace("127.0.0.1", "localhost"),
        "AWS_ENDPOINT_URL_EC2": "https://ec2.example.com",
        "AWS_ENDPOINT_URL_IMAGEBUILDER": "http://127.0.0.1:9",
    }
'''


def test_local_endpoint_overrides_of_other_services_are_kept(pytester: pytest.Pytester):
    pytester.makeconftest(_CONFTEST)
    pytester.makepyfile(test_endpoints=_TESTS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
