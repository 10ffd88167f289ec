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
from typing import Any

from .arns import Arn, normalise_name
from .dates import date_string
from .errors import (
    InvalidParameterValueException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceDependencyException,
    ResourceNotFoundException,
)
from .filters import passes
from .kinds import DISTRIBUTION, INFRASTRUCTURE, KINDS, RECIPE, Kind, referenced_arns, version_key
from .paging import page
from .state import Operation, Scope
from .versions import concrete, highest, pattern

__all__ = [
    "create",
    "create_distribution_configuration",
    "create_image_recipe",
    "create_infrastructure_configuration",
    "delete",
    "get",
    "get_policy",
    "listing",
    "platform_of",
    "put_policy",
    "replace",
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


def resolve(kind: Kind, scope: Scope, text: str) -> Any:
    """The stored resource an ARN names; a versioned kind's wildcards select the highest version.

    ``name/1.x.x`` selects the highest version it matches, and its highest
    build; ``name/1.2.3`` of a kind with build versions selects 1.2.3's
    highest build. ResourceNotFoundException when nothing matches.
    """
    arn = scope.check_arn(text)
    items = kind.items(scope)
    found = items.get(text)
    if found is not None or not kind.versioned or arn.resource_type != kind.resource_type:
        if found is None:
            raise _not_found(kind, text)
        return found
    name, _, version = arn.path.rpartition("/")
    if not name or "." not in version:  # a build version ARN names one build: only an exact match
        raise _not_found(kind, text)
    wanted = pattern(version, InvalidRequestException)
    prefix = text[: -len(version)]
    candidates = [key for key in items if key.startswith(prefix)]
    best = highest(candidates, wanted, lambda key: _version_of(key))
    if best is None:
        raise _not_found(kind, text)
    return items[best]


def _version_of(text: str) -> tuple[tuple[int, int, int], int]:
    key = version_key(Arn.parse(text))
    assert key is not None, text  # stored ARNs of versioned kinds always carry a version
    return key[1], key[2]


def _refers_to(kind: Kind, scope: Scope, reference: str, arn: str) -> bool:
    """Whether ``reference`` (an exact ARN or a version pattern) selects the resource ``arn``."""
    if reference == arn:
        return True
    if not kind.versioned or not reference.startswith(arn.split(":", 5)[0]) or "/" not in reference:
        return False
    try:
        target = Arn.parse(reference)
        if target.resource_type != kind.resource_type or target.account != scope.account:
            return False
        return resolve(kind, scope, reference) is kind.items(scope)[arn]
    except (ResourceNotFoundException, InvalidRequestException):
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
        return {kind.document: kind.show(scope, resolve(kind, scope, params[kind.arn_member]), now)}

    return operation


def delete(kind: Kind) -> Operation:
    """Delete<Kind>: the exact resource named, unless another resource still references it."""

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        arn = params[kind.arn_member]
        scope.check_arn(arn)
        items = kind.items(scope)
        if arn not in items:
            raise _not_found(kind, arn)
        _require_unreferenced(kind, scope, arn)
        del items[arn]
        scope.policies.pop(arn, None)
        return {kind.arn_member: arn}

    return operation


def listing(kind: Kind) -> Operation:
    """List<Kind>s: the caller's own resources passing the filters, oldest first, in pages.

    ``owner`` other than Self lists nothing: the fake holds no shared or
    third-party resources of these kinds.
    """
    assert kind.list_member is not None, kind

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        filters = params.get("filters") or []
        wanted = passes(filters, kind.filters)
        if kind.owners and params.get("owner", "Self") != "Self":
            return {kind.list_member: []}
        items = kind.items(scope)
        summarise = kind.summarise or kind.show
        shown = [document for item in items.values() if wanted(document := summarise(scope, item, now))]
        found, token = page(
            scope, shown, params, (kind.list_member, filters), lambda document: items.serial(document["arn"])
        )
        return {kind.list_member: found, "nextToken": token}

    return operation


def get_policy(kind: Kind) -> Operation:
    """Get<Kind>Policy: the resource policy put on the resource (ResourceNotFoundException if none)."""
    member = kind.policy_member
    assert member is not None, kind

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        arn = params[member]
        resolve(kind, scope, arn)
        policy = scope.policies.get(arn)
        if policy is None:
            raise ResourceNotFoundException(f"The resource '{arn}' has no resource policy.")
        return {"policy": policy}

    return operation


def put_policy(kind: Kind) -> Operation:
    """Put<Kind>Policy: replaces the resource's policy, which must be a JSON object."""
    member = kind.policy_member
    assert member is not None, kind

    def operation(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
        arn = params[member]
        resolve(kind, scope, arn)
        try:
            document = json.loads(params["policy"])
        except ValueError:
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
    if arn in items:
        raise ResourceAlreadyExistsException(f"The following resource '{kind.label}' already exists: '{arn}'.")
    document.update(arn=arn, dateCreated=date_string(now), tags=dict(params.get("tags") or {}))
    items[arn] = document
    return arn


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
        if not any(value for key, value in entry.items() if key not in _NOT_OUTPUTS):
            raise InvalidParameterValueException(
                f"The value supplied for parameter 'distributions[{index}]' is not valid. One or more outputs "
                "should be provided for each region in a distribution configuration."
            )


def create_image_recipe(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateImageRecipe: a recipe version; the version must be concrete (no ``x``).

    A Linux or macOS recipe without ``workingDirectory`` reads back ``/tmp``,
    where AWS runs the build.
    """
    version = params["semanticVersion"]
    concrete(version)
    document = _copy(params, "semanticVersion")
    platform = platform_of(params["parentImage"])
    document.update(type="AMI", platform=platform, owner=scope.account, version=version)
    if platform != "Windows":
        document.setdefault("workingDirectory", "/tmp")
    arn = scope.arn(RECIPE.resource_type, normalise_name(params["name"]), version)
    return {RECIPE.arn_member: create(RECIPE, scope, params, now, arn, document)}


def create_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateInfrastructureConfiguration."""
    arn = scope.arn(INFRASTRUCTURE.resource_type, normalise_name(params["name"]))
    return {INFRASTRUCTURE.arn_member: create(INFRASTRUCTURE, scope, params, now, arn, _copy(params))}


def update_infrastructure_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateInfrastructureConfiguration: replaces every setting."""
    return {INFRASTRUCTURE.arn_member: replace(INFRASTRUCTURE, scope, params, now)}


def create_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateDistributionConfiguration; ``timeoutMinutes`` reads back as 720 (AWS's default)."""
    _require_outputs(params)
    document = _copy(params)
    document.setdefault("timeoutMinutes", 720)
    arn = scope.arn(DISTRIBUTION.resource_type, normalise_name(params["name"]))
    return {DISTRIBUTION.arn_member: create(DISTRIBUTION, scope, params, now, arn, document)}


def update_distribution_configuration(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateDistributionConfiguration: replaces description and distributions (timeoutMinutes stays)."""
    _require_outputs(params)
    return {DISTRIBUTION.arn_member: replace(DISTRIBUTION, scope, params, now, keep=("timeoutMinutes",))}
