"""Tags on any Image Builder resource: ListTagsForResource, TagResource, UntagResource.

AWS-managed resources (account ``aws``: components, workflows, images)
belong to no caller: ListTagsForResource reads their tags as Get shows them
(none), and TagResource and UntagResource answer InvalidParameterException,
the tagging API's modeled 400 (assumed: no source shows AWS's answer; a
403 is what other operations give for a resource the caller does not own,
but the tagging operations model no ForbiddenException).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import kinds  # a module, not its names: kinds imports images, which imports MAX_TAGS from here
from .builds import Build
from .errors import InvalidParameterException, ResourceNotFoundException
from .managed import catalogue, managed_image_builds
from .state import Scope

__all__ = ["MAX_TAGS", "list_tags_for_resource", "tag_resource", "untag_resource"]

MAX_TAGS = 50
"""Tags one resource may hold (AWS's general tagging limit; the model's TagMap max)."""


def _managed_tags(scope: Scope, arn: str) -> dict[str, str] | None:
    """The tags of the AWS-managed resource ``arn`` names (an exact ARN, as tagging takes), None if not one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[4] != "aws" or (parts[1], parts[3]) != (scope.partition, scope.region):
        return None
    resource_type = parts[5].partition("/")[0]
    if resource_type == "image":
        found = managed_image_builds(scope.partition, scope.region, arn) if arn.count("/") == 3 else []
        return dict(found[0]["tags"]) if found else None
    item = catalogue(resource_type, scope.partition, scope.region).get(arn)
    return None if item is None else dict(item["tags"])


def _refuse_managed(scope: Scope, arn: str) -> None:
    if _managed_tags(scope, arn) is not None:
        raise InvalidParameterException(
            f"The value supplied for parameter 'resourceArn' is not valid. The resource '{arn}' is owned by AWS: "
            "you cannot change its tags."
        )


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
    """ListTagsForResource: an AWS-managed resource's too (it has none)."""
    managed = _managed_tags(scope, params["resourceArn"])
    if managed is not None:
        return {"tags": managed}
    return {"tags": dict(_holder(scope, params["resourceArn"])[0])}


def tag_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """TagResource: adds or overwrites; a resource holds at most 50 tags."""
    _refuse_managed(scope, params["resourceArn"])
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
    _refuse_managed(scope, params["resourceArn"])
    tags, replace = _holder(scope, params["resourceArn"])
    removed = set(params["tagKeys"])
    replace({k: v for k, v in tags.items() if k not in removed})
    return {}
