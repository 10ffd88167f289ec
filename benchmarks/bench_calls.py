"""Per-call cost: the fake alone (``fake.handle``) against a full boto3 call through it.

Run with ``python -m pytest benchmarks --benchmark-only`` (not part of the
default test run). The question it answers: does botocore's own work
(serialize, sign, parse) dominate a call, as it should for a fake that is
cheap enough to use everywhere?
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from fakeimagebuilder import FakeImageBuilder, HttpRequest
from fakeimagebuilder.transports.botocore_hook import _Body

HOST = {"host": "imagebuilder.us-east-1.amazonaws.com", "content-type": "application/json"}
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[FakeImageBuilder]:
    """An active fake, with dummy credentials and no user AWS config."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IMAGEBUILDER", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    with FakeImageBuilder() as active:
        yield active


@pytest.fixture
def client(fake: FakeImageBuilder) -> Any:
    """A boto3 client on the fake."""
    return boto3.client("imagebuilder", region_name="us-east-1")


@pytest.fixture
def pipeline(client: Any) -> str:
    """The ARN of a ready pipeline."""
    recipe = client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT)["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    arn: str = client.create_image_pipeline(
        name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
    )["imagePipelineArn"]
    return arn


def _start_request(pipeline: str, token: str) -> HttpRequest:
    body = json.dumps({"imagePipelineArn": pipeline, "clientToken": token}).encode()
    return HttpRequest("PUT", "/StartImagePipelineExecution", "", HOST, body)


def test_fake_alone_start_new_build(benchmark: Any, fake: FakeImageBuilder, pipeline: str):
    tokens = (f"token-{n}" for n in itertools.count())

    def fresh() -> tuple[tuple[HttpRequest], dict[str, Any]]:
        return (_start_request(pipeline, next(tokens)),), {}

    response = benchmark.pedantic(fake.handle, setup=fresh, rounds=3000, warmup_rounds=50)
    assert response.status == 200


def test_fake_alone_start_replay(benchmark: Any, fake: FakeImageBuilder, pipeline: str):
    request = _start_request(pipeline, "the-same-token")

    response = benchmark(fake.handle, request)
    assert response.status == 200


def test_fake_alone_get_image_pipeline(benchmark: Any, fake: FakeImageBuilder, pipeline: str):
    from urllib.parse import quote

    request = HttpRequest("GET", "/GetImagePipeline", f"imagePipelineArn={quote(pipeline, safe='')}", HOST)

    response = benchmark(fake.handle, request)
    assert response.status == 200


def test_boto3_start_through_the_fake(benchmark: Any, client: Any, pipeline: str):
    answer = benchmark(client.start_image_pipeline_execution, imagePipelineArn=pipeline)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boto3_get_image_pipeline_through_the_fake(benchmark: Any, client: Any, pipeline: str):
    answer = benchmark(client.get_image_pipeline, imagePipelineArn=pipeline)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boto3_get_image_pipeline_botocore_alone(benchmark: Any, fake: FakeImageBuilder, client: Any, pipeline: str):
    """The baseline: botocore serializes, signs and parses, but a canned answer replaces the fake."""
    canned = client.get_image_pipeline(imagePipelineArn=pipeline)["ResponseMetadata"]
    body = json.dumps({"requestId": canned["RequestId"], "imagePipeline": {"arn": pipeline, "name": "web"}}).encode()

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"x-amzn-RequestId": canned["RequestId"]}, _Body(body))

    client.meta.events.register("before-send.imagebuilder.GetImagePipeline", answer)
    result = benchmark(client.get_image_pipeline, imagePipelineArn=pipeline)
    assert result["imagePipeline"]["name"] == "web"
