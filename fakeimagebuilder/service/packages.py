"""ListImagePackages: the packages of an image, "as determined by Amazon Web Services Systems Manager Inventory
at build time" (model doc of ListImagePackages).

The fake has no instance to take an inventory of, so it answers a fixed,
believable list for the image's OS family (read off its ``osVersion``, as
the recipe's parent image gives it), the same on every call: package names
as the family's package manager names them, versions as ``version-release``
(ledger ``image-packages``, assumed). Only an AVAILABLE image built from an
image recipe has an inventory: a build still running, a container image, an
import (built on no instance of Image Builder's), an image of an OS the
fake does not know and an image a lifecycle action DELETED list none. A
DEPRECATED or DISABLED image keeps its list: it still exists. A DELETED one
lists none rather than answering ResourceNotFoundException, as GetImage of
its ARN still shows it (ledger ``deleted-images-hidden``).
"""

from __future__ import annotations

from typing import Any

from .builds import Build
from .images import os_version
from .lifecycle_executions import image_status
from .paging import page
from .state import Scope

__all__ = ["list_image_packages", "packages_of"]

_AMAZON_LINUX_2 = """
acl 2.2.51-14.amzn2
amazon-linux-extras 2.0.3-1.amzn2
amazon-ssm-agent 3.2.582.0-1.amzn2
audit 2.8.1-3.amzn2.1
aws-cfn-bootstrap 2.0-28.amzn2
awscli 1.18.147-1.amzn2.0.1
bash 4.2.46-34.amzn2
ca-certificates 2023.2.60-1.0.amzn2.0.1
chrony 4.2-5.amzn2.0.2
cloud-init 19.3-46.amzn2.0.1
coreutils 8.22-24.amzn2
curl 8.3.0-1.amzn2.0.4
ec2-utils 1.2-47.amzn2
glibc 2.26-64.amzn2.0.1
gzip 1.5-10.amzn2.0.1
kernel 5.10.199-190.747.amzn2
openssh 7.4p1-22.amzn2.0.5
openssh-server 7.4p1-22.amzn2.0.5
openssl-libs 1.0.2k-24.amzn2.0.10
python 2.7.18-1.amzn2.0.7
python3 3.7.16-1.amzn2.0.4
rpm 4.11.3-48.amzn2.0.4
sudo 1.8.23-10.amzn2.3.3
systemd 219-78.amzn2.0.22
tar 1.26-35.amzn2.0.2
tzdata 2023c-1.amzn2.0.1
util-linux 2.30.2-2.amzn2.0.11
which 2.20-7.amzn2.0.2
yum 3.4.3-158.amzn2.0.6
zlib 1.2.7-19.amzn2.0.2
"""

_AMAZON_LINUX_2023 = """
amazon-ssm-agent 3.2.1630.0-1.amzn2023
awscli-2 2.13.32-1.amzn2023.0.1
bash 5.2.15-1.amzn2023.0.2
ca-certificates 2023.2.64-1.0.amzn2023.0.1
chrony 4.3-1.amzn2023.0.4
cloud-init 22.2.2-1.amzn2023.1.12
coreutils 8.32-30.amzn2023.0.3
curl-minimal 8.3.0-1.amzn2023.0.2
dnf 4.14.0-1.amzn2023.0.4
ec2-utils 2.2.0-1.amzn2023.0.1
glibc 2.34-52.amzn2023.0.7
gzip 1.12-1.amzn2023.0.1
kernel 6.1.61-85.141.amzn2023
openssh 8.7p1-8.amzn2023.0.8
openssh-server 8.7p1-8.amzn2023.0.8
openssl-libs 3.0.8-1.amzn2023.0.9
python3 3.9.16-1.amzn2023.0.6
rpm 4.16.1.3-12.amzn2023.0.6
sudo 1.9.13-1.p2.amzn2023.0.1
systemd 252.16-1.amzn2023.0.1
tar 1.34-1.amzn2023.0.4
tzdata 2023c-1.amzn2023.0.1
util-linux 2.37.4-1.amzn2023.0.3
zlib 1.2.11-33.amzn2023.0.5
"""

_UBUNTU = """
apt 2.4.11
bash 5.1-6ubuntu1
ca-certificates 20230311ubuntu0.22.04.1
cloud-init 23.3.3-0ubuntu0~22.04.1
coreutils 8.32-4.1ubuntu1
curl 7.81.0-1ubuntu1.15
dpkg 1.21.1ubuntu2.2
gzip 1.10-4ubuntu4.1
libc6 2.35-0ubuntu3.5
linux-aws 6.2.0.1017.17~22.04.1
openssh-server 1:8.9p1-3ubuntu0.6
openssl 3.0.2-0ubuntu1.12
python3 3.10.6-1~22.04
snapd 2.58+22.04.1
sudo 1.9.9-1ubuntu2.4
systemd 249.11-0ubuntu3.11
tar 1.34+dfsg-1ubuntu0.1.22.04.2
tzdata 2023c-0ubuntu0.22.04.2
util-linux 2.37.2-4ubuntu3
zlib1g 1:1.2.11.dfsg-2ubuntu9.2
"""

_WINDOWS = """
Amazon SSM Agent 3.2.1705.0
AWS PV Drivers 8.4.3
AWS Tools for Windows 3.15.2072
Amazon EC2Launch 2.0.1643.0
AWS Command Line Interface v2 2.13.33.0
Microsoft Edge 119.0.2151.58
Microsoft Visual C++ 2019 X64 Minimum Runtime - 14.29.30133 14.29.30133
Microsoft Visual C++ 2019 X64 Additional Runtime - 14.29.30133 14.29.30133
"""

_MACOS = """
amazon-ssm-agent 3.2.1630.0
awscli 2.13.32
ec2-macos-init 1.5.9
ec2-macos-utils 1.0.2
python3 3.11.6
"""

# OS version prefix -> its inventory (first match wins: "Amazon Linux 2023" before "Amazon Linux 2").
_FAMILIES = (
    ("Amazon Linux 2023", _AMAZON_LINUX_2023),
    ("Amazon Linux 2", _AMAZON_LINUX_2),
    ("Ubuntu", _UBUNTU),
    ("Microsoft Windows", _WINDOWS),
    ("macOS", _MACOS),
)


def _parse(text: str) -> list[dict[str, str]]:
    # The version is the last word: Windows product names hold spaces.
    rows = (line.rsplit(" ", 1) for line in text.strip().splitlines())
    return sorted(({"packageName": n, "packageVersion": v} for n, v in rows), key=lambda p: p["packageName"].lower())


# Image statuses whose image has its inventory: built, and not DELETED by a lifecycle action since.
_INVENTORIED = ("AVAILABLE", "DEPRECATED", "DISABLED")

_INVENTORIES = tuple((prefix, _parse(text)) for prefix, text in _FAMILIES)


def packages_of(scope: Scope, build: Build, now: float) -> list[dict[str, str]]:
    """The packages ListImagePackages shows for ``build`` at ``now`` (a fresh list of fresh dicts)."""
    if image_status(scope, build, now) not in _INVENTORIED or build.recipe.get("arn", "").find(":image-recipe/") < 0:
        return []
    system = os_version(build, now) or ""
    for prefix, inventory in _INVENTORIES:
        if system.startswith(prefix):
            return [dict(p) for p in inventory]
    return []


def list_image_packages(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImagePackages: the image's packages by name, in pages; ResourceNotFoundException for no such image."""
    text = params["imageBuildVersionArn"]
    build = scope.build(text)
    packages = packages_of(scope, build, now)
    index = {id(p): i for i, p in enumerate(packages)}
    shown, token = page(scope, packages, params, ("ListImagePackages", text), lambda p: index[id(p)])
    return {"imagePackageList": shown, "nextToken": token}
