"""StartImagePipelineExecution's happy path, through boto3 and on the wire."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3

BUILD_ARN = re.compile(r"^arn:aws:imagebuilder:us-east-1:123456789012:image/web/1\.0\.0/([0-9]+)\Z")


def test_start_answers_token_and_build_arn(client: Any, stack: Any, raw_bodies: dict[str, bytes], check_output: Any):
    answer = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="token-1")

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["clientToken"] == "token-1"
    match = BUILD_ARN.match(answer["imageBuildVersionArn"])
    assert match and match.group(1) == "1"
    assert answer["requestId"] == answer["ResponseMetadata"]["RequestId"]
    body = check_output("StartImagePipelineExecution", raw_bodies["StartImagePipelineExecution"])
    assert set(body) == {"requestId", "clientToken", "imageBuildVersionArn"}


def test_start_without_token_gets_botocore_s_uuid(client: Any, stack: Any):
    answer = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    # botocore fills the idempotency token with a UUID4; the fake echoes what was sent.
    assert re.match(r"^[0-9a-f-]{36}\Z", answer["clientToken"])


def test_start_builds_what_get_image_shows(client: Any, stack: Any, fake: Any):
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    image = client.get_image(imageBuildVersionArn=arn)["image"]

    assert image["arn"] == arn
    assert image["state"] == {"status": "PENDING"}
    assert image["sourcePipelineArn"] == stack.pipeline_arn
    assert image["imageRecipe"]["arn"] == stack.recipe_arn
    assert image["infrastructureConfiguration"]["arn"] == stack.infrastructure_arn
    assert image["outputResources"] == {"amis": []}

    fake.advance(3600)
    done = client.get_image(imageBuildVersionArn=arn)["image"]
    assert done["state"] == {"status": "AVAILABLE"}
    (ami,) = done["outputResources"]["amis"]
    assert re.match(r"^ami-[0-9a-f]{17}\Z", ami["image"])
    assert ami["region"] == "us-east-1"


def test_start_on_the_wire(send_raw: Any, stack: Any):
    response = send_raw(
        "PUT",
        "/StartImagePipelineExecution",
        {"imagePipelineArn": stack.pipeline_arn, "clientToken": "wire-token", "tags": {"k": "v"}},
    )

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "x-amzn-ErrorType" not in response.headers
    body = json.loads(response.body)
    assert body["requestId"] == response.headers["x-amzn-RequestId"]
    assert body["clientToken"] == "wire-token"
    assert body["imageBuildVersionArn"].endswith("/web/1.0.0/1")


def test_start_serves_the_region_of_the_request(fake: Any):
    west = boto3.client("imagebuilder", region_name="us-west-2")
    recipe = west.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-west-2:aws:image/amazon-linux-2-x86/x.x.x",
        # The oldest supported model (botocore 1.40.41) requires a recipe's components.
        components=[{"componentArn": "arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    infra = west.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    pipeline = west.create_image_pipeline(
        name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
    )["imagePipelineArn"]

    arn = west.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]

    assert arn == "arn:aws:imagebuilder:us-west-2:123456789012:image/web/1.0.0/1"
    assert set(fake.state()["123456789012"]) == {"us-west-2"}
