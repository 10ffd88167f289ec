"""One scenario through every transport gives the same answers as the in-process fake.

Each transport gets a fresh fake on a virtual clock started at the same
instant and the same client tokens, so every ARN, date and status must be
identical; only request ids differ.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import boto3
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError
from imagebuilder_scenario import (
    COMPONENT,
    NO_RETRIES,
    PARENT_IMAGE,
    REGION,
    T0,
    SignedRequests,
    boto3_client,
    control,
)

from fakeimagebuilder import FakeImageBuilder, VirtualClock
from fakeimagebuilder.server import serve_in_thread


class Transport(Protocol):
    def call(self, operation: str, **params: Any) -> dict[str, Any]: ...

    def advance(self, seconds: float) -> None: ...


def _normalised(parsed: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs per request or per fake: request ids, response metadata, and the
    made-up AMI ids (each fake makes its own, so two fakes' AMIs never collide)."""
    status = parsed["ResponseMetadata"]["HTTPStatusCode"]
    if "Error" in parsed:
        return {"status": status, "error": parsed["Error"]["Code"], "message": parsed["Error"]["Message"]}
    body = {k: v for k, v in parsed.items() if k not in ("ResponseMetadata", "requestId")}
    return {"status": status, **json.loads(re.sub(r"ami-[0-9a-f]{17}", "ami-*", json.dumps(body, default=str)))}


class _Boto3:
    def __init__(self, client: Any, advance: Callable[[float], None]) -> None:
        self.client = client
        self.advance = advance  # type: ignore[method-assign]

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return _normalised(getattr(self.client, xform_name(operation))(**params))
        except ClientError as error:
            return _normalised(error.response)


class _Requests:
    def __init__(self, client: SignedRequests, advance: Callable[[float], None]) -> None:
        self.client = client
        self.advance = advance  # type: ignore[method-assign]

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return _normalised(self.client.call(operation, **params))


def _fake() -> FakeImageBuilder:
    return FakeImageBuilder(clock=VirtualClock(T0))


@contextmanager
def in_process() -> Iterator[Transport]:
    with _fake() as fake:
        yield _Boto3(boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES), fake.advance)


@contextmanager
def boto3_endpoint_url() -> Iterator[Transport]:
    with serve_in_thread(_fake()) as server:
        yield _Boto3(
            boto3_client(server.url, config=NO_RETRIES),
            lambda seconds: control(server.url, "advance", {"seconds": seconds}),
        )


@contextmanager
def requests_and_responses() -> Iterator[Transport]:
    fake = _fake()
    with fake.mock_requests():
        yield _Requests(SignedRequests(), fake.advance)


@contextmanager
def requests_over_http() -> Iterator[Transport]:
    with serve_in_thread(_fake()) as server:
        yield _Requests(
            SignedRequests(server.url), lambda seconds: control(server.url, "advance", {"seconds": seconds})
        )


def scenario(t: Transport) -> list[tuple[str, dict[str, Any]]]:
    """Create, start, replay, mismatch, miss, tag, wait and look: every answer, in order."""
    answers: list[tuple[str, dict[str, Any]]] = []

    def step(operation: str, **params: Any) -> dict[str, Any]:
        answer = t.call(operation, **params)
        answers.append((operation, answer))
        return answer

    recipe = step(
        "CreateImageRecipe",
        name="Web App",
        semanticVersion="1.0.0",
        parentImage=PARENT_IMAGE,
        components=[{"componentArn": COMPONENT}],
        clientToken="recipe-1",
        tags={"team": "build"},
    )
    infra = step("CreateInfrastructureConfiguration", name="web", instanceProfileName="builder", clientToken="infra-1")
    pipeline = step(
        "CreateImagePipeline",
        name="web",
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        clientToken="pipeline-1",
        tags={"env": "test"},
    )
    arn = pipeline["imagePipelineArn"]
    build = step("StartImagePipelineExecution", imagePipelineArn=arn, clientToken="start-1", tags={"run": "1"})
    step("StartImagePipelineExecution", imagePipelineArn=arn, clientToken="start-1", tags={"run": "1"})
    step("StartImagePipelineExecution", imagePipelineArn=arn, clientToken="start-1", tags={"run": "2"})
    step("StartImagePipelineExecution", imagePipelineArn=arn.replace("/web", "/missing"), clientToken="start-2")
    step("StartImagePipelineExecution", imagePipelineArn=arn + "/extra", clientToken="start-3")
    image = build["imageBuildVersionArn"]
    step("GetImage", imageBuildVersionArn=image)
    t.advance(700)
    step("GetImage", imageBuildVersionArn=image)
    step("ListTagsForResource", resourceArn=arn)
    step("TagResource", resourceArn=arn, tags={"owner": "me"})
    step("UntagResource", resourceArn=arn, tagKeys=["env"])
    step("ListTagsForResource", resourceArn=arn)
    step("StartImagePipelineExecution", imagePipelineArn=arn, clientToken="start-4")
    t.advance(3600)
    step("GetImage", imageBuildVersionArn=image)
    step("ListImagePipelineImages", imagePipelineArn=arn, maxResults=1)
    step("ListImageBuildVersions", imageVersionArn=image.rsplit("/", 1)[0])
    step("GetImagePipeline", imagePipelineArn=arn)
    step("DeleteImageRecipe", imageRecipeArn=recipe["imageRecipeArn"])
    return answers


TRANSPORTS: dict[str, Callable[[], AbstractContextManager[Transport]]] = {
    "boto3 endpoint_url": boto3_endpoint_url,
    "requests + responses": requests_and_responses,
    "requests over HTTP": requests_over_http,
}


@pytest.fixture
def reference(aws_env: None) -> list[tuple[str, dict[str, Any]]]:
    """The scenario's answers from the in-process transport."""
    with in_process() as transport:
        return scenario(transport)


def test_reference_scenario_exercises_what_it_should(reference: list[tuple[str, dict[str, Any]]]) -> None:
    answers = [answer for _, answer in reference]
    first, replay, mismatch, missing, invalid = answers[3:8]
    assert replay["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert first["imageBuildVersionArn"].endswith(":image/web-app/1.0.0/1")
    assert mismatch["error"] == "IdempotentParameterMismatchException"
    assert (missing["status"], missing["error"]) == (404, "ResourceNotFoundException")
    assert (invalid["status"], invalid["error"]) == (400, "InvalidParameterValueException")
    statuses = [a["image"]["state"]["status"] for op, a in reference if op == "GetImage"]
    assert statuses == ["PENDING", "BUILDING", "AVAILABLE"]
    tags = [a["tags"] for op, a in reference if op == "ListTagsForResource"]
    assert tags == [{"env": "test"}, {"owner": "me"}]
    assert answers[-1]["error"] == "ResourceDependencyException"


@pytest.mark.parametrize("transport", TRANSPORTS.values(), ids=TRANSPORTS.keys())
def test_every_transport_answers_like_the_in_process_fake(
    transport: Callable[[], AbstractContextManager[Transport]],
    reference: list[tuple[str, dict[str, Any]]],
) -> None:
    with transport() as t:
        answers = scenario(t)
    assert [op for op, _ in answers] == [op for op, _ in reference]
    for (operation, got), (_, expected) in zip(answers, reference, strict=True):
        assert got == expected, operation
