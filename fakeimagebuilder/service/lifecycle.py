"""Lifecycle policies: their rules checked; the rest is the kinds table's generic operations.

A policy selects images by recipe (name and a version that may hold
wildcards) or by tags, exactly one of the two, and lists up to three rules,
one per action (DELETE, DEPRECATE, DISABLE). An AGE filter counts in a unit
(DAYS, WEEKS, MONTHS, YEARS); a COUNT filter has none. Unlike the other
kinds, its dates are timestamps (epoch seconds on the wire), as the model
has them. (Policies are stored and read back; the fake does not run them.)
"""

from __future__ import annotations

from typing import Any

from .arns import normalise_name
from .errors import InvalidRequestException
from .kinds import LIFECYCLE_POLICY
from .resources import create, resolve
from .state import Scope
from .versions import pattern

__all__ = ["create_lifecycle_policy", "update_lifecycle_policy"]

_SETTABLE = ("description", "status", "executionRole", "resourceType", "policyDetails", "resourceSelection")


def _check(params: dict[str, Any]) -> None:
    selection = params["resourceSelection"]
    if (selection.get("recipes") is None) == (selection.get("tagMap") is None):
        raise InvalidRequestException("The resourceSelection must have exactly one of 'recipes' and 'tagMap'.")
    for recipe in selection.get("recipes") or ():
        pattern(recipe["semanticVersion"], InvalidRequestException)
    seen: set[str] = set()
    for index, detail in enumerate(params["policyDetails"]):
        action, rule = detail["action"], detail["filter"]
        if action["type"] in seen:
            raise InvalidRequestException(
                f"policyDetails[{index}]: a lifecycle policy may have only one rule with action {action['type']}."
            )
        seen.add(action["type"])
        if rule["type"] == "AGE" and rule.get("unit") is None:
            raise InvalidRequestException(f"policyDetails[{index}].filter: an AGE filter needs a 'unit'.")
        if rule["type"] == "COUNT" and (rule.get("unit") is not None or rule.get("retainAtLeast") is not None):
            raise InvalidRequestException(
                f"policyDetails[{index}].filter: a COUNT filter takes no 'unit' or 'retainAtLeast'."
            )
        included = action.get("includeResources") or {}
        wrong = ("containers",) if params["resourceType"] == "AMI_IMAGE" else ("amis", "snapshots")
        if any(included.get(k) is not None for k in wrong):
            raise InvalidRequestException(
                f"policyDetails[{index}].action.includeResources: {', '.join(wrong)} do not apply to "
                f"{params['resourceType']} policies."
            )


def _settings(params: dict[str, Any]) -> dict[str, Any]:
    _check(params)
    document = {k: params[k] for k in _SETTABLE if params.get(k) is not None}
    document.setdefault("status", "ENABLED")
    return document


def create_lifecycle_policy(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateLifecyclePolicy: ENABLED unless told otherwise."""
    document = _settings(params)
    document["name"] = params["name"]
    arn = scope.arn(LIFECYCLE_POLICY.resource_type, normalise_name(params["name"]))
    create(LIFECYCLE_POLICY, scope, params, now, arn, document)
    document["dateCreated"] = now  # a timestamp here, not a date string (just stored, not yet read)
    return {"lifecyclePolicyArn": arn}


def update_lifecycle_policy(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """UpdateLifecyclePolicy: replaces every setting; name, tags and dateCreated stay."""
    arn = params["lifecyclePolicyArn"]
    current = resolve(LIFECYCLE_POLICY, scope, arn)
    document = _settings(params)
    document.update(arn=arn, name=current["name"], dateCreated=current["dateCreated"], dateUpdated=now)
    document["tags"] = current["tags"]
    LIFECYCLE_POLICY.items(scope)[arn] = document
    return {"lifecyclePolicyArn": arn}
