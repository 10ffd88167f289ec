"""AWS-managed resources customers reference: ``arn:aws:imagebuilder:REGION:aws:component/update-linux/x.x.x``.

Components, and the workflows pipelines run by default (build-image,
test-image, distribute-image).

They resolve in Get, list under owner Amazon, and belong to no account the
caller can change (their ARNs name the account ``aws``). The catalogue is a
small, believable selection: names AWS publishes, platforms and operating
systems they support; versions and dates are the fake's own.
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Any

from .arns import Arn

__all__ = ["MANAGED_DATE", "MANAGED_TYPES", "catalogue", "image_versions"]

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


@cache
def _components(partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, platform, version, kind, description, systems in _COMPONENTS:
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
            "dateCreated": MANAGED_DATE,
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


# name, platform, operating system, version
_IMAGES: tuple[tuple[str, str, str, str], ...] = (
    ("amazon-linux-2-x86", "Linux", "Amazon Linux 2", "2024.1.1"),
    ("amazon-linux-2-arm64", "Linux", "Amazon Linux 2", "2024.1.1"),
    ("amazon-linux-2023-x86", "Linux", "Amazon Linux 2023", "2024.1.1"),
    ("amazon-linux-2023-arm64", "Linux", "Amazon Linux 2023", "2024.1.1"),
    ("ubuntu-server-22-lts-x86", "Linux", "Ubuntu 22", "2024.1.1"),
    ("ubuntu-server-24-lts-x86", "Linux", "Ubuntu 24", "2024.1.1"),
    ("windows-server-2022-english-full-base-x86", "Windows", "Microsoft Windows Server 2022", "2024.1.1"),
    ("windows-server-2019-english-full-base-x86", "Windows", "Microsoft Windows Server 2019", "2024.1.1"),
)


@cache
def image_versions(partition: str, region: str) -> tuple[dict[str, Any], ...]:
    """AWS's managed parent images in a region, as ListImages shows them (ImageVersion), by version ARN."""
    return tuple(
        {
            "arn": str(Arn.build(partition, region, "aws", "image", name, version)),
            "name": name,
            "type": "AMI",
            "version": version,
            "platform": platform,
            "osVersion": system,
            "owner": "Amazon",
            "dateCreated": MANAGED_DATE,
            "buildType": "USER_INITIATED",
            "imageSource": "AMAZON_MANAGED",
        }
        for name, platform, system, version in _IMAGES
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
