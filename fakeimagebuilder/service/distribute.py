"""DistributeImage: copy an image's AMI to the regions of a distribution configuration, without a build.

AWS "only runs the distribution phase on an image that has already been
built" and answers the ARN of "the new Image Builder image resource that this
operation creates to track the distribution" (API reference and model docs of
DistributeImage, botocore 1.44). The source is an Image Builder image ARN (a
version ARN resolves to its latest AVAILABLE build), an AMI id, or an
``ssm:`` parameter, and must resolve to an AMI in the current region.

The fake's choices (ledger ``distribute-image``): the new image takes the
source's name and version and the next build number; it is PENDING, then
DISTRIBUTING, then AVAILABLE, as long as those statuses last in the build
plan (a plan failing during DISTRIBUTING fails it); once AVAILABLE it lists
one AMI copy per region of the distribution configuration. An AMI id is
found only among the AMIs the fake's own images produced, and an ``ssm:``
reference cannot be read: both answer ResourceNotFoundException otherwise.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .arns import Arn, normalise_name, require_in_scope
from .builds import DEFAULT_DURATIONS, Build, workflowless_reason
from .dates import date_string
from .errors import InvalidRequestException, ResourceNotFoundException
from .lifecycle_executions import image_status, is_container
from .state import Scope
from .versions import highest, pattern

__all__ = ["distribute_image"]


def distribute_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """DistributeImage: a new image resource, PENDING from now, that copies the source's AMI to each region."""
    source = _source(scope, params["sourceImage"], now)
    distribution = scope.lookup("distribution-configuration", params["distributionConfigurationArn"])
    regions = [d["region"] for d in distribution.get("distributions") or ()]
    if not regions:
        raise InvalidRequestException(
            f"The distribution configuration '{distribution['arn']}' has no AMI distribution to run."
        )
    key = (normalise_name(source.recipe["name"]), source.recipe["version"])
    number = scope.build_numbers.get(key, 0) + 1
    scope.build_numbers[key] = number
    arn = scope.arn("image", key[0], key[1], str(number))
    plan = scope.settings.build_plan
    pending = plan.durations.get("PENDING", DEFAULT_DURATIONS["PENDING"])
    distributing = plan.durations.get("DISTRIBUTING", DEFAULT_DURATIONS["DISTRIBUTING"])
    failing = plan.outcome == "FAILED" and plan.fail_during in ("PENDING", "DISTRIBUTING")
    settings: dict[str, Any] = {
        "distributionConfigurationArn": distribution["arn"],
        "sourceImage": params["sourceImage"],
        # Read by images._summary: the AMIs this image lists once AVAILABLE.
        "distributedAmis": [(region, _copy_id(arn, region)) for region in regions],
        **{k: params[k] for k in ("executionRole", "loggingConfiguration") if params.get(k) is not None},
    }
    if "imageSource" in source.pipeline:
        settings["imageSource"] = source.pipeline["imageSource"]
    build = Build(
        arn=arn,
        number=number,
        recipe=source.recipe,
        pipeline=settings,
        infrastructure={},
        distribution=distribution,
        created_at=now,
        date_created=date_string(now),
        stages=(("PENDING", now), ("DISTRIBUTING", now + pending)),
        end_status="FAILED" if failing else "AVAILABLE",
        end_at=now + pending + distributing,
        # It fails while DISTRIBUTING: the copy of the source's AMI is what went wrong.
        end_reason=workflowless_reason(
            plan, "DISTRIBUTING", f"Distributing the AMI of the image '{source.arn}' failed while DISTRIBUTING."
        )
        if failing
        else None,
        tags=dict(params.get("tags") or {}),
    )
    scope.builds[arn] = build
    return {"imageBuildVersionArn": arn}


def _copy_id(arn: str, region: str) -> str:
    """A stable, made-up id for the copy of the image ``arn`` in ``region``."""
    return "ami-" + hashlib.sha256(f"{arn}|{region}".encode()).hexdigest()[:17]


def _source(scope: Scope, text: str, now: float) -> Build:
    """The AVAILABLE image whose AMI ``text`` names: an image ARN, an AMI id, or an ``ssm:`` reference."""
    if text.startswith("arn:"):
        arn = Arn.parse(text)
        require_in_scope(arn, partition=scope.partition, region=scope.region, account=scope.account, text=text)
        parts = arn.path.split("/")
        if arn.resource_type != "image" or len(parts) not in (2, 3):
            raise InvalidRequestException(
                f"The source image '{text}' is not an image ARN: specify an image version or build version ARN, "
                "an AMI ID, or an ssm: parameter reference."
            )
        if len(parts) == 3:
            build = scope.builds.get(text)
            if build is None:
                raise ResourceNotFoundException(f"The image '{text}' does not exist.")
            status = image_status(scope, build, now)
            if status != "AVAILABLE":
                raise InvalidRequestException(
                    f"The image '{text}' is in status {status}; only an AVAILABLE image can be distributed."
                )
            return build
        wanted = pattern(parts[1], InvalidRequestException)
        found = highest(
            (
                b
                for b in scope.builds.values()
                if normalise_name(b.recipe["name"]) == parts[0] and _available(scope, b, now)
            ),
            wanted,
            lambda b: (b.recipe["version"], b.number),
        )
        if found is None:
            raise ResourceNotFoundException(f"No available image matches '{text}'.")
        return found
    if text.startswith("ami-"):
        for build in scope.builds.values():
            if _available(scope, build, now) and text in _amis_here(scope, build):
                return build
        raise ResourceNotFoundException(f"The AMI '{text}' was not found in Region {scope.region}.")
    if text.startswith("ssm:"):
        raise ResourceNotFoundException(
            f"The parameter '{text[4:]}' could not be resolved: fakeimagebuilder does not read Systems Manager "
            "parameters. Specify the image ARN or the AMI ID instead."
        )
    raise InvalidRequestException(
        f"The source image '{text}' is not valid: specify an Image Builder image ARN, an AMI ID, or an ssm: "
        "parameter reference."
    )


def _available(scope: Scope, build: Build, now: float) -> bool:
    """Whether ``build`` is an AMI image that is AVAILABLE now: not DEPRECATED, DISABLED or DELETED since."""
    return not is_container(build) and image_status(scope, build, now) == "AVAILABLE"


def _amis_here(scope: Scope, build: Build) -> list[str]:
    """The AMI ids ``build`` produced in the caller's region."""
    copies = build.pipeline.get("distributedAmis")
    if copies is None:
        return [build.ami_id()]
    return [image for region, image in copies if region == scope.region]
