"""What the fake's documents show, member by member, as AWS's own examples show them.

osVersion from the parent image, dateUpdated on a new pipeline, the output
AMI and the recipe GetImage embeds, and a failed build's failure context.
"""

from __future__ import annotations

import re
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
    # The build version the recipe's update-linux/x.x.x ran as (the newest AWS-managed one), as GetComponent
    # resolves it.
    written = dumped["imageRecipe"]["components"][0]["componentArn"]
    component = client.get_component(componentBuildVersionArn=written)["component"]["arn"]
    assert context["imageStatus"] == fail_during
    assert context["workflowArn"].startswith(f"arn:aws:imagebuilder:us-east-1:aws:workflow/{workflow}")
    assert context["failedStep"] == step
    assert context["componentFailure"] == {"componentArn": component, "phaseName": fail_during[:-3].lower()}
    assert f"Document {component} failed!" in dumped["state"]["reason"]
    assert context["workflowExecutionId"] in dumped["state"]["reason"]
    assert context["stepExecutionId"].startswith("step-")
    # On the wire only where the installed model has the member (botocore 1.40.41 does not).
    state = client.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert ("failureContext" in state) == _HAS_FAILURE_CONTEXT


COMPONENT_DOCUMENT = (
    "name: own\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: S\n"
    "        action: ExecuteBash\n        inputs:\n          commands: ['true']\n"
)


def test_a_failure_names_the_component_build_version_the_build_resolved_when_it_started(
    fake: Any, client: Any, make_stack: Any
):
    # componentFailure.componentArn is "the ARN of the component build version that failed" (API reference,
    # ComponentFailureContext; its pattern ends in /x.y.z/n), and the user guide's example reason names it too.
    first = client.create_component(name="own", semanticVersion="1.0.0", platform="Linux", data=COMPONENT_DOCUMENT)
    own = first["componentBuildVersionArn"]
    recipe = client.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": own.rsplit("/", 2)[0] + "/x.x.x"}],
    )["imageRecipeArn"]
    stack = make_stack("web", recipe_arn=recipe)
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    # A newer version made after the start is not what the build ran, nor what its retry runs.
    client.create_component(name="own", semanticVersion="2.0.0", platform="Linux", data=COMPONENT_DOCUMENT)
    fake.advance(3600)
    if "RetryImage" in service_model().operation_names:  # botocore 1.40.41's model has no RetryImage
        client.retry_image(imageBuildVersionArn=arn)
        fake.advance(3600)

    state = client.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert state["status"] == "FAILED" and f"Document {own} failed!" in state["reason"]
    (dumped,) = fake.state()["123456789012"]["us-east-1"]["images"]
    assert dumped["state"]["failureContext"]["componentFailure"]["componentArn"] == own


_COMPONENT_BUILD_VERSION = service_model().shape_for("ComponentBuildVersionArn").metadata["pattern"]


@pytest.mark.skipif(not _HAS_FAILURE_CONTEXT, reason="the installed model has no ImageState.failureContext")
@pytest.mark.parametrize("fail_during", ["BUILDING", "TESTING"])
@pytest.mark.parametrize(
    "component",
    [
        "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x",
        "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.1",
        "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1",
        "own/1.0.0",
        "own/1.x.x",
        # Shared from another account: its builds are unknown, so the context names none.
        "arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0",
    ],
)
def test_every_failure_context_fits_the_model(
    fake: Any,
    client: Any,
    make_stack: Any,
    raw_bodies: dict[str, bytes],
    check_output: Any,
    component: str,
    fail_during: str,
):
    if component.startswith("own/"):
        client.create_component(name="own", semanticVersion="1.0.0", platform="Linux", data=COMPONENT_DOCUMENT)
        component = f"arn:aws:imagebuilder:us-east-1:123456789012:component/{component}"
    recipe = client.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": component}],
    )["imageRecipeArn"]
    stack = make_stack("web", recipe_arn=recipe)
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during=fail_during))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    client.get_image(imageBuildVersionArn=arn)
    client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)
    client.list_image_build_versions(imageVersionArn=arn.rsplit("/", 1)[0])
    contexts = [
        check_output("GetImage", raw_bodies["GetImage"])["image"]["state"]["failureContext"],
        *(
            check_output(operation, raw_bodies[operation])["imageSummaryList"][0]["state"]["failureContext"]
            for operation in ("ListImagePipelineImages", "ListImageBuildVersions")
        ),
    ]
    assert contexts[0] == contexts[1] == contexts[2]
    failure = contexts[0]["componentFailure"]
    if ":111122223333:" in component:
        assert failure == {"phaseName": fail_during[:-3].lower()}
    else:
        assert re.fullmatch(_COMPONENT_BUILD_VERSION, failure["componentArn"]), failure


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
    # No component ran: the failed step names none (ledger failure-component-build-version).
    assert "componentFailure" not in state.get("failureContext", {})


def _image_sources(client: Any, arn: str, pipeline: str | None = None) -> set[str | None]:
    """The imageSource every shape that has the member shows for the image ``arn``."""
    version = arn.rsplit("/", 1)[0]
    shown = [
        client.get_image(imageBuildVersionArn=arn)["image"],
        *(s for s in client.list_image_build_versions(imageVersionArn=version)["imageSummaryList"] if s["arn"] == arn),
        *(v for v in client.list_images()["imageVersionList"] if v["arn"] == version),
    ]
    if pipeline is not None:
        listed = client.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
        shown += [s for s in listed if s["arn"] == arn]
    assert len(shown) == (4 if pipeline else 3)
    return {document.get("imageSource") for document in shown}


def test_every_shape_shows_the_same_image_source(fake: Any, client: Any, stack: Any):
    # Image, ImageSummary and ImageVersion all carry imageSource; one image shows one value in all of them. A built
    # image shows none: AWS's own list-image-pipeline-images example (fixtures/documented) has no imageSource.
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    made = client.create_image(imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn)
    imported = client.import_vm_image(
        name="golden",
        semanticVersion="1.0.0",
        platform="Linux",
        osVersion="Amazon Linux 2",
        vmImportTaskId="import-ami-1234567890abcdef0",
    )["imageArn"]
    assert client.get_image(imageBuildVersionArn=imported)["image"]["imageSource"] == "IMPORTED"  # even in progress
    fake.advance(3600)

    assert _image_sources(client, built, stack.pipeline_arn) == {None}
    assert _image_sources(client, made["imageBuildVersionArn"]) == {None}
    assert _image_sources(client, imported) == {"IMPORTED"}
    if "DistributeImage" not in service_model().operation_names:  # botocore 1.40.41's model has none
        return
    distribution = client.create_distribution_configuration(
        name="here", distributions=[{"region": "us-east-1", "amiDistributionConfiguration": {}}]
    )["distributionConfigurationArn"]
    copies = {
        source: client.distribute_image(
            sourceImage=source, distributionConfigurationArn=distribution, executionRole="Distributor"
        )["imageBuildVersionArn"]
        for source in (built, imported)
    }
    fake.advance(3600)
    assert _image_sources(client, copies[built]) == {None}
    assert _image_sources(client, copies[imported]) == {"IMPORTED"}
