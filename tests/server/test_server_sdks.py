"""Every operation of the coverage table through the server, by the AWS CLI and by the AWS SDK for JavaScript v3.

The calls are ``tests/test_operations.py``'s own tables (one success and one
modeled error per implemented operation, on its ``world``): each table entry
runs with a stand-in client whose every call, the set-up calls of the entry
included, goes through the SDK under test to a server serving that world's
fake. A success must parse every top-level member the server sent, string
members equal; an error must reach the SDK as its code (and, in JavaScript,
its HTTP status).

The CLI runs in this process (one driver, ``--cli-input-json``, no
pagination); JavaScript runs in one ``node`` process that answers a JSON line
per call (``sdk_js/calls.mjs``), with the SDK version ``sdk_js/package.json``
pins: ``npm ci --prefix tests/server/sdk_js`` installs it (CI does). Without
node or that install the JavaScript half is skipped, except under CI, where
it fails.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore import xform_name
from imagebuilder_scenario import REGION
from test_operations import ERRORS, SUCCESS, world  # noqa: F401 (world: the tables' fixture)

from fakeimagebuilder import FakeImageBuilder, wire
from fakeimagebuilder.model import service_model
from fakeimagebuilder.server import serve_in_thread

SDK_JS = Path(__file__).resolve().parent / "sdk_js"
_METHODS = {xform_name(name): name for name in service_model().operation_names}


class SdkError(Exception):
    """An error answer, as the SDK under test reported it."""

    def __init__(self, code: str, status: int | None, message: str) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code, self.status = code, status


Send = Callable[[str, str, dict[str, Any]], dict[str, Any]]
"""``send(url, operation, params)``: the SDK's parse of a success; raises :class:`SdkError` for an error."""


class _Through:
    """A stand-in for a boto3 client: each ``client.create_component(**params)`` goes through ``send``."""

    def __init__(self, url: str, send: Send, bodies: list[bytes]) -> None:
        self.url, self.send, self.bodies = url, send, bodies
        self.calls: list[tuple[str, dict[str, Any], bytes]] = []  # operation, answer, the server's body

    def __getattr__(self, method: str) -> Callable[..., dict[str, Any]]:
        operation = _METHODS[method]

        def call(**params: Any) -> dict[str, Any]:
            before = len(self.bodies)
            try:
                answer = self.send(self.url, operation, params)
            finally:
                body = self.bodies[-1] if len(self.bodies) > before else b""
                self.calls.append((operation, {}, body))
            self.calls[-1] = (operation, answer, body)
            return answer

        return call


@pytest.fixture
def served(fake: FakeImageBuilder, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[bytes]]]:
    """The test's fake (with its ``world``) behind a server; the bodies of the answers it sends, in order."""
    bodies: list[bytes] = []
    handle = wire.RestJsonWire.handle

    def recording(self: Any, request: Any) -> Any:
        response = handle(self, request)
        bodies.append(response.body if isinstance(response.body, bytes) else str(response.body).encode())
        return response

    monkeypatch.setattr(wire.RestJsonWire, "handle", recording)
    running = serve_in_thread(fake)
    yield running.url, bodies
    running.stop()


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"no JSON form for {value!r} in a call's parameters")


def _json(value: Any) -> str:
    """A call's parameters as JSON: a timestamp as ISO 8601, which both SDKs read."""
    return json.dumps(value, default=_timestamp)


# -- the SDKs ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aws_cli() -> Send:
    """The AWS CLI's driver, in this process (one driver: its start-up is most of a call's time)."""
    from awscli.clidriver import create_clidriver

    driver = create_clidriver()

    def send(url: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        out, err = io.StringIO(), io.StringIO()
        args = [xform_name(operation, "-"), "--cli-input-json", _json(params)]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = driver.main(["imagebuilder", *args, "--endpoint-url", url, "--output", "json", "--no-paginate"])
        if code != 0:
            found = re.search(r"An error occurred \((\w+)\) when calling the (\w+) operation: (.*)", err.getvalue())
            assert found and found.group(2) == operation, err.getvalue()
            raise SdkError(found.group(1), None, found.group(3))
        answer: dict[str, Any] = json.loads(out.getvalue() or "{}")
        return answer

    return send


@pytest.fixture(scope="module")
def javascript() -> Iterator[Send]:
    """The AWS SDK for JavaScript v3 in one node process, answering a JSON line per call."""
    node = shutil.which("node")
    if node is None or not (SDK_JS / "node_modules" / "@aws-sdk" / "client-imagebuilder").is_dir():
        reason = "needs node and `npm ci --prefix tests/server/sdk_js` (the pinned AWS SDK for JavaScript v3)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    process = subprocess.Popen(
        [node, str(SDK_JS / "calls.mjs")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # node's own notices (a version support warning)
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def send(url: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        stdin.write(_json({"endpoint": url, "region": REGION, "operation": operation, "input": params}) + "\n")
        stdin.flush()
        answer = json.loads(stdout.readline())
        if "unknown" in answer:
            pytest.skip(f"the pinned AWS SDK for JavaScript has no {operation}Command")
        if "error" in answer:
            raise SdkError(answer["error"], answer["status"], answer["message"])
        assert answer["status"] == 200, answer
        output: dict[str, Any] = answer["output"]
        return output

    yield send
    stdin.close()
    process.wait(timeout=30)


SDKS = ("aws_cli", "javascript")


# -- the checks ----------------------------------------------------------------------------------------------------


def _parsed_as_sent(operation: str, answer: dict[str, Any], body: bytes) -> None:
    """Every top-level member of the server's body reached the SDK's answer; strings unchanged."""
    sent = json.loads(body) if body else {}
    assert set(sent) <= set(answer), (operation, sorted(set(sent) - set(answer)))
    for member, value in sent.items():
        if isinstance(value, str):
            assert answer[member] == value, (operation, member)
    assert set(answer) <= set(service_model().operation_model(operation).output_shape.members), operation


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("operation", sorted(SUCCESS))
def test_every_operation_succeeds_through_the_sdk(
    request: pytest.FixtureRequest,
    world: SimpleNamespace,  # noqa: F811 (the tables' fixture, imported)
    served: tuple[str, list[bytes]],
    sdk: str,
    operation: str,
) -> None:
    url, bodies = served
    through = _Through(url, request.getfixturevalue(sdk), bodies)

    SUCCESS[operation](through, world)

    assert through.calls[-1][0] == operation, [call[0] for call in through.calls]
    for called, answer, body in through.calls:
        _parsed_as_sent(called, answer, body)


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("operation", sorted(ERRORS))
def test_every_operation_answers_its_modeled_error_through_the_sdk(
    request: pytest.FixtureRequest,
    world: SimpleNamespace,  # noqa: F811 (the tables' fixture, imported)
    served: tuple[str, list[bytes]],
    sdk: str,
    operation: str,
) -> None:
    url, bodies = served
    through = _Through(url, request.getfixturevalue(sdk), bodies)
    call, code, status = ERRORS[operation]

    with pytest.raises(SdkError) as caught:
        call(through, world)

    assert through.calls[-1][0] == operation, [call[0] for call in through.calls]
    assert caught.value.code == code
    if caught.value.status is not None:  # the CLI does not print the status
        assert caught.value.status == status
