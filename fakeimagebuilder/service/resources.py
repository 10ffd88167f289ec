"""Operations every kind shares, read off the kinds table; and recipes and the two configurations.

Get, Delete, List, Get/Put*Policy work the same way for every kind of
``kinds.KINDS``; the registry binds them to a kind. Recipes, infrastructure
and distribution configurations need nothing more than their Create: they
are created under a unique name (and, for recipes, a version), read back as
the document Get returns, and deleted unless something still references them
(ResourceDependencyException, as AWS answers: hashicorp/terraform-provider-aws#40128).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .arns import Arn, normalise_name, partition_of, require_in_scope
from .dates import date_string
from .errors import (
    ImageBuilderError,
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceDependencyException,
    ResourceNotFoundException,
    error_for_code,
)
from .filters import passes, refuse_by_name_with_version
from .kinds import COMPONENT, CONTAINER_RECIPE, DISTRIBUTION, INFRASTRUCTURE, KINDS, RECIPE, Kind, referenced_arns
from .managed import MANAGED_TYPES, catalogue
from .paging import page
from .references import require_defined_parameters, require_existing, require_parent_image
from .state import Operation, Scope, Store
from .versions import (
    assigned,
    check_references,
    concrete,
    highest,
    highest_per_name,
    pattern,
    stored_version,
    version_key,
    written_version,
)

__all__ = [
    "MISSING_COMPONENT_POLICIES",
    "create",
    "create_distribution_configuration",
    "create_image_recipe",
    "create_infrastructure_configuration",
    "delete",
    "get",
    "get_policy",
    "latest_version_references",
    "list_build_versions",
    "listing",
    "new_build",
    "platform_of",
    "put_policy",
    "recipe_version",
    "replace",
    "require_one_source",
    "resolve",
    "update_distribution_configuration",
    "update_infrastructure_configuration",
]


def platform_of(parent_image: str) -> str:
    """The platform a parent image implies (Windows, macOS, else Linux)."""
    lowered = parent_image.lower()
    if "windows" in lowered:
        return "Windows"
    if "macos" in lowered or "mac-os" in lowered:
        return "macOS"
    return "Linux"


def _not_found(kind: Kind, text: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The {kind.label} '{text}' does not exist.")


def _items(kind: Kind, scope: Scope, arn: Arn, text: str) -> Mapping[str, Any]:
    """Where the resource ``arn`` names would be: the caller's store, or AWS's catalogue for account ``aws``."""
    if arn.account == "aws" and kind.resource_type in MANAGED_TYPES:
        require_in_scope(arn, partition=scope.partition, region=scope.region, account="aws", text=text)
        return catalogue(kind.resource_type, scope.partition, scope.region)
    require_in_scope(arn, partition=scope.partition, region=scope.region, account=scope.account, text=text)
    return kind.items(scope)


def _selected(kind: Kind, scope: Scope, text: str) -> tuple[Mapping[str, Any], str]:
    """Where the resource an ARN names is held, and its ARN there (see :func:`resolve`)."""
    arn = Arn.parse(text)
    items = _items(kind, scope, arn, text)
    if text in items:
        return items, text
    if not kind.versioned or arn.resource_type != kind.resource_type:
        raise _not_found(kind, text)
    name, _, version = arn.path.rpartition("/")
    if not name or "." not in version:  # a build version ARN names one build: only an exact match
        raise _not_found(kind, text)
    wanted = pattern(version, InvalidRequestException)
    prefix = text[: -len(version)]
    best = highest((key for key in items if key.startswith(prefix)), wanted, stored_version)
    if best is None:
        raise _not_found(kind, text)
    return items, best


def resolve(kind: Kind, scope: Scope, text: str) -> Any:
    """The stored resource an ARN names; a versioned kind's wildcards select the highest version.

    ``name/1.x.x`` selects the highest version it matches, and its highest
    build; ``name/1.2.3`` of a kind with build versions selects the highest
    build of exactly 1.2.3 (not of 1.2.03: ``versions.Pattern``).
    AWS-managed resources (account ``aws``) resolve from the catalogue.
    ResourceNotFoundException when nothing matches.
    """
    items, arn = _selected(kind, scope, text)
    return items[arn]


def latest_version_references(arn: str) -> dict[str, str]:
    """The wildcard ARNs that select the highest version of a resource overall, and within its major, minor, patch.

    For ``component/c/1.2.3/1``: ``c/x.x.x``, ``c/1.x.x``, ``c/1.2.x`` and ``c/1.2.3``.
    """
    parsed = Arn.parse(arn)
    written = written_version(parsed)
    assert written is not None, arn
    # The nodes as written: the patch reference must name this very version, and 1.0.3 is not 1.0.03
    # (ledger version-leading-zeros).
    major, minor, patch = written[0].split(".")
    base = f"{str(parsed).rsplit('/', 2 if written[1] else 1)[0]}/"
    return {
        "latestVersionArn": base + "x.x.x",
        "latestMajorVersionArn": base + f"{major}.x.x",
        "latestMinorVersionArn": base + f"{major}.{minor}.x",
        "latestPatchVersionArn": base + f"{major}.{minor}.{patch}",
    }


def _version_of(text: str) -> tuple[tuple[int, int, int], int]:
    key = version_key(Arn.parse(text))
    assert key is not None, text  # stored ARNs of versioned kinds always carry a version
    return key[1], key[2]


def _refers_to(kind: Kind, scope: Scope, reference: str, arn: str) -> bool:
    """Whether ``reference`` (an exact ARN, or a version a versioned kind resolves) selects the resource ``arn``."""
    if reference == arn:
        return True
    if not kind.versioned or not reference.startswith("arn:"):
        return False
    try:
        target = Arn.parse(reference)
        if target.resource_type != kind.resource_type or target.account != scope.account:
            return False
        return resolve(kind, scope, reference) is kind.items(scope)[arn]
    except ImageBuilderError:  # a reference that selects nothing (now) holds nothing
        return False


def _require_unreferenced(kind: Kind, scope: Scope, arn: str) -> None:
    for other in KINDS:
        if not other.references:
            continue
        for document in other.items(scope).values():
            if any(_refers_to(kind, scope, ref, arn) for ref in referenced_arns(other, document)):
                raise ResourceDependencyException(
                    f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."
                )


def get(kind: Kind) -> Operation:
    """Get<Kind>: the document of the resource the ARN member names, as it reads now."""

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        document = kind.show(scope, resolve(kind, scope, params[kind.arn_member]), now)
        if not kind.versioned:
            return {kind.document: document}
        return {kind.document: document, "latestVersionReferences": latest_version_references(document["arn"])}

    return operation


def _wildcard_version(kind: Kind, text: str) -> bool:
    """Whether the ARN ``text`` of a versioned kind names its version with an ``x`` wildcard."""
    version = text.rsplit("/", 2 if kind.build_versions else 1)[1]
    return "x" in version.split(".")


def delete(kind: Kind) -> Operation:
    """Delete<Kind>: the exact resource named, unless another resource still references it.

    A wildcard version (``image-recipe/r/x.x.x``, which later models'
    ImageRecipeArn and ContainerRecipeArn patterns admit) is refused
    (InvalidParameterValueException), as DeleteComponent's and
    DeleteWorkflow's patterns and botocore 1.40.41's recipe patterns refuse
    one: a delete names the one version it removes, and one that resolves a
    wildcard would remove whichever version is highest at that instant.
    """

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        arn = params[kind.arn_member]
        scope.check_arn(arn)
        if kind.versioned and _wildcard_version(kind, arn):
            raise InvalidParameterValueException(
                f"The value supplied for parameter '{kind.arn_member}' is not valid. Delete{kind.label} takes the "
                f"ARN of one version (<name>/<major>.<minor>.<patch>), not a wildcard version: '{arn}'."
            )
        items = kind.items(scope)
        if arn not in items:
            raise _not_found(kind, arn)
        _require_unreferenced(kind, scope, arn)
        del items[arn]
        scope.policies.pop(arn, None)
        return {kind.arn_member: arn}

    return operation


def _version_arn(arn: str) -> str:
    """A build version ARN without its build number: ``.../name/1.2.3/4`` -> ``.../name/1.2.3``."""
    return arn.rsplit("/", 1)[0]


def _serials(items: Mapping[str, Any]) -> Callable[[str], int]:
    """Each item's place for page tokens: its store serial, or its place in AWS's (unchanging) catalogue."""
    if isinstance(items, Store):
        return items.serial
    return {arn: index for index, arn in enumerate(items)}.__getitem__


def _highest_builds(items: Mapping[str, Any]) -> dict[str, Any]:
    """The highest build of each version, by version ARN, in the order versions were first made."""
    highest_build: dict[str, Any] = {}
    for arn, item in items.items():
        version = _version_arn(arn)
        if version not in highest_build or _version_of(arn) > _version_of(highest_build[version]["arn"]):
            highest_build[version] = item
    return highest_build


def listing(kind: Kind) -> Operation:
    """List<Kind>s: the resources ``owner`` names (Self, the default) passing the filters, oldest first, in pages.

    Owner Amazon lists AWS's catalogue; Shared, ThirdParty and
    AWSMarketplace list nothing (the fake holds no resources shared with the
    caller), unless the kind refuses the owner (InvalidRequestException). A
    kind with build versions lists each version once, by its highest build,
    under the version ARN; ``byName`` keeps each name's highest version, and
    takes no ``version`` filter.
    """
    member = kind.list_member
    assert member is not None, kind
    summarise = kind.summarise or kind.show

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        filters = params.get("filters") or []
        wanted = passes(filters, kind.filters)
        refuse_by_name_with_version(params)
        owner = params.get("owner", "Self") if kind.owners else "Self"
        if owner in kind.refused_owners:
            raise InvalidRequestException(f"Image Builder does not list {kind.label} resources for owner '{owner}'.")
        if owner not in ("Self", "Amazon"):
            return {member: []}
        items: Mapping[str, Any] = (
            catalogue(kind.resource_type, scope.partition, scope.region) if owner == "Amazon" else kind.items(scope)
        )
        serial = _serials(items)
        shown: list[dict[str, Any]] = []
        if kind.build_versions:
            versions = _highest_builds(items)
            if params.get("byName"):
                # Over every build, in the order made, as an x.x.x reference resolves them.
                latest = highest_per_name(items, lambda arn: _version_arn(arn).rsplit("/", 1)[0], stored_version)
                chosen = {_version_arn(arn) for arn in latest}
                versions = {v: versions[v] for v in versions if v in chosen}
            for version_arn, item in versions.items():
                document = {**summarise(scope, item, now), "arn": version_arn}
                if wanted(kind.filtered_as(document)):
                    shown.append(document)
            # A version keeps the place of its first build, so a new build does not move it between pages.
            first: dict[str, int] = {}
            for arn in items:
                first.setdefault(_version_arn(arn), serial(arn))
            position = lambda document: first[document["arn"]]  # noqa: E731
        else:
            shown = [
                document for item in items.values() if wanted(kind.filtered_as(document := summarise(scope, item, now)))
            ]
            position = lambda document: serial(document["arn"])  # noqa: E731
        found, token = page(scope, shown, params, (member, owner, filters, bool(params.get("byName"))), position)
        return {member: found, "nextToken": token}

    return operation


def _selected_by(text: str) -> Callable[[str], bool]:
    """Whether a stored build ARN is one of the version ARN ``text`` selects.

    A concrete version selects its own builds; a wildcard (``1.x.x``, which
    WorkflowWildcardVersionArn admits) the builds of every version it
    matches, as GetWorkflow's choice of the highest is made among them.
    """
    name, _, version = text.rpartition("/")
    wanted = pattern(version, InvalidRequestException)  # as Get refuses a malformed version

    def selected(arn: str) -> bool:
        build_name, _, build_version = _version_arn(arn).rpartition("/")
        return build_name == name and wanted.selects(build_version)

    return selected


def list_build_versions(kind: Kind) -> Operation:
    """List<Kind>BuildVersions: every build the version ARN (``<document>VersionArn``) selects, newest first.

    Without the ARN (optional in the model): every build of the caller's own
    account and region. A kind that lists only the caller's own builds
    (``Kind.own_builds_listed``: components) lists none of AWS's.
    """
    member, answer = f"{kind.document}VersionArn", f"{kind.document}SummaryList"
    summarise = kind.summarise or kind.show

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        text = params.get(member)
        items: Mapping[str, Any] = kind.items(scope)
        selected: Callable[[str], bool] | None = None
        if text is not None:
            arn = Arn.parse(text)
            items, selected = _items(kind, scope, arn, text), _selected_by(text)  # refuses another scope's ARN
            if kind.own_builds_listed and arn.account != scope.account:
                # AWS's own: none the caller owns, and a version ARN that selects nothing answers an empty list,
                # not ResourceNotFoundException (model doc of the member).
                return {answer: []}
        serial = _serials(items)
        builds = [(arn, item) for arn, item in reversed(items.items()) if selected is None or selected(arn)]
        found, token = page(scope, builds, params, (answer, text), lambda build: -serial(build[0]))
        return {answer: [summarise(scope, item, now) for _, item in found], "nextToken": token}

    return operation


def _policy_holder(kind: Kind, scope: Scope, text: str) -> str:
    """The ARN of the resource a policy operation's ARN selects now, which the policy belongs to.

    A wildcard version (``image-recipe/r/x.x.x``, admitted by later models'
    ImageRecipeArn and ContainerRecipeArn patterns) reaches the version it
    resolves to, so the policy stays with that resource and goes when it is deleted.
    """
    return _selected(kind, scope, text)[1]


MISSING_COMPONENT_POLICIES = ("{}", "ResourceNotFoundException")
"""What the ``missing_component_policy`` knob may name (the first is the default): GetComponentPolicy of a
component without a policy answers the policy ``{}``, or ResourceNotFoundException (404)."""


def get_policy(kind: Kind) -> Operation:
    """Get<Kind>Policy: the resource policy put on the resource; ``{}`` if none (ledger resource-policy-none),
    or for a component what the ``missing_component_policy`` knob says (ledger component-policy-none)."""
    member = kind.policy_member
    assert member is not None, kind
    # Only GetComponentPolicy's answer for no policy is unsourced; the model documents {} for the other three.
    switchable = kind is COMPONENT

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        arn = _policy_holder(kind, scope, params[member])
        policy = scope.policies.get(arn)
        if policy is not None:
            return {"policy": policy}
        if switchable and scope.settings.missing_component_policy == "ResourceNotFoundException":
            raise ResourceNotFoundException(f"The {kind.label} '{params[member]}' has no resource policy.")
        return {"policy": "{}"}

    return operation


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# RFC 8259 JSON: Python's decoder also reads NaN, Infinity and -Infinity, which no JSON policy holds.
_POLICY_JSON = json.JSONDecoder(parse_constant=_not_json)


def put_policy(kind: Kind) -> Operation:
    """Put<Kind>Policy: replaces the resource's policy, which must be a JSON object."""
    member = kind.policy_member
    assert member is not None, kind

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        scope.check_arn(params[member])  # AWS's own resources take no policy from a customer
        arn = _policy_holder(kind, scope, params[member])
        try:
            document = _POLICY_JSON.decode(params["policy"])
        except (ValueError, RecursionError):  # not JSON (NaN and Infinity are not), or nested past the stack
            document = None
        if not isinstance(document, dict):
            raise InvalidParameterValueException(
                "The value supplied for parameter 'policy' is not valid. The policy must be a JSON document."
            )
        scope.policies[arn] = params["policy"]
        return {member: arn}

    return operation


def create(kind: Kind, scope: Scope, params: dict[str, Any], now: float, arn: str, document: dict[str, Any]) -> str:
    """Store a new resource of ``kind`` at ``arn``: its document plus arn, dateCreated and tags."""
    items = kind.items(scope)
    check_references([params.get("parentImage"), *referenced_arns(kind, params)])
    require_existing(scope, referenced_arns(kind, params), "components")
    require_defined_parameters(scope, params.get("components") or ())
    require_parent_image(scope, params.get("parentImage"), container=kind is CONTAINER_RECIPE)
    if arn in items:
        raise ResourceAlreadyExistsException(f"The following resource '{kind.label}' already exists: '{arn}'.")
    document.update(arn=arn, dateCreated=date_string(now), tags=dict(params.get("tags") or {}))
    items[arn] = document
    return arn


def new_build(kind: Kind, scope: Scope, params: dict[str, Any], *path: str) -> str:
    """The ARN of the next build of the version ``params`` names (``<path>/<x.y.z>/<n>``), for a kind with builds.

    Build numbers of a version count up and are never reused, as images' are.
    """
    version = params["semanticVersion"]
    concrete(version)
    key = ("/".join((kind.resource_type, *path)), version)
    number = scope.build_numbers.get(key, 0) + 1
    scope.build_numbers[key] = number
    return scope.arn(kind.resource_type, *path, version, str(number))


def require_one_source(params: dict[str, Any]) -> None:
    """A document comes inline (``data``) or from S3 (``uri``): exactly one of them."""
    if (params.get("data") is None) == (params.get("uri") is None):
        raise error_for_code(
            "InvalidParameterCombinationException", "You must specify exactly one of 'data' and 'uri'."
        )


def _copy(params: dict[str, Any], *skip: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k != "clientToken" and k not in skip}


def replace(kind: Kind, scope: Scope, params: dict[str, Any], now: float, keep: tuple[str, ...] = ()) -> str:
    """Update<Kind>: the resource's settings become exactly the call's (members left out are gone).

    Name, tags, creation date and the ``keep`` members (those the update
    cannot set) stay; ``dateUpdated`` is now.
    """
    arn = params[kind.arn_member]
    current = resolve(kind, scope, arn)
    document = _copy(params, kind.arn_member)
    document.update({k: current[k] for k in keep if k in current})
    document.update(
        arn=arn,
        name=current["name"],
        dateCreated=current["dateCreated"],
        dateUpdated=date_string(now),
        tags=current["tags"],
    )
    kind.items(scope)[arn] = document
    return arn


_NOT_OUTPUTS = frozenset({"region", "licenseConfigurationArns"})


def _require_outputs(params: dict[str, Any]) -> None:
    """Each region of a distribution configuration must have at least one output (an AMI, a container...)."""
    for index, entry in enumerate(params["distributions"]):
        # An output block given, even empty ({} takes AWS's defaults), counts; an empty list does not.
        if not any(isinstance(value, dict) or value for key, value in entry.items() if key not in _NOT_OUTPUTS):
            raise InvalidParameterValueException(
                f"The value supplied for parameter 'distributions[{index}]' is not valid. One or more outputs "
                "should be provided for each region in a distribution configuration."
            )


# A region's name: a geography AWS names regions in, then words and a number (us-east-1, us-gov-west-1,
# eusc-de-east-1). A form, not a list, so regions AWS opens later work without a change here.
_REGION = re.compile(r"^(af|ap|ca|cn|eu|eusc|il|me|mx|sa|us)(-[a-z]+)+-\d{1,2}\Z")


def _require_regions(scope: Scope, params: dict[str, Any]) -> None:
    """Each distribution names a region of the caller's partition, and no region twice (assumed wording)."""
    seen: dict[str, int] = {}
    for index, entry in enumerate(params["distributions"]):
        region = entry["region"]
        # The caller's own region always counts (a fake may serve a made-up one: allow_unknown_regions).
        if region != scope.region and (not _REGION.match(region) or partition_of(region) != scope.partition):
            raise InvalidRequestException(
                f"The value supplied for parameter 'distributions[{index}].region' is not valid. '{region}' is not "
                f"a region of partition '{scope.partition}'."
            )
        if region in seen:
            raise InvalidRequestException(
                f"The value supplied for parameter 'distributions[{index}].region' is not valid. Region '{region}' "
                f"is already distributed to by distributions[{seen[region]}]: each region may appear only once in "
                "a distribution configuration."
            )
        seen[region] = index


def recipe_version(kind: Kind, scope: Scope, params: dict[str, Any]) -> str:
    """The version Create<Kind> makes of ``semanticVersion``: itself, or with its one ``x`` node assigned
    from the versions the recipe's name has now (``versions.assigned``)."""
    prefix = f"{scope.arn(kind.resource_type, normalise_name(params['name']))}/"
    taken = (_version_of(arn)[0] for arn in kind.items(scope) if arn.startswith(prefix))
    return assigned(params["semanticVersion"], taken, first=scope.settings.auto_version_first)


def create_image_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateImageRecipe: a recipe version, concrete or with one ``x`` node the fake assigns (``recipe_version``).

    A recipe without ``workingDirectory`` reads back where AWS runs the
    build: ``/tmp`` on Linux and macOS, ``C:/`` on Windows (model doc of
    ImageRecipe.workingDirectory, botocore 1.44; AWS's behaviour, whatever the
    caller's model says).
    """
    version = recipe_version(RECIPE, scope, params)
    document = _copy(params, "semanticVersion")
    platform = platform_of(params["parentImage"])
    document.update(type="AMI", platform=platform, owner=scope.account, version=version)
    document.setdefault("workingDirectory", "C:/" if platform == "Windows" else "/tmp")
    arn = scope.arn(RECIPE.resource_type, normalise_name(params["name"]), version)
    create(RECIPE, scope, params, now, arn, document)
    return {RECIPE.arn_member: arn, "latestVersionReferences": latest_version_references(arn)}


def create_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateInfrastructureConfiguration."""
    arn = scope.arn(INFRASTRUCTURE.resource_type, normalise_name(params["name"]))
    return {INFRASTRUCTURE.arn_member: create(INFRASTRUCTURE, scope, params, now, arn, _copy(params))}


def update_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateInfrastructureConfiguration: replaces every setting."""
    return {INFRASTRUCTURE.arn_member: replace(INFRASTRUCTURE, scope, params, now)}


def create_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateDistributionConfiguration; ``timeoutMinutes`` reads back as 720 (AWS's default)."""
    _require_regions(scope, params)
    _require_outputs(params)
    document = _copy(params)
    document.setdefault("timeoutMinutes", 720)
    arn = scope.arn(DISTRIBUTION.resource_type, normalise_name(params["name"]))
    return {DISTRIBUTION.arn_member: create(DISTRIBUTION, scope, params, now, arn, document)}


def update_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateDistributionConfiguration: replaces description and distributions (timeoutMinutes stays)."""
    _require_regions(scope, params)
    _require_outputs(params)
    return {DISTRIBUTION.arn_member: replace(DISTRIBUTION, scope, params, now, keep=("timeoutMinutes",))}
