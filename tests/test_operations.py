"""Every implemented operation: a success that fits the model's output shape, and a modeled error."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import OPERATIONS
from fakeimagebuilder.validation import Violation

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
AWS_PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
AWS_COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
# The oldest supported model (botocore 1.40.41) requires a recipe's components: always send them.
COMPONENTS = [{"componentArn": AWS_COMPONENT}]
# A recipe's semanticVersion pattern: digits only in botocore 1.40.41's model, "x" wildcards allowed in later ones.
RECIPE_VERSION = re.compile(
    service_model().operation_model("CreateImageRecipe").input_shape.members["semanticVersion"].metadata["pattern"]
)
MARKETPLACE_COMPONENT = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/hardening/1.0.0/1"
DISTRIBUTIONS = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "web {{ imagebuilder:buildDate }}"}}]


@pytest.fixture
def world(fake: Any, client: Any, make_stack: Any) -> SimpleNamespace:
    """A pipeline with every kind of resource, one finished build and one in progress."""
    distribution = client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    stack = make_stack(
        distributionConfigurationArn=distribution["distributionConfigurationArn"],
        description="builds web",
        # Far in the future, so no scheduled run lands among the builds the tests count.
        schedule={"scheduleExpression": "cron(0 0 1 1 ? 2199)"},
        tags={"team": "web"},
    )
    done = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    running = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.set_marketplace_components({MARKETPLACE_COMPONENT: COMPONENT_DOCUMENT})
    return SimpleNamespace(
        recipe=stack.recipe_arn,
        infrastructure=stack.infrastructure_arn,
        distribution=distribution["distributionConfigurationArn"],
        pipeline=stack.pipeline_arn,
        done=done,
        running=running,
        advance=fake.advance,
    )


COMPONENT_DOCUMENT = """name: hello
description: says hello
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: hello
      description: what to say
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo "{{ Greeting }}"
  - name: validate
    steps:
      - name: Check
        action: ExecuteBash
        inputs:
          commands: ["true"]
"""


def _component(c: Any, name: str = "hello", version: str = "1.0.0", **extra: Any) -> str:
    arn: str = c.create_component(
        name=name, semanticVersion=version, platform="Linux", data=COMPONENT_DOCUMENT, **extra
    )["componentBuildVersionArn"]
    return arn


WORKFLOW_DOCUMENT = """name: wait
schemaVersion: 1.0
parameters:
  - name: waitForActionAtEnd
    type: boolean
    default: false
steps:
  - name: WaitForAction
    action: WaitForAction
    onFailure: Abort
"""


def _workflow(c: Any, name: str = "wait") -> str:
    arn: str = c.create_workflow(name=name, semanticVersion="1.0.0", type="TEST", data=WORKFLOW_DOCUMENT)[
        "workflowBuildVersionArn"
    ]
    return arn


def _waiting_step(c: Any, w: SimpleNamespace) -> tuple[str, str]:
    """A CreateImage build held at its test workflow's WaitForAction step: (build ARN, step execution id)."""
    build = c.create_image(
        imageRecipeArn=w.recipe,
        infrastructureConfigurationArn=w.infrastructure,
        workflows=[{"workflowArn": _workflow(c, "approve")}],
        executionRole="arn:aws:iam::123456789012:role/builder",
    )["imageBuildVersionArn"]
    w.advance(3600)
    steps = c.list_waiting_workflow_steps()["steps"]
    return build, steps[0]["stepExecutionId"]


def _first_execution(c: Any, build: str) -> str:
    execution: str = c.list_workflow_executions(imageBuildVersionArn=build)["workflowExecutions"][0][
        "workflowExecutionId"
    ]
    return execution


def _first_step(c: Any, build: str) -> str:
    step: str = c.list_workflow_step_executions(workflowExecutionId=_first_execution(c, build))["steps"][0][
        "stepExecutionId"
    ]
    return step


DOCKERFILE = (
    "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"
)
REPOSITORY = {"service": "ECR", "repositoryName": "web"}


def _container_recipe(c: Any, name: str = "box") -> str:
    arn: str = c.create_container_recipe(
        containerType="DOCKER",
        name=name,
        semanticVersion="1.0.0",
        parentImage="amazonlinux:latest",
        components=COMPONENTS,
        dockerfileTemplateData=DOCKERFILE,
        targetRepository=REPOSITORY,
    )["containerRecipeArn"]
    return arn


# A lifecycle policy's recipe version pattern: digits only in botocore 1.40.41's model, "x" wildcards in later ones.
LIFECYCLE_RECIPE_VERSION = re.compile(
    service_model()
    .operation_model("CreateLifecyclePolicy")
    .input_shape.members["resourceSelection"]
    .members["recipes"]
    .member.members["semanticVersion"]
    .metadata["pattern"]
)
LIFECYCLE_VERSION = "1.x.x" if LIFECYCLE_RECIPE_VERSION.search("1.x.x") else "1.0.0"
LIFECYCLE = {
    "executionRole": "arn:aws:iam::123456789012:role/lifecycle",
    "resourceType": "AMI_IMAGE",
    "policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 10}}],
    "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": LIFECYCLE_VERSION}]},
}


def _lifecycle_policy(c: Any, name: str = "keep-ten") -> str:
    arn: str = c.create_lifecycle_policy(name=name, **LIFECYCLE)["lifecyclePolicyArn"]
    return arn


def _state_update(c: Any, w: Any, status: str = "DEPRECATED", **members: Any) -> str:
    """A lifecycle execution of the world's finished build (StartResourceStateUpdate)."""
    answer = c.start_resource_state_update(resourceArn=w.done, state={"status": status}, **members)
    execution: str = answer["lifecycleExecutionId"]
    return execution


def _unused_recipe(c: Any) -> str:
    arn: str = c.create_image_recipe(
        name="spare", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    return arn


Call = Callable[[Any, SimpleNamespace], Any]

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["210987654321"]}, "Action": ["imagebuilder:GetImage"]}],
    }
)


def _with_policy(put: Callable[..., Any], member: str, arn: str) -> str:
    put(**{member: arn, "policy": POLICY})
    return arn


SUCCESS: dict[str, Call] = {
    "StartImagePipelineExecution": lambda c, w: c.start_image_pipeline_execution(imagePipelineArn=w.pipeline),
    "CreateImage": lambda c, w: c.create_image(
        imageRecipeArn=w.recipe,
        infrastructureConfigurationArn=w.infrastructure,
        distributionConfigurationArn=w.distribution,
        imageTestsConfiguration={"imageTestsEnabled": False},
        tags={"k": "v"},
    ),
    "GetImage": lambda c, w: c.get_image(imageBuildVersionArn=w.done),
    "ListImagePipelineImages": lambda c, w: c.list_image_pipeline_images(imagePipelineArn=w.pipeline),
    "ListImageBuildVersions": lambda c, w: c.list_image_build_versions(imageVersionArn=w.done.rsplit("/", 1)[0]),
    "CancelImageCreation": lambda c, w: c.cancel_image_creation(imageBuildVersionArn=w.running),
    "DeleteImage": lambda c, w: c.delete_image(imageBuildVersionArn=w.done),
    "CreateImagePipeline": lambda c, w: c.create_image_pipeline(
        name="second", imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
    ),
    "GetImagePipeline": lambda c, w: c.get_image_pipeline(imagePipelineArn=w.pipeline),
    "UpdateImagePipeline": lambda c, w: c.update_image_pipeline(
        imagePipelineArn=w.pipeline, imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
    ),
    "DeleteImagePipeline": lambda c, w: c.delete_image_pipeline(imagePipelineArn=w.pipeline),
    "ListImagePipelines": lambda c, w: c.list_image_pipelines(),
    "CreateImageRecipe": lambda c, w: c.create_image_recipe(
        name="web",
        semanticVersion="1.0.1",
        parentImage=AWS_PARENT,
        components=[{"componentArn": AWS_COMPONENT}],
        blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3"}}],
        tags={"k": "v"},
    ),
    "GetImageRecipe": lambda c, w: c.get_image_recipe(imageRecipeArn=w.recipe),
    "DeleteImageRecipe": lambda c, w: c.delete_image_recipe(imageRecipeArn=_unused_recipe(c)),
    "ListImageRecipes": lambda c, w: c.list_image_recipes(),
    "ListInfrastructureConfigurations": lambda c, w: c.list_infrastructure_configurations(),
    "CreateInfrastructureConfiguration": lambda c, w: c.create_infrastructure_configuration(
        name="other", instanceProfileName="builder", instanceTypes=["t3.micro"], terminateInstanceOnFailure=True
    ),
    "GetInfrastructureConfiguration": lambda c, w: c.get_infrastructure_configuration(
        infrastructureConfigurationArn=w.infrastructure
    ),
    "UpdateInfrastructureConfiguration": lambda c, w: c.update_infrastructure_configuration(
        infrastructureConfigurationArn=w.infrastructure, instanceProfileName="other", instanceTypes=["m5.large"]
    ),
    "DeleteInfrastructureConfiguration": lambda c, w: c.delete_infrastructure_configuration(
        infrastructureConfigurationArn=c.create_infrastructure_configuration(
            name="spare", instanceProfileName="builder"
        )["infrastructureConfigurationArn"]
    ),
    "CreateDistributionConfiguration": lambda c, w: c.create_distribution_configuration(
        name="other", distributions=DISTRIBUTIONS
    ),
    "GetDistributionConfiguration": lambda c, w: c.get_distribution_configuration(
        distributionConfigurationArn=w.distribution
    ),
    "DeleteDistributionConfiguration": lambda c, w: c.delete_distribution_configuration(
        distributionConfigurationArn=c.create_distribution_configuration(name="spare", distributions=DISTRIBUTIONS)[
            "distributionConfigurationArn"
        ]
    ),
    "UpdateDistributionConfiguration": lambda c, w: c.update_distribution_configuration(
        distributionConfigurationArn=w.distribution, distributions=DISTRIBUTIONS, description="changed"
    ),
    "ListDistributionConfigurations": lambda c, w: c.list_distribution_configurations(),
    "GetImagePolicy": lambda c, w: c.get_image_policy(imageArn=_with_policy(c.put_image_policy, "imageArn", w.done)),
    "PutImagePolicy": lambda c, w: c.put_image_policy(imageArn=w.done, policy=POLICY),
    "GetImageRecipePolicy": lambda c, w: c.get_image_recipe_policy(
        imageRecipeArn=_with_policy(c.put_image_recipe_policy, "imageRecipeArn", w.recipe)
    ),
    "PutImageRecipePolicy": lambda c, w: c.put_image_recipe_policy(imageRecipeArn=w.recipe, policy=POLICY),
    "CreateComponent": lambda c, w: c.create_component(
        name="hello", semanticVersion="1.0.0", platform="Linux", data=COMPONENT_DOCUMENT, tags={"k": "v"}
    ),
    "ImportComponent": lambda c, w: c.import_component(
        name="script", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux", data="echo hi"
    ),
    "GetComponent": lambda c, w: c.get_component(componentBuildVersionArn=_component(c)),
    "DeleteComponent": lambda c, w: c.delete_component(componentBuildVersionArn=_component(c)),
    "ListComponents": lambda c, w: (_component(c), c.list_components())[1],
    "ListComponentBuildVersions": lambda c, w: c.list_component_build_versions(
        componentVersionArn=_component(c).rsplit("/", 1)[0]
    ),
    "GetComponentPolicy": lambda c, w: c.get_component_policy(
        componentArn=_with_policy(c.put_component_policy, "componentArn", _component(c))
    ),
    "PutComponentPolicy": lambda c, w: c.put_component_policy(componentArn=_component(c), policy=POLICY),
    "CreateWorkflow": lambda c, w: c.create_workflow(
        name="wait", semanticVersion="1.0.0", type="BUILD", data=WORKFLOW_DOCUMENT, tags={"k": "v"}
    ),
    "GetWorkflow": lambda c, w: c.get_workflow(workflowBuildVersionArn=_workflow(c)),
    "DeleteWorkflow": lambda c, w: c.delete_workflow(workflowBuildVersionArn=_workflow(c)),
    "ListWorkflows": lambda c, w: (_workflow(c), c.list_workflows())[1],
    "ListWorkflowBuildVersions": lambda c, w: c.list_workflow_build_versions(
        workflowVersionArn=_workflow(c).rsplit("/", 1)[0]
    ),
    "CreateContainerRecipe": lambda c, w: c.create_container_recipe(
        containerType="DOCKER",
        name="box",
        semanticVersion="1.0.0",
        parentImage="amazonlinux:latest",
        components=COMPONENTS,
        dockerfileTemplateData=DOCKERFILE,
        targetRepository=REPOSITORY,
        tags={"k": "v"},
    ),
    "GetContainerRecipe": lambda c, w: c.get_container_recipe(containerRecipeArn=_container_recipe(c)),
    "DeleteContainerRecipe": lambda c, w: c.delete_container_recipe(containerRecipeArn=_container_recipe(c)),
    "ListContainerRecipes": lambda c, w: (_container_recipe(c), c.list_container_recipes())[1],
    "GetWorkflowExecution": lambda c, w: c.get_workflow_execution(workflowExecutionId=_first_execution(c, w.done)),
    "ListWorkflowExecutions": lambda c, w: c.list_workflow_executions(imageBuildVersionArn=w.done),
    "GetWorkflowStepExecution": lambda c, w: c.get_workflow_step_execution(stepExecutionId=_first_step(c, w.done)),
    "ListWorkflowStepExecutions": lambda c, w: c.list_workflow_step_executions(
        workflowExecutionId=_first_execution(c, w.done)
    ),
    "ListWaitingWorkflowSteps": lambda c, w: (_waiting_step(c, w), c.list_waiting_workflow_steps())[1],
    "SendWorkflowStepAction": lambda c, w: c.send_workflow_step_action(
        **dict(zip(("imageBuildVersionArn", "stepExecutionId"), _waiting_step(c, w), strict=True)), action="RESUME"
    ),
    "RetryImage": lambda c, w: (
        c.cancel_image_creation(imageBuildVersionArn=w.running),
        c.retry_image(imageBuildVersionArn=w.running),
    )[1],
    "GetContainerRecipePolicy": lambda c, w: c.get_container_recipe_policy(
        containerRecipeArn=_with_policy(c.put_container_recipe_policy, "containerRecipeArn", _container_recipe(c))
    ),
    "PutContainerRecipePolicy": lambda c, w: c.put_container_recipe_policy(
        containerRecipeArn=_container_recipe(c), policy=POLICY
    ),
    "CreateLifecyclePolicy": lambda c, w: c.create_lifecycle_policy(name="keep-ten", tags={"k": "v"}, **LIFECYCLE),
    "GetLifecyclePolicy": lambda c, w: c.get_lifecycle_policy(lifecyclePolicyArn=_lifecycle_policy(c)),
    "UpdateLifecyclePolicy": lambda c, w: c.update_lifecycle_policy(
        lifecyclePolicyArn=_lifecycle_policy(c), **{**LIFECYCLE, "status": "DISABLED"}
    ),
    "DeleteLifecyclePolicy": lambda c, w: c.delete_lifecycle_policy(lifecyclePolicyArn=_lifecycle_policy(c)),
    "ListLifecyclePolicies": lambda c, w: (_lifecycle_policy(c), c.list_lifecycle_policies())[1],
    "StartResourceStateUpdate": lambda c, w: c.start_resource_state_update(
        resourceArn=w.done,
        state={"status": "DEPRECATED"},
        executionRole="arn:aws:iam::123456789012:role/lifecycle",
        includeResources={"amis": True},
        exclusionRules={"amis": {"regions": ["eu-west-1"], "lastLaunched": {"value": 7, "unit": "DAYS"}}},
    ),
    "GetLifecycleExecution": lambda c, w: c.get_lifecycle_execution(lifecycleExecutionId=_state_update(c, w)),
    "ListLifecycleExecutions": lambda c, w: (_state_update(c, w), c.list_lifecycle_executions(resourceArn=w.done))[1],
    "ListLifecycleExecutionResources": lambda c, w: c.list_lifecycle_execution_resources(
        lifecycleExecutionId=_state_update(c, w, "DELETED", includeResources={"amis": True, "snapshots": True}),
        parentResourceId=w.done,
    ),
    "CancelLifecycleExecution": lambda c, w: c.cancel_lifecycle_execution(lifecycleExecutionId=_state_update(c, w)),
    "ListImages": lambda c, w: c.list_images(),
    "ImportVmImage": lambda c, w: c.import_vm_image(
        name="imported",
        semanticVersion="1.0.0",
        platform="Linux",
        osVersion="Ubuntu 22",
        vmImportTaskId="import-ami-1234567890abcdef0",
        tags={"k": "v"},
    ),
    "ImportDiskImage": lambda c, w: c.import_disk_image(
        name="windows-11",
        semanticVersion="1.0.0",
        platform="Windows",
        osVersion="Microsoft Windows 11",
        infrastructureConfigurationArn=w.infrastructure,
        uri="s3://my-isos/Win11_English_x64.iso",
    ),
    "DistributeImage": lambda c, w: c.distribute_image(
        sourceImage=w.done, distributionConfigurationArn=w.distribution, executionRole="ImageBuilderRole"
    ),
    "ListImagePackages": lambda c, w: c.list_image_packages(imageBuildVersionArn=w.done, maxResults=5),
    "ListImageScanFindings": lambda c, w: c.list_image_scan_findings(
        filters=[{"name": "imagePipelineArn", "values": [w.pipeline]}]
    ),
    "ListImageScanFindingAggregations": lambda c, w: c.list_image_scan_finding_aggregations(),
    "GetMarketplaceResource": lambda c, w: c.get_marketplace_resource(
        resourceType="COMPONENT_DATA", resourceArn=MARKETPLACE_COMPONENT
    ),
    "ListTagsForResource": lambda c, w: c.list_tags_for_resource(resourceArn=w.pipeline),
    "TagResource": lambda c, w: c.tag_resource(resourceArn=w.done, tags={"k": "v"}),
    "UntagResource": lambda c, w: c.untag_resource(resourceArn=w.pipeline, tagKeys=["team"]),
}

MISSING_PIPELINE = f"{PREFIX}:image-pipeline/missing"
MISSING_BUILD = f"{PREFIX}:image/web/1.0.0/99"
MISSING_EXECUTION = "wf-00000000-0000-0000-0000-000000000000"
MISSING_STEP = "step-00000000-0000-0000-0000-000000000000"

# operation -> (call, code, status)
ERRORS: dict[str, tuple[Call, str, int]] = {
    "StartImagePipelineExecution": (
        lambda c, w: c.start_image_pipeline_execution(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "CreateImage": (
        lambda c, w: c.create_image(infrastructureConfigurationArn=w.infrastructure),
        "InvalidRequestException",
        400,
    ),
    "GetImage": (lambda c, w: c.get_image(imageBuildVersionArn=MISSING_BUILD), "ResourceNotFoundException", 404),
    # A missing pipeline lists nothing (ledger list-pipeline-images-missing): a made-up token is refused.
    "ListImagePipelineImages": (
        lambda c, w: c.list_image_pipeline_images(imagePipelineArn=w.pipeline, nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "ListImageBuildVersions": (
        lambda c, w: c.list_image_build_versions(imageVersionArn=w.done.rsplit("/", 1)[0], nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CancelImageCreation": (
        lambda c, w: c.cancel_image_creation(imageBuildVersionArn=w.done),
        "InvalidParameterValueException",
        400,
    ),
    "DeleteImage": (lambda c, w: c.delete_image(imageBuildVersionArn=w.running), "ResourceDependencyException", 400),
    "CreateImagePipeline": (
        lambda c, w: c.create_image_pipeline(
            name="web", imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
        ),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetImagePipeline": (
        lambda c, w: c.get_image_pipeline(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "UpdateImagePipeline": (
        lambda c, w: c.update_image_pipeline(
            imagePipelineArn=MISSING_PIPELINE, imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteImagePipeline": (
        lambda c, w: c.delete_image_pipeline(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "ListImagePipelines": (
        lambda c, w: c.list_image_pipelines(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateImageRecipe": (
        lambda c, w: c.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetImageRecipe": (
        lambda c, w: c.get_image_recipe(imageRecipeArn=f"{PREFIX}:image-recipe/web/9.9.9"),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteImageRecipe": (
        lambda c, w: c.delete_image_recipe(imageRecipeArn=w.recipe),
        "ResourceDependencyException",
        400,
    ),
    "ListImageRecipes": (
        lambda c, w: c.list_image_recipes(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "ListInfrastructureConfigurations": (
        lambda c, w: c.list_infrastructure_configurations(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateInfrastructureConfiguration": (
        lambda c, w: c.create_infrastructure_configuration(name="web", instanceProfileName="builder"),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetInfrastructureConfiguration": (
        lambda c, w: c.get_infrastructure_configuration(
            infrastructureConfigurationArn=f"{PREFIX}:infrastructure-configuration/missing"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteInfrastructureConfiguration": (
        lambda c, w: c.delete_infrastructure_configuration(infrastructureConfigurationArn=w.infrastructure),
        "ResourceDependencyException",
        400,
    ),
    "UpdateInfrastructureConfiguration": (
        lambda c, w: c.update_infrastructure_configuration(
            infrastructureConfigurationArn=f"{PREFIX}:infrastructure-configuration/missing", instanceProfileName="x"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "UpdateDistributionConfiguration": (
        lambda c, w: c.update_distribution_configuration(
            distributionConfigurationArn=w.distribution, distributions=[{"region": "us-east-1"}]
        ),
        "InvalidParameterValueException",
        400,
    ),
    "ListDistributionConfigurations": (
        lambda c, w: c.list_distribution_configurations(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateDistributionConfiguration": (
        lambda c, w: c.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetDistributionConfiguration": (
        lambda c, w: c.get_distribution_configuration(
            distributionConfigurationArn=f"{PREFIX}:distribution-configuration/missing"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteDistributionConfiguration": (
        lambda c, w: c.delete_distribution_configuration(distributionConfigurationArn=w.distribution),
        "ResourceDependencyException",
        400,
    ),
    "GetImagePolicy": (
        lambda c, w: c.get_image_policy(imageArn=MISSING_BUILD),
        "ResourceNotFoundException",
        404,
    ),
    "PutImagePolicy": (
        lambda c, w: c.put_image_policy(imageArn=MISSING_BUILD, policy=POLICY),
        "ResourceNotFoundException",
        404,
    ),
    "GetImageRecipePolicy": (
        lambda c, w: c.get_image_recipe_policy(imageRecipeArn=f"{PREFIX}:image-recipe/missing/1.0.0"),
        "ResourceNotFoundException",
        404,
    ),
    "PutImageRecipePolicy": (
        lambda c, w: c.put_image_recipe_policy(imageRecipeArn=w.recipe, policy="not json"),
        "InvalidParameterValueException",
        400,
    ),
    "CreateComponent": (
        lambda c, w: c.create_component(name="hello", semanticVersion="1.0.0", platform="Linux"),
        "InvalidParameterCombinationException",
        400,
    ),
    "ImportComponent": (
        lambda c, w: c.import_component(
            name="script", semanticVersion="1073741824.0.0", type="BUILD", format="SHELL", platform="Linux", data="echo"
        ),
        "InvalidVersionNumberException",
        400,
    ),
    "GetComponent": (
        lambda c, w: c.get_component(componentBuildVersionArn=f"{PREFIX}:component/missing/1.0.0/1"),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteComponent": (
        lambda c, w: c.delete_component(componentBuildVersionArn=f"{PREFIX}:component/missing/1.0.0/1"),
        "ResourceNotFoundException",
        404,
    ),
    "ListComponents": (
        lambda c, w: c.list_components(filters=[{"name": "owner", "values": ["x"]}]),
        "InvalidRequestException",
        400,
    ),
    "ListComponentBuildVersions": (
        lambda c, w: c.list_component_build_versions(
            componentVersionArn=f"{PREFIX}:component/hello/1.0.0", nextToken="made-up"
        ),
        "InvalidPaginationTokenException",
        400,
    ),
    "GetComponentPolicy": (
        lambda c, w: c.get_component_policy(componentArn=f"{PREFIX}:component/missing/1.0.0/1"),
        "ResourceNotFoundException",
        404,
    ),
    "PutComponentPolicy": (
        lambda c, w: c.put_component_policy(componentArn=f"{PREFIX}:component/missing/1.0.0/1", policy=POLICY),
        "ResourceNotFoundException",
        404,
    ),
    "CreateWorkflow": (
        lambda c, w: c.create_workflow(name="wait", semanticVersion="1.0.0", type="TEST", data="steps: []\n"),
        "InvalidRequestException",
        400,
    ),
    "GetWorkflow": (
        lambda c, w: c.get_workflow(workflowBuildVersionArn=f"{PREFIX}:workflow/test/missing/1.0.0/1"),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteWorkflow": (
        lambda c, w: c.delete_workflow(workflowBuildVersionArn=f"{PREFIX}:workflow/test/missing/1.0.0/1"),
        "ResourceNotFoundException",
        404,
    ),
    "ListWorkflows": (
        lambda c, w: c.list_workflows(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "GetWorkflowExecution": (
        lambda c, w: c.get_workflow_execution(workflowExecutionId=MISSING_EXECUTION),
        "ResourceNotFoundException",
        404,
    ),
    "ListWorkflowExecutions": (
        lambda c, w: c.list_workflow_executions(imageBuildVersionArn=MISSING_BUILD),
        "ResourceNotFoundException",
        404,
    ),
    "GetWorkflowStepExecution": (
        lambda c, w: c.get_workflow_step_execution(stepExecutionId=MISSING_STEP),
        "ResourceNotFoundException",
        404,
    ),
    "ListWorkflowStepExecutions": (
        lambda c, w: c.list_workflow_step_executions(workflowExecutionId=MISSING_EXECUTION),
        "ResourceNotFoundException",
        404,
    ),
    "ListWaitingWorkflowSteps": (
        lambda c, w: c.list_waiting_workflow_steps(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "SendWorkflowStepAction": (
        lambda c, w: c.send_workflow_step_action(
            stepExecutionId=MISSING_STEP, imageBuildVersionArn=w.done, action="RESUME"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "RetryImage": (
        lambda c, w: c.retry_image(imageBuildVersionArn=w.done),
        "InvalidRequestException",
        400,
    ),
    "ListWorkflowBuildVersions": (
        lambda c, w: c.list_workflow_build_versions(
            workflowVersionArn=f"{PREFIX}:workflow/test/wait/1.0.0", nextToken="made-up"
        ),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateContainerRecipe": (
        lambda c, w: c.create_container_recipe(
            containerType="DOCKER",
            name="box",
            semanticVersion="1.0.0",
            parentImage="amazonlinux:latest",
            components=COMPONENTS,
            targetRepository=REPOSITORY,
        ),
        "InvalidRequestException",
        400,
    ),
    "GetContainerRecipe": (
        lambda c, w: c.get_container_recipe(containerRecipeArn=f"{PREFIX}:container-recipe/missing/1.0.0"),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteContainerRecipe": (
        lambda c, w: c.delete_container_recipe(containerRecipeArn=f"{PREFIX}:container-recipe/missing/1.0.0"),
        "ResourceNotFoundException",
        404,
    ),
    "ListContainerRecipes": (
        lambda c, w: c.list_container_recipes(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "GetContainerRecipePolicy": (
        lambda c, w: c.get_container_recipe_policy(containerRecipeArn=f"{PREFIX}:container-recipe/missing/1.0.0"),
        "ResourceNotFoundException",
        404,
    ),
    "PutContainerRecipePolicy": (
        lambda c, w: c.put_container_recipe_policy(containerRecipeArn=_container_recipe(c), policy="[]"),
        "InvalidParameterValueException",
        400,
    ),
    "CreateLifecyclePolicy": (
        lambda c, w: c.create_lifecycle_policy(name="bad", **{**LIFECYCLE, "resourceSelection": {}}),
        "InvalidRequestException",
        400,
    ),
    "GetLifecyclePolicy": (
        lambda c, w: c.get_lifecycle_policy(lifecyclePolicyArn=f"{PREFIX}:lifecycle-policy/missing"),
        "ResourceNotFoundException",
        404,
    ),
    "UpdateLifecyclePolicy": (
        lambda c, w: c.update_lifecycle_policy(lifecyclePolicyArn=f"{PREFIX}:lifecycle-policy/missing", **LIFECYCLE),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteLifecyclePolicy": (
        lambda c, w: c.delete_lifecycle_policy(lifecyclePolicyArn=f"{PREFIX}:lifecycle-policy/missing"),
        "ResourceNotFoundException",
        404,
    ),
    "ListLifecyclePolicies": (
        lambda c, w: c.list_lifecycle_policies(filters=[{"name": "owner", "values": ["x"]}]),
        "InvalidRequestException",
        400,
    ),
    "StartResourceStateUpdate": (
        lambda c, w: c.start_resource_state_update(resourceArn=w.running, state={"status": "DELETED"}),
        "InvalidRequestException",
        400,
    ),
    "GetLifecycleExecution": (
        lambda c, w: c.get_lifecycle_execution(lifecycleExecutionId="lce-01234567-89ab-cdef-0123-456789abcdef"),
        "ResourceNotFoundException",
        404,
    ),
    "ListLifecycleExecutions": (
        lambda c, w: c.list_lifecycle_executions(resourceArn=w.done, nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "ListLifecycleExecutionResources": (
        lambda c, w: c.list_lifecycle_execution_resources(lifecycleExecutionId=_state_update(c, w), nextToken="x"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CancelLifecycleExecution": (
        lambda c, w: c.cancel_lifecycle_execution(  # a second cancel: the first left it CANCELLING
            lifecycleExecutionId=c.cancel_lifecycle_execution(lifecycleExecutionId=_state_update(c, w))[
                "lifecycleExecutionId"
            ]
        ),
        "InvalidRequestException",
        400,
    ),
    "ListImages": (
        lambda c, w: c.list_images(filters=[{"name": "owner", "values": ["Self"]}]),
        "InvalidRequestException",
        400,
    ),
    "ImportVmImage": (
        lambda c, w: c.import_vm_image(
            name="imported", semanticVersion="1.0.0", platform="Linux", vmImportTaskId="not-a-task"
        ),
        "ClientException",
        400,
    ),
    "ImportDiskImage": (
        lambda c, w: c.import_disk_image(
            name="windows-11",
            semanticVersion="1.0.0",
            platform="Linux",
            osVersion="Microsoft Windows 11",
            infrastructureConfigurationArn=w.infrastructure,
            uri="s3://my-isos/Win11_English_x64.iso",
        ),
        "ClientException",
        400,
    ),
    "DistributeImage": (
        lambda c, w: c.distribute_image(
            sourceImage=MISSING_BUILD, distributionConfigurationArn=w.distribution, executionRole="ImageBuilderRole"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "ListImagePackages": (
        lambda c, w: c.list_image_packages(imageBuildVersionArn=MISSING_BUILD),
        "ResourceNotFoundException",
        404,
    ),
    "ListImageScanFindings": (
        lambda c, w: c.list_image_scan_findings(filters=[{"name": "platform", "values": ["Linux"]}]),
        "InvalidRequestException",
        400,
    ),
    "ListImageScanFindingAggregations": (
        lambda c, w: c.list_image_scan_finding_aggregations(filter={"name": "severity", "values": ["HIGH"]}),
        "InvalidRequestException",
        400,
    ),
    "GetMarketplaceResource": (
        lambda c, w: c.get_marketplace_resource(
            resourceType="COMPONENT_DATA", resourceArn=MARKETPLACE_COMPONENT.replace("hardening", "unsubscribed")
        ),
        "ForbiddenException",
        403,
    ),
    "ListTagsForResource": (
        lambda c, w: c.list_tags_for_resource(resourceArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "TagResource": (
        lambda c, w: c.tag_resource(resourceArn=MISSING_BUILD, tags={"k": "v"}),
        "ResourceNotFoundException",
        404,
    ),
    "UntagResource": (
        lambda c, w: c.untag_resource(resourceArn=MISSING_PIPELINE, tagKeys=["k"]),
        "ResourceNotFoundException",
        404,
    ),
}


def test_the_tables_cover_every_implemented_operation():
    assert set(SUCCESS) == set(OPERATIONS)
    assert set(ERRORS) == set(OPERATIONS)


def test_every_operation_of_the_installed_model_is_implemented():
    # With the tables above, every operation of the model is walked and none answers NotImplementedException:
    # only an operation a future model adds may.
    assert sorted(set(service_model().operation_names) - set(OPERATIONS)) == []


# RetryImage is missing from older models (botocore 1.40): their clients cannot call it.
IN_MODEL = set(service_model().operation_names)


@pytest.mark.parametrize("operation", sorted(set(SUCCESS) & IN_MODEL))
def test_every_operation_output_matches_its_shape(
    client: Any, world: SimpleNamespace, raw_bodies: dict[str, bytes], check_output: Any, operation: str
):
    answer = SUCCESS[operation](client, world)

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    body = check_output(operation, raw_bodies[operation])
    output = service_model().operation_model(operation).output_shape
    if "requestId" in output.members:
        assert body["requestId"] == answer["ResponseMetadata"]["RequestId"]


# Codes the fake answers beyond an operation's own modeled errors, each granted across operations by a ledger row.
# An operation whose only modeled 400 is ClientException (the imports) is granted none (ledger import-validation).
GRANTED = {
    "InvalidParameterValueException": "validation-code",
    "ResourceNotFoundException": "get-not-found",
    "InvalidParameterCombinationException": "container-recipe-ecr-parent",
}


def may_answer(operation: str) -> set[str]:
    """The error codes the fake's own refusals of ``operation`` may use."""
    shapes = service_model().operation_model(operation).error_shapes
    modeled = {shape.name for shape in shapes}
    client_errors = {shape.name for shape in shapes if shape.metadata["error"]["httpStatusCode"] == 400}
    return modeled if client_errors == {"ClientException"} else modeled | set(GRANTED)


@pytest.mark.parametrize("operation", sorted(set(ERRORS) & IN_MODEL))
def test_every_operation_answers_a_modeled_error(
    client: Any, world: SimpleNamespace, expect_error: Any, operation: str
):
    call, code, status = ERRORS[operation]
    with pytest.raises(ClientError) as caught:
        call(client, world)

    expect_error(caught.value, code, status)
    assert caught.value.operation_name == operation
    # Modeled for this operation (or granted), not merely somewhere in the service: client.exceptions has them all.
    assert code in may_answer(operation)
    assert isinstance(caught.value, getattr(client.exceptions, code))


def _minimal(shape: Any) -> Any:
    """A value of ``shape`` botocore sends as it is: the required members only, strings "x"."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "string":
        return shape.enum[0] if shape.enum else "x"
    if kind == "list":
        return [_minimal(shape.member)] * shape.metadata.get("min", 0)  # botocore checks a list's min itself
    return {"map": {}, "boolean": True, "timestamp": 0}.get(kind, 1)


TOKEN_OPERATIONS = sorted(
    name
    for name in set(OPERATIONS) & IN_MODEL
    if "clientToken" in service_model().operation_model(name).input_shape.members
)


@pytest.mark.parametrize("operation", TOKEN_OPERATIONS)
def test_a_constraint_violation_answers_a_code_the_operation_may_answer(client: Any, operation: str):
    params = {**_minimal(service_model().operation_model(operation).input_shape), "clientToken": "t" * 65}
    with pytest.raises(ClientError) as caught:
        getattr(client, xform_name(operation))(**params)

    assert caught.value.response["Error"]["Code"] in may_answer(operation)
    assert "is not valid" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("operation", "member", "arn"),
    [
        ("GetImage", "imageBuildVersionArn", MISSING_BUILD),
        ("GetImagePipeline", "imagePipelineArn", MISSING_PIPELINE),
        ("GetImageRecipe", "imageRecipeArn", f"{PREFIX}:image-recipe/missing/1.0.0"),
        (
            "GetInfrastructureConfiguration",
            "infrastructureConfigurationArn",
            f"{PREFIX}:infrastructure-configuration/missing",
        ),
        (
            "GetDistributionConfiguration",
            "distributionConfigurationArn",
            f"{PREFIX}:distribution-configuration/missing",
        ),
        ("DeleteImage", "imageBuildVersionArn", MISSING_BUILD),
        ("DeleteImagePipeline", "imagePipelineArn", MISSING_PIPELINE),
        ("DeleteImageRecipe", "imageRecipeArn", f"{PREFIX}:image-recipe/missing/1.0.0"),
        (
            "DeleteInfrastructureConfiguration",
            "infrastructureConfigurationArn",
            f"{PREFIX}:infrastructure-configuration/missing",
        ),
        (
            "DeleteDistributionConfiguration",
            "distributionConfigurationArn",
            f"{PREFIX}:distribution-configuration/missing",
        ),
        ("CancelImageCreation", "imageBuildVersionArn", MISSING_BUILD),
    ],
)
def test_get_and_delete_of_missing_resources_are_not_found(
    client: Any, expect_error: Any, operation: str, member: str, arn: str
):
    method = getattr(client, xform_name(operation))
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        method(**{member: arn})

    expect_error(caught.value, "ResourceNotFoundException", 404)
    assert arn in caught.value.response["message"]


def test_duplicate_resources_already_exist(client: Any, stack: Any, expect_error: Any):
    duplicates = [
        lambda: client.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        lambda: client.create_image_recipe(
            name="WEB", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        lambda: client.create_infrastructure_configuration(name="web", instanceProfileName="other"),
        lambda: client.create_image_pipeline(
            name="web", imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn
        ),
    ]
    for create in duplicates:
        with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as caught:
            create()
        expect_error(caught.value, "ResourceAlreadyExistsException", 400)
        assert "already exists" in caught.value.response["message"]

    client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    # Another version of a recipe is another resource.
    newer = client.create_image_recipe(
        name="web", semanticVersion="1.0.1", parentImage=AWS_PARENT, components=COMPONENTS
    )
    assert newer["imageRecipeArn"].endswith("/web/1.0.1")


def test_delete_of_used_resource_is_a_dependency_error(client: Any, make_stack: Any, expect_error: Any):
    distribution = client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    stack = make_stack(distributionConfigurationArn=distribution["distributionConfigurationArn"])
    deletions = [
        lambda: client.delete_image_recipe(imageRecipeArn=stack.recipe_arn),
        lambda: client.delete_infrastructure_configuration(infrastructureConfigurationArn=stack.infrastructure_arn),
        lambda: client.delete_distribution_configuration(
            distributionConfigurationArn=distribution["distributionConfigurationArn"]
        ),
    ]
    for delete in deletions:
        with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
            delete()
        expect_error(caught.value, "ResourceDependencyException", 400)
        assert "has other resources depended on it" in caught.value.response["message"]

    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)
    for delete in deletions:
        delete()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_image_recipe(imageRecipeArn=stack.recipe_arn)


@pytest.mark.parametrize("version", ["x.x.x", "1.x.x", "x.0.x"])
def test_a_recipe_version_with_more_than_one_wildcard_is_refused(
    client: Any, fake: Any, expect_error: Any, version: str
) -> None:
    # Where the model's pattern allows wildcards the service refuses more than one (one is auto-versioning:
    # tests/test_auto_versioning.py); where it allows none (botocore 1.40.41), the wire refuses them first, as
    # for any pattern, naming the member.
    code, mentioned = (
        ("InvalidVersionNumberException", f"'{version}' is not valid. A recipe version may hold one wildcard (x)")
        if RECIPE_VERSION.search(version)
        else ("InvalidParameterValueException", "'semanticVersion' must match pattern")
    )
    with pytest.raises(getattr(client.exceptions, code)) as caught:
        client.create_image_recipe(name="web", semanticVersion=version, parentImage=AWS_PARENT, components=COMPONENTS)

    expect_error(caught.value, code, 400)
    assert mentioned in caught.value.response["message"]
    assert not any(region["imageRecipes"] for account in fake.state().values() for region in account.values())


def test_aws_managed_references_are_accepted(client: Any, make_stack: Any):
    windows = client.create_image_recipe(
        name="win",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x",
        components=[
            {"componentArn": AWS_COMPONENT},
            {"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/reboot-test-windows/1.0.0/1"},
        ],
    )["imageRecipeArn"]
    stack = make_stack()

    linux = client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]
    assert linux["parentImage"] == AWS_PARENT
    assert linux["components"] == [{"componentArn": AWS_COMPONENT}]
    assert linux["platform"] == "Linux"
    assert linux["owner"] == "123456789012"
    assert client.get_image_recipe(imageRecipeArn=windows)["imageRecipe"]["platform"] == "Windows"
    by_ami = client.create_image_recipe(
        name="from-ami", semanticVersion="1.0.0", parentImage="ami-0123456789abcdef0", components=COMPONENTS
    )
    assert by_ami["imageRecipeArn"].endswith("/from-ami/1.0.0")
    assert client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]


@pytest.mark.parametrize(
    "fake",
    [pytest.param({}, id="default"), pytest.param({"recreated_pipeline_lists_old_images": True}, id="switched")],
    indirect=True,
)
def test_pipeline_images_of_a_pipeline_that_does_not_exist_are_an_empty_list(
    fake: Any, client: Any, stack: Any, expect_error: Any
):
    # Model doc of imagePipelineArn (botocore 1.44): "If the ARN that you specify doesn't exist, Image Builder
    # returns an empty list rather than a ResourceNotFoundException error." Deleted counts as not existing,
    # whatever the recreated-pipeline knob says (it only concerns a pipeline made again).
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    client.cancel_image_creation(imageBuildVersionArn=built)
    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)

    for arn in (MISSING_PIPELINE, stack.pipeline_arn):
        assert client.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"] == []
        pages = client.get_paginator("list_image_pipeline_images").paginate(imagePipelineArn=arn)
        assert [summary for page in pages for summary in page["imageSummaryList"]] == []
        # What it is asked is still checked, as for a pipeline that exists.
        with pytest.raises(client.exceptions.InvalidPaginationTokenException) as caught:
            client.list_image_pipeline_images(imagePipelineArn=arn, nextToken="made-up")
        expect_error(caught.value, "InvalidPaginationTokenException", 400)
    assert client.get_image(imageBuildVersionArn=built)["image"]["state"]["status"] == "CANCELLED"
    # Another account's or region's pipeline is refused as every other ARN of theirs is (rows forbidden,
    # client-exception), not listed as empty.
    for arn, code, status in [
        (MISSING_PIPELINE.replace("123456789012", "111122223333"), "ForbiddenException", 403),
        (MISSING_PIPELINE.replace("us-east-1", "us-west-2"), "ClientException", 400),
    ]:
        with pytest.raises(ClientError) as caught:
            client.list_image_pipeline_images(imagePipelineArn=arn)
        expect_error(caught.value, code, status)


def test_list_pipeline_images_pages_newest_first(fake: Any, client: Any, stack: Any):
    arns = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]]
    fake.advance(3600)
    arns += [
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
        for _ in range(4)
    ]

    pages = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn, maxResults=2, **kwargs)
        pages.append([summary["arn"] for summary in page["imageSummaryList"]])
        token = page.get("nextToken")
        if not token:
            break

    assert pages == [arns[4:2:-1], arns[2:0:-1], arns[:1]]
    statuses = [
        s["state"]["status"]
        for s in client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    ]
    assert statuses == ["PENDING"] * 4 + ["AVAILABLE"]  # builds in progress are listed too
    paginator = client.get_paginator("list_image_pipeline_images")
    listed = [
        s["arn"]
        for p in paginator.paginate(imagePipelineArn=stack.pipeline_arn, PaginationConfig={"PageSize": 2})
        for s in p["imageSummaryList"]
    ]
    assert listed == arns[::-1]


def test_version_filters_compare_the_semantic_version_not_the_build(client: Any, make_stack: Any):
    stack = make_stack("web", version="1.0.0")
    first = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]]
    first.append(client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"])
    newer = client.create_image_recipe(
        name="web", semanticVersion="2.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=newer,
        infrastructureConfigurationArn=stack.infrastructure_arn,
    )
    second = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    def pipeline_images(*values: str) -> list[str]:
        found = client.list_image_pipeline_images(
            imagePipelineArn=stack.pipeline_arn, filters=[{"name": "version", "values": list(values)}]
        )["imageSummaryList"]
        return [s["arn"] for s in found]

    def build_versions(*values: str) -> list[str]:
        found = client.list_image_build_versions(
            imageVersionArn=first[0].rsplit("/", 1)[0], filters=[{"name": "version", "values": list(values)}]
        )["imageSummaryList"]
        return [s["arn"] for s in found]

    # "1.0.4" matches a pipeline's images on AWS, "1.0.4/3" none (aws/aws-cli#7853).
    assert pipeline_images("1.0.0") == first[::-1]
    assert pipeline_images("2.0.0") == [second]
    assert pipeline_images("1.0.0", "2.0.0") == [second, *first[::-1]]
    assert pipeline_images("1.0.0/2") == []
    # ListImageBuildVersions takes the version filter its documentation lists, compared the same way.
    assert build_versions("1.0.0") == first[::-1]
    assert build_versions("2.0.0") == build_versions("1.0.0/1") == []


def test_leading_zeros_are_kept_and_make_another_version(client: Any):
    # AWS accepts and keeps them: the aws-cli list-images example shows image/mybasicrecipe/2019.12.03.
    dated = client.create_image_recipe(
        name="web", semanticVersion="2019.12.03", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    plain = client.create_image_recipe(
        name="web", semanticVersion="2019.12.3", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]

    assert dated.endswith("/web/2019.12.03") and plain.endswith("/web/2019.12.3")
    assert client.get_image_recipe(imageRecipeArn=dated)["imageRecipe"]["version"] == "2019.12.03"
    assert len(client.list_image_recipes()["imageRecipeSummaryList"]) == 2


def test_an_image_version_with_leading_zeros_is_not_the_same_numbers_without(fake: Any, client: Any, make_stack: Any):
    plain = make_stack("plain", recipe_name="web", version="2019.12.3")
    padded = make_stack("padded", recipe_name="web", version="2019.12.03")
    for stack in (plain, padded, padded):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(7200)

    # GetImage of a concrete version picks among that version's own builds only (ledger version-leading-zeros).
    image = f"{PREFIX}:image/web/2019.12.3"
    assert client.get_image(imageBuildVersionArn=image)["image"]["version"] == "2019.12.3/1"
    assert client.get_image(imageBuildVersionArn=image.replace(".3", ".03"))["image"]["version"] == "2019.12.03/2"
    # The two rank alike, so x.x.x takes the higher build; byName lists that same version.
    selected = client.get_image(imageBuildVersionArn=f"{PREFIX}:image/web/x.x.x")["image"]
    assert selected["version"] == "2019.12.03/2"
    (listed,) = client.list_images(byName=True)["imageVersionList"]
    assert listed["arn"] == selected["arn"].rsplit("/", 1)[0]


def test_bad_pagination_token_is_refused(client: Any, make_stack: Any, expect_error: Any):
    first = make_stack("first")
    second = make_stack("second")
    for _ in range(3):
        client.start_image_pipeline_execution(imagePipelineArn=first.pipeline_arn)
    token = client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, maxResults=1)["nextToken"]
    client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, maxResults=1, nextToken=token)

    for bad in ("made-up", token + "x", "MTAwOmFiYw", "é"):
        with pytest.raises(client.exceptions.InvalidPaginationTokenException) as caught:
            client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, nextToken=bad)
        expect_error(caught.value, "InvalidPaginationTokenException", 400)
    # A token belongs to its query.
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_image_pipeline_images(imagePipelineArn=second.pipeline_arn, nextToken=token)
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_image_pipelines(nextToken=token)


def test_update_replaces_pipeline_settings(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(
        description="nightly",
        schedule={"scheduleExpression": "cron(0 0 * * ? *)"},
        imageTestsConfiguration={"imageTestsEnabled": False},
        status="DISABLED",
        tags={"team": "web"},
    )
    before = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    fake.advance(60)

    answer = client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        clientToken="update-1",
    )

    assert answer["imagePipelineArn"] == stack.pipeline_arn
    assert answer["clientToken"] == "update-1"
    after = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert "description" not in after
    assert "schedule" not in after
    assert after["status"] == "ENABLED"
    assert after["imageTestsConfiguration"]["imageTestsEnabled"] is True
    assert after["tags"] == {"team": "web"}  # tags are not settings
    assert after["name"] == before["name"]
    assert after["dateCreated"] == before["dateCreated"]
    assert after["dateUpdated"] > before["dateCreated"]

    with pytest.raises(client.exceptions.InvalidRequestException):
        client.update_image_pipeline(
            imagePipelineArn=stack.pipeline_arn, infrastructureConfigurationArn=stack.infrastructure_arn
        )


def test_untagged_resources_show_empty_tags(client: Any, world: SimpleNamespace, fake: Any):
    recipe = client.create_image_recipe(
        name="bare", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )
    assert client.get_image_recipe(imageRecipeArn=recipe["imageRecipeArn"])["imageRecipe"]["tags"] == {}
    assert client.get_image(imageBuildVersionArn=world.done)["image"]["tags"] == {}
    assert client.list_tags_for_resource(resourceArn=world.done)["tags"] == {}
    summaries = client.list_image_pipeline_images(imagePipelineArn=world.pipeline)["imageSummaryList"]
    assert [s["tags"] for s in summaries] == [{}, {}]


def test_reset_empties_state(fake: Any, client: Any, stack: Any):
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="before-reset")
    fake.fail_next("ListImagePipelines", "ServiceException")

    fake.reset()

    assert fake.state() == {}
    assert client.list_image_pipelines()["imagePipelineList"] == []  # the fault went too
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)


def test_the_output_check_makes_only_the_documented_exceptions(check_output: Any):
    image = {"arn": f"{PREFIX}:image/web/1.0.0/1", "version": "1.0.0/1", "tags": {}}
    check_output("GetImage", json.dumps({"image": image}).encode())

    refused = [
        ("GetImage", {"image": {**image, "version": "1.0.0"}}),  # an image's version must carry its build number
        ("GetImage", {"image": {**image, "imageRecipe": {"version": "1.0.0/1"}}}),  # a recipe's must not
        ("GetImageRecipe", {"imageRecipe": {"version": "1.0.0/1"}}),
        ("GetImage", {"image": {**image, "tags": {"": "v"}}}),  # only the empty map is let through
        ("GetImage", {"image": {**image, "imageRecipe": {"description": ""}}}),  # any other minimum holds
        ("GetImage", {"image": image, "unexpected": 1}),  # members outside the model are refused
    ]
    for operation, body in refused:
        with pytest.raises((AssertionError, Violation)):
            check_output(operation, json.dumps(body).encode())


def test_get_image_by_version_gives_the_newest_available_build(fake: Any, client: Any, stack: Any, expect_error: Any):
    builds = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]]
    version = builds[0].rsplit("/", 1)[0]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_image(imageBuildVersionArn=version)  # nothing AVAILABLE yet
    expect_error(caught.value, "ResourceNotFoundException", 404)

    fake.advance(3600)
    builds.append(client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"])

    for wildcard in (version, version.replace("1.0.0", "1.0.x"), version.replace("1.0.0", "x.x.x")):
        assert client.get_image(imageBuildVersionArn=wildcard)["image"]["arn"] == builds[0]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=version.replace("1.0.0", "x.x.x"))["image"]["arn"] == builds[1]


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("list_image_pipelines", {}),
        ("list_image_recipes", {}),
        ("list_infrastructure_configurations", {}),
        ("list_distribution_configurations", {}),
    ],
)
def test_a_bad_filter_name_is_refused_even_with_nothing_to_list(client: Any, operation: str, params: dict[str, Any]):
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(filters=[{"name": "bogus", "values": ["x"]}], **params)

    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "'bogus'" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("operation", "filters"),
    [
        ("ListImageRecipes", [{"values": ["x"]}]),
        ("ListComponents", [{"name": None, "values": None}]),
        ("ListImageScanFindings", [{"values": ["x"]}]),
    ],
)
def test_a_filter_without_a_name_is_refused_in_words_not_python(
    send_raw: Any, operation: str, filters: list[dict[str, Any]]
):
    # The model does not require Filter.name, so a filter may come without one, or with a JSON null.
    answer = send_raw("POST", f"/{operation}", {"filters": filters})

    assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    message = json.loads(answer.body)["message"]
    assert message.startswith("A filter must have a name; use one of: ") and "None" not in message


def test_an_aggregation_filter_without_a_name_is_refused_in_words_not_python(send_raw: Any):
    answer = send_raw("POST", "/ListImageScanFindingAggregations", {"filter": {"values": ["x"]}})

    assert (answer.status, answer.headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert json.loads(answer.body)["message"].startswith("A filter must have a name; use one of: ")


@pytest.mark.parametrize("operation", ["list_components", "list_workflows", "list_images"])
def test_by_name_does_not_combine_with_the_version_filter(client: Any, expect_error: Any, operation: str):
    list_ = getattr(client, operation)
    version = [{"name": "version", "values": ["1.0.0"]}]
    list_(byName=True)
    list_(filters=version)

    # The byName doc of all three: "You can't combine this option with the version filter." Refused whatever
    # the account holds, as a bad filter name is.
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        list_(byName=True, filters=version)
    expect_error(caught.value, "InvalidRequestException", 400)


def _documented_filters(operation: str) -> set[str]:
    """The filter names the installed model's documentation of an operation's ``filters`` lists."""
    doc = service_model().operation_model(operation).input_shape.members["filters"].documentation
    return set(re.findall(r"<code>(\w+)</code>", doc))


# Names a supported model other than the installed one may document: botocore 1.40.41 has Name, Status for
# ListLifecyclePolicies and names none for ListWorkflows; 1.44.8 has name, resourceType, status, and adds
# productCodes and status to ListComponents and description to ListWorkflows.
_OTHER_MODELS = {
    "ListLifecyclePolicies": {"Name", "Status", "name", "resourceType", "status"},
    "ListComponents": {"productCodes", "status"},
    "ListWorkflows": {"description", "name", "type", "version"},
}


def test_each_list_accepts_exactly_the_filter_names_the_models_document(client: Any, stack: Any):
    image_version = client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]["arn"].replace(
        ":image-recipe/", ":image/"
    )
    needs = {"ListImagePipelineImages": {"imagePipelineArn": stack.pipeline_arn}}
    needs["ListImageBuildVersions"] = {"imageVersionArn": image_version}
    model = service_model()
    operations = [
        name
        for name in model.operation_names
        if name.startswith("List") and "filters" in model.operation_model(name).input_shape.members
    ]
    assert len(operations) >= 12
    for operation in operations:
        list_ = getattr(client, xform_name(operation))
        params = needs.get(operation, {})
        documented = _documented_filters(operation)
        for name in documented:
            list_(filters=[{"name": name, "values": ["x"]}], **params)  # accepted: no error
        with pytest.raises(client.exceptions.InvalidRequestException) as caught:
            list_(filters=[{"name": "bogus", "values": ["x"]}], **params)
        accepted = set(caught.value.response["Error"]["Message"].rsplit("use one of: ", 1)[1][:-1].split(", "))
        assert documented <= accepted, operation
        assert accepted - documented <= _OTHER_MODELS.get(operation, set()), operation


def test_a_filter_on_a_member_an_item_lacks_matches_nothing(client: Any, make_stack: Any):
    make_stack("plain")  # no description
    described = make_stack("described", description="None")

    found = client.list_image_pipelines(filters=[{"name": "description", "values": ["None"]}])["imagePipelineList"]

    assert [p["arn"] for p in found] == [described.pipeline_arn]


LICENSE = "arn:aws:license-manager:us-west-2:123456789012:license-configuration:lic-" + "0" * 32
NO_OUTPUTS = (
    "The value supplied for parameter 'distributions[1]' is not valid. One or more outputs should be provided "
    "for each region in a distribution configuration."
)


def test_a_region_without_outputs_is_refused(fake: Any, client: Any, expect_error: Any):
    entries = [*DISTRIBUTIONS, {"region": "us-west-2", "licenseConfigurationArns": [LICENSE]}]
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.create_distribution_configuration(name="web", distributions=entries)
    expect_error(caught.value, "InvalidParameterValueException", 400)
    assert caught.value.response["Error"]["Message"] == NO_OUTPUTS
    assert client.list_distribution_configurations()["distributionConfigurationSummaryList"] == []

    arn = client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)[
        "distributionConfigurationArn"
    ]
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.update_distribution_configuration(distributionConfigurationArn=arn, distributions=entries)
    assert caught.value.response["Error"]["Message"] == NO_OUTPUTS
    assert (
        client.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"][
            "distributions"
        ]
        == DISTRIBUTIONS
    )


@pytest.mark.parametrize(
    ("regions", "wording"),
    [
        (["us-east-1", "us-west-2", "us-east-1"], "Region 'us-east-1' is already distributed to by distributions[0]"),
        (["mars-1"], "'mars-1' is not a region of partition 'aws'"),
        (["us-east-1", "cn-north-1"], "'cn-north-1' is not a region of partition 'aws'"),
    ],
)
def test_each_region_is_a_real_one_named_once(client: Any, expect_error: Any, regions: list[str], wording: str):
    entries = [{"region": region, "amiDistributionConfiguration": {}} for region in regions]
    index = len(regions) - 1
    arn = client.create_distribution_configuration(name="kept", distributions=DISTRIBUTIONS)[
        "distributionConfigurationArn"
    ]
    for call, members in (
        (client.create_distribution_configuration, {"name": "web"}),
        (client.update_distribution_configuration, {"distributionConfigurationArn": arn}),
    ):
        with pytest.raises(ClientError) as caught:
            call(distributions=entries, **members)
        expect_error(caught.value, "InvalidRequestException", 400)
        message = caught.value.response["Error"]["Message"]
        assert message.startswith(f"The value supplied for parameter 'distributions[{index}].region' is not valid.")
        assert wording in message
    [kept] = client.list_distribution_configurations()["distributionConfigurationSummaryList"]
    assert kept["arn"] == arn
    got = client.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
    assert got["distributions"] == DISTRIBUTIONS


def test_an_empty_output_block_is_an_output(fake: Any, client: Any):
    """amiDistributionConfiguration {} takes AWS's defaults: the region has an output."""
    entries = [{"region": "us-east-1", "amiDistributionConfiguration": {}}]
    arn = client.create_distribution_configuration(name="web", distributions=entries)["distributionConfigurationArn"]
    got = client.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
    assert got["distributions"] == entries
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.update_distribution_configuration(
            distributionConfigurationArn=arn, distributions=[{"region": "us-east-1"}]
        )


def test_update_replaces_configuration_settings(fake: Any, client: Any):
    infrastructure = client.create_infrastructure_configuration(
        name="web", instanceProfileName="builder", description="first", instanceTypes=["t3.micro"], tags={"k": "v"}
    )["infrastructureConfigurationArn"]
    distribution = client.create_distribution_configuration(
        name="web", distributions=DISTRIBUTIONS, description="first", tags={"k": "v"}
    )["distributionConfigurationArn"]
    before = client.get_infrastructure_configuration(infrastructureConfigurationArn=infrastructure)
    fake.advance(60)

    answers = [
        client.update_infrastructure_configuration(
            infrastructureConfigurationArn=infrastructure, instanceProfileName="other", clientToken="u-1"
        ),
        client.update_distribution_configuration(
            distributionConfigurationArn=distribution,
            distributions=[
                {"region": "us-west-2", "amiDistributionConfiguration": {"name": "w {{ imagebuilder:buildDate }}"}}
            ],
            clientToken="u-2",
        ),
    ]

    assert [a["clientToken"] for a in answers] == ["u-1", "u-2"]
    infra = client.get_infrastructure_configuration(infrastructureConfigurationArn=infrastructure)
    infra = infra["infrastructureConfiguration"]
    assert infra["instanceProfileName"] == "other"
    assert "description" not in infra and "instanceTypes" not in infra  # left out: gone
    assert infra["name"] == "web" and infra["tags"] == {"k": "v"}
    assert infra["dateCreated"] == before["infrastructureConfiguration"]["dateCreated"] < infra["dateUpdated"]
    dist = client.get_distribution_configuration(distributionConfigurationArn=distribution)["distributionConfiguration"]
    assert [d["region"] for d in dist["distributions"]] == ["us-west-2"]
    assert "description" not in dist
    assert dist["timeoutMinutes"] == 720 and dist["tags"] == {"k": "v"}
    [summary] = client.list_distribution_configurations(filters=[{"name": "name", "values": ["web"]}])[
        "distributionConfigurationSummaryList"
    ]
    assert summary["regions"] == ["us-west-2"]
    assert summary["dateUpdated"] == dist["dateUpdated"]


def test_a_recipe_without_working_directory_reads_its_platforms_default(client: Any, stack: Any):
    explicit = client.create_image_recipe(
        name="own", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS, workingDirectory="/work"
    )["imageRecipeArn"]
    windows = client.create_image_recipe(
        name="win",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-windows/x.x.x"}],
    )["imageRecipeArn"]

    assert client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]["workingDirectory"] == "/tmp"
    assert client.get_image_recipe(imageRecipeArn=explicit)["imageRecipe"]["workingDirectory"] == "/work"
    # ImageRecipe.workingDirectory's doc (botocore 1.44): "C:/ for Windows build instances".
    shown = client.get_image_recipe(imageRecipeArn=windows)["imageRecipe"]
    assert (shown["platform"], shown["workingDirectory"]) == ("Windows", "C:/")


def test_resource_policies_are_kept_per_resource(client: Any, world: SimpleNamespace, expect_error: Any):
    assert client.get_image_recipe_policy(imageRecipeArn=world.recipe)["policy"] == "{}"  # none put yet

    answer = client.put_image_recipe_policy(imageRecipeArn=world.recipe, policy=POLICY)
    client.put_image_policy(imageArn=world.done, policy=POLICY.replace("210987654321", "111122223333"))

    assert answer["imageRecipeArn"] == world.recipe
    assert client.get_image_recipe_policy(imageRecipeArn=world.recipe)["policy"] == POLICY
    assert "111122223333" in client.get_image_policy(imageArn=world.done)["policy"]
    # Not a JSON object: NaN is Python's, not JSON; JSON nested past Python's stack once answered 500.
    for bad in ("[]", "{", '"text"', '{"Version": NaN}', '{"a": ' + "[" * 5000 + "]" * 5000 + "}"):
        with pytest.raises(client.exceptions.InvalidParameterValueException):
            client.put_image_recipe_policy(imageRecipeArn=world.recipe, policy=bad)
    assert client.get_image_recipe_policy(imageRecipeArn=world.recipe)["policy"] == POLICY  # unchanged
    client.delete_image_pipeline(imagePipelineArn=world.pipeline)
    client.delete_image_recipe(imageRecipeArn=world.recipe)
    with pytest.raises(client.exceptions.ResourceNotFoundException):  # the recipe is gone
        client.get_image_recipe_policy(imageRecipeArn=world.recipe)
    # Made again, it has no policy: the old one went with the recipe.
    again = client.create_image_recipe(
        name="web", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    assert client.get_image_recipe_policy(imageRecipeArn=again)["policy"] == "{}"


@pytest.mark.parametrize("kind", ["component", "image", "image_recipe", "container_recipe"])
def test_a_resource_without_a_policy_answers_an_empty_one(client: Any, world: SimpleNamespace, kind: str):
    """botocore 1.44's docs of GetImagePolicy, GetImageRecipePolicy and GetContainerRecipePolicy: with no policy
    applied, "the response contains an empty JSON object ({})"; GetComponentPolicy by analogy."""
    made = {"container_recipe": _container_recipe, "component": _component}.get(kind)
    arn = made(client) if made is not None else {"image": world.done, "image_recipe": world.recipe}[kind]
    member = {"component": "componentArn", "image": "imageArn"}.get(kind, f"{kind.split('_')[0]}RecipeArn")
    assert getattr(client, f"get_{kind}_policy")(**{member: arn})["policy"] == "{}"


@pytest.mark.parametrize("fake", [{"missing_component_policy": "ResourceNotFoundException"}], indirect=True)
def test_get_component_policy_of_a_component_without_one_is_switchable_to_not_found(
    fake: FakeImageBuilder, client: Any, world: SimpleNamespace, expect_error: Any
):
    """Ledger component-policy-none: the model is silent for components, so the missing_component_policy knob
    may answer 404, as the model lets GetComponentPolicy; the other three keep their documented {}."""
    arn = _component(client)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_component_policy(componentArn=arn)
    expect_error(caught.value, "ResourceNotFoundException", 404)
    assert caught.value.response["Error"]["Message"] == f"The Component '{arn}' has no resource policy."
    assert client.get_image_policy(imageArn=world.done)["policy"] == "{}"
    assert client.get_image_recipe_policy(imageRecipeArn=world.recipe)["policy"] == "{}"
    assert client.get_container_recipe_policy(containerRecipeArn=_container_recipe(client))["policy"] == "{}"
    # A component with a policy answers it, whatever the knob says.
    client.put_component_policy(componentArn=arn, policy=POLICY)
    assert client.get_component_policy(componentArn=arn)["policy"] == POLICY

    fake.configure(missing_component_policy="{}")
    assert client.get_component_policy(componentArn=_component(client, name="other"))["policy"] == "{}"


@pytest.mark.parametrize("value", ["none", "", "resourcenotfoundexception", "InvalidRequestException", None, {}])
def test_the_missing_component_policy_knob_takes_only_its_values(value: Any):
    says = re.escape(f"missing_component_policy must be one of ['{{}}', 'ResourceNotFoundException'], not {value!r}")
    with pytest.raises(ValueError, match=says):
        FakeImageBuilder(missing_component_policy=value)
    fake = FakeImageBuilder(missing_component_policy="ResourceNotFoundException")
    with pytest.raises(ValueError, match=says):
        fake.configure(missing_component_policy=value)
    assert fake.settings.missing_component_policy == "ResourceNotFoundException"


def _recipe_fields(kind: str) -> dict[str, Any]:
    """Create members of a recipe named web of ``kind`` (image-recipe or container-recipe), less its version."""
    fields: dict[str, Any] = {"name": "web", "parentImage": AWS_PARENT, "components": COMPONENTS}
    if kind == "container-recipe":
        fields.update(
            containerType="DOCKER",
            parentImage="amazonlinux:latest",
            dockerfileTemplateData=DOCKERFILE,
            targetRepository=REPOSITORY,
        )
    return fields


@pytest.mark.parametrize("kind", ["image-recipe", "container-recipe"])
def test_a_policy_put_through_a_wildcard_belongs_to_the_recipe_it_selects(client: Any, expect_error: Any, kind: str):
    member = "imageRecipeArn" if kind == "image-recipe" else "containerRecipeArn"
    words = kind.replace("-", "_")
    put, get = getattr(client, f"put_{words}_policy"), getattr(client, f"get_{words}_policy")
    create, delete = getattr(client, f"create_{words}"), getattr(client, f"delete_{words}")
    pattern = service_model().operation_model(f"Put{words.title().replace('_', '')}Policy").input_shape.members[member]
    wildcard = f"{PREFIX}:{kind}/web/x.x.x"
    if not re.fullmatch(pattern.metadata["pattern"], wildcard):
        pytest.skip(f"this model's {pattern.name} pattern admits no wildcard version (botocore 1.40.41)")
    fields = _recipe_fields(kind)
    first = create(semanticVersion="1.0.0", **fields)[member]

    # The policy is applied to the version the wildcard selects now, and the answer names it.
    assert put(**{member: wildcard, "policy": POLICY})[member] == first
    assert get(**{member: first})["policy"] == POLICY
    assert get(**{member: wildcard})["policy"] == POLICY

    # Gone with its recipe: a later version the wildcard selects has a policy only once one is put on it.
    delete(**{member: first})
    second = create(semanticVersion="2.0.0", **fields)[member]
    for arn in (wildcard, second):
        assert get(**{member: arn})["policy"] == "{}"


@pytest.mark.parametrize("kind", ["image-recipe", "container-recipe"])
def test_a_recipe_is_not_deleted_through_a_wildcard(client: Any, expect_error: Any, kind: str):
    member = "imageRecipeArn" if kind == "image-recipe" else "containerRecipeArn"
    words = kind.replace("-", "_")
    create, get, delete = (getattr(client, f"{verb}_{words}") for verb in ("create", "get", "delete"))
    fields = _recipe_fields(kind)
    arn = create(semanticVersion="1.0.0", **fields)[member]

    # Get resolves the wildcard; Delete takes one version, as DeleteComponent's and DeleteWorkflow's patterns
    # (and botocore 1.40.41's recipe patterns) require: not "does not exist" for a recipe that does.
    for wildcard in (f"{PREFIX}:{kind}/web/x.x.x", f"{PREFIX}:{kind}/web/1.0.x"):
        with pytest.raises(ClientError) as caught:
            delete(**{member: wildcard})
        expect_error(caught.value, "InvalidParameterValueException", 400)
        assert f"parameter '{member}' is not valid" in caught.value.response["Error"]["Message"]
    assert get(**{member: arn})[member.removesuffix("Arn")]["arn"] == arn
    delete(**{member: arn})


def test_a_container_recipe_reads_back_what_create_accepted(client: Any, stack: Any, expect_error: Any):
    arn = client.create_container_recipe(
        containerType="DOCKER",
        name="Box",
        description="a box",
        semanticVersion="1.0.0",
        parentImage="amazonlinux:latest",
        components=COMPONENTS,
        dockerfileTemplateData=DOCKERFILE,
        targetRepository=REPOSITORY,
        workingDirectory="/build",
    )["containerRecipeArn"]

    assert arn == f"{PREFIX}:container-recipe/box/1.0.0"
    recipe = client.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]
    assert {k: v for k, v in recipe.items() if k != "dateCreated"} == {
        "arn": arn,
        "containerType": "DOCKER",
        "name": "Box",
        "description": "a box",
        "platform": "Linux",
        "owner": "123456789012",
        "version": "1.0.0",
        "components": COMPONENTS,
        "dockerfileTemplateData": DOCKERFILE,
        "encrypted": True,
        "parentImage": "amazonlinux:latest",
        "tags": {},
        "workingDirectory": "/build",
        "targetRepository": REPOSITORY,
    }
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        _container_recipe(client, "box")
    pipeline = client.create_image_pipeline(
        name="boxes", containerRecipeArn=arn, infrastructureConfigurationArn=stack.infrastructure_arn
    )["imagePipelineArn"]
    assert client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["containerRecipeArn"] == arn
    [summary] = client.list_container_recipes(filters=[{"name": "containerType", "values": ["DOCKER"]}])[
        "containerRecipeSummaryList"
    ]
    assert summary["arn"] == arn


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"resourceSelection": {}}, "exactly one of 'recipes' and 'tagMap'"),
        (
            {"resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}], "tagMap": {"k": "v"}}},
            "exactly one of 'recipes' and 'tagMap'",
        ),
        ({"policyDetails": [LIFECYCLE["policyDetails"][0]] * 2}, "only one rule with action DELETE"),
        ({"policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 6}}]}, "needs a 'unit'"),
        (
            {
                "policyDetails": [
                    {"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 6, "unit": "DAYS"}}
                ]
            },
            "a COUNT filter takes no 'unit'",
        ),
        (
            {
                "policyDetails": [
                    {
                        "action": {"type": "DELETE", "includeResources": {"containers": True}},
                        "filter": {"type": "COUNT", "value": 6},
                    }
                ]
            },
            "containers do not apply to AMI_IMAGE",
        ),
    ],
)
def test_lifecycle_rules_are_checked(client: Any, expect_error: Any, change: dict[str, Any], detail: str):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_lifecycle_policy(name="bad", **{**LIFECYCLE, **change})

    expect_error(caught.value, "InvalidRequestException", 400)
    assert detail in caught.value.response["Error"]["Message"]
    assert client.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []


@pytest.mark.parametrize("version", ["1.x.8", "x.1.x"])
def test_a_lifecycle_recipe_version_with_a_number_after_a_wildcard_is_refused(
    client: Any, expect_error: Any, version: str
):
    # Where the model's pattern admits wildcards the fake's rule refuses it; where it does not (botocore
    # 1.40.41), the wire refuses it first, as for any pattern, naming the member.
    code, detail = (
        ("InvalidRequestException", "every node to its right must be a wildcard")
        if LIFECYCLE_RECIPE_VERSION.search(version)
        else ("InvalidParameterValueException", "'resourceSelection.recipes[0].semanticVersion' must match pattern")
    )
    with pytest.raises(getattr(client.exceptions, code)) as caught:
        client.create_lifecycle_policy(
            name="bad", **{**LIFECYCLE, "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": version}]}}
        )

    expect_error(caught.value, code, 400)
    assert detail in caught.value.response["Error"]["Message"]
    assert client.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []


def test_a_lifecycle_policy_reads_back_and_updates_whole(fake: Any, client: Any):
    rules = [
        {"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 6, "unit": "MONTHS", "retainAtLeast": 2}}
    ]
    arn = client.create_lifecycle_policy(
        name="Old Images", description="ages out", tags={"k": "v"}, **{**LIFECYCLE, "policyDetails": rules}
    )["lifecyclePolicyArn"]
    assert arn == f"{PREFIX}:lifecycle-policy/old-images"
    policy = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert (policy["name"], policy["description"], policy["policyDetails"]) == ("Old Images", "ages out", rules)
    assert policy["status"] == "ENABLED"  # not sent: the default
    fake.advance(60)

    client.update_lifecycle_policy(lifecyclePolicyArn=arn, **{**LIFECYCLE, "status": "DISABLED"})

    updated = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert updated["status"] == "DISABLED" and "description" not in updated
    assert updated["policyDetails"] == LIFECYCLE["policyDetails"] and updated["tags"] == {"k": "v"}
    assert updated["dateCreated"] == policy["dateCreated"] < updated["dateUpdated"]
    listed = client.list_lifecycle_policies(filters=[{"name": "Status", "values": ["DISABLED"]}])
    assert [p["arn"] for p in listed["lifecyclePolicySummaryList"]] == [arn]
    assert fake.state()["123456789012"]["us-east-1"]["lifecyclePolicies"][0]["name"] == "Old Images"


def test_list_images_shows_each_image_version_once(fake: Any, client: Any, make_stack: Any):
    older = make_stack("web", version="1.0.0")
    newer = make_stack("web-two", recipe_name="web", version="2.0.0")
    for stack in (older, older, newer):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    listed = client.list_images()["imageVersionList"]

    assert [(v["arn"], v["version"]) for v in listed] == [
        (f"{PREFIX}:image/web/1.0.0", "1.0.0"),
        (f"{PREFIX}:image/web/2.0.0", "2.0.0"),
    ]
    # No imageSource for what the caller built, as its other shapes show it (ledger image-source-agrees).
    assert {(v["owner"], v.get("imageSource"), v["platform"]) for v in listed} == {("123456789012", None, "Linux")}
    assert [v["version"] for v in client.list_images(byName=True)["imageVersionList"]] == ["2.0.0"]
    assert (
        client.list_images(filters=[{"name": "version", "values": ["1.0.0"]}])["imageVersionList"][0]["version"]
        == "1.0.0"
    )
    assert client.list_images(owner="Shared")["imageVersionList"] == []
    amazon = client.list_images(owner="Amazon", filters=[{"name": "platform", "values": ["Windows"]}])
    assert amazon["imageVersionList"] and all(
        v["owner"] == "Amazon" and v["platform"] == "Windows" and v["imageSource"] == "AMAZON_MANAGED"
        for v in amazon["imageVersionList"]
    )


def test_aws_owned_resources_of_kinds_the_fake_does_not_catalogue_stay_forbidden(client: Any, expect_error: Any):
    with pytest.raises(ClientError) as caught:
        client.get_image_recipe(imageRecipeArn="arn:aws:imagebuilder:us-east-1:aws:image-recipe/web/1.0.0")

    expect_error(caught.value, "ForbiddenException", 403)
