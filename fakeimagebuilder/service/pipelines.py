"""Image pipelines: ENABLED or DISABLED, updated in place, deleted for good."""

from __future__ import annotations

from typing import Any

from .arns import Arn, normalise_name, require_in_scope
from .dates import date_string
from .errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from .references import require_workflows, selected_recipe
from .schedules import arm, check, view
from .state import Scope
from .versions import check_references

__all__ = [
    "create_image_pipeline",
    "delete_image_pipeline",
    "pipeline",
    "pipeline_document",
    "update_image_pipeline",
]

# Members a create or update sets; an update replaces them all, as AWS's
# UpdateImagePipeline does (members left out are reset).
_SETTABLE = (
    "description",
    "imageRecipeArn",
    "containerRecipeArn",
    "infrastructureConfigurationArn",
    "distributionConfigurationArn",
    "imageTestsConfiguration",
    "enhancedImageMetadataEnabled",
    "schedule",
    "status",
    "imageScanningConfiguration",
    "workflows",
    "executionRole",
    "loggingConfiguration",
    "imageTags",
)

def pipeline(scope: Scope, text: str) -> dict[str, Any]:
    """The pipeline an ARN names; ResourceNotFoundException if it does not exist (or was deleted)."""
    require_in_scope(Arn.parse(text), partition=scope.partition, region=scope.region, account=scope.account, text=text)
    found = scope.pipelines.get(text)
    if found is None:
        raise ResourceNotFoundException(f"The image pipeline '{text}' does not exist.")
    return found


def _settings(scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """The settable members of a create or update, checked and with AWS's defaults."""
    has_image = params.get("imageRecipeArn") is not None
    if has_image == (params.get("containerRecipeArn") is not None):
        raise InvalidRequestException("You must specify exactly one of 'imageRecipeArn' and 'containerRecipeArn'.")
    check_references(
        [params.get("imageRecipeArn"), params.get("containerRecipeArn")]
        + [workflow.get("workflowArn") for workflow in params.get("workflows") or ()]
    )
    recipe = selected_recipe(scope, params)  # stored as given: a wildcard selects anew at each start
    scope.lookup("infrastructure-configuration", params["infrastructureConfigurationArn"])
    if params.get("distributionConfigurationArn") is not None:
        scope.lookup("distribution-configuration", params["distributionConfigurationArn"])
    require_workflows(scope, params.get("workflows") or ())
    check(params.get("schedule"))
    settings = {k: params[k] for k in _SETTABLE if params.get(k) is not None}
    settings.setdefault("status", "ENABLED")
    settings.setdefault("enhancedImageMetadataEnabled", True)
    settings.setdefault("imageTestsConfiguration", {"imageTestsEnabled": True, "timeoutMinutes": 720})
    settings["platform"] = recipe["platform"]
    return settings


def pipeline_document(scope: Scope, item: dict[str, Any], now: float) -> dict[str, Any]:
    """What GetImagePipeline shows: the stored pipeline plus ``lastRunStatus`` of its newest build.

    A scheduled pipeline also shows ``dateNextRun`` and ``consecutiveFailures`` (``schedules.view``).
    """
    builds = scope.pipeline_builds.get(item["arn"])
    extra = view(scope, item, now) if item.get("schedule") else {}
    recipe_arn = item.get("imageRecipeArn") or item.get("containerRecipeArn") or ""
    if recipe_arn.endswith(".x"):
        # A wildcard recipe: the platform of the version it selects now, which the next start builds (it always
        # selects one: the version it selects cannot be deleted, ledger recipe-wildcard-dependency).
        extra["platform"] = selected_recipe(scope, item)["platform"]
    if builds:
        extra["lastRunStatus"] = builds[-1].build_state(now)[0]
    return {**item, **extra} if extra else item


def create_image_pipeline(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateImagePipeline: its recipe and configurations must exist in the same scope.

    A recipe ARN with ``x`` wildcards is kept as given and must select a
    version now; each start builds the version it selects then.
    """
    arn = scope.arn("image-pipeline", normalise_name(params["name"]))
    if arn in scope.pipelines:
        raise ResourceAlreadyExistsException(f"The following resource 'ImagePipeline' already exists: '{arn}'.")
    document = _settings(scope, params)
    created = date_string(now)
    document.update(
        arn=arn,
        name=params["name"],
        dateCreated=created,
        # A new pipeline shows dateUpdated equal to dateCreated (aws-cli get-image-pipeline.rst,
        # list-image-pipelines.rst).
        dateUpdated=created,
        tags=dict(params.get("tags") or {}),
    )
    scope.pipelines[arn] = document
    arm(scope, arn, document, None, now)
    return {"imagePipelineArn": arn}


def update_image_pipeline(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateImagePipeline: replaces every settable member; name, tags and creation date stay."""
    arn = params["imagePipelineArn"]
    current = pipeline(scope, arn)
    document = _settings(scope, params)
    document.update(
        arn=arn,
        name=current["name"],
        dateCreated=current["dateCreated"],
        dateUpdated=date_string(now),
        tags=current["tags"],
    )
    scope.pipelines[arn] = document
    arm(scope, arn, document, current, now)
    return {"imagePipelineArn": arn}


def delete_image_pipeline(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteImagePipeline: the pipeline goes; the images it built stay."""
    arn = params["imagePipelineArn"]
    pipeline(scope, arn)
    del scope.pipelines[arn]
    scope.pipeline_builds.pop(arn, None)
    scope.schedules.pop(arn, None)
    # A pipeline made again under the same name starts with the default build plan.
    scope.settings.pipeline_plans.pop(arn, None)
    return {"imagePipelineArn": arn}
