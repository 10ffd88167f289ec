"""A distribution's launchTemplateConfigurations reach moto's EC2: each named template gets a version with the AMI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from fakeimagebuilder import FakeImageBuilder

REGION = "us-east-1"
OTHER = "eu-west-1"
PARENT = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"  # older models require one
UNKNOWN = "lt-0123456789abcdef0"

pytestmark = pytest.mark.usefixtures("untouched")


@pytest.fixture
def both() -> Iterator[FakeImageBuilder]:
    with mock_aws(), FakeImageBuilder() as fake:
        yield fake


def _template(region: str, name: str) -> str:
    """A moto launch template whose version 1 (its default) runs an older AMI on a t3.micro."""
    ec2 = boto3.client("ec2", region_name=region)
    data = {"ImageId": "ami-0000000000000old1", "InstanceType": "t3.micro", "KeyName": "ops"}
    return ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)["LaunchTemplate"][
        "LaunchTemplateId"
    ]


def _build(fake: FakeImageBuilder, distributions: list[dict[str, Any]]) -> tuple[Any, str]:
    """Run one build of a pipeline with these distributions to AVAILABLE; the client and the image ARN."""
    client = boto3.client("imagebuilder", region_name=REGION)
    recipe = client.create_image_recipe(
        name="web", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    distribution = client.create_distribution_configuration(name="web", distributions=distributions)
    pipeline = client.create_image_pipeline(
        name="web",
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        distributionConfigurationArn=distribution["distributionConfigurationArn"],
    )["imagePipelineArn"]
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
    return client, arn


def _amis(client: Any, arn: str) -> dict[str, str]:
    amis = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    return {ami["region"]: ami["image"] for ami in amis}


def _version(region: str, template: str, which: str) -> dict[str, Any]:
    ec2 = boto3.client("ec2", region_name=region)
    [version] = ec2.describe_launch_template_versions(LaunchTemplateId=template, Versions=[which])[
        "LaunchTemplateVersions"
    ]
    return version


def _default_number(region: str, template: str) -> int:
    ec2 = boto3.client("ec2", region_name=region)
    [found] = ec2.describe_launch_templates(LaunchTemplateIds=[template])["LaunchTemplates"]
    number: int = found["DefaultVersionNumber"]
    return number


def test_each_regions_ami_becomes_the_new_default_version_of_its_launch_template(both: FakeImageBuilder):
    east, west = _template(REGION, "web-east"), _template(OTHER, "web-west")
    client, arn = _build(
        both,
        [
            {
                "region": REGION,
                "amiDistributionConfiguration": {"name": "web-{{ imagebuilder:buildVersion }}"},
                "launchTemplateConfigurations": [{"launchTemplateId": east, "setDefaultVersion": True}],
            },
            {
                "region": OTHER,
                "amiDistributionConfiguration": {},
                # setDefaultVersion left out: Image Builder treats it as true.
                "launchTemplateConfigurations": [{"launchTemplateId": west}],
            },
        ],
    )
    amis = _amis(client, arn)
    for region, template in ((REGION, east), (OTHER, west)):
        default = _version(region, template, "$Default")
        # The template's DefaultVersionNumber, not the version's DefaultVersion flag (always false in moto 5.0.0).
        assert default["VersionNumber"] == 2 == _default_number(region, template)
        data = default["LaunchTemplateData"]
        # The template's settings, with that region's AMI: another region's AMI id would not launch there.
        assert data["ImageId"] == amis[region]
        assert (data["InstanceType"], data["KeyName"]) == ("t3.micro", "ops")
        assert _version(region, template, "1")["LaunchTemplateData"]["ImageId"] == "ami-0000000000000old1"
    assert both.subscriber_errors == []


def test_without_set_default_version_the_new_version_is_latest_but_not_default(both: FakeImageBuilder):
    template = _template(REGION, "web")
    client, arn = _build(
        both,
        [
            {
                "region": REGION,
                "amiDistributionConfiguration": {},
                "launchTemplateConfigurations": [{"launchTemplateId": template, "setDefaultVersion": False}],
            }
        ],
    )
    [described] = boto3.client("ec2", region_name=REGION).describe_launch_templates(LaunchTemplateIds=[template])[
        "LaunchTemplates"
    ]
    assert (described["DefaultVersionNumber"], described["LatestVersionNumber"]) == (1, 2)
    assert _version(REGION, template, "$Latest")["LaunchTemplateData"]["ImageId"] == _amis(client, arn)[REGION]
    assert _version(REGION, template, "$Default")["LaunchTemplateData"]["ImageId"] == "ami-0000000000000old1"


def test_a_template_in_another_account_gets_the_build_accounts_ami(both: FakeImageBuilder):
    # moto keeps each account apart: the template lives in the account the entry names.
    other_account = "210987654321"
    ec2 = boto3.client("ec2", region_name=REGION)
    own = _template(REGION, "web")
    backend = _moto_ec2(other_account)
    theirs = backend.create_launch_template("theirs", "", {"ImageId": "ami-0000000000000old1"}, {}).id
    client, arn = _build(
        both,
        [
            {
                "region": REGION,
                "amiDistributionConfiguration": {},
                "launchTemplateConfigurations": [
                    {"launchTemplateId": own},
                    {"launchTemplateId": theirs, "accountId": other_account},
                ],
            }
        ],
    )
    ami = _amis(client, arn)[REGION]
    assert backend.launch_templates[theirs].default_version().data["ImageId"] == ami
    assert ec2.describe_launch_templates(LaunchTemplateIds=[own])["LaunchTemplates"][0]["DefaultVersionNumber"] == 2


def test_an_unknown_template_is_recorded_not_raised_and_the_rest_is_delivered(both: FakeImageBuilder):
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="available")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="available", EventPattern=json.dumps({"detail": {"state": {"status": ["AVAILABLE"]}}}))
    events.put_targets(Rule="available", Targets=[{"Id": "queue", "Arn": queue}])
    known = _template(REGION, "web")
    client, arn = _build(
        both,
        [
            {
                "region": REGION,
                "amiDistributionConfiguration": {},
                "launchTemplateConfigurations": [{"launchTemplateId": UNKNOWN}, {"launchTemplateId": known}],
            }
        ],
    )
    [failure] = both.subscriber_errors
    assert failure.consumer == "moto delivery" and failure.event["resources"] == [arn]
    assert isinstance(failure.error, LookupError) and UNKNOWN in str(failure.error)
    # The template after it still got its version, and the AVAILABLE event still reached moto's rule.
    assert _version(REGION, known, "$Default")["LaunchTemplateData"]["ImageId"] == _amis(client, arn)[REGION]
    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["resources"] == [arn]
    both.subscriber_errors.clear()


def _moto_ec2(account: str) -> Any:
    from moto.backends import get_backend

    return get_backend("ec2")[account][REGION]  # type: ignore[call-overload]
