"""Tags on any Image Builder resource: ListTagsForResource, TagResource, UntagResource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import kinds  # a module, not its names: kinds imports images, which imports MAX_TAGS from here
from .builds import Build
from .errors import InvalidParameterException, ResourceNotFoundException
from .state import Scope

__all__ = ["MAX_TAGS", "list_tags_for_resource", "tag_resource", "untag_resource"]

MAX_TAGS = 50
"""Tags one resource may hold (AWS's general tagging limit; the model's TagMap max)."""


def _holder(scope: Scope, arn: str) -> tuple[dict[str, str], Callable[[dict[str, str]], None]]:
    """The tags of the resource ``arn`` names in ``scope``, and how to replace them.

    Tags are replaced, never changed in place: an answer built from a
    document may be serialized after the service lock is released, and must
    not see a half-applied change.
    """
    kind = kinds.by_type(arn.split(":", 5)[-1].partition("/")[0]) if arn.count(":") >= 5 else None
    item = kind.items(scope).get(arn) if kind is not None else None
    if isinstance(item, Build):
        return item.tags, lambda tags: setattr(item, "tags", tags)
    if item is not None:
        return item.get("tags") or {}, lambda tags: item.__setitem__("tags", tags)
    raise ResourceNotFoundException(f"The resource '{arn}' does not exist.")


def list_tags_for_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListTagsForResource."""
    return {"tags": dict(_holder(scope, params["resourceArn"])[0])}


def tag_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """TagResource: adds or overwrites; a resource holds at most 50 tags."""
    tags, replace = _holder(scope, params["resourceArn"])
    merged = {**tags, **params["tags"]}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterException(
            f"A resource can have at most {MAX_TAGS} tags; this request would leave {len(merged)}."
        )
    replace(merged)
    return {}


def untag_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UntagResource: removing a key that is not there is not an error."""
    tags, replace = _holder(scope, params["resourceArn"])
    removed = set(params["tagKeys"])
    replace({k: v for k, v in tags.items() if k not in removed})
    return {}
