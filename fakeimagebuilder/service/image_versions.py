"""ListImages: the image versions (``image/<name>/<x.y.z>``) the caller's builds make, or AWS's own.

An image version is every build of one recipe version; it is listed once,
with the date of its first build, in the order versions were first built.
``byName`` keeps each name's highest version (and takes no ``version``
filter: model doc of byName). Owner Amazon lists AWS's
managed parent images; Shared, ThirdParty and AWSMarketplace list nothing.
Builds a lifecycle action DELETED are left out; the caller's DEPRECATED ones
are listed whatever ``includeDeprecated`` says: it concerns "deprecated
Amazon-managed images", and "Deprecated images that you own are always
returned" (model doc, botocore 1.44; AWS's behaviour on any model). DISABLED
ones are listed too (assumed: the flag is about Amazon-managed images only, so
nothing but a deletion hides an image of one's own). None of the fake's
AWS-managed images is deprecated, so the flag changes no answer here.
A version shows osVersion as its builds' summaries do, once one of
its builds shows it (the builds of one recipe version share its parent image).
"""

from __future__ import annotations

from typing import Any

from .builds import Build
from .filters import passes, refuse_by_name_with_version
from .images import image_source, os_version
from .lifecycle_executions import image_status
from .managed import image_versions
from .paging import page
from .state import Scope
from .versions import highest_per_name

__all__ = ["list_images"]

_FILTERS = ("name", "osVersion", "platform", "type", "version")  # ListImages' filters doc


def _version(builds: list[Build], now: float) -> dict[str, Any]:
    """An image version as ListImages shows it, from its builds (oldest first): the oldest's, with the
    osVersion of the oldest that shows one."""
    build = builds[0]
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
    }
    source = image_source(build)
    if source is not None:  # imports; what the caller built shows none (images.image_source)
        version["imageSource"] = source
    # Usually the oldest build's own: a later build may get past BUILDING first.
    system = next((found for b in builds if (found := os_version(b, now)) is not None), None)
    if system is not None:
        version["osVersion"] = system
    return version


def _visible(scope: Scope, now: float) -> list[list[Build]]:
    """The caller's image versions, each as its builds a lifecycle action did not delete, by the oldest of those.

    Without lifecycle actions, the build store's own index: nothing is walked.
    """
    versions = scope.builds.versions()
    if scope.lifecycle is None:
        return versions
    shown = [[b for b in builds if image_status(scope, b, now) != "DELETED"] for builds in versions]
    return sorted((builds for builds in shown if builds), key=lambda builds: scope.builds.serial(builds[0].arn))


def _rank(version: dict[str, Any], tops: dict[str, Build]) -> tuple[str, int]:
    top = tops.get(version["arn"])
    return version["version"], top.number if top is not None else 0


def list_images(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImages: image versions passing the filters, oldest first, in pages.

    The caller's own versions, unfiltered and not byName, are paged before
    they are shown: a page costs what it shows, not the builds stored.
    """
    filters = params.get("filters") or []
    wanted = passes(filters, _FILTERS)
    refuse_by_name_with_version(params)
    owner = params.get("owner", "Self")
    if owner not in ("Self", "Amazon"):
        return {"imageVersionList": []}
    query = ("ListImages", owner, filters, bool(params.get("byName")), bool(params.get("includeDeprecated")))
    if owner == "Self":
        versions = _visible(scope, now)
        serial = scope.builds.serial
        if not filters and not params.get("byName"):
            found, token = page(scope, versions, params, query, lambda builds: serial(builds[0].arn))
            return {"imageVersionList": [_version(builds, now) for builds in found], "nextToken": token}
        shown = [_version(builds, now) for builds in versions]
        position = {version["arn"]: serial(builds[0].arn) for version, builds in zip(shown, versions, strict=True)}
        # Each version's highest build (numbers only go up: the last), which byName ranks it by.
        tops = {version["arn"]: builds[-1] for version, builds in zip(shown, versions, strict=True)}
    else:
        shown = list(image_versions(scope.partition, scope.region))
        position = {version["arn"]: index for index, version in enumerate(shown)}
        tops = {}
    shown = [version for version in shown if wanted(version)]
    if params.get("byName"):
        # The version x.x.x selects: by version, then its highest build, ties to the build made first (as GetImage
        # meets builds): 1.0.03 and 1.0.3 rank alike (ledger version-leading-zeros).
        made = sorted(shown, key=lambda v: serial(tops[v["arn"]].arn) if v["arn"] in tops else position[v["arn"]])
        kept = {id(version) for version in highest_per_name(made, lambda v: v["name"], lambda v: _rank(v, tops))}
        shown = [version for version in shown if id(version) in kept]
    found_versions, token = page(scope, shown, params, query, lambda version: position[version["arn"]])
    return {"imageVersionList": found_versions, "nextToken": token}
