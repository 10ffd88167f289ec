"""``hosts.is_this_machine``: the one notion of "this machine" of the pytest plugin and the network guard."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fakeimagebuilder import hosts
from fakeimagebuilder.hosts import is_this_machine
from fakeimagebuilder.network_guard import blocking_network

# TEST-NET-2 (RFC 5737): on no machine's interface, never routed anywhere real.
ELSEWHERE = "198.51.100.7"


def _own_address() -> str:
    """An address of one of this machine's interfaces that is not loopback (the test skips if it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((ELSEWHERE, 9))  # a UDP connect sends nothing: the kernel only picks the source
        except OSError:
            pytest.skip("this machine has no route off loopback, so no address of its own but loopback")
        address = str(probe.getsockname()[0])
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("this machine's only IPv4 address is loopback")
    return address


@pytest.fixture
def no_lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every name lookup made while the test runs, each refused: deciding must not ask the resolver."""
    asked: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        asked.append(args[0] if args else kwargs)
        raise OSError("no lookups here")

    for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
        monkeypatch.setattr(socket, name, refuse)
    return asked


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.8.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "0.0.0.0", "::", "[::]", "localhost", "LocalHost"],
)
def test_loopback_the_unspecified_address_and_localhost_are_this_machine(host: str, no_lookups: list[Any]):
    assert is_this_machine(host)
    assert no_lookups == []


def test_this_machines_host_name_and_own_address_are_this_machine(no_lookups: list[Any]):
    own = _own_address()
    assert is_this_machine(socket.gethostname())
    assert is_this_machine(socket.gethostname().upper())  # host names ignore case
    assert is_this_machine(own)
    assert is_this_machine(f"::ffff:{own}")
    assert no_lookups == []


@pytest.mark.parametrize(
    "host",
    [ELSEWHERE, "8.8.8.8", "2001:db8::7", "example.com", "imagebuilder.us-east-1.amazonaws.com", "leak.localhost", ""],
)
def test_other_hosts_are_not(host: str, no_lookups: list[Any]):
    assert not is_this_machine(host)
    assert no_lookups == []


def test_a_name_the_hosts_file_gives_only_this_machines_addresses_is_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_lookups: list[Any]
):
    own = _own_address()
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text(
        "# comment\n"
        "127.0.0.1   localhost localhost.localdomain  # trailing comment\n"
        "::1         localhost6.localdomain6\n"
        f"{own}       Builder.Example.Internal\n"
        f"{ELSEWHERE} elsewhere.example.internal\n"
        f"127.0.0.1   split.example.internal\n{ELSEWHERE} split.example.internal\n"
        "not-an-address broken.example.internal\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(hosts, "HOSTS_FILE", str(hosts_file))
    assert is_this_machine("localhost.localdomain")
    assert is_this_machine("localhost6.localdomain6")
    assert is_this_machine("builder.example.internal")
    assert not is_this_machine("elsewhere.example.internal")
    assert not is_this_machine("split.example.internal")  # one of its addresses is off the machine
    assert not is_this_machine("broken.example.internal")
    assert not is_this_machine("absent.example.internal")  # not in the file: DNS would have to say, so no
    assert no_lookups == []


def test_a_missing_hosts_file_is_no_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(hosts, "HOSTS_FILE", str(tmp_path / "absent"))
    assert not is_this_machine("localhost.localdomain")
    assert is_this_machine("localhost")


@pytest.fixture
def server_on_every_address() -> Iterator[int]:
    """An HTTP server bound to 0.0.0.0 (moto's ThreadedMotoServer default); its port."""
    server = http.server.HTTPServer(("0.0.0.0", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_network_guard_lets_connections_to_this_machine_through(server_on_every_address: int):
    own = _own_address()
    refused: list[str] = []

    def refusal(host: str) -> BaseException:
        refused.append(host)
        return ConnectionRefusedError(f"guarded: {host}")

    with blocking_network(refusal):
        for host in ("0.0.0.0", own, socket.gethostname()):
            socket.create_connection((host, server_on_every_address), timeout=5).close()
        with socket.socket() as out, pytest.raises(ConnectionRefusedError, match=f"guarded: {ELSEWHERE}:9"):
            out.connect((ELSEWHERE, 9))
    assert refused == [f"{ELSEWHERE}:9"]
