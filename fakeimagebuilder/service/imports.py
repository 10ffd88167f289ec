"""ImportVmImage and ImportDiskImage: images made from an EC2 VM import task or a Windows ISO file, not a recipe.

Both answer at once with an image resource in PENDING (API reference,
ImportVmImage and ImportDiskImage: "The response returns as soon as Image
Builder creates the image resource in the PENDING state"). The image has no
recipe ("Imported images don't contain a recipe", API reference, Image), its
``buildType`` is ``IMPORT`` (VM) or ``IMPORT_ISO`` (ISO), its ``imageSource``
``IMPORTED`` (model enums BuildType, ImageSource). An image of the same
name and version gets the next build version (model doc of ``name``), so
import numbers count with every build of that name and version.

How long an import takes, and whether it fails, follows the build plan (the
fake's choice, ledger ``imports``): a VM import waits in PENDING until the
import task is done, as long as a build without tests would take, then is
AVAILABLE; an
ISO import runs on an instance, so it goes through the build's statuses
(tests are not part of it).
"""

from __future__ import annotations

import re
from typing import Any

from .arns import normalise_name
from .builds import Build, workflowless_reason
from .dates import date_string
from .errors import ClientException, InvalidVersionNumberException
from .state import Scope
from .versions import concrete

__all__ = ["import_disk_image", "import_vm_image"]

# The name rule of every other image resource (model shape ResourceName), which the ARN needs.
_NAME = re.compile(r"^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]\Z")
# s3://bucket/key.iso: the key "must end with the .iso, .ISO, or .Iso extension" (model doc of ImportDiskImage uri).
_ISO_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\.(?:iso|ISO|Iso)\Z")
# EC2 VM import task ids look like import-ami-1234567890abcdef0 (aws-cli ec2 import-image.rst example).
_VM_TASK = re.compile(r"^import-ami-[0-9a-f]{8,17}\Z")
# "For ImportVmImage, the log group name must be within the /aws/imagebuilder/ namespace" (model doc).
_LOG_NAMESPACE = "/aws/imagebuilder/"
# ImportDiskImage: "Allowed values include the following: Windows" and "Microsoft Windows 11" (model docs).
_ISO_PLATFORM = "Windows"
_ISO_OS_VERSION = "Microsoft Windows 11"


def import_vm_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ImportVmImage: an image (buildType IMPORT) that becomes AVAILABLE once the VM import task is done."""
    task = params["vmImportTaskId"]
    if not _VM_TASK.match(task):
        raise ClientException(
            f"The VM import task ID '{task}' is not valid. Specify the ImportTaskId that the Amazon EC2 "
            "ImportImage operation returned (import-ami-<id>)."
        )
    log_group = (params.get("loggingConfiguration") or {}).get("logGroupName")
    if log_group is not None and not log_group.startswith(_LOG_NAMESPACE):
        raise ClientException(
            f"The log group name '{log_group}' is not valid for ImportVmImage: it must be within the "
            f"{_LOG_NAMESPACE} namespace."
        )
    settings = {"vmImportTaskId": task}
    build = _import(scope, params, now, "IMPORT", settings, infrastructure={})
    return {"imageArn": build.arn}


def import_disk_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ImportDiskImage: a Windows 11 image (buildType IMPORT_ISO) built from an ISO file in S3."""
    if params["platform"] != _ISO_PLATFORM:
        raise ClientException(
            f"The platform '{params['platform']}' is not supported for ISO imports. Allowed values: {_ISO_PLATFORM}."
        )
    if params["osVersion"] != _ISO_OS_VERSION:
        raise ClientException(
            f"The operating system version '{params['osVersion']}' is not supported for ISO imports. "
            f"Allowed values: {_ISO_OS_VERSION}."
        )
    if not _ISO_URI.match(params["uri"]):
        raise ClientException(
            f"The URI '{params['uri']}' is not valid. Specify the ISO file in Amazon S3 as s3://bucket/key, "
            "with a key that ends in .iso, .ISO or .Iso."
        )
    log_group = (params.get("loggingConfiguration") or {}).get("logGroupName")
    if log_group is not None and not log_group.startswith(_LOG_NAMESPACE) and not params.get("executionRole"):
        raise ClientException(
            f"The log group '{log_group}' is outside the {_LOG_NAMESPACE} namespace: specify an executionRole "
            "that can write to it."
        )
    text = params["infrastructureConfigurationArn"]
    scope.check_arn(text)
    infrastructure = scope.infrastructure.get(text)
    if infrastructure is None:
        # ImportDiskImage models no ResourceNotFoundException: its client errors are ClientException.
        raise ClientException(f"The InfrastructureConfiguration '{text}' does not exist.")
    settings = {
        k: params[k]
        for k in ("uri", "infrastructureConfigurationArn", "registerImageOptions", "windowsConfiguration")
        if params.get(k) is not None
    }
    build = _import(scope, params, now, "IMPORT_ISO", settings, infrastructure=infrastructure)
    return {"imageBuildVersionArn": build.arn}


def _import(
    scope: Scope,
    params: dict[str, Any],
    now: float,
    build_type: str,
    settings: dict[str, Any],
    infrastructure: dict[str, Any],
) -> Build:
    """The image of an import, PENDING from ``now``, under the next build number of its name and version."""
    name, version = params["name"], params["semanticVersion"]
    if not _NAME.match(name):
        # The wire's wording for a model pattern, under the client error these operations model.
        raise ClientException(
            f"The value supplied for parameter 'name' is not valid. 'name' must match pattern {_NAME.pattern[:-2]}$."
        )
    try:
        concrete(version)
    except InvalidVersionNumberException as exc:  # names the node; these operations model ClientException
        raise ClientException(str(exc)) from None
    key = (normalise_name(name), version)
    number = scope.build_numbers.get(key, 0) + 1
    scope.build_numbers[key] = number
    arn = scope.arn("image", key[0], version, str(number))
    plan = scope.settings.build_plan
    stages, end_status, end_at, reason = plan.timeline(now, False)
    if build_type == "IMPORT":
        # Image Builder only watches the import task: PENDING until it is done (API reference, ImportVmImage).
        stages = (("PENDING", now),)
    if reason is not None:  # an import runs no workflow: its reason names what it imports
        status = stages[-1][0]
        if build_type == "IMPORT":
            own = f"The VM import task '{params['vmImportTaskId']}' failed."
        else:
            own = f"The import of the ISO file '{params['uri']}' failed while the image was {status}."
        reason = workflowless_reason(plan, status, own)
    # What the image shows in place of a recipe: its name, version and platform, as the request gave them.
    image = {"name": name, "version": version, "platform": params["platform"], "owner": scope.account}
    for member in ("description", "osVersion"):
        if params.get(member) is not None:
            image[member] = params[member]
    settings = {
        **settings,
        "imageSource": "IMPORTED",
        **{k: params[k] for k in ("executionRole", "loggingConfiguration") if params.get(k) is not None},
    }
    build = Build(
        arn=arn,
        number=number,
        recipe=image,
        pipeline=settings,
        infrastructure=infrastructure,
        distribution=None,
        created_at=now,
        date_created=date_string(now),
        stages=stages,
        end_status=end_status,
        end_at=end_at,
        end_reason=reason,
        tags=dict(params.get("tags") or {}),
        build_type=build_type,
    )
    scope.builds[arn] = build
    return build
