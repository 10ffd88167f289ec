"""What the service keeps: one :class:`Scope` of resources per (account, region), and the knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .arns import Arn, partition_of
from .builds import Build, BuildPlan
from .idempotency import IdempotencyLedger

__all__ = ["Scope", "Settings"]


@dataclass(slots=True)
class Settings:
    """Behaviour knobs, shared by every scope of one service.

    ``disabled_pipeline_error``: the code a start on a DISABLED pipeline
    answers, or None to let it build (AWS's answer is unconfirmed).
    ``max_concurrent_builds``: builds in progress a pipeline may have before a
    start answers ResourceInUseException (None: unlimited).
    ``recreated_pipeline_lists_old_images``: whether ListImagePipelineImages
    of a pipeline made again under a deleted one's name (so its ARN) also
    lists the images the deleted one built (AWS's answer is unconfirmed).
    """

    build_plan: BuildPlan = field(default_factory=BuildPlan)
    pipeline_plans: dict[str, BuildPlan] = field(default_factory=dict)
    disabled_pipeline_error: str | None = "InvalidRequestException"
    max_concurrent_builds: int | None = None
    recreated_pipeline_lists_old_images: bool = False

    def plan_for(self, pipeline_arn: str) -> BuildPlan:
        """The build plan of a pipeline: its own, else the default."""
        return self.pipeline_plans.get(pipeline_arn, self.build_plan)


@dataclass(slots=True)
class Scope:
    """Every resource of one account in one region.

    Resources are kept as the model-shaped documents the Get operations
    return; builds keep their own timeline.
    """

    account: str
    region: str
    settings: Settings
    partition: str = ""
    recipes: dict[str, dict[str, Any]] = field(default_factory=dict)
    infrastructure: dict[str, dict[str, Any]] = field(default_factory=dict)
    distributions: dict[str, dict[str, Any]] = field(default_factory=dict)
    pipelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    builds: dict[str, Build] = field(default_factory=dict)
    # Builds of each live pipeline, oldest first: lastRunStatus and
    # ListImagePipelineImages read it.
    pipeline_builds: dict[str, list[Build]] = field(default_factory=dict)
    # Last build number per (normalised recipe name, version); never goes down,
    # so numbers are not reused after a delete.
    build_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    idempotency: IdempotencyLedger = field(default_factory=IdempotencyLedger)

    def __post_init__(self) -> None:
        self.partition = partition_of(self.region)

    def arn(self, resource_type: str, *path: str) -> str:
        """An ARN in this scope."""
        return str(Arn.build(self.partition, self.region, self.account, resource_type, *path))
