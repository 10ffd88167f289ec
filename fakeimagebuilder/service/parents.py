"""What a recipe's parent image says about the images built from it: their OS version.

AWS shows ``osVersion`` on an AVAILABLE image and its summaries (``Amazon Linux 2023``
for ``amazon-linux-2023-x86``: aws-cli example ``list-image-build-versions.rst``;
``Ubuntu 20`` for ``ubuntu-server-20-lts-x86``: a real run in
iainelder/backups ``image-builder/README.md``). The names are those of
aws-cdk's ``OSVersion`` (``packages/@aws-cdk/aws-imagebuilder-alpha/lib/os-version.ts``).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["os_version_of"]

# First match wins: "amazon-linux-2023" before "amazon-linux-2".
_OS_VERSIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"amazon-linux-2023\b", "Amazon Linux 2023"),
        (r"amazon-linux-2\b", "Amazon Linux 2"),
        (r"ubuntu-server-(\d+)-", r"Ubuntu \1"),
        (r"windows-server-(\d{4})-", r"Microsoft Windows Server \1"),
        (r"red-hat-enterprise-linux-(\d+)-", r"Red Hat Enterprise Linux \1"),
        (r"suse-linux-enterprise-server-(\d+)-", r"SLES \1"),
        (r"macos-[a-z]+-(\d+)-", r"macOS \1"),
    )
)


@lru_cache(maxsize=256)  # read on every summary; recipes are few
def os_version_of(parent_image: str) -> str | None:
    """The OS version AWS names for images of an AWS-managed parent image; None when the fake cannot tell.

    Only the image's name (the part after ``image/``) is read: an AMI id or a
    parent of an unknown family gives None, and the image then has no
    ``osVersion`` (an ``osVersion`` filter passes none of it).
    """
    name = parent_image.lower().rpartition(":image/")[2].split("/", 1)[0]
    for pattern, version in _OS_VERSIONS:
        found = pattern.search(name)
        if found:
            return found.expand(version)
    return None
