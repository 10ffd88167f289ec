"""The HTTP layer: keep-alive, and malformed HTTP never gets a 5xx or kills the server."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagebuilder_scenario import T0, boto3_client, control, create_pipeline

from fakeimagebuilder import FakeImageBuilder, VirtualClock
from fakeimagebuilder.server import MAX_BODY, RunningServer, serve_in_thread

START = b"PUT /StartImagePipelineExecution HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
RECIPE = b"PUT /CreateImageRecipe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def _with_body(head: bytes, body: bytes) -> bytes:
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def exchange(server: RunningServer, raw: bytes, timeout: float = 10) -> tuple[int | None, dict[str, str], bytes]:
    """Send raw bytes on a new connection; the first response's status, headers and body (None: no answer)."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # the server answered and closed before taking everything
            sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None, {}, b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def assert_alive(server: RunningServer) -> None:
    assert control(server.url, "health") == (200, {"status": "ok"})


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningServer]:
    """One server for the abuse tests: it must survive all of them."""
    running = serve_in_thread(FakeImageBuilder(clock=VirtualClock(T0)))
    yield running
    running.stop()


MALFORMED = {
    "garbage request line": b"GARBAGE\r\n\r\n",
    "binary request line": b"\x00\xff\xfe junk \x01\r\n\r\n",
    "HTTP/2 request line": b"GET /_fake/health HTTP/2.0\r\n\r\n",
    "bad version": b"GET /_fake/health HTTP/1.x\r\n\r\n",
    "HTTP/0.9": b"GET /_fake/health\r\n",
    "request line too long": b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    "too many headers": b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
    "header line too long": b"GET / HTTP/1.1\r\nX-Big: " + b"y" * 70_000 + b"\r\n\r\n",
    "header line without a colon": b"GET /_fake/health HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n",
    "space before the colon": b"GET /_fake/health HTTP/1.1\r\nHost : x\r\n\r\n",
    "HTTP/0.9 on a three-word line": b"GET /_fake/health HTTP/0.9\r\n\r\n",
    "bare CR in a header line": b"GET /_fake/health HTTP/1.1\r\nX: a\rb\r\n\r\n",
    "more folded lines than fields allowed": b"GET /_fake/health HTTP/1.1\r\nX: a\r\n" + b" x\r\n" * 200 + b"\r\n",
    "absolute target with a bad IPv6 authority": b"GET http://[::1/_fake/health HTTP/1.1\r\nHost: x\r\n\r\n",
    "HTTP/1.1 without Host": b"GET /_fake/health HTTP/1.1\r\n\r\n",
    "two Host fields": b"GET /_fake/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "two Host fields in HTTP/1.0": b"GET /_fake/health HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
    "a length of thousands of digits": START + b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n",
    "a length of thousands of digits, expecting 100-continue": START
    + b"Expect: 100-continue\r\nContent-Length: "
    + b"9" * 5000
    + b"\r\n\r\n",
    "chunked and gzip in two fields": START + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
    "non-numeric length": START + b"Content-Length: abc\r\n\r\n{}",
    "negative length": START + b"Content-Length: -1\r\n\r\n{}",
    "conflicting lengths": START + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "length and chunked": START + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
    "unknown transfer coding": START + b"Transfer-Encoding: gzip\r\n\r\n{}",
    "bad chunk size": START + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "chunk without CRLF": START + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
    "announced huge body": START + b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1),
    "huge body expecting 100-continue": START + b"Expect: 100-continue\r\nContent-Length: 999999999\r\n\r\n",
    "huge chunked body": START + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % (MAX_BODY + 1) + b"x" * 10,
    "sent huge body": _with_body(START, b'{"a": "' + b"x" * MAX_BODY + b'"}'),
    "bad JSON": _with_body(START, b'{"imagePipelineArn": '),
    "NaN in JSON": _with_body(START, b'{"imagePipelineArn": NaN}'),
    "invalid UTF-8": _with_body(START, b'{"imagePipelineArn": "\xff\xfe"}'),
    "JSON array": _with_body(START, b"[1, 2]"),
    "deeply nested": _with_body(START, b"[" * 200_000 + b"]" * 200_000),
    "deeply nested member": _with_body(RECIPE, b'{"tags": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001),
    "wrongly typed member": _with_body(START, b'{"imagePipelineArn": 7, "clientToken": ["x"]}'),
    "huge integer": _with_body(START, b'{"imagePipelineArn": ' + b"9" * 10_000 + b"}"),
    "wrong method": b"DELETE /StartImagePipelineExecution HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown method": b"BREW /StartImagePipelineExecution HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown path": b"GET /no/such/thing HTTP/1.1\r\nHost: x\r\n\r\n",
    "asterisk target": b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad percent-encoding": b"GET /tags/%ZZ%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad query": b"GET /GetImage?imageBuildVersionArn=%ff&&=&x HTTP/1.1\r\nHost: x\r\n\r\n",
    "control route, wrong method": b"GET /_fake/advance HTTP/1.1\r\nHost: x\r\n\r\n",
    "control route, bad JSON": _with_body(b"POST /_fake/advance HTTP/1.1\r\nHost: x\r\n", b"{nope"),
    "unknown control route": b"GET /_fake/nothing HTTP/1.1\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_http_gets_a_4xx_json_answer(shared: RunningServer, raw: bytes) -> None:
    status, headers, body = exchange(shared, raw)
    assert status is not None and 400 <= status < 500, (status, body[:300])
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["message"]
    assert_alive(shared)


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"HTTP/1.1\r\n", 400),
        (b"HTTP/1.1\r\nHost: a\r\nHost: b\r\n", 400),
        (b"HTTP/1.1\r\nHost: a\r\nhost: a\r\n", 400),
        (b"HTTP/1.0\r\nHost: a\r\nHost: a\r\n", 400),
        (b"HTTP/1.1\r\nHost: a\r\n", 200),
        (b"HTTP/1.0\r\n", 200),
    ],
)
def test_a_request_needs_one_host_field_from_http_1_1(shared: RunningServer, head: bytes, status: int) -> None:
    # RFC 9112 section 3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one;
    # HTTP/1.0 had no Host, so it may leave it out.
    answered, headers, body = exchange(shared, b"POST /ListImagePipelines " + head + b"Content-Length: 0\r\n\r\n")
    assert answered == status, body
    if status == 400:
        assert headers["x-amzn-errortype"] == "BadRequestException"
        assert headers["connection"] == "close"
        assert "Host header field" in json.loads(body)["message"]
    assert_alive(shared)


def test_oversized_body_is_refused_with_413(shared: RunningServer) -> None:
    status, headers, _ = exchange(shared, MALFORMED["sent huge body"])
    assert status == 413
    assert headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
    assert headers["connection"] == "close"  # the unread body cannot be skipped


def test_deep_nesting_is_a_serialization_error(shared: RunningServer) -> None:
    status, headers, _ = exchange(shared, MALFORMED["deeply nested"])
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")


def test_a_blank_line_then_the_end_closes_quietly(shared: RunningServer) -> None:
    parts = urlsplit(shared.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"\r\n")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""
    assert_alive(shared)


def test_a_blank_line_before_a_request_line_is_ignored(shared: RunningServer) -> None:
    # RFC 9112 section 2.2: some clients send a CRLF after a body; the next request on the connection is served.
    body = b'{"seconds": 1}'
    first = b"POST /_fake/advance HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s\r\n" % (len(body), body)
    answers = _answers_on_one_connection(shared, first + b"GET /_fake/health HTTP/1.1\r\nHost: x\r\n\r\n", 1, 2)
    assert [answer["status"] for answer in answers] == ["200", "200"]


def test_truncated_body_does_not_hang_the_server(shared: RunningServer) -> None:
    parts = urlsplit(shared.url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(START + b"Content-Length: 100\r\n\r\n{")
        sock.shutdown(socket.SHUT_WR)  # the client gives up mid-body
        assert sock.recv(100) == b""  # no answer, connection closed
    assert_alive(shared)


def test_chunked_body_is_accepted(shared: RunningServer) -> None:
    body = b'{"name": "chunky", "instanceProfileName": "builder", "clientToken": "chunked-1"}'
    raw = (
        b"PUT /CreateInfrastructureConfiguration HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%s\r\n" % (10, body[:10])
        + b"%x;ext=1\r\n%s\r\n" % (len(body) - 10, body[10:])
        + b"0\r\nX-Trailer: t\r\n\r\n"
    )
    status, _, answer = exchange(shared, raw)
    assert status == 200, answer
    assert json.loads(answer)["infrastructureConfigurationArn"].endswith(":infrastructure-configuration/chunky")


def test_head_gets_headers_only(shared: RunningServer) -> None:
    parts = urlsplit(shared.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("HEAD", "/_fake/health")
    response = conn.getresponse()
    assert response.status == 405
    assert int(response.getheader("Content-Length")) > 0
    assert response.read() == b""
    conn.close()


def test_keep_alive_serves_many_requests_on_one_connection(shared: RunningServer) -> None:
    parts = urlsplit(shared.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.connect()
    first = conn.sock
    for _ in range(5):
        conn.request("GET", "/_fake/health")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Connection") is None
        response.read()
        assert conn.sock is first  # http.client reconnects on a new socket if the server closed
    # An error answer keeps the connection too, when the body was read.
    conn.request("PUT", "/StartImagePipelineExecution", body=b"{bad", headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 400
    response.read()
    conn.request("GET", "/_fake/health")
    assert conn.getresponse().status == 200
    assert conn.sock is first
    conn.close()


def test_percent_encoded_labels_reach_the_operation(server: RunningServer) -> None:
    client = boto3_client(server.url)
    pipeline = create_pipeline(client)
    client.tag_resource(resourceArn=pipeline, tags={"k": "v"})
    assert client.list_tags_for_resource(resourceArn=pipeline)["tags"] == {"k": "v"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from([b"GET", b"PUT", b"POST", b"DELETE", b"X"]) | st.binary(min_size=1, max_size=8),
    target=st.sampled_from([b"/StartImagePipelineExecution", b"/GetImage?", b"/tags/", b"/_fake/advance"])
    | st.binary(max_size=40),
    headers=st.lists(st.binary(max_size=30), max_size=5),
    body=st.binary(max_size=200),
)
def test_random_requests_never_get_a_5xx(
    shared: RunningServer, method: bytes, target: bytes, headers: list[bytes], body: bytes
) -> None:
    raw = method + b" " + target + b" HTTP/1.1\r\n" + b"".join(h + b"\r\n" for h in headers)
    raw += b"Content-Length: %d\r\n\r\n" % len(body) + body
    status, _, _ = exchange(shared, raw, timeout=5)
    assert status is None or status < 500
    assert_alive(shared)


def test_text_that_is_not_unicode_is_refused_before_anything_is_applied(server: RunningServer) -> None:
    client = boto3_client(server.url)
    pipeline = create_pipeline(client)
    # A valid JSON escape of a lone surrogate: no store, journal or answer can hold it.
    body = b'{"imagePipelineArn": "%s", "clientToken": "c", "tags": {"k": "\\ud800"}}' % pipeline.encode()

    status, headers, answer = exchange(server, _with_body(START, body))

    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidParameterValueException")
    assert "valid Unicode" in json.loads(answer)["message"]
    assert client.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"] == []
    # Retrying with the same token is a first try, not a replay of a half-applied call.
    retried = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="c", tags={"k": "v"})
    assert retried["imageBuildVersionArn"].endswith("/1")


def _answers_on_one_connection(server: RunningServer, raw: bytes, count: int, reads: int = 1) -> list[dict[str, str]]:
    """Send ``raw`` up to ``count`` times on one connection, reading ``reads`` answers after each; the headers of
    each answer read before the connection closed (lower-case names, its status as ``status``)."""
    parts = urlsplit(server.url)
    seen: list[dict[str, str]] = []
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        stream = sock.makefile("rb")
        for _ in range(count):
            try:
                sock.sendall(raw)
            except (ConnectionResetError, BrokenPipeError):
                break
            for _ in range(reads):
                status_line = stream.readline()
                if not status_line:
                    return seen
                answer = {"status": status_line.split()[1].decode()}
                while (line := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    answer[name.strip().lower()] = value.strip()
                stream.read(int(answer.get("content-length", "0")))
                seen.append(answer)
    return seen


@pytest.mark.parametrize(
    "fields",
    [b"Connection: close, TE\r\nTE: trailers\r\n", b"Connection: keep-alive\r\nConnection: close\r\n"],
)
def test_close_among_the_connection_options_closes(shared: RunningServer, fields: bytes) -> None:
    answers = _answers_on_one_connection(shared, b"GET /_fake/health HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n", 2)
    assert [answer.get("connection") for answer in answers] == ["close"]


@pytest.mark.parametrize(
    ("head", "connection"),
    [
        (b"GET /_fake/health HTTP/1.1\r\nHost: x\r\n\r\n", None),
        (b"GET /_fake/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "close"),
        (b"GET /_fake/health HTTP/1.0\r\n\r\n", "close"),
        (b"GET /_fake/health HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "keep-alive"),
    ],
)
def test_the_connection_is_kept_as_the_version_and_connection_field_say(
    shared: RunningServer, head: bytes, connection: str | None
) -> None:
    answers = _answers_on_one_connection(shared, head, 2)
    assert [answer.get("connection") for answer in answers] == [connection] * (1 if connection == "close" else 2)


def test_a_folded_header_line_is_read_as_one_field(shared: RunningServer) -> None:
    body = b'{"name": "folded", "instanceProfileName": "builder", "clientToken": "folded-1"}'
    raw = (
        b"PUT /CreateInfrastructureConfiguration HTTP/1.1\r\nHost: x\r\nContent-Type:\r\n application/json\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )
    status, _, answer = exchange(shared, raw)
    assert status == 200, answer


def test_expect_100_continue_gets_the_go_ahead_before_the_body(shared: RunningServer) -> None:
    body = b'{"name": "expecting", "instanceProfileName": "builder", "clientToken": "expecting-1"}'
    parts = urlsplit(shared.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            b"PUT /CreateInfrastructureConfiguration HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body)
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert response.status == 200, response.read()
