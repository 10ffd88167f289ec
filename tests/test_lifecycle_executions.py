"""Lifecycle executions: StartResourceStateUpdate, the daily runs of lifecycle policies, and what images show."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import BuildPlan
from fakeimagebuilder.service.lifecycle_executions import CANCEL_SECONDS, TARGET_SECONDS
from fakeimagebuilder.service.lifecycle_runs import DAY

OPERATIONS = service_model().operation_names

EXECUTION_ID = re.compile(r"^lce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ROLE = "arn:aws:iam::123456789012:role/lifecycle"
BUILD_SECONDS = 3600  # well past a default build (about 20 minutes)


def _build(fake: Any, client: Any, pipeline: str, **start: Any) -> str:
    arn: str = client.start_image_pipeline_execution(imagePipelineArn=pipeline, **start)["imageBuildVersionArn"]
    fake.advance(BUILD_SECONDS)
    return arn


def _status(client: Any, arn: str) -> str:
    status: str = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]
    return status


def _update(client: Any, arn: str, status: str, **members: Any) -> str:
    answer = client.start_resource_state_update(resourceArn=arn, state={"status": status}, **members)
    assert answer["resourceArn"] == arn
    execution: str = answer["lifecycleExecutionId"]
    assert EXECUTION_ID.match(execution)
    return execution


def _execution(client: Any, execution_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    return found


def _policy(client: Any, *rules: dict[str, Any], name: str = "tidy", **members: Any) -> str:
    policy = {
        "name": name,
        "executionRole": ROLE,
        "resourceType": "AMI_IMAGE",
        "policyDetails": list(rules),
        "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
        **members,
    }
    arn: str = client.create_lifecycle_policy(**policy)["lifecyclePolicyArn"]
    return arn


def _rule(action: str, kind: str = "COUNT", value: int = 1, **extra: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"action": {"type": action}, "filter": {"type": kind, "value": value}}
    if kind == "AGE":
        rule["filter"]["unit"] = "DAYS"
    for key, member in extra.items():
        if key == "includeResources":
            rule["action"][key] = member
        elif key == "retainAtLeast":
            rule["filter"][key] = member
        else:
            rule[key] = member
    return rule


def test_a_state_update_deprecates_an_image_when_its_execution_ends(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)
    started = fake.clock.now()

    execution_id = _update(client, image, "DEPRECATED", executionRole=ROLE)

    running = _execution(client, execution_id)
    assert running["state"] == {"status": "IN_PROGRESS"}
    assert running["startTime"].timestamp() == pytest.approx(started, abs=0.01)
    assert "lifecyclePolicyArn" not in running and "endTime" not in running
    assert _status(client, image) == "AVAILABLE"

    fake.advance(TARGET_SECONDS)

    done = _execution(client, execution_id)
    assert done["state"] == {"status": "SUCCESS"}
    assert done["endTime"].timestamp() == pytest.approx(started + TARGET_SECONDS, abs=0.01)
    shown = client.get_image(imageBuildVersionArn=image)["image"]
    assert shown["state"] == {"status": "DEPRECATED"}
    assert shown["lifecycleExecutionId"] == execution_id
    assert shown["deprecationTime"].timestamp() == pytest.approx(started + TARGET_SECONDS, abs=0.01)
    listed = client.list_image_build_versions(imageVersionArn=image.rsplit("/", 1)[0])["imageSummaryList"]
    assert [(s["arn"], s["state"]["status"], s["lifecycleExecutionId"]) for s in listed] == [
        (image, "DEPRECATED", execution_id)
    ]
    resources = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id)
    assert resources["lifecycleExecutionState"] == {"status": "SUCCESS"}
    [resource] = resources["resources"]
    assert (resource["resourceId"], resource["state"], resource["action"]["name"]) == (
        image,
        {"status": "SUCCESS"},
        "DEPRECATE",
    )
    assert (resource["accountId"], resource["region"]) == ("123456789012", "us-east-1")


@pytest.mark.parametrize("status", ["DEPRECATED", "DISABLED"])
def test_own_deprecated_and_disabled_images_stay_in_list_images_but_leave_wildcard_gets(
    fake: Any, client: Any, stack: Any, expect_error: Any, status: str
):
    # Model doc of ListImages.includeDeprecated (botocore 1.44): it includes "deprecated Amazon-managed images";
    # "Deprecated images that you own are always returned." (DISABLED alike: ledger deleted-images-hidden.)
    image = _build(fake, client, stack.pipeline_arn)
    version = image.rsplit("/", 1)[0]
    assert [v["arn"] for v in client.list_images()["imageVersionList"]] == [version]

    _update(client, image, status)
    fake.advance(TARGET_SECONDS)

    assert _status(client, image) == status
    for flag in ({}, {"includeDeprecated": False}, {"includeDeprecated": True}):
        assert [v["arn"] for v in client.list_images(**flag)["imageVersionList"]] == [version]
    with pytest.raises(ClientError) as caught:
        client.get_image(imageBuildVersionArn=version.rsplit("/", 1)[0] + "/x.x.x")
    expect_error(caught.value, "ResourceNotFoundException", 404)


def test_available_again_clears_the_deprecation(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)
    _update(client, image, "DEPRECATED")
    fake.advance(TARGET_SECONDS)

    back = _update(client, image, "AVAILABLE")
    fake.advance(TARGET_SECONDS)

    shown = client.get_image(imageBuildVersionArn=image)["image"]
    assert shown["state"] == {"status": "AVAILABLE"}
    assert shown["lifecycleExecutionId"] == back
    assert "deprecationTime" not in shown


def test_deleted_images_leave_every_list_and_their_amis_go_with_them(fake: Any, client: Any, stack: Any):
    kept = _build(fake, client, stack.pipeline_arn)
    image = _build(fake, client, stack.pipeline_arn)
    ami = client.get_image(imageBuildVersionArn=image)["image"]["outputResources"]["amis"][0]["image"]

    execution_id = _update(client, image, "DELETED", includeResources={"amis": True, "snapshots": True})
    fake.advance(TARGET_SECONDS)

    assert _status(client, image) == "DELETED"
    listed = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert [s["arn"] for s in listed] == [kept]
    assert [s["arn"] for s in client.list_image_build_versions()["imageSummaryList"]] == [kept]
    assert _execution(client, execution_id)["resourcesImpactedSummary"] == {"hasImpactedResources": True}
    [associated] = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, parentResourceId=image)[
        "resources"
    ]
    assert (associated["resourceId"], associated["region"]) == (ami, "us-east-1")
    assert associated["action"]["name"] == "DELETE"
    [snapshot] = associated["snapshots"]
    assert snapshot["snapshotId"].startswith("snap-") and snapshot["state"] == {"status": "SUCCESS"}


def test_a_delete_with_amis_lists_the_ami_of_every_region_the_image_outputs_to(fake: Any, client: Any, make_stack: Any):
    # The image's associated AMIs are all it distributed (was: only the one in its own region).
    distribution = client.create_distribution_configuration(
        name="two",
        distributions=[
            {"region": "us-east-1", "amiDistributionConfiguration": {}},
            {"region": "eu-west-1", "amiDistributionConfiguration": {}},
        ],
    )["distributionConfigurationArn"]
    image = _build(fake, client, make_stack(distributionConfigurationArn=distribution).pipeline_arn)
    amis = client.get_image(imageBuildVersionArn=image)["image"]["outputResources"]["amis"]

    execution_id = _update(client, image, "DELETED", includeResources={"amis": True})
    fake.advance(TARGET_SECONDS)

    associated = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, parentResourceId=image)
    assert [(r["resourceId"], r["region"]) for r in associated["resources"]] == [
        (ami["image"], ami["region"]) for ami in amis
    ]
    assert [ami["region"] for ami in amis] == ["us-east-1", "eu-west-1"]


def test_without_included_resources_nothing_else_is_impacted(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)

    execution_id = _update(client, image, "DISABLED")

    assert _execution(client, execution_id)["resourcesImpactedSummary"] == {"hasImpactedResources": False}
    answer = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, parentResourceId=image)
    assert answer["resources"] == []


@pytest.mark.parametrize(
    ("status", "members", "mentioned"),
    [
        ("DELETED", {"includeResources": {"snapshots": True}}, "snapshots can only be included together with AMIs"),
        ("DEPRECATED", {"includeResources": {"amis": True, "snapshots": True}}, "can include AMIs only"),
        ("DELETED", {"includeResources": {"containers": True}}, "containers do not apply to an AMI image"),
    ],
)
def test_included_resources_are_checked(
    fake: Any, client: Any, stack: Any, expect_error: Any, status: str, members: dict[str, Any], mentioned: str
):
    image = _build(fake, client, stack.pipeline_arn)

    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(resourceArn=image, state={"status": status}, **members)

    expect_error(caught.value, "InvalidRequestException", 400)
    assert mentioned in caught.value.response["Error"]["Message"]
    assert client.list_lifecycle_executions(resourceArn=image)["lifecycleExecutions"] == []


def test_an_image_still_building_cannot_change_state(fake: Any, client: Any, stack: Any, expect_error: Any):
    image = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(resourceArn=image, state={"status": "DELETED"})

    expect_error(caught.value, "InvalidRequestException", 400)
    assert "only an image in AVAILABLE, DEPRECATED, DISABLED, FAILED or CANCELLED" in str(caught.value)


def test_a_failed_or_cancelled_image_can_only_be_deleted(fake: Any, client: Any, stack: Any, expect_error: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    failed = _build(fake, client, stack.pipeline_arn)

    for status in ("AVAILABLE", "DEPRECATED", "DISABLED"):
        with pytest.raises(ClientError) as caught:
            client.start_resource_state_update(resourceArn=failed, state={"status": status})
        expect_error(caught.value, "InvalidRequestException", 400)
        assert "can only change to DELETED" in str(caught.value)

    _update(client, failed, "DELETED")
    fake.advance(TARGET_SECONDS)
    assert _status(client, failed) == "DELETED"

    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(resourceArn=failed, state={"status": "DELETED"})
    expect_error(caught.value, "InvalidRequestException", 400)
    assert "DELETED; its state can no longer change" in str(caught.value)


@pytest.mark.skipif("DistributeImage" not in OPERATIONS, reason="the installed botocore models no DistributeImage")
def test_a_deleted_image_is_no_source_for_distribute_image_by_any_name(
    fake: Any, client: Any, stack: Any, expect_error: Any
):
    # DistributeImage reads the image's status, not its build's (was: it copied a DELETED image as AVAILABLE).
    image = _build(fake, client, stack.pipeline_arn)
    ami = client.get_image(imageBuildVersionArn=image)["image"]["outputResources"]["amis"][0]["image"]
    distribution = client.create_distribution_configuration(
        name="copy", distributions=[{"region": "us-east-1", "amiDistributionConfiguration": {}}]
    )["distributionConfigurationArn"]
    _update(client, image, "DELETED", includeResources={"amis": True})
    fake.advance(TARGET_SECONDS)

    refusals = {image: ("InvalidRequestException", 400), image.rsplit("/", 1)[0]: ("ResourceNotFoundException", 404)}
    refusals[ami] = ("ResourceNotFoundException", 404)
    for source, (code, status) in refusals.items():
        with pytest.raises(ClientError) as caught:
            client.distribute_image(sourceImage=source, distributionConfigurationArn=distribution, executionRole="r")
        expect_error(caught.value, code, status)
    assert client.list_image_build_versions()["imageSummaryList"] == []


@pytest.mark.skipif("RetryImage" not in OPERATIONS, reason="the installed botocore models no RetryImage")
def test_a_failed_image_a_lifecycle_action_deleted_cannot_be_retried(
    fake: Any, client: Any, stack: Any, expect_error: Any
):
    # RetryImage reads the image's status: a FAILED build that was DELETED since is DELETED (was: it ran again).
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    failed = _build(fake, client, stack.pipeline_arn)
    _update(client, failed, "DELETED")
    fake.advance(TARGET_SECONDS)
    fake.set_build_plan(BuildPlan())

    with pytest.raises(ClientError) as caught:
        client.retry_image(imageBuildVersionArn=failed)
    expect_error(caught.value, "InvalidRequestException", 400)
    assert "in status DELETED" in str(caught.value)
    fake.advance(BUILD_SECONDS)
    assert _status(client, failed) == "DELETED"


def test_a_deleted_image_lists_no_packages_while_a_deprecated_one_keeps_them(fake: Any, client: Any, stack: Any):
    deprecated, deleted = _build(fake, client, stack.pipeline_arn), _build(fake, client, stack.pipeline_arn)
    inventory = client.list_image_packages(imageBuildVersionArn=deleted)["imagePackageList"]
    assert inventory

    _update(client, deprecated, "DEPRECATED")
    _update(client, deleted, "DELETED")
    fake.advance(TARGET_SECONDS)

    assert client.list_image_packages(imageBuildVersionArn=deprecated)["imagePackageList"] == inventory
    assert client.list_image_packages(imageBuildVersionArn=deleted)["imagePackageList"] == []


def test_an_image_another_execution_acts_on_is_in_use(fake: Any, client: Any, stack: Any, expect_error: Any):
    image = _build(fake, client, stack.pipeline_arn)
    first = _update(client, image, "DEPRECATED")

    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(resourceArn=image, state={"status": "DISABLED"})

    expect_error(caught.value, "ResourceInUseException", 400)
    assert first in str(caught.value)
    fake.advance(TARGET_SECONDS)
    _update(client, image, "DISABLED")


@pytest.mark.skipif(
    "RetryImage" not in service_model().operation_names, reason="the installed botocore model has no RetryImage"
)
def test_an_image_an_update_waits_to_act_on_cannot_be_retried(fake: Any, client: Any, stack: Any, expect_error: Any):
    """A state update waiting on its updateAt would act on the retried build mid-flight: the retry is in use."""
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    image = _build(fake, client, stack.pipeline_arn)
    fake.set_build_plan(BuildPlan())
    created = client.get_image(imageBuildVersionArn=image)["image"]["dateCreated"]
    later = datetime.fromisoformat(created.replace("Z", "+00:00")) + timedelta(seconds=BUILD_SECONDS + 120)
    waiting = _update(client, image, "DELETED", updateAt=later)

    with pytest.raises(ClientError) as caught:
        client.retry_image(imageBuildVersionArn=image)

    expect_error(caught.value, "ResourceInUseException", 400)
    assert waiting in str(caught.value)
    assert _status(client, image) == "FAILED"
    fake.advance(120 + TARGET_SECONDS)
    assert _status(client, image) == "DELETED"


def test_a_missing_image_is_not_found(client: Any, expect_error: Any):
    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(
            resourceArn="arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/7", state={"status": "DELETED"}
        )
    expect_error(caught.value, "ResourceNotFoundException", 404)


def test_a_container_image_can_only_be_deleted(fake: Any, client: Any, expect_error: Any):
    recipe = client.create_container_recipe(
        containerType="DOCKER",
        name="box",
        semanticVersion="1.0.0",
        parentImage="amazonlinux:latest",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
        dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n",
        targetRepository={"service": "ECR", "repositoryName": "web"},
    )["containerRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="box", instanceProfileName="builder")
    pipeline = client.create_image_pipeline(
        name="box",
        containerRecipeArn=recipe,
        infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
    )["imagePipelineArn"]
    image = _build(fake, client, pipeline)

    with pytest.raises(ClientError) as caught:
        client.start_resource_state_update(resourceArn=image, state={"status": "DEPRECATED"})
    expect_error(caught.value, "InvalidRequestException", 400)

    execution_id = _update(client, image, "DELETED", includeResources={"containers": True})
    fake.advance(TARGET_SECONDS)
    [pushed] = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, parentResourceId=image)[
        "resources"
    ]
    assert pushed["imageUris"] == ["123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0-1"]
    assert _status(client, image) == "DELETED"


def test_update_at_holds_the_execution_pending_until_then(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)
    later = float(int(fake.clock.now()) + 3600)  # botocore sends timestamps in whole seconds

    execution_id = _update(client, image, "DEPRECATED", updateAt=later)

    assert _execution(client, execution_id)["state"] == {"status": "PENDING"}
    fake.advance(3600 + TARGET_SECONDS)
    assert _execution(client, execution_id)["state"] == {"status": "SUCCESS"}
    shown = client.get_image(imageBuildVersionArn=image)["image"]
    assert shown["deprecationTime"].timestamp() == pytest.approx(later + TARGET_SECONDS, abs=0.01)


def test_a_cancelled_execution_changes_nothing_it_had_not_done(fake: Any, client: Any, stack: Any, expect_error: Any):
    image = _build(fake, client, stack.pipeline_arn)
    execution_id = _update(client, image, "DELETED", updateAt=fake.clock.now() + 600)

    answer = client.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)

    assert answer["lifecycleExecutionId"] == execution_id
    assert _execution(client, execution_id)["state"] == {"status": "CANCELLING"}
    fake.advance(CANCEL_SECONDS)
    assert _execution(client, execution_id)["state"] == {"status": "CANCELLED"}
    fake.advance(3600)
    assert _status(client, image) == "AVAILABLE"
    [resource] = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id)["resources"]
    assert resource["state"]["status"] == "SKIPPED"
    with pytest.raises(ClientError) as caught:
        client.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)
    expect_error(caught.value, "InvalidRequestException", 400)
    assert "is CANCELLED; only an execution that is PENDING or IN_PROGRESS can be cancelled" in str(caught.value)


def test_a_cancel_shows_what_ran_what_it_stopped_and_what_never_began(fake: Any, client: Any, stack: Any):
    # The model's LifecycleExecutionResourceStatus has no queued status: an action waiting for its turn is not
    # listed as IN_PROGRESS. After a cancel every time is one that happened, none after the execution's end.
    [first, second, third, _] = [_build(fake, client, stack.pipeline_arn) for _ in range(4)]
    policy = _policy(client, _rule("DELETE", "COUNT", 1))
    fake.advance(DAY + 1.5 * TARGET_SECONDS)  # the first action done, the second half-way, the third waiting
    [execution] = client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    execution_id = execution["lifecycleExecutionId"]

    def resources() -> dict[str, dict[str, Any]]:
        listed = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id)["resources"]
        return {resource["resourceId"]: resource for resource in listed}

    before = resources()
    assert [(arn, before[arn]["state"]["status"]) for arn in before] == [(first, "SUCCESS"), (second, "IN_PROGRESS")]
    assert before[second]["startTime"] == before[first]["endTime"]
    cancelled_at = fake.clock.now()
    client.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)
    fake.advance(CANCEL_SECONDS + 3 * TARGET_SECONDS)

    end = _execution(client, execution_id)["endTime"].timestamp()
    after = resources()
    assert [after[arn]["state"]["status"] for arn in (first, second, third)] == ["SUCCESS", "SKIPPED", "SKIPPED"]
    assert "while this action ran" in after[second]["state"]["reason"]
    stopped = after[second]
    assert stopped["startTime"] == before[second]["startTime"]
    # Older botocore parses a timestamp to whole microseconds: the cancel's instant, to within one.
    assert stopped["endTime"].timestamp() == pytest.approx(cancelled_at, abs=1e-6)
    assert "before this action ran" in after[third]["state"]["reason"]
    assert "startTime" not in after[third] and "endTime" not in after[third]
    times = [r[key].timestamp() for r in after.values() for key in ("startTime", "endTime") if key in r]
    assert max(times) <= end
    assert [_status(client, arn) for arn in (first, second, third)] == ["DELETED", "AVAILABLE", "AVAILABLE"]


def test_a_finished_execution_cannot_be_cancelled(fake: Any, client: Any, stack: Any, expect_error: Any):
    image = _build(fake, client, stack.pipeline_arn)
    execution_id = _update(client, image, "DEPRECATED")
    fake.advance(TARGET_SECONDS)

    with pytest.raises(ClientError) as caught:
        client.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)

    expect_error(caught.value, "InvalidRequestException", 400)
    assert _status(client, image) == "DEPRECATED"


def test_an_unknown_execution_is_not_found(client: Any, expect_error: Any):
    missing = "lce-01234567-89ab-cdef-0123-456789abcdef"
    for call in (
        lambda: client.get_lifecycle_execution(lifecycleExecutionId=missing),
        lambda: client.list_lifecycle_execution_resources(lifecycleExecutionId=missing),
        lambda: client.cancel_lifecycle_execution(lifecycleExecutionId=missing),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        expect_error(caught.value, "ResourceNotFoundException", 404)


def test_a_policy_runs_once_a_day_from_a_day_after_it_was_made(fake: Any, client: Any, stack: Any):
    images = [_build(fake, client, stack.pipeline_arn) for _ in range(3)]
    made = fake.clock.now()
    policy = _policy(client, _rule("DEPRECATE", "COUNT", 1))

    fake.advance(DAY - 1)
    assert client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"] == []
    assert "dateLastRun" not in client.get_lifecycle_policy(lifecyclePolicyArn=policy)["lifecyclePolicy"]

    fake.advance(1 + 2 * TARGET_SECONDS)

    [run] = client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    assert run["lifecyclePolicyArn"] == policy and run["state"] == {"status": "SUCCESS"}
    assert run["startTime"].timestamp() == pytest.approx(made + DAY, abs=0.01)
    document = client.get_lifecycle_policy(lifecyclePolicyArn=policy)["lifecyclePolicy"]
    assert document["dateLastRun"].timestamp() == pytest.approx(made + DAY, abs=0.01)
    assert [_status(client, i) for i in images] == ["DEPRECATED", "DEPRECATED", "AVAILABLE"]
    resources = client.list_lifecycle_execution_resources(lifecycleExecutionId=run["lifecycleExecutionId"])
    assert [r["resourceId"] for r in resources["resources"]] == images[:2]  # oldest first
    assert {r["action"]["name"] for r in resources["resources"]} == {"DEPRECATE"}

    fake.advance(2 * DAY)

    runs = client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    assert [r["startTime"].timestamp() for r in runs] == pytest.approx([made + 3 * DAY, made + 2 * DAY, made + DAY])
    later = client.list_lifecycle_execution_resources(lifecycleExecutionId=runs[0]["lifecycleExecutionId"])
    assert later["resources"] == []  # nothing left to move on
    assert [e["lifecycleExecutionId"] for e in client.list_lifecycle_executions(resourceArn=images[0])[
        "lifecycleExecutions"
    ]] == [run["lifecycleExecutionId"]]


def test_the_strongest_rule_that_picks_an_image_wins(fake: Any, client: Any, stack: Any):
    images = [_build(fake, client, stack.pipeline_arn) for _ in range(4)]
    _policy(
        client,
        _rule("DEPRECATE", "COUNT", 1),
        _rule("DISABLE", "COUNT", 2),
        _rule("DELETE", "COUNT", 3, includeResources={"amis": True}),
    )

    fake.advance(DAY + 4 * TARGET_SECONDS)

    assert [_status(client, i) for i in images] == ["DELETED", "DISABLED", "DEPRECATED", "AVAILABLE"]


def test_age_rules_keep_the_newest_retain_at_least(fake: Any, client: Any, stack: Any):
    images = [_build(fake, client, stack.pipeline_arn) for _ in range(3)]
    _policy(client, _rule("DELETE", "AGE", 2, retainAtLeast=2))

    fake.advance(DAY + TARGET_SECONDS)  # the images are a day old: none is old enough
    assert [_status(client, i) for i in images] == ["AVAILABLE"] * 3

    fake.advance(DAY + TARGET_SECONDS)  # two days old: all but the newest two go

    assert [_status(client, i) for i in images] == ["DELETED", "AVAILABLE", "AVAILABLE"]


def test_a_disabled_policy_does_not_run(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)
    policy = _policy(client, _rule("DEPRECATE", "COUNT", 1), status="DISABLED")
    _build(fake, client, stack.pipeline_arn)

    fake.advance(3 * DAY)

    assert client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"] == []
    assert _status(client, image) == "AVAILABLE"


def test_tags_select_and_exclude(fake: Any, client: Any, stack: Any):
    plain = _build(fake, client, stack.pipeline_arn)
    kept = _build(fake, client, stack.pipeline_arn, tags={"tier": "old", "keep": "yes"})
    old = _build(fake, client, stack.pipeline_arn, tags={"tier": "old"})
    newest = _build(fake, client, stack.pipeline_arn, tags={"tier": "old"})
    rule = _rule("DEPRECATE", "COUNT", 1, exclusionRules={"tagMap": {"keep": "yes"}})
    _policy(client, rule, resourceSelection={"tagMap": {"tier": "old"}})

    fake.advance(DAY + TARGET_SECONDS)

    assert [_status(client, i) for i in (plain, kept, old, newest)] == [
        "AVAILABLE",
        "AVAILABLE",
        "DEPRECATED",
        "AVAILABLE",
    ]


def test_an_ami_exclusion_rule_skips_the_image(fake: Any, client: Any, stack: Any):
    image = _build(fake, client, stack.pipeline_arn)
    _build(fake, client, stack.pipeline_arn)
    rule = _rule("DELETE", "COUNT", 1, exclusionRules={"amis": {"regions": ["us-east-1"]}})
    policy = _policy(client, rule)

    fake.advance(DAY + TARGET_SECONDS)

    assert _status(client, image) == "AVAILABLE"
    [run] = client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    [resource] = client.list_lifecycle_execution_resources(lifecycleExecutionId=run["lifecycleExecutionId"])[
        "resources"
    ]
    assert resource["resourceId"] == image and resource["state"]["status"] == "SKIPPED"
    assert "excluded region" in resource["state"]["reason"]


@pytest.mark.parametrize("steps", [[5 * DAY], [3600.0] * 120])
def test_runs_do_not_depend_on_when_the_clock_is_read(fake: Any, client: Any, stack: Any, steps: list[float]):
    images = [_build(fake, client, stack.pipeline_arn) for _ in range(3)]
    made = fake.clock.now()
    policy = _policy(client, _rule("DEPRECATE", "COUNT", 2), _rule("DELETE", "AGE", 3))

    for step in steps:  # one jump, or a read every virtual hour
        fake.advance(step)
        client.list_images()

    runs = client.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    assert [r["startTime"].timestamp() - made for r in reversed(runs)] == pytest.approx([DAY * n for n in range(1, 6)])
    assert [_status(client, i) for i in images] == ["DELETED"] * 3
    actions = [
        [
            (r["resourceId"], r["action"]["name"])
            for r in client.list_lifecycle_execution_resources(lifecycleExecutionId=run["lifecycleExecutionId"])[
                "resources"
            ]
        ]
        for run in reversed(runs)
    ]
    assert actions == [[(images[0], "DEPRECATE")], [], [(i, "DELETE") for i in images], [], []]


def test_the_readme_example_runs(aws_env: None):
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Lifecycle policies and state updates") :]
    block = re.search(r"```python\n(.*?)```", section, re.S)

    assert block is not None
    exec(compile(block.group(1), "README.md", "exec"), {})  # its asserts are the test


def test_executions_survive_a_state_file_reopen(aws_env: None, tmp_path: Path):
    path = tmp_path / "state.journal"
    first = FakeImageBuilder.from_state_file(path, speed=0)
    with first:
        client = boto3.client("imagebuilder", region_name="us-east-1")
        recipe = client.create_image_recipe(
            name="web",
            semanticVersion="1.0.0",
            parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
            components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
        )["imageRecipeArn"]
        infrastructure = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
        pipeline = client.create_image_pipeline(
            name="web",
            imageRecipeArn=recipe,
            infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
        )["imagePipelineArn"]
        image = _build(first, client, pipeline)
        execution_id = _update(client, image, "DISABLED")
        first.advance(TARGET_SECONDS)
        before = client.get_image(imageBuildVersionArn=image)["image"]
    assert first.journal is not None
    first.journal.close()

    reopened = FakeImageBuilder.from_state_file(path, speed=0)
    try:
        with reopened:
            client = boto3.client("imagebuilder", region_name="us-east-1")
            assert client.get_image(imageBuildVersionArn=image)["image"] == before
            assert _execution(client, execution_id)["state"] == {"status": "SUCCESS"}
    finally:
        assert reopened.journal is not None
        reopened.journal.close()
