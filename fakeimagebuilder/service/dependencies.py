"""What a recipe's parent image and components resolve to at an instant: how the fake knows "newer".

A schedule whose start condition is EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE
(AWS's default) builds only when "there are new versions of the image or
components in your recipe that match the semantic version filter" (API
reference, Schedule). The fake can tell that only for what it holds:

- a parent image of the caller's own account resolves to the highest
  AVAILABLE build its version (with ``x`` wildcards) selects at that instant;
- a component of the caller's own account
  resolves to the highest version its ARN selects;
- anything else (AWS-managed ``aws`` ARNs, AMI ids, other accounts) resolves
  to itself: the fake cannot publish newer AWS-managed versions, so those
  never change.

Each build records the resolution at its start; a dependency update is a
resolution that differs from the one the pipeline's newest build recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .arns import Arn
from .builds import Build
from .errors import ImageBuilderError
from .lifecycle_executions import image_status
from .managed import catalogue
from .state import Scope
from .versions import concrete, highest, pattern, version_key

__all__ = ["failed_component", "never_updated", "resolution", "updated_since"]

# A component build version's path (the model's ComponentBuildVersionArn): name/x.y.z/n.
_COMPONENT_BUILD = re.compile(r"^[a-z0-9-_]+/[0-9]+\.[0-9]+\.[0-9]+/[0-9]+\Z")


def _references(recipe: dict[str, Any]) -> list[str]:
    """The recipe's parent image and components, as it names them."""
    named = [recipe.get("parentImage")] + [c.get("componentArn") for c in recipe.get("components") or ()]
    return [ref for ref in named if isinstance(ref, str)]


def resolution(scope: Scope, recipe: dict[str, Any], now: float) -> tuple[str, ...]:
    """What the recipe's parent image and each component resolve to at ``now``."""
    return tuple(
        ref if _fixed(ref, scope.account, scope.region) else _resolve(scope, ref, now) for ref in _references(recipe)
    )


def failed_component(scope: Scope, build: Build) -> str | None:
    """The component build version ARN a failure of ``build`` names: what the component the failure names
    (``build.failing_component``, as its recipe writes it) resolved to when the build started; None when
    the fake cannot know it.

    The caller's own components resolved at the start (``build.dependencies``). AWS's resolve from the
    catalogue, whose versions never change, so resolving them now gives what the start got. A component
    shared from another account or region has builds the fake does not know (a failure leaves its ARN
    out), and a recipe without components has none to name.
    """
    reference = build.failing_component
    resolved = dict(zip(_references(build.recipe), build.dependencies, strict=False)).get(reference, reference)
    try:
        arn = Arn.parse(resolved)
    except ImageBuilderError:  # an ARN the fake cannot read names no build it knows
        return None
    here = (arn.partition, arn.region) == (scope.partition, scope.region)
    if resolved == reference and arn.account == "aws" and here:
        managed = catalogue("component", scope.partition, scope.region)
        resolved = _selected_build(managed, reference, arn.path.partition("/")[2]) or reference
        arn = Arn.parse(resolved)
    return resolved if arn.resource_type == "component" and _COMPONENT_BUILD.match(arn.path) else None


def never_updated(scope: Scope, recipe: dict[str, Any]) -> bool:
    """Whether nothing ``recipe`` names can resolve to anything newer, whatever happens (AWS-managed ARNs, AMI
    ids, other accounts' images: see the module doc)."""
    return all(_fixed(ref, scope.account, scope.region) for ref in _references(recipe))


def updated_since(scope: Scope, recipe: dict[str, Any], now: float, build: Build) -> bool:
    """Whether ``recipe``'s dependencies resolve at ``now`` to something newer than when ``build`` started.

    Newer, not merely other: a newer build or version than the one ``build`` got, or one where it got none.
    A dependency that resolves to an older one (the newer was deleted) is no update. A recipe naming other
    dependencies than ``build``'s did is one (none of them was built on yet).
    """
    references = _references(recipe)
    then = build.dependencies
    if references != _references(build.recipe) or len(then) != len(references):
        return True
    for reference, new, old in zip(references, resolution(scope, recipe, now), then, strict=True):
        if new in (old, reference):  # the same, or nothing now (what it got was deleted since)
            continue
        if old == reference:  # nothing then, something now
            return True
        new_order, old_order = _order(new), _order(old)
        if new_order is None or old_order is None or new_order > old_order:
            return True
    return False


def _order(arn: str) -> tuple[tuple[int, int, int], int] | None:
    """``(version, build number)`` of a resolved image build or component version ARN; None if it names none."""
    try:
        key = version_key(Arn.parse(arn))
    except ImageBuilderError:
        return None
    return (key[1], key[2]) if key is not None else None


@lru_cache(maxsize=1024)
def _fixed(reference: str, account: str, region: str) -> bool:
    """Whether ``reference`` resolves to itself whatever the caller holds: anything but an ARN the fake can
    read of the caller's own account and region (known once per reference, not at every start)."""
    if not reference.startswith("arn:"):
        return True
    try:
        arn = Arn.parse(reference)
    except ImageBuilderError:  # an ARN the fake cannot read is its own resolution
        return True
    return arn.account != account or arn.region != region


def _resolve(scope: Scope, reference: str, now: float) -> str:
    """What a reference to the caller's own image or component resolves to at ``now``."""
    arn = Arn.parse(reference)
    name, _, version = arn.path.partition("/")
    if arn.resource_type == "image" and "/" not in version:
        try:
            wanted = pattern(version)
        except ImageBuilderError:  # not a version pattern: nothing to resolve
            return reference
        # Through the store's index of the image's versions, highest first, and each version's builds newest
        # first (its list is in the order they were made, which is their numbers' order: numbers only go up):
        # the first AVAILABLE one is the highest. Not a walk of every build at every start.
        image = scope.arn("image", name)
        versions = [(concrete(builds[0].recipe["version"]), builds) for builds in scope.builds.versions_of(image)]
        versions.sort(key=lambda entry: entry[0], reverse=True)
        for _, builds in versions:
            if wanted.selects(builds[0].recipe["version"]):
                for build in reversed(builds):
                    if image_status(scope, build, now) == "AVAILABLE":
                        return build.arn
        return reference
    if arn.resource_type == "component" and "component" in scope.resources:
        best = _selected_build(scope.resources["component"], reference, version)
        return best if best is not None else reference
    return reference


def _selected_build(keys: Iterable[str], reference: str, version: str) -> str | None:
    """The highest of the component build version ARNs ``keys`` that ``reference`` (whose path ends in
    ``version``, ``x`` wildcards allowed) selects; None if none does."""
    prefix = reference.rsplit("/", 1)[0] + "/"
    candidates = [key for key in keys if key.startswith(prefix)]
    try:
        wanted = pattern(version.split("/", 1)[0])
        return highest(candidates, wanted, lambda key: (key[len(prefix) :].split("/")[0], 0))
    except ImageBuilderError:  # a stored key of another shape: left unresolved
        return None
