"""Scheduled pipelines through boto3: runs at the named instants, dateNextRun, start conditions, auto-disable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.clock import LATEST, VirtualClock
from fakeimagebuilder.model import service_model

# A fixed start (2026-01-05T00:00:30Z, a Monday), so the instants a schedule names do not depend on the day the
# tests run.
START = dt.datetime(2026, 1, 5, 0, 0, 30, tzinfo=dt.UTC).timestamp()
EVERY_HOUR = {"scheduleExpression": "rate(1 hour)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
HAS_AUTO_DISABLE = "autoDisablePolicy" in service_model().shape_for("Schedule").members


@pytest.fixture
def fake(aws_env: None) -> Iterator[FakeImageBuilder]:
    """An active fake whose clock starts at START."""
    with FakeImageBuilder(clock=VirtualClock(start=START)) as active:
        yield active


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _images(client: Any, pipeline_arn: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator("list_image_pipeline_images")
    return [s for page in paginator.paginate(imagePipelineArn=pipeline_arn) for s in page["imageSummaryList"]]


def test_a_rate_schedule_starts_scheduled_builds_at_its_instants(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule=EVERY_HOUR)
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["dateNextRun"] == _iso(START + 3600)
    assert _images(client, stack.pipeline_arn) == []

    fake.advance(86400)

    images = _images(client, stack.pipeline_arn)
    assert len(images) == 24
    assert {i["buildType"] for i in images} == {"SCHEDULED"}
    assert sorted(i["dateCreated"] for i in images) == [_iso(START + 3600 * k) for k in range(1, 25)]
    # Numbered in time order; each build moved on from its own start, so all but the newest are done.
    assert [i["version"] for i in images] == [f"1.0.0/{n}" for n in range(24, 0, -1)]
    assert [i["state"]["status"] for i in images[1:]] == ["AVAILABLE"] * 23
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["dateNextRun"] == _iso(START + 25 * 3600)
    assert pipeline["lastRunStatus"] == images[0]["state"]["status"]


def test_scheduled_runs_do_not_depend_on_when_the_clock_is_read(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule=EVERY_HOUR)
    for _ in range(96):  # a day in 15-minute reads
        fake.advance(900)
        client.list_image_pipelines()
    stepped = [(i["arn"], i["dateCreated"], i["state"]["status"]) for i in _images(client, stack.pipeline_arn)]

    fake.reset()
    stack = make_stack(schedule=EVERY_HOUR)
    fake.advance(86400)  # the same virtual day, not read in between: the same builds at the same instants
    at_once = [(i["arn"], i["dateCreated"], i["state"]["status"]) for i in _images(client, stack.pipeline_arn)]

    assert len(stepped) == len(at_once) == 24
    assert [b[2] for b in stepped] == [b[2] for b in at_once]
    assert [b[0].rsplit("/", 1)[1] for b in stepped] == [b[0].rsplit("/", 1)[1] for b in at_once]


def test_cron_in_a_time_zone_runs_at_wall_clock_instants(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(
        schedule={
            "scheduleExpression": "cron(0 9 ? * MON-FRI *)",
            "timezone": "America/New_York",
            "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY",
        }
    )
    # 09:00 in New York in January is 14:00 UTC; Monday January 5 is the first.
    first = dt.datetime(2026, 1, 5, 14, 0, tzinfo=dt.UTC).timestamp()
    assert client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]["dateNextRun"] == _iso(
        first
    )

    fake.advance(7 * 86400)

    created = sorted(i["dateCreated"] for i in _images(client, stack.pipeline_arn))
    assert created == [_iso(first + day * 86400) for day in range(5)]  # Monday to Friday, not the weekend


def test_a_run_past_the_year_9999_is_no_next_run(fake: Any, client: Any, make_stack: Any):
    # The longest rate accepted: its first run, counted from 2026, would fall after 9999-12-31.
    stack = make_stack(schedule={**EVERY_HOUR, "scheduleExpression": "rate(2932896 days)"})

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert "dateNextRun" not in pipeline and pipeline["schedule"]["scheduleExpression"] == "rate(2932896 days)"
    assert [p["name"] for p in client.list_image_pipelines()["imagePipelineList"]] == ["web"]
    assert "dateNextRun" not in fake.state()["123456789012"]["us-east-1"]["imagePipelines"][0]


def test_a_disabled_pipeline_runs_no_schedule(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule=EVERY_HOUR, status="DISABLED")
    assert "dateNextRun" not in client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    fake.advance(86400)
    assert _images(client, stack.pipeline_arn) == []

    client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        schedule=EVERY_HOUR,
        status="ENABLED",
    )
    fake.advance(3 * 3600)

    # Enabled again: the rate counts from the update; the disabled day is not made up for.
    assert len(_images(client, stack.pipeline_arn)) == 3


def test_by_default_a_schedule_builds_only_when_a_dependency_is_newer(fake: Any, client: Any, make_stack: Any):
    # The parent image is one of the account's own images, by version wildcard: a newer build of it is an update.
    base = make_stack("base")
    first_base = client.create_image(
        imageRecipeArn=base.recipe_arn, infrastructureConfigurationArn=base.infrastructure_arn
    )["imageBuildVersionArn"]
    fake.advance(3600)  # the base build is AVAILABLE
    recipe = _recipe_on_base(client)
    app = make_stack("app", recipe_arn=recipe, schedule={"scheduleExpression": "rate(1 hour)"})
    pipeline = client.get_image_pipeline(imagePipelineArn=app.pipeline_arn)["imagePipeline"]
    assert "pipelineExecutionStartCondition" not in pipeline["schedule"]  # the default is not written back

    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 1  # the first run builds; then nothing is newer

    client.create_image(imageRecipeArn=base.recipe_arn, infrastructureConfigurationArn=base.infrastructure_arn)
    fake.advance(3 * 3600)  # the newer base build becomes AVAILABLE before the next run

    images = _images(client, app.pipeline_arn)
    assert len(images) == 2 and {i["buildType"] for i in images} == {"SCHEDULED"}
    assert first_base.endswith("/1")


def _recipe_on_base(client: Any) -> str:
    """A recipe 'app' whose parent is the account's own image 'base', by version wildcard."""
    return client.create_image_recipe(  # type: ignore[no-any-return]
        name="app",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:123456789012:image/base/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]


def test_a_newer_parent_a_lifecycle_action_deleted_is_no_dependency_update(fake: Any, client: Any, make_stack: Any):
    # The parent resolves among AVAILABLE images only (was: a DELETED newer base build counted as an update).
    base = make_stack("base")
    client.start_image_pipeline_execution(imagePipelineArn=base.pipeline_arn)
    fake.advance(3600)
    recipe = _recipe_on_base(client)
    app = make_stack("app", recipe_arn=recipe, schedule={"scheduleExpression": "rate(1 day)"})
    fake.advance(86400)
    assert len(_images(client, app.pipeline_arn)) == 1

    # Built and DELETED between two daily runs: no run saw it AVAILABLE.
    newer = client.start_image_pipeline_execution(imagePipelineArn=base.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    client.start_resource_state_update(resourceArn=newer, state={"status": "DELETED"})
    fake.advance(86400)

    assert client.get_image(imageBuildVersionArn=newer)["image"]["state"]["status"] == "DELETED"
    assert len(_images(client, app.pipeline_arn)) == 1


def test_a_parent_that_goes_back_to_an_older_build_is_no_update_and_a_first_one_is(
    fake: Any, client: Any, make_stack: Any
):
    # Newer, not merely other (an adversarial pass found a deleted newest parent counted as an update).
    base = make_stack("base")
    fake.set_build_plan(BuildPlan(outcome="FAILED"), base.pipeline_arn)
    client.start_image_pipeline_execution(imagePipelineArn=base.pipeline_arn)  # never AVAILABLE
    recipe = _recipe_on_base(client)
    app = make_stack("app", recipe_arn=recipe, schedule={"scheduleExpression": "rate(1 hour)"})
    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 1  # the first run builds, with no base AVAILABLE

    fake.set_build_plan(BuildPlan(), base.pipeline_arn)
    older = client.start_image_pipeline_execution(imagePipelineArn=base.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 2  # a base build where there was none is an update

    newer = client.start_image_pipeline_execution(imagePipelineArn=base.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 3

    client.delete_image(imageBuildVersionArn=newer)  # the parent resolves to the older build again
    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 3
    client.delete_image(imageBuildVersionArn=older)  # and then to nothing
    fake.advance(3 * 3600)
    assert len(_images(client, app.pipeline_arn)) == 3


def test_skipped_runs_are_passed_over_at_once_up_to_the_year_9999(fake: Any, client: Any, make_stack: Any):
    # AWS-managed dependencies never get newer: the runs of four thousand million minutes are all skipped, and
    # are passed over without going through each (an adversarial pass found this took hours).
    stack = make_stack(schedule={"scheduleExpression": "rate(1 minute)"})
    fake.advance(120)
    assert len(_images(client, stack.pipeline_arn)) == 1
    fake.advance(LATEST - 3600 - fake.clock.now())

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["dateNextRun"].startswith("9999-12-31T23:")
    assert len(_images(client, stack.pipeline_arn)) == 1
    client.update_image_pipeline(  # a recipe naming other dependencies is an update: the next run builds
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=client.create_image_recipe(
            name="other",
            semanticVersion="1.0.0",
            parentImage="arn:aws:imagebuilder:us-east-1:aws:image/ubuntu-server-22-lts-x86/x.x.x",
            components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
        )["imageRecipeArn"],
        infrastructureConfigurationArn=stack.infrastructure_arn,
        schedule={"scheduleExpression": "rate(1 minute)"},
    )
    fake.advance(180)
    assert len(_images(client, stack.pipeline_arn)) == 2


def test_aws_managed_dependencies_never_look_newer(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule={"scheduleExpression": "cron(0 * * * ? *)"})
    fake.advance(10 * 3600)
    assert len(_images(client, stack.pipeline_arn)) == 1


@pytest.mark.skipif(not HAS_AUTO_DISABLE, reason="the installed model has no Schedule.autoDisablePolicy")
def test_consecutive_failed_scheduled_builds_disable_the_pipeline(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule={**EVERY_HOUR, "autoDisablePolicy": {"failureCount": 2}})
    fake.set_build_plan(BuildPlan.lasting(600, outcome="FAILED", fail_during="INTEGRATING"), stack.pipeline_arn)

    fake.advance(3600 + 300)
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert (pipeline["status"], pipeline["consecutiveFailures"]) == ("ENABLED", 0)  # the first is still running
    fake.advance(600)
    assert client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]["consecutiveFailures"] == 1
    fake.advance(3600)  # the second scheduled build fails 10 minutes after it starts

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert (pipeline["status"], pipeline["consecutiveFailures"]) == ("DISABLED", 2)
    assert "dateNextRun" not in pipeline
    fake.advance(86400)
    assert [i["state"]["status"] for i in _images(client, stack.pipeline_arn)] == ["FAILED", "FAILED"]


@pytest.mark.skipif(not HAS_AUTO_DISABLE, reason="the installed model has no Schedule.autoDisablePolicy")
@pytest.mark.parametrize("jumps", [[3600 + 600, 3600, 3600], [5 * 3600]])
def test_an_automatic_disable_sends_its_event_at_the_instant_of_the_disable(
    fake: Any, client: Any, make_stack: Any, jumps: list[int]
):
    got: list[dict[str, Any]] = []
    fake.subscribe(got.append, pattern={"detail-type": ["EC2 Image Builder Image Pipeline Automatically Disabled"]})
    everything: list[dict[str, Any]] = []
    fake.subscribe(everything.append)
    stack = make_stack(schedule={**EVERY_HOUR, "autoDisablePolicy": {"failureCount": 2}})
    fake.set_build_plan(BuildPlan.lasting(600, outcome="FAILED"), stack.pipeline_arn)
    for seconds in jumps:  # in steps, or one jump over both failures and the disable
        fake.advance(seconds)

    [event] = got
    assert event["source"] == "aws.imagebuilder" and event["resources"] == [stack.pipeline_arn]
    assert event["detail"] == {"consecutive-failures": "2"}
    assert (event["account"], event["region"]) == ("123456789012", "us-east-1")
    # Right after the FAILED state change of the build that reached the count, and nothing after it.
    assert everything[-1] == event
    assert everything[-2]["detail"]["state"]["status"] == "FAILED"
    assert everything[-2]["time"] == event["time"] > _iso(START + 2 * 3600)[:19]
    second = max(i["arn"] for i in _images(client, stack.pipeline_arn))
    assert everything[-2]["resources"] == [second]
    assert client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]["status"] == "DISABLED"


@pytest.mark.skipif(not HAS_AUTO_DISABLE, reason="the installed model has no Schedule.autoDisablePolicy")
def test_a_successful_manual_build_resets_the_failure_count(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(schedule={**EVERY_HOUR, "autoDisablePolicy": {"failureCount": 2}})
    fake.set_build_plan(BuildPlan.lasting(600, outcome="FAILED"), stack.pipeline_arn)
    fake.advance(3600 + 900)  # one scheduled failure
    fake.set_build_plan(BuildPlan.lasting(600), stack.pipeline_arn)
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(900)  # the manual build succeeds
    assert client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]["consecutiveFailures"] == 0
    fake.set_build_plan(BuildPlan.lasting(600, outcome="FAILED"), stack.pipeline_arn)

    fake.advance(3600)  # one more scheduled failure: one in a row, not two

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert (pipeline["status"], pipeline["consecutiveFailures"]) == ("ENABLED", 1)


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        # AWS's answer to a five-field cron (hashicorp/terraform-provider-aws#17396).
        ("cron(0 0 * * ?)", "Invalid CRON expression: error at position 9, details: Unexpected end of expression."),
        ("cron(0 0 * * * *)", "Invalid CRON expression: error at position 8"),
        ("cron(60 0 * * ? *)", "Minutes values must be between 0 and 59"),
        ("cron(0 0 ? * 2#6 *)", "A numeric value between 1 and 5 must follow the '#' option"),
        ("cron(0 0 1 FOO ? *)", "Invalid Month value: 'FOO'"),
        ("cron(0 0 1 1 ? 2200)", "Year values must be between 1970 and 2199"),
        ("rate(1 hours)", "Invalid RATE expression"),
        ("rate(0 minutes)", "Invalid RATE expression"),
        # Periods no date could follow (the fake's bound: ledger schedule-rate-bound).
        ("rate(1000000000 days)", "Invalid RATE expression: The value must be at most 2932896 days."),
        ("rate(99999999999999999999 minutes)", "The value must be at most 4223371679 minutes."),
        ("every day", "Invalid schedule expression"),
    ],
)
def test_an_invalid_expression_is_refused_with_aws_wording(
    client: Any, make_stack: Any, expect_error: Any, fake: Any, expression: str, detail: str
):
    stack = make_stack()
    prefix = "The value supplied for parameter 'schedule.scheduleExpression' is not valid. Invalid schedule expression."
    calls = [
        lambda: client.create_image_pipeline(
            name="scheduled",
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            schedule={"scheduleExpression": expression},
        ),
        lambda: client.update_image_pipeline(
            imagePipelineArn=stack.pipeline_arn,
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            schedule={"scheduleExpression": expression},
        ),
    ]
    for call in calls:
        with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
            call()
        expect_error(caught.value, "InvalidParameterValueException", 400)
        assert caught.value.response["message"].startswith(prefix)
        assert detail in caught.value.response["message"]
    assert [p["name"] for p in client.list_image_pipelines()["imagePipelineList"]] == ["web"]
    assert "schedule" not in client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]


def test_an_unknown_time_zone_is_refused(client: Any, make_stack: Any, expect_error: Any):
    stack = make_stack()
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.update_image_pipeline(
            imagePipelineArn=stack.pipeline_arn,
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            schedule={"scheduleExpression": "cron(0 0 * * ? *)", "timezone": "Mars/Olympus_Mons"},
        )
    expect_error(caught.value, "InvalidParameterValueException", 400)
    assert "'schedule.timezone'" in caught.value.response["message"]
