"""ListImages: the image versions (``image/<name>/<x.y.z>``) the caller's builds make, or AWS's own.

An image version is every build of one recipe version; it is listed once,
with the date of its first build, in the order versions were first built.
``byName`` keeps each name's highest version. Owner Amazon lists AWS's
managed parent images; Shared, ThirdParty and AWSMarketplace list nothing.
Builds a lifecycle action DELETED are left out; DEPRECATED and DISABLED ones
only show with ``includeDeprecated`` (the model has no includeDisabled here;
a disabled image is past deprecated, so the fake treats both alike: assumed).
A version shows osVersion as its builds' summaries do, once one of
its builds shows it (the builds of one recipe version share its parent image).
"""

from __future__ import annotations

from typing import Any

from .builds import Build
from .filters import passes
from .images import os_version
from .lifecycle_executions import image_status
from .managed import image_versions
from .paging import page
from .state import Scope
from .versions import concrete

__all__ = ["list_images"]

_FILTERS = ("name", "osVersion", "platform", "type", "version")


def _version(build: Build, now: float) -> dict[str, Any]:
    recipe = build.recipe
    version = {
        "arn": build.arn.rsplit("/", 1)[0],
        "name": recipe["name"],
        # A container recipe's builds are Docker images, as GetImage shows them (images.py).
        "type": "DOCKER" if ":container-recipe/" in recipe.get("arn", "") else "AMI",
        "version": recipe["version"],
        "platform": recipe["platform"],
        "owner": recipe["owner"],
        "dateCreated": build.date_created,
        "buildType": build.build_type,
        "imageSource": build.pipeline.get("imageSource", "CUSTOM"),
    }
    system = os_version(build, now)
    if system is not None:
        version["osVersion"] = system
    return version


def list_images(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImages: image versions passing the filters, oldest first, in pages."""
    filters = params.get("filters") or []
    wanted = passes(filters, _FILTERS)
    owner = params.get("owner", "Self")
    if owner not in ("Self", "Amazon"):
        return {"imageVersionList": []}
    versions: dict[str, dict[str, Any]] = {}
    position: dict[str, int] = {}
    if owner == "Amazon":
        for index, version in enumerate(image_versions(scope.partition, scope.region)):
            versions[version["arn"]], position[version["arn"]] = version, index
    else:
        builds = scope.builds
        hidden = {"DELETED"} if params.get("includeDeprecated") else {"DELETED", "DEPRECATED", "DISABLED"}
        for arn, build in builds.items():
            if scope.lifecycle is not None and image_status(scope, build, now) in hidden:
                continue
            version = _version(build, now)
            first = versions.get(version["arn"])
            if first is None:
                versions[version["arn"]], position[version["arn"]] = version, builds.serial(arn)
            elif "osVersion" not in first and "osVersion" in version:  # a later build got past BUILDING first
                first["osVersion"] = version["osVersion"]
    shown = [version for version in versions.values() if wanted(version)]
    if params.get("byName"):
        highest: dict[str, dict[str, Any]] = {}
        for version in shown:
            best = highest.get(version["name"])
            if best is None or concrete(version["version"]) > concrete(best["version"]):
                highest[version["name"]] = version
        shown = [version for version in shown if highest[version["name"]] is version]
    query = ("ListImages", owner, filters, bool(params.get("byName")), bool(params.get("includeDeprecated")))
    found, token = page(scope, shown, params, query, lambda version: position[version["arn"]])
    return {"imageVersionList": found, "nextToken": token}
