"""The HTTP server's call rate against moto's ``ThreadedMotoServer``, on one keep-alive connection and on eight.

moto has no Image Builder, so each server answers a comparable small
rest-json call of its own: the fake's ``GetImagePipeline`` (GET, query
string, ~0.6 KB of JSON) against moto's EventBridge Scheduler ``GetSchedule``
(GET, URI label, ~0.4 KB), and for writes the fake's
``StartImagePipelineExecution`` (a new build each call) against
``CreateSchedule`` (a new schedule each call). Each server runs in its own
process, as users run it (``python -m fakeimagebuilder serve``;
``ThreadedMotoServer`` with werkzeug's request log off, since the fake logs
nothing either). Requests are built and signed once by botocore, then
replayed from client processes that start together, each on one
connection kept alive while the server keeps it (moto's closes after every
answer, and is reconnected), by a lean client of raw sockets, so the figures
measure the servers rather than the client.
"""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from .calls import CREDENTIALS, make_pipeline
from .per_test import this_fake_first
from .timing import row

MOTO_SERVER = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"listening on http://{host}:{port}", flush=True)
sys.stdin.read()
"""


def _start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """A server process and the URL from its ``listening on`` line."""
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=this_fake_first())
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"{command[:3]} did not start: {line!r}")
    return proc, line.split()[-1]


class Captured:
    """A request botocore built and signed, kept as raw parts to replay."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.headers, self.body = method, headers, body
        parts = urlsplit(url)
        self.target = parts.path + (f"?{parts.query}" if parts.query else "")


def _capture(client: Any, operation: str, **params: Any) -> Captured:
    """The signed request of one call, without sending it."""
    from botocore.awsrequest import AWSResponse

    found: list[Captured] = []

    def intercept(request: Any, **_: Any) -> AWSResponse:
        found.append(Captured(request.method, request.url, dict(request.headers), request.body or b""))
        return AWSResponse(request.url, 200, {}, None)

    client.meta.events.register_first("before-send.*", intercept)
    try:
        getattr(client, operation)(**params)
    except Exception:  # the empty answer does not parse; the request is what was wanted
        pass
    finally:
        client.meta.events.unregister("before-send.*", intercept)
    return found[0]


def _payload(request: Captured, host: str, unique: str | None) -> bytes:
    """The request's bytes on the wire; a write is made new (a fresh token or name) with ``unique``."""
    body, target = request.body, request.target
    if unique is not None:
        body = body.replace(b"BENCHMARK", unique.encode())
        target = target.replace("BENCHMARK", unique)
    headers = {name: value for name, value in request.headers.items() if name.lower() not in ("content-length", "host")}
    headers["Host"] = host
    lines = [f"{request.method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection:
    """A lean HTTP/1.1 client on one socket: send bytes, read one response; reconnects after ``Connection: close``.

    The standard library's client parses every response's headers with the email parser, which on a
    single connection costs about as much as a fast server's whole answer: the figure would measure it.
    """

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None

    def exchange(self, payload: bytes) -> int:
        """Send one request; the response's status once its body is read."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = self.sock
        sock.sendall(payload)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection mid-response")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, close = -1, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                raise ConnectionError("chunked responses are not read by this client")
        while length < 0 or len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if close or length < 0:
            sock.close()
            self.sock = None
        return status


def _load(url: str, request: Captured, begin: float, seconds: float, unique: str | None, queue: Any) -> None:
    """One client process: from ``begin``, replay ``request`` on one keep-alive connection for ``seconds``."""
    parts = urlsplit(url)
    conn = _Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    payload = _payload(request, parts.netloc, None)
    done = errors = 0
    while time.time() < begin:
        time.sleep(0.001)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if unique is not None:
            payload = _payload(request, parts.netloc, f"{unique}-{done}")
        if conn.exchange(payload) == 200:
            done += 1
        else:
            errors += 1
    queue.put((done, errors))


def _rate(url: str, request: Captured, seconds: float, connections: int, write: bool) -> float:
    """Calls per second the server at ``url`` answered on ``connections`` connections (one process each)."""
    queue: Any = multiprocessing.Queue()
    begin = time.time() + 0.3 + 0.05 * connections  # every process connected before any starts
    procs = [
        multiprocessing.Process(
            target=_load,
            args=(url, request, begin, seconds, f"c{i}-{time.time_ns()}" if write else None, queue),
        )
        for i in range(connections)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    if sum(r[1] for r in results):
        raise SystemExit(f"{sum(r[1] for r in results)} calls to {url} failed")
    return sum(r[0] for r in results) / seconds


def _fake_requests(url: str) -> dict[str, Captured]:
    import boto3

    client = boto3.client("imagebuilder", endpoint_url=url, **CREDENTIALS)
    pipeline = make_pipeline(client)
    return {
        "read": _capture(client, "get_image_pipeline", imagePipelineArn=pipeline),
        "write": _capture(client, "start_image_pipeline_execution", imagePipelineArn=pipeline, clientToken="BENCHMARK"),
    }


def _moto_requests(url: str) -> dict[str, Captured]:
    import boto3

    client = boto3.client("scheduler", endpoint_url=url, **CREDENTIALS)
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:queue", "RoleArn": "arn:aws:iam::123456789012:role/r"}
    schedule = {"ScheduleExpression": "rate(5 minutes)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": target}
    client.create_schedule(Name="bench", **schedule)
    return {
        "read": _capture(client, "get_schedule", Name="bench"),
        "write": _capture(client, "create_schedule", Name="BENCHMARK", **schedule),
    }


def figures(quick: bool) -> list[dict[str, Any]]:
    """Calls per second of each server, read on 1 and 8 connections and write on 8; the fake's over moto's."""
    seconds, rounds = (0.3, 1) if quick else (3.0, 3)
    fake_proc, fake_url = _start([sys.executable, "-m", "fakeimagebuilder", "serve", "--port", "0"])
    moto_proc, moto_url = _start([sys.executable, "-c", MOTO_SERVER])
    try:
        servers = {"fake": (fake_url, _fake_requests(fake_url)), "moto": (moto_url, _moto_requests(moto_url))}
        rows = []
        for kind, connections in (("read", 1), ("read", 8), ("write", 8)):
            best = {"fake": 0.0, "moto": 0.0}
            for index in range(rounds):
                for name in (("fake", "moto") if index % 2 == 0 else ("moto", "fake")):
                    url, requests = servers[name]
                    best[name] = max(best[name], _rate(url, requests[kind], seconds, connections, kind == "write"))
            rows.append(
                row(f"server {kind}, {connections} connection{'s' * (connections > 1)}, calls/s",
                    "moto ThreadedMotoServer", best["fake"], best["moto"], 1, goal=10, higher=True)
            )
        return rows
    finally:
        for proc in (fake_proc, moto_proc):
            proc.kill()
            proc.wait()
