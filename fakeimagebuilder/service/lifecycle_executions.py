"""Lifecycle executions: runs of lifecycle actions on images, and the image states they leave behind.

An execution is a single run of lifecycle actions that a lifecycle policy
(its daily run, :mod:`.lifecycle_runs`) or a StartResourceStateUpdate
request started (API reference, CancelLifecycleExecution). Like a build, it
stores when things happen, not what they are now: each image it acts on
(a *target*) has its own window, and the image takes its new status at the
end of that window. Status is read off those instants at any ``now``, so
reading has no side effects and a clock that runs on its own needs no thread.

Timeline (the durations are the fake's choice, ledger ``lifecycle-execution-timeline``):
PENDING until it starts (a StartResourceStateUpdate with a later
``updateAt``), then IN_PROGRESS while its targets run one after another,
:data:`TARGET_SECONDS` each, then SUCCESS. CancelLifecycleExecution is
allowed only before a terminal status (API reference) and is asynchronous:
CANCELLING for :data:`CANCEL_SECONDS`, then CANCELLED. Targets that had not
ended when the cancel came are SKIPPED and never applied; those that ended
stay applied ("doesn't undo completed lifecycle actions").
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .builds import TERMINAL, Build
from .errors import InvalidRequestException, ResourceInUseException, ResourceNotFoundException
from .paging import page
from .state import Scope, Store

__all__ = [
    "ACTION_OF",
    "CANCEL_SECONDS",
    "TARGET_SECONDS",
    "AmiAction",
    "Execution",
    "LifecycleBook",
    "Target",
    "ami_actions",
    "ami_excluded",
    "ami_ids",
    "book_of",
    "busy",
    "cancel_lifecycle_execution",
    "container_uris",
    "executions_state",
    "get_lifecycle_execution",
    "image_overlay",
    "image_status",
    "is_container",
    "list_lifecycle_execution_resources",
    "list_lifecycle_executions",
    "new_execution",
    "start_resource_state_update",
]

TARGET_SECONDS = 30.0
"""Virtual seconds one image's lifecycle action takes (assumed)."""

CANCEL_SECONDS = 10.0
"""Virtual seconds an execution stays CANCELLING before CANCELLED (assumed)."""

ACTION_OF = {"DELETED": "DELETE", "DEPRECATED": "DEPRECATE", "DISABLED": "DISABLE", "AVAILABLE": "AVAILABLE"}
"""The action (LifecycleExecutionResourceActionName) that brings an image to each ResourceStatus."""

_CANCELLED_REASON = "The lifecycle execution was cancelled before this action ran."
_INTERRUPTED_REASON = "The lifecycle execution was cancelled while this action ran; the action did not complete."


@dataclass(slots=True)
class Target:
    """One image an execution acts on: the status it brings the image to, in the window ``starts``..``ends``.

    ``amis`` (region, AMI id) and ``image_uris`` are the image's associated
    resources the action includes; ``snapshots`` whether the AMIs' snapshots
    are included; ``skipped``: why the action is not taken (an exclusion rule).
    """

    build_arn: str
    status: str
    reason: str
    starts: float
    ends: float
    amis: tuple[tuple[str, str], ...] = ()
    snapshots: bool = False
    image_uris: tuple[str, ...] = ()
    skipped: str | None = None


@dataclass(slots=True)
class Execution:
    """One lifecycle execution: ``policy_arn`` is None for a StartResourceStateUpdate request."""

    id: str
    policy_arn: str | None
    created: float
    starts: float
    targets: list[Target]
    cancelled_at: float | None = None

    @property
    def ends(self) -> float:
        """When the execution reaches its terminal status (SUCCESS or CANCELLED)."""
        if self.cancelled_at is not None:
            return self.cancelled_at + CANCEL_SECONDS
        return self.starts + max(1, len(self.targets)) * TARGET_SECONDS

    def status(self, now: float) -> str:
        """LifecycleExecutionStatus at ``now``."""
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "CANCELLED" if now >= self.ends else "CANCELLING"
        if now < self.starts:
            return "PENDING"
        return "IN_PROGRESS" if now < self.ends else "SUCCESS"

    def applied(self, target: Target, now: float) -> bool:
        """Whether ``target``'s action has taken effect by ``now`` (never, if skipped or cut off by a cancel)."""
        if target.skipped is not None or target.ends > now:
            return False
        return self.cancelled_at is None or target.ends <= self.cancelled_at

    def started(self, target: Target, now: float) -> bool:
        """Whether ``target``'s action had begun by ``now``, and before any cancel stopped the execution."""
        if now < target.starts:
            return False
        return self.cancelled_at is None or target.starts <= self.cancelled_at

    def target_state(self, target: Target, now: float) -> dict[str, str] | None:
        """LifecycleExecutionResourceState of ``target`` at ``now``; None while its action waits for its turn.

        The model's statuses have no "queued" one (IN_PROGRESS, SUCCESS, SKIPPED, FAILED), so an action not
        begun is left out until it begins, or until a cancel skips it.
        """
        cut = self.cancelled_at if self.cancelled_at is not None and now >= self.cancelled_at else None
        if not self.started(target, now):
            return None if cut is None else {"status": "SKIPPED", "reason": target.skipped or _CANCELLED_REASON}
        if target.skipped is not None:
            return {"status": "SKIPPED", "reason": target.skipped}
        if cut is not None and target.ends > cut:
            return {"status": "SKIPPED", "reason": _INTERRUPTED_REASON}
        return {"status": "SUCCESS" if target.ends <= now else "IN_PROGRESS"}


@dataclass(slots=True)
class LifecycleBook:
    """A scope's lifecycle executions (by id, oldest first), which executions act on each image, and the
    daily-run cursors of its policies (policy ARN -> (the policy's dateCreated, next run instant))."""

    executions: Store[Execution] = field(default_factory=Store)
    by_image: dict[str, list[str]] = field(default_factory=dict)
    cursors: dict[str, tuple[float, float]] = field(default_factory=dict)
    made: int = 0


def book_of(scope: Scope) -> LifecycleBook:
    """The scope's lifecycle book (made on first use)."""
    if scope.lifecycle is None:
        scope.lifecycle = LifecycleBook()
    book: LifecycleBook = scope.lifecycle
    return book


def new_execution(scope: Scope, policy_arn: str | None, created: float, starts: float, targets: list[Target]) -> str:
    """Record a new execution and index it by the images it acts on; its id (``lce-<uuid>``, stable per scope)."""
    book = book_of(scope)
    book.made += 1
    seed = hashlib.sha256(f"lce:{scope.account}:{scope.region}:{book.made}".encode()).digest()[:16]
    execution_id = f"lce-{uuid.UUID(bytes=seed)}"
    book.executions[execution_id] = Execution(execution_id, policy_arn, created, starts, targets)
    for target in targets:
        book.by_image.setdefault(target.build_arn, []).append(execution_id)
    return execution_id


def is_container(build: Build) -> bool:
    """Whether ``build`` was made from a container recipe."""
    return ":container-recipe/" in build.recipe.get("arn", "")


def image_overlay(scope: Scope, build_arn: str, now: float) -> tuple[str, str, float | None] | None:
    """What lifecycle actions made of an image by ``now``: (status, execution id, deprecationTime), or None.

    The last applied action sets the status and ``lifecycleExecutionId``
    (model: "the last runtime instance of the lifecycle policy to take
    action on the image"). ``deprecationTime`` is when a DEPRECATE action
    took effect, kept while the image stays DEPRECATED or goes on to
    DISABLED or DELETED, cleared by a move back to AVAILABLE (assumed).
    """
    if scope.lifecycle is None:
        return None
    book: LifecycleBook = scope.lifecycle
    applied: list[tuple[float, int, str, str]] = []
    for execution_id in book.by_image.get(build_arn, ()):
        execution = book.executions[execution_id]
        for target in execution.targets:
            if target.build_arn == build_arn and execution.applied(target, now):
                applied.append((target.ends, book.executions.serial(execution_id), target.status, execution_id))
    if not applied:
        return None
    applied.sort()
    deprecated: float | None = None
    for at, _, status, _ in applied:
        if status == "DEPRECATED":
            deprecated = at
        elif status == "AVAILABLE":
            deprecated = None
    _, _, status, execution_id = applied[-1]
    return status, execution_id, deprecated


def image_status(scope: Scope, build: Build, now: float) -> str:
    """An image's status at ``now``: its build's, or what lifecycle actions made of it since."""
    overlay = image_overlay(scope, build.arn, now)
    return overlay[0] if overlay is not None else build.build_state(now)[0]


def busy(scope: Scope, build_arn: str, now: float) -> Execution | None:
    """An execution still running (PENDING, IN_PROGRESS, CANCELLING) that acts on the image, if any."""
    if scope.lifecycle is None:
        return None
    book: LifecycleBook = scope.lifecycle
    for execution_id in book.by_image.get(build_arn, ()):
        execution = book.executions[execution_id]
        if execution.created <= now < execution.ends:
            return execution
    return None


def require_idle(scope: Scope, build_arn: str, now: float) -> None:
    """ResourceInUseException while an execution is pending on or acting on the image (ledger state-update-in-use):
    another state update, or a RetryImage whose build that execution would act on mid-flight."""
    running = busy(scope, build_arn, now)
    if running is not None:
        raise ResourceInUseException(
            f"The lifecycle execution '{running.id}' is still acting on the image '{build_arn}'. "
            "Retry when it has finished."
        )


@dataclass(frozen=True, slots=True)
class AmiAction:
    """A lifecycle action applied to one of an image's AMIs, for a neighbour that holds the AMI (moto's EC2).

    ``key`` (execution id, AMI id) names the action: an AMI id is never another build's, so it stays unique
    after a reset restarts the execution ids. ``at``: the instant it applied (its target's end).
    """

    key: tuple[str, str]
    at: float
    status: str  # the image's new status: DELETED, DEPRECATED, DISABLED or AVAILABLE
    account: str
    region: str
    image_id: str
    snapshots: bool  # the AMI's snapshots are included (a DELETE only)


def ami_actions(scope: Scope, now: float) -> list[AmiAction]:
    """Every action on an AMI applied by ``now`` (the action includes the image's AMIs, was not skipped or
    cut off by a cancel), in the order they applied."""
    if scope.lifecycle is None:
        return []
    book: LifecycleBook = scope.lifecycle
    found: list[tuple[float, int, AmiAction]] = []
    for execution in book.executions.values():
        for target in execution.targets:
            if target.amis and execution.applied(target, now):
                serial = book.executions.serial(execution.id)
                found += [
                    (
                        target.ends,
                        serial,
                        AmiAction(
                            (execution.id, image_id),
                            target.ends,
                            target.status,
                            scope.account,
                            region,
                            image_id,
                            target.snapshots,
                        ),
                    )
                    for region, image_id in target.amis
                ]
    found.sort(key=lambda item: item[:2])
    return [action for _, _, action in found]


def _execution(scope: Scope, execution_id: str) -> Execution:
    found = book_of(scope).executions.get(execution_id)
    if found is None:
        # The fake answers a missing resource as ResourceNotFoundException everywhere, as for a missing
        # lifecycle policy, though these operations do not model it (ledger ``lifecycle-execution-missing``).
        raise ResourceNotFoundException(f"The lifecycle execution '{execution_id}' does not exist.")
    return found


def _document(execution: Execution, now: float) -> dict[str, Any]:
    """LifecycleExecution at ``now``."""
    document: dict[str, Any] = {
        "lifecycleExecutionId": execution.id,
        "lifecyclePolicyArn": execution.policy_arn,
        "resourcesImpactedSummary": {
            "hasImpactedResources": any(
                (t.amis or t.image_uris) and t.skipped is None for t in execution.targets
            )
        },
        "state": {"status": execution.status(now)},
        "startTime": execution.starts,
    }
    if execution.ends <= now:
        document["endTime"] = execution.ends
    return {k: v for k, v in document.items() if v is not None}


def executions_state(scope: Scope, now: float) -> list[dict[str, Any]]:
    """Every lifecycle execution of the scope as GetLifecycleExecution shows it now, oldest first, each with
    the images it acts on (for ``FakeImageBuilder.state()``)."""
    if scope.lifecycle is None:
        return []
    book: LifecycleBook = scope.lifecycle
    return [
        {**_document(execution, now), "resources": [t.build_arn for t in execution.targets]}
        for execution in book.executions.values()
    ]


def get_lifecycle_execution(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetLifecycleExecution: one execution as it stands now."""
    return {"lifecycleExecution": _document(_execution(scope, params["lifecycleExecutionId"]), now)}


def list_lifecycle_executions(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListLifecycleExecutions: the runtime history of a resource, newest first.

    For a lifecycle policy, its runs; for an image (a build version, or an
    image version for all its builds), the executions that act on it; any
    other resource has none (assumed).
    """
    text = params["resourceArn"]
    arn = scope.check_arn(text)
    book = book_of(scope)
    executions: Iterable[Execution] = book.executions.values()
    if arn.resource_type == "lifecycle-policy":
        found = [e for e in executions if e.policy_arn == text]
    elif arn.resource_type == "image":
        prefix = text if text.count("/") == 3 else text + "/"  # a build version ARN, or an image version's
        found = [e for e in executions if any(t.build_arn == text or t.build_arn.startswith(prefix) for t in e.targets)]
    else:
        found = []
    serial = book.executions.serial
    found.reverse()
    shown, token = page(scope, found, params, ("ListLifecycleExecutions", text), lambda e: -serial(e.id))
    return {"lifecycleExecutions": [_document(e, now) for e in shown], "nextToken": token}


def _resource(scope: Scope, execution: Execution, target: Target, now: float, resource_id: str) -> dict[str, Any]:
    """One LifecycleExecutionResource: the image, or one of its associated resources, under ``target``'s action
    (one that has a state at ``now``). Times are those of what happened: an action a cancel stopped ends at
    the cancel, and one it skipped before it began has neither."""
    state = execution.target_state(target, now)
    assert state is not None  # the caller lists only actions that have one
    resource: dict[str, Any] = {
        "accountId": scope.account,
        "resourceId": resource_id,
        "state": state,
        "action": {"name": ACTION_OF[target.status], "reason": target.reason},
        "region": scope.region,
    }
    if execution.started(target, now):
        resource["startTime"] = target.starts
        if state["status"] == "SUCCESS":
            resource["endTime"] = target.ends
        elif state.get("reason") == _INTERRUPTED_REASON:
            resource["endTime"] = execution.cancelled_at
    return resource


def list_lifecycle_execution_resources(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListLifecycleExecutionResources: the images an execution acts on, or, for ``parentResourceId`` (an
    image's ARN), the associated resources the action includes: AMIs (with their snapshots when included)
    or container image URIs (model doc of parentResourceId and LifecycleExecutionResource)."""
    execution = _execution(scope, params["lifecycleExecutionId"])
    parent = params.get("parentResourceId")
    resources: list[dict[str, Any]] = []
    for target in execution.targets:
        if execution.target_state(target, now) is None:
            continue  # its action has not begun
        if parent is None:
            resources.append(_resource(scope, execution, target, now, target.build_arn))
        elif parent == target.build_arn:
            for region, ami in target.amis:
                resource = {**_resource(scope, execution, target, now, ami), "region": region}
                if target.snapshots:
                    snapshot = "snap-" + hashlib.sha256(ami.encode()).hexdigest()[:17]
                    resource["snapshots"] = [{"snapshotId": snapshot, "state": resource["state"]}]
                resources.append(resource)
            # One resource per region the container image was pushed to (an ECR URI names its region).
            by_region: dict[str, list[str]] = {}
            for uri in target.image_uris:
                by_region.setdefault(uri.split(".")[3], []).append(uri)
            for region, uris in by_region.items():
                resource = _resource(scope, execution, target, now, uris[0])
                resources.append({**resource, "region": region, "imageUris": uris})
    numbered = list(enumerate(resources))
    query = ("ListLifecycleExecutionResources", execution.id, parent)
    shown, token = page(scope, numbered, params, query, lambda item: item[0])
    return {
        "lifecycleExecutionId": execution.id,
        "lifecycleExecutionState": {"status": execution.status(now)},
        "resources": [resource for _, resource in shown],
        "nextToken": token,
    }


def cancel_lifecycle_execution(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CancelLifecycleExecution: only an execution that has not reached a terminal status (API reference);
    one already ended or being cancelled answers InvalidRequestException (code and wording assumed)."""
    execution = _execution(scope, params["lifecycleExecutionId"])
    status = execution.status(now)
    if status not in ("PENDING", "IN_PROGRESS"):
        raise InvalidRequestException(
            f"The lifecycle execution '{execution.id}' is {status}; only an execution that is PENDING or "
            "IN_PROGRESS can be cancelled."
        )
    execution.cancelled_at = now
    return {"lifecycleExecutionId": execution.id}


def ami_ids(scope: Scope, build: Build) -> tuple[tuple[str, str], ...]:
    """The (region, AMI id) pairs an AMI build distributed in its own account: one in each region it outputs
    to. The copies distributed to target accounts are theirs, so a lifecycle policy here does not act on them."""
    if is_container(build):
        return ()
    from .images import output_amis  # images reads lifecycle state: imported late to avoid the cycle

    outputs = output_amis(scope, build)
    return tuple((output["region"], output["image"]) for output in outputs if output["accountId"] == scope.account)


def container_uris(scope: Scope, build: Build) -> tuple[str, ...]:
    """The container image URIs a container build pushed, in every region (the form GetImage shows)."""
    if not is_container(build):
        return ()
    from .images import output_containers  # as in ami_ids

    return tuple(uri for container in output_containers(scope, build) for uri in container["imageUris"])


def ami_excluded(scope: Scope, build: Build, rules: dict[str, Any] | None) -> str | None:
    """Why the AMI exclusion rules skip ``build``'s AMI, or None.

    The fake's AMIs live in the scope's region, carry the distribution's
    ``amiTags`` and its launch permission (public with group ``all``, shared
    with its ``userIds``), and are never launched, so ``lastLaunched``
    excludes nothing.
    """
    if not rules or is_container(build):
        return None
    distribution = next(
        (
            d.get("amiDistributionConfiguration") or {}
            for d in (build.distribution or {}).get("distributions", ())
            if d.get("region") == scope.region
        ),
        {},
    )
    permission = distribution.get("launchPermission") or {}
    tags = distribution.get("amiTags") or {}
    if scope.region in (rules.get("regions") or ()):
        return f"The AMI is in an excluded region ({scope.region})."
    if rules.get("isPublic") and "all" in (permission.get("userGroups") or ()):
        return "The AMI is public, and public AMIs are excluded."
    shared = set(rules.get("sharedAccounts") or ()) & set(permission.get("userIds") or ())
    if shared:
        return f"The AMI is shared with an excluded account ({sorted(shared)[0]})."
    if any(tags.get(k) == v for k, v in (rules.get("tagMap") or {}).items()):
        return "The AMI has an excluded tag."
    return None


def _check_includes(included: dict[str, Any], container: bool, status: str) -> None:
    """The resources a state update may include: as for a lifecycle policy's rules (lifecycle.py)."""
    if container and (included.get("amis") or included.get("snapshots")):
        raise InvalidRequestException("includeResources: amis and snapshots do not apply to a container image.")
    if not container and included.get("containers"):
        raise InvalidRequestException("includeResources: containers do not apply to an AMI image.")
    if included.get("snapshots") and not included.get("amis"):
        raise InvalidRequestException("includeResources: snapshots can only be included together with AMIs.")
    if included.get("snapshots") and status != "DELETED":
        raise InvalidRequestException(f"includeResources: a change to {status} can include AMIs only.")


def start_resource_state_update(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """StartResourceStateUpdate: a lifecycle execution of one image, moving it to ``state.status``.

    The image must have ended as AVAILABLE, DEPRECATED, DISABLED, FAILED or
    CANCELLED; FAILED and CANCELLED images can only go to DELETED, and a
    container image only to DELETED (AWS's model documentation of
    resourceArn and state, newer than botocore 1.44). The refusals answer
    InvalidRequestException, and an image another execution is still
    acting on ResourceInUseException (codes and wording assumed).
    """
    text = params["resourceArn"]
    build = scope.build(text)
    wanted = (params.get("state") or {}).get("status")
    if wanted is None:
        raise InvalidRequestException("The state must have a status: AVAILABLE, DEPRECATED, DISABLED or DELETED.")
    built = build.build_state(now)[0]
    if built not in TERMINAL:
        raise InvalidRequestException(
            f"The image '{text}' is {built}; only an image in AVAILABLE, DEPRECATED, DISABLED, FAILED or CANCELLED "
            "status can change state."
        )
    overlay = image_overlay(scope, text, now)
    current = overlay[0] if overlay is not None else built
    if current == "DELETED":
        raise InvalidRequestException(f"The image '{text}' is DELETED; its state can no longer change.")
    if current in ("FAILED", "CANCELLED") and wanted != "DELETED":
        raise InvalidRequestException(f"The image '{text}' is {current}; it can only change to DELETED.")
    container = is_container(build)
    if container and wanted != "DELETED":
        raise InvalidRequestException(f"The image '{text}' is a container image; it can only change to DELETED.")
    included = params.get("includeResources") or {}
    _check_includes(included, container, wanted)
    require_idle(scope, text, now)
    update_at = params.get("updateAt")
    starts = max(now, update_at) if update_at is not None else now  # epoch seconds: the wire read it
    exclusion = (params.get("exclusionRules") or {}).get("amis")
    target = Target(
        build_arn=text,
        status=wanted,
        reason=f"StartResourceStateUpdate requested {wanted}.",
        starts=starts,
        ends=starts + TARGET_SECONDS,
        amis=ami_ids(scope, build) if included.get("amis") else (),
        snapshots=bool(included.get("snapshots")),
        image_uris=container_uris(scope, build) if included.get("containers") else (),
        skipped=ami_excluded(scope, build, exclusion),
    )
    execution_id = new_execution(scope, None, now, starts, [target])
    return {"lifecycleExecutionId": execution_id, "resourceArn": text}

