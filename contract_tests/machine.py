"""The state machine: random programs of pipeline and build operations, checked against a model.

Hypothesis draws sequences of rules - create, disable, enable and delete
pipelines; start builds with fresh tokens; replay tokens; replay them with
other parameters; cancel; let time pass; get and list images; get
pipelines - and the machine keeps a model of what each answer implies. The
model makes no assumption about timing: it knows only what it has seen, so
the same machine runs against the fake, an endpoint, or AWS (where the guard
cancels every build at once).

Invariants (each a ledger row; see :mod:`contract_tests.ledger_report`):

- one build per client token: a replay answers the first build, a
  mismatched replay is refused (``idempotent-*``);
- build numbers strictly increase per recipe version and are never reused
  (``build-numbers``), in ARNs of the recipe's name and version (``build-arn``);
- statuses only move forward (``lifecycle-order``); a cancelled build is
  CANCELLED (``cancel``); a refused cancel means the build had ended
  (``cancel-terminal``);
- every build is listed for its pipeline, newest first, and nothing else
  (``list-images``);
- ``lastRunStatus`` follows the newest build (``last-run-status``);
- every error carries its code's modeled status (``error-wire-shape``).

Every wait is followed by a look at each build still in progress, and the
teardown of each example audits every pipeline and build once more.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, precondition, rule

from fakeimagebuilder import strategies as ibst

from .expect import TERMINAL, expect_error, is_uuid, moved_forward, status_of
from .ledger_report import tally, verifies
from .targets import Pipeline, Recipe, Target

__all__ = ["BuildModel", "PipelineMachine", "PipelineModel"]

MAX_PIPELINES = 4


@dataclass(eq=False)
class PipelineModel:
    """What the machine knows of a pipeline."""

    pipeline: Pipeline
    status: str = "ENABLED"
    deleted: bool = False
    builds: list[BuildModel] = field(default_factory=list)  # oldest first

    def __repr__(self) -> str:
        return f"<pipeline {self.pipeline.name}>"


@dataclass(eq=False)
class BuildModel:
    """What the machine knows of a build: the answer that started it and the last status seen."""

    arn: str
    number: int
    pipeline: PipelineModel
    token: str
    tags: dict[str, str] | None
    request_id: str
    status: str | None = None
    cancelled: bool = False  # the machine's cancel succeeded
    ended: bool = False  # a cancel was refused: the build had ended

    def __repr__(self) -> str:
        return f"<build {self.arn.rsplit('/', 3)[-2]}/{self.number}>"


def _tags_of(tags: dict[str, str] | None) -> dict[str, Any]:
    return {} if tags is None else {"tags": tags}


class PipelineMachine(RuleBasedStateMachine):
    """Runs against one :class:`~contract_tests.targets.Target`; each example gets a fresh workspace."""

    pipelines = Bundle("pipelines")
    builds = Bundle("builds")

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.ws = target.workspace()
        self.client = self.ws.client
        self.recipes: list[Recipe] = []
        self.all_pipelines: list[PipelineModel] = []
        self.by_token: dict[str, BuildModel] = {}
        self.numbers: dict[tuple[str, str], list[int]] = {}
        self.steps = -1  # the invariants run once before the first step

    # -- set-up and pipelines ----------------------------------------------------------------------

    def _new_pipeline(self, recipe: int, image_tests: bool) -> PipelineModel:
        model = PipelineModel(self.ws.pipeline(self.recipes[recipe], image_tests=image_tests))
        self.all_pipelines.append(model)
        self._check_pipeline(model)  # a new pipeline is ENABLED and has never run
        return model

    @initialize(target=pipelines)
    def create_recipes_and_a_pipeline(self) -> PipelineModel:
        """Two versions of one recipe (numbers count per version) and a first pipeline."""
        first = self.ws.recipe("1.0.0")
        self.recipes = [first, self.ws.recipe("1.0.1", name=first.name)]
        return self._new_pipeline(0, image_tests=False)

    @precondition(lambda self: len(self.all_pipelines) < MAX_PIPELINES)
    @rule(target=pipelines, recipe=st.integers(0, 1), image_tests=st.booleans())
    def create_pipeline(self, recipe: int, image_tests: bool) -> PipelineModel:
        """Another pipeline, maybe of a recipe another pipeline uses (numbers are shared)."""
        return self._new_pipeline(recipe, image_tests)

    @rule(p=pipelines, status=st.sampled_from(["ENABLED", "DISABLED"]))
    def set_status(self, p: PipelineModel, status: str) -> None:
        """Enable or disable a pipeline."""
        assume(not p.deleted)
        self.ws.set_status(p.pipeline, status)
        p.status = status

    @rule(p=pipelines)
    def delete_pipeline(self, p: PipelineModel) -> None:
        """Delete a pipeline (its images stay); deleting it again is not found."""
        if p.deleted:
            with verifies("get-not-found"), expect_error("ResourceNotFoundException", 404):
                self.client.delete_image_pipeline(imagePipelineArn=p.pipeline.arn)
            return
        self.client.delete_image_pipeline(imagePipelineArn=p.pipeline.arn)
        p.deleted = True

    @rule(p=pipelines)
    def get_pipeline(self, p: PipelineModel) -> None:
        """lastRunStatus lies between two observations of the newest build; dateLastRun stays unset."""
        if p.deleted:
            with verifies("get-not-found"), expect_error("ResourceNotFoundException", 404):
                self.client.get_image_pipeline(imagePipelineArn=p.pipeline.arn)
            return
        self._check_pipeline(p)

    def _check_pipeline(self, p: PipelineModel) -> None:
        newest = p.builds[-1] if p.builds else None
        before = self._observe(newest)["state"]["status"] if newest else None

        def fetch() -> dict[str, Any]:
            document: dict[str, Any] = self.client.get_image_pipeline(imagePipelineArn=p.pipeline.arn)["imagePipeline"]
            return document

        document = self.ws.eventually(fetch, lambda d: moved_forward(before, d.get("lastRunStatus") or ""))
        after = self._observe(newest)["state"]["status"] if newest else None
        with verifies("update-replaces"):
            assert document["status"] == p.status
        with verifies("last-run-status"):
            assert "dateLastRun" not in document
            last = document.get("lastRunStatus")
            if newest is None:
                assert last is None, f"no build yet, but lastRunStatus is {last}"
            else:
                assert last is not None and moved_forward(before, last) and moved_forward(last, after), (
                    f"lastRunStatus {last} is not between {before} and {after} of the newest build"
                )

    # -- builds ----------------------------------------------------------------------------------

    @precondition(lambda self: self.ws.can_start())
    @rule(target=builds, p=pipelines, tags=st.none() | ibst.tag_maps(max_size=4))
    def start(self, p: PipelineModel, tags: dict[str, str] | None) -> Any:
        """Start with a fresh token: a new build with the next number, or the modeled refusal."""
        token = self.ws.token()
        params = {"imagePipelineArn": p.pipeline.arn, "clientToken": token, **_tags_of(tags)}
        if p.deleted:
            with verifies("not-found"), expect_error("ResourceNotFoundException", 404):
                self.client.start_image_pipeline_execution(**params)
            return multiple()
        if p.status == "DISABLED":
            with verifies("disabled-pipeline"), expect_error("InvalidRequestException", 400):
                self.client.start_image_pipeline_execution(**params)
            return multiple()
        with verifies("start-answer"):
            answer = self.client.start_image_pipeline_execution(**params)
            assert status_of(answer) == 200
            assert answer["clientToken"] == token, f"clientToken {answer['clientToken']!r} is not the one sent"
        with verifies("request-id"):
            assert is_uuid(answer["requestId"]) and answer["requestId"] == answer["ResponseMetadata"]["RequestId"]
        recipe = p.pipeline.recipe
        prefix = self.ws.arn("image", recipe.name, recipe.version) + "/"
        arn = answer["imageBuildVersionArn"]
        with verifies("build-arn"):
            assert arn.startswith(prefix) and arn[len(prefix) :].isdigit(), f"{arn} is not a build of {prefix}"
        number = int(arn[len(prefix) :])
        numbers = self.numbers.setdefault((recipe.name, recipe.version), [])
        with verifies("build-numbers"):
            assert all(number > n for n in numbers), f"build number {number} after {numbers}"
        numbers.append(number)
        build = BuildModel(arn, number, p, token, tags, answer["requestId"])
        p.builds.append(build)
        self.by_token[token] = build
        return build

    @precondition(lambda self: self.ws.can_start())
    @rule(b=builds)
    def replay(self, b: BuildModel) -> None:
        """The same token and parameters: the first answer again, with a fresh request id."""
        params = {"imagePipelineArn": b.pipeline.pipeline.arn, "clientToken": b.token, **_tags_of(b.tags)}
        with verifies("idempotent-replay"):
            answer = self.client.start_image_pipeline_execution(**params)
            assert (answer["imageBuildVersionArn"], answer["clientToken"]) == (b.arn, b.token)
        with verifies("idempotent-request-id"):
            assert is_uuid(answer["requestId"]) and answer["requestId"] != b.request_id

    @precondition(lambda self: self.ws.can_start())
    @rule(b=builds, other=pipelines, tags=st.none() | ibst.tag_maps(max_size=3))
    def mismatched_replay(self, b: BuildModel, other: PipelineModel, tags: dict[str, str] | None) -> None:
        """The same token with another pipeline or other tags is refused."""
        assume(other is not b.pipeline or tags != b.tags)
        params = {"imagePipelineArn": other.pipeline.arn, "clientToken": b.token, **_tags_of(tags)}
        with verifies("idempotent-mismatch"), expect_error("IdempotentParameterMismatchException", 400):
            self.client.start_image_pipeline_execution(**params)

    @rule(b=builds)
    def cancel(self, b: BuildModel) -> None:
        """A build in progress is cancelled; an ended one is refused."""
        token = self.ws.token()
        if b.cancelled or b.ended or b.status in TERMINAL:
            with verifies("cancel-terminal"), expect_error("InvalidParameterValueException", 400):
                self.client.cancel_image_creation(imageBuildVersionArn=b.arn, clientToken=token)
            b.ended = True
            return
        try:
            answer = self.client.cancel_image_creation(imageBuildVersionArn=b.arn, clientToken=token)
        except ClientError:
            # Time may have ended the build since it was last seen: then, and only then, a refusal is right.
            with verifies("cancel-terminal"), expect_error("InvalidParameterValueException", 400):
                raise
            b.ended = True
            return
        with verifies("cancel"):
            assert (answer["imageBuildVersionArn"], answer["clientToken"]) == (b.arn, token)
        b.cancelled = True

    @rule(seconds=st.sampled_from([15, 120, 600, 1800]))
    def wait(self, seconds: int) -> None:
        """Let time pass, then look at every build still in progress: each may only have moved forward."""
        self.ws.let_time_pass(seconds)
        for p in self.all_pipelines:
            for build in p.builds:
                if build.status not in TERMINAL:
                    self._observe(build)

    @rule(b=builds)
    def get_image(self, b: BuildModel) -> None:
        """A build's image: its status only moves forward, and it shows what started it."""
        self._observe(b)

    @rule(p=pipelines)
    def list_images(self, p: PipelineModel) -> None:
        """Every build of the pipeline is listed, newest first, and nothing else; a deleted one lists nothing."""
        if p.deleted:
            with verifies("list-pipeline-images-missing"):
                listed = self.client.list_image_pipeline_images(imagePipelineArn=p.pipeline.arn)
                assert listed["imageSummaryList"] == []
            return
        self._check_listing(p)

    # -- checks ------------------------------------------------------------------------------------

    def _check_listing(self, p: PipelineModel) -> None:
        expected = [b.arn for b in reversed(p.builds)]
        summaries = self.ws.eventually(
            lambda: self.client.list_all(
                "ListImagePipelineImages", "imageSummaryList", imagePipelineArn=p.pipeline.arn, maxResults=3
            ),
            lambda found: sorted(s["arn"] for s in found) == sorted(expected),
        )
        listed = [s["arn"] for s in summaries]
        with verifies("list-images"):
            assert sorted(listed) == sorted(expected), f"listed {listed}, started {expected}"
            assert listed == expected, f"listed {listed}, not newest first"
        for summary, build in zip(summaries, reversed(p.builds), strict=True):
            self._observe(build, summary)

    def _observe(self, b: BuildModel | None, seen: dict[str, Any] | None = None) -> dict[str, Any]:
        """Check one view of a build (GetImage's image, or a list's summary) against the model."""
        assert b is not None
        if seen is None:
            if b.pipeline.deleted:
                with verifies("images-outlive-pipeline"):
                    seen = self._get_image(b)
            else:
                seen = self._get_image(b)
        status = seen["state"]["status"]
        with verifies("lifecycle-order"):
            assert moved_forward(b.status, status), f"{b!r} went from {b.status} to {status}"
        if b.cancelled:
            with verifies("cancel"):
                assert status == "CANCELLED", f"{b!r} was cancelled but is {status}"
        if b.ended:
            with verifies("cancel-terminal"):
                assert status in TERMINAL, f"cancelling {b!r} was refused, but it is still {status}"
        if not b.pipeline.pipeline.image_tests:
            with verifies("testing-skipped"):
                assert status != "TESTING", f"{b!r} is TESTING, but its pipeline has image tests off"
        with verifies("build-type"):
            assert seen["buildType"] == "USER_INITIATED"
        with verifies("image-version"):
            assert seen["version"] == f"{b.pipeline.pipeline.recipe.version}/{b.number}"
        with verifies("build-arn"):
            assert seen["arn"] == b.arn
        if b.tags:
            with verifies("image-tags"):
                assert b.tags.items() <= seen.get("tags", {}).items(), f"{b!r} lacks the tags it was started with"
        b.status = status
        return seen

    def _get_image(self, b: BuildModel) -> dict[str, Any]:
        def fetch() -> dict[str, Any]:
            image: dict[str, Any] = self.ws.get_image(b.arn)
            return image

        # Where time runs on its own, a cancel shows once the service has caught up.
        return self.ws.eventually(fetch, lambda image: not b.cancelled or image["state"]["status"] == "CANCELLED")

    @invariant()
    def one_build_per_token_and_rising_numbers(self) -> None:
        """The model's own consistency: distinct builds per token, numbers rising per recipe version."""
        self.steps += 1
        arns = [b.arn for b in self.by_token.values()]
        assert len(arns) == len(set(arns)), "two tokens answered the same build"
        for numbers in self.numbers.values():
            assert numbers == sorted(set(numbers))

    def teardown(self) -> None:
        """Audit every pipeline and build once more (unless a step already failed), then clean up."""
        try:
            if sys.exc_info()[0] is None:
                for p in self.all_pipelines:
                    if not p.deleted:
                        self._check_listing(p)
                        self._check_pipeline(p)
                    else:
                        for build in p.builds:
                            self._observe(build)
        finally:
            tally.add_steps(max(self.steps, 0))
            self.ws.close()
