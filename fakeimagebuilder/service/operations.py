"""The registry: operation name -> service function.

Adding an operation is one function and one line here; parsing, checking and
serializing come from the model in the wire layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import image_creation, images, pipelines, resources, tagging
from .kinds import DISTRIBUTION, INFRASTRUCTURE, PIPELINE, RECIPE
from .state import Operation

__all__ = ["OPERATIONS", "Operation"]

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        "StartImagePipelineExecution": images.start_image_pipeline_execution,
        "CreateImage": image_creation.create_image,
        "GetImage": images.get_image,
        "ListImagePipelineImages": images.list_image_pipeline_images,
        "ListImageBuildVersions": images.list_image_build_versions,
        "CancelImageCreation": images.cancel_image_creation,
        "DeleteImage": images.delete_image,
        "CreateImagePipeline": pipelines.create_image_pipeline,
        "GetImagePipeline": resources.get(PIPELINE),
        "UpdateImagePipeline": pipelines.update_image_pipeline,
        "DeleteImagePipeline": pipelines.delete_image_pipeline,
        "ListImagePipelines": resources.listing(PIPELINE),
        "CreateImageRecipe": resources.create_image_recipe,
        "GetImageRecipe": resources.get(RECIPE),
        "DeleteImageRecipe": resources.delete(RECIPE),
        "ListImageRecipes": resources.listing(RECIPE),
        "CreateInfrastructureConfiguration": resources.create_infrastructure_configuration,
        "GetInfrastructureConfiguration": resources.get(INFRASTRUCTURE),
        "DeleteInfrastructureConfiguration": resources.delete(INFRASTRUCTURE),
        "ListInfrastructureConfigurations": resources.listing(INFRASTRUCTURE),
        "CreateDistributionConfiguration": resources.create_distribution_configuration,
        "GetDistributionConfiguration": resources.get(DISTRIBUTION),
        "DeleteDistributionConfiguration": resources.delete(DISTRIBUTION),
        "ListTagsForResource": tagging.list_tags_for_resource,
        "TagResource": tagging.tag_resource,
        "UntagResource": tagging.untag_resource,
    }
)
