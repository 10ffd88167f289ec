"""Workflow executions: the build, test and distribution workflows a build runs, laid out on its timeline.

A build runs its workflows inside its statuses: the BUILD workflows while
BUILDING, TEST while TESTING, DISTRIBUTION while DISTRIBUTING (aws-cli
``list-workflow-executions.rst``: a build with the default workflows shows a
BUILD and a TEST execution, the test one starting after the build one ends).
Each status keeps the duration its :class:`~.builds.BuildPlan` gives it; the
steps that run share it evenly, so a build with workflows takes exactly as
long as one without, and every step and execution time agrees with the
image's status at any instant.

Like the build itself, a layout is computed, not played: :func:`lay_out` is
a pure function of the build's settings, its plan and the actions sent to
its ``WaitForAction`` steps. A waiting step that has no action yet holds the
build (it ends at no instant); ``SendWorkflowStepAction`` records the action
and the layout is computed again, which moves everything after the wait by
the time it waited.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .arns import Arn
from .builds import DEFAULT_DURATIONS, DEFAULT_FAILURE_REASON, IN_PROGRESS, Build, BuildPlan
from .dependencies import failed_component
from .documents import as_text, read_document
from .errors import ImageBuilderError
from .managed import catalogue
from .state import Scope
from .versions import highest, pattern, stored_version

__all__ = [
    "STAGE_TYPES",
    "WAIT",
    "Action",
    "Layout",
    "StepRun",
    "StepSpec",
    "WorkflowRun",
    "WorkflowSpec",
    "apply_layout",
    "execution_id",
    "executions_owner",
    "lay_out",
    "lay_out_new",
    "runs_of",
    "workflow_specs",
]

WAIT = "WaitForAction"
"""The step action that pauses a workflow until SendWorkflowStepAction (user guide wfdoc-step-actions.html)."""

STAGE_TYPES: Mapping[str, str] = {"BUILDING": "BUILD", "TESTING": "TEST", "DISTRIBUTING": "DISTRIBUTION"}
"""The image status each workflow type runs in."""

_DEFAULTS = {"BUILD": ("build", "build-image", "1.0.3"), "TEST": ("test", "test-image", "1.0.3")}
"""The AWS-managed workflows a build runs when it names none of a type: build-image and test-image, the
versions aws-cli list-workflow-executions.rst shows; no distribution workflow (that example has none)."""


def execution_id(prefix: str, *parts: object) -> str:
    """A stable id (``wf-<uuid>``, ``step-<uuid>``) made from ``parts``: the same run always has the same id."""
    text = ":".join([prefix, *map(str, parts)])
    # The UUID of the digest's first 16 bytes, written from its hex digits: a build makes a dozen ids, and a
    # uuid.UUID object for each cost more than the hashing.
    h = hashlib.sha256(text.encode()).hexdigest()
    return f"{prefix}-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of a workflow document, as the build will run it."""

    name: str
    action: str
    description: str | None
    on_failure: str
    timeout_seconds: int | None
    inputs: str | None  # the step's inputs as the JSON text the API shows
    skipped: bool  # its ``if`` condition is false for this build


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """One workflow a build runs: its build version ARN, type, steps and the settings the pipeline gave it."""

    arn: str
    type: str
    steps: tuple[StepSpec, ...]
    on_failure: str = "ABORT"
    parallel_group: str | None = None
    waits: bool = field(init=False)  # whether a step of it waits for an action (WAIT)

    def __post_init__(self) -> None:
        object.__setattr__(self, "waits", any(step.action == WAIT for step in self.steps))


@dataclass(slots=True)
class StepRun:
    """One step execution: when it starts and ends, and how (``ends`` is infinite while it waits)."""

    id: str
    spec: StepSpec
    starts: float
    ends: float
    outcome: str  # COMPLETED, FAILED, SKIPPED, PENDING, or WAITING (a wait with no action yet and no timeout)
    message: str | None = None
    outputs: str | None = None
    awaiting: bool = False  # a WaitForAction step no action was sent to: it waits until it ends


@dataclass(slots=True)
class WorkflowRun:
    """One workflow execution of a build: its steps, start and end, and how it ended."""

    id: str
    spec: WorkflowSpec
    image_arn: str
    starts: float
    steps: list[StepRun] = field(default_factory=list)
    ends: float = math.inf
    outcome: str = "COMPLETED"
    message: str | None = None
    retried: bool = False
    attempt: int = 0


@dataclass(slots=True)
class Layout:
    """A build attempt laid out: its statuses, its end, the workflows it runs and the step that failed."""

    stages: tuple[tuple[str, float], ...]
    end_status: str
    end_at: float
    end_reason: str | None
    runs: list[WorkflowRun]
    failed: tuple[WorkflowRun, StepRun] | None = None


# -- what a build runs ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _read(data: str) -> dict[str, Any] | None:
    """A stored workflow document, read once per text (every build of a pipeline runs the same ones).

    Callers only read what it returns. None when the fake cannot read it (checked when it was created).
    """
    try:
        return read_document(data, ValueError)
    except ValueError:
        return None


def _workflow_document(scope: Scope, text: str) -> dict[str, Any] | None:
    """The stored workflow an ARN names (an ``x.x.x`` version selects its highest build); None if gone."""
    arn = Arn.parse(text)
    items = (
        catalogue("workflow", scope.partition, scope.region) if arn.account == "aws" else scope.resources["workflow"]
    )
    found = items.get(text)
    if found is not None:
        return dict(found)
    prefix, _, version = text.rpartition("/")
    if "." not in version:
        return None
    try:
        wanted = pattern(version)
    except ImageBuilderError:
        return None
    best = highest(
        (key for key in items if key.startswith(prefix + "/")),
        wanted,
        stored_version,
    )
    return dict(items[best]) if best is not None else None


def _condition(node: Any, values: Mapping[str, Any]) -> bool:
    """Whether a step's ``if`` holds (user guide workflow-document.html, "Conditional step execution").

    The fake reads the comparisons and ``and``/``or``/``not``; a value it
    cannot resolve, or a form it does not know, counts as true: the step runs.
    """
    if not isinstance(node, dict):
        return True
    if isinstance(node.get("and"), list):
        return all(_condition(item, values) for item in node["and"])
    if isinstance(node.get("or"), list):
        return any(_condition(item, values) for item in node["or"])
    if "not" in node:
        return not _condition(node["not"], values)
    reference = node.get("value")
    if not isinstance(reference, str) or reference not in values:
        return True
    actual = values[reference]
    for operator, expected in node.items():
        if operator == "booleanEquals":
            return as_text(actual).lower() == as_text(expected).lower()
        if operator == "stringEquals":
            return as_text(actual) == as_text(expected)
        if operator == "numberEquals":
            try:
                return float(as_text(actual)) == float(as_text(expected))
            except ValueError:
                return False
    return True


def _system_values(settings: dict[str, Any], platform: str) -> tuple[tuple[str, Any], ...]:
    """The system variables the fake knows, for a build with ``settings`` on ``platform`` (user guide
    workflow-document.html, "Use Image Builder system variables"); a tuple, so it can key a cache."""
    scanning = (settings.get("imageScanningConfiguration") or {}).get("imageScanningEnabled", False)
    return (
        ("$.imagebuilder.collectImageScanFindings", bool(scanning)),
        ("$.imagebuilder.collectImageMetadata", settings.get("enhancedImageMetadataEnabled", True) is not False),
        ("$.imagebuilder.platform", platform),
    )


def _values(document: dict[str, Any], given: list[dict[str, Any]], system: tuple[tuple[str, Any], ...]) -> dict:
    """What ``if`` conditions may name: ``$.parameters.<name>`` (given, else the document's default) and the
    ``system`` variables (:func:`_system_values`)."""
    values: dict[str, Any] = {}
    for parameter in document.get("parameters") or []:
        if isinstance(parameter, dict) and "defaultValue" in parameter:
            default = parameter["defaultValue"]
            values[f"$.parameters.{parameter['name']}"] = default[0] if len(default) == 1 else default
    for parameter in given:
        value = parameter.get("value") or []
        values[f"$.parameters.{parameter['name']}"] = value[0] if len(value) == 1 else value
    values.update(system)
    return values


def _steps(document: dict[str, Any], values: Mapping[str, Any]) -> tuple[StepSpec, ...]:
    steps = []
    for step in document.get("steps") or []:
        inputs = step.get("inputs")
        timeout = step.get("timeoutSeconds")
        steps.append(
            StepSpec(
                name=str(step["name"]),
                action=str(step["action"]),
                description=None if step.get("description") is None else str(step["description"]),
                on_failure=str(step.get("onFailure") or "Abort"),
                timeout_seconds=int(as_text(timeout)) if as_text(timeout).isdigit() else None,
                inputs=json.dumps(inputs) if isinstance(inputs, dict) else None,
                skipped="if" in step and not _condition(step["if"], values),
            )
        )
    return tuple(steps)


def workflow_specs(scope: Scope, settings: dict[str, Any], platform: str) -> tuple[WorkflowSpec, ...]:
    """The workflows a build with ``settings`` (a pipeline's, or CreateImage's) runs, in the order they run.

    Those ``workflows`` names, with their parameters; a type it names none
    of runs AWS's default for it (BUILD and TEST; the fake's choice where
    AWS is silent). A workflow whose document the fake cannot read (given
    by S3 ``uri``, or YAML beyond its reader) runs the default's steps.
    """
    system = _system_values(settings, platform)
    if not settings.get("workflows"):
        return _default_specs(scope.partition, scope.region, system)
    named: list[WorkflowSpec] = []
    for entry in settings["workflows"]:
        document = _workflow_document(scope, entry["workflowArn"])
        if document is None:
            continue
        kind = document["type"]
        parsed = _read(document["data"]) if document.get("data") else None
        if not parsed or not isinstance(parsed.get("steps"), list):
            parsed = _default_document(scope, kind)
        values = _values(document, entry.get("parameters") or [], system)
        named.append(
            WorkflowSpec(
                arn=document["arn"],
                type=kind,
                steps=_steps(parsed, values),
                on_failure=entry.get("onFailure") or "ABORT",
                parallel_group=entry.get("parallelGroup"),
            )
        )
    for kind in _DEFAULTS:
        if not any(spec.type == kind for spec in named):
            named.append(_default_spec(scope.partition, scope.region, kind, system))
    order = {"BUILD": 0, "TEST": 1, "DISTRIBUTION": 2}
    return tuple(sorted(named, key=lambda spec: order[spec.type]))


@lru_cache(maxsize=256)
def _default_specs(partition: str, region: str, system: tuple[tuple[str, Any], ...]) -> tuple[WorkflowSpec, ...]:
    """What a build that names no workflows runs: AWS's default of each type, in the order they run."""
    return tuple(_default_spec(partition, region, kind, system) for kind in _DEFAULTS)


@lru_cache(maxsize=256)
def _default_spec(partition: str, region: str, kind: str, system: tuple[tuple[str, Any], ...]) -> WorkflowSpec:
    """AWS's default workflow of ``kind`` as a build runs it: the same for every build with the same system
    variables (AWS's documents never change), so made once, not at every start."""
    document = _default(partition, region, kind)
    parsed = _read(document["data"]) or {}
    return WorkflowSpec(arn=document["arn"], type=kind, steps=_steps(parsed, _values(document, [], system)))


def _default(partition: str, region: str, kind: str) -> dict[str, Any]:
    folder, name, version = _DEFAULTS[kind]
    arn = str(Arn.build(partition, region, "aws", "workflow", folder, name, version, "1"))
    return dict(catalogue("workflow", partition, region)[arn])


def _default_document(scope: Scope, kind: str) -> dict[str, Any]:
    if kind not in _DEFAULTS:
        return {"steps": [{"name": "DistributeImage", "action": "DistributeImage"}]}
    return _read(_default(scope.partition, scope.region, kind)["data"]) or {}


# -- laying a build out -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """A SendWorkflowStepAction to a waiting step: RESUME or STOP, when, and the reason sent."""

    action: str
    at: float
    reason: str | None
    message: str | None = None  # set for the STOP a timeout amounts to, which no one sent


def _continues(step: StepSpec) -> bool:
    """Whether ``step``'s workflow goes on when it fails: its onFailure is not Abort (API reference,
    SendWorkflowStepAction: "the step's onFailure setting determines whether the workflow continues or aborts")."""
    return step.on_failure.lower() != "abort"


def _failing_step(plan: BuildPlan, runs_in: list[WorkflowSpec]) -> tuple[int, int] | None:
    """Which (workflow, step) of a status's workflows a failing plan fails: the plan's ``fail_step``, else the
    first step that runs components, else the last step that runs."""
    candidates = [
        (w, s, step)
        for w, spec in enumerate(runs_in)
        for s, step in enumerate(spec.steps)
        if not step.skipped and step.action != WAIT
    ]
    if not candidates:
        return None
    for w, s, step in candidates:
        if plan.fail_step is not None and step.name == plan.fail_step:
            return w, s
    for w, s, step in candidates:
        if step.action == "ExecuteComponents":
            return w, s
    return candidates[-1][:2]


def _fails_in(plan: BuildPlan, specs: tuple[WorkflowSpec, ...], statuses: list[str]) -> tuple[str | None, str | None]:
    """The status a failing plan fails in, and why it fails no step there (None when it does, or may).

    The status whose workflows run ``fail_step``; else ``fail_during``. A
    ``fail_step`` this build does not run (no step of its workflows in
    ``statuses``, one its ``if`` skips, a wait that only an action or its
    timeout fails) fails no other step in its place: the second value says
    why, for the reason.
    """
    if plan.outcome != "FAILED":
        return None, None
    if plan.fail_step is None:
        return plan.fail_during, None
    named = []
    for status in statuses:
        for spec in specs:
            if spec.type == STAGE_TYPES.get(status):
                for step in spec.steps:
                    if step.name == plan.fail_step:
                        if not step.skipped and step.action != WAIT:
                            return status, None
                        named.append(step)
    if any(step.action == WAIT and not step.skipped for step in named):
        why = "is a WaitForAction step, which only SendWorkflowStepAction or its timeout fails"
    elif named:
        why = "is skipped on this build (its if condition is false)"
    else:
        why = "is no step of the workflows this build runs"
    return plan.fail_during, f"the build plan's fail_step '{plan.fail_step}' {why}"


def lay_out(
    build_arn: str,
    attempt: int,
    start: float,
    plan: BuildPlan,
    tests_enabled: bool,
    specs: tuple[WorkflowSpec, ...],
    actions: Mapping[str, Action],
    fills: Mapping[str, str],
    first_status: str = "PENDING",
    origin: str = "",
) -> Layout:
    """The statuses, end and workflow executions of one attempt of a build that starts at ``start``.

    ``origin``: the build's (:attr:`.builds.Build.origin`), in every execution id, so a build made again
    under the same ARN (after a reset) has executions of its own, as its AMIs are its own.

    ``first_status``: where the attempt starts (a retry resumes in the status
    it failed in). ``fills`` gives the failure reason's placeholders other
    than ``{status}`` and ``{workflow_execution_id}``.
    """
    statuses = list(IN_PROGRESS[IN_PROGRESS.index(first_status) :])
    fail_in, unfailable = _fails_in(plan, specs, [s for s in statuses if tests_enabled or s != "TESTING"])
    stages: list[tuple[str, float]] = []
    runs: list[WorkflowRun] = []
    # Times are the base (the start, moved on by each wait) plus the plan's time elapsed, summed apart from
    # the (large) epoch origin as BuildPlan.timeline does: a build of N seconds ends exactly N seconds later.
    base, elapsed = start, 0.0
    t = start
    failing = False
    for status in statuses:
        # A plan failing during TESTING fails in the next status when the tests are off (as BuildPlan.timeline).
        failing = failing or status == fail_in
        if status == "TESTING" and not tests_enabled:
            continue
        stages.append((status, t))
        duration = plan.durations.get(status, DEFAULT_DURATIONS[status])
        kind = STAGE_TYPES.get(status)
        here = [spec for spec in specs if spec.type == kind]
        target = _failing_step(plan, here) if failing and unfailable is None else None
        # A failed step that continues on failure lets its workflow, and the later steps, run on.
        goes_on = target is not None and _continues(here[target[0]].steps[target[1]])
        running = [
            (w, s)
            for w, spec in enumerate(here)
            for s, step in enumerate(spec.steps)
            if not step.skipped and step.action != WAIT and (target is None or goes_on or (w, s) <= target)
        ]
        stage_from, done = elapsed, 0
        for w, spec in enumerate(here):
            index = len(runs)
            run_id = execution_id("wf", origin, build_arn, attempt, index)
            run = WorkflowRun(run_id, spec, build_arn, t, attempt=attempt)
            runs.append(run)
            aborted = False
            for s, step in enumerate(spec.steps):
                step_id = execution_id("step", origin, build_arn, attempt, index, s)
                if aborted or step.skipped:
                    run.steps.append(StepRun(step_id, step, t, t, "SKIPPED"))
                    continue
                if step.action == WAIT:
                    sent = actions.get(step_id)
                    if sent is None and step.timeout_seconds is not None:
                        # Unanswered, it fails when its timeoutSeconds run out (user guide workflow-document.html).
                        expiry = f"The step timed out after {step.timeout_seconds} seconds waiting for an action."
                        sent = Action("STOP", t + step.timeout_seconds, None, expiry)
                    if sent is None:
                        # Held: the build ends at no instant until an action comes; the later steps wait too.
                        run.steps.append(StepRun(step_id, step, t, math.inf, "WAITING", awaiting=True))
                        for later, rest in enumerate(spec.steps[s + 1 :], s + 1):
                            later_id = execution_id("step", origin, build_arn, attempt, index, later)
                            run.steps.append(StepRun(later_id, rest, math.inf, math.inf, "PENDING"))
                        return Layout(tuple(stages), "AVAILABLE", math.inf, None, runs)
                    outputs = json.dumps({"reason": sent.reason}) if sent.reason else None
                    if sent.action == "RESUME":
                        run.steps.append(StepRun(step_id, step, t, sent.at, "COMPLETED", outputs=outputs))
                        base, t = sent.at - elapsed, sent.at
                        continue
                    message = sent.message or (
                        f"Stopped by SendWorkflowStepAction: {sent.reason}"
                        if sent.reason
                        else "Stopped by SendWorkflowStepAction."
                    )
                    stopped = StepRun(step_id, step, t, sent.at, "FAILED", message, outputs, sent.message is not None)
                    run.steps.append(stopped)
                    base, t = sent.at - elapsed, sent.at
                    if _continues(step):
                        continue  # onFailure Continue: the workflow goes on
                    for later, rest in enumerate(spec.steps[s + 1 :], s + 1):
                        later_id = execution_id("step", origin, build_arn, attempt, index, later)
                        run.steps.append(StepRun(later_id, rest, t, t, "SKIPPED"))
                    run.ends, run.outcome = t, "FAILED"
                    run.message = f"Step '{step.name}' failed: {message}"
                    reason = f"Workflow Execution ID: '{run.id}' failed with reason: {run.message}"
                    return Layout(tuple(stages), "FAILED", t, reason, runs, (run, stopped))
                fails = target == (w, s)
                done += 1
                # The last step that runs ends exactly where the status does.
                elapsed = stage_from + (duration if done == len(running) else duration * done / len(running))
                ends = base + elapsed
                if fails:
                    failed_step = StepRun(step_id, step, t, ends, "FAILED", f"Step '{step.name}' failed.")
                    run.steps.append(failed_step)
                    aborted = not goes_on
                else:
                    run.steps.append(StepRun(step_id, step, t, ends, "COMPLETED"))
                t = ends
            run.ends = t
            if aborted:
                run.outcome, run.message = "FAILED", failed_step.message
                reason = _reason(plan, status, run, failed_step, fills, run.id)
                return Layout(tuple(stages), "FAILED", t, reason, runs, (run, failed_step))
        if not running:
            elapsed = stage_from + duration  # no step of this status runs: its time passes after its workflows
            t = base + elapsed
        if goes_on:
            # The plan's failure fell on a step that continues on failure: spent there, as a STOP of such a step
            # is, the build ends as the rest of its workflows make it.
            failing = False
        elif failing:
            # Failing outside every workflow step: AWS's default wording would name a workflow execution that did
            # not fail (or none of the build's), so the reason says only where it failed. A plan's own wording is
            # kept; its {workflow_execution_id} names the last execution that ran, else a made-up one (made here,
            # not at every launch; a layout stored before this still holds the one it was given).
            if unfailable is not None:
                # Whatever the plan's wording, which was written for a step that did not fail: the test that set
                # it learns from the reason why no step failed.
                reason = f"The image build failed while it was {status}; no workflow step failed: {unfailable}."
            elif plan.failure_reason == DEFAULT_FAILURE_REASON:
                reason = f"The image build failed while it was {status}; no workflow step failed."
            else:
                last = (
                    runs[-1].id if runs else fills.get("workflow_execution_id") or execution_id("wf", origin, build_arn)
                )
                reason = _reason(plan, status, None, None, fills, last)
            return Layout(tuple(stages), "FAILED", t, reason, runs)
    return Layout(tuple(stages), "AVAILABLE", t, None, runs)


def _reason(
    plan: BuildPlan,
    status: str,
    run: WorkflowRun | None,
    step: StepRun | None,
    fills: Mapping[str, str],
    last_run: str,
) -> str:
    """state.reason of a build failing in ``status`` (at ``step`` of ``run``, when a workflow step failed)."""
    template = plan.failure_reason
    if template == DEFAULT_FAILURE_REASON and step is not None and step.spec.action != "ExecuteComponents":
        # The default wording names a component document; a step that runs none is named itself.
        template = "Workflow Execution ID: '{workflow_execution_id}' failed with reason: Step '{step_name}' failed."
    values = {
        **fills,
        "status": status,
        "workflow_execution_id": run.id if run is not None else last_run,
        "step_name": step.spec.name if step is not None else "",
    }
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _failure_context(layout: Layout, build: Build, component: str | None) -> dict[str, Any] | None:
    """state.failureContext of a failed layout: the failed workflow step and, where it ran components, the
    component build version ``component`` (user guide image-failure-context.html); only the status when no
    workflow step failed.

    A recipe without components ran none: no componentFailure. A component the fake cannot resolve to a
    build version (``dependencies.failed_component``) is left out, as AWS leaves out what it does not know.
    """
    if layout.end_status != "FAILED":
        return None
    status = layout.stages[-1][0]
    if layout.failed is None:
        return {"imageStatus": status}
    run, step = layout.failed
    context: dict[str, Any] = {
        "imageStatus": status,
        "workflowExecutionId": run.id,
        "workflowArn": run.spec.arn,
        "stepExecutionId": step.id,
        "failedStep": step.spec.name,
    }
    if step.spec.action == "ExecuteComponents" and build.recipe.get("components"):
        phase = "test" if run.spec.type == "TEST" else "build"
        failure = {"componentArn": component} if component is not None else {}
        context["componentFailure"] = {**failure, "phaseName": phase}
    return context


def apply_layout(scope: Scope, build: Build) -> None:
    """Lay the build's current attempt out (again) from what it was started with and the actions sent, and
    index its workflow and step executions in the scope."""
    assert build.plan is not None, "only a build that runs workflows is laid out"
    # Only a failing plan names a component (a stopped step's reason names none): resolved for it alone.
    component = failed_component(scope, build) if build.plan.outcome == "FAILED" else None
    layout = lay_out(
        build.arn,
        build.attempt,
        build.attempt_start,
        build.plan,
        build.tests_enabled,
        build.specs,
        build.actions or {},
        # The user guide's example names the component build version in the reason as in the context.
        {"component_arn": component or build.failing_component},
        build.first_status,
        build.origin,
    )
    build.stages, build.end_status, build.end_at, build.end_reason = (
        layout.stages,
        layout.end_status,
        layout.end_at,
        layout.end_reason,
    )
    build.failure_context = _failure_context(layout, build, component)
    build.runs = [run for run in build.runs if run.attempt != build.attempt] + layout.runs
    for run in layout.runs:
        scope.workflow_executions[run.id] = build.arn
        for step in run.steps:
            scope.step_executions[step.id] = build.arn
    if any(step.spec.action == WAIT for run in layout.runs for step in run.steps):
        scope.waiting_builds[build.arn] = build


def lay_out_new(scope: Scope, build: Build) -> None:
    """Lay a new build out: its statuses now, its workflow executions when first read (:func:`runs_of`).

    A build whose plan succeeds and whose workflows hold no wait has the
    plan's own timeline (``BuildPlan.timeline`` adds the same durations
    :func:`lay_out` does, as test_workflows_keep_the_plans_timeline checks),
    so its executions, and their ids, are made only if someone asks for
    them. A failing plan or a wait step makes the statuses depend on the
    steps: such a build is laid out at once.
    """
    plan = build.plan
    assert plan is not None, "only a build that runs workflows is laid out"
    if build.first_status != "PENDING" or plan.outcome == "FAILED" or any(spec.waits for spec in build.specs):
        apply_layout(scope, build)
        return
    build.stages, build.end_status, build.end_at, build.end_reason = plan.timeline(
        build.attempt_start, build.tests_enabled
    )
    scope.unlaid[build.arn] = build


def runs_of(scope: Scope, build: Build) -> Sequence[WorkflowRun]:
    """The build's workflow executions (laid out now, if :func:`lay_out_new` left them for later)."""
    if scope.unlaid.pop(build.arn, None) is not None:
        apply_layout(scope, build)
    return build.runs


def executions_owner(scope: Scope, index: Mapping[str, str], execution_id: str) -> Build | None:
    """The live build whose workflow or step execution ``execution_id`` is, by ``index``
    (``scope.workflow_executions`` or ``scope.step_executions``); None if none is.

    An id the index lacks may belong to a build not laid out yet: those are
    laid out (once) before it counts as unknown.
    """
    arn = index.get(execution_id)
    if arn is None and scope.unlaid:
        for build in list(scope.unlaid.values()):
            runs_of(scope, build)
        arn = index.get(execution_id)
    return scope.builds.get(arn) if arn is not None else None
