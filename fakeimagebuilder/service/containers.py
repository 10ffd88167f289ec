"""Container recipes: what is special about them; the rest is the kinds table's generic operations.

A container recipe is a version (``container-recipe/<name>/<x.y.z>``) like
an image recipe. Its Dockerfile template comes inline
(``dockerfileTemplateData``) or from S3 (``dockerfileTemplateUri``), exactly
one of them. Its platform is ``platformOverride`` when given, else what the
parent image implies. Pipelines and CreateImage build them (images.py):
type DOCKER, output to the recipe's ECR repository.
"""

from __future__ import annotations

from typing import Any

from .arns import normalise_name
from .errors import InvalidRequestException
from .kinds import CONTAINER_RECIPE
from .resources import create, latest_version_references, platform_of
from .state import Scope
from .versions import concrete

__all__ = ["create_container_recipe"]


def create_container_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateContainerRecipe: the version must be concrete; the Dockerfile template inline or by S3 URI."""
    version = params["semanticVersion"]
    concrete(version)
    if (params.get("dockerfileTemplateData") is None) == (params.get("dockerfileTemplateUri") is None):
        raise InvalidRequestException(
            "You must specify exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri'."
        )
    document = {k: v for k, v in params.items() if k not in ("clientToken", "semanticVersion", "platformOverride")}
    document.pop("dockerfileTemplateUri", None)  # AWS reads the template from S3; the fake cannot
    document.update(
        version=version,
        owner=scope.account,
        platform=params.get("platformOverride") or platform_of(params["parentImage"]),
        encrypted=True,
    )
    arn = scope.arn(CONTAINER_RECIPE.resource_type, normalise_name(params["name"]), version)
    create(CONTAINER_RECIPE, scope, params, now, arn, document)
    return {"containerRecipeArn": arn, "latestVersionReferences": latest_version_references(arn)}
