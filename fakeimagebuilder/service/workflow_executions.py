"""Watching and steering a build's workflows: executions, step executions, waiting steps, actions, retries.

What a build's workflows did is read off their layout (:mod:`.workflow_runs`)
at the caller's instant, so an execution is listed once it has started and
its status, counts and times agree with GetImage at every instant. Shapes
follow aws-cli's examples (``list-workflow-executions.rst``,
``get-workflow-execution.rst``, ``list-workflow-step-executions.rst``,
``get-workflow-step-execution.rst``, ``list-waiting-workflow-steps.rst``,
``send-workflow-step-action.rst``, ``retry-image.rst``).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from .builds import Attempt, Build
from .dates import date_string
from .errors import InvalidParameterValueException, InvalidRequestException, ResourceNotFoundException
from .images import require_capacity
from .lifecycle_executions import image_status, require_idle
from .paging import Position, page
from .state import Scope
from .workflow_runs import Action, StepRun, WorkflowRun, apply_layout, executions_owner, runs_of

__all__ = [
    "get_workflow_execution",
    "get_workflow_step_execution",
    "list_waiting_workflow_steps",
    "list_workflow_executions",
    "list_workflow_step_executions",
    "retry_image",
    "send_workflow_step_action",
    "step_status",
]


def step_status(step: StepRun, now: float) -> str:
    """A step execution's status at ``now``: PENDING until it starts, RUNNING (or waiting) until it ends."""
    if now < step.starts:
        return "PENDING"
    if now < step.ends:
        return "RUNNING"
    return step.outcome


def _execution(scope: Scope, execution_id: str, now: float) -> tuple[Build, WorkflowRun]:
    """The build and workflow execution an id names, if it has started by ``now``."""
    build = executions_owner(scope, scope.workflow_executions, execution_id)
    run = next((r for r in runs_of(scope, build) if r.id == execution_id), None) if build is not None else None
    if build is None or run is None or run.starts > now:
        raise ResourceNotFoundException(f"The workflow execution '{execution_id}' does not exist.")
    return build, run


def _step(scope: Scope, step_id: str, now: float) -> tuple[Build, WorkflowRun, StepRun]:
    """The build, workflow execution and step execution a step id names, if its workflow has started."""
    build = executions_owner(scope, scope.step_executions, step_id)
    if build is not None:
        for run in runs_of(scope, build):
            for step in run.steps:
                if step.id == step_id and run.starts <= now:
                    return build, run, step
    raise ResourceNotFoundException(f"The workflow step execution '{step_id}' does not exist.")


def _metadata(run: WorkflowRun, now: float) -> dict[str, Any]:
    """A workflow execution at ``now`` (WorkflowExecutionMetadata, GetWorkflowExecution)."""
    statuses = [step_status(step, now) for step in run.steps]
    ended = now >= run.ends
    document: dict[str, Any] = {
        "workflowBuildVersionArn": run.spec.arn,
        "workflowExecutionId": run.id,
        "type": run.spec.type,
        "status": run.outcome if ended else "RUNNING",
        "message": run.message if ended else None,
        "totalStepCount": len(run.steps),
        "totalStepsSucceeded": statuses.count("COMPLETED"),
        "totalStepsFailed": statuses.count("FAILED"),
        "totalStepsSkipped": statuses.count("SKIPPED"),
        "startTime": date_string(run.starts),
        "endTime": date_string(run.ends) if ended else None,
        "parallelGroup": run.spec.parallel_group,
        "retried": run.retried,
    }
    return {k: v for k, v in document.items() if v is not None}


def _outputs(build: Build, step: StepRun, status: str) -> str | None:
    """What a finished step put out: its instance or its AMI, as aws-cli's examples show, or the action's reason."""
    if status != "COMPLETED":
        return step.outputs
    if step.spec.action == "LaunchInstance":
        instance = "i-" + hashlib.sha256(f"{build.arn}:{step.id}".encode()).hexdigest()[:17]
        return f'{{"instanceId": "{instance}"}}'
    if step.spec.action == "CreateImage":
        return f'{{"imageId": "{build.ami_id()}"}}'
    return step.outputs


def _step_metadata(build: Build, step: StepRun, now: float) -> dict[str, Any]:
    """A step execution at ``now`` (WorkflowStepMetadata)."""
    status = step_status(step, now)
    started = status != "PENDING" and not math.isinf(step.starts)
    document: dict[str, Any] = {
        "stepExecutionId": step.id,
        "name": step.spec.name,
        "description": step.spec.description,
        "action": step.spec.action,
        "status": status,
        "message": step.message if status in ("FAILED", "COMPLETED", "CANCELLED") else None,
        "inputs": step.spec.inputs,
        "outputs": _outputs(build, step, status),
        "startTime": date_string(step.starts) if started else None,
        "endTime": date_string(step.ends) if started and now >= step.ends else None,
    }
    return {k: v for k, v in document.items() if v is not None}


def get_workflow_execution(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetWorkflowExecution: one workflow execution of a build, as it stands now."""
    build, run = _execution(scope, params["workflowExecutionId"], now)
    return {**_metadata(run, now), "imageBuildVersionArn": build.arn}


def list_workflow_executions(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListWorkflowExecutions: the workflow executions of one build version that have started, in run order."""
    text = params["imageBuildVersionArn"]
    build = scope.build(text)
    every = runs_of(scope, build)
    runs = [run for run in every if run.starts <= now]
    order = {run.id: index for index, run in enumerate(every)}
    shown, token = page(scope, runs, params, ("ListWorkflowExecutions", text), lambda run: order[run.id])
    return {
        "workflowExecutions": [_metadata(run, now) for run in shown],
        "imageBuildVersionArn": build.arn,
        "nextToken": token,
    }


def get_workflow_step_execution(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetWorkflowStepExecution: one step execution, with its workflow, image, onFailure and timeout."""
    build, run, step = _step(scope, params["stepExecutionId"], now)
    answer = _step_metadata(build, step, now)
    answer.update(
        workflowBuildVersionArn=run.spec.arn,
        workflowExecutionId=run.id,
        imageBuildVersionArn=build.arn,
        onFailure=step.spec.on_failure,
    )
    if step.spec.timeout_seconds is not None:
        answer["timeoutSeconds"] = step.spec.timeout_seconds
    return answer


def list_workflow_step_executions(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListWorkflowStepExecutions: every step of one workflow execution, in document order."""
    build, run = _execution(scope, params["workflowExecutionId"], now)
    order = {step.id: index for index, step in enumerate(run.steps)}
    query = ("ListWorkflowStepExecutions", run.id)
    shown, token = page(scope, run.steps, params, query, lambda step: order[step.id])
    return {
        "steps": [_step_metadata(build, step, now) for step in shown],
        "workflowBuildVersionArn": run.spec.arn,
        "workflowExecutionId": run.id,
        "imageBuildVersionArn": build.arn,
        "nextToken": token,
    }


def _waiting(scope: Scope, now: float) -> list[tuple[Position, Build, WorkflowRun, StepRun]]:
    """Every WaitForAction step of the scope's builds waiting for an action at ``now``, oldest first, each
    with its place in that order: (the millisecond it began waiting, its build's serial). A build waits at
    one step at a time, so the place is the step's own, and stays while other steps are actioned."""
    found = []
    for build in scope.waiting_builds.values():
        if scope.builds.get(build.arn) is not build:
            continue  # deleted
        for run in build.runs:
            for step in run.steps:
                if step.awaiting and step.starts <= now < step.ends:
                    place = (round(step.starts * 1000), scope.builds.serial(build.arn))
                    found.append((place, build, run, step))
    found.sort(key=lambda item: item[0])
    return found


def list_waiting_workflow_steps(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListWaitingWorkflowSteps: the account's steps paused at WaitForAction, waiting for an action."""
    waiting = _waiting(scope, now)
    shown, token = page(scope, waiting, params, ("ListWaitingWorkflowSteps",), lambda item: item[0])
    steps = [
        {
            "stepExecutionId": step.id,
            "imageBuildVersionArn": build.arn,
            "workflowExecutionId": run.id,
            "workflowBuildVersionArn": run.spec.arn,
            "name": step.spec.name,
            "action": step.spec.action,
            "startTime": date_string(step.starts),
        }
        for _, build, run, step in shown
    ]
    return {"steps": steps, "nextToken": token}


def send_workflow_step_action(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """SendWorkflowStepAction: RESUME completes a waiting step and the build goes on; STOP fails the step, and
    its ``onFailure`` decides whether the workflow (and the build) fails (API reference, SendWorkflowStepAction).

    A step that is not waiting (never a wait, not started, already actioned,
    or its build ended) refuses the action: "The request fails if the step has
    already timed out or been actioned".
    """
    step_id, text = params["stepExecutionId"], params["imageBuildVersionArn"]
    build, _, step = _step(scope, step_id, now)
    if build.arn != text:
        raise InvalidParameterValueException(
            f"The workflow step execution '{step_id}' belongs to the image '{build.arn}', not '{text}'."
        )
    if not step.awaiting or not step.starts <= now < step.ends:
        raise InvalidRequestException(
            f"The workflow step execution '{step_id}' is not waiting for an action (status "
            f"{step_status(step, now)}); only a WaitForAction step that is waiting accepts one."
        )
    build.actions = {**(build.actions or {}), step_id: Action(params["action"], now, params.get("reason"))}
    apply_layout(scope, build)
    return {"stepExecutionId": step_id, "imageBuildVersionArn": build.arn}


def retry_image(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """RetryImage: a FAILED or CANCELLED build runs again in place, from the status it ended in.

    The same build version goes on (no new version, same ARN and build
    type): the statuses it had completed are not run again (model doc of
    RetryImage, botocore 1.44; aws-cli ``retry-image.rst``). The workflow
    executions it re-runs are marked ``retried``; the new ones run with the
    build plan in force now, so a plan that still fails fails the retry too.
    Only AMI builds from a recipe can be retried (not imports or DistributeImage copies).
    """
    text = params["imageBuildVersionArn"]
    build = scope.build(text)
    status = image_status(scope, build, now)  # a FAILED image a lifecycle action DELETED is DELETED
    if status not in ("FAILED", "CANCELLED"):
        raise InvalidRequestException(
            f"The image '{text}' is in status {status}; only a FAILED or CANCELLED image can be retried."
        )
    if ":container-recipe/" in build.recipe.get("arn", ""):
        raise InvalidRequestException(f"The image '{text}' is a container image; only AMI images can be retried.")
    if build.plan is None:  # an import or a DistributeImage copy: no recipe, no workflow to run again
        raise InvalidRequestException(
            f"The image '{text}' was imported or made by DistributeImage; only an image built from a recipe can "
            "be retried."
        )
    require_idle(scope, text, now)  # a state update waiting on its updateAt would act on the build mid-flight
    source = build.pipeline.get("arn")
    if source in scope.pipeline_builds:  # a build of a live pipeline counts toward its max_concurrent_builds
        require_capacity(scope, source, now)
    runs = runs_of(scope, build)  # laid out before the attempt is put aside
    # The status it ended in: the last that had started before the end (a cancel at the start: the first).
    reached = [stage for stage, starts in build.stages if starts < build.end_at]
    resume = reached[-1] if reached else build.stages[0][0]
    build.earlier += (Attempt(build.stages, build.end_status, build.end_at, build.end_reason, build.failure_context),)
    attempt = build.attempt + 1
    stopped_in = {run.spec.type for run in runs if run.attempt == attempt - 1 and run.outcome != "COMPLETED"}
    for run in runs:
        if run.attempt == attempt - 1 and run.spec.type in stopped_in:
            run.retried = True
    plan = scope.settings.plan_for(source) if source else scope.settings.build_plan
    build.attempt, build.attempt_start, build.plan, build.first_status = attempt, now, plan, resume
    apply_layout(scope, build)
    scope.retried.append(build.arn)
    return {"imageBuildVersionArn": build.arn}
