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
from fakeimagebuilder.service.lifecycle_executions import TARGET_SECONDS
from fakeimagebuilder.service.lifecycle_runs import DAY

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


def test_a_target_accounts_copy_is_registered_in_that_accounts_ec2(both: FakeImageBuilder):
    # The target account owns its copy (user guide manage-distribution-settings.html), so moto's EC2 of that
    # account holds it, and the build's account holds only its own.
    client, pipeline = _pipeline(both, targetAccountIds=["111122223333"])
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    both.advance(3600)

    own, copy = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    [image] = boto3.client("ec2", region_name=REGION).describe_images(Owners=["self"])["Images"]
    assert image["ImageId"] == own["image"]
    role = "arn:aws:iam::111122223333:role/reader"
    sts = boto3.client("sts", region_name=REGION)
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    target = boto3.client(
        "ec2",
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    [image] = target.describe_images(Owners=["self"])["Images"]
    assert (image["ImageId"], image["OwnerId"], copy["accountId"]) == (copy["image"], "111122223333", "111122223333")


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


def _two_region_build(fake: FakeImageBuilder) -> tuple[Any, str, list[dict[str, Any]]]:
    """A finished build that outputs an AMI here and one in eu-west-1: the client, its ARN and its AMIs."""
    client = boto3.client("imagebuilder", region_name=REGION)
    recipe = client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT)["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {"region": REGION, "amiDistributionConfiguration": {}},
            {"region": "eu-west-1", "amiDistributionConfiguration": {}},
        ],
    )["distributionConfigurationArn"]
    arn = client.create_image(
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        distributionConfigurationArn=distribution,
    )["imageBuildVersionArn"]
    fake.advance(3600)
    return client, arn, client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]


def _in_moto(amis: list[dict[str, Any]]) -> list[str]:
    """Which of ``amis`` moto's EC2 (of each one's region) holds."""
    return [
        image["ImageId"]
        for ami in amis
        for image in boto3.client("ec2", region_name=ami["region"]).describe_images(Owners=["self"])["Images"]
        if image["ImageId"] == ami["image"]
    ]


def _snapshots(amis: list[dict[str, Any]]) -> list[str]:
    """The snapshots moto made for ``amis``, those it still has."""
    return [
        snapshot["SnapshotId"]
        for ami in amis
        for snapshot in boto3.client("ec2", region_name=ami["region"]).describe_snapshots(OwnerIds=["self"])[
            "Snapshots"
        ]
        if ami["image"] in snapshot.get("Description", "")
    ]


@pytest.mark.parametrize("snapshots", [True, False])
def test_a_lifecycle_delete_with_amis_deregisters_them_in_every_region(both: FakeImageBuilder, snapshots: bool):
    # User guide image-lifecycle-rules.html: the Delete rule can "deregister associated AMIs or delete the
    # snapshots" (was: the AMIs stayed registered in moto's EC2).
    client, arn, amis = _two_region_build(both)
    assert len(_in_moto(amis)) == 2 and len(_snapshots(amis)) == 2
    client.start_resource_state_update(
        resourceArn=arn,
        state={"status": "DELETED"},
        executionRole="arn:aws:iam::123456789012:role/lifecycle",
        includeResources={"amis": True, "snapshots": snapshots},
    )
    both.advance(TARGET_SECONDS - 1)
    assert len(_in_moto(amis)) == 2  # not before the action applies
    both.advance(1)
    assert _in_moto(amis) == []
    assert len(_snapshots(amis)) == (0 if snapshots else 2)
    assert both.subscriber_errors == []
    with mock_aws():  # a fresh session: a DELETED image's AMIs are not registered in it
        client.list_images()
        assert _in_moto(amis) == []


def test_a_lifecycle_policys_delete_rule_with_amis_deregisters_them(both: FakeImageBuilder):
    client, pipeline = _pipeline(both)
    images = []
    for _ in range(2):
        images.append(client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"])
        both.advance(3600)
    amis = [client.get_image(imageBuildVersionArn=i)["image"]["outputResources"]["amis"][0] for i in images]
    client.create_lifecycle_policy(
        name="tidy",
        executionRole="arn:aws:iam::123456789012:role/lifecycle",
        resourceType="AMI_IMAGE",
        policyDetails=[
            {"action": {"type": "DELETE", "includeResources": {"amis": True}}, "filter": {"type": "COUNT", "value": 1}}
        ],
        resourceSelection={"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
    )
    both.advance(DAY + TARGET_SECONDS)  # the daily run, and the one image it deletes
    assert client.get_image(imageBuildVersionArn=images[0])["image"]["state"]["status"] == "DELETED"
    assert _in_moto(amis) == [amis[1]["image"]]


def test_a_delete_without_amis_and_deprecate_or_disable_leave_the_ami_in_moto(both: FakeImageBuilder):
    # Without amis the AMI stays, as on AWS. moto (5.x) models no deprecation time and no disabled AMI:
    # DEPRECATE and DISABLE with amis leave it as it was there (ledger moto-lifecycle-deprecate).
    client, arn, amis = _two_region_build(both)
    role = "arn:aws:iam::123456789012:role/lifecycle"
    for status in ("DEPRECATED", "DISABLED"):
        client.start_resource_state_update(
            resourceArn=arn, state={"status": status}, executionRole=role, includeResources={"amis": True}
        )
        both.advance(TARGET_SECONDS)
        assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == status
        assert len(_in_moto(amis)) == 2
    client.start_resource_state_update(resourceArn=arn, state={"status": "DELETED"}, executionRole=role)
    both.advance(TARGET_SECONDS)
    assert len(_in_moto(amis)) == 2
    [image] = boto3.client("ec2", region_name=REGION).describe_images(ImageIds=[amis[0]["image"]])["Images"]
    assert image["State"] == "available" and "DeprecationTime" not in image
