"""AWS-managed resources customers reference: images, components, workflows, as AWS shows them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

AWS = "arn:aws:imagebuilder:us-east-1:aws"


@pytest.mark.parametrize(
    "arn",
    [f"{AWS}:image/amazon-linux-2-x86/x.x.x", f"{AWS}:image/amazon-linux-2-x86/2024.x.x"],
)
def test_get_image_of_a_managed_image_resolves_to_its_highest_build(client: Any, arn: str):
    # terraform-provider-aws TestAccImageBuilderImageDataSource_ARN_aws, against real AWS.
    image = client.get_image(imageBuildVersionArn=arn)["image"]

    assert re.fullmatch(rf"{AWS}:image/amazon-linux-2-x86/\d+\.\d+\.\d+/\d+", image["arn"])
    assert image["name"] == "Amazon Linux 2 x86"
    assert image["osVersion"] == "Amazon Linux 2"
    assert image["platform"] == "Linux"
    assert image["enhancedImageMetadataEnabled"] is False
    assert re.fullmatch(r"\d+\.\d+\.\d+/\d+", image["version"])
    [ami] = image["outputResources"]["amis"]
    assert ami["region"] == "us-east-1" and ami["image"].startswith("ami-")
    versions = [
        v["version"]
        for v in client.list_images(owner="Amazon")["imageVersionList"]
        if v["arn"].startswith(f"{AWS}:image/amazon-linux-2-x86/")
    ]
    assert image["version"].split("/")[0] == max(versions, key=lambda v: tuple(map(int, v.split("."))))


def test_the_version_arn_list_images_shows_resolves_in_get_image_and_list_image_build_versions(client: Any):
    listed = client.list_images(owner="Amazon", filters=[{"name": "name", "values": ["Amazon Linux 2 x86"]}])
    assert listed["imageVersionList"], "ListImages(owner=Amazon) names a managed image by its display name"
    version = listed["imageVersionList"][0]
    assert version["name"] == "Amazon Linux 2 x86" and version["owner"] == "Amazon"

    image = client.get_image(imageBuildVersionArn=version["arn"])["image"]
    builds = client.list_image_build_versions(imageVersionArn=version["arn"])["imageSummaryList"]

    assert image["arn"].rsplit("/", 1)[0] == version["arn"]
    assert [b["arn"] for b in builds] == [image["arn"]]
    assert builds[0]["owner"] == "Amazon" and builds[0]["name"] == "Amazon Linux 2 x86"


def test_a_managed_image_that_does_not_exist_is_not_found(client: Any, expect_error: Any):
    with pytest.raises(ClientError) as caught:
        client.get_image(imageBuildVersionArn=f"{AWS}:image/no-such-image/x.x.x")
    expect_error(caught.value, "ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    "arn",
    [
        f"{AWS}:component/update-linux/1.0.0",
        f"{AWS}:component/update-linux/1.0.0/1",
        f"{AWS}:component/update-windows/1.0.1/1",
        f"{AWS}:component/update-windows/1.0.0",
    ],
)
def test_managed_components_keep_their_older_versions(client: Any, arn: str):
    # Pinned as terraform-provider-aws's acceptance tests pin them against real AWS (#23569).
    component = client.get_component(componentBuildVersionArn=arn)["component"]
    assert component["arn"].startswith(arn.removesuffix("/1")) and component["arn"].endswith("/1")
    client.create_image_recipe(
        name="pinned",
        semanticVersion="1.0.0",
        parentImage=f"{AWS}:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": arn}],
    )


def test_a_managed_wildcard_selects_the_highest_of_several_versions(client: Any):
    listed = client.list_components(owner="Amazon", filters=[{"name": "name", "values": ["update-linux"]}])
    versions = sorted(tuple(map(int, c["version"].split("."))) for c in listed["componentVersionList"])
    assert len(versions) >= 2
    newest = client.get_component(componentBuildVersionArn=f"{AWS}:component/update-linux/x.x.x")["component"]
    assert tuple(map(int, newest["version"].split("."))) == versions[-1]
    by_name = client.list_components(
        owner="Amazon", byName=True, filters=[{"name": "name", "values": ["update-linux"]}]
    )
    assert [c["version"] for c in by_name["componentVersionList"]] == [newest["version"]]
    # "You can only list build versions for components that your account owns" (the model's doc, botocore 1.44).
    builds = client.list_component_build_versions(componentVersionArn=f"{AWS}:component/update-linux/1.0.0")
    assert builds["componentSummaryList"] == []


@pytest.mark.parametrize(
    "arn",
    [
        f"{AWS}:component/update-linux/1.0.0/1",
        f"{AWS}:workflow/build/build-image/1.0.3/1",
        f"{AWS}:image/amazon-linux-2-x86/2024.1.1/1",
    ],
)
def test_tags_of_an_aws_managed_resource_read_empty_and_cannot_change(client: Any, expect_error: Any, arn: str):
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    for call, members in (
        (client.tag_resource, {"tags": {"team": "web"}}),
        (client.untag_resource, {"tagKeys": ["team"]}),
    ):
        with pytest.raises(ClientError) as caught:
            call(resourceArn=arn, **members)
        expect_error(caught.value, "InvalidParameterException", 400)
        assert arn in caught.value.response["Error"]["Message"]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_tags_of_an_aws_managed_resource_that_does_not_exist_are_not_found(client: Any, expect_error: Any):
    with pytest.raises(ClientError) as caught:
        client.list_tags_for_resource(resourceArn=f"{AWS}:component/no-such-component/1.0.0/1")
    expect_error(caught.value, "ResourceNotFoundException", 404)
