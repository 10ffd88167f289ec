"""Deliberately divergent variants of the fake: the contract suite must catch every one.

A pytest plugin, loaded in a subprocess with ``-p fake_mutants``; the
environment variable ``FAKEIMAGEBUILDER_MUTANT`` names the variant. Each is a
small patch to the in-process fake, applied in ``pytest_configure`` (before
the suite creates its fake) - not a copy of the fake. The plugin also
registers the ``mutation`` Hypothesis profile: a small, derandomised budget,
so a variant is caught (or not) the same way on every run.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import settings

from fakeimagebuilder import fake as fake_module
from fakeimagebuilder import wire
from fakeimagebuilder.service import builds, idempotency, image_creation, images, pipelines, resources, workflow_runs
from fakeimagebuilder.service import service as service_module
from fakeimagebuilder.service.arns import normalise_name
from fakeimagebuilder.service.errors import InvalidParameterValueException

ENV = "FAKEIMAGEBUILDER_MUTANT"

settings.register_profile(
    "mutation",
    max_examples=12,
    stateful_step_count=15,
    derandomize=True,
    database=None,
    deadline=None,
)

Operation = Callable[[Any, dict[str, Any], float], dict[str, Any]]


def _wrap_operation(mp: pytest.MonkeyPatch, name: str, wrap: Callable[[Operation], Operation]) -> None:
    operations = dict(service_module.OPERATIONS)
    operations[name] = wrap(operations[name])
    mp.setattr(service_module, "OPERATIONS", MappingProxyType(operations))


def _wrap_method(mp: pytest.MonkeyPatch, owner: Any, name: str, wrap: Callable[[Any], Any]) -> None:
    mp.setattr(owner, name, wrap(getattr(owner, name)))


# -- the variants ------------------------------------------------------------------------------------


def _not_found_status(mp: pytest.MonkeyPatch) -> None:
    def wrap(status_of: Any) -> Any:
        return lambda self, code: 400 if code == "ResourceNotFoundException" else status_of(self, code)

    _wrap_method(mp, wire.RestJsonWire, "status_of", wrap)


def _renamed_mismatch_code(mp: pytest.MonkeyPatch) -> None:
    def wrap(error: Any) -> Any:
        def renamed(self: Any, code: str, message: str, request_id: str | None = None) -> Any:
            if code == "IdempotentParameterMismatchException":
                code = "IdempotencyMismatchException"
            return error(self, code, message, request_id)

        return renamed

    _wrap_method(mp, wire.RestJsonWire, "error", wrap)


def _broken_idempotency(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(idempotency.IdempotencyLedger, "run", lambda self, op, token, member, params, action: action())


def _reused_build_numbers(mp: pytest.MonkeyPatch) -> None:
    def wrap(start: Operation) -> Operation:
        def per_pipeline(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
            item = scope.pipelines.get(params["imagePipelineArn"])
            if item is not None:  # count per pipeline, not per recipe version
                recipe = scope.recipes[item["imageRecipeArn"]]
                key = (normalise_name(recipe["name"]), recipe["version"])
                scope.build_numbers[key] = len(scope.pipeline_builds.get(item["arn"], []))
            return start(scope, params, now)

        return per_pipeline

    _wrap_operation(mp, "StartImagePipelineExecution", wrap)


def _ignored_cancel(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(builds.Build, "cancel", lambda self, now: now < self.end_at)


def _dropped_tags(mp: pytest.MonkeyPatch) -> None:
    _wrap_operation(
        mp,
        "StartImagePipelineExecution",
        lambda start: lambda scope, params, now: start(scope, {k: v for k, v in params.items() if k != "tags"}, now),
    )


def _skipped_validation(mp: pytest.MonkeyPatch) -> None:
    def wrap(init: Any) -> Any:
        def without_checks(self: Any, op: Any) -> None:
            init(self, op)
            if self.name == "StartImagePipelineExecution":
                self.input_check = None

        return without_checks

    _wrap_method(mp, wire._OperationPlan, "__init__", wrap)


def _token_not_echoed(mp: pytest.MonkeyPatch) -> None:
    _wrap_operation(
        mp,
        "StartImagePipelineExecution",
        lambda start: lambda scope, params, now: {**start(scope, params, now), "clientToken": str(uuid.uuid4())},
    )


def _stale_last_run_status(mp: pytest.MonkeyPatch) -> None:
    def oldest_build(scope: Any, item: dict[str, Any], now: float) -> dict[str, Any]:
        found = scope.pipeline_builds.get(item["arn"])
        return {**item, "lastRunStatus": found[0].build_state(now)[0]} if found else item

    mp.setattr(pipelines, "pipeline_document", oldest_build)


def _phantom_last_run_status(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(pipelines, "pipeline_document", lambda scope, item, now: {**item, "lastRunStatus": "AVAILABLE"})


def _missing_list_entries(mp: pytest.MonkeyPatch) -> None:
    def wrap(list_images: Operation) -> Operation:
        def finished_only(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
            answer = list_images(scope, params, now)
            kept = [s for s in answer["imageSummaryList"] if s["state"]["status"] not in builds.IN_PROGRESS]
            return {**answer, "imageSummaryList": kept}

        return finished_only

    _wrap_operation(mp, "ListImagePipelineImages", wrap)


def _disabled_pipeline_starts(mp: pytest.MonkeyPatch) -> None:
    def wrap(init: Any) -> Any:
        def permissive(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            self.settings.disabled_pipeline_error = None

        return permissive

    _wrap_method(mp, fake_module.FakeImageBuilder, "__init__", wrap)


def _deleted_pipeline_starts(mp: pytest.MonkeyPatch) -> None:
    def keep(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
        pipelines.pipeline(scope, params["imagePipelineArn"])
        return {"imagePipelineArn": params["imagePipelineArn"]}

    _wrap_operation(mp, "DeleteImagePipeline", lambda delete: keep)


def _lifecycle_out_of_order(mp: pytest.MonkeyPatch) -> None:
    order = list(builds.IN_PROGRESS)
    b, t = order.index("BUILDING"), order.index("TESTING")
    order[b], order[t] = order[t], order[b]
    # workflow_runs lays a build's statuses out from its own import of the order.
    for module in (builds, workflow_runs):
        mp.setattr(module, "IN_PROGRESS", tuple(order))


def _request_id_mismatch(mp: pytest.MonkeyPatch) -> None:
    def wrap(success: Any) -> Any:
        def other_id(self: Any, output: dict[str, Any], request_id: str, *rest: Any) -> Any:
            response = success(self, output, request_id, *rest)
            if self.has_request_id:
                response.body = json.dumps({**json.loads(response.body), "requestId": str(uuid.uuid4())}).encode()
            return response

        return other_id

    _wrap_method(mp, wire._OperationPlan, "success", wrap)


def _mismatch_ignores_tags(mp: pytest.MonkeyPatch) -> None:
    def fingerprint(params: dict[str, Any], token_member: str) -> str:
        return json.dumps({k: v for k, v in params.items() if k not in (token_member, "tags")}, sort_keys=True)

    mp.setattr(idempotency, "_fingerprint", fingerprint)


def _finished_build_cancels(mp: pytest.MonkeyPatch) -> None:
    def wrap(cancel: Operation) -> Operation:
        def lenient(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
            try:
                return cancel(scope, params, now)
            except InvalidParameterValueException:
                return {"clientToken": params["clientToken"], "imageBuildVersionArn": params["imageBuildVersionArn"]}

        return lenient

    _wrap_operation(mp, "CancelImageCreation", wrap)


def _changed_summaries(mp: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    _wrap_method(mp, images, "_summary", lambda summary: lambda *args: change(summary(*args)))


def _wrong_build_type(mp: pytest.MonkeyPatch) -> None:
    _changed_summaries(mp, lambda s: {**s, "buildType": "SCHEDULED"})


def _version_without_build_number(mp: pytest.MonkeyPatch) -> None:
    _changed_summaries(mp, lambda s: {**s, "version": s["version"].split("/")[0]})


def _images_die_with_pipeline(mp: pytest.MonkeyPatch) -> None:
    def wrap(delete: Operation) -> Operation:
        def with_images(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
            for build in scope.pipeline_builds.get(params["imagePipelineArn"], []):
                scope.builds.pop(build.arn, None)
            return delete(scope, params, now)

        return with_images

    _wrap_operation(mp, "DeleteImagePipeline", wrap)


def _wrong_validation_code(mp: pytest.MonkeyPatch) -> None:
    def wrap(init: Any) -> Any:
        def coral_style(self: Any, op: Any) -> None:
            init(self, op)
            self.validation_code = "ValidationException"

        return coral_style

    _wrap_method(mp, wire._OperationPlan, "__init__", wrap)


def _unchecked_references(mp: pytest.MonkeyPatch) -> None:
    # Each module that checks references holds its own name for the check.
    mp.setattr(resources, "require_existing", lambda scope, arns, parameter: None)
    for module in (pipelines, image_creation):
        mp.setattr(module, "require_workflows", lambda scope, workflows: None)


def _merged_configuration_update(mp: pytest.MonkeyPatch) -> None:
    def wrap(update: Operation) -> Operation:
        def merged(scope: Any, params: dict[str, Any], now: float) -> dict[str, Any]:
            current = scope.resources["infrastructure-configuration"].get(params["infrastructureConfigurationArn"])
            kept = {k: v for k, v in (current or {}).items() if k not in ("arn", "dateCreated", "dateUpdated")}
            return update(scope, {**kept, **params}, now)

        return merged

    _wrap_operation(mp, "UpdateInfrastructureConfiguration", wrap)


MUTANTS: dict[str, tuple[str, Callable[[pytest.MonkeyPatch], None]]] = {
    "not-found-status": ("ResourceNotFoundException answered with HTTP 400", _not_found_status),
    "renamed-mismatch-code": ("IdempotentParameterMismatchException renamed", _renamed_mismatch_code),
    "broken-idempotency": ("a replayed token starts another build", _broken_idempotency),
    "reused-build-numbers": ("build numbers counted per pipeline, so reused", _reused_build_numbers),
    "ignored-cancel": ("cancel answers success but the build goes on", _ignored_cancel),
    "dropped-tags": ("start tags never reach the image", _dropped_tags),
    "skipped-validation": ("StartImagePipelineExecution input not validated", _skipped_validation),
    "token-not-echoed": ("start answers another clientToken", _token_not_echoed),
    "stale-last-run-status": ("lastRunStatus follows the oldest build", _stale_last_run_status),
    "phantom-last-run-status": ("every pipeline shows lastRunStatus AVAILABLE", _phantom_last_run_status),
    "missing-list-entries": ("builds in progress missing from ListImagePipelineImages", _missing_list_entries),
    "disabled-pipeline-starts": ("a DISABLED pipeline starts", _disabled_pipeline_starts),
    "deleted-pipeline-starts": ("DeleteImagePipeline deletes nothing", _deleted_pipeline_starts),
    "lifecycle-out-of-order": ("TESTING comes before BUILDING", _lifecycle_out_of_order),
    "request-id-mismatch": ("body requestId differs from x-amzn-RequestId", _request_id_mismatch),
    "mismatch-ignores-tags": ("a replay with other tags is taken as a replay", _mismatch_ignores_tags),
    "finished-build-cancels": ("cancelling a finished build answers success", _finished_build_cancels),
    "wrong-build-type": ("a started build is SCHEDULED", _wrong_build_type),
    "version-without-build-number": ("image version reads x.y.z, not x.y.z/n", _version_without_build_number),
    "images-die-with-pipeline": ("deleting a pipeline deletes its images", _images_die_with_pipeline),
    "wrong-validation-code": ("constraint violations answer ValidationException", _wrong_validation_code),
    "unchecked-references": (
        "a recipe or pipeline names a component or workflow that is not there",
        _unchecked_references,
    ),
    "merged-configuration-update": ("an infrastructure update keeps what it leaves out", _merged_configuration_update),
}
"""Variant name -> (what diverges, the patch)."""


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Apply the variant ``FAKEIMAGEBUILDER_MUTANT`` names (none: the fake as it is)."""
    name = os.environ.get(ENV)
    if not name:
        return
    if name not in MUTANTS:
        raise pytest.UsageError(f"{ENV}={name!r} is not a variant; choose from {sorted(MUTANTS)}")
    patch = pytest.MonkeyPatch()
    MUTANTS[name][1](patch)
    config.add_cleanup(patch.undo)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which variant is running."""
    name = os.environ.get(ENV)
    return f"fake variant: {name} ({MUTANTS[name][0]})" if name in MUTANTS else "fake variant: none"
