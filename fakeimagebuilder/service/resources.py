"""Recipes, infrastructure configurations and distribution configurations.

The three share one life: created under a unique name (and, for recipes, a
version), read back as the document Get returns, and deleted unless a
pipeline still uses them (ResourceDependencyException, as AWS answers:
hashicorp/terraform-provider-aws#40128).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .arns import Arn, normalise_name, require_in_scope
from .dates import date_string
from .errors import (
    InvalidVersionNumberException,
    ResourceAlreadyExistsException,
    ResourceDependencyException,
    ResourceNotFoundException,
)
from .filters import passes
from .paging import page
from .state import Scope

__all__ = [
    "DISTRIBUTION",
    "INFRASTRUCTURE",
    "RECIPE",
    "Kind",
    "create_distribution_configuration",
    "create_image_recipe",
    "create_infrastructure_configuration",
    "delete_distribution_configuration",
    "delete_image_recipe",
    "delete_infrastructure_configuration",
    "get_distribution_configuration",
    "get_image_recipe",
    "get_infrastructure_configuration",
    "list_image_recipes",
    "list_infrastructure_configurations",
    "lookup",
    "platform_of",
]

_CONCRETE_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\Z")


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of configuration resource and the names the API gives it."""

    resource_type: str  # in the ARN: "image-recipe"
    store: str  # the Scope attribute that holds them
    arn_member: str  # "imageRecipeArn"
    document: str  # the Get output member: "imageRecipe"
    label: str  # in messages: "ImageRecipe"

    def items(self, scope: Scope) -> dict[str, dict[str, Any]]:
        """The resources of this kind in ``scope``, by ARN."""
        items: dict[str, dict[str, Any]] = getattr(scope, self.store)
        return items


RECIPE = Kind("image-recipe", "recipes", "imageRecipeArn", "imageRecipe", "ImageRecipe")
INFRASTRUCTURE = Kind(
    "infrastructure-configuration",
    "infrastructure",
    "infrastructureConfigurationArn",
    "infrastructureConfiguration",
    "InfrastructureConfiguration",
)
DISTRIBUTION = Kind(
    "distribution-configuration",
    "distributions",
    "distributionConfigurationArn",
    "distributionConfiguration",
    "DistributionConfiguration",
)


def platform_of(parent_image: str) -> str:
    """The platform a parent image implies (Windows, macOS, else Linux)."""
    lowered = parent_image.lower()
    if "windows" in lowered:
        return "Windows"
    if "macos" in lowered or "mac-os" in lowered:
        return "macOS"
    return "Linux"


def lookup(kind: Kind, scope: Scope, text: str) -> dict[str, Any]:
    """The resource an ARN names in ``scope``; ResourceNotFoundException if there is none."""
    require_in_scope(Arn.parse(text), partition=scope.partition, region=scope.region, account=scope.account, text=text)
    found = kind.items(scope).get(text)
    if found is None:
        raise ResourceNotFoundException(f"The {kind.label} '{text}' does not exist.")
    return found


def _create(
    kind: Kind, scope: Scope, params: dict[str, Any], now: float, arn: str, document: dict[str, Any]
) -> dict[str, Any]:
    items = kind.items(scope)
    if arn in items:
        raise ResourceAlreadyExistsException(f"The following resource '{kind.label}' already exists: '{arn}'.")
    document.update(arn=arn, dateCreated=date_string(now), tags=dict(params.get("tags") or {}))
    items[arn] = document
    return {"clientToken": params["clientToken"], kind.arn_member: arn}


def _copy(params: dict[str, Any], *skip: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "clientToken" and k not in skip}


def _delete(kind: Kind, scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn = params[kind.arn_member]
    lookup(kind, scope, arn)
    if any(p.get(kind.arn_member) == arn for p in scope.pipelines.values()):
        raise ResourceDependencyException(
            f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."
        )
    del kind.items(scope)[arn]
    return {kind.arn_member: arn}


def _get(kind: Kind, scope: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {kind.document: lookup(kind, scope, params[kind.arn_member])}


def create_image_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateImageRecipe: a recipe version; the version must be concrete (no ``x``)."""
    version = params["semanticVersion"]
    if not _CONCRETE_VERSION.match(version):
        raise InvalidVersionNumberException(
            f"The semantic version '{version}' is not valid. Specify a version as <major>.<minor>.<patch>."
        )
    document = _copy(params, "semanticVersion")
    document.update(
        type="AMI",
        platform=platform_of(params["parentImage"]),
        owner=scope.account,
        version=version,
    )
    arn = scope.arn(RECIPE.resource_type, normalise_name(params["name"]), version)
    return _create(RECIPE, scope, params, now, arn, document)


def create_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateInfrastructureConfiguration."""
    arn = scope.arn(INFRASTRUCTURE.resource_type, normalise_name(params["name"]))
    return _create(INFRASTRUCTURE, scope, params, now, arn, _copy(params))


def create_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateDistributionConfiguration; ``timeoutMinutes`` reads back as 720 (AWS's default)."""
    document = _copy(params)
    document.setdefault("timeoutMinutes", 720)
    arn = scope.arn(DISTRIBUTION.resource_type, normalise_name(params["name"]))
    return _create(DISTRIBUTION, scope, params, now, arn, document)


def _summaries(
    kind: Kind, scope: Scope, params: dict[str, Any], members: tuple[str, ...], filters_allowed: tuple[str, ...]
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the ``kind`` resources passing the call's filters, as summaries of ``members``, oldest first."""
    filters = params.get("filters") or []
    wanted = passes(filters, filters_allowed)
    found = [{k: item[k] for k in members if k in item} for item in kind.items(scope).values() if wanted(item)]
    return page(found, params, (kind.label, filters))


def list_image_recipes(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImageRecipes: the caller's own (``owner`` Self, the default); the fake holds no shared recipes."""
    if params.get("owner", "Self") != "Self":
        return {"imageRecipeSummaryList": []}
    members = ("arn", "name", "platform", "owner", "parentImage", "dateCreated", "tags")
    items, token = _summaries(RECIPE, scope, params, members, ("name", "parentImage", "platform"))
    return {"imageRecipeSummaryList": items, "nextToken": token}


def list_infrastructure_configurations(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListInfrastructureConfigurations."""
    members = (
        "arn",
        "name",
        "description",
        "dateCreated",
        "dateUpdated",
        "resourceTags",
        "tags",
        "instanceTypes",
        "instanceProfileName",
        "placement",
    )
    items, token = _summaries(INFRASTRUCTURE, scope, params, members, ("name",))
    return {"infrastructureConfigurationSummaryList": items, "nextToken": token}


def get_image_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetImageRecipe."""
    return _get(RECIPE, scope, params)


def get_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetInfrastructureConfiguration."""
    return _get(INFRASTRUCTURE, scope, params)


def get_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetDistributionConfiguration."""
    return _get(DISTRIBUTION, scope, params)


def delete_image_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteImageRecipe."""
    return _delete(RECIPE, scope, params)


def delete_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteInfrastructureConfiguration."""
    return _delete(INFRASTRUCTURE, scope, params)


def delete_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteDistributionConfiguration."""
    return _delete(DISTRIBUTION, scope, params)
