"""End-to-end scenarios, the seed of the suite: create prerequisites, start, wait, get and list, cancel, replay.

Each is deterministic and the same on every target; ``--record`` on the aws
target writes its exchanges to ``fixtures/recorded/``.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .expect import LIFECYCLE, TERMINAL, VALIDATION_MESSAGE, expect_error, is_uuid, moved_forward, status_of
from .ledger_report import verifies
from .targets import Recipe, Workspace

pytestmark = pytest.mark.scenario


@pytest.mark.builds(1)
def test_start_answers_token_and_build_arn(workspace: Workspace) -> None:
    """A start answers 200: the token sent, a UUID request id, and a build of the recipe (not the pipeline)."""
    pipeline = workspace.pipeline()
    token = workspace.token()
    answer = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn, clientToken=token)
    with verifies("start-answer"):
        assert status_of(answer) == 200
        assert answer["clientToken"] == token
    with verifies("request-id"):
        assert is_uuid(answer["requestId"])
        assert answer["requestId"] == answer["ResponseMetadata"]["RequestId"]
    with verifies("build-arn"):
        assert answer["imageBuildVersionArn"] == workspace.build_arn(pipeline.recipe, 1)


@pytest.mark.builds(2)
def test_a_pipeline_naming_a_wildcard_recipe_builds_the_version_it_selects_at_each_start(workspace: Workspace) -> None:
    """A pipeline named with recipe 1.0.x builds 1.0.0; after 1.0.1 is made, its next start builds 1.0.1."""
    name = workspace.names.new("recipe")
    wildcard = workspace.arn("image-recipe", name, "1.0.x")
    model = workspace.client.raw.meta.service_model
    pattern = model.operation_model("CreateImagePipeline").input_shape.members["imageRecipeArn"].metadata["pattern"]
    if not re.search(pattern, wildcard):
        pytest.skip("the installed model's ImageRecipeArn pattern admits no x (older models)")
    first = workspace.recipe("1.0.0", name=name)
    pipeline = workspace.pipeline(Recipe(wildcard, name, "1.0.x"))
    with verifies("pipeline-recipe-wildcard"):
        arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
        assert arn == workspace.build_arn(first, 1)
        second = workspace.recipe("1.0.1", name=name)
        arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
        assert arn == workspace.build_arn(second, 1)


@pytest.mark.builds(1)
@pytest.mark.completes_builds
def test_build_runs_to_available(workspace: Workspace) -> None:
    """A build moves forward through the lifecycle to AVAILABLE; get and list show it as the API describes."""
    pipeline = workspace.pipeline(image_tests=True)
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    seen = workspace.wait_for_image(arn, {"AVAILABLE"})
    with verifies("lifecycle-order"):
        assert seen.status == "AVAILABLE", f"the build ended {seen.status}"
        assert all(moved_forward(a, b) for a, b in zip(seen.seen, seen.seen[1:], strict=False)), seen.seen
        assert set(seen.seen) <= set(LIFECYCLE), seen.seen
    image = seen.image
    with verifies("build-type"):
        assert image["buildType"] == "USER_INITIATED"
    with verifies("image-version"):
        assert image["version"] == f"{pipeline.recipe.version}/1"
    with verifies("list-images"):
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [(s["arn"], s["state"]["status"]) for s in listed] == [(arn, "AVAILABLE")]
    with verifies("last-run-status"):
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"]
        assert document["lastRunStatus"] == "AVAILABLE"
        assert "dateLastRun" not in document
    with verifies("output-amis"):
        amis = image["outputResources"]["amis"]
        assert amis and all(set(ami) == {"region", "image", "name", "accountId"} for ami in amis), amis
    with verifies("embedded-recipe"):
        recipe = workspace.client.get_image_recipe(imageRecipeArn=pipeline.recipe.arn)["imageRecipe"]
        embedded = image["imageRecipe"]
        assert "owner" not in embedded and "type" not in embedded, sorted(embedded)
        assert embedded["arn"] == recipe["arn"] and embedded["components"] == recipe["components"]


@pytest.mark.builds(1)
@pytest.mark.completes_builds
def test_testing_is_skipped_when_tests_are_off(workspace: Workspace) -> None:
    """With image tests off, a build never shows TESTING."""
    pipeline = workspace.pipeline(image_tests=False)
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    seen = workspace.wait_for_image(arn, {"AVAILABLE"})
    with verifies("testing-skipped"):
        assert seen.status == "AVAILABLE" and "TESTING" not in seen.seen, seen.seen


@pytest.mark.builds(1)
def test_cancel_ends_a_build_as_cancelled(workspace: Workspace) -> None:
    """Cancelling a build in progress ends it CANCELLED, everywhere it shows; a second cancel is refused."""
    pipeline = workspace.pipeline()
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    token = workspace.token()
    with verifies("cancel"):
        answer = workspace.client.cancel_image_creation(imageBuildVersionArn=arn, clientToken=token)
        assert (answer["imageBuildVersionArn"], answer["clientToken"]) == (arn, token)
        image = workspace.eventually(lambda: workspace.get_image(arn), lambda i: i["state"]["status"] in TERMINAL)
        assert image["state"]["status"] == "CANCELLED"
    with verifies("cancel-reason"):
        assert set(image["state"]) == {"status"}, image["state"]
    with verifies("list-images"):
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [(s["arn"], s["state"]["status"]) for s in listed] == [(arn, "CANCELLED")]
    with verifies("last-run-status"):
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"]
        assert document["lastRunStatus"] == "CANCELLED"
    with verifies("cancel-terminal"), expect_error("InvalidParameterValueException", 400):
        workspace.client.cancel_image_creation(imageBuildVersionArn=arn)


@pytest.mark.builds(1)
def test_delete_of_a_running_build_is_a_dependency_error(workspace: Workspace) -> None:
    """DeleteImage of a build still in progress: ResourceDependencyException (400); the build stays."""
    pipeline = workspace.pipeline()
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    # On AWS the live guard cancels the build before the next call; a cancel takes a while to land there
    # (AWS's CloudFormation handler polls for CANCELLED), but where it ended the build at once there is
    # no running build left to try.
    if workspace.get_image(arn)["state"]["status"] in TERMINAL:
        pytest.skip("the build ended before it could be deleted (the live guard cancelled it)")
    with verifies("delete-running-image"):
        with expect_error("ResourceDependencyException", 400):
            workspace.client.delete_image(imageBuildVersionArn=arn)
        assert workspace.get_image(arn)["arn"] == arn


@pytest.mark.builds(0)
def test_a_new_pipeline_shows_date_updated(workspace: Workspace) -> None:
    """A pipeline never updated shows dateUpdated, equal to its dateCreated."""
    pipeline = workspace.pipeline()
    with verifies("pipeline-date-updated"):
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"]
        assert document.get("dateUpdated") == document["dateCreated"], document


@pytest.mark.builds(1)
@pytest.mark.completes_builds
def test_a_build_shows_the_os_version_of_its_parent_image(workspace: Workspace) -> None:
    """An AVAILABLE build shows osVersion (from the recipe's AWS-managed parent image); the filter finds it."""
    pipeline = workspace.pipeline()
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    seen = workspace.wait_for_image(arn, {"AVAILABLE"})
    with verifies("os-version"):
        assert seen.status == "AVAILABLE", f"the build ended {seen.status}"
        os_version = seen.image.get("osVersion")
        assert os_version, "the image has no osVersion"
        filters = [{"name": "osVersion", "values": [os_version]}]
        listed = workspace.eventually(
            lambda: workspace.client.list_image_build_versions(
                imageVersionArn=arn.rsplit("/", 1)[0], filters=filters
            )["imageSummaryList"],
            lambda found: bool(found),
        )
        assert [(s["arn"], s.get("osVersion")) for s in listed] == [(arn, os_version)]


@pytest.mark.builds(2)
def test_replay_returns_the_same_build(workspace: Workspace) -> None:
    """The same token and parameters: the first build again, a fresh request id, and nothing new listed."""
    pipeline = workspace.pipeline()
    token = workspace.token()
    tags = {"team": "contract"}
    first = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn, clientToken=token, tags=tags)
    again = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn, clientToken=token, tags=tags)
    with verifies("idempotent-replay"):
        assert again["imageBuildVersionArn"] == first["imageBuildVersionArn"]
        assert again["clientToken"] == token
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [s["arn"] for s in listed] == [first["imageBuildVersionArn"]]
    with verifies("idempotent-request-id"):
        assert is_uuid(again["requestId"]) and again["requestId"] != first["requestId"]


@pytest.mark.builds(2)
def test_mismatched_replay_is_refused(workspace: Workspace) -> None:
    """The same token with other tags, or for another pipeline, is refused; no build is made."""
    pipeline = workspace.pipeline()
    other = workspace.pipeline(pipeline.recipe)
    token = workspace.token()
    first = workspace.client.start_image_pipeline_execution(
        imagePipelineArn=pipeline.arn, clientToken=token, tags={"a": "1"}
    )
    with verifies("idempotent-mismatch"):
        with expect_error("IdempotentParameterMismatchException", 400):
            workspace.client.start_image_pipeline_execution(
                imagePipelineArn=pipeline.arn, clientToken=token, tags={"a": "2"}
            )
        with expect_error("IdempotentParameterMismatchException", 400):
            workspace.client.start_image_pipeline_execution(imagePipelineArn=other.arn, clientToken=token)
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=other.arn)["imageSummaryList"]
        assert listed == []
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [s["arn"] for s in listed] == [first["imageBuildVersionArn"]]


@pytest.mark.builds(2)
def test_last_run_status_follows_the_newest_build(workspace: Workspace) -> None:
    """lastRunStatus is the newest build's status (it lies between two looks at that build), not an older one's."""
    pipeline = workspace.pipeline()
    first = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    workspace.client.cancel_image_creation(imageBuildVersionArn=first)
    newest = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    before = workspace.get_image(newest)["state"]["status"]
    document = workspace.eventually(
        lambda: workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"],
        lambda d: moved_forward(before, d.get("lastRunStatus") or ""),
    )
    after = workspace.get_image(newest)["state"]["status"]
    with verifies("last-run-status"):
        last = document.get("lastRunStatus")
        assert last is not None and moved_forward(before, last) and moved_forward(last, after), (
            f"lastRunStatus {last} is not between {before} and {after}, the newest build's statuses"
        )
        assert "dateLastRun" not in document


@pytest.mark.builds(3)
def test_build_numbers_are_shared_by_pipelines_of_a_recipe(workspace: Workspace) -> None:
    """Two pipelines of one recipe version share its build numbers: /1 then /2; another version starts at /1."""
    recipe = workspace.recipe("1.0.0")
    newer = workspace.recipe("1.0.1", name=recipe.name)
    first, second, third = workspace.pipeline(recipe), workspace.pipeline(recipe), workspace.pipeline(newer)
    arns = [
        workspace.client.start_image_pipeline_execution(imagePipelineArn=p.arn)["imageBuildVersionArn"]
        for p in (first, second, third)
    ]
    with verifies("build-numbers", "build-arn"):
        assert arns == [workspace.build_arn(recipe, 1), workspace.build_arn(recipe, 2), workspace.build_arn(newer, 1)]


@pytest.mark.builds(1)
def test_start_tags_land_on_the_image(workspace: Workspace) -> None:
    """Tags given to the start are on the image, in GetImage and in the pipeline's list."""
    pipeline = workspace.pipeline()
    tags = {"team": "contract", "purpose": "tags land on the image"}
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn, tags=tags)[
        "imageBuildVersionArn"
    ]
    with verifies("image-tags"):
        assert tags.items() <= workspace.get_image(arn).get("tags", {}).items()
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert tags.items() <= listed[0].get("tags", {}).items()


@pytest.mark.builds(2)
def test_missing_or_deleted_pipeline_is_not_found(workspace: Workspace) -> None:
    """A pipeline that never existed, or was deleted, is not found (404) and lists no images; its images
    outlive it."""
    never = workspace.arn("image-pipeline", workspace.names.new("absent"))
    with verifies("not-found"), expect_error("ResourceNotFoundException", 404):
        workspace.client.start_image_pipeline_execution(imagePipelineArn=never)
    with verifies("list-pipeline-images-missing"):
        assert workspace.client.list_image_pipeline_images(imagePipelineArn=never)["imageSummaryList"] == []
    pipeline = workspace.pipeline()
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    workspace.client.cancel_image_creation(imageBuildVersionArn=arn)
    workspace.client.delete_image_pipeline(imagePipelineArn=pipeline.arn)
    with verifies("not-found"), expect_error("ResourceNotFoundException", 404):
        workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)
    with verifies("get-not-found"), expect_error("ResourceNotFoundException", 404):
        workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)
    with verifies("list-pipeline-images-missing"):
        assert workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"] == []
    with verifies("images-outlive-pipeline"):
        assert workspace.get_image(arn)["arn"] == arn


@pytest.mark.builds(1)
def test_disabled_pipeline_is_refused(workspace: Workspace) -> None:
    """A DISABLED pipeline does not start (InvalidRequestException); enabled again, it does."""
    pipeline = workspace.pipeline(status="DISABLED")
    with verifies("disabled-pipeline"), expect_error("InvalidRequestException", 400):
        workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)
    workspace.set_status(pipeline, "ENABLED")
    with verifies("update-replaces"):
        document = workspace.client.get_image_pipeline(imagePipelineArn=pipeline.arn)["imagePipeline"]
        assert document["status"] == "ENABLED"
    answer = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)
    with verifies("start-answer"):
        assert status_of(answer) == 200


@pytest.mark.builds(0)
def test_pipeline_of_another_account_or_region_is_refused(workspace: Workspace) -> None:
    """An ARN of another account is ForbiddenException (403); of another region, ClientException (400)."""
    name = workspace.names.new("elsewhere")
    target = workspace.target
    other_account = "111122223333" if target.account != "111122223333" else "444455556666"
    other_region = "eu-west-1" if target.region != "eu-west-1" else "eu-central-1"
    with verifies("forbidden"), expect_error("ForbiddenException", 403):
        workspace.client.start_image_pipeline_execution(
            imagePipelineArn=f"arn:{target.partition}:imagebuilder:{target.region}:{other_account}:image-pipeline/{name}"
        )
    with verifies("client-exception"), expect_error("ClientException", 400):
        workspace.client.start_image_pipeline_execution(
            imagePipelineArn=f"arn:aws:imagebuilder:{other_region}:{target.account}:image-pipeline/{name}"
        )


@pytest.mark.builds(0)
def test_malformed_arn_is_rejected_by_the_service(workspace: Workspace) -> None:
    """An ARN botocore lets through but the model's pattern refuses: InvalidParameterValueException (400)."""
    pipeline = workspace.pipeline()
    with verifies("validation-code"):
        with expect_error("InvalidParameterValueException", 400, VALIDATION_MESSAGE) as caught:
            workspace.client.start_image_pipeline_execution(imagePipelineArn=f"{pipeline.arn}.v2")
        assert "imagePipelineArn" in caught.message
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert listed == []


# -- schedules and CreateImage ---------------------------------------------------------------------


def _scheduled_pipeline(workspace: Workspace, schedule: dict[str, str]) -> str:
    """A new pipeline with ``schedule`` (and a new recipe) on the shared infrastructure configuration."""
    recipe = workspace.recipe()
    arn: str = workspace.client.create_image_pipeline(
        name=workspace.names.new("pipeline"),
        imageRecipeArn=recipe.arn,
        infrastructureConfigurationArn=workspace.target.infrastructure_arn,
        imageTestsConfiguration={"imageTestsEnabled": False},
        schedule=schedule,
        tags=workspace.tags(),
    )["imagePipelineArn"]
    return arn


def _remove_builds(workspace: Workspace, arns: list[str]) -> None:
    """Cancel (if still running) and delete builds the workspace's tracker does not know of.

    The tracker notes builds from StartImagePipelineExecution only; builds a
    schedule or CreateImage made are removed here, so a shared server is left
    as it was found.
    """
    for arn in arns:
        with contextlib.suppress(ClientError):
            workspace.client.cancel_image_creation(imageBuildVersionArn=arn)
        workspace.wait_for_image(arn, TERMINAL)
        with contextlib.suppress(ClientError):
            workspace.client.delete_image(imageBuildVersionArn=arn)


@pytest.mark.builds(0)
def test_schedule_shows_its_next_run(workspace: Workspace) -> None:
    """A cron schedule is accepted and GetImagePipeline names its next run (one far off: nothing is built)."""
    schedule = {
        "scheduleExpression": "cron(0 0 1 1 ? 2199)",
        "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY",
    }
    arn = _scheduled_pipeline(workspace, schedule)
    document = workspace.client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    with verifies("schedule-cron", "schedule-runs"):
        assert document["schedule"]["scheduleExpression"] == schedule["scheduleExpression"]
        assert str(document.get("dateNextRun", "")).startswith("2199-01-01T00:00:00"), document.get("dateNextRun")


@pytest.mark.builds(0)
def test_invalid_schedule_expression_is_refused(workspace: Workspace) -> None:
    """A five-field cron is refused as AWS refuses it, and no pipeline is made."""
    recipe = workspace.recipe()
    name = workspace.names.new("pipeline")
    with (
        verifies("schedule-invalid"),
        expect_error("InvalidParameterValueException", 400, r"Unexpected end of expression") as caught,
    ):
        workspace.client.create_image_pipeline(
            name=name,
            imageRecipeArn=recipe.arn,
            infrastructureConfigurationArn=workspace.target.infrastructure_arn,
            schedule={"scheduleExpression": "cron(0 0 * * ?)"},
            status="DISABLED",  # were it accepted, it could never run (the live guard refuses it otherwise)
            tags=workspace.tags(),
        )
    with verifies("schedule-invalid"):
        assert "'schedule.scheduleExpression'" in caught.message
    with verifies("get-not-found"), expect_error("ResourceNotFoundException", 404):
        workspace.client.get_image_pipeline(imagePipelineArn=workspace.arn("image-pipeline", name))


@pytest.mark.builds(0)
@pytest.mark.completes_builds  # on real AWS the runs would be builds no guard cancels
def test_scheduled_builds_run_at_their_instants(workspace: Workspace) -> None:
    """An hourly schedule starts one SCHEDULED build an hour as the clock moves."""
    if not workspace.target.controls_time:
        pytest.skip("needs a target whose clock the suite moves (hours of schedule)")
    schedule = {"scheduleExpression": "rate(1 hour)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
    arn = _scheduled_pipeline(workspace, schedule)
    workspace.let_time_pass(3 * 3600 + 60)
    listed = workspace.client.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]
    try:
        with verifies("schedule-runs"):
            assert [s["buildType"] for s in listed] == ["SCHEDULED"] * 3
            document = workspace.client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
            assert document["dateNextRun"] > max(s["dateCreated"] for s in listed)
    finally:
        workspace.client.delete_image_pipeline(imagePipelineArn=arn)  # no more runs
        _remove_builds(workspace, [s["arn"] for s in listed])


@pytest.mark.builds(2)
def test_create_image_shares_build_numbers_with_pipelines(workspace: Workspace, request: pytest.FixtureRequest) -> None:
    """A CreateImage of a recipe version takes /1, a later pipeline start /2; the image names no pipeline."""
    pipeline = workspace.pipeline()
    token = workspace.token()
    made = workspace.client.create_image(
        imageRecipeArn=pipeline.recipe.arn,
        infrastructureConfigurationArn=pipeline.infrastructure_arn,
        imageTestsConfiguration={"imageTestsEnabled": False},
        clientToken=token,
        tags=workspace.tags(),
    )
    started = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)
    request.addfinalizer(lambda: _remove_builds(workspace, [made["imageBuildVersionArn"]]))
    with verifies("create-image-numbers", "build-arn"):
        assert made["imageBuildVersionArn"] == workspace.build_arn(pipeline.recipe, 1)
        assert started["imageBuildVersionArn"] == workspace.build_arn(pipeline.recipe, 2)
    with verifies("create-image"):
        assert made["clientToken"] == token
        image = workspace.get_image(made["imageBuildVersionArn"])
        assert "sourcePipelineArn" not in image
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [s["arn"] for s in listed] == [started["imageBuildVersionArn"]]


@pytest.mark.builds(0)
def test_create_image_needs_exactly_one_recipe(workspace: Workspace) -> None:
    """CreateImage with no recipe at all is refused before anything is built."""
    with verifies("create-image-recipe"), expect_error("InvalidRequestException", 400):
        workspace.client.create_image(
            infrastructureConfigurationArn=workspace.target.infrastructure_arn, tags=workspace.tags()
        )


# -- workflows: executions, approvals, retries ------------------------------------------------------

_APPROVAL = """name: approval
schemaVersion: 1.0
steps:
  - name: WaitForApproval
    action: WaitForAction
    onFailure: Abort
"""


@pytest.mark.builds(1)
@pytest.mark.completes_builds  # the build must reach its test workflow; on AWS it is cancelled at once
def test_an_approval_step_holds_the_build_until_resumed(workspace: Workspace, request: pytest.FixtureRequest) -> None:
    """A pipeline whose test workflow waits at WaitForAction: the build waits in TESTING, its step is listed as
    waiting until SendWorkflowStepAction RESUMEs it, and then the build runs to AVAILABLE."""
    client = workspace.client
    workflow = client.create_workflow(
        name=workspace.names.new("workflow"),
        semanticVersion="1.0.0",
        type="TEST",
        data=_APPROVAL,
        tags=workspace.tags(),
    )["workflowBuildVersionArn"]
    recipe = workspace.recipe()
    pipeline = client.create_image_pipeline(
        name=workspace.names.new("pipeline"),
        imageRecipeArn=recipe.arn,
        infrastructureConfigurationArn=workspace.target.infrastructure_arn,
        workflows=[{"workflowArn": workflow}],
        executionRole=f"arn:{workspace.target.partition}:iam::{workspace.target.account}:role/imagebuilder-workflows",
        tags=workspace.tags(),
    )["imagePipelineArn"]
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    seen = workspace.wait_for_image(arn, {"TESTING"})
    workspace.let_time_pass(3600)
    with verifies("wait-for-action"):
        assert workspace.get_image(arn)["state"]["status"] == "TESTING", seen.seen
        # Every page: the list is the account's, and a shared target may hold other teams' waiting steps.
        steps = client.list_all("ListWaitingWorkflowSteps", "steps")
        waiting = [s for s in steps if s["imageBuildVersionArn"] == arn]
        assert [(s["name"], s["action"], s["workflowBuildVersionArn"]) for s in waiting] == [
            ("WaitForApproval", "WaitForAction", workflow)
        ]
    with verifies("workflow-executions"):
        executions = client.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
        assert [(e["type"], e["status"]) for e in executions] == [("BUILD", "COMPLETED"), ("TEST", "RUNNING")]
        assert executions[1]["workflowExecutionId"] == waiting[0]["workflowExecutionId"]
    token = workspace.token()
    with verifies("workflow-step-action"):
        sent = client.send_workflow_step_action(
            stepExecutionId=waiting[0]["stepExecutionId"], imageBuildVersionArn=arn, action="RESUME", clientToken=token
        )
        assert (sent["stepExecutionId"], sent["imageBuildVersionArn"], sent["clientToken"]) == (
            waiting[0]["stepExecutionId"],
            arn,
            token,
        )
        assert workspace.wait_for_image(arn, {"AVAILABLE"}).status == "AVAILABLE"
        step = client.get_workflow_step_execution(stepExecutionId=waiting[0]["stepExecutionId"])
        assert step["status"] == "COMPLETED"
    with verifies("workflow-step-action-refused"), expect_error("InvalidRequestException", 400):
        client.send_workflow_step_action(
            stepExecutionId=waiting[0]["stepExecutionId"], imageBuildVersionArn=arn, action="RESUME"
        )
    request.addfinalizer(lambda: _remove_builds(workspace, [arn]))


@pytest.mark.builds(2)
def test_retry_runs_a_cancelled_build_again_in_place(workspace: Workspace) -> None:
    """RetryImage of a cancelled build answers the same build version and runs it again (no new version)."""
    client = workspace.client
    if not hasattr(client, "retry_image"):
        pytest.skip("the installed botocore model has no RetryImage")
    pipeline = workspace.pipeline()
    arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    with contextlib.suppress(ClientError):  # on AWS the live guard has cancelled it already
        client.cancel_image_creation(imageBuildVersionArn=arn)
    assert workspace.wait_for_image(arn, TERMINAL).status == "CANCELLED"
    token = workspace.token()
    with verifies("retry-image"):
        answer = client.retry_image(imageBuildVersionArn=arn, clientToken=token)
        assert (answer["imageBuildVersionArn"], answer["clientToken"]) == (arn, token)
        if workspace.target.controls_time:
            # On AWS the live guard cancels the retried build again at once, so only where the suite owns the
            # clock can the run be seen resumed.
            image = workspace.eventually(
                lambda: workspace.get_image(arn), lambda i: i["state"]["status"] != "CANCELLED"
            )
            assert image["state"]["status"] != "CANCELLED"
        listed = client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert [s["arn"] for s in listed] == [arn]
    _remove_builds(workspace, [arn])


def _lifecycle_execution(workspace: Workspace, execution_id: str) -> dict[str, Any]:
    """The execution once it has settled: where the suite moves the clock, after up to ten virtual minutes;
    elsewhere (AWS) as it stands within the target's consistency window, so a slow execution never holds the
    run (its outcome is then not checked)."""
    def fetch() -> dict[str, Any]:
        found: dict[str, Any] = workspace.client.get_lifecycle_execution(lifecycleExecutionId=execution_id)[
            "lifecycleExecution"
        ]
        return found

    def settled(execution: dict[str, Any]) -> bool:
        return execution["state"]["status"] not in ("PENDING", "IN_PROGRESS", "CANCELLING")

    if not workspace.target.controls_time:
        return workspace.eventually(fetch, settled)
    execution = fetch()
    for _ in range(20):
        if settled(execution):
            break
        workspace.let_time_pass(30)
        execution = fetch()
    return execution


@pytest.mark.builds(2)  # the build, and the state update (its answer carries the image's ARN: budgeted as a start)
def test_a_state_update_deletes_the_run_s_own_cancelled_image(workspace: Workspace) -> None:
    """StartResourceStateUpdate on the run's own image, cancelled first so every target agrees on where it
    starts: a CANCELLED image can only go to DELETED; the update is a lifecycle execution of no policy, listed
    in the image's history, that ends SUCCESS with the image DELETED and gone from its pipeline's list."""
    pipeline = workspace.pipeline()
    arn = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    with contextlib.suppress(ClientError):  # on AWS the live guard may have cancelled it already
        workspace.client.cancel_image_creation(imageBuildVersionArn=arn)
    assert workspace.wait_for_image(arn, TERMINAL).status == "CANCELLED"
    with verifies("state-update-transitions"), expect_error("InvalidRequestException", 400):
        workspace.client.start_resource_state_update(resourceArn=arn, state={"status": "AVAILABLE"})
    with verifies("state-update-execution"):
        answer = workspace.client.start_resource_state_update(resourceArn=arn, state={"status": "DELETED"})
        assert answer["resourceArn"] == arn
        execution_id = answer["lifecycleExecutionId"]
        history = workspace.eventually(
            lambda: workspace.client.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"],
            lambda found: execution_id in [e["lifecycleExecutionId"] for e in found],
        )
        assert execution_id in [e["lifecycleExecutionId"] for e in history]
        execution = _lifecycle_execution(workspace, execution_id)
        assert "lifecyclePolicyArn" not in execution
        status = execution["state"]["status"]
        assert status in ("PENDING", "IN_PROGRESS", "SUCCESS"), execution["state"]
        assert status == "SUCCESS" or not workspace.target.controls_time, execution["state"]
    if status != "SUCCESS":
        return  # AWS has not finished within the run's patience: nothing more to compare
    with verifies("image-managed-status"):
        image = workspace.eventually(lambda: workspace.get_image(arn), lambda i: i["state"]["status"] == "DELETED")
        assert image["state"]["status"] == "DELETED" and image["lifecycleExecutionId"] == execution_id
    with verifies("deleted-images-hidden"):
        listed = workspace.client.list_image_pipeline_images(imagePipelineArn=pipeline.arn)["imageSummaryList"]
        assert arn not in [s["arn"] for s in listed]
