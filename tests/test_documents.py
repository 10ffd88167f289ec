"""What the fake's documents show, member by member, as AWS's own examples show them.

osVersion from the parent image, dateUpdated on a new pipeline, the output
AMI and the recipe GetImage embeds, and a failed build's failure context.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config

from fakeimagebuilder import BuildPlan
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import IN_PROGRESS
from fakeimagebuilder.service.parents import os_version_of

# A client that sends what botocore's own validation would refuse, and never retries.
UNCHECKED = Config(retries={"mode": "standard", "total_max_attempts": 1}, parameter_validation=False)
# Every in-progress status lasts 30 virtual seconds: BUILDING from 60 s, TESTING from 90 s.
PLAN = BuildPlan(durations={status: 30.0 for status in IN_PROGRESS})


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        # aws-cli list-image-build-versions.rst
        ("arn:aws:imagebuilder:us-west-2:aws:image/amazon-linux-2023-x86/x.x.x", "Amazon Linux 2023"),
        ("arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/2024.1.1/1", "Amazon Linux 2"),
        ("arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-kernel-5-arm64/x.x.x", "Amazon Linux 2"),
        # a real run (iainelder/backups image-builder/README.md)
        ("arn:aws:imagebuilder:eu-west-1:aws:image/ubuntu-server-20-lts-x86/2023.5.2/1", "Ubuntu 20"),
        (
            "arn:aws:imagebuilder:us-west-2:aws:image/windows-server-2016-english-full-base-x86/2019.12.17/1",
            "Microsoft Windows Server 2016",
        ),
        ("arn:aws:imagebuilder:us-east-1:aws:image/red-hat-enterprise-linux-9-x86/x.x.x", "Red Hat Enterprise Linux 9"),
        ("ami-0123456789abcdef0", None),
        ("arn:aws:imagebuilder:us-east-1:123456789012:image/my-own-base/1.0.0/1", None),
    ],
)
def test_os_version_follows_the_parent_image(image: str, expected: str | None):
    assert os_version_of(image) == expected


def test_images_and_summaries_show_the_parent_images_os_version(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(PLAN)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    version_arn = arn.rsplit("/", 1)[0]
    # Not while BUILDING (aws-cli list-image-pipeline-images.rst shows none there) ...
    fake.advance(75)
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "BUILDING" and "osVersion" not in image
    # ... but once the build stage is over, and on the AVAILABLE image (list-image-build-versions.rst).
    fake.advance(30)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "TESTING"

    assert client.get_image(imageBuildVersionArn=arn)["image"]["osVersion"] == "Amazon Linux 2"
    (summary,) = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert summary["osVersion"] == "Amazon Linux 2"

    def listed(os_version: str) -> list[str]:
        filters = [{"name": "osVersion", "values": [os_version]}]
        found = client.list_image_build_versions(imageVersionArn=version_arn, filters=filters)["imageSummaryList"]
        return [s["arn"] for s in found]

    assert listed("Amazon Linux 2") == [arn]
    assert listed("Amazon Linux 2023") == []

    def versions(os_version: str) -> list[dict[str, Any]]:
        filters = [{"name": "osVersion", "values": [os_version]}]
        return client.list_images(filters=filters)["imageVersionList"]

    # ListImages shows it on the version (ImageVersion.osVersion) and its osVersion filter compares it.
    assert [v["osVersion"] for v in versions("Amazon Linux 2")] == ["Amazon Linux 2"]
    assert [v["arn"] for v in versions("Amazon Linux 2")] == [version_arn]
    assert versions("Amazon Linux 2023") == []
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["osVersion"] == "Amazon Linux 2"


@pytest.mark.parametrize(("fail_during", "shown"), [("BUILDING", False), ("TESTING", True)])
def test_a_build_that_ended_shows_os_version_only_if_it_got_past_building(
    fake: Any, client: Any, stack: Any, fail_during: str, shown: bool
):
    fake.set_build_plan(BuildPlan(durations=PLAN.durations, outcome="FAILED", fail_during=fail_during))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    assert ("osVersion" in client.get_image(imageBuildVersionArn=arn)["image"]) is shown


def test_without_enhanced_metadata_an_image_has_no_os_version(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(enhancedImageMetadataEnabled=False)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "AVAILABLE" and "osVersion" not in image


def test_a_build_cancelled_while_building_shows_no_os_version(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(PLAN)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(75)
    client.cancel_image_creation(imageBuildVersionArn=arn)
    fake.advance(3600)

    assert "osVersion" not in client.get_image(imageBuildVersionArn=arn)["image"]


def test_a_new_pipeline_shows_date_updated_equal_to_date_created(client: Any, stack: Any):
    document = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert document["dateUpdated"] == document["dateCreated"]
    (listed,) = client.list_image_pipelines()["imagePipelineList"]
    assert listed["dateUpdated"] == listed["dateCreated"]


def test_output_ami_and_embedded_recipe_carry_what_aws_shows(fake: Any, client: Any, stack: Any):
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    (ami,) = image["outputResources"]["amis"]
    # aws-cli list-image-build-versions.rst: region, image, name, accountId; no state.
    assert set(ami) == {"region", "image", "name", "accountId"}
    (summary,) = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert summary["outputResources"]["amis"] == [ami]
    # aws-cli get-image.rst: the embedded recipe has no owner or type; GetImageRecipe shows the owner.
    recipe = client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]
    assert "owner" in recipe
    assert image["imageRecipe"] == {k: v for k, v in recipe.items() if k not in ("owner", "type")}


_HAS_FAILURE_CONTEXT = "failureContext" in service_model().shape_for("ImageState").members


@pytest.mark.parametrize(
    ("fail_during", "workflow", "step"),
    [
        ("BUILDING", "build/build-image/", "ApplyBuildComponents"),
        ("TESTING", "test/test-image/", "ApplyTestComponents"),
    ],
)
def test_a_failed_build_names_its_workflow_and_component(
    fake: Any, client: Any, stack: Any, fail_during: str, workflow: str, step: str
):
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during=fail_during))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    (dumped,) = fake.state()["123456789012"]["us-east-1"]["images"]
    context = dumped["state"]["failureContext"]
    component = dumped["imageRecipe"]["components"][0]["componentArn"]
    assert context["imageStatus"] == fail_during
    assert context["workflowArn"].startswith(f"arn:aws:imagebuilder:us-east-1:aws:workflow/{workflow}")
    assert context["failedStep"] == step
    assert context["componentFailure"]["componentArn"] == component
    assert context["workflowExecutionId"] in dumped["state"]["reason"]
    assert context["stepExecutionId"].startswith("step-")
    # On the wire only where the installed model has the member (botocore 1.40.41 does not).
    state = client.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert ("failureContext" in state) == _HAS_FAILURE_CONTEXT


def test_failure_before_any_workflow_names_only_the_status(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="PENDING"))
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(3600)

    (dumped,) = fake.state()["123456789012"]["us-east-1"]["images"]
    assert dumped["state"]["failureContext"] == {"imageStatus": "PENDING"}


def test_a_cancelled_build_has_neither_reason_nor_failure_context(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    client.cancel_image_creation(imageBuildVersionArn=arn)
    fake.advance(3600)

    (dumped,) = fake.state()["123456789012"]["us-east-1"]["images"]
    assert dumped["state"] == {"status": "CANCELLED"}


# Components became optional after botocore 1.40.41, whose model still requires them.
_COMPONENTS_REQUIRED = "components" in service_model().operation_model("CreateImageRecipe").input_shape.required_members


def test_a_recipe_without_components_builds_and_fails_naming_itself(
    fake: Any, client: Any, make_stack: Any, expect_error: Any
):
    parent = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
    if _COMPONENTS_REQUIRED:
        # botocore would refuse it before sending; unchecked, the fake answers the model's own error.
        unchecked = boto3.client("imagebuilder", region_name="us-east-1", config=UNCHECKED)
        with pytest.raises(unchecked.exceptions.InvalidParameterValueException) as caught:
            unchecked.create_image_recipe(name="bare", semanticVersion="1.0.0", parentImage=parent)
        expect_error(caught.value, "InvalidParameterValueException", 400)
        assert "'components' is required" in caught.value.response["Error"]["Message"]
        assert client.list_image_recipes()["imageRecipeSummaryList"] == []
        return
    recipe_arn = client.create_image_recipe(name="bare", semanticVersion="1.0.0", parentImage=parent)["imageRecipeArn"]
    stack = make_stack("bare", recipe_arn=recipe_arn)
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    state = client.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert state["status"] == "FAILED" and f"Document {recipe_arn} failed!" in state["reason"]
