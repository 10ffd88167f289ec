"""Starting pipelines, and the images (build versions) they make.

The build ARN is ``image/{recipe name, normalised}/{x.y.z}/{n}``: the
recipe's name and version, not the pipeline's (aws-cli example
``start-image-pipeline-execution.rst``). ``n`` counts per recipe version in
the account and region, shared by every pipeline of that recipe, and a
number once given is never given again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .arns import Arn, normalise_name, require_in_scope
from .builds import TERMINAL, Build, BuildPlan, scans
from .dates import date_string
from .dependencies import resolution
from .errors import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceDependencyException,
    ResourceInUseException,
    ResourceNotFoundException,
    error_for_code,
)
from .filters import passes
from .lifecycle_executions import image_overlay, image_status
from .managed import managed_image_builds
from .paging import NewestFirst, page
from .parents import os_version_of
from .pipelines import pipeline
from .references import selected_recipe
from .state import Scope
from .tagging import MAX_TAGS
from .versions import highest, pattern
from .workflow_runs import lay_out_new, runs_of, workflow_specs

__all__ = [
    "ami_name",
    "ami_settings",
    "cancel_image_creation",
    "delete_image",
    "get_image",
    "image_document",
    "image_source",
    "launch",
    "launch_template_configurations",
    "list_image_build_versions",
    "list_image_pipeline_images",
    "os_version",
    "output_amis",
    "output_containers",
    "start_image_pipeline_execution",
]

_NOT_EMBEDDED = frozenset({"owner", "type"})

_BUILD_PATH = re.compile(r"^([a-z0-9-_]+)/([0-9x]+\.[0-9x]+\.[0-9x]+)(?:/([0-9]+))?\Z")


def start_image_pipeline_execution(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """StartImagePipelineExecution: a new build of the pipeline's recipe, PENDING from now."""
    arn = params["imagePipelineArn"]
    item = pipeline(scope, arn)
    settings = scope.settings
    if item.get("status") == "DISABLED" and settings.disabled_pipeline_error:
        raise error_for_code(
            settings.disabled_pipeline_error,
            f"The image pipeline '{arn}' is disabled; enable it before starting it.",
        )
    builds = scope.pipeline_builds.setdefault(arn, [])
    require_capacity(scope, arn, now)
    # The pipeline's imageTags first; tags given to this start win.
    tags = {**(item.get("imageTags") or {}), **(params.get("tags") or {})}
    if len(tags) > MAX_TAGS:
        # Each map is within the model's 50, but the image would hold more: refused before a number is spent.
        raise InvalidRequestException(
            f"The image would have {len(tags)} tags (the pipeline's imageTags and this start's tags together); "
            f"a resource can have at most {MAX_TAGS}."
        )
    build = launch(scope, item, selected_recipe(scope, item), now, tags, settings.plan_for(arn))
    builds.append(build)
    return {"imageBuildVersionArn": build.arn}


def require_capacity(scope: Scope, pipeline_arn: str, now: float) -> None:
    """ResourceInUseException if the pipeline has ``max_concurrent_builds`` builds in progress (knob, ledger
    ``in-use``): a start and a retry of one of its builds alike would make one more."""
    limit = scope.settings.max_concurrent_builds
    builds = scope.pipeline_builds.get(pipeline_arn, ())
    if limit is not None and sum(1 for b in builds if b.build_state(now)[0] not in TERMINAL) >= limit:
        raise ResourceInUseException(
            f"The image pipeline '{pipeline_arn}' already has {limit} image builds in progress. "
            "Retry when one of them has finished."
        )


def launch(
    scope: Scope,
    item: dict[str, Any],
    recipe: dict[str, Any],
    now: float,
    tags: dict[str, str],
    plan: BuildPlan,
    build_type: str = "USER_INITIATED",
) -> Build:
    """A new build of ``recipe`` with the settings ``item`` holds, PENDING from ``now``, under the next number.

    Every source of builds (pipeline starts, schedules, CreateImage) comes
    through here, so build numbers count per recipe version across them all.
    """
    key = (normalise_name(recipe["name"]), recipe["version"])
    number = scope.build_numbers.get(key, 0) + 1
    scope.build_numbers[key] = number
    build_arn = scope.arn("image", key[0], key[1], str(number))
    settings = scope.settings
    settings.launches += 1
    origin = f"{settings.fake_id}/{settings.launches}"  # which fake launched it, and when: unique where ARNs repeat
    tests_enabled = (item.get("imageTestsConfiguration") or {}).get("imageTestsEnabled", True) is not False
    # The component the failure names: the recipe's first (a recipe without components, which newer
    # models allow, has only itself to name).
    components = recipe.get("components") or [{"componentArn": recipe["arn"]}]
    distribution_arn = item.get("distributionConfigurationArn")
    build = Build(
        arn=build_arn,
        number=number,
        recipe=recipe,
        pipeline=item,
        infrastructure=scope.infrastructure[item["infrastructureConfigurationArn"]],
        distribution=scope.distributions.get(distribution_arn) if distribution_arn else None,
        created_at=now,
        date_created=date_string(now),
        stages=(),
        end_status="AVAILABLE",
        end_at=now,
        end_reason=None,
        tags=tags,
        build_type=build_type,
        dependencies=resolution(scope, recipe, now),
        # Inspector scans during the tests: none without them.
        scan_findings=scope.settings.scan_findings if scans(item, tests_enabled) else (),
        origin=origin,
        plan=plan,
        attempt_start=now,
        tests_enabled=tests_enabled,
        specs=workflow_specs(scope, item, recipe.get("platform", "Linux")),
        failing_component=components[0]["componentArn"],
    )
    lay_out_new(scope, build)
    scope.builds[build_arn] = build
    return build


def os_version(build: Build, now: float) -> str | None:
    """osVersion, once known: AWS shows it on an AVAILABLE image (aws-cli list-image-build-versions.rst)
    but not on one BUILDING (list-image-pipeline-images.rst), so the fake shows it once the build stage
    is over; it is enhanced image metadata (model doc of enhancedImageMetadataEnabled), so not without."""
    if build.pipeline.get("enhancedImageMetadataEnabled") is False or not build.past("BUILDING", now):
        return None
    if "parentImage" not in build.recipe:  # an import: the OS version its request named (imports.py)
        return build.recipe.get("osVersion")
    return os_version_of(build.recipe["parentImage"])


# Image Builder's template variables in an output AMI name (user guide tag-resources.html, "dynamic tags"):
# {{imagebuilder:buildDate}} and {{imagebuilder:buildVersion}}, with or without spaces inside the braces.
_AMI_NAME_VARIABLE = re.compile(r"\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}")


def ami_name(scope: Scope, build: Build, region: str | None = None) -> str:
    """The name of the AMI ``build`` outputs in ``region`` (default: its own).

    The distribution's ``amiDistributionConfiguration.name`` for that region,
    its variables filled in: ``buildDate`` the build's creation instant as an
    AMI name can hold it (``2023-05-17T21-17-23.099Z``: an AMI name has no
    colon), ``buildVersion`` the build number (the ARN's last node). Without a
    name, the recipe's name and that date, as a real run shows
    (``Ubuntu-2004-with-latest-SSM-Agent 2023-05-17T21-17-23.099935Z``,
    iainelder/backups image-builder/README.md). EC2 keeps 128 characters at most.
    """
    date = build.date_created.replace(":", "-")
    template = ami_settings(build, region or scope.region).get("name")
    if not template:
        return f"{build.recipe['name']} {date}"[:127]
    values = {"buildDate": date, "buildVersion": str(build.number)}
    return _AMI_NAME_VARIABLE.sub(lambda match: values[match.group(1)], template)[:127]


def _region_distribution(build: Build, region: str) -> dict[str, Any]:
    """The entry the build's distribution configuration has for ``region`` (the last one; empty if none)."""
    found: dict[str, Any] = {}
    for distribution in (build.distribution or {}).get("distributions", []):
        if distribution.get("region") == region:
            found = distribution
    return found


def ami_settings(build: Build, region: str) -> dict[str, Any]:
    """The ``amiDistributionConfiguration`` the build's distribution gives ``region`` (empty if none)."""
    return _region_distribution(build, region).get("amiDistributionConfiguration") or {}


def launch_template_configurations(build: Build, region: str) -> list[dict[str, Any]]:
    """The ``launchTemplateConfigurations`` the build's distribution gives ``region`` (empty if none)."""
    return list(_region_distribution(build, region).get("launchTemplateConfigurations") or ())


def output_amis(scope: Scope, build: Build) -> list[dict[str, Any]]:
    """The AMIs an AVAILABLE AMI build outputs: one in its own region, then one in each other region its
    distribution configuration names, in the order it names them (API reference ``Ami.region``,
    ``OutputResources``; aws-cli create-distribution-configuration example, "Copies AMI to eu-west-1"); each
    followed by a copy for each of that region's ``targetAccountIds``, owned by that account (user guide
    manage-distribution-settings.html: "Create a copy of the output AMI for each of the specified target
    accounts ... The target accounts ... own their AMI copies"; ``Ami.accountId`` is "the owner of the AMI").

    Each with the name that region's ``amiDistributionConfiguration.name`` makes, and the members AWS shows
    for an output AMI, and no others (no "state"): aws-cli list-image-build-versions.rst; a real run in
    iainelder/backups image-builder/README.md. One function, so whatever adds AMIs to an image's outputs
    (a later distribution) adds them here.
    """
    copies = build.pipeline.get("distributedAmis")
    if copies is not None:
        # A DistributeImage run (distribute.py): its copies, one per region of its distribution.
        return [
            {"region": region, "image": image, "name": ami_name(scope, build, region), "accountId": scope.account}
            for region, image in copies
        ]
    regions = [scope.region]
    for distribution in (build.distribution or {}).get("distributions", []):
        region = distribution.get("region")
        if isinstance(region, str) and region not in regions:
            regions.append(region)
    found = []
    for region in regions:
        name = ami_name(scope, build, region)
        found.append({"region": region, "image": build.ami_id(region), "name": name, "accountId": scope.account})
        for account in dict.fromkeys(ami_settings(build, region).get("targetAccountIds") or ()):
            if account != scope.account:  # the owner's own AMI is the one above
                image = build.ami_id(region, account)
                found.append({"region": region, "image": image, "name": name, "accountId": account})
    return found


def _summary(scope: Scope, build: Build, now: float) -> dict[str, Any]:
    status, reason = build.build_state(now)
    built = status
    # DEPRECATED, DISABLED and DELETED come from later lifecycle actions (lifecycle_executions.py).
    overlay = image_overlay(scope, build.arn, now)
    managed: dict[str, Any] = {}
    if overlay is not None:
        status, reason = overlay[0], None
        managed["lifecycleExecutionId"] = overlay[1]
        if overlay[2] is not None:
            managed["deprecationTime"] = overlay[2]
    recipe = build.recipe
    container = ":container-recipe/" in recipe.get("arn", "")
    amis = output_amis(scope, build) if status == "AVAILABLE" and not container else []
    state: dict[str, Any] = {"status": status}
    if reason:
        state["reason"] = reason
    failure_context = build.failure_context_at(now)
    if status == "FAILED" and failure_context is not None:
        state["failureContext"] = failure_context
    summary = {
        "arn": build.arn,
        "name": recipe["name"],
        "type": "DOCKER" if container else "AMI",
        # AWS shows "x.y.z/n" here (aws-cli get-image.rst), not the model's x.y.z.
        "version": f"{recipe['version']}/{build.number}",
        "platform": recipe["platform"],
        "osVersion": os_version(build, now),
        "state": state,
        "owner": scope.account,
        "dateCreated": build.date_created,
        "outputResources": {"containers": output_containers(scope, build) if built == "AVAILABLE" else []}
        if container
        else {"amis": amis},
        "tags": dict(build.tags),
        "buildType": build.build_type,
        **managed,
    }
    if summary["osVersion"] is None:
        del summary["osVersion"]
    source = image_source(build)
    if source is not None:
        summary["imageSource"] = source
    return summary


def image_source(build: Build) -> str | None:
    """The image's imageSource, the same in every shape that has the member (Image, ImageSummary,
    ImageVersion): IMPORTED for an import and its distributions (imports.py); none for what the caller
    built, as AWS's own ListImagePipelineImages example shows such an image (ledger image-source-agrees)."""
    return build.pipeline.get("imageSource")


def output_containers(scope: Scope, build: Build) -> list[dict[str, Any]]:
    """The container images an AVAILABLE container build outputs, one entry per region (model doc of
    ``Container``: "Containers and container images are Region-specific").

    The build's own region first, with the image pushed to its recipe's ECR repository, then each region
    its distribution configuration names, in that order, with the image copied to that region's
    ``containerDistributionConfiguration.targetRepository`` (user guide manage-distribution-settings.html:
    "Specify the ECR repository where Image Builder stores the output image in the distribution Region"),
    once per ``containerTags`` entry. A URI is ECR's form (<account>.dkr.ecr.<region>.amazonaws.com/
    <repository>:<tag>); the tag, <version>-<build number> where no tags are given, is the fake's choice
    (ledger ``container-builds``).
    """
    recipe = build.recipe
    default_tag = f"{recipe['version']}-{build.number}"

    def uri(region: str, repository: str, tag: str) -> str:
        return f"{scope.account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}"

    uris = {scope.region: [uri(scope.region, recipe["targetRepository"]["repositoryName"], default_tag)]}
    for distribution in (build.distribution or {}).get("distributions", []):
        settings = distribution.get("containerDistributionConfiguration")
        if not settings:  # an AMI's settings, say: nothing for a container here
            continue
        region, repository = distribution["region"], settings["targetRepository"]["repositoryName"]
        shown = uris.setdefault(region, [])
        shown += [uri(region, repository, tag) for tag in settings.get("containerTags") or [default_tag]]
    return [{"region": region, "imageUris": list(dict.fromkeys(found))} for region, found in uris.items()]


def image_document(scope: Scope, build: Build, now: float) -> dict[str, Any]:
    """What GetImage shows for a build at ``now``."""
    document = _summary(scope, build, now)
    del document["owner"]
    item = build.pipeline
    details = dict(
        enhancedImageMetadataEnabled=item.get("enhancedImageMetadataEnabled", True),
        sourcePipelineName=item.get("name"),  # a CreateImage build has no pipeline
        sourcePipelineArn=item.get("arn"),
        infrastructureConfiguration=build.infrastructure or None,  # an import of a VM or a distribution has none
        distributionConfiguration=build.distribution,
        imageTestsConfiguration=item.get("imageTestsConfiguration"),
        imageScanningConfiguration=item.get("imageScanningConfiguration"),
        scanState=build.scan_state(now),  # only Image has it (not ImageSummary): GetImage's alone
        workflows=item.get("workflows"),
        executionRole=item.get("executionRole"),
        loggingConfiguration=item.get("loggingConfiguration"),
    )
    # A container recipe's build shows it as containerRecipe (ARN resource type container-recipe). The recipe as
    # GetImage embeds it: without the owner and type that GetImageRecipe shows (aws-cli get-image.rst; a real run in
    # iainelder/backups image-builder/README.md).
    recipe_member = "containerRecipe" if ":container-recipe/" in build.recipe.get("arn", "") else "imageRecipe"
    if "arn" in build.recipe:  # "Imported images don't contain a recipe" (API reference, Image)
        details[recipe_member] = {k: v for k, v in build.recipe.items() if k not in _NOT_EMBEDDED}
    # Members the build does not have are left out, as GetImage leaves them out.
    document.update((k, v) for k, v in details.items() if v is not None)
    return document


def _managed(scope: Scope, arn: Arn, text: str) -> list[dict[str, Any]]:
    """The AWS-managed image builds an ``aws`` ARN selects (managed.py), highest first; at least one."""
    require_in_scope(arn, partition=scope.partition, region=scope.region, account="aws", text=text)
    found = managed_image_builds(scope.partition, scope.region, text)
    if not found:
        raise ResourceNotFoundException(f"No available image matches '{text}'.")
    return found


def get_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetImage: a build version ARN, or an image version ARN (``x`` wildcards) for its highest AVAILABLE build.

    Highest means highest version, then highest build number, not newest
    created (user guide, "Semantic versioning in Image Builder").
    """
    text = params["imageBuildVersionArn"]
    arn = Arn.parse(text)
    if arn.account == "aws":
        return {"image": _managed(scope, arn, text)[0]}
    require_in_scope(arn, partition=scope.partition, region=scope.region, account=scope.account, text=text)
    parts = _BUILD_PATH.match(arn.path)
    if parts is None or parts.group(3) is not None:
        return {"image": image_document(scope, scope.build(text), now)}
    name, wanted = parts.group(1), pattern(parts.group(2), InvalidRequestException)
    found = highest(
        (
            build
            for build in scope.builds.values()
            if normalise_name(build.recipe["name"]) == name and image_status(scope, build, now) == "AVAILABLE"
        ),
        wanted,
        lambda build: (build.recipe["version"], build.number),
    )
    if found is None:
        raise ResourceNotFoundException(f"No available image matches '{text}'.")
    return {"image": image_document(scope, found, now)}


def list_image_pipeline_images(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImagePipelineImages: the pipeline's builds, newest first, in progress ones included.

    A pipeline ARN that does not exist (never made, or deleted) lists nothing: "If the ARN that you
    specify doesn't exist, Image Builder returns an empty list rather than a ResourceNotFoundException
    error" (model doc of imagePipelineArn, botocore 1.44; AWS's behaviour on any model). That holds
    whatever ``recreated_pipeline_lists_old_images`` says: the knob only decides what a pipeline made
    again under a deleted one's ARN lists. Another account's or region's ARN is refused, as everywhere.
    """
    arn = params["imagePipelineArn"]
    require_in_scope(Arn.parse(arn), partition=scope.partition, region=scope.region, account=scope.account, text=arn)
    filters = params.get("filters") or []
    builds: Sequence[Build]
    if arn not in scope.pipelines:
        builds = ()  # still through the page below: its filters and token are checked as for any pipeline
    elif scope.settings.recreated_pipeline_lists_old_images:
        # Every image whose source pipeline ARN is this one, built by a deleted namesake too (a CreateImage
        # build has no pipeline ARN).
        builds = [b for b in reversed(scope.builds.values()) if b.pipeline.get("arn") == arn]
    else:
        # A view, not a copy: an unfiltered page costs what it shows, not the pipeline's history.
        builds = NewestFirst(scope.pipeline_builds.get(arn, []))
    builds = _not_deleted(scope, builds, now)
    query = ("ListImagePipelineImages", arn)
    items, token = _summaries_page(scope, builds, params, filters, ("name", "version"), now, query)
    return {"imageSummaryList": items, "nextToken": token}


def _not_deleted(scope: Scope, builds: Sequence[Build], now: float) -> Sequence[Build]:
    """``builds`` but those a lifecycle action DELETED: lists leave them out, GetImage still shows them (assumed)."""
    if scope.lifecycle is None:
        return builds
    return [build for build in builds if image_status(scope, build, now) != "DELETED"]


def _summaries_page(
    scope: Scope,
    builds: Sequence[Build],
    params: dict[str, Any],
    filters: list[dict[str, Any]],
    allowed: tuple[str, ...],
    now: float,
    query: tuple[str, str],
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``builds`` (newest first) as summaries; with no filter, only the page's builds are summarised."""
    wanted = passes(filters, allowed)
    serial = scope.builds.serial
    if not filters:
        page_of_builds, token = page(scope, builds, params, (*query, filters), lambda build: -serial(build.arn))
        return [_summary(scope, build, now) for build in page_of_builds], token
    found = [summary for build in builds if wanted(_filtered_as(summary := _summary(scope, build, now), build))]
    return page(scope, found, params, (*query, filters), lambda summary: -serial(summary["arn"]))


def _filtered_as(summary: dict[str, Any], build: Build) -> dict[str, Any]:
    """What a filter compares: the summary, but ``version`` is the semantic version x.y.z, not the
    ``x.y.z/n`` it shows (on AWS, "1.0.4" matches a pipeline's images and "1.0.4/3" none: aws/aws-cli#7853)."""
    return {**summary, "version": build.recipe["version"]}


_BUILD_FILTERS = ("name", "osVersion", "platform", "type", "version")


def list_image_build_versions(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImageBuildVersions: the builds of one image version, newest first.

    Where the model makes ``imageVersionArn`` optional (botocore 1.43) and it
    is left out, every build of the caller's account and region is listed
    (the filters still apply); where the model requires it, the wire refuses
    a call without it.
    """
    text = params.get("imageVersionArn")
    filters = params.get("filters") or []
    builds: Sequence[Build]
    if text is None:
        builds = NewestFirst(scope.builds.oldest_first())
    elif Arn.parse(text).account == "aws":
        wanted = passes(filters, _BUILD_FILTERS)  # version compares x.y.z, as for the caller's builds (_filtered_as)
        managed = [
            build
            for build in _managed(scope, Arn.parse(text), text)
            if wanted({**build, "version": build["version"].split("/")[0]})
        ]
        found, token = page(scope, managed, params, ("ListImageBuildVersions", text, filters), managed.index)
        return {"imageSummaryList": found, "nextToken": token}
    else:
        arn = Arn.parse(text)
        require_in_scope(arn, partition=scope.partition, region=scope.region, account=scope.account, text=text)
        # A view of the version's builds (the build store indexes them): a page costs what it shows.
        builds = NewestFirst(scope.builds.of_version(scope.arn("image", arn.path)))
    builds = _not_deleted(scope, builds, now)
    items, token = _summaries_page(
        scope, builds, params, filters, _BUILD_FILTERS, now, ("ListImageBuildVersions", text)
    )
    return {"imageSummaryList": items, "nextToken": token}


def cancel_image_creation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CancelImageCreation: only a build still in progress can be cancelled.

    A build that has ended answers InvalidParameterValueException: AWS's
    CloudFormation image delete handler catches exactly that from a cancel of
    an image that "has been in terminal state" (resource provider
    ``image/.../DeleteHandler.java``).
    """
    text = params["imageBuildVersionArn"]
    build = scope.build(text)
    runs_of(scope, build)  # laid out before the cancel ends them
    if not build.cancel(now):
        raise InvalidParameterValueException(
            f"The image '{text}' is in status {image_status(scope, build, now)} and cannot be cancelled; "
            "only images that are still being created can be."
        )
    return {"imageBuildVersionArn": text}


def delete_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DeleteImage: removes a finished build version (its number is not reused).

    A build still in progress answers ResourceDependencyException, which
    AWS's CloudFormation image delete handler reads as "not in terminal
    state" (resource provider ``image/.../DeleteHandler.java``).
    """
    text = params["imageBuildVersionArn"]
    build = scope.build(text)
    status = build.build_state(now)[0]
    if status not in TERMINAL:
        raise ResourceDependencyException(
            f"The image '{text}' is in status {status}; cancel it or wait for it to finish before deleting it."
        )
    del scope.builds[text]
    source = build.pipeline.get("arn")
    siblings = scope.pipeline_builds.get(source) if source else None
    if siblings is not None:
        # Gone from its pipeline's list as well: lastRunStatus now follows the newest build left.
        scope.pipeline_builds[source] = [b for b in siblings if b is not build]
    return {"imageBuildVersionArn": text}
