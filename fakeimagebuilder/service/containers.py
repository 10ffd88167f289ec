"""Container recipes: what is special about them; the rest is the kinds table's generic operations.

A container recipe is a version (``container-recipe/<name>/<x.y.z>``) like
an image recipe. Its Dockerfile template comes inline
(``dockerfileTemplateData``) or from S3 (``dockerfileTemplateUri``), exactly
one of them. Its platform is ``platformOverride`` when given, else what the
parent image implies. Pipelines and CreateImage build them (images.py):
type DOCKER, output to the recipe's ECR repository.

A parent image from ECR needs overrides AWS cannot read off it: from ECR
Public (``public.ecr.aws/...``) a ``platformOverride``
(CloudSnorkel/cdk-github-runners#550: CloudFormation's "Status Code: 400,
HandlerErrorCode: InvalidRequest"), and from any ECR repository on Windows an
``imageOsVersionOverride`` (hashicorp/terraform-provider-aws#24712, where AWS
answered InvalidParameterCombinationException, a 400 of the model's, which
the fake answers too although the model lists it for other operations only).
"""

from __future__ import annotations

import re
from typing import Any

from .arns import normalise_name
from .errors import InvalidRequestException, error_for_code
from .kinds import CONTAINER_RECIPE
from .resources import create, latest_version_references, platform_of, recipe_version
from .state import Scope

__all__ = ["create_container_recipe"]

# ECR's registries: public.ecr.aws/<alias>/<repository>, <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>.
_ECR_PUBLIC = re.compile(r"^public\.ecr\.aws/")
_ECR = re.compile(r"^(public\.ecr\.aws/|\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/)")


def _check_parent(params: dict[str, Any]) -> None:
    """Refuse an ECR parent image without the overrides AWS needs for it (quotes: the module's docstring)."""
    parent = params["parentImage"]
    if _ECR_PUBLIC.match(parent) and params.get("platformOverride") is None:
        raise InvalidRequestException(
            "The value supplied for parameter 'parentImage' is not valid. You must specify a platform override "
            "when using ECR Public Repositories as your parent image."
        )
    windows = (params.get("platformOverride") or platform_of(parent)) == "Windows"
    if _ECR.match(parent) and windows and params.get("imageOsVersionOverride") is None:
        raise error_for_code(
            "InvalidParameterCombinationException",
            "The value supplied for parameter 'parentImage' is not valid. You must specify an image OsVersion "
            "override when using ECR Repositories as your parent image for Windows Platform.",
        )


def create_container_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateContainerRecipe: a version as for image recipes (``recipe_version``); the Dockerfile template inline
    or by S3 URI."""
    version = recipe_version(CONTAINER_RECIPE, scope, params)
    _check_parent(params)
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
