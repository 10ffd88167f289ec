"""publish_latest_ami with Image Builder from the fake and EC2, EventBridge, SQS and SSM from moto: no network."""

from __future__ import annotations

import json

import boto3
import pytest
from ami_release import create_pipeline
from ami_release.publish import AVAILABLE_IMAGES, publish_latest_ami
from moto import mock_aws

PARAMETER = "/images/golden-web/latest"

# The fake sends its events to moto in the fake's account: moto's default one.
pytestmark = pytest.mark.imagebuilder(account_id="123456789012")


@pytest.fixture
def aws(imagebuilder_fake):
    with mock_aws():
        yield


def test_the_rules_queue_gets_the_event_and_the_handler_publishes_the_ami(aws, imagebuilder_fake, imagebuilder_client):
    # The wiring as deployed: an EventBridge rule sends matching events to a queue the handler reads.
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="image-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events")
    events.put_rule(Name="available-images", EventPattern=json.dumps(AVAILABLE_IMAGES))
    events.put_targets(Rule="available-images", Targets=[{"Id": "queue", "Arn": queue_arn}])

    pipeline = create_pipeline(imagebuilder_client, "golden-web")
    build = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    imagebuilder_fake.advance(3600)

    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    ami = publish_latest_ami(json.loads(message["Body"]), PARAMETER)

    image = imagebuilder_client.get_image(imageBuildVersionArn=build)["image"]
    assert ami == image["outputResources"]["amis"][0]["image"]
    assert boto3.client("ssm").get_parameter(Name=PARAMETER)["Parameter"]["Value"] == ami


def test_a_subscriber_publishes_each_new_ami_as_it_becomes_available(
    aws, imagebuilder_fake, imagebuilder_client, imagebuilder_events
):
    published = []
    imagebuilder_fake.subscribe(lambda event: published.append(publish_latest_ami(event, PARAMETER)), AVAILABLE_IMAGES)
    pipeline = create_pipeline(imagebuilder_client, "golden-web")
    for _ in range(2):
        imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=pipeline)
        imagebuilder_fake.advance(3600)

    assert len(published) == len(set(published)) == 2
    assert boto3.client("ssm").get_parameter(Name=PARAMETER)["Parameter"]["Value"] == published[-1]
    # Every state change was seen, the two AVAILABLE ones among them.
    assert len(imagebuilder_events.matching(AVAILABLE_IMAGES)) == 2


def test_other_events_publish_nothing(aws, imagebuilder_fake, imagebuilder_client, imagebuilder_events):
    pipeline = create_pipeline(imagebuilder_client, "golden-web")
    build = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    imagebuilder_client.cancel_image_creation(imageBuildVersionArn=build)
    imagebuilder_fake.advance(3600)
    [cancelled] = imagebuilder_events
    assert cancelled["detail"]["state"]["status"] == "CANCELLED"
    assert publish_latest_ami(cancelled, PARAMETER) is None
    with pytest.raises(boto3.client("ssm").exceptions.ParameterNotFound):
        boto3.client("ssm").get_parameter(Name=PARAMETER)
