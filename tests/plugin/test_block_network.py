"""``imagebuilder_block_network = true``: no connection of any test leaves the machine, whatever makes it.

The inner sessions run in this process; underneath the guard, the socket functions it wraps are a trap
that records and refuses anything off the machine, so even a broken guard sends nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def leaks(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What got past the guard to the real socket functions (loopback and this machine's name go through)."""
    seen: list[Any] = []

    def here(host: Any) -> bool:
        return host is None or str(host) in ("localhost", "::1", socket.gethostname()) or str(host).startswith("127.")

    def trap_lookup(name: str) -> Any:
        real = getattr(socket, name)

        def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
            address = host[0] if name == "getnameinfo" else host
            if here(address) or (name == "getnameinfo" and args[0] & socket.NI_NUMERICHOST):
                return real(host, *args, **kwargs)
            seen.append((name, host))
            raise OSError("trapped")

        return lookup

    def trap_send(name: str, address_of: Callable[[tuple[Any, ...]], Any]) -> Any:
        real = getattr(socket.socket, name)

        def send(self: socket.socket, *args: Any) -> Any:
            address = address_of(args)
            if address is None or self.family == socket.AF_UNIX or here(address[0]):
                return real(self, *args)
            seen.append((name, address))
            raise OSError("trapped")

        return send

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
        monkeypatch.setattr(socket, name, trap_lookup(name))
    # Where the address is among each method's arguments (after self): sendmsg may have none (connected).
    for name, address_of in (
        ("connect", lambda args: args[0]),
        ("connect_ex", lambda args: args[0]),
        ("sendto", lambda args: args[-1]),
        ("sendmsg", lambda args: args[3] if len(args) > 3 else None),
    ):
        monkeypatch.setattr(socket.socket, name, trap_send(name, address_of))
    return seen


INNER = """
import contextlib
import http.server
import socket
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import HTTPClientError

from fakeimagebuilder.pytest_plugin import NetworkBlocked
from pipelines import make_pipeline

ONCE = Config(retries={"total_max_attempts": 1})
KEYS = {"aws_access_key_id": "x", "aws_secret_access_key": "y", "config": ONCE}


def test_the_guard_is_on():
    assert socket.getaddrinfo.__module__ == "fakeimagebuilder.network_guard"


# botocore wraps what its HTTP client raises (HTTPClientError), keeping the guard's message.
def test_another_service_without_any_fixture():
    with pytest.raises(HTTPClientError, match="with imagebuilder_block_network = true nothing leaves the machine") as e:
        boto3.client("s3", region_name="us-east-1", **KEYS).list_buckets()
    assert isinstance(e.value.__context__, NetworkBlocked)  # as README says


def test_image_builder_without_a_fixture():
    with pytest.raises(HTTPClientError, match="refused a connection to imagebuilder.eu-west-1.amazonaws.com"):
        boto3.client("imagebuilder", region_name="eu-west-1", **KEYS).list_image_pipelines()


def test_other_libraries_and_raw_sockets():
    with pytest.raises(NetworkBlocked):
        urllib.request.urlopen("http://example.com/", timeout=1)
    with pytest.raises(NetworkBlocked, match="192.0.2.1"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with socket.socket() as raw, pytest.raises(NetworkBlocked, match="192.0.2.1:80"):
        raw.connect(("192.0.2.1", 80))
    with socket.socket() as raw, pytest.raises(NetworkBlocked, match="192.0.2.1:81"):
        raw.connect_ex(("192.0.2.1", 81))


def test_name_lookups_and_datagrams():
    for lookup in (socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex, socket.gethostbyaddr):
        with pytest.raises(NetworkBlocked, match="refused a connection to example.com"):
            lookup("example.com")
    # Loopback by RFC 6761, but glibc sends the lookup to the DNS server.
    for lookup in (socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex):
        with pytest.raises(NetworkBlocked, match="leak-canary.localhost"):
            lookup("leak-canary.localhost")
    with socket.socket() as raw, pytest.raises(NetworkBlocked, match="leak-canary.localhost:80.*use localhost"):
        raw.connect(("leak-canary.localhost", 80))
    with pytest.raises(NetworkBlocked, match="192.0.2.1"):
        socket.gethostbyaddr("192.0.2.1")
    with pytest.raises(NetworkBlocked, match="192.0.2.1"):
        socket.getnameinfo(("192.0.2.1", 53), 0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NetworkBlocked, match="192.0.2.1:53"):
            udp.sendto(b"query", ("192.0.2.1", 53))
        with pytest.raises(NetworkBlocked, match="192.0.2.1:54"):
            udp.sendto(b"query", 0, ("192.0.2.1", 54))
        with pytest.raises(NetworkBlocked, match="192.0.2.1:55"):
            udp.sendmsg([b"query"], [], 0, ("192.0.2.1", 55))


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=5).close()
    assert socket.getaddrinfo("localhost", 80)
    assert socket.gethostbyname("localhost").startswith("127.")
    assert socket.gethostbyname_ex("localhost")
    with contextlib.suppress(OSError):  # whether the hosts file names 127.0.0.1 is the machine's business
        socket.gethostbyaddr("127.0.0.1")
        socket.getnameinfo(("127.0.0.1", 80), 0)
    assert socket.getnameinfo(("192.0.2.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == ("192.0.2.1", "80")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"one", receiver.getsockname())
            sender.sendto(b"two", 0, receiver.getsockname())
            sender.sendmsg([b"three"], [], 0, receiver.getsockname())
        assert [receiver.recv(16) for _ in range(3)] == [b"one", b"two", b"three"]


def test_a_server_on_every_address_starts():
    # http.server looks this machine's own name up (socket.getfqdn) when it is bound to every address.
    http.server.HTTPServer(("", 0), http.server.BaseHTTPRequestHandler).server_close()


def test_the_fixtures_still_work(imagebuilder_client, imagebuilder_server):
    make_pipeline(imagebuilder_client)
    over_http = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=str(imagebuilder_server), **KEYS)
    assert over_http.list_image_pipelines()["imagePipelineList"] == []


def test_moto_s_in_process_mock_is_not_in_the_way():
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1", **KEYS)
        s3.create_bucket(Bucket="kept-here")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept-here"]
"""


def test_block_network_refuses_everything_off_the_machine(project: pytest.Pytester, leaks: list[Any]):
    project.makeini("[pytest]\nimagebuilder_block_network = true\n")
    project.makepyfile(test_inner=INNER)

    result = project.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=9)
    assert leaks == []  # nothing got past the guard
    assert socket.getaddrinfo.__module__ == __name__  # lifted when the session ended: the trap is back


def test_without_the_option_no_guard_is_installed(project: pytest.Pytester):
    project.makepyfile(
        test_inner="""
        import socket

        def test_sockets_are_untouched():
            assert socket.getaddrinfo.__module__ == "socket"
            assert socket.socket.connect.__qualname__ != "_connect"
        """
    )

    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_bad_value_names_the_option(project: pytest.Pytester):
    project.makeini("[pytest]\nimagebuilder_block_network = sometimes\n")
    project.makepyfile(test_inner="def test_nothing(): pass")

    result = project.runpytest("-p", "no:cacheprovider")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: ini option imagebuilder_block_network = 'sometimes': *must be true or false, not 'sometimes'"]
    )
