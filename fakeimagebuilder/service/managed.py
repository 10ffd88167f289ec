"""AWS-managed resources customers reference: ``arn:aws:imagebuilder:REGION:aws:component/update-linux/x.x.x``.

Components, and the workflows pipelines run by default (build-image,
test-image, distribute-image).

They resolve in Get, list under owner Amazon, and belong to no account the
caller can change (their ARNs name the account ``aws``). The catalogue is a
small, believable selection: names AWS publishes, platforms and operating
systems they support; versions and dates are the fake's own. Like AWS's,
each managed component has a history of versions, each one build (``/1``):
Terraform's acceptance tests against real AWS pin ``update-linux/1.0.0`` and
``update-windows/1.0.1/1`` (hashicorp/terraform-provider-aws#23569), so every
patch release from 1.0.0 up to the newest is kept, and ``x.x.x`` selects the newest.
"""

from __future__ import annotations

import hashlib
from functools import cache
from types import MappingProxyType
from typing import Any

from .arns import Arn
from .errors import InvalidRequestException
from .versions import concrete, pattern

__all__ = ["MANAGED_DATE", "MANAGED_TYPES", "catalogue", "image_versions", "managed_image_builds"]

MANAGED_DATE = "2024-01-01T00:00:00.000Z"
"""When the fake's AWS-managed resources were made (a fixed instant, so they read the same in every run)."""

MANAGED_TYPES = frozenset({"component", "workflow"})
"""Resource types whose AWS-managed resources Get resolves; an ``aws`` ARN of any other type is forbidden."""

_LINUX = ("Amazon Linux 2", "Amazon Linux 2023", "Ubuntu 22", "Ubuntu 24", "Red Hat Enterprise Linux 9")
_WINDOWS = ("Microsoft Windows Server 2019", "Microsoft Windows Server 2022", "Microsoft Windows Server 2025")

# name, platform, version, type, description, supported operating systems
_COMPONENTS: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("update-linux", "Linux", "1.0.2", "BUILD", "Updates Linux with the latest security updates.", _LINUX),
    ("update-windows", "Windows", "1.0.1", "BUILD", "Updates Windows with the latest security updates.", _WINDOWS),
    ("reboot-linux", "Linux", "1.0.1", "BUILD", "Reboots the instance.", _LINUX),
    ("reboot-windows", "Windows", "1.0.1", "BUILD", "Reboots the instance.", _WINDOWS),
    ("aws-cli-version-2-linux", "Linux", "1.0.4", "BUILD", "Installs the latest AWS CLI version 2.", _LINUX),
    ("aws-cli-version-2-windows", "Windows", "1.0.1", "BUILD", "Installs the latest AWS CLI version 2.", _WINDOWS),
    (
        "amazon-cloudwatch-agent-linux",
        "Linux",
        "1.0.1",
        "BUILD",
        "Installs the latest version of the Amazon CloudWatch agent.",
        _LINUX,
    ),
    ("python-3-linux", "Linux", "1.0.2", "BUILD", "Installs Python 3.", _LINUX),
    ("simple-boot-test-linux", "Linux", "1.0.0", "TEST", "Checks that the instance boots.", _LINUX),
    ("simple-boot-test-windows", "Windows", "1.0.0", "TEST", "Checks that the instance boots.", _WINDOWS),
    ("reboot-test-linux", "Linux", "1.0.0", "TEST", "Checks that the instance reboots.", _LINUX),
    ("reboot-test-windows", "Windows", "1.0.0", "TEST", "Checks that the instance reboots.", _WINDOWS),
)


def _component_document(name: str, kind: str, platform: str) -> str:
    phase = "test" if kind == "TEST" else "build"
    action = "ExecutePowerShell" if platform == "Windows" else "ExecuteBash"
    return (
        f"name: {name}\nschemaVersion: 1.0\nphases:\n  - name: {phase}\n    steps:\n"
        f"      - name: Run\n        action: {action}\n        inputs:\n          commands:\n"
        f"            - echo {name}\n"
    )


def _history(newest: str) -> tuple[str, ...]:
    """Every patch release up to ``newest`` (``1.0.2`` -> 1.0.0, 1.0.1, 1.0.2), oldest first."""
    major, minor, patch = newest.split(".")
    return tuple(f"{major}.{minor}.{n}" for n in range(int(patch) + 1))


def _release_date(index: int) -> str:
    """The n-th release's date: MANAGED_DATE for the first, a month apart after that (the fake's own dates)."""
    year, month = divmod(index, 12)
    return f"{2024 + year}-{month + 1:02d}-01T00:00:00.000Z"


@cache
def _components(partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, platform, newest, kind, description, systems in _COMPONENTS:
        for index, version in enumerate(_history(newest)):
            arn = str(Arn.build(partition, region, "aws", "component", name, version, "1"))
            found[arn] = {
                "arn": arn,
                "name": name,
                "version": version,
                "description": description,
                "type": kind,
                "platform": platform,
                "supportedOsVersions": list(systems),
                "state": {"status": "ACTIVE"},
                "owner": "Amazon",
                "data": _component_document(name, kind, platform),
                "encrypted": True,
                "dateCreated": _release_date(index),
                "tags": {},
            }
    return MappingProxyType(found)


# name, type, version, description, steps (name, action, onFailure, condition: a system variable and the
# value that runs the step, or None). build-image 1.0.3's seven steps and test-image 1.0.3's four are those
# aws-cli's list-workflow-executions.rst and list-workflow-step-executions.rst show (the test steps as
# terraform-provider-aws's imagebuilder workflow tests write AWS's test workflow); which steps a condition
# skips is the fake's reading of their names (sysprep on Windows, sanitizing on Linux, scan findings when
# scanning is on, inventory when enhanced metadata is on).
_Step = tuple[str, str, str, tuple[str, str] | None]
_WORKFLOWS: tuple[tuple[str, str, str, str, tuple[_Step, ...]], ...] = (
    (
        "build-image",
        "BUILD",
        "1.0.3",
        "Builds an image from the recipe's components.",
        (
            ("LaunchBuildInstance", "LaunchInstance", "Abort", None),
            ("ApplyBuildComponents", "ExecuteComponents", "Abort", None),
            ("InventoryCollection", "CollectImageMetadata", "Abort", ("collectImageMetadata", "true")),
            ("RunSanitizeScript", "SanitizeInstance", "Abort", ("platform", "Linux")),
            ("RunSysPrepScript", "RunSysPrep", "Abort", ("platform", "Windows")),
            ("CreateOutputAMI", "CreateImage", "Abort", None),
            ("TerminateBuildInstance", "TerminateInstance", "Continue", None),
        ),
    ),
    (
        "test-image",
        "TEST",
        "1.0.3",
        "Tests an image with the recipe's test components.",
        (
            ("LaunchTestInstance", "LaunchInstance", "Abort", None),
            ("CollectImageScanFindings", "CollectImageScanFindings", "Continue", ("collectImageScanFindings", "true")),
            ("ApplyTestComponents", "ExecuteComponents", "Abort", None),
            ("TerminateTestInstance", "TerminateInstance", "Continue", None),
        ),
    ),
    (
        "distribute-image",
        "DISTRIBUTION",
        "1.0.0",
        "Distributes an image as its distribution configuration says.",
        (("DistributeImage", "DistributeImage", "Abort", None),),
    ),
)


def _workflow_step(name: str, action: str, on_failure: str, condition: tuple[str, str] | None) -> str:
    text = f"  - name: {name}\n    action: {action}\n    onFailure: {on_failure}\n"
    if condition is not None:
        variable, value = condition
        operator = "booleanEquals" if value == "true" else "stringEquals"
        text += f'    if:\n      {operator}: {value}\n      value: "$.imagebuilder.{variable}"\n'
    return text


@cache
def _workflows(partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, kind, version, description, steps in _WORKFLOWS:
        arn = str(Arn.build(partition, region, "aws", "workflow", kind.lower(), name, version, "1"))
        data = f"name: {name}\ndescription: {description}\nschemaVersion: 1.0\nsteps:\n" + "".join(
            _workflow_step(*step) for step in steps
        )
        found[arn] = {
            "arn": arn,
            "name": name,
            "version": version,
            "description": description,
            "type": kind,
            "owner": "Amazon",
            "data": data,
            "dateCreated": MANAGED_DATE,
            "tags": {},
        }
    return MappingProxyType(found)


# display name (the ARN's name node is its normalised form), platform, operating system. AWS names its images
# so: "Amazon Linux 2 x86" with os "Amazon Linux 2" and platform Linux, as terraform-provider-aws's
# TestAccImageBuilderImageDataSource_ARN_aws reads image/amazon-linux-2-x86/x.x.x from real AWS.
_IMAGES: tuple[tuple[str, str, str], ...] = (
    ("Amazon Linux 2 x86", "Linux", "Amazon Linux 2"),
    ("Amazon Linux 2 ARM64", "Linux", "Amazon Linux 2"),
    ("Amazon Linux 2023 x86", "Linux", "Amazon Linux 2023"),
    ("Amazon Linux 2023 ARM64", "Linux", "Amazon Linux 2023"),
    ("Ubuntu Server 22 LTS x86", "Linux", "Ubuntu 22"),
    ("Ubuntu Server 24 LTS x86", "Linux", "Ubuntu 24"),
    ("Windows Server 2022 English Full Base x86", "Windows", "Microsoft Windows Server 2022"),
    ("Windows Server 2019 English Full Base x86", "Windows", "Microsoft Windows Server 2019"),
)

# The image versions each managed image has (the fake's own; AWS releases one about monthly), each one build.
_IMAGE_RELEASES = ("2024.1.1", "2024.2.1")


def _ami_id(arn: str) -> str:
    """A stable, believable AMI id for a managed image build (the same in every run)."""
    return "ami-" + hashlib.sha256(arn.encode()).hexdigest()[:17]


@cache
def _image_builds(partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    """AWS's managed images as GetImage shows them, by build version ARN (``.../name/x.y.z/1``)."""
    found: dict[str, dict[str, Any]] = {}
    for display, platform, system in _IMAGES:
        node = display.lower().replace(" ", "-")
        for index, version in enumerate(_IMAGE_RELEASES):
            arn = str(Arn.build(partition, region, "aws", "image", node, version, "1"))
            found[arn] = {
                "arn": arn,
                "type": "AMI",
                "name": display,
                "version": f"{version}/1",
                "platform": platform,
                "enhancedImageMetadataEnabled": False,
                "osVersion": system,
                "state": {"status": "AVAILABLE"},
                "dateCreated": _release_date(index),
                "outputResources": {
                    "amis": [
                        {
                            "region": region,
                            "image": _ami_id(arn),
                            "name": f"{node}-{version.replace('.', '-')}",
                            "description": f"{display} image {version}, managed by AWS",
                            "state": {"status": "AVAILABLE"},
                        }
                    ]
                },
                "buildType": "USER_INITIATED",
                "imageSource": "AMAZON_MANAGED",
                "owner": "Amazon",
                "tags": {},
            }
    return MappingProxyType(found)


@cache
def image_versions(partition: str, region: str) -> tuple[dict[str, Any], ...]:
    """AWS's managed parent images in a region, as ListImages shows them (ImageVersion), by version ARN.

    The name is the image's display name ("Amazon Linux 2 x86"), as GetImage shows it, not its ARN's node.
    """
    return tuple(
        {
            "arn": build["arn"].rsplit("/", 1)[0],
            "name": build["name"],
            "type": "AMI",
            "version": build["version"].split("/")[0],
            "platform": build["platform"],
            "osVersion": build["osVersion"],
            "owner": "Amazon",
            "dateCreated": build["dateCreated"],
            "buildType": "USER_INITIATED",
            "imageSource": "AMAZON_MANAGED",
        }
        for build in _image_builds(partition, region).values()
    )


def managed_image_builds(partition: str, region: str, text: str) -> list[dict[str, Any]]:
    """The managed image builds an ``aws`` image ARN selects, highest first.

    A build version ARN selects itself; a version ARN (``x`` wildcards
    allowed) every build of the versions it matches; empty when none.
    """
    builds = _image_builds(partition, region)
    if text in builds:
        return [builds[text]]
    prefix, _, version = text.rpartition("/")
    wanted = pattern(version, InvalidRequestException)
    found = [
        build
        for arn, build in builds.items()
        if arn.rsplit("/", 2)[0] == prefix and wanted.selects(arn.rsplit("/", 2)[1])
    ]
    return sorted(
        found,
        key=lambda build: (concrete(build["version"].split("/")[0]), int(build["arn"].rsplit("/", 1)[1])),
        reverse=True,
    )


def catalogue(resource_type: str, partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    """AWS's own resources of ``resource_type`` in a region, by ARN (empty for types the fake has none of).

    Read-only and shared: callers copy before they change anything.
    """
    if resource_type == "component":
        return _components(partition, region)
    if resource_type == "workflow":
        return _workflows(partition, region)
    return MappingProxyType({})
