"""The registry: operation name -> service function.

Adding an operation is one function and one line here; parsing, checking and
serializing come from the model in the wire layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import (
    components,
    containers,
    image_creation,
    image_versions,
    images,
    lifecycle,
    lifecycle_executions,
    pipelines,
    resources,
    tagging,
    workflows,
)
from .kinds import (
    COMPONENT,
    CONTAINER_RECIPE,
    DISTRIBUTION,
    IMAGE,
    INFRASTRUCTURE,
    LIFECYCLE_POLICY,
    PIPELINE,
    RECIPE,
    WORKFLOW,
)
from .state import Operation

__all__ = ["OPERATIONS", "Operation"]

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        "StartImagePipelineExecution": images.start_image_pipeline_execution,
        "CreateImage": image_creation.create_image,
        "GetImage": images.get_image,
        "ListImagePipelineImages": images.list_image_pipeline_images,
        "ListImages": image_versions.list_images,
        "ListImageBuildVersions": images.list_image_build_versions,
        "CancelImageCreation": images.cancel_image_creation,
        "DeleteImage": images.delete_image,
        "GetImagePolicy": resources.get_policy(IMAGE),
        "PutImagePolicy": resources.put_policy(IMAGE),
        "CreateImagePipeline": pipelines.create_image_pipeline,
        "GetImagePipeline": resources.get(PIPELINE),
        "UpdateImagePipeline": pipelines.update_image_pipeline,
        "DeleteImagePipeline": pipelines.delete_image_pipeline,
        "ListImagePipelines": resources.listing(PIPELINE),
        "CreateImageRecipe": resources.create_image_recipe,
        "GetImageRecipe": resources.get(RECIPE),
        "DeleteImageRecipe": resources.delete(RECIPE),
        "ListImageRecipes": resources.listing(RECIPE),
        "GetImageRecipePolicy": resources.get_policy(RECIPE),
        "PutImageRecipePolicy": resources.put_policy(RECIPE),
        "CreateInfrastructureConfiguration": resources.create_infrastructure_configuration,
        "GetInfrastructureConfiguration": resources.get(INFRASTRUCTURE),
        "UpdateInfrastructureConfiguration": resources.update_infrastructure_configuration,
        "DeleteInfrastructureConfiguration": resources.delete(INFRASTRUCTURE),
        "ListInfrastructureConfigurations": resources.listing(INFRASTRUCTURE),
        "CreateDistributionConfiguration": resources.create_distribution_configuration,
        "GetDistributionConfiguration": resources.get(DISTRIBUTION),
        "UpdateDistributionConfiguration": resources.update_distribution_configuration,
        "DeleteDistributionConfiguration": resources.delete(DISTRIBUTION),
        "ListDistributionConfigurations": resources.listing(DISTRIBUTION),
        "CreateComponent": components.create_component,
        "ImportComponent": components.import_component,
        "GetComponent": resources.get(COMPONENT),
        "DeleteComponent": resources.delete(COMPONENT),
        "ListComponents": resources.listing(COMPONENT),
        "ListComponentBuildVersions": resources.list_build_versions(COMPONENT),
        "GetComponentPolicy": resources.get_policy(COMPONENT),
        "PutComponentPolicy": resources.put_policy(COMPONENT),
        "CreateWorkflow": workflows.create_workflow,
        "GetWorkflow": resources.get(WORKFLOW),
        "DeleteWorkflow": resources.delete(WORKFLOW),
        "ListWorkflows": resources.listing(WORKFLOW),
        "ListWorkflowBuildVersions": resources.list_build_versions(WORKFLOW),
        "CreateContainerRecipe": containers.create_container_recipe,
        "GetContainerRecipe": resources.get(CONTAINER_RECIPE),
        "DeleteContainerRecipe": resources.delete(CONTAINER_RECIPE),
        "ListContainerRecipes": resources.listing(CONTAINER_RECIPE),
        "GetContainerRecipePolicy": resources.get_policy(CONTAINER_RECIPE),
        "PutContainerRecipePolicy": resources.put_policy(CONTAINER_RECIPE),
        "CreateLifecyclePolicy": lifecycle.create_lifecycle_policy,
        "GetLifecyclePolicy": resources.get(LIFECYCLE_POLICY),
        "UpdateLifecyclePolicy": lifecycle.update_lifecycle_policy,
        "DeleteLifecyclePolicy": resources.delete(LIFECYCLE_POLICY),
        "ListLifecyclePolicies": resources.listing(LIFECYCLE_POLICY),
        "StartResourceStateUpdate": lifecycle_executions.start_resource_state_update,
        "GetLifecycleExecution": lifecycle_executions.get_lifecycle_execution,
        "ListLifecycleExecutions": lifecycle_executions.list_lifecycle_executions,
        "ListLifecycleExecutionResources": lifecycle_executions.list_lifecycle_execution_resources,
        "CancelLifecycleExecution": lifecycle_executions.cancel_lifecycle_execution,
        "ListTagsForResource": tagging.list_tags_for_resource,
        "TagResource": tagging.tag_resource,
        "UntagResource": tagging.untag_resource,
    }
)
