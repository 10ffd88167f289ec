"""Scenarios about what a create names: AWS-managed images, components and workflows, parent images, regions.

None starts a build: the reads cost nothing, and each refused create is
named by the run (so the live guard lets it through) and, should a target
accept it after all, deleted at once before the scenario fails.
"""

from __future__ import annotations

import re

import pytest

from .expect import expect_error
from .ledger_report import verifies
from .targets import Workspace

pytestmark = [pytest.mark.scenario, pytest.mark.builds(0)]


def _aws(workspace: Workspace, resource: str) -> str:
    target = workspace.target
    return f"arn:{target.partition}:imagebuilder:{target.region}:aws:{resource}"


def test_an_aws_managed_image_resolves_to_its_highest_build(workspace: Workspace) -> None:
    """GetImage of image/amazon-linux-2-x86/x.x.x, as Terraform's ARN_aws data source test reads it from AWS."""
    client = workspace.client
    image = client.get_image(imageBuildVersionArn=_aws(workspace, "image/amazon-linux-2-x86/x.x.x"))["image"]
    with verifies("aws-managed-images"):
        assert re.fullmatch(r".*:aws:image/amazon-linux-2-x86/\d+\.\d+\.\d+/\d+", image["arn"])
        assert (image["name"], image["osVersion"], image["platform"]) == (
            "Amazon Linux 2 x86",
            "Amazon Linux 2",
            "Linux",
        )
        assert image["enhancedImageMetadataEnabled"] is False
        assert re.fullmatch(r"\d+\.\d+\.\d+/\d+", image["version"])
        assert len(image["outputResources"]["amis"]) == 1


def test_aws_managed_components_keep_pinned_versions(workspace: Workspace) -> None:
    """update-linux/1.0.0 and update-windows/1.0.1/1, as Terraform's acceptance tests pin them against AWS."""
    client = workspace.client
    with verifies("aws-managed-component-versions"):
        for pinned in ("component/update-linux/1.0.0", "component/update-windows/1.0.1/1"):
            shown = client.get_component(componentBuildVersionArn=_aws(workspace, pinned))["component"]
            assert shown["arn"].startswith(_aws(workspace, pinned).removesuffix("/1"))


def test_a_pipeline_names_an_aws_managed_workflow_only_at_x_x_x(workspace: Workspace) -> None:
    """build-image at a concrete version: refused (aws/aws-cdk#29910); nothing is made."""
    client = workspace.client
    recipe = workspace.recipe()
    pinned = _aws(workspace, "workflow/build/build-image/1.0.1/1")
    with verifies("aws-managed-workflow-latest"), expect_error("InvalidRequestException", 400, "x\\.x\\.x"):
        made = client.create_image_pipeline(
            name=workspace.names.new("pipeline"),
            imageRecipeArn=recipe.arn,
            infrastructureConfigurationArn=workspace.target.infrastructure_arn,
            imageTestsConfiguration={"imageTestsEnabled": False},
            status="DISABLED",  # never builds by itself
            workflows=[{"workflowArn": pinned}],
            tags=workspace.tags(),
        )
        client.delete_image_pipeline(imagePipelineArn=made["imagePipelineArn"])


@pytest.mark.outside_image_builder("a container repository (targetRepository) the run did not create")
def test_a_container_recipe_from_ecr_public_needs_a_platform_override(workspace: Workspace) -> None:
    """An ECR Public parent image without platformOverride: refused with AWS's wording; nothing is made."""
    client = workspace.client
    wording = "You must specify a platform override when using ECR Public Repositories as your parent image"
    with verifies("container-recipe-ecr-parent"), expect_error("InvalidRequestException", 400, wording):
        made = client.create_container_recipe(
            containerType="DOCKER",
            name=workspace.names.new("container"),
            semanticVersion="1.0.0",
            parentImage="public.ecr.aws/docker/library/ubuntu:22.04",
            components=workspace.target.recipe_parameters()["components"],
            dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n",
            targetRepository={"service": "ECR", "repositoryName": "fakeimagebuilder-contract"},
            tags=workspace.tags(),
        )
        client.delete_container_recipe(containerRecipeArn=made["containerRecipeArn"])


@pytest.mark.parametrize("regions", [["mars-1"], ["same", "same"]], ids=["unknown", "twice"])
def test_a_distribution_names_real_regions_once(workspace: Workspace, regions: list[str]) -> None:
    """A region that does not exist, or one named twice: refused; nothing is made."""
    client = workspace.client
    named = [workspace.target.region if region == "same" else region for region in regions]
    distributions = [{"region": region, "amiDistributionConfiguration": {}} for region in named]
    with verifies("distribution-regions"), expect_error("InvalidRequestException", 400, "distributions"):
        made = client.create_distribution_configuration(
            name=workspace.names.new("distribution"), distributions=distributions, tags=workspace.tags()
        )
        client.delete_distribution_configuration(distributionConfigurationArn=made["distributionConfigurationArn"])
