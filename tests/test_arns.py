"""ARN parts the service decides on its own, checked against botocore's data."""

from __future__ import annotations

import botocore.session
import pytest

from fakeimagebuilder.service.arns import normalise_name, partition_of

_SESSION = botocore.session.get_session()
_REGIONS = [
    (region, partition)
    for partition in _SESSION.get_available_partitions()
    for region in _SESSION.get_available_regions("ec2", partition_name=partition)
]


def test_botocore_knows_regions_of_several_partitions():
    assert {"aws", "aws-cn", "aws-us-gov"} <= {partition for _, partition in _REGIONS}


@pytest.mark.parametrize(("region", "partition"), _REGIONS)
def test_every_region_botocore_knows_is_in_its_partition(region: str, partition: str):
    assert partition_of(region) == partition


@pytest.mark.parametrize(
    ("name", "in_arn"),
    [("Web Server", "web-server"), ("base_image", "base-image"), ("already-fine", "already-fine"), ("A_b C", "a-b-c")],
)
def test_names_are_lower_cased_with_spaces_and_underscores_as_hyphens(name: str, in_arn: str):
    assert normalise_name(name) == in_arn
