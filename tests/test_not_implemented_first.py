"""An operation the fake lacks says so before anything else: no validation error can hide that it is missing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from fakeimagebuilder import HttpRequest, HttpResponse
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.operations import OPERATIONS
from fakeimagebuilder.service.service import NotImplementedOperation
from fakeimagebuilder.wire import RestJsonWire

HOST = {"host": "imagebuilder.us-east-1.amazonaws.com", "content-type": "application/json"}


def _path(operation: str) -> tuple[str, str]:
    http = service_model().operation_model(operation).http
    # Every URI label gets a value: only the body (here: none) is left to be wrong.
    return http["method"], re.sub(r"\{[^}]+\}", "x", http["requestUri"].split("?")[0])


def _missing() -> list[str]:
    return sorted(set(service_model().operation_names) - set(OPERATIONS))


@pytest.mark.parametrize("operation", _missing())
def test_a_missing_operation_answers_501_even_with_an_invalid_request(
    operation: str, send_raw: Callable[..., HttpResponse]
):
    method, path = _path(operation)

    answer = send_raw(method, path, b"{}")  # no member at all: required members missing, if it has any

    assert answer.status == 501, answer.body
    assert answer.headers["x-amzn-ErrorType"] == "NotImplementedException"
    assert f"does not implement {operation}." in answer.json()["message"]


def test_the_rule_is_asked_before_the_input_is_read():
    """Whatever the backend lacks, it is asked first: a wrongly typed, incomplete body still answers 501."""
    asked: list[str] = []

    def lacks_everything(name: str) -> None:
        asked.append(name)
        raise NotImplementedOperation(f"stand-in lacks {name}")

    def backend(call: Any) -> dict[str, Any]:
        raise AssertionError("a missing operation never reaches the backend")

    wire = RestJsonWire(
        backend, account_for=lambda key: "123456789012", default_region="us-east-1", check_operation=lacks_everything
    )
    body = json.dumps({"imagePipelineArn": 5, "clientToken": ["not", "a", "string"]}).encode()

    answer = wire.handle(HttpRequest("PUT", "/StartImagePipelineExecution", "", HOST, body))

    assert answer.status == 501 and answer.headers["x-amzn-ErrorType"] == "NotImplementedException"
    assert asked == ["StartImagePipelineExecution"]


def test_an_implemented_operation_still_validates_its_input(send_raw: Callable[..., HttpResponse]):
    answer = send_raw("PUT", "/StartImagePipelineExecution", {"imagePipelineArn": 5})

    assert answer.status == 400 and answer.headers["x-amzn-ErrorType"] == "SerializationException"
