"""Scenarios about the resources around a build: names, duplicates, dependencies, versions, tags and pages.

None starts a build, so on the aws target they cost nothing but a few
resources, which the workspace deletes. Each is the same on every target.
"""

from __future__ import annotations

import re

import pytest

from .expect import VALIDATION_MESSAGE, expect_error
from .ledger_report import verifies
from .safety import RUN_TAG
from .targets import Workspace

pytestmark = [pytest.mark.scenario, pytest.mark.builds(0)]


def test_names_keep_their_case_and_arns_normalise_it(workspace: Workspace) -> None:
    """Upper case, underscores and spaces in a name: lower case and hyphens in the ARN, the name kept as given."""
    # Run-scoped names with a tail to normalise: the ARN still starts with the run's prefix (the guard's test).
    tail, arn_tail = "_Mixed Case", "-mixed-case"
    infra_name, recipe_name, pipeline_name = (workspace.names.new(kind) for kind in ("infra", "recipe", "pipeline"))
    infra = workspace.infrastructure(infra_name + tail)
    recipe = workspace.recipe("1.0.0", name=recipe_name + tail)
    pipeline = workspace.pipeline(recipe, name=pipeline_name + tail, infrastructure_arn=infra)
    with verifies("name-normalisation"):
        assert infra == workspace.arn("infrastructure-configuration", infra_name + arn_tail)
        assert recipe.arn == workspace.arn("image-recipe", recipe_name + arn_tail, "1.0.0")
        assert pipeline.arn == workspace.arn("image-pipeline", pipeline_name + arn_tail)
        document = workspace.client.get_infrastructure_configuration(infrastructureConfigurationArn=infra)
        assert document["infrastructureConfiguration"]["name"] == infra_name + tail
        assert workspace.client.get_image_recipe(imageRecipeArn=recipe.arn)["imageRecipe"]["name"] == recipe.name
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)
        assert document["imagePipeline"]["name"] == pipeline.name


def test_a_taken_name_already_exists(workspace: Workspace) -> None:
    """A second infrastructure configuration of a name, or recipe of a name and version: ResourceAlreadyExists."""
    name = workspace.names.new("infra")
    workspace.infrastructure(name)
    recipe = workspace.recipe("1.0.0")
    with verifies("already-exists"):
        with expect_error("ResourceAlreadyExistsException", 400):
            workspace.infrastructure(name)
        with expect_error("ResourceAlreadyExistsException", 400):
            workspace.recipe(recipe.version, name=recipe.name)


def test_what_a_pipeline_uses_cannot_be_deleted(workspace: Workspace) -> None:
    """Deleting the infrastructure configuration or recipe of a pipeline: ResourceDependencyException; both stay."""
    infra = workspace.infrastructure()
    pipeline = workspace.pipeline(infrastructure_arn=infra)
    with verifies("dependency"):
        with expect_error("ResourceDependencyException", 400):
            workspace.client.delete_infrastructure_configuration(infrastructureConfigurationArn=infra)
        with expect_error("ResourceDependencyException", 400):
            workspace.client.delete_image_recipe(imageRecipeArn=pipeline.recipe.arn)
        document = workspace.client.get_infrastructure_configuration(infrastructureConfigurationArn=infra)
        assert document["infrastructureConfiguration"]["arn"] == infra
        assert workspace.client.get_image_recipe(imageRecipeArn=pipeline.recipe.arn)["imageRecipe"]["arn"] == (
            pipeline.recipe.arn
        )


@pytest.mark.parametrize("version", ["1.0.x", "x.x.x"])
def test_a_recipe_version_must_be_concrete(workspace: Workspace, version: str) -> None:
    """A wildcard recipe version is refused: InvalidVersionNumberException where the installed model's pattern
    admits it, else (older models) InvalidParameterValueException naming semanticVersion."""
    model = workspace.client.raw.meta.service_model
    pattern = model.operation_model("CreateImageRecipe").input_shape.members["semanticVersion"].metadata["pattern"]
    with verifies("recipe-version"):
        if re.search(pattern, version):
            with expect_error("InvalidVersionNumberException", 400):
                workspace.recipe(version)
        else:
            with expect_error("InvalidParameterValueException", 400, VALIDATION_MESSAGE) as caught:
                workspace.recipe(version)
            assert "'semanticVersion'" in caught.message, caught.message


def test_aws_managed_parents_and_components_are_accepted(workspace: Workspace) -> None:
    """A recipe on an AWS-managed parent image and component (account ``aws``) is created as given."""
    parameters = workspace.target.recipe_parameters()
    references = [parameters["parentImage"], *(c["componentArn"] for c in parameters["components"])]
    if any(arn.split(":")[4] != "aws" for arn in references):
        pytest.skip("--aws-parent-image or --aws-component names a resource that is not AWS-managed")
    with verifies("aws-managed"):
        recipe = workspace.recipe("1.0.0")
        document = workspace.client.get_image_recipe(imageRecipeArn=recipe.arn)["imageRecipe"]
        assert document["parentImage"] == parameters["parentImage"]
        assert [c["componentArn"] for c in document["components"]] == references[1:]


def test_tagging_refuses_a_bad_tag_key(workspace: Workspace) -> None:
    """TagResource with a reserved (``aws:``) key, or a character the key pattern lacks: InvalidParameterException,
    the tags unchanged."""
    infra = workspace.infrastructure()
    before = workspace.client.list_tags_for_resource(resourceArn=infra)["tags"]
    with verifies("validation-tagging"):
        for key in ("aws:owner", "no#hash"):
            with expect_error("InvalidParameterException", 400):
                workspace.client.tag_resource(resourceArn=infra, tags={key: "contract"})
        assert workspace.client.list_tags_for_resource(resourceArn=infra)["tags"] == before


def test_a_made_up_page_token_is_refused(workspace: Workspace) -> None:
    """A nextToken the service never issued: InvalidPaginationTokenException."""
    pipeline = workspace.pipeline()
    with verifies("pagination-token"), expect_error("InvalidPaginationTokenException", 400):
        workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn, nextToken="made-up")


# A lifecycle policy's execution role: on the aws target it must exist in the account (the user guide's
# prerequisites for lifecycle management describe it), else AWS refuses the policy before its rules.
LIFECYCLE_ROLE = "EC2ImageBuilderLifecycleExecutionRole"


def test_lifecycle_policy_rules_are_checked_and_echoed(workspace: Workspace) -> None:
    """Rules AWS refuses answer InvalidRequestException; a policy it accepts reads back exactly as sent.

    Lifecycle policies are not among what the workspace tracks, so this test deletes its own."""
    client = workspace.client
    name = workspace.names.new("lifecycle")
    rules = [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 5}}]
    base = {
        "name": name,
        "executionRole": LIFECYCLE_ROLE,
        "resourceType": "AMI_IMAGE",
        "policyDetails": rules,
        "tags": workspace.tags(),
    }
    # Only the run's own resources are selected: on AWS a policy acts on what it selects (the live guard refuses more).
    ours = {RUN_TAG: workspace.names.run_id}
    with verifies("lifecycle-rules-selection"):
        both = {"recipes": [{"name": workspace.names.new("recipe"), "semanticVersion": "1.0.0"}], "tagMap": ours}
        with expect_error("InvalidRequestException", 400):
            client.create_lifecycle_policy(**base, resourceSelection=both)
        with expect_error("InvalidRequestException", 400):
            client.create_lifecycle_policy(**{**base, "policyDetails": rules * 2}, resourceSelection=both)
    with verifies("lifecycle-rules-documented"), expect_error("InvalidRequestException", 400):
        deprecate = {"action": {"type": "DEPRECATE"}, "filter": {"type": "COUNT", "value": 5}}
        client.create_lifecycle_policy(
            **{**base, "resourceType": "CONTAINER_IMAGE", "policyDetails": [deprecate]},
            resourceSelection={"tagMap": ours},
        )
    arn = client.create_lifecycle_policy(**base, resourceSelection={"tagMap": ours})["lifecyclePolicyArn"]
    try:
        with verifies("lifecycle-echo"):
            policy = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
            assert policy["policyDetails"] == rules
            assert policy["resourceSelection"] == {"tagMap": ours}
            assert "status" not in policy
        with verifies("name-normalisation"):
            assert arn == workspace.arn("lifecycle-policy", name)
    finally:
        client.delete_lifecycle_policy(lifecyclePolicyArn=arn)


# The ECR repository container recipes push to: on the aws target it must exist in the account (AWS checks).
CONTAINER_REPOSITORY = "fakeimagebuilder-contract"


def test_container_recipe_needs_one_template_and_reads_back(workspace: Workspace) -> None:
    """Neither or both Dockerfile templates: InvalidRequestException; a recipe AWS accepts reads back as sent,
    with its platform, owner and ``encrypted``. Container recipes are not among what the workspace tracks, so
    this test deletes its own."""
    client = workspace.client
    name = workspace.names.new("container")
    template = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n"
    recipe = {
        "containerType": "DOCKER",
        "name": name,
        "semanticVersion": "1.0.0",
        "parentImage": "amazonlinux:latest",
        "components": workspace.target.recipe_parameters()["components"],
        "targetRepository": {"service": "ECR", "repositoryName": CONTAINER_REPOSITORY},
        "tags": workspace.tags(),
    }
    with verifies("container-recipe"):
        with expect_error("InvalidRequestException", 400):
            client.create_container_recipe(**recipe)
        with expect_error("InvalidRequestException", 400):
            client.create_container_recipe(
                **recipe, dockerfileTemplateData=template, dockerfileTemplateUri="s3://fakeimagebuilder/Dockerfile"
            )
    arn = client.create_container_recipe(**recipe, dockerfileTemplateData=template)["containerRecipeArn"]
    try:
        with verifies("container-recipe"):
            shown = client.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]
            assert shown["dockerfileTemplateData"] == template
            assert shown["targetRepository"] == recipe["targetRepository"]
            assert (shown["platform"], shown["owner"], shown["encrypted"]) == ("Linux", workspace.target.account, True)
            assert "workingDirectory" not in shown
        with verifies("name-normalisation"):
            assert arn == workspace.arn("container-recipe", name, "1.0.0")
    finally:
        client.delete_container_recipe(containerRecipeArn=arn)
