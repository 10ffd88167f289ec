"""``fake.mock_requests()``: requests-based callers reach the fake; every other URL is left to its owner."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import responses
from imagebuilder_scenario import SignedRequests
from requests.adapters import HTTPAdapter

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import RunningServer, serve_in_thread
from fakeimagebuilder.transports import responses_mock

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
INFRA = {"name": "from-requests", "instanceProfileName": "builder", "clientToken": "req-1"}


@pytest.fixture
def elsewhere() -> Iterator[RunningServer]:
    """Some other local HTTP service (a server over another fake), for passthrough."""
    with serve_in_thread() as running:
        yield running


def _infrastructure_names(fake: FakeImageBuilder) -> list[str]:
    return [
        c["name"] for scope in fake.state().values() for r in scope.values() for c in r["infrastructureConfigurations"]
    ]


def test_image_builder_urls_reach_the_fake(aws_env: None, elsewhere: RunningServer) -> None:
    fake = FakeImageBuilder()
    send = HTTPAdapter.send
    with fake.mock_requests():
        assert HTTPAdapter.send is not send
        answer = SignedRequests().call("CreateInfrastructureConfiguration", **INFRA)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        # Other URLs are not swallowed: with no mock of the caller's own, they go to the network as usual.
        assert requests.get(f"{elsewhere.url}/_fake/health", timeout=10).json() == {"status": "ok"}
    assert _infrastructure_names(fake) == ["from-requests"]
    assert HTTPAdapter.send is send  # requests is itself again after the block


def test_errors_arrive_as_the_wire_sends_them(aws_env: None) -> None:
    with FakeImageBuilder().mock_requests():
        answer = SignedRequests().call(
            "GetImage", imageBuildVersionArn="arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1"
        )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert answer["Error"]["Code"] == "ResourceNotFoundException"


def test_the_callers_own_responses_mock_keeps_working(aws_env: None, elsewhere: RunningServer) -> None:
    fake = FakeImageBuilder()
    with responses.RequestsMock() as own:
        own.add(responses.GET, "https://api.example.com/ping", json={"pong": True})
        own.add_passthru(elsewhere.url)
        with fake.mock_requests():
            assert requests.get("https://api.example.com/ping", timeout=10).json() == {"pong": True}
            assert requests.get(f"{elsewhere.url}/_fake/health", timeout=10).status_code == 200
            assert (
                SignedRequests().call("CreateInfrastructureConfiguration", **INFRA)["ResponseMetadata"][
                    "HTTPStatusCode"
                ]
                == 200
            )
            # A host that only looks like Image Builder is the caller's business, not the fake's.
            with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
                requests.get("https://imagebuilder.example.com/", timeout=10)
        # Our callbacks went away with the block; the caller's mock is still in place.
        with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
            SignedRequests().call("CreateInfrastructureConfiguration", **INFRA)
        assert requests.get("https://api.example.com/ping", timeout=10).json() == {"pong": True}
    assert _infrastructure_names(fake) == ["from-requests"]


def test_callbacks_can_join_the_callers_mock(aws_env: None) -> None:
    fake = FakeImageBuilder()
    with responses.RequestsMock() as own:
        own.add(responses.GET, re.compile(r"https://imagebuilder\..*/ping"), json={"mine": True})
        with fake.mock_requests(own):
            assert (
                SignedRequests().call("CreateInfrastructureConfiguration", **INFRA)["ResponseMetadata"][
                    "HTTPStatusCode"
                ]
                == 200
            )
        assert len(own.registered()) == 1  # only the caller's own registration is left
        assert requests.get("https://imagebuilder.us-east-1.amazonaws.com/ping", timeout=10).json() == {"mine": True}
    assert _infrastructure_names(fake) == ["from-requests"]


def test_leaving_removes_only_the_fakes_own_callbacks(aws_env: None) -> None:
    fake = FakeImageBuilder()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as own:
        # Someone else's registration equal to one of ours by responses' rules (same method, same URL pattern).
        theirs = own.add(responses.DELETE, responses_mock.URL, json={"theirs": True})
        with fake.mock_requests(own):
            SignedRequests().call("CreateInfrastructureConfiguration", **INFRA)
        assert own.registered() == [theirs]
    assert _infrastructure_names(fake) == ["from-requests"]


_INFRA_URL = "https://imagebuilder.us-east-1.amazonaws.com/CreateInfrastructureConfiguration"
_JSON = {"Content-Type": "application/json"}


def _document(name: str) -> str:
    return json.dumps({"name": name, "instanceProfileName": "builder", "clientToken": "streamed-1"})


# Every body requests sends: what urllib3 writes is what the server reads (a generator, chunked).
@pytest.mark.parametrize(
    "make_body",
    [
        lambda text: text,
        lambda text: text.encode(),
        lambda text: bytearray(text.encode()),
        lambda text: memoryview(text.encode()),
        lambda text: io.BytesIO(text.encode()),
        lambda text: io.StringIO(text),
        lambda text: (part.encode() for part in (text[:5], text[5:])),
        lambda text: (part for part in (text[:5], text[5:])),
        lambda text: iter([text[:3].encode(), bytearray(text[3:9].encode()), memoryview(text[9:].encode())]),
        lambda text: iter([b"", text.encode()]),
    ],
    ids=["text", "bytes", "bytearray", "memoryview", "binary-file", "text-file", "bytes-generator",
         "text-generator", "bytes-like-iterator", "empty-chunk"],
)
def test_every_body_requests_sends_is_read(aws_env: None, make_body: Callable[[str], Any]) -> None:
    fake = FakeImageBuilder()
    with fake.mock_requests():
        answer = requests.put(_INFRA_URL, data=make_body(_document("streamed")), headers=_JSON, timeout=10)
    assert answer.status_code == 200, answer.text
    assert _infrastructure_names(fake) == ["streamed"]


@pytest.mark.parametrize(
    ("body", "what"),
    [(iter([b"{", 7]), "a part of type int is neither bytes nor text"), (object(), "a body of type object is")],
)
def test_a_body_that_cannot_be_read_is_a_400_in_protocol(
    aws_env: None, caplog: pytest.LogCaptureFixture, body: Any, what: str
) -> None:
    fake = FakeImageBuilder()
    with fake.mock_requests():
        answer = requests.put(_INFRA_URL, data=body, headers=_JSON, timeout=10)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "SerializationException"
    assert UUID.match(answer.headers["x-amzn-RequestId"])
    assert answer.json()["message"].startswith(f"The request body cannot be read: {what}")
    assert _infrastructure_names(fake) == []
    assert "failed unexpectedly" not in caplog.text


@pytest.mark.parametrize("path", ["/ListImagePipelines", "/GetImagePipeline?imagePipelineArn=x", "/_nothing"])
def test_head_gets_the_servers_status_and_headers_and_no_body(aws_env: None, path: str) -> None:
    with serve_in_thread() as running:
        served = requests.head(running.url + path, timeout=10)
    with FakeImageBuilder().mock_requests():
        mocked = requests.head("https://imagebuilder.us-east-1.amazonaws.com" + path, timeout=10)
    assert mocked.content == served.content == b""
    assert mocked.status_code == served.status_code
    for name in ("Content-Type", "x-amzn-ErrorType", "Content-Length"):
        assert mocked.headers.get(name) == served.headers.get(name)
