"""What the service keeps: one :class:`Scope` of resources per (account, region), and the knobs."""

from __future__ import annotations

import bisect
import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .arns import Arn, partition_of, require_in_scope
from .builds import Build, BuildPlan
from .errors import ResourceNotFoundException
from .idempotency import IdempotencyLedger

__all__ = ["BuildStore", "Operation", "Scope", "Settings", "Store", "label_of"]

V = TypeVar("V")


@dataclass(slots=True)
class Settings:
    """Behaviour knobs, shared by every scope of one service.

    ``disabled_pipeline_error``: the code a start on a DISABLED pipeline
    answers, or None to let it build (AWS's answer is unconfirmed).
    ``max_concurrent_builds``: builds in progress a pipeline may have before a
    start answers ResourceInUseException (None: unlimited).
    ``recreated_pipeline_lists_old_images``: whether ListImagePipelineImages
    of a pipeline made again under a deleted one's name (so its ARN) also
    lists the images the deleted one built (AWS's answer is unconfirmed);
    while no pipeline has the ARN it lists nothing either way.
    ``auto_disable_failures``: consecutive failed scheduled builds that
    disable a pipeline whose schedule names no autoDisablePolicy (None: never).
    ``scan_findings``: what the vulnerability scan of each build started
    from now on reports, when its scanning is on (findings.py).
    ``marketplace_components``: the AWS Marketplace components the caller
    is entitled to, ARN -> YAML document (marketplace.py).
    ``missing_reference_error``: the code a create answers for a component,
    workflow or parent image it names that does not exist (references.py).
    ``auto_version_first``: the value a recipe version's ``x`` node takes when
    no version of the name has the other nodes given, 0 or 1 (versions.py).
    ``missing_component_policy``: what GetComponentPolicy of a component
    without a policy answers, the policy ``{}`` or ResourceNotFoundException
    (resources.py).
    ``fake_id`` and ``launches``: see below.
    """

    build_plan: BuildPlan = field(default_factory=BuildPlan)
    pipeline_plans: dict[str, BuildPlan] = field(default_factory=dict)
    disabled_pipeline_error: str | None = "InvalidRequestException"
    max_concurrent_builds: int | None = None
    recreated_pipeline_lists_old_images: bool = False
    auto_disable_failures: int | None = 5
    scan_findings: tuple[dict[str, Any], ...] = ()
    marketplace_components: dict[str, str] = field(default_factory=dict)
    missing_reference_error: str = "ResourceNotFoundException"
    auto_version_first: int = 0
    missing_component_policy: str = "{}"
    # Not knobs: what makes each produced resource's made-up ids its own. Kept here, with the knobs, because a
    # reset keeps them and a snapshot carries them: ``fake_id`` tells one fake's AMIs from another's, and
    # ``launches`` counts every build ever launched (a reset does not restart it), so a build made again under
    # an ARN a reset freed gets AMIs of its own.
    fake_id: str = "fake"
    launches: int = 0

    def plan_for(self, pipeline_arn: str) -> BuildPlan:
        """The build plan of a pipeline: its own, else the default."""
        return self.pipeline_plans.get(pipeline_arn, self.build_plan)


class Store(dict[str, V]):
    """Resources of one kind by ARN, each with a serial: the order it was first stored in.

    A page token remembers the serial of the last item it showed, so a list
    resumes after it even when items before it were deleted (issue 16).
    Replacing an item (an update) keeps its serial; an item deleted and made
    again gets a new one, at the end, just as the dict's own order does.
    """

    __slots__ = ("_next", "_serials")

    def __init__(self) -> None:
        super().__init__()
        self._serials: dict[str, int] = {}
        self._next = 0

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self:
            self._next += 1
            self._serials[key] = self._next
        super().__setitem__(key, value)

    def serial(self, key: str) -> int:
        """The serial of ``key`` (kept after a delete, so a token naming it still reads)."""
        return self._serials[key]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle (the journal's snapshot) would otherwise refill the items through __setitem__ before the
        # serials exist, and renumber them: a page token issued before a restart must still read after it.
        return Store, (), (dict(self), dict(self._serials), self._next)

    def __setstate__(self, state: tuple[dict[str, V], dict[str, int], int]) -> None:
        items, self._serials, self._next = state
        dict.update(self, items)


class BuildStore(Store[Build]):
    """Image builds by ARN, indexed on write so that a list reads only the page it shows.

    Beside the store, in serial order (oldest first): every build, the builds
    of each image version (``image/<name>/<x.y.z>``, the ARN less its build
    number), and the image versions, each a list of its builds, ordered by
    their oldest build. Lists page through them as ListImagePipelineImages
    does through a pipeline's builds (``paging.page``, ``paging.NewestFirst``).
    Callers only read the lists it hands out.
    """

    __slots__ = ("_all", "_by_name", "_by_version", "_versions")

    def __init__(self) -> None:
        super().__init__()
        self._all: list[Build] = []
        self._by_version: dict[str, list[Build]] = {}
        self._versions: list[list[Build]] = []
        self._by_name: dict[str, list[list[Build]]] = {}

    def __setitem__(self, key: str, value: Build) -> None:
        replaced = self.get(key)
        super().__setitem__(key, value)
        if replaced is not None:
            self._unindex(replaced)
            self._index(value)
        else:
            self._append(value)

    def _append(self, build: Build) -> None:
        """Index a build stored under a new key (or one deleted before): it has the newest serial, so it is the
        newest everywhere it goes and every index is an append. Every start takes this way; :meth:`_index`
        orders by serial, a dozen calls more."""
        self._all.append(build)
        version = build.arn.rsplit("/", 1)[0]
        builds = self._by_version.get(version)
        if builds is None:
            builds = self._by_version[version] = []
            self._by_name.setdefault(version.rsplit("/", 1)[0], []).append(builds)
            self._versions.append(builds)
        builds.append(build)

    def __delitem__(self, key: str) -> None:
        build = self[key]
        self._unindex(build)
        super().__delitem__(key)

    def oldest_first(self) -> list[Build]:
        """Every build, oldest first."""
        return self._all

    def of_version(self, version_arn: str) -> list[Build]:
        """The builds of one image version, oldest first (empty if it has none)."""
        return self._by_version.get(version_arn, [])

    def versions(self) -> list[list[Build]]:
        """The image versions that have builds, each as its builds (oldest first), by their oldest build."""
        return self._versions

    def versions_of(self, image_arn: str) -> list[list[Build]]:
        """The versions of one image (``image/<name>``, no version), each as its builds, oldest first; in no
        particular order of versions (empty if it has none)."""
        return self._by_name.get(image_arn, [])

    def _position(self, build: Build) -> int:
        return self.serial(build.arn)

    def _first_position(self, builds: list[Build]) -> int:
        return self.serial(builds[0].arn)

    def _index(self, build: Build) -> None:
        _insert(self._all, build, self._position)
        version = build.arn.rsplit("/", 1)[0]
        builds = self._by_version.get(version)
        if builds is None:
            builds = self._by_version[version] = []
            self._by_name.setdefault(version.rsplit("/", 1)[0], []).append(builds)
        older = not builds or self._position(build) < self._position(builds[0])
        if builds and older:
            self._unplace(builds)
        _insert(builds, build, self._position)
        if older:  # a new version, or a new oldest build: the version's place follows it
            _insert(self._versions, builds, self._first_position)

    def _unindex(self, build: Build) -> None:
        _remove(self._all, build, self._position)
        version = build.arn.rsplit("/", 1)[0]
        builds = self._by_version[version]
        oldest = builds[0] is build
        if oldest:
            self._unplace(builds)
        _remove(builds, build, self._position)
        if not builds:
            del self._by_version[version]
            name = version.rsplit("/", 1)[0]
            others = [versions for versions in self._by_name[name] if versions is not builds]
            if others:
                self._by_name[name] = others
            else:
                del self._by_name[name]
        elif oldest:
            _insert(self._versions, builds, self._first_position)

    def _unplace(self, builds: list[Build]) -> None:
        """Take a version out of the order (before its oldest build changes)."""
        _remove(self._versions, builds, self._first_position)

    def __reduce__(self) -> tuple[Any, ...]:
        return BuildStore, (), (dict(self), dict(self._serials), self._next)

    def __setstate__(self, state: tuple[dict[str, Build], dict[str, int], int]) -> None:
        super().__setstate__(state)
        self._all, self._by_version, self._versions, self._by_name = [], {}, [], {}
        for build in self.values():  # the dict's order is the serials' order
            self._index(build)


def _insert(items: list[V], item: V, position: Callable[[V], int]) -> None:
    """Insert ``item`` where ``position`` puts it in ``items`` (a new build, the newest, at once at the end)."""
    if not items or position(items[-1]) < position(item):
        items.append(item)
    else:
        bisect.insort(items, item, key=position)


def _remove(items: list[V], item: V, position: Callable[[V], int]) -> None:
    """Remove ``item`` from ``items``, ordered by ``position`` (unique to each item): found by bisection."""
    del items[bisect.bisect_left(items, position(item), key=position)]


def label_of(resource_type: str) -> str:
    """How messages name a resource type: ``image-recipe`` -> ``ImageRecipe``."""
    return "".join(part.title() for part in resource_type.split("-"))


@dataclass(slots=True)
class Scope:
    """Every resource of one account in one region.

    ``resources`` holds one :class:`Store` per ARN resource type. Resources
    are kept as the model-shaped documents the Get operations return (images
    as :class:`Build` timelines); a document is replaced, never changed in
    place, because an answer may be serialized after the service lock is
    released.
    """

    account: str
    region: str
    settings: Settings
    partition: str = ""
    resources: defaultdict[str, Store[Any]] = field(default_factory=lambda: defaultdict(Store))
    # Builds of each live pipeline, oldest first: lastRunStatus and
    # ListImagePipelineImages read it.
    pipeline_builds: dict[str, list[Build]] = field(default_factory=dict)
    # Last build number per (normalised recipe name, version); never goes down,
    # so numbers are not reused after a delete.
    build_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    # Resource policies (JSON text) by the ARN they were put on.
    policies: dict[str, str] = field(default_factory=dict)
    idempotency: IdempotencyLedger = field(default_factory=IdempotencyLedger)
    # Where each scheduled pipeline's schedule stands (schedules.Cursor by pipeline ARN), and the
    # earliest instant any of them needs looking at again: calls before it skip the schedules at once.
    schedules: dict[str, Any] = field(default_factory=dict)
    schedule_due: float = float("inf")
    # Each automatic disable of a pipeline, ``(instant, pipeline ARN, consecutive failures)`` in order: the
    # event log reads it (events.PipelineDisables).
    auto_disables: list[tuple[float, str, int]] = field(default_factory=list)
    # Which build each workflow and step execution id belongs to (workflow_runs), and the builds whose
    # workflows have a WaitForAction step, in the order they started (ListWaitingWorkflowSteps reads only them).
    workflow_executions: dict[str, str] = field(default_factory=dict)
    step_executions: dict[str, str] = field(default_factory=dict)
    waiting_builds: dict[str, Build] = field(default_factory=dict)
    # Builds whose workflow executions are left to lay out when first read (workflow_runs.lay_out_new), so a
    # start pays only for the statuses it needs.
    unlaid: dict[str, Build] = field(default_factory=dict)
    # ARNs of the builds RetryImage ran again, in order (the event log reopens them).
    retried: list[str] = field(default_factory=list)
    # Lifecycle executions and the daily runs of lifecycle policies (lifecycle_executions.LifecycleBook),
    # made on first use.
    lifecycle: Any = None

    def __post_init__(self) -> None:
        self.partition = partition_of(self.region)
        self.resources["image"] = BuildStore()

    def scratch(self, *, keep_builds: bool = False) -> Scope:
        """A copy of this scope, down to its builds and the settings, that a call may change and then drop
        (a dry run): nothing done to it reaches this scope or any other.

        ``keep_builds``: for a call that changes no build, the builds and what indexes them are shared, not
        copied, so the copy costs the resources, not the build history (20,000 builds took 1.6 s to copy).
        """
        memo: dict[int, Any] = {id(self.idempotency): self.idempotency.copy()}
        if keep_builds:
            shared = (
                self.resources["image"],
                self.pipeline_builds,
                self.unlaid,
                self.waiting_builds,
                self.workflow_executions,
                self.step_executions,
                self.retried,
                self.auto_disables,
                self.lifecycle,
            )
            memo.update((id(held), held) for held in shared if held is not None)
        return copy.deepcopy(self, memo)

    def arn(self, resource_type: str, *path: str) -> str:
        """An ARN in this scope."""
        # Written out, not through Arn.build and str(): every build and resource made asks for one (a test holds
        # the two to each other).
        return f"arn:{self.partition}:imagebuilder:{self.region}:{self.account}:{resource_type}/{'/'.join(path)}"

    def check_arn(self, text: str) -> Arn:
        """The ARN ``text`` names, refused unless it is in this scope (see ``require_in_scope``)."""
        arn = Arn.parse(text)
        require_in_scope(arn, partition=self.partition, region=self.region, account=self.account, text=text)
        return arn

    def build(self, text: str) -> Build:
        """The image build a build version ARN names here; ResourceNotFoundException if there is none."""
        self.check_arn(text)
        found = self.builds.get(text)
        if found is None:
            raise ResourceNotFoundException(f"The image '{text}' does not exist.")
        return found

    def lookup(self, resource_type: str, text: str) -> Any:
        """The resource an ARN names here; ResourceNotFoundException if there is none."""
        self.check_arn(text)
        found = self.resources[resource_type].get(text)
        if found is None:
            raise ResourceNotFoundException(f"The {label_of(resource_type)} '{text}' does not exist.")
        return found

    @property
    def recipes(self) -> Store[dict[str, Any]]:
        """Image recipes by ARN."""
        return self.resources["image-recipe"]

    @property
    def infrastructure(self) -> Store[dict[str, Any]]:
        """Infrastructure configurations by ARN."""
        return self.resources["infrastructure-configuration"]

    @property
    def distributions(self) -> Store[dict[str, Any]]:
        """Distribution configurations by ARN."""
        return self.resources["distribution-configuration"]

    @property
    def pipelines(self) -> Store[dict[str, Any]]:
        """Image pipelines by ARN."""
        return self.resources["image-pipeline"]

    @property
    def builds(self) -> BuildStore:
        """Image build versions by ARN."""
        store: BuildStore = self.resources["image"]
        return store


Operation = Callable[[Scope, dict[str, Any], float], dict[str, Any]]
"""A service operation: the caller's scope, the call's parameters, the virtual instant; the answer."""
