"""Create the Image Builder resources a golden-AMI pipeline needs."""

from __future__ import annotations

from typing import Any

__all__ = ["create_pipeline"]

AMAZON_LINUX = "arn:aws:imagebuilder:{region}:aws:image/amazon-linux-2023-x86/x.x.x"
UPDATE_LINUX = "arn:aws:imagebuilder:{region}:aws:component/update-linux/x.x.x"


def create_pipeline(client: Any, name: str, *, version: str = "1.0.0", instance_profile: str = "image-builder") -> str:
    """Create a recipe (Amazon Linux, updated), an infrastructure configuration and a pipeline; its ARN."""
    region = client.meta.region_name
    recipe = client.create_image_recipe(
        name=name,
        semanticVersion=version,
        parentImage=AMAZON_LINUX.format(region=region),
        components=[{"componentArn": UPDATE_LINUX.format(region=region)}],
    )
    infrastructure = client.create_infrastructure_configuration(name=name, instanceProfileName=instance_profile)
    pipeline = client.create_image_pipeline(
        name=name,
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
    )
    arn: str = pipeline["imagePipelineArn"]
    return arn
