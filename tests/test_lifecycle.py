"""Builds on the virtual clock: ARNs, numbering, statuses, failure, cancel, tags and the pipeline's lastRunStatus."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import IN_PROGRESS

STEP = 10.0
# Every in-progress status lasts 30 virtual seconds: a build takes 180 s (150 s without tests).
PLAN = BuildPlan(durations={status: 30.0 for status in IN_PROGRESS})


def _statuses_seen(client: Any, fake: Any, arn: str, steps: int) -> list[str]:
    """Advance the clock ``steps`` times by STEP, recording each status change (the first included)."""
    seen = [client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]]
    for _ in range(steps):
        fake.advance(STEP)
        status = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]
        if status != seen[-1]:
            seen.append(status)
    return seen


def test_build_arn_uses_recipe_name_and_version(client: Any, make_stack: Any):
    stack = make_stack("nightly", recipe_name="base-image", version="2.3.4")

    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    assert arn == "arn:aws:imagebuilder:us-east-1:123456789012:image/base-image/2.3.4/1"


def test_names_are_normalised_only_in_arns(client: Any, make_stack: Any):
    stack = make_stack("Nightly Build_1", recipe_name="My Web_App")

    assert stack.recipe_arn.endswith(":image-recipe/my-web-app/1.0.0")
    assert stack.pipeline_arn.endswith(":image-pipeline/nightly-build-1")
    assert stack.infrastructure_arn.endswith(":infrastructure-configuration/nightly-build-1")
    assert client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]["name"] == "My Web_App"
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["name"] == "Nightly Build_1"

    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    assert arn.endswith(":image/my-web-app/1.0.0/1")
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["name"] == "My Web_App"
    assert image["sourcePipelineName"] == "Nightly Build_1"

    # Two names that normalise alike are one resource.
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_infrastructure_configuration(name="nightly build-1", instanceProfileName="p")


def test_build_numbers_are_shared_and_never_reused(fake: Any, client: Any, make_stack: Any):
    first = make_stack("first")
    second = make_stack("second", recipe_arn=first.recipe_arn, infrastructure_arn=first.infrastructure_arn)
    other_version = make_stack("third", recipe_name="first", version="1.0.1")

    def start(stack: Any) -> str:
        return client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    arns = [start(first), start(second), start(first)]
    assert [arn.rsplit("/", 2)[-2:] for arn in arns] == [["1.0.0", "1"], ["1.0.0", "2"], ["1.0.0", "3"]]
    assert start(other_version).endswith("/first/1.0.1/1")  # its own count

    # Cancelled and failed builds keep their numbers; deleted ones are not given again.
    client.cancel_image_creation(imageBuildVersionArn=arns[2])
    fake.set_build_plan(BuildPlan(outcome="FAILED"), pipeline_arn=second.pipeline_arn)
    failed = start(second)
    assert failed.endswith("/1.0.0/4")
    fake.advance(3600)
    for arn in (*arns, failed):
        client.delete_image(imageBuildVersionArn=arn)
    assert start(second).endswith("/1.0.0/5")
    versions = client.list_image_build_versions(imageVersionArn=arns[0].rsplit("/", 1)[0])["imageSummaryList"]
    assert [v["arn"].rsplit("/", 1)[1] for v in versions] == ["5"]


def test_statuses_follow_the_lifecycle_order(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(PLAN)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    seen = _statuses_seen(client, fake, arn, steps=25)

    assert seen == ["PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]


def test_statuses_change_exactly_at_the_planned_times(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(PLAN)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    def status() -> str:
        return client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]

    # Halves add exactly to any epoch time, so the boundaries are met exactly, not within rounding.
    fake.advance(29.5)
    assert status() == "PENDING"
    fake.advance(0.5)
    assert status() == "CREATING"
    fake.advance(149.5)
    assert status() == "INTEGRATING"
    fake.advance(0.5)
    assert status() == "AVAILABLE"


def test_default_build_takes_about_twenty_minutes(fake: Any, client: Any, stack: Any):
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    fake.advance(15 * 60)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] in IN_PROGRESS
    fake.advance(10 * 60)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"


def test_testing_is_skipped_when_tests_are_off(fake: Any, client: Any, make_stack: Any):
    fake.set_build_plan(PLAN)
    stack = make_stack(imageTestsConfiguration={"imageTestsEnabled": False})
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    seen = _statuses_seen(client, fake, arn, steps=25)

    assert seen == ["PENDING", "CREATING", "BUILDING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["imageTestsConfiguration"]["imageTestsEnabled"] is False


def test_failed_build_carries_a_reason(fake: Any, client: Any, stack: Any):
    plan = BuildPlan(durations=PLAN.durations, outcome="FAILED", fail_during="TESTING", failure_reason="tests failed")
    fake.set_build_plan(plan, pipeline_arn=stack.pipeline_arn)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    seen = _statuses_seen(client, fake, arn, steps=25)

    assert seen == ["PENDING", "CREATING", "BUILDING", "TESTING", "FAILED"]
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    state = dict(image["state"])
    # Models from botocore 1.44 carry state.failureContext too (test_documents.py checks its content).
    context = state.pop("failureContext", None)
    assert state == {"status": "FAILED", "reason": "tests failed"}
    if "failureContext" in client.meta.service_model.shape_for("ImageState").members:
        assert context["imageStatus"] == "TESTING"
    else:
        assert context is None
    assert image["outputResources"] == {"amis": []}
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["lastRunStatus"] == "FAILED"


def test_failed_build_has_a_default_reason(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(outcome="FAILED"))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    state = image["state"]
    # The component build version the recipe's x.x.x ran as, as GetComponent resolves it.
    written = image["imageRecipe"]["components"][0]["componentArn"]
    component = client.get_component(componentBuildVersionArn=written)["component"]["arn"]
    assert state["status"] == "FAILED"
    # AWS's wording for a failed component (user guide image-failure-context.html).
    assert re.fullmatch(
        rf"Workflow Execution ID: 'wf-[0-9a-f-]{{36}}' failed with reason: Document {re.escape(component)} failed!",
        state["reason"],
    ), state["reason"]


@pytest.mark.parametrize("status", ["PENDING", "CREATING", "DISTRIBUTING", "INTEGRATING"])
def test_a_failure_outside_every_workflow_step_names_no_workflow_execution(
    fake: Any, client: Any, stack: Any, status: str
):
    """AWS's default wording names the workflow execution that failed; failing where no workflow step ran, no
    execution failed, and the reason says only where the build failed."""
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during=status))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    state = client.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert state["status"] == "FAILED"
    assert state["reason"] == f"The image build failed while it was {status}; no workflow step failed."
    executions = client.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
    assert all(execution["status"] != "FAILED" for execution in executions)

    # A plan's own wording is the plan's: its placeholders are filled as before.
    own = BuildPlan(outcome="FAILED", fail_during=status, failure_reason="{status}: {workflow_execution_id}")
    fake.set_build_plan(own)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    reason = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["reason"]
    assert re.fullmatch(rf"{status}: wf-[0-9a-f-]{{36}}", reason), reason


def test_cancel_ends_a_build_as_cancelled(fake: Any, client: Any, stack: Any, raw_bodies: Any, check_output: Any):
    fake.set_build_plan(PLAN)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(70)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "BUILDING"

    answer = client.cancel_image_creation(imageBuildVersionArn=arn, clientToken="cancel-1")

    assert answer["imageBuildVersionArn"] == arn
    assert answer["clientToken"] == "cancel-1"
    check_output("CancelImageCreation", raw_bodies["CancelImageCreation"])
    for _ in range(2):
        image = client.get_image(imageBuildVersionArn=arn)["image"]
        # No reason: none is quoted by AWS for CANCELLED ("Image creation is cancelled." is CloudFormation's).
        assert image["state"] == {"status": "CANCELLED"}
        assert image["outputResources"] == {"amis": []}
        fake.advance(3600)  # a cancelled build stays cancelled
    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["lastRunStatus"] == "CANCELLED"


@pytest.mark.parametrize("end", ["AVAILABLE", "FAILED", "CANCELLED", "DEPRECATED", "DISABLED"])
def test_cancel_of_a_finished_build_is_refused(fake: Any, client: Any, stack: Any, expect_error: Any, end: str):
    """Refused in the words of the status GetImage shows (a state update's too: ledger image-managed-status)."""
    if end == "FAILED":
        fake.set_build_plan(BuildPlan(outcome="FAILED"))
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    if end == "CANCELLED":
        client.cancel_image_creation(imageBuildVersionArn=arn)
    fake.advance(3600)
    if end in ("DEPRECATED", "DISABLED"):
        client.start_resource_state_update(resourceArn=arn, state={"status": end})
        fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == end

    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.cancel_image_creation(imageBuildVersionArn=arn)

    expect_error(caught.value, "InvalidParameterValueException", 400)
    assert end in caught.value.response["message"]
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == end


def test_started_build_is_user_initiated(client: Any, stack: Any):
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    assert client.get_image(imageBuildVersionArn=arn)["image"]["buildType"] == "USER_INITIATED"
    (summary,) = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert summary["buildType"] == "USER_INITIATED"


def test_last_run_status_follows_newest_build(fake: Any, client: Any, stack: Any):
    def pipeline() -> dict[str, Any]:
        document: dict[str, Any] = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
        assert "dateLastRun" not in document
        return document

    assert "lastRunStatus" not in pipeline()

    fake.set_build_plan(PLAN)
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    assert pipeline()["lastRunStatus"] == "PENDING"
    fake.advance(65)
    assert pipeline()["lastRunStatus"] == "BUILDING"

    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    assert pipeline()["lastRunStatus"] == "PENDING"  # the newest build, not the older one
    client.cancel_image_creation(imageBuildVersionArn=first)
    assert pipeline()["lastRunStatus"] == "PENDING"
    fake.advance(3600)
    assert pipeline()["lastRunStatus"] == "AVAILABLE"
    listed = client.list_image_pipelines()["imagePipelineList"]
    assert [p["lastRunStatus"] for p in listed] == ["AVAILABLE"]


@pytest.mark.parametrize(
    "image_tags",
    [
        pytest.param({}, id="no-image-tags"),
        pytest.param(
            {"team": "platform", "env": "pipeline"},
            marks=pytest.mark.skipif(
                "imageTags" not in service_model().operation_model("CreateImagePipeline").input_shape.members,
                reason="this botocore's model has no CreateImagePipeline.imageTags (added in botocore 1.42.88)",
            ),
            id="image-tags",
        ),
    ],
)
def test_start_tags_land_on_the_image(client: Any, make_stack: Any, image_tags: dict[str, str]):
    stack = make_stack(tags={"on": "the-pipeline"}, **({"imageTags": image_tags} if image_tags else {}))

    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={"env": "start", "run": "7"})[
        "imageBuildVersionArn"
    ]

    expected = {**image_tags, "env": "start", "run": "7"}
    assert client.get_image(imageBuildVersionArn=arn)["image"]["tags"] == expected
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    # The pipeline's own tags stay on the pipeline.
    assert client.list_tags_for_resource(resourceArn=stack.pipeline_arn)["tags"] == {"on": "the-pipeline"}

    untagged = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    assert client.get_image(imageBuildVersionArn=untagged)["image"]["tags"] == image_tags


@pytest.mark.skipif(
    "imageTags" not in service_model().operation_model("CreateImagePipeline").input_shape.members,
    reason="this botocore's model has no CreateImagePipeline.imageTags (added in botocore 1.42.88)",
)
def test_an_image_cannot_get_more_than_50_tags_from_pipeline_and_start(
    client: Any, make_stack: Any, count_images: Any
):
    stack = make_stack(imageTags={f"pipeline-{i}": "v" for i in range(30)})
    start_tags = {f"start-{i}": "v" for i in range(21)}

    with pytest.raises(ClientError) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags=start_tags)

    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "51 tags" in caught.value.response["Error"]["Message"]
    assert count_images() == 0
    # Keys the start shares with imageTags replace them, so they do not count twice: 50 is fine, and
    # no build number was spent on the refused start.
    overlapping = {**{f"pipeline-{i}": "start" for i in range(10)}, **{f"start-{i}": "v" for i in range(20)}}
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags=overlapping)[
        "imageBuildVersionArn"
    ]
    assert arn.endswith("/1")
    assert len(client.get_image(imageBuildVersionArn=arn)["image"]["tags"]) == 50


def test_image_version_includes_build_number(fake: Any, client: Any, stack: Any, raw_bodies: Any, check_output: Any):
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["version"] == "1.0.0/2"
    assert image["imageRecipe"]["version"] == "1.0.0"  # a recipe's version keeps the model's form
    check_output("GetImage", raw_bodies["GetImage"])
    summaries = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert [s["version"] for s in summaries] == ["1.0.0/2", "1.0.0/1"]
    check_output("ListImagePipelineImages", raw_bodies["ListImagePipelineImages"])


@pytest.mark.parametrize(
    "arguments",
    [
        {"outcome": "CANCELLED"},
        {"fail_during": "AVAILABLE"},
        {"durations": {"WAITING": 1.0}},
        {"durations": {"BUILDING": -1.0}},
        # NaN slips past every "< 0" check and holds the build in its status forever.
        {"durations": {"PENDING": math.nan}},
        {"durations": {"BUILDING": math.inf}},
        pytest.param({"durations": {"BUILDING": 10**400}}, id="10**400"),
        {"durations": {"BUILDING": "60"}},
        {"durations": {"BUILDING": True}},
    ],
)
def test_a_build_plan_refuses_what_cannot_happen(arguments: dict[str, Any]):
    with pytest.raises(ValueError):
        BuildPlan(**arguments)


@pytest.mark.parametrize(
    "seconds", [math.nan, math.inf, -math.inf, -1, pytest.param(10**400, id="10**400"), "60", None]
)
def test_a_build_cannot_last_what_is_not_a_finite_time(seconds: Any):
    with pytest.raises(ValueError, match="seconds must be a finite number >= 0"):
        BuildPlan.lasting(seconds)


def test_a_plan_keeps_the_durations_it_checked():
    durations = {"BUILDING": 60.0}
    plan = BuildPlan(durations=durations)

    durations["BUILDING"] = math.nan

    assert plan.durations["BUILDING"] == 60.0


def test_build_plans_per_pipeline_win_over_the_default(fake: Any, client: Any, make_stack: Any):
    quick, slow = make_stack("quick"), make_stack("slow")
    fake.set_build_plan(BuildPlan.lasting(60))
    fake.set_build_plan(BuildPlan.lasting(600), pipeline_arn=slow.pipeline_arn)
    arns = [
        client.start_image_pipeline_execution(imagePipelineArn=s.pipeline_arn)["imageBuildVersionArn"]
        for s in (quick, slow)
    ]

    fake.advance(60)

    statuses = [client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] for arn in arns]
    assert statuses[0] == "AVAILABLE"
    assert statuses[1] in IN_PROGRESS


def test_a_plan_failing_in_skipped_testing_fails_in_the_next_stage(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(imageTestsConfiguration={"imageTestsEnabled": False})
    plan = BuildPlan(durations=PLAN.durations, outcome="FAILED", fail_during="TESTING", failure_reason="in {status}")
    fake.set_build_plan(plan)
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    seen = _statuses_seen(client, fake, arn, steps=25)

    assert seen == ["PENDING", "CREATING", "BUILDING", "DISTRIBUTING", "FAILED"]
    reason = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["reason"]
    assert reason == "in DISTRIBUTING"


def test_deleting_the_newest_build_hands_last_run_status_to_the_one_before(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(PLAN)
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    fake.set_build_plan(BuildPlan(durations=PLAN.durations, outcome="FAILED"))
    second = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    assert client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]["lastRunStatus"] == "FAILED"

    client.delete_image(imageBuildVersionArn=second)

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert pipeline["lastRunStatus"] == "AVAILABLE"
    listed = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert [image["arn"] for image in listed] == [first]


def test_a_pipeline_made_again_does_not_inherit_the_old_build_plan(fake: Any, client: Any, stack: Any):
    fake.set_build_plan(BuildPlan(durations=PLAN.durations, outcome="FAILED"), pipeline_arn=stack.pipeline_arn)
    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)
    again = client.create_image_pipeline(
        name="web", imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn
    )["imagePipelineArn"]
    assert again == stack.pipeline_arn

    arn = client.start_image_pipeline_execution(imagePipelineArn=again)["imageBuildVersionArn"]
    fake.advance(3600)

    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"


@pytest.mark.parametrize(
    ("fake", "lists_old"),
    [
        pytest.param({}, False, id="default"),
        pytest.param({"recreated_pipeline_lists_old_images": True}, True, id="switched"),
    ],
    indirect=["fake"],
)
def test_a_pipeline_made_again_under_a_deleted_ones_name_lists_the_old_images_only_if_switched(
    fake: Any, client: Any, make_stack: Any, lists_old: bool
):
    first = make_stack("web")
    old = client.start_image_pipeline_execution(imagePipelineArn=first.pipeline_arn)["imageBuildVersionArn"]
    client.cancel_image_creation(imageBuildVersionArn=old)
    client.delete_image_pipeline(imagePipelineArn=first.pipeline_arn)
    again = make_stack("web", recipe_arn=first.recipe_arn, infrastructure_arn=first.infrastructure_arn)
    assert again.pipeline_arn == first.pipeline_arn
    assert "lastRunStatus" not in client.get_image_pipeline(imagePipelineArn=again.pipeline_arn)["imagePipeline"]

    new = client.start_image_pipeline_execution(imagePipelineArn=again.pipeline_arn)["imageBuildVersionArn"]
    # A build of the same recipe without a pipeline is no pipeline's image, whichever way it is switched.
    client.create_image(imageRecipeArn=first.recipe_arn, infrastructureConfigurationArn=first.infrastructure_arn)

    listed = client.list_image_pipeline_images(imagePipelineArn=again.pipeline_arn)["imageSummaryList"]
    assert [s["arn"] for s in listed] == ([new, old] if lists_old else [new])
    # Either way the new pipeline's last run is its own.
    assert client.get_image_pipeline(imagePipelineArn=again.pipeline_arn)["imagePipeline"]["lastRunStatus"] == "PENDING"


def test_the_recreated_pipeline_switch_is_a_bool():
    with pytest.raises(ValueError, match="recreated_pipeline_lists_old_images must be True or False"):
        FakeImageBuilder(recreated_pipeline_lists_old_images="yes")  # type: ignore[arg-type]
    fake = FakeImageBuilder()
    fake.configure(recreated_pipeline_lists_old_images=True)
    assert fake.settings.recreated_pipeline_lists_old_images is True
