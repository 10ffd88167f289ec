"""Scenarios about the resources around a build: names, duplicates, dependencies, versions, tags and pages.

None starts a build, so on the aws target they cost nothing but a few
resources, which the workspace deletes. Each is the same on every target.
"""

from __future__ import annotations

import json
import re

import pytest

from .expect import VALIDATION_MESSAGE, expect_error
from .ledger_report import ModelDifference, verifies
from .safety import RUN_TAG
from .targets import Recipe, Workspace

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


def test_a_dry_run_makes_nothing_yet_meets_the_real_checks(workspace: Workspace) -> None:
    """dryRun on CreateInfrastructureConfiguration: DryRunOperationException (412) and nothing made, so the real
    call then succeeds; once the name is taken, a dry run answers ResourceAlreadyExistsException as the call would."""
    model = workspace.client.raw.meta.service_model
    if "dryRun" not in model.operation_model("CreateInfrastructureConfiguration").input_shape.members:
        pytest.skip("the installed botocore's model has no dryRun on CreateInfrastructureConfiguration")
    name = workspace.names.new("infra")
    members = {"name": name, "tags": workspace.tags(), **workspace.target.infrastructure_parameters()}
    with verifies("dry-run"):
        with expect_error("DryRunOperationException", 412):
            workspace.client.create_infrastructure_configuration(dryRun=True, **members)
        listed = workspace.client.list_infrastructure_configurations(filters=[{"name": "name", "values": [name]}])
        assert listed["infrastructureConfigurationSummaryList"] == []
        assert workspace.infrastructure(name) == workspace.arn("infrastructure-configuration", name)
    with verifies("dry-run-state-checks"), expect_error("ResourceAlreadyExistsException", 400):
        workspace.client.create_infrastructure_configuration(dryRun=True, **members)


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


def _admits(workspace: Workspace, operation: str, member: str, value: str) -> bool:
    """Whether the installed model's pattern for ``operation``'s ``member`` admits ``value``."""
    shape = workspace.client.raw.meta.service_model.operation_model(operation).input_shape.members[member]
    return re.search(shape.metadata["pattern"], value) is not None


def test_one_x_in_a_recipe_version_makes_the_next_version(workspace: Workspace) -> None:
    """A recipe version with one x makes the next value of that node (0 for the first); more than one x is
    InvalidVersionNumberException. Where the installed model's pattern admits no x (older models), the wire
    refuses it: InvalidParameterValueException naming semanticVersion (set aside on a target that takes it: it
    serves a newer model)."""
    if not _admits(workspace, "CreateImageRecipe", "semanticVersion", "1.0.x"):
        taken_means = workspace.target.model_refusal("semanticVersion 1.0.x (its pattern has no x)")
        try:
            with verifies("recipe-version-wildcards"):
                with expect_error(
                    "InvalidParameterValueException", 400, VALIDATION_MESSAGE, taken_means=taken_means
                ) as caught:
                    workspace.recipe("1.0.x")
                assert "'semanticVersion'" in caught.message, caught.message
        except ModelDifference as difference:
            pytest.skip(str(difference))
        return
    name = workspace.names.new("recipe")
    with verifies("recipe-auto-version-first"):
        assert workspace.recipe("1.0.x", name=name).version == "1.0.0"
    with verifies("recipe-auto-version"):
        second = workspace.recipe("1.0.x", name=name)
        assert second.arn == workspace.arn("image-recipe", name, "1.0.1")
        assert workspace.recipe("1.x.0", name=name).version == "1.1.0"
        document = workspace.client.get_image_recipe(imageRecipeArn=second.arn)["imageRecipe"]
        assert (document["arn"], document["version"]) == (second.arn, "1.0.1")
    with verifies("recipe-version-wildcards"):
        for version in ("x.x.x", "1.x.x"):
            with expect_error("InvalidVersionNumberException", 400):
                workspace.recipe(version, name=name)


def test_a_pipeline_shows_its_wildcard_recipe_and_holds_the_version_it_selects(workspace: Workspace) -> None:
    """A pipeline named with recipe x.x.x shows x.x.x; the version it selects cannot be deleted, another can."""
    name = workspace.names.new("recipe")
    wildcard = workspace.arn("image-recipe", name, "x.x.x")
    if not _admits(workspace, "CreateImagePipeline", "imageRecipeArn", wildcard):
        pytest.skip("the installed model's ImageRecipeArn pattern admits no x (older models)")
    older, newer = workspace.recipe("1.0.0", name=name), workspace.recipe("1.0.1", name=name)
    pipeline = workspace.pipeline(Recipe(wildcard, name, "x.x.x"))
    with verifies("pipeline-recipe-wildcard-shown"):
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"]
        assert document["imageRecipeArn"] == wildcard
    with verifies("recipe-wildcard-dependency"):
        with expect_error("ResourceDependencyException", 400):
            workspace.client.delete_image_recipe(imageRecipeArn=newer.arn)
        workspace.client.delete_image_recipe(imageRecipeArn=older.arn)


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
            assert policy["status"] == "ENABLED"  # not sent: the default
        with verifies("name-normalisation"):
            assert arn == workspace.arn("lifecycle-policy", name)
    finally:
        client.delete_lifecycle_policy(lifecyclePolicyArn=arn)


# The ECR repository container recipes push to. Not the run's: the tests naming it are skipped on the aws target.
CONTAINER_REPOSITORY = "fakeimagebuilder-contract"
CONTAINER_TARGET = pytest.mark.outside_image_builder("a container repository (targetRepository) the run did not create")


@CONTAINER_TARGET
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


# -- one scenario per kind the fake holds beyond recipes, configurations and pipelines --------------------------------

# A build component as the user guide's document schema has it: one build phase, one named step with an action.
COMPONENT_DOCUMENT = """name: contract
description: says hello
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello
"""

# A build workflow as the user guide's sample has it: launch, run the components, make the image, terminate.
WORKFLOW_DOCUMENT = """name: contract-build
description: builds an image
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: ssmAgent
  - name: ApplyBuildComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
  - name: CreateOutputAMI
    action: CreateImage
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
"""


def _policy(workspace: Workspace, arn: str, actions: list[str]) -> str:
    """A resource policy granting the run's own account (nobody else: the live run shares nothing) ``actions``."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": [workspace.target.account]},
        "Action": actions,
        "Resource": [arn],
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_a_component_reads_back_lists_and_is_held_by_the_recipes_using_it(workspace: Workspace) -> None:
    """CreateComponent: a refused document makes nothing; an accepted one reads back as sent (type BUILD from its
    phases), lists once under its version, carries a resource policy; a recipe naming a component that does not
    exist, setting a parameter it does not define, or naming it as its parent image is refused, one using it holds it
    (ResourceDependencyException)."""
    client = workspace.client
    name = workspace.names.new("component")
    sent = {
        "name": name,
        "semanticVersion": "1.0.0",
        "platform": "Linux",
        "description": "contract component",
        "changeDescription": "first",
        "tags": workspace.tags(),
    }
    with verifies("component-document"), expect_error("InvalidRequestException", 400):
        client.create_component(**sent, data="schemaVersion: 1.0\nphases: []\n")
    with verifies("component-source"), expect_error("InvalidParameterCombinationException", 400):
        client.create_component(**sent, data=COMPONENT_DOCUMENT, uri="s3://fakeimagebuilder/component.yaml")
    arn = client.create_component(**sent, data=COMPONENT_DOCUMENT)["componentBuildVersionArn"]
    with verifies("name-normalisation"):
        assert arn == workspace.arn("component", name, "1.0.0", "1")
    with verifies("component-document"):
        shown = client.get_component(componentBuildVersionArn=arn)["component"]
        expected = {k: v for k, v in sent.items() if k not in ("semanticVersion", "tags")}
        assert {k: shown.get(k) for k in expected} == expected
        assert (shown["version"], shown["type"], shown["data"], shown["owner"]) == (
            "1.0.0",
            "BUILD",
            COMPONENT_DOCUMENT,
            workspace.target.account,
        )
        assert shown["tags"] == sent["tags"]
    with verifies("list-owners"):
        version_arn = workspace.arn("component", name, "1.0.0")
        listed = client.list_components(filters=[{"name": "name", "values": [name]}])["componentVersionList"]
        assert [summary["arn"] for summary in listed] == [version_arn]
        builds = client.list_component_build_versions(componentVersionArn=version_arn)["componentSummaryList"]
        assert [summary["arn"] for summary in builds] == [arn]
    with verifies("component-policy-none"):
        assert client.get_component_policy(componentArn=arn)["policy"] == "{}"  # none put yet
    with verifies("resource-policy"):
        with expect_error("InvalidParameterValueException", 400):
            client.put_component_policy(componentArn=arn, policy="not a policy")
        policy = _policy(workspace, arn, ["imagebuilder:GetComponent", "imagebuilder:ListComponents"])
        assert client.put_component_policy(componentArn=arn, policy=policy)["componentArn"] == arn
        assert json.loads(client.get_component_policy(componentArn=arn)["policy"]) == json.loads(policy)
    recipe_name = workspace.names.new("recipe")
    parent = workspace.target.recipe_parameters()["parentImage"]
    with verifies("reference-exists"):
        for missing in (workspace.arn("component", workspace.names.new("absent"), "1.0.0"), version_arn[:-5] + "2.x.x"):
            with expect_error("ResourceNotFoundException", 404):
                client.create_image_recipe(
                    name=recipe_name,
                    semanticVersion="1.0.0",
                    parentImage=parent,
                    components=[{"componentArn": missing}],
                    tags=workspace.tags(),
                )
    undefined = re.escape(
        "The value supplied for parameter 'components[0].parameters' is not valid. The following parameters are "
        "not defined in the provided component: S3BucketName"
    )
    with verifies("parent-image-forms"), expect_error("InvalidRequestException", 400, "'parentImage'"):
        client.create_image_recipe(
            name=recipe_name,
            semanticVersion="1.0.0",
            parentImage=arn,  # a component is no image
            components=[{"componentArn": arn}],
            tags=workspace.tags(),
        )
    undefined_parameter = {
        "componentArn": workspace.arn("component", name, "x.x.x"),
        "parameters": [{"name": "S3BucketName", "value": ["bucket"]}],
    }
    with verifies("component-parameters-defined"), expect_error("InvalidParameterCombinationException", 400, undefined):
        client.create_image_recipe(
            name=recipe_name,
            semanticVersion="1.0.0",
            parentImage=parent,
            components=[undefined_parameter],
            tags=workspace.tags(),
        )
    recipe = client.create_image_recipe(
        name=recipe_name,
        semanticVersion="1.0.0",
        parentImage=parent,
        components=[{"componentArn": workspace.arn("component", name, "x.x.x")}],
        tags=workspace.tags(),
    )["imageRecipeArn"]
    with verifies("component-dependency"):
        with expect_error("ResourceDependencyException", 400):
            client.delete_component(componentBuildVersionArn=arn)
        assert client.get_component(componentBuildVersionArn=arn)["component"]["arn"] == arn
    client.delete_image_recipe(imageRecipeArn=recipe)
    with verifies("get-not-found"):
        assert client.delete_component(componentBuildVersionArn=arn)["componentBuildVersionArn"] == arn
        with expect_error("ResourceNotFoundException", 404):
            client.get_component(componentBuildVersionArn=arn)


def test_a_workflow_reads_back_lists_and_is_held_by_the_pipelines_using_it(workspace: Workspace) -> None:
    """CreateWorkflow: a refused document makes nothing; a BUILD workflow reads back as sent under
    workflow/build/<name>/<version>/1 and lists once; a pipeline naming a workflow that does not exist is refused,
    one using it holds it (ResourceDependencyException)."""
    client = workspace.client
    name = workspace.names.new("workflow")
    sent = {"name": name, "semanticVersion": "1.0.0", "type": "BUILD", "description": "contract workflow"}
    with verifies("workflow-document"), expect_error("InvalidRequestException", 400):
        client.create_workflow(**sent, data="schemaVersion: 1.0\nsteps: []\n", tags=workspace.tags())
    arn = client.create_workflow(**sent, data=WORKFLOW_DOCUMENT, tags=workspace.tags())["workflowBuildVersionArn"]
    with verifies("workflow-document"):
        assert arn == workspace.arn("workflow", "build", name, "1.0.0", "1")
        shown = client.get_workflow(workflowBuildVersionArn=arn)["workflow"]
        assert (shown["name"], shown["version"], shown["type"], shown["description"], shown["data"]) == (
            name,
            "1.0.0",
            "BUILD",
            "contract workflow",
            WORKFLOW_DOCUMENT,
        )
        assert shown["owner"] == workspace.target.account and shown["tags"] == workspace.tags()
    with verifies("list-owners"):
        version_arn = workspace.arn("workflow", "build", name, "1.0.0")
        listed = client.list_workflows(filters=[{"name": "name", "values": [name]}])["workflowVersionList"]
        assert [summary["arn"] for summary in listed] == [version_arn]
        builds = client.list_workflow_build_versions(workflowVersionArn=version_arn)["workflowSummaryList"]
        assert len(builds) == 1 and builds[0]["name"] == name
    recipe = workspace.recipe()
    pipeline_name = workspace.names.new("pipeline")
    pipeline = {
        "name": pipeline_name,
        "imageRecipeArn": recipe.arn,
        "infrastructureConfigurationArn": workspace.target.infrastructure_arn,
        "imageTestsConfiguration": {"imageTestsEnabled": False},
        "status": "DISABLED",  # never builds by itself
        "tags": workspace.tags(),
    }
    with verifies("reference-exists"), expect_error("ResourceNotFoundException", 404):
        missing = workspace.arn("workflow", "build", workspace.names.new("absent"), "1.0.0")
        client.create_image_pipeline(**pipeline, workflows=[{"workflowArn": missing}])
    used = client.create_image_pipeline(**pipeline, workflows=[{"workflowArn": arn}])["imagePipelineArn"]
    with verifies("aws-managed-workflows"):
        with expect_error("ResourceDependencyException", 400):
            client.delete_workflow(workflowBuildVersionArn=arn)
        assert client.get_workflow(workflowBuildVersionArn=arn)["workflow"]["arn"] == arn
    client.delete_image_pipeline(imagePipelineArn=used)
    with verifies("get-not-found"):
        assert client.delete_workflow(workflowBuildVersionArn=arn)["workflowBuildVersionArn"] == arn
        with expect_error("ResourceNotFoundException", 404):
            client.get_workflow(workflowBuildVersionArn=arn)


@CONTAINER_TARGET
def test_container_recipes_list_carry_a_policy_and_need_their_components(workspace: Workspace) -> None:
    """A container recipe lists under its name, takes a resource policy, and one naming a component that does not
    exist is refused."""
    client = workspace.client
    name = workspace.names.new("container")
    recipe = {
        "containerType": "DOCKER",
        "name": name,
        "semanticVersion": "1.0.0",
        "parentImage": "amazonlinux:latest",
        "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n",
        "targetRepository": {"service": "ECR", "repositoryName": CONTAINER_REPOSITORY},
        "tags": workspace.tags(),
    }
    with verifies("reference-exists"), expect_error("ResourceNotFoundException", 404):
        missing = workspace.arn("component", workspace.names.new("absent"), "1.0.0")
        client.create_container_recipe(**recipe, components=[{"componentArn": missing}])
    components = workspace.target.recipe_parameters()["components"]
    arn = client.create_container_recipe(**recipe, components=components)["containerRecipeArn"]
    with verifies("container-recipe"):
        listed = client.list_container_recipes(filters=[{"name": "name", "values": [name]}])
        assert [summary["arn"] for summary in listed["containerRecipeSummaryList"]] == [arn]
    with verifies("resource-policy-none"):
        assert client.get_container_recipe_policy(containerRecipeArn=arn)["policy"] == "{}"
    with verifies("resource-policy"):
        policy = _policy(workspace, arn, ["imagebuilder:GetContainerRecipe", "imagebuilder:ListContainerRecipes"])
        client.put_container_recipe_policy(containerRecipeArn=arn, policy=policy)
        assert json.loads(client.get_container_recipe_policy(containerRecipeArn=arn)["policy"]) == json.loads(policy)


def test_an_image_recipe_carries_a_resource_policy(workspace: Workspace) -> None:
    """PutImageRecipePolicy keeps a policy GetImageRecipePolicy answers as put; before any, an empty one ({});
    a policy that is not a JSON document is refused."""
    client = workspace.client
    recipe = workspace.recipe()
    with verifies("resource-policy-none"):
        assert client.get_image_recipe_policy(imageRecipeArn=recipe.arn)["policy"] == "{}"
    with verifies("resource-policy"):
        with expect_error("InvalidParameterValueException", 400):
            client.put_image_recipe_policy(imageRecipeArn=recipe.arn, policy="[]")
        policy = _policy(workspace, recipe.arn, ["imagebuilder:GetImageRecipe", "imagebuilder:ListImageRecipes"])
        assert client.put_image_recipe_policy(imageRecipeArn=recipe.arn, policy=policy)["imageRecipeArn"] == recipe.arn
        assert json.loads(client.get_image_recipe_policy(imageRecipeArn=recipe.arn)["policy"]) == json.loads(policy)


def test_configuration_updates_replace_every_setting(workspace: Workspace) -> None:
    """UpdateInfrastructureConfiguration and UpdateDistributionConfiguration: what the update leaves out is gone,
    name, tags and creation date stay; a distribution region without an output is refused."""
    client = workspace.client
    infra = workspace.infrastructure()
    before = client.get_infrastructure_configuration(infrastructureConfigurationArn=infra)[
        "infrastructureConfiguration"
    ]
    parameters = workspace.target.infrastructure_parameters()
    client.update_infrastructure_configuration(
        infrastructureConfigurationArn=infra, description="first", resourceTags={"stage": "one"}, **parameters
    )
    client.update_infrastructure_configuration(infrastructureConfigurationArn=infra, **parameters)
    with verifies("update-replaces-configuration"):
        after = client.get_infrastructure_configuration(infrastructureConfigurationArn=infra)[
            "infrastructureConfiguration"
        ]
        assert "description" not in after and not after.get("resourceTags")
        assert (after["name"], after["tags"], after["dateCreated"]) == (
            before["name"],
            before["tags"],
            before["dateCreated"],
        )
        assert after["dateUpdated"]
    region = workspace.target.region
    name = workspace.names.new("distribution")
    with verifies("distribution-outputs"), expect_error("InvalidParameterValueException", 400, VALIDATION_MESSAGE):
        client.create_distribution_configuration(name=name, distributions=[{"region": region}], tags=workspace.tags())
    ami = {"region": region, "amiDistributionConfiguration": {"name": "contract-{{ imagebuilder:buildDate }}"}}
    distribution = client.create_distribution_configuration(
        name=name, description="first", distributions=[ami], tags=workspace.tags()
    )["distributionConfigurationArn"]
    with verifies("name-normalisation"):
        assert distribution == workspace.arn("distribution-configuration", name)
    plain = {"region": region, "amiDistributionConfiguration": {}}
    client.update_distribution_configuration(distributionConfigurationArn=distribution, distributions=[plain])
    with verifies("update-replaces-configuration"):
        shown = client.get_distribution_configuration(distributionConfigurationArn=distribution)[
            "distributionConfiguration"
        ]
        assert "description" not in shown
        assert [entry["region"] for entry in shown["distributions"]] == [region]
        assert not shown["distributions"][0]["amiDistributionConfiguration"].get("name")
        assert (shown["name"], shown["tags"]) == (name, workspace.tags())
        listed = client.list_distribution_configurations(filters=[{"name": "name", "values": [name]}])
        [summary] = listed["distributionConfigurationSummaryList"]
        assert (summary["arn"], summary["regions"]) == (distribution, [region])


def test_a_lifecycle_policy_update_replaces_it_and_lists(workspace: Workspace) -> None:
    """UpdateLifecyclePolicy replaces the rules and selection; ListLifecyclePolicies finds it by name."""
    client = workspace.client
    name = workspace.names.new("lifecycle")
    ours = {RUN_TAG: workspace.names.run_id}
    common = {"executionRole": LIFECYCLE_ROLE, "resourceType": "AMI_IMAGE", "resourceSelection": {"tagMap": ours}}
    count = [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 5}}]
    age = [{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 6, "unit": "MONTHS"}}]
    arn = client.create_lifecycle_policy(name=name, policyDetails=count, tags=workspace.tags(), **common)[
        "lifecyclePolicyArn"
    ]
    client.update_lifecycle_policy(lifecyclePolicyArn=arn, policyDetails=age, description="by age", **common)
    with verifies("lifecycle-rules"):
        policy = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
        assert (policy["policyDetails"], policy["description"], policy["name"]) == (age, "by age", name)
    with verifies("lifecycle-filter-spellings"):
        for spelling in ("name", "Name"):  # the newest model's docs, and the older ones'
            listed = client.list_lifecycle_policies(filters=[{"name": spelling, "values": [name]}])
            assert [summary["arn"] for summary in listed["lifecyclePolicySummaryList"]] == [arn]
