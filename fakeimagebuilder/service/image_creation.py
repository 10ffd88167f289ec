"""CreateImage: a build with no pipeline, from a recipe and the settings the request carries.

The build runs like a pipeline's (same lifecycle, same build plan knob:
the default plan, as no pipeline has one of its own) and takes the next
build number of its recipe version, shared with every pipeline of that
recipe: a CreateImage takes ``/1`` and a later pipeline start ``/2``
(DESIGN.md, "Builds the way AWS runs them"). Its image shows no
``sourcePipelineArn``. Replays of its ``clientToken`` are settled by the
service's idempotency ledger before this runs.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidRequestException
from .images import launch
from .references import require_workflows, selected_recipe
from .state import Scope
from .versions import check_references

__all__ = ["create_image"]

# Request members the build keeps as its settings (what GetImage shows back).
_SETTINGS = (
    "imageRecipeArn",
    "containerRecipeArn",
    "distributionConfigurationArn",
    "infrastructureConfigurationArn",
    "imageTestsConfiguration",
    "enhancedImageMetadataEnabled",
    "imageScanningConfiguration",
    "workflows",
    "executionRole",
    "loggingConfiguration",
)


def create_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateImage: exactly one recipe (image or container), an infrastructure configuration; PENDING from now."""
    image_recipe, container_recipe = params.get("imageRecipeArn"), params.get("containerRecipeArn")
    if (image_recipe is None) == (container_recipe is None):
        raise InvalidRequestException("You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
    check_references(
        [image_recipe, container_recipe] + [workflow.get("workflowArn") for workflow in params.get("workflows") or ()]
    )
    recipe = selected_recipe(scope, params)  # a wildcard builds the version it selects now
    scope.lookup("infrastructure-configuration", params["infrastructureConfigurationArn"])
    if params.get("distributionConfigurationArn") is not None:
        scope.lookup("distribution-configuration", params["distributionConfigurationArn"])
    require_workflows(scope, params.get("workflows") or ())
    settings = {k: params[k] for k in _SETTINGS if params.get(k) is not None}
    # AWS's defaults, as a pipeline takes them.
    settings.setdefault("enhancedImageMetadataEnabled", True)
    settings.setdefault("imageTestsConfiguration", {"imageTestsEnabled": True, "timeoutMinutes": 720})
    build = launch(scope, settings, recipe, now, dict(params.get("tags") or {}), scope.settings.build_plan)
    return {"imageBuildVersionArn": build.arn}
