"""The registry: operation name -> service function.

Adding an operation is one function and one line here; parsing, checking and
serializing come from the model in the wire layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from . import images, pipelines, resources, tagging
from .state import Scope

__all__ = ["OPERATIONS", "Operation"]

Operation = Callable[[Scope, dict[str, Any], float], dict[str, Any]]

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        "StartImagePipelineExecution": images.start_image_pipeline_execution,
        "GetImage": images.get_image,
        "ListImagePipelineImages": images.list_image_pipeline_images,
        "ListImageBuildVersions": images.list_image_build_versions,
        "CancelImageCreation": images.cancel_image_creation,
        "DeleteImage": images.delete_image,
        "CreateImagePipeline": pipelines.create_image_pipeline,
        "GetImagePipeline": pipelines.get_image_pipeline,
        "UpdateImagePipeline": pipelines.update_image_pipeline,
        "DeleteImagePipeline": pipelines.delete_image_pipeline,
        "ListImagePipelines": pipelines.list_image_pipelines,
        "CreateImageRecipe": resources.create_image_recipe,
        "GetImageRecipe": resources.get_image_recipe,
        "DeleteImageRecipe": resources.delete_image_recipe,
        "ListImageRecipes": resources.list_image_recipes,
        "CreateInfrastructureConfiguration": resources.create_infrastructure_configuration,
        "GetInfrastructureConfiguration": resources.get_infrastructure_configuration,
        "DeleteInfrastructureConfiguration": resources.delete_infrastructure_configuration,
        "ListInfrastructureConfigurations": resources.list_infrastructure_configurations,
        "CreateDistributionConfiguration": resources.create_distribution_configuration,
        "GetDistributionConfiguration": resources.get_distribution_configuration,
        "DeleteDistributionConfiguration": resources.delete_distribution_configuration,
        "ListTagsForResource": tagging.list_tags_for_resource,
        "TagResource": tagging.tag_resource,
        "UntagResource": tagging.untag_resource,
    }
)
