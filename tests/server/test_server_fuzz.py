"""Malformed requests against the server: a typed JSON error every time, never an un-injected 5xx, no state change.

Seeded, so a failure names the request that broke it and reruns the same way
(``FAKEIMAGEBUILDER_FUZZ_SEED``); a short run in CI, 100,000 requests with
``--long-runs``.
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import requests
from botocore.awsrequest import prepare_request_dict
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from imagebuilder_scenario import AWS_URL, COMPONENT, PARENT_IMAGE, boto3_client, create_pipeline

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.persistence import _pickle
from fakeimagebuilder.server import RunningServer, serve_in_thread

AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/imagebuilder/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


def _corpus(pipeline: str, build: str, recipe: str, infrastructure: str) -> list[_Request]:
    """Valid requests of many operations, serialized by botocore: the seeds every mutation starts from."""
    model = botocore.session.get_session().get_service_model("imagebuilder")
    serializer = create_serializer("rest-json", include_validation=False)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("StartImagePipelineExecution", {"imagePipelineArn": pipeline, "clientToken": "fuzz", "tags": {"a": "b"}}),
        ("GetImage", {"imageBuildVersionArn": build}),
        ("CancelImageCreation", {"imageBuildVersionArn": build, "clientToken": "fuzz"}),
        ("ListImagePipelineImages", {"imagePipelineArn": pipeline, "maxResults": 5}),
        ("ListImagePipelines", {"filters": [{"name": "name", "values": ["web"]}], "maxResults": 10}),
        ("TagResource", {"resourceArn": pipeline, "tags": {"team": "x"}}),
        ("UntagResource", {"resourceArn": pipeline, "tagKeys": ["team"]}),
        ("ListTagsForResource", {"resourceArn": pipeline}),
        (
            "CreateImageRecipe",
            {
                "name": "fuzzed",
                "semanticVersion": "1.0.0",
                "parentImage": PARENT_IMAGE,
                "components": [{"componentArn": COMPONENT}],
                "clientToken": "fuzz",
            },
        ),
        ("CreateInfrastructureConfiguration", {"name": "fuzzed", "instanceProfileName": "p", "clientToken": "fuzz"}),
        (
            "UpdateImagePipeline",
            {
                "imagePipelineArn": pipeline,
                "imageRecipeArn": recipe,
                "infrastructureConfigurationArn": infrastructure,
                "clientToken": "fuzz",
            },
        ),
        ("DeleteImagePipeline", {"imagePipelineArn": pipeline}),
        ("DeleteImage", {"imageBuildVersionArn": build}),
        ("GetImagePipeline", {"imagePipelineArn": pipeline}),
    ]
    corpus = []
    for operation, params in calls:
        serialized = serializer.serialize_to_request(params, model.operation_model(operation))
        prepare_request_dict(serialized, AWS_URL)
        url = serialized["url"].removeprefix(AWS_URL)
        path, _, query = url.partition("?")
        headers = {k: v if isinstance(v, str) else v.decode() for k, v in serialized["headers"].items()}
        body = serialized["body"] if isinstance(serialized["body"], bytes) else serialized["body"].encode()
        corpus.append(_Request(serialized["method"], path, query, {**headers, "Authorization": AUTHORIZATION}, body))
    corpus.append(_Request("POST", "/_fake/advance", "", {}, b'{"seconds": 30}'))
    corpus.append(
        _Request("POST", "/_fake/fail_next", "", {}, b'{"operation": "GetImage", "code": "ServiceException"}')
    )
    return corpus


_JUNK: list[Any] = [
    None,
    True,
    0,
    -1,
    2**64,
    1e308,
    -0.0,
    "",
    " ",
    "x" * 5000,
    "\u0000",
    "\x1c",
    "\ud800",
    "\U0001f600",
    "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope",
    "%2F..%2F",
    [],
    [None],
    {},
    {"": ""},
    [[[[[]]]]],
    {"a": {"b": {"c": {}}}},
    "1.0.0/1",
    "x.x.x",
    "../../etc/passwd",
]


def _mutate_json(body: bytes, rng: random.Random) -> bytes:
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    choice = rng.random()
    keys = list(document)
    if keys and choice < 0.45:
        document[rng.choice(keys)] = rng.choice(_JUNK)
    elif keys and choice < 0.65:
        del document[rng.choice(keys)]
    elif keys and choice < 0.8:
        key = rng.choice(keys)
        value = document[key]
        if isinstance(value, dict) and value:
            inner = rng.choice(list(value))
            value[inner if rng.random() < 0.5 else rng.choice(["", "aws:x", "k" * 200])] = rng.choice(_JUNK)
        else:
            document[key] = [value] if rng.random() < 0.5 else {"v": value}
    else:
        document[rng.choice(["unknownMember", "", "tags", "clientToken"])] = rng.choice(_JUNK)
    ensure_ascii = rng.random() < 0.5
    return json.dumps(document, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")


def _mutate_bytes(body: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    data = bytearray(body or b"{}")
    if choice < 0.3:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice < 0.5:
        return bytes(data[: rng.randrange(len(data))])
    if choice < 0.65:
        return rng.choice([b"[", b"{" * 5000, b"null", b"[1,2]", b'"text"', b"\xff\xfe", b"{}" * 3, b"NaN"])
    if choice < 0.8:
        return bytes(data) + bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
    return b'{"a":' * 200 + b"1" + b"}" * 200


def _mutate(seed: _Request, rng: random.Random) -> _Request:
    method, path, query, headers, body = seed.method, seed.path, seed.query, dict(seed.headers), seed.body
    choice = rng.random()
    if choice < 0.35:
        body = _mutate_json(body, rng)
    elif choice < 0.55:
        body = _mutate_bytes(body, rng)
    elif choice < 0.7:
        segments = path.split("/")
        index = rng.randrange(1, len(segments)) if len(segments) > 1 else 0
        segments[index] = rng.choice(
            ["", "%", "%zz", "%ff%fe", "..", "x" * 3000, "arn%3Aaws%3Aimagebuilder", "%00", "a/b", "%2F%2F"]
        )
        path = "/".join(segments) + rng.choice(["", "/", "/extra"])
    elif choice < 0.78:
        method = rng.choice(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"])
    elif choice < 0.88:
        query = rng.choice(["maxResults=abc", "maxResults=-1", "nextToken=%ff", "a=b&a=c", "=&&=", "maxResults=1e9"])
        query += "&" + seed.query if seed.query else ""
    else:
        name = rng.choice(["Content-Type", "Authorization", "X-Amz-Date", "Host", "X-Amz-Target"])
        headers[name] = rng.choice(["", "garbage", "AWS4-HMAC-SHA256 Credential=/", "application/x-www-form", "é"])
    return _Request(method, path, query, headers, body)


def _raw_http(rng: random.Random) -> bytes:
    """A request that is broken at the HTTP level."""
    line = rng.choice(
        [
            b"GET / HTTP/1.1",
            b"PUT /StartImagePipelineExecution HTTP/1.1",
            b"GARBAGE",
            b"GET /x HTTP/9.9",
            b"POST /_fake/advance HTTP/1.0",
            b"\x00\xff /",
            b"GET " + b"a" * 70000 + b" HTTP/1.1",
        ]
    )
    headers = rng.choice(
        [
            b"Content-Length: 5\r\nContent-Length: 6",
            b"Content-Length: -1",
            b"Transfer-Encoding: chunked",
            b"Transfer-Encoding: gzip",
            b"Content-Length: 99999999999",
            b"Host",
            b": no-name",
            b"Content-Length: 2",
        ]
    )
    body = rng.choice([b"", b"zz\r\n", b"{}", b"5\r\nhello\r\n0\r\n\r\n", b"x" * 100])
    return line + b"\r\n" + headers + b"\r\n\r\n" + body


def _send_raw(server: RunningServer, data: bytes) -> bytes:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # the client is done: a server waiting for more must give up, not hang
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _first_response(raw: bytes) -> tuple[int, str | None, bytes]:
    """Status, error type and body of the first response in ``raw`` (bytes the client sent on became more)."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    fields = dict(
        (name.strip().lower(), value.strip()) for name, _, value in (h.partition(b":") for h in head.split(b"\r\n")[1:])
    )
    error_type = fields.get(b"x-amzn-errortype")
    return (
        int(head.split(b" ", 2)[1]),
        error_type.decode() if error_type is not None else None,
        rest[: int(fields.get(b"content-length", b"0"))],
    )


def _state(fake: FakeImageBuilder) -> bytes:
    # Everything the service holds (client tokens included), and the injected faults: what a rejection must not touch.
    return _pickle((fake.service.snapshot(), fake.policy.snapshot()))


def _setup(server: RunningServer) -> tuple[str, str, str, str]:
    client = boto3_client(server.url)
    pipeline = create_pipeline(client)
    document = client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    return pipeline, build, document["imageRecipeArn"], document["infrastructureConfigurationArn"]


def test_malformed_requests_get_typed_errors_and_change_nothing(
    aws_env: None, long_runs: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    count = 100_000 if long_runs else 1_500
    seed = int(os.environ.get("FAKEIMAGEBUILDER_FUZZ_SEED", "12"))
    rng = random.Random(seed)
    parser = create_parser("rest-json")
    # Journaled, as a server with --state-file: what is accepted is written down too (time stopped).
    fake = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0)
    request.addfinalizer(lambda: fake.journal.close() if fake.journal is not None else None)
    statuses: dict[int, int] = {}
    started = time.monotonic()
    with serve_in_thread(fake) as server, requests.Session() as session:
        corpus = _corpus(*_setup(server))
        before = _state(fake)
        sent, number = 0, -1
        while sent < count:  # requests that reached the server (not those the client library refused to send)
            number += 1
            if number and number % 5000 == 0:  # keep the state small: what accepted mutations created goes
                fake.reset()
                corpus = _corpus(*_setup(server))
                before = _state(fake)
            what: Any
            if rng.random() < 0.04:
                what = _raw_http(rng)
                raw = _send_raw(server, what)
                sent += 1
                if not raw:
                    assert _state(fake) == before, f"request {number} (seed {seed}) changed state: {what!r:.300}"
                    continue  # the client never finished its request: closing without an answer is right
                status, error_type, payload = _first_response(raw)
            else:
                what = _mutate(rng.choice(corpus), rng)
                url = f"{server.url}{what.path}" + (f"?{what.query}" if what.query else "")
                try:
                    response = session.request(
                        what.method, url, data=what.body, headers=what.headers, timeout=30, allow_redirects=False
                    )
                except (ValueError, requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader):
                    continue  # the client library refused to send it
                sent += 1
                status, payload, error_type = (
                    response.status_code,
                    response.content,
                    response.headers.get("x-amzn-ErrorType"),
                )
                if what.path.startswith("/_fake/fail_next") and status == 200:
                    fake.policy.reset()  # a mutation that was still a valid injection: not what is tested here
            statuses[status] = statuses.get(status, 0) + 1
            context = f"request {number} (seed {seed}): {what!r:.400} -> {status} {payload[:300]!r}"
            assert status < 500 or (status, error_type) == (501, "NotImplementedException"), context
            if status >= 300:
                assert error_type, context
                head_request = isinstance(what, _Request) and what.method == "HEAD"  # answers carry no body
                document = json.loads(payload) if payload or not head_request else {"message": ""}
                assert isinstance(document, dict) and isinstance(document.get("message"), str), context
                parsed = parser.parse(
                    {"status_code": status, "headers": {"x-amzn-errortype": error_type}, "body": payload},
                    None,
                )
                assert parsed["Error"]["Code"] == error_type, context
                assert _state(fake) == before, f"{context}: a rejected request changed state"
            else:
                before = _state(fake)
    elapsed = time.monotonic() - started
    rejected = sum(n for status, n in statuses.items() if status >= 300)
    assert rejected > count * 0.6  # the mutations mostly produce invalid requests, as they should
    print(
        f"\nfuzz: {sent} malformed requests (seed {seed}) in {elapsed:.0f} s, {rejected} rejected "
        f"with a typed JSON error and no state change, 0 un-injected 5xx; statuses {dict(sorted(statuses.items()))}"
    )
