"""The fake's events reach moto: its default EventBridge bus (rules and targets), SNS topics, and EC2's AMIs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.events.models import EventPattern

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.event_patterns import matches
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.builds import DEFAULT_DURATIONS

REGION = "us-east-1"
PARENT = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
DEFAULT_BUILDING_STARTS = DEFAULT_DURATIONS["PENDING"] + DEFAULT_DURATIONS["CREATING"]
AVAILABLE = {"source": ["aws.imagebuilder"], "detail": {"state": {"status": ["AVAILABLE"]}}}

pytestmark = pytest.mark.usefixtures("untouched")


@pytest.fixture
def both() -> Iterator[FakeImageBuilder]:
    with mock_aws(), FakeImageBuilder() as fake:
        yield fake


def _pipeline(fake: FakeImageBuilder, topic: str | None = None, **distribution: Any) -> tuple[Any, str]:
    client = boto3.client("imagebuilder", region_name=REGION)
    recipe = client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT)["imageRecipeArn"]
    infra = {"name": "web", "instanceProfileName": "builder", **({"snsTopicArn": topic} if topic else {})}
    infra_arn = client.create_infrastructure_configuration(**infra)["infrastructureConfigurationArn"]
    members = {}
    if distribution:
        members["distributionConfigurationArn"] = client.create_distribution_configuration(
            name="web", distributions=[{"region": REGION, "amiDistributionConfiguration": distribution}]
        )["distributionConfigurationArn"]
    pipeline = client.create_image_pipeline(
        name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra_arn, **members
    )["imagePipelineArn"]
    return client, pipeline


def _queue(name: str) -> tuple[Any, str, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_events_reach_a_moto_rules_sqs_target(both: FakeImageBuilder):
    events = boto3.client("events", region_name=REGION)
    sqs, url, queue_arn = _queue("image-events")
    events.put_rule(Name="images", EventPattern=json.dumps(AVAILABLE))
    events.put_targets(Rule="images", Targets=[{"Id": "queue", "Arn": queue_arn}])
    client, pipeline = _pipeline(both)
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    both.advance(3600)

    [received] = _drain(sqs, url)
    [expected] = [e for e in both.events if e["detail"]["state"]["status"] == "AVAILABLE"]
    assert received["source"] == "aws.imagebuilder" and received["detail-type"] == expected["detail-type"]
    assert received["detail"] == expected["detail"] and received["resources"] == [arn]
    assert received["time"] == expected["time"]


def test_every_state_change_reaches_moto_once_even_when_observed_many_times(both: FakeImageBuilder):
    events = boto3.client("events", region_name=REGION)
    sqs, url, queue_arn = _queue("all-image-events")
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["aws.imagebuilder"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "queue", "Arn": queue_arn}])
    client, pipeline = _pipeline(both)
    both.configure(build_plan=BuildPlan.lasting(100))
    client.start_image_pipeline_execution(imagePipelineArn=pipeline)
    for _ in range(30):
        both.advance(5)
        client.list_image_pipelines()
    received = _drain(sqs, url)
    assert [e["detail"] for e in received] == [e["detail"] for e in both.events]


def test_the_sns_message_reaches_moto_topic_subscribers(both: FakeImageBuilder):
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="image-notices")["TopicArn"]
    sqs, url, queue_arn = _queue("notices")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    client, pipeline = _pipeline(both, topic=topic)
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    both.advance(3600)

    [message] = _drain(sqs, url)
    assert message == both.notifications[0][1]
    assert message["arn"] == arn and message["state"] == {"status": "AVAILABLE"}


def test_a_topic_moto_does_not_have_gets_nothing_and_breaks_nothing(both: FakeImageBuilder):
    client, pipeline = _pipeline(both, topic=f"arn:aws:sns:{REGION}:123456789012:missing")
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    both.advance(3600)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
    assert len(both.notifications) == 1


def test_the_ami_is_registered_in_moto_ec2_with_name_description_and_tags(both: FakeImageBuilder):
    client, pipeline = _pipeline(
        both, description="golden web image", amiTags={"team": "web"}, name="web-{{ imagebuilder:buildDate }}"
    )
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    ec2 = boto3.client("ec2", region_name=REGION)
    both.advance(60)
    assert ec2.describe_images(Owners=["self"])["Images"] == []  # not before it is AVAILABLE
    both.advance(3600)

    [ami] = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    [image] = ec2.describe_images(ImageIds=[ami["image"]])["Images"]
    date = client.get_image(imageBuildVersionArn=arn)["image"]["dateCreated"].replace(":", "-")
    assert image["Name"] == ami["name"] == f"web-{date}"  # the distribution's name, its variable filled in
    assert image["Description"] == "golden web image"
    assert image["OwnerId"] == both.account_id
    tags = {t["Key"]: t["Value"] for t in image["Tags"]}
    assert tags == {"CreatedBy": "EC2 Image Builder", "Ec2ImageBuilderArn": arn, "team": "web"}
    found = ec2.describe_images(Filters=[{"Name": "tag:Ec2ImageBuilderArn", "Values": [arn]}])["Images"]
    assert [i["ImageId"] for i in found] == [ami["image"]]


def test_each_region_of_a_distribution_gets_its_ami_in_moto_ec2(both: FakeImageBuilder):
    client = boto3.client("imagebuilder", region_name=REGION)
    recipe = client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT)["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {"region": REGION, "amiDistributionConfiguration": {"name": "east-{{ imagebuilder:buildVersion }}"}},
            {
                "region": "eu-west-1",
                "amiDistributionConfiguration": {
                    "name": "eu-{{ imagebuilder:buildVersion }}", "description": "copy", "amiTags": {"copy": "yes"}
                },
            },
        ],
    )["distributionConfigurationArn"]
    pipeline = client.create_image_pipeline(
        name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        distributionConfigurationArn=distribution,
    )["imagePipelineArn"]
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    both.advance(3600)

    amis = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    assert [(a["region"], a["name"]) for a in amis] == [(REGION, "east-1"), ("eu-west-1", "eu-1")]
    for ami in amis:
        [image] = boto3.client("ec2", region_name=ami["region"]).describe_images(Owners=["self"])["Images"]
        assert (image["ImageId"], image["Name"]) == (ami["image"], ami["name"])
    [copy] = boto3.client("ec2", region_name="eu-west-1").describe_images(ImageIds=[amis[1]["image"]])["Images"]
    assert copy["Description"] == "copy"
    assert {t["Key"]: t["Value"] for t in copy["Tags"]} == {
        "CreatedBy": "EC2 Image Builder", "Ec2ImageBuilderArn": arn, "copy": "yes"
    }


def test_a_build_made_again_after_a_reset_is_registered_as_a_new_ami(both: FakeImageBuilder):
    # The same ARN after fake.reset() is another build: moto's EC2 gets its AMI too, beside the first one.
    names = []
    for round_ in range(2):
        client, pipeline = _pipeline(both, name=f"round{round_}-{{{{ imagebuilder:buildVersion }}}}")
        arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        both.advance(3600)
        names.append(client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"][0]["name"])
        if round_ == 0:
            both.reset()
    images = boto3.client("ec2", region_name=REGION).describe_images(Owners=["self"])["Images"]
    assert sorted(image["Name"] for image in images) == names == ["round0-1", "round1-1"]
    assert both.subscriber_errors == []


def test_builds_that_ran_before_moto_was_active_reach_it_when_it_is(aws_env: None):
    with FakeImageBuilder() as fake:
        with mock_aws():
            client, pipeline = _pipeline(fake)
        # moto is not active: the build runs, nothing goes to moto.
        arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        fake.advance(3600)
        with mock_aws():
            client.get_image(imageBuildVersionArn=arn)
            images = boto3.client("ec2", region_name=REGION).describe_images(Owners=["self"])["Images"]
            assert len(images) == 1


@pytest.mark.parametrize(
    "pattern",
    [
        AVAILABLE,
        # Matchers moto 5.0 gets right too (its anything-but, and prefix on an array, are broken there).
        {"detail": {"state": {"status": ["BUILDING", "TESTING"]}}},
        {"detail-type": [{"prefix": "EC2 Image Builder"}]},
        {"detail": {"state": {"reason": [{"exists": False}]}}},
        {"detail": {"previous-state": {"status": ["TESTING", "INTEGRATING"]}}},
    ],
)
def test_subscribers_patterns_agree_with_moto_rules(both: FakeImageBuilder, pattern: dict[str, Any]):
    client, pipeline = _pipeline(both)
    client.start_image_pipeline_execution(imagePipelineArn=pipeline)
    both.advance(3600)
    moto_pattern = EventPattern.load(json.dumps(pattern))
    for event in both.events:
        assert matches(pattern, event) is moto_pattern.matches_event(event)


def _all_events_queue(name: str) -> tuple[Any, str]:
    sqs, url, queue_arn = _queue(name)
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name=name, EventPattern=json.dumps({"source": ["aws.imagebuilder"]}))
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue_arn}])
    return sqs, url


@pytest.mark.parametrize("between", ["nothing", "a build outside moto", "a read outside moto"])
def test_a_fresh_mock_aws_sees_only_the_events_of_its_own_lifetime(aws_env: None, between: str):
    with FakeImageBuilder() as fake:
        with mock_aws():
            client, pipeline = _pipeline(fake)
            first = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
            fake.advance(3600)
        if between == "a build outside moto":
            client.start_image_pipeline_execution(imagePipelineArn=pipeline)
            fake.advance(3600)
        elif between == "a read outside moto":
            fake.events  # noqa: B018
        with mock_aws():
            sqs, url = _all_events_queue("fresh")
            third = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
            fake.advance(3600)
            bodies = _drain(sqs, url)
            assert {body["resources"][0] for body in bodies} == {third}
            assert [body["detail"]["state"]["status"] for body in bodies] == [
                "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"
            ]
            # The AMIs of earlier builds exist in this EC2 (as on AWS); only their events are not sent again.
            ami = client.get_image(imageBuildVersionArn=first)["image"]["outputResources"]["amis"][0]["image"]
            images = boto3.client("ec2", region_name=REGION).describe_images(ImageIds=[ami])["Images"]
            assert [i["ImageId"] for i in images] == [ami]


def test_a_build_that_goes_on_into_a_new_mock_aws_sends_it_what_happens_there(aws_env: None):
    with FakeImageBuilder() as fake:
        with mock_aws():
            client, pipeline = _pipeline(fake)
            arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
            fake.advance(DEFAULT_BUILDING_STARTS + 1)  # BUILDING, in the first session
        with mock_aws():
            sqs, url = _all_events_queue("later")
            fake.advance(3600)
            statuses = [body["detail"]["state"]["status"] for body in _drain(sqs, url)]
            assert statuses == ["TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
            assert {e["resources"][0] for e in fake.events} == {arn}


@pytest.mark.skipif(
    "autoDisablePolicy" not in service_model().shape_for("Schedule").members,
    reason="the installed model has no Schedule.autoDisablePolicy (no auto-disable then)",
)
def test_an_automatic_disable_reaches_a_moto_rule(both: FakeImageBuilder):
    sqs, url = _all_events_queue("disables")
    client, pipeline = _pipeline(both)
    current = client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    client.update_image_pipeline(
        imagePipelineArn=pipeline,
        imageRecipeArn=current["imageRecipeArn"],
        infrastructureConfigurationArn=current["infrastructureConfigurationArn"],
        schedule={"scheduleExpression": "rate(1 hour)", "autoDisablePolicy": {"failureCount": 1}},
    )
    both.set_build_plan(BuildPlan.lasting(600, outcome="FAILED"), pipeline)
    both.advance(2 * 3600)
    disabled = [b for b in _drain(sqs, url) if b["detail-type"].endswith("Automatically Disabled")]
    assert [(b["resources"], b["detail"]) for b in disabled] == [([pipeline], {"consecutive-failures": "1"})]
