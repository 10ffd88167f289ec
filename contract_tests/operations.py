"""What each Image Builder operation may do to an account, read from botocore's service model (no hand list).

The live-run guard (:mod:`contract_tests.safety`) decides from this alone:

- an operation whose name starts with ``Get`` or ``List`` only reads;
  every other one is *mutating*;
- the *ARN members* of an operation are the top-level string members of its
  input whose shape is an ARN (a shape pattern starting ``^arn:``, or a shape
  named ``...Arn``); the guard checks that each Image Builder ARN among them
  names a resource of this run;
- the resource types an Image Builder ARN may name come from the ARN
  patterns of the model (``image-pipeline``, ``component``,
  ``workflow/build`` ...), so a name can be found in any of them;
- an operation *starts a build* when it is mutating, does not end a
  resource (``Cancel...``, ``Delete...``), and its output carries a build
  version ARN: a member of the ``ImageBuildVersionArn`` shape, or of a
  generic ARN shape under a member name that carries that shape elsewhere in
  the model (``ImportVmImage``'s ``imageArn``). This over-counts on purpose
  (``PutImagePolicy`` echoes the image it changed): every such call holds a
  build of the budget, and what it returns is cancelled at once;
- a mutating operation is *checked* when the guard can tell whether it acts
  on this run's resources: it names at least one Image Builder ARN in its
  input, or it creates a resource (its output carries an ARN of a shape that
  some ``Delete...`` operation takes, so the run can delete it). Every
  other mutating operation (``CancelLifecycleExecution``, which names an
  execution id) is refused on the live target;
- a *schedule* is an input structure with a ``scheduleExpression``: the
  builds it starts are made by the service, not by a call, so the guard
  refuses any schedule that could run;
- a creating operation with an input member ``name`` names the resource it
  makes: the guard refuses a name that is not the run's;
- a *selection* is an input structure with a ``tagMap`` (a lifecycle
  policy's ``resourceSelection``): the resources it picks (recipes by name,
  resources by tag) must be the run's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

__all__ = ["BUILD_VERSION_SHAPE", "Classification", "OperationClass", "classify", "installed"]

BUILD_VERSION_SHAPE = "ImageBuildVersionArn"
"""The model's shape of an image build version ARN (``.../image/<name>/<version>/<build>``)."""

_READ_PREFIXES = ("Get", "List")
_ENDING_PREFIXES = ("Cancel", "Delete")


@dataclass(frozen=True)
class OperationClass:
    """What one operation may do."""

    name: str
    read_only: bool
    arn_members: tuple[str, ...]
    """Top-level input members holding an ARN (any service's)."""
    imagebuilder_arn_members: tuple[str, ...]
    """Those whose shape is an Image Builder ARN (or a generic ARN): the resources the call acts on or uses."""
    starts_build: bool
    build_members: tuple[str, ...]
    """Output members that carry a build version ARN (what to cancel when :attr:`starts_build`)."""
    creates: tuple[tuple[str, str], ...]
    """``(output member, ARN shape)`` of each deletable resource the call may create."""
    schedule_members: tuple[str, ...] = ()
    """Input members holding a schedule (a structure with a ``scheduleExpression``): builds no call starts."""
    name_member: str | None = None
    """``name``, when the call creates a resource named by it: the name must be the run's."""
    selection_members: tuple[str, ...] = ()
    """Input members selecting resources to act on later (a structure with a ``tagMap``: a lifecycle policy's
    ``resourceSelection``, whose ``recipes`` and tags decide what the policy deletes)."""

    @property
    def checked(self) -> bool:
        """Whether the guard can tell if a call acts on this run's resources (see the module docstring)."""
        return self.read_only or bool(self.imagebuilder_arn_members) or bool(self.creates)


@dataclass(frozen=True)
class Classification:
    """Every operation of one service model, classified; and how to read a resource name out of an ARN."""

    operations: dict[str, OperationClass]
    resource_types: tuple[str, ...]
    """Regular expressions of the Image Builder resource types, as the model's ARN patterns spell them."""
    deleters: dict[str, tuple[str, str]]
    """ARN shape -> ``(Delete operation, its input member)``."""
    named: re.Pattern[str]
    """Finds ``(account, name)`` of every Image Builder resource an ARN text names."""

    def __getitem__(self, operation: str) -> OperationClass:
        return self.operations[operation]


def _is_arn(shape: Shape) -> bool:
    pattern = shape.metadata.get("pattern", "")
    return shape.type_name == "string" and (pattern.startswith("^arn:") or shape.name.endswith("Arn"))


def _is_imagebuilder_arn(shape: Shape) -> bool:
    pattern = shape.metadata.get("pattern", "")
    # A generic ARN shape (no pattern) may name an Image Builder resource: treated as one.
    return _is_arn(shape) and (":imagebuilder:" in pattern or not pattern.startswith("^arn:"))


def _members(shape: Shape | None) -> dict[str, Shape]:
    return dict(shape.members) if shape is not None and shape.type_name == "structure" else {}


def _resource_type(pattern: str) -> str | None:
    """The resource-type part of an Image Builder ARN pattern: what follows the account, up to the name."""
    found = re.search(r":imagebuilder:.*?\[0-9\]\{12\}.*?\):(.+?)/\[a-z0-9-_\]\+", pattern)
    return found.group(1) if found else None


def classify(model: ServiceModel) -> Classification:
    """Classify every operation of ``model``."""
    operations = [model.operation_model(name) for name in model.operation_names]
    # Member names that carry a build version ARN somewhere in the model: a generic ARN under such a name is one.
    build_names = {
        member
        for op in operations
        for shape in (op.input_shape, op.output_shape)
        for member, member_shape in _members(shape).items()
        if member_shape.name == BUILD_VERSION_SHAPE
    }
    deleters: dict[str, tuple[str, str]] = {}
    for op in operations:
        if op.name.startswith("Delete"):
            for member, shape in _members(op.input_shape).items():
                if _is_arn(shape):
                    deleters.setdefault(shape.name, (op.name, member))
    types: dict[str, None] = {}
    for name in model.shape_names:
        resource_type = _resource_type(model.shape_for(name).metadata.get("pattern", ""))
        if resource_type:
            types[resource_type] = None
    classes = {op.name: _classify(op, build_names, deleters) for op in operations}
    alternatives = "|".join(f"(?:{t})" for t in sorted(types, key=len, reverse=True))
    named = re.compile(rf"arn:[^:\s]*:imagebuilder:[^:\s]*:(?P<account>[^:\s]*):(?:{alternatives})/(?P<name>[^/\s]*)")
    return Classification(classes, tuple(types), deleters, named)


def _arn_kind(member: str, shape: Shape, build_names: set[str]) -> str:
    """The ARN shape a member carries (a generic ARN under a build version member name is a build version)."""
    if shape.name == BUILD_VERSION_SHAPE or (member in build_names and not shape.metadata.get("pattern")):
        return BUILD_VERSION_SHAPE
    return shape.name


def _classify(op: OperationModel, build_names: set[str], deleters: dict[str, tuple[str, str]]) -> OperationClass:
    inputs = _members(op.input_shape)
    outputs = _members(op.output_shape)
    read_only = op.name.startswith(_READ_PREFIXES)
    ending = op.name.startswith(_ENDING_PREFIXES)
    arn_outputs = {m: _arn_kind(m, s, build_names) for m, s in outputs.items() if _is_arn(s)}
    # An output ARN of a kind the input already names is the resource acted on, echoed (PutImagePolicy).
    echoed = {_arn_kind(m, s, build_names) for m, s in inputs.items() if _is_arn(s)}
    build_members = tuple(m for m, kind in arn_outputs.items() if kind == BUILD_VERSION_SHAPE)
    creates = tuple(
        (member, kind)
        for member, kind in arn_outputs.items()
        if not read_only and not ending and kind in deleters and kind not in echoed
    )
    return OperationClass(
        name=op.name,
        read_only=read_only,
        arn_members=tuple(m for m, s in inputs.items() if _is_arn(s)),
        imagebuilder_arn_members=tuple(m for m, s in inputs.items() if _is_imagebuilder_arn(s)),
        starts_build=not read_only and not ending and bool(build_members),
        build_members=build_members,
        creates=creates,
        schedule_members=tuple(m for m, s in inputs.items() if "scheduleExpression" in _members(s)),
        name_member="name" if creates and "name" in inputs else None,
        selection_members=tuple(m for m, s in inputs.items() if "tagMap" in _members(s)),
    )


@cache
def installed() -> Classification:
    """The classification of the installed botocore's Image Builder model."""
    return classify(botocore.session.get_session().get_service_model("imagebuilder"))
