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
  resources by tag) must be the run's;
- the *targets* of a mutating operation are the members that may name the
  resource it acts on: every top-level ARN member and every member the model
  binds to the URI or the query string (the model does not say which body
  member is acted on, so each one counts);
- a member *names a place outside Image Builder* when its shape (or its list's
  element) is an account id or the ARN of another service than Image Builder
  and IAM, or when the model documents it as where Image Builder stores,
  saves, writes, pushes or sends something, exports or delivers to, or takes
  its build instance from (a distribution's launch templates, SSM parameters,
  accounts, S3 export, license configurations, a container repository, S3 and
  CloudWatch logs, an SNS topic, an Auto Scaling group). Inside a structure
  that names such a place, a list names more of them (a launch permission's
  ``userGroups``). So that this holds whatever a model's wording, a member
  named like a log group, repository, bucket or topic counts too, and so does
  every use of a shape (a structure, or a string shape few members share)
  that names such a place anywhere in the model (``DistributeImage``'s
  ``loggingConfiguration``). :attr:`OperationClass.outward` maps where they are;
- a call creating a workflow (it returns a ``Workflow...`` ARN) carries a
  *workflow document* (``data``, ``uri``) whose step actions may write
  outside Image Builder; an input list of structures with ``workflowArn``
  and ``parameters`` gives values to the steps of the workflows it runs;
- a ``Put...Policy`` operation's ``policy`` is a resource policy: the
  principals it names may use the resource;
- the *sources* of an operation that starts a build are its required
  free-form string members (no enum, no pattern; not its name nor its
  token): what it builds from (``DistributeImage``'s ``sourceImage``,
  ``ImportVmImage``'s ``vmImportTaskId``, ``ImportDiskImage``'s ``uri``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from fakeimagebuilder.model import RouteTable

__all__ = ["BUILD_VERSION_SHAPE", "Classification", "OperationClass", "Outward", "classify", "installed", "listings"]

BUILD_VERSION_SHAPE = "ImageBuildVersionArn"
"""The model's shape of an image build version ARN (``.../image/<name>/<version>/<build>``)."""

_READ_PREFIXES = ("Get", "List")
_ENDING_PREFIXES = ("Cancel", "Delete")

Outward = dict[str, Union["Outward", None]]
"""Where a structure names places outside Image Builder: member -> ``None`` (the member names one) or the map of
the structure inside it (of each element, for a list)."""

# The model's wording for a member that names where Image Builder puts something (see the module docstring).
_WRITES_THERE = re.compile(
    r"\b(?:where|in which|under which|to which)\b[^.]{0,80}?"
    r"\b(?:is stored|are stored|to store|saves|writes|pushes|sends)\b"
    r"|\btakes the build instance from\b|\bcreates the Parameter\b|\bto (?:export|deliver)\b"
    r"|\bCloudWatch Logs log group\b",
    re.IGNORECASE,
)
# Member names that are a place of another service whatever their documentation says (the wording differs
# between models: botocore 1.40's log group and scan repository members do not say Image Builder writes there).
_PLACE_NAMES = re.compile(r"(?:LogGroupName|repositoryName|BucketName|TopicArn)$", re.IGNORECASE)
_ACCOUNT_ID = "^[0-9]{12}$"
_ARN_SERVICE = re.compile(r"^\^arn:aws(?:\[\^:\]\*|\(\?:-\[a-z\]\+\)\*)?:([a-z0-9-]+):")


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
    target_members: tuple[str, ...] = ()
    """Members that may name the resource a mutating call acts on (top-level ARNs, URI and query members)."""
    outward: Outward = field(default_factory=dict)
    """Where the input names places outside Image Builder that Image Builder would write to."""
    source_members: tuple[str, ...] = ()
    """What a build-starting call builds from (it must be the run's own Image Builder resource)."""
    workflow_document_members: tuple[str, ...] = ()
    """``data`` and ``uri`` of a call creating a workflow: its step actions may write outside Image Builder."""
    policy_members: tuple[str, ...] = ()
    """Resource policies the call sets (``Put...Policy``'s ``policy``): who else may use the resource."""
    workflow_members: tuple[str, ...] = ()
    """Input lists of workflows to run (a structure with ``workflowArn`` and ``parameters``): the parameter
    values given to a workflow's steps."""

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
    model: ServiceModel | None = None
    """The model classified: how requests are read back (:meth:`read_request`)."""

    def __getitem__(self, operation: str) -> OperationClass:
        return self.operations[operation]

    def read_request(
        self, operation: str, method: str, url: str, headers: Mapping[str, str], body: Any
    ) -> dict[str, Any]:
        """The parameters a serialized request of ``operation`` carries, by member name, each read only from where
        the model binds it (URI labels, query string, headers, JSON body); members the model does not know are
        kept under their names. ``ValueError`` when the request is not one of ``operation`` or cannot be read,
        or names a member where the model does not bind it, or a key in two locations (which copy the service
        acts on is not known)."""
        if self.model is None:
            raise ValueError("no model to read requests with")
        route, _ = _routes(self.model).find(method.upper(), urlsplit(url).path)
        if route is None or route.operation.name != operation:
            found = route.operation.name if route else "no operation"
            raise ValueError(f"{method} {urlsplit(url).path} is {found}, not {operation}")
        members = _members(route.operation.input_shape)
        where = {
            (m.serialization.get("location", "body"), m.serialization.get("name", name)): name
            for name, m in members.items()
        }
        params: dict[str, Any] = {}
        seen: dict[str, str] = {}  # member (or unknown key) -> the location it was read from

        def put(location: str, key: str, value: Any) -> None:
            # A member is read only where the model binds it: a copy elsewhere (a body key repeating a query
            # member, a query parameter repeating a URI label) may be the one the service acts on, so the
            # request is not read at all; so is a key met in two locations, or a wire name bound elsewhere.
            name = where.get((location, key), key)
            bound = members.get(name)
            elsewhere = bound is not None and bound.serialization.get("location", "body") != location
            wired = any(w == key and loc != location for loc, w in where)
            if elsewhere or wired or name in seen:
                bound_to = bound.serialization.get("location", "body") if bound is not None else seen.get(name)
                raise ValueError(f"{key!r} in the {location}, a member the model binds to the {bound_to or 'other'}")
            seen[name] = location
            params[name] = value

        found_labels = route.pattern.match(urlsplit(url).path) if route.pattern is not None else None
        for group, label in route.labels:
            assert found_labels is not None
            put("uri", label, unquote(found_labels.group(group)))
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        for key, values in query.items():
            shape = members.get(where.get(("querystring", key), key))
            many = (shape is not None and shape.type_name == "list") or len(values) > 1
            put("querystring", key, values if many else values[0])
        for location, wire in where:
            if location == "header" and wire in headers:
                put("header", wire, headers[wire])
        if isinstance(body, bytes | bytearray):
            body = bytes(body).decode("utf-8")
        if body:
            if not isinstance(body, str):
                raise ValueError(f"a body of type {type(body).__name__}")
            document = json.loads(body, object_pairs_hook=_unique_keys)
            if not isinstance(document, dict):
                raise ValueError("a JSON body that is not an object")
            for key, value in document.items():
                put("body", key, value)
        return params


def _is_arn(shape: Shape) -> bool:
    pattern = shape.metadata.get("pattern", "")
    return shape.type_name == "string" and (pattern.startswith("^arn:") or shape.name.endswith("Arn"))


def _is_imagebuilder_arn(shape: Shape) -> bool:
    pattern = shape.metadata.get("pattern", "")
    # A generic ARN shape (no pattern) may name an Image Builder resource: treated as one.
    return _is_arn(shape) and (":imagebuilder:" in pattern or not pattern.startswith("^arn:"))


def _members(shape: Shape | None) -> dict[str, Shape]:
    return dict(shape.members) if shape is not None and shape.type_name == "structure" else {}


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Which of two equal keys a service reads is not known: such a body is not sent.
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a JSON object naming a member twice ({sorted(k for k in keys if keys.count(k) > 1)})")
    return dict(pairs)


@cache
def _routes(model: ServiceModel) -> RouteTable:
    return RouteTable(model)


def _names_outside(name: str, member: Shape, spread: frozenset[str] = frozenset()) -> bool:
    """Whether the member names a place outside Image Builder (see the module docstring)."""
    if member.name in spread or _PLACE_NAMES.search(name):
        return True
    if _WRITES_THERE.search(re.sub(r"<[^>]+>", "", member.documentation or "")):
        return True
    leaf = member.member if member.type_name == "list" else member
    pattern = leaf.metadata.get("pattern", "") if leaf.type_name == "string" else ""
    service = _ARN_SERVICE.match(pattern)
    return pattern == _ACCOUNT_ID or (service is not None and service.group(1) not in ("imagebuilder", "iam"))


def _outward(
    shape: Shape, nested: bool, seen: frozenset[str] = frozenset(), spread: frozenset[str] = frozenset()
) -> Outward:
    """Where a structure (an input, or one nested in it) names places outside Image Builder."""
    members = _members(shape)
    direct = {name for name, member in members.items() if _names_outside(name, member, spread)}
    found: Outward = {}
    for name, member in members.items():
        inner = member.member if member.type_name == "list" else member
        if name in direct or (nested and direct and member.type_name == "list"):
            found[name] = None  # in a structure naming a destination, a list names more of them
        elif inner.type_name == "structure" and inner.name not in seen:
            within = _outward(inner, True, seen | {inner.name}, spread)
            if within:
                found[name] = within
    return found


def _spread(operations: list[OperationModel]) -> frozenset[str]:
    """The shapes that name a place outside Image Builder wherever they are used: a structure, or a string shape
    only a few members use, that some member of the model (of any operation) names such a place with. The model
    documents a shape's use in one operation, not in every one (DistributeImage's ``loggingConfiguration``)."""
    uses: dict[str, set[str]] = {}
    flagged: set[str] = set()
    pending = [op.input_shape for op in operations if op.input_shape is not None]
    seen: set[str] = set()
    while pending:
        shape = pending.pop()
        if shape.name in seen:
            continue
        seen.add(shape.name)
        for name, member in _members(shape).items():
            uses.setdefault(member.name, set()).add(name)
            if _names_outside(name, member):
                flagged.add(member.name)
            inner = member.member if member.type_name == "list" else member
            if inner.type_name == "structure":
                pending.append(inner)
    # A string shape many members share (NonEmptyString) says nothing about where a member points.
    return frozenset(s for s in flagged if len(uses.get(s, ())) <= 3)


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
    spread = _spread(operations)
    classes = {op.name: _classify(op, build_names, deleters, spread) for op in operations}
    alternatives = "|".join(f"(?:{t})" for t in sorted(types, key=len, reverse=True))
    named = re.compile(rf"arn:[^:\s]*:imagebuilder:[^:\s]*:(?P<account>[^:\s]*):(?:{alternatives})/(?P<name>[^/\s]*)")
    return Classification(classes, tuple(types), deleters, named, model)


def _arn_kind(member: str, shape: Shape, build_names: set[str]) -> str:
    """The ARN shape a member carries (a generic ARN under a build version member name is a build version)."""
    if shape.name == BUILD_VERSION_SHAPE or (member in build_names and not shape.metadata.get("pattern")):
        return BUILD_VERSION_SHAPE
    return shape.name


def _classify(
    op: OperationModel, build_names: set[str], deleters: dict[str, tuple[str, str]], spread: frozenset[str]
) -> OperationClass:
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
    starts_build = not read_only and not ending and bool(build_members)
    name_member = "name" if creates and "name" in inputs else None
    required = set(op.input_shape.required_members) if op.input_shape is not None else set()
    sources = tuple(
        m
        for m, s in inputs.items()
        if starts_build
        and BUILD_VERSION_SHAPE not in echoed  # a new build, not one the call names (PutImagePolicy, RetryImage)
        and m in required
        and m != name_member
        and s.type_name == "string"
        and not s.enum
        and not s.metadata.get("pattern")
        and not _is_arn(s)
        and not s.metadata.get("idempotencyToken")
    )
    return OperationClass(
        name=op.name,
        read_only=read_only,
        arn_members=tuple(m for m, s in inputs.items() if _is_arn(s)),
        imagebuilder_arn_members=tuple(m for m, s in inputs.items() if _is_imagebuilder_arn(s)),
        starts_build=starts_build,
        build_members=build_members,
        creates=creates,
        schedule_members=tuple(m for m, s in inputs.items() if "scheduleExpression" in _members(s)),
        name_member=name_member,
        selection_members=tuple(m for m, s in inputs.items() if "tagMap" in _members(s)),
        target_members=()
        if read_only
        else tuple(
            m for m, s in inputs.items() if _is_arn(s) or s.serialization.get("location") in ("uri", "querystring")
        ),
        outward={} if read_only or op.input_shape is None else _outward(op.input_shape, False, spread=spread),
        source_members=sources,
        policy_members=tuple(m for m in inputs if m == "policy" and op.name.startswith("Put") and not read_only),
        workflow_document_members=tuple(
            m for m in ("data", "uri") if m in inputs and any(k.startswith("Workflow") for _, k in creates)
        ),
        workflow_members=tuple(
            m
            for m, s in inputs.items()
            if not read_only and s.type_name == "list" and {"workflowArn", "parameters"} <= set(_members(s.member))
        ),
    )


@cache
def installed() -> Classification:
    """The classification of the installed botocore's Image Builder model."""
    return classify(botocore.session.get_session().get_service_model("imagebuilder"))


# The order a run makes kinds in (what is used before what uses it); the cleanup deletes in reverse, so a
# recipe goes before its components and a pipeline before its recipe. A kind the model adds goes first (deleted
# last, after everything that may use it).
_MADE_IN_ORDER = (
    "Component",
    "Workflow",
    "InfrastructureConfiguration",
    "DistributionConfiguration",
    "ImageRecipe",
    "ContainerRecipe",
    "ImagePipeline",
    "LifecyclePolicy",
    "Image",
)


@dataclass(frozen=True)
class _Listing:
    """How one deletable kind is found (by the sweep, and by a cleanup looking for what a creation whose answer was
    lost made), read from the model: its List operation (and, for a versioned kind, the List...BuildVersions
    operation that lists the builds of each version)."""

    kind: str
    shape: str
    operation: str
    key: str
    owner: bool
    builds: tuple[str, str, str] | None  # (operation, its version ARN member, the list member)


def _list_member(model: ServiceModel, operation: str) -> str:
    output = model.operation_model(operation).output_shape
    return next(m for m, shape in output.members.items() if shape.type_name == "list")


@cache
def listings() -> list[_Listing]:
    """Every kind a run can create and the sweep can delete (each ``Delete...`` operation of the installed
    model with a ``List...`` operation to find it), in the order a run makes them."""
    model = botocore.session.get_session().get_service_model("imagebuilder")
    names = set(model.operation_names)
    found: list[_Listing] = []
    for shape, (delete, _member) in installed().deleters.items():
        kind = delete.removeprefix("Delete")
        plural = next((p for p in (f"{kind}s", f"{kind[:-1]}ies", f"{kind}es") if f"List{p}" in names), None)
        if plural is None:
            continue
        operation = f"List{plural}"
        builds = None
        if f"List{kind}BuildVersions" in names:
            build_op = f"List{kind}BuildVersions"
            inputs = model.operation_model(build_op).input_shape.members
            version = next(m for m in inputs if m.endswith("VersionArn"))
            builds = (build_op, version, _list_member(model, build_op))
        owner = "owner" in model.operation_model(operation).input_shape.members
        found.append(_Listing(kind, shape, operation, _list_member(model, operation), owner, builds))
    rank = {kind: index for index, kind in enumerate(_MADE_IN_ORDER)}
    return sorted(found, key=lambda listing: rank.get(listing.kind, -1))
