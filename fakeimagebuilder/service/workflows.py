"""Workflows (definitions): what is special about them; the rest is the kinds table's generic operations.

A workflow is stored per build version,
``workflow/<build|test|distribution>/<name>/<x.y.z>/<n>``, like a component
(a version made again is its next build). Its YAML document is read and
checked as the user guide's workflow document schema describes it: schema
version 1.0 and a list of steps, each with a unique name and an action; its
parameters (``name``, ``type``, ``default``, ``description``) become the
workflow's.
"""

from __future__ import annotations

from typing import Any

from .arns import normalise_name
from .documents import as_text, read_document
from .errors import InvalidRequestException
from .kinds import WORKFLOW
from .resources import create, latest_version_references, new_build, require_one_source
from .state import Scope

__all__ = ["check_workflow_document", "create_workflow"]

_PARAMETER_TYPES = ("string", "integer", "boolean", "stringList")


def _invalid(detail: str) -> InvalidRequestException:
    return InvalidRequestException(f"The workflow document is not valid: {detail}.")


def _parameters(entries: Any) -> list[dict[str, Any]]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise _invalid("'parameters' must be a list")
    found: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise _invalid("each parameter must have a 'name'")
        if entry.get("type") not in _PARAMETER_TYPES:
            raise _invalid(f"parameter '{entry['name']}' must have a 'type' of {', '.join(_PARAMETER_TYPES)}")
        detail: dict[str, Any] = {"name": entry["name"], "type": entry["type"]}
        default = entry.get("default")
        if default is not None:
            detail["defaultValue"] = [as_text(v) for v in default] if isinstance(default, list) else [as_text(default)]
        if entry.get("description") is not None:
            detail["description"] = str(entry["description"])
        found.append(detail)
    return found


def check_workflow_document(text: str) -> list[dict[str, Any]]:
    """The parameters of a workflow document; InvalidRequestException if the document is invalid."""
    document = read_document(text, _invalid)
    if document is None:
        return []  # YAML beyond the fake's reader: accepted unchecked (see documents.py)
    steps = document.get("steps")
    if not isinstance(steps, list) or not steps:
        raise _invalid("'steps' must list at least one step")
    names: set[str] = set()
    for index, step in enumerate(steps, 1):
        if not isinstance(step, dict) or not isinstance(step.get("name"), str) or not step["name"]:
            raise _invalid(f"step {index} has no 'name'")
        if step["name"] in names:
            raise _invalid(f"more than one step is named '{step['name']}'")
        names.add(step["name"])
        if not isinstance(step.get("action"), str) or not step["action"]:
            raise _invalid(f"step '{step['name']}' has no 'action'")
    return _parameters(document.get("parameters"))


def create_workflow(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateWorkflow: a BUILD, TEST or DISTRIBUTION workflow from ``data`` or an S3 ``uri``."""
    require_one_source(params)
    document: dict[str, Any] = {}
    if params.get("data") is not None:
        parameters = check_workflow_document(params["data"])
        document["data"] = params["data"]
        if parameters:
            document["parameters"] = parameters
    arn = new_build(WORKFLOW, scope, params, params["type"].lower(), normalise_name(params["name"]))
    settable = ("name", "description", "changeDescription", "type", "kmsKeyId")
    document.update({k: params[k] for k in settable if params.get(k) is not None})
    # No state: the model's WorkflowStatus has only DEPRECATED, so a workflow in use shows none.
    document.update(version=params["semanticVersion"], owner=scope.account)
    create(WORKFLOW, scope, params, now, arn, document)
    return {"workflowBuildVersionArn": arn, "latestVersionReferences": latest_version_references(arn)}
