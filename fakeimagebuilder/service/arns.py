"""Image Builder ARNs: how they are made, read and compared with the caller's scope.

Names are normalised only inside ARNs: lower case, spaces and underscores
turned into hyphens (aws-cdk ``image-pipeline.ts`` ``fromImagePipelineName``;
an Image Builder engineer in aws/aws-cdk#35882). The resource keeps its
original name.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import ClientException, ForbiddenException, ResourceNotFoundException

__all__ = ["Arn", "normalise_name", "partition_of", "require_in_scope"]


def normalise_name(name: str) -> str:
    """The form a resource name takes inside its ARN."""
    return name.lower().replace(" ", "-").replace("_", "-")


# Region prefixes of the partitions other than "aws" (botocore's endpoints data agrees; a test checks it).
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-iso-", "aws-iso"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)


def partition_of(region: str) -> str:
    """The AWS partition a region belongs to."""
    return next((partition for prefix, partition in _PARTITIONS if region.startswith(prefix)), "aws")


class Arn(NamedTuple):
    """An ``arn:PARTITION:imagebuilder:REGION:ACCOUNT:TYPE/PATH`` split into its parts.

    A named tuple rather than a frozen dataclass: every call parses a few, and a tuple is made in a
    fraction of the time a frozen dataclass takes (which sets each field through ``object.__setattr__``).
    """

    partition: str
    region: str
    account: str
    resource_type: str
    path: str

    @classmethod
    def parse(cls, text: str) -> Arn:
        """Split an ARN the wire layer has already checked against the model's pattern."""
        parts = text.split(":", 5)
        if len(parts) != 6 or "/" not in parts[5]:
            raise ResourceNotFoundException(f"The resource ARN '{text}' is not valid.")
        resource_type, _, path = parts[5].partition("/")
        return cls(parts[1], parts[3], parts[4], resource_type, path)

    @classmethod
    def build(cls, partition: str, region: str, account: str, resource_type: str, *path: str) -> Arn:
        """An ARN for a resource of this service."""
        return cls(partition, region, account, resource_type, "/".join(path))

    def __str__(self) -> str:
        return f"arn:{self.partition}:imagebuilder:{self.region}:{self.account}:{self.resource_type}/{self.path}"


def require_in_scope(arn: Arn, *, partition: str, region: str, account: str, text: str) -> None:
    """Refuse an ARN that points outside the caller's partition, region or account.

    Another region or partition is a client fault (ClientException); another
    account, AWS-owned resources included, is ForbiddenException. Both are
    design choices recorded in the behaviour ledger.
    """
    if arn.partition != partition or arn.region != region:
        raise ClientException(
            f"The resource ARN '{text}' is in partition '{arn.partition}' and region "
            f"'{arn.region}', but the request was sent to region '{region}'."
        )
    if arn.account != account:
        raise ForbiddenException(f"You are not authorized to perform this operation on resource '{text}'.")
