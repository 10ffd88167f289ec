"""Tags on any Image Builder resource: ListTagsForResource, TagResource, UntagResource."""

from __future__ import annotations

from typing import Any

from .errors import InvalidParameterException, ResourceNotFoundException
from .state import Scope

__all__ = ["list_tags_for_resource", "tag_resource", "untag_resource"]

_MAX_TAGS = 50


def _tags_of(scope: Scope, arn: str) -> dict[str, str]:
    """The live tag map of the resource ``arn`` names in ``scope``."""
    for store in (scope.pipelines, scope.recipes, scope.infrastructure, scope.distributions):
        item = store.get(arn)
        if item is not None:
            tags: dict[str, str] = item.setdefault("tags", {})
            return tags
    build = scope.builds.get(arn)
    if build is not None:
        return build.tags
    raise ResourceNotFoundException(f"The resource '{arn}' does not exist.")


def list_tags_for_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListTagsForResource."""
    return {"tags": dict(_tags_of(scope, params["resourceArn"]))}


def tag_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """TagResource: adds or overwrites; a resource holds at most 50 tags."""
    tags = _tags_of(scope, params["resourceArn"])
    merged = {**tags, **params["tags"]}
    if len(merged) > _MAX_TAGS:
        raise InvalidParameterException(
            f"A resource can have at most {_MAX_TAGS} tags; this request would leave {len(merged)}."
        )
    tags.update(params["tags"])
    return {}


def untag_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UntagResource: removing a key that is not there is not an error."""
    tags = _tags_of(scope, params["resourceArn"])
    for key in params["tagKeys"]:
        tags.pop(key, None)
    return {}
