"""A request in flight under moto while another thread leaves the last fake (or guard) never reaches the network.

Thread A's Image Builder request is held just after moto's ``before-send``
handler (by a no-op handler registered after it) while the main thread leaves
the fake or the guard; A then goes on. Whatever A gets (the fake's answer, moto's
404, the guard's refusal), nothing may be sent: botocore's HTTP session is
replaced by one that records every send.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import botocore.httpsession
import botocore.session
import pytest
from both_sides import REGION
from moto import mock_aws

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.transports import botocore_hook

pytestmark = pytest.mark.usefixtures("untouched")


class Refused(RuntimeError):
    """The guard's refusal in these tests."""


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs botocore tried to send over the network (none is sent: each raises)."""
    urls: list[str] = []

    def record(session: Any, request: Any) -> Any:
        urls.append(request.url)
        raise ConnectionError(f"real network: {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", record)
    return urls


def _left_while_in_flight(entered: AbstractContextManager[Any]) -> Any:
    """Call ListImagePipelines in thread A; leave ``entered`` while A is held after moto's handler."""
    client = botocore.session.get_session().create_client("imagebuilder", region_name=REGION)
    at_gap, go_on = threading.Event(), threading.Event()

    def hold(**kwargs: Any) -> None:
        at_gap.set()
        go_on.wait(10)

    client.meta.events.register_last("before-send", hold)
    outcome: list[Any] = []

    def call() -> None:
        try:
            outcome.append(client.list_image_pipelines())
        except Exception as error:  # the outcome is what the test looks at
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    # A reaches the hold, or is already done (a refusal raised in moto's handler never reaches it).
    while not at_gap.wait(0.01) and caller.is_alive():
        pass
    entered.__exit__(None, None, None)
    go_on.set()
    caller.join(10)
    return outcome[0]


def _entered(manager: AbstractContextManager[Any]) -> AbstractContextManager[Any]:
    manager.__enter__()
    return manager


def test_the_last_fake_left_while_a_request_is_in_flight(sent: list[str]):
    with mock_aws():
        outcome = _left_while_in_flight(_entered(FakeImageBuilder()))
    assert sent == []
    assert isinstance(outcome, dict) and outcome["imagePipelineList"] == [], outcome


def test_the_guard_left_while_a_request_is_in_flight(sent: list[str]):
    guard: Callable[[str], BaseException] = Refused
    with mock_aws():
        outcome = _left_while_in_flight(_entered(botocore_hook.guard(guard)))
    assert sent == []
    assert isinstance(outcome, Refused), outcome
