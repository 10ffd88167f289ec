"""The plugin's fixtures keep the suite's endpoint overrides that send other services to this machine.

A suite that sends every service to moto's server with ``AWS_ENDPOINT_URL``
(set once, by a session fixture) keeps it in tests that use the plugin's
fixtures; Image Builder still reaches the fake, or the test's
``imagebuilder_server``. In an inner pytest session whose network is trapped:
any connection to a non-loopback address fails the test that made it.
"""

from __future__ import annotations

import contextlib
import socket

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
    # The override sent elsewhere is dropped aloud, in each test that uses the fixtures; Image Builder's own
    # goes in silence (the fake answers Image Builder: nothing reaches AWS because of it).
    result.assert_outcomes(passed=3, warnings=2)
    result.stdout.fnmatch_lines(
        [
            "*EndpointOverrideDroppedWarning: fakeimagebuilder removed AWS_ENDPOINT_URL_EC2 for this test: its host "
            "ec2.example.com is not this machine*"
        ]
    )
    assert "removed AWS_ENDPOINT_URL_IMAGEBUILDER" not in result.stdout.str()


_EVERY_ADDRESS_CONFTEST = """
import os
import socket

import pytest
from moto.server import ThreadedMotoServer

HERE = {here!r}  # the addresses this machine's names stand for here, known to the outer test
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1", *HERE)):
        raise OSError(f"network trapped: connect to {{address}}")
    return _connect(self, address)


def getaddrinfo(host, *args, **kwargs):
    if "amazonaws" in str(host):
        raise OSError(f"network trapped: lookup of {{host}}")
    return _getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="session")
def moto_port():
    # moto's own default: every address (0.0.0.0), as ThreadedMotoServer(port=0) binds.
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="0.0.0.0", port=port, verbose=False)
    server.start()
    yield port
    server.stop()


@pytest.fixture(scope="module", params={names!r})
def moto_server(request, moto_port):
    # Every service to moto's server, named as the suite names it: set before any test's own fixture.
    url = f"http://{{request.param}}:{{moto_port}}"
    os.environ["AWS_ENDPOINT_URL"] = url
    yield url
    del os.environ["AWS_ENDPOINT_URL"]
"""

_EVERY_ADDRESS_TESTS = """
import os

import boto3


def test_moto_server_named_as_this_machine_is_kept(moto_server, imagebuilder_fake):
    assert os.environ["AWS_ENDPOINT_URL"] == moto_server
    s3 = boto3.client("s3")
    assert s3.meta.endpoint_url == moto_server
    s3.create_bucket(Bucket="image-logs")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["image-logs"]
    s3.delete_bucket(Bucket="image-logs")
    boto3.client("imagebuilder").create_infrastructure_configuration(name="web", instanceProfileName="builder")
    assert imagebuilder_fake.state()  # Image Builder still reached the fake
"""


def test_moto_server_on_every_address_is_kept_however_this_machine_is_named(pytester: pytest.Pytester):
    # moto's ThreadedMotoServer binds 0.0.0.0 by default and get_host_and_port() says so: a suite's
    # AWS_ENDPOINT_URL then names 0.0.0.0, this machine's host name, or one of its addresses.
    names = ["0.0.0.0", socket.gethostname()]
    # No route off loopback: no address of its own to name.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        probe.connect(("198.51.100.7", 9))  # a UDP connect sends nothing: the kernel only picks the source
        own = str(probe.getsockname()[0])
        if not own.startswith("127."):
            names.append(own)
    here = ["0.0.0.0", *names[2:], *{info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}]
    pytester.makeconftest(_EVERY_ADDRESS_CONFTEST.format(here=tuple(here), names=names))
    pytester.makepyfile(test_endpoints=_EVERY_ADDRESS_TESTS)
    result = pytester.runpytest("-W", "error::fakeimagebuilder.pytest_plugin.EndpointOverrideDroppedWarning")
    result.assert_outcomes(passed=len(names))
