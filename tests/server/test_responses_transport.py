"""``fake.mock_requests()``: requests-based callers reach the fake; every other URL is left to its owner."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
import responses
from imagebuilder_scenario import SignedRequests
from requests.adapters import HTTPAdapter

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import RunningServer, serve_in_thread
from fakeimagebuilder.transports import responses_mock

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
