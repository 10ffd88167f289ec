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

__all__ = ["MANAGED_DATE", "catalogue"]

MANAGED_DATE = "2024-01-01T00:00:00.000Z"
"""When the fake's AWS-managed resources were made (a fixed instant, so they read the same in every run)."""

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


# name, type, version, description, steps (name, action)
_WORKFLOWS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "build-image",
        "BUILD",
        "1.0.2",
        "Builds an image from the recipe's components.",
        (
            ("LaunchBuildInstance", "LaunchInstance"),
            ("ApplyBuildComponents", "ExecuteComponents"),
            ("CreateOutputAMI", "CreateImage"),
            ("TerminateBuildInstance", "TerminateInstance"),
        ),
    ),
    (
        "test-image",
        "TEST",
        "1.0.2",
        "Tests an image with the recipe's test components.",
        (
            ("LaunchTestInstance", "LaunchInstance"),
            ("RunTestComponents", "ExecuteComponents"),
            ("TerminateTestInstance", "TerminateInstance"),
        ),
    ),
    (
        "distribute-image",
        "DISTRIBUTION",
        "1.0.0",
        "Distributes an image as its distribution configuration says.",
        (("DistributeImage", "DistributeImage"),),
    ),
)


@cache
def _workflows(partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, kind, version, description, steps in _WORKFLOWS:
        arn = str(Arn.build(partition, region, "aws", "workflow", kind.lower(), name, version, "1"))
        data = f"name: {name}\ndescription: {description}\nschemaVersion: 1.0\nsteps:\n" + "".join(
            f"  - name: {step}\n    action: {action}\n    onFailure: Abort\n" for step, action in steps
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


def catalogue(resource_type: str, partition: str, region: str) -> MappingProxyType[str, dict[str, Any]]:
    """AWS's own resources of ``resource_type`` in a region, by ARN (empty for types the fake has none of).

    Read-only and shared: callers copy before they change anything.
    """
    if resource_type == "component":
        return _components(partition, region)
    if resource_type == "workflow":
        return _workflows(partition, region)
    return MappingProxyType({})
