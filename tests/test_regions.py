"""A mistyped region is refused, not silently opened as a new empty namespace (unless a knob allows it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import known_regions

ROOT = Path(__file__).resolve().parents[1]
ONE_TRY = Config(retries={"total_max_attempts": 1})


def _client(region: str):
    return boto3.client(
        "imagebuilder", region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing", config=ONE_TRY
    )


def test_known_regions_come_from_botocore_s_endpoint_data():
    assert {"us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1"} <= known_regions()
    assert "us-east-one" not in known_regions()


def test_a_request_for_an_unknown_region_answers_a_clear_403(aws_env: None):
    with FakeImageBuilder() as fake:
        with pytest.raises(_client("us-east-one").exceptions.ClientError) as refused:
            _client("us-east-one").list_image_pipelines()
        _client("us-east-1").list_image_pipelines()

        error = refused.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert error["Error"]["Code"] == "InvalidSignatureException"
        assert error["Error"]["Message"].startswith(
            "Credential should be scoped to a valid region, not 'us-east-one'."
        )
        assert "allow_unknown_regions=True" in error["Error"]["Message"]
        # Nothing was made for the typo: no scope, no state.
        assert [(s.account, s.region) for s in fake.service.scopes()] == [("123456789012", "us-east-1")]


def test_every_region_botocore_knows_is_served(aws_env: None):
    with FakeImageBuilder():
        for region in ("eu-south-2", "ap-southeast-5", "us-gov-west-1"):
            if region in known_regions():
                assert _client(region).list_image_pipelines()["imagePipelineList"] == []


def test_the_knob_allows_an_unknown_region(aws_env: None):
    with FakeImageBuilder(region="xx-local-1", allow_unknown_regions=True) as fake:
        client = _client("us-east-one")
        client.create_infrastructure_configuration(name="web", instanceProfileName="builder")

        assert fake.region == "xx-local-1"
        listed = client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]
        assert [c["name"] for c in listed] == ["web"]
        assert ("123456789012", "us-east-one") in {(s.account, s.region) for s in fake.service.scopes()}


def test_configure_switches_the_knob_on_a_running_fake(aws_env: None):
    with FakeImageBuilder() as fake:
        fake.configure(allow_unknown_regions=True)
        assert _client("us-east-one").list_image_pipelines()["imagePipelineList"] == []

        fake.configure(allow_unknown_regions=False)
        with pytest.raises(_client("us-east-one").exceptions.ClientError, match="InvalidSignatureException"):
            _client("us-east-one").list_image_pipelines()


@pytest.mark.parametrize("value", ["no", 0, None])
def test_the_knob_takes_true_or_false_only(value: object):
    # A string such as "no" is truthy: taken as it stands, it would have allowed every region.
    with pytest.raises(ValueError, match=f"allow_unknown_regions must be True or False, not {value!r}"):
        FakeImageBuilder(allow_unknown_regions=value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allow_unknown_regions must be True or False"):
        FakeImageBuilder().configure(allow_unknown_regions=value)  # type: ignore[arg-type]


def test_an_unknown_default_region_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"region 'us-east-one' is not in the installed botocore's endpoint data"):
        FakeImageBuilder(region="us-east-one")


def test_serve_refuses_an_unknown_region_in_one_line():
    run = subprocess.run(
        [sys.executable, "-m", "fakeimagebuilder", "serve", "--region", "us-east-one", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "fakeimagebuilder serve: --region us-east-one is not a region of the installed botocore's endpoint data "
        "(a typo?); --allow-unknown-regions accepts it"
    ]
