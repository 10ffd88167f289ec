"""ARN parts the service decides on its own, checked against botocore's data."""

from __future__ import annotations

import botocore.session
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeimagebuilder.service.arns import Arn, normalise_name, partition_of
from fakeimagebuilder.service.state import Scope, Settings

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


@given(
    region=st.sampled_from([region for region, _ in _REGIONS]),
    account=st.from_regex(r"[0-9]{12}", fullmatch=True),
    resource_type=st.sampled_from(["image", "image-recipe", "component", "workflow"]),
    path=st.lists(st.text(alphabet="abc-_.0189xX/ ", min_size=1, max_size=8), min_size=1, max_size=4),
)
def test_a_scopes_arns_are_the_arns_arn_build_writes(region: str, account: str, resource_type: str, path: list[str]):
    scope = Scope(account, region, Settings())
    built = Arn.build(partition_of(region), region, account, resource_type, *path)
    assert scope.arn(resource_type, *path) == str(built)
