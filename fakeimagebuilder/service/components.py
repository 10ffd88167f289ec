"""Components: what is special about them (the rest is the kinds table's generic operations).

A component is stored per build version, ``component/<name>/<x.y.z>/<n>``.
Creating one with a name and version that exist makes the next build of that
version (Image Builder's auto-versioning of components, announced November
2025; the model of CreateComponent no longer lists
ResourceAlreadyExistsException). Its YAML document is read and checked as
AWS checks it: schema version 1.0, phases named build, validate or test, each
with steps that have a unique name and an action. The document's parameters
become the component's ``parameters``; a document with only a test phase
makes a TEST component, any other a BUILD one.
"""

from __future__ import annotations

import json
from typing import Any

from .arns import normalise_name
from .documents import as_text, read_document, yaml_scalar
from .errors import InvalidRequestException
from .kinds import COMPONENT
from .resources import create, latest_version_references, new_build, require_one_source
from .state import Scope

__all__ = ["check_component_document", "create_component", "import_component"]

_PHASES = ("build", "validate", "test")
# A document's parameter types (any case), as the API writes them (ComponentParameterType's pattern).
_PARAMETER_TYPES = {"string": "String", "integer": "Integer", "boolean": "Boolean", "stringlist": "StringList"}


def _invalid(detail: str) -> InvalidRequestException:
    return InvalidRequestException(f"The component document is not valid: {detail}.")


def _steps(phase: str, steps: Any) -> None:
    if not isinstance(steps, list) or not steps:
        raise _invalid(f"phase '{phase}' must list at least one step in 'steps'")
    names: set[str] = set()
    for index, step in enumerate(steps, 1):
        if not isinstance(step, dict) or not isinstance(step.get("name"), str) or not step["name"]:
            raise _invalid(f"step {index} of phase '{phase}' has no 'name'")
        name = step["name"]
        if name in names:
            raise _invalid(f"phase '{phase}' has more than one step named '{name}'")
        names.add(name)
        if not isinstance(step.get("action"), str) or not step["action"]:
            raise _invalid(f"step '{name}' of phase '{phase}' has no 'action'")


def _parameters(entries: Any) -> list[dict[str, Any]]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise _invalid("'parameters' must be a list")
    found: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise _invalid("each parameter must be a mapping of its name to its type, default and description")
        [(name, spec)] = entry.items()
        kind = _PARAMETER_TYPES.get(str(spec.get("type")).lower()) if isinstance(spec, dict) else None
        if kind is None:
            raise _invalid(f"parameter '{name}' must have a 'type' of {', '.join(_PARAMETER_TYPES.values())}")
        detail: dict[str, Any] = {"name": name, "type": kind}
        if spec.get("default") is not None:
            default = spec["default"]
            detail["defaultValue"] = [as_text(v) for v in default] if isinstance(default, list) else [as_text(default)]
        if spec.get("description") is not None:
            detail["description"] = str(spec["description"])
        found.append(detail)
    return found


def check_component_document(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The type (BUILD or TEST) and parameters of a component document; InvalidRequestException if it is invalid."""
    document = read_document(text, _invalid)
    if document is None:
        return "BUILD", []  # YAML beyond the fake's reader: accepted unchecked (see documents.py)
    phases = document.get("phases")
    if not isinstance(phases, list) or not phases:
        raise _invalid("'phases' must list at least one phase")
    seen: set[str] = set()
    for phase in phases:
        name = phase.get("name") if isinstance(phase, dict) else None
        if name not in _PHASES:
            raise _invalid(f"phase name '{name}' is not one of {', '.join(_PHASES)}")
        if name in seen:
            raise _invalid(f"phase '{name}' appears more than once")
        seen.add(name)
        _steps(name, phase.get("steps"))
    return ("TEST" if seen == {"test"} else "BUILD"), _parameters(document.get("parameters"))


def _store(scope: Scope, params: dict[str, Any], now: float, document: dict[str, Any]) -> dict[str, Any]:
    """A new build of the component version ``params`` name; its ARN and version references."""
    arn = new_build(COMPONENT, scope, params, normalise_name(params["name"]))
    settable = ("name", "description", "changeDescription", "platform", "supportedOsVersions", "kmsKeyId")
    document.update({k: params[k] for k in settable if params.get(k) is not None})
    document.update(version=params["semanticVersion"], owner=scope.account, state={"status": "ACTIVE"}, encrypted=True)
    create(COMPONENT, scope, params, now, arn, document)
    return {"componentBuildVersionArn": arn, "latestVersionReferences": latest_version_references(arn)}


def create_component(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateComponent: a component document given inline (``data``) or by S3 ``uri`` (read by AWS, not here)."""
    require_one_source(params)
    document: dict[str, Any] = {"type": "BUILD", "parameters": []}
    if params.get("data") is not None:
        kind, parameters = check_component_document(params["data"])
        document.update(type=kind, data=params["data"], parameters=parameters)
    if not document["parameters"]:
        del document["parameters"]
    return _store(scope, params, now, document)


def _imported(params: dict[str, Any]) -> str:
    """The component document AWS makes of an imported shell script: one step running it, unchanged."""
    phase = "test" if params["type"] == "TEST" else "build"
    action = "ExecutePowerShell" if params["platform"] == "Windows" else "ExecuteBash"
    # Quoted: a name such as "true", "100" or "- a" (ResourceName admits them) would read as another value.
    name = json.dumps(params["name"])
    return (
        f"name: {name}\nschemaVersion: 1.0\nphases:\n  - name: {phase}\n    steps:\n"
        f"      - name: ImportedScript\n        action: {action}\n        inputs:\n          commands:\n"
        f"            - {yaml_scalar(params['data'], 12)}"
    )


def import_component(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ImportComponent: a shell script (``format`` SHELL) of the ``type`` given, made into a component document."""
    require_one_source(params)
    document: dict[str, Any] = {"type": params["type"]}
    if params.get("data") is not None:
        document["data"] = _imported(params)
    answer = _store(scope, params, now, document)
    del answer["latestVersionReferences"]  # ImportComponent's output has none
    return answer
