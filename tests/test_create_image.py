"""CreateImage: a build without a pipeline, numbered with the pipeline builds of its recipe version."""

from __future__ import annotations

from typing import Any

import pytest

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"


def test_create_image_builds_without_a_pipeline(fake: Any, client: Any, make_stack: Any):
    stack = make_stack()
    answer = client.create_image(
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        imageTestsConfiguration={"imageTestsEnabled": False},
        imageScanningConfiguration={"imageScanningEnabled": True},
        enhancedImageMetadataEnabled=False,
        tags={"team": "web"},
        clientToken="create-1",
    )
    arn = answer["imageBuildVersionArn"]
    assert answer["clientToken"] == "create-1"
    assert arn == f"{PREFIX}:image/web/1.0.0/1"

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert "sourcePipelineArn" not in image and "sourcePipelineName" not in image
    assert image["buildType"] == "USER_INITIATED"
    assert image["imageRecipe"]["arn"] == stack.recipe_arn
    assert image["imageTestsConfiguration"] == {"imageTestsEnabled": False}
    assert image["imageScanningConfiguration"] == {"imageScanningEnabled": True}
    assert image["enhancedImageMetadataEnabled"] is False
    assert image["tags"] == {"team": "web"}
    seen = set()
    for _ in range(40):
        seen.add(client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"])
        fake.advance(60)
    assert "TESTING" not in seen and "AVAILABLE" in seen  # its own tests setting: off
    # Not a build of the pipeline: the pipeline's list and lastRunStatus do not show it.
    assert client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"] == []
    assert "lastRunStatus" not in client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    versions = client.list_image_build_versions(imageVersionArn=f"{PREFIX}:image/web/1.0.0")["imageSummaryList"]
    assert [v["arn"] for v in versions] == [arn]
    client.delete_image(imageBuildVersionArn=arn)


def test_build_numbers_are_shared_with_pipeline_builds(client: Any, make_stack: Any):
    stack = make_stack()
    params = {"imageRecipeArn": stack.recipe_arn, "infrastructureConfigurationArn": stack.infrastructure_arn}
    made = client.create_image(**params)
    started = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    again = client.create_image(**params)

    assert [a["imageBuildVersionArn"].rsplit("/", 1)[1] for a in (made, started, again)] == ["1", "2", "3"]


def test_a_replayed_token_makes_one_build(client: Any, make_stack: Any, count_images: Any):
    stack = make_stack()
    params = {"imageRecipeArn": stack.recipe_arn, "infrastructureConfigurationArn": stack.infrastructure_arn}
    first = client.create_image(clientToken="once", **params)
    again = client.create_image(clientToken="once", **params)

    assert again["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert count_images() == 1
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.create_image(clientToken="once", tags={"other": "tags"}, **params)


@pytest.mark.parametrize(
    ("params", "code", "status", "mentioned"),
    [
        ({}, "InvalidRequestException", 400, "exactly one of"),
        ({"imageRecipeArn": "RECIPE", "containerRecipeArn": "CONTAINER"}, "InvalidRequestException", 400, "exactly"),
        ({"imageRecipeArn": f"{PREFIX}:image-recipe/missing/1.0.0"}, "ResourceNotFoundException", 404, "missing"),
        # The fake holds no container recipes yet: any container recipe is one that does not exist.
        ({"containerRecipeArn": "CONTAINER"}, "ResourceNotFoundException", 404, "ContainerRecipe"),
        (
            {"imageRecipeArn": "RECIPE", "distributionConfigurationArn": f"{PREFIX}:distribution-configuration/no"},
            "ResourceNotFoundException",
            404,
            "DistributionConfiguration",
        ),
    ],
)
def test_bad_references_are_refused_without_a_build(
    client: Any, make_stack: Any, count_images: Any, expect_error: Any, params: dict[str, Any], code: str, status: int,
    mentioned: str,
):
    stack = make_stack()
    container = f"{PREFIX}:container-recipe/box/1.0.0"
    given = {k: {"RECIPE": stack.recipe_arn, "CONTAINER": container}.get(v, v) for k, v in params.items()}
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.create_image(infrastructureConfigurationArn=stack.infrastructure_arn, **given)

    expect_error(caught.value, code, status)
    assert mentioned in caught.value.response["message"]
    assert count_images() == 0
