"""ListImagePackages (an inventory per OS family) and GetMarketplaceResource (entitlements a test names)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from fakeimagebuilder.model import service_model

PARENTS = {
    "amazon-linux-2-x86": ("bash", "4.2.46-34.amzn2"),
    "amazon-linux-2023-x86": ("bash", "5.2.15-1.amzn2023.0.2"),
    "ubuntu-server-22-lts-x86": ("bash", "5.1-6ubuntu1"),
    "windows-server-2022-english-full-base-x86": ("Amazon SSM Agent", "3.2.1705.0"),
}


def _available(fake: Any, client: Any, make_stack: Any, parent: str, **pipeline: Any) -> str:
    recipe = client.create_image_recipe(
        name=parent,
        semanticVersion="1.0.0",
        parentImage=f"arn:aws:imagebuilder:us-east-1:aws:image/{parent}/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    stack = make_stack(parent, recipe_arn=recipe, **pipeline)
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    return build


def _all(client: Any, build: str) -> list[dict[str, str]]:
    paginator = client.get_paginator("list_image_packages")
    return [p for page in paginator.paginate(imageBuildVersionArn=build) for p in page["imagePackageList"]]


@pytest.mark.parametrize("parent", sorted(PARENTS))
def test_packages_follow_the_os_family(fake: Any, client: Any, make_stack: Any, parent: str) -> None:
    packages = _all(client, _available(fake, client, make_stack, parent))
    name, version = PARENTS[parent]
    assert {"packageName": name, "packageVersion": version} in packages
    names = [p["packageName"] for p in packages]
    assert names == sorted(names, key=str.lower) and len(set(names)) == len(names)
    assert _all(client, client.list_image_build_versions()["imageSummaryList"][0]["arn"]) == packages  # stable


def test_pages_of_at_most_max_results(fake: Any, client: Any, make_stack: Any) -> None:
    build = _available(fake, client, make_stack, "amazon-linux-2-x86")
    first = client.list_image_packages(imageBuildVersionArn=build, maxResults=10)
    second = client.list_image_packages(imageBuildVersionArn=build, maxResults=10, nextToken=first["nextToken"])
    assert len(first["imagePackageList"]) == 10
    assert first["imagePackageList"] + second["imagePackageList"] == _all(client, build)[:20]


def test_no_inventory_before_available_or_without_enhanced_metadata(fake: Any, client: Any, make_stack: Any) -> None:
    stack = make_stack()
    running = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    assert client.list_image_packages(imageBuildVersionArn=running)["imagePackageList"] == []
    # Enhanced metadata is what collects the package list (model doc of enhancedImageMetadataEnabled).
    plain = _available(fake, client, make_stack, "amazon-linux-2-x86", enhancedImageMetadataEnabled=False)
    assert client.list_image_packages(imageBuildVersionArn=plain)["imagePackageList"] == []


def test_an_import_has_no_inventory(fake: Any, client: Any) -> None:
    arn = client.import_vm_image(
        name="vm-base",
        semanticVersion="1.0.0",
        platform="Linux",
        osVersion="Amazon Linux 2",
        vmImportTaskId="import-ami-1234567890abcdef0",
    )["imageArn"]
    fake.advance(3600)
    assert client.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"] == []


def test_missing_or_foreign_image_is_refused(client: Any, expect_error: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.list_image_packages(imageBuildVersionArn="arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1")
    expect_error(caught.value, "ResourceNotFoundException", 404)
    with pytest.raises(client.exceptions.ForbiddenException):
        client.list_image_packages(imageBuildVersionArn="arn:aws:imagebuilder:us-east-1:210987654321:image/x/1.0.0/1")


# -- GetMarketplaceResource ---------------------------------------------------------------

CIS = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/cis-hardening/1.0.0/1"
DOCUMENT = "name: cis\nschemaVersion: 1.0\nphases: []\n"


def test_an_entitled_component_gives_its_data_and_artifacts(fake: Any, client: Any) -> None:
    fake.set_marketplace_components({CIS: DOCUMENT})
    data = client.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=CIS)
    assert data["resourceArn"] == CIS and base64.b64decode(data["data"]).decode() == DOCUMENT
    artifact = client.get_marketplace_resource(
        resourceType="COMPONENT_ARTIFACT", resourceArn=CIS, resourceLocation="s3://seller-bucket/cis/tool.zip"
    )
    assert artifact["url"].startswith("https://seller-bucket.s3.us-east-1.amazonaws.com/cis/tool.zip?")
    assert "X-Amz-Signature=" in artifact["url"] and "data" not in artifact


@pytest.mark.parametrize(
    ("request_members", "code", "status", "words"),
    [
        (
            {"resourceType": "COMPONENT_DATA", "resourceArn": CIS.replace("cis-hardening", "other")},
            "ForbiddenException",
            403,
            "not subscribed",
        ),
        (
            {
                "resourceType": "COMPONENT_DATA",
                "resourceArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1",
            },
            "InvalidRequestException",
            400,
            "not an AWS Marketplace component",
        ),
        (
            {"resourceType": "COMPONENT_ARTIFACT", "resourceArn": CIS},
            "InvalidRequestException",
            400,
            "resourceLocation is required",
        ),
        (
            {"resourceType": "COMPONENT_DATA", "resourceArn": CIS, "resourceLocation": "s3://b/key"},
            "InvalidRequestException",
            400,
            "applies only to COMPONENT_ARTIFACT",
        ),
        (
            {"resourceType": "COMPONENT_DATA", "resourceArn": CIS.replace("us-east-1", "eu-west-1")},
            "InvalidRequestException",
            400,
            "region 'eu-west-1'",
        ),
    ],
)
def test_marketplace_refusals(
    fake: Any, client: Any, expect_error: Any, request_members: dict, code: str, status: int, words: str
) -> None:
    fake.set_marketplace_components({CIS: DOCUMENT})
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.get_marketplace_resource(**request_members)
    expect_error(caught.value, code, status)
    assert words in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("components", "words"),
    [
        ({"arn:aws:imagebuilder:us-east-1:123456789012:component/mine/1.0.0/1": DOCUMENT}, "not a Marketplace"),
        ({"not-an-arn": DOCUMENT}, "not a Marketplace"),
        ({CIS: ""}, "non-empty"),
        ({CIS: "x" * 1000}, "too long"),
        ([CIS], "must be a dict"),
    ],
)
def test_the_marketplace_knob_refuses_what_is_no_component(fake: Any, components: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        fake.set_marketplace_components(components)
    assert fake.settings.marketplace_components == {}


@pytest.mark.skipif(
    "DistributeImage" not in service_model().operation_names, reason="this botocore's model has no DistributeImage"
)
def test_the_readme_example_runs(aws_env: None) -> None:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("### Imports, distributions, packages and scan findings", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md (imports)", "exec"), {})
