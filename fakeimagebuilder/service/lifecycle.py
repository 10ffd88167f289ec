"""Lifecycle policies: their rules checked; the rest is the kinds table's generic operations.

A policy selects images by recipe (name and a version that may hold
wildcards) or by tags, exactly one of the two, and lists up to three rules,
one per action (DELETE, DEPRECATE, DISABLE). An AGE filter counts in a unit
(DAYS, WEEKS, MONTHS, YEARS); a COUNT filter has none. Unlike the other
kinds, its dates are timestamps (epoch seconds on the wire), as the model
has them. Enabled policies run daily on the fake's clock (lifecycle_runs.py).

Sources of the checks: the API reference's LifecyclePolicyDetailAction
(DELETE rules may include AMIs, snapshots and containers, DEPRECATE and
DISABLE rules AMIs only, snapshots only together with AMIs) and
LifecyclePolicyDetailFilter (a unit for age-based rules); the user guide's
"How lifecycle management rules work" (deprecate and disable rules do not
apply to container images); AWS's CDK construct (aws-imagebuilder-alpha
lifecycle-policy.ts: no AMI exclusion rules in a container policy). A
policy reads back as sent, with status ENABLED filled in when Create (or
Update, which replaces every setting) leaves it out: Terraform's schema has
status Optional, Computed, Default ENABLED
(terraform-provider-aws internal/service/imagebuilder/lifecycle_policy.go).
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


def _check_rule(index: int, detail: dict[str, Any], resource_type: str) -> None:
    action, rule = detail["action"], detail["filter"]
    kind = action["type"]
    where = f"policyDetails[{index}]"
    if rule["type"] == "AGE" and rule.get("unit") is None:
        raise InvalidRequestException(f"{where}.filter: an AGE filter needs a 'unit'.")
    if rule["type"] == "COUNT" and (rule.get("unit") is not None or rule.get("retainAtLeast") is not None):
        raise InvalidRequestException(f"{where}.filter: a COUNT filter takes no 'unit' or 'retainAtLeast'.")
    container = resource_type == "CONTAINER_IMAGE"
    if container and kind != "DELETE":
        raise InvalidRequestException(f"{where}: a CONTAINER_IMAGE policy can only have DELETE rules, not {kind}.")
    included = action.get("includeResources") or {}
    wrong = ("amis", "snapshots") if container else ("containers",)
    if any(included.get(k) is not None for k in wrong):
        raise InvalidRequestException(
            f"{where}.action.includeResources: {', '.join(wrong)} do not apply to {resource_type} policies."
        )
    if container and (detail.get("exclusionRules") or {}).get("amis") is not None:
        raise InvalidRequestException(f"{where}.exclusionRules: a CONTAINER_IMAGE policy has no AMI exclusion rules.")
    if kind != "DELETE" and included.get("snapshots"):
        raise InvalidRequestException(f"{where}.action.includeResources: a {kind} rule can include AMIs only.")
    if included.get("snapshots") and not included.get("amis"):
        raise InvalidRequestException(
            f"{where}.action.includeResources: snapshots can only be included together with AMIs."
        )


def _check(params: dict[str, Any]) -> None:
    selection = params["resourceSelection"]
    if (selection.get("recipes") is None) == (selection.get("tagMap") is None):
        raise InvalidRequestException("The resourceSelection must have exactly one of 'recipes' and 'tagMap'.")
    for recipe in selection.get("recipes") or ():
        pattern(recipe["semanticVersion"], InvalidRequestException)
    seen: set[str] = set()
    for index, detail in enumerate(params["policyDetails"]):
        kind = detail["action"]["type"]
        if kind in seen:
            raise InvalidRequestException(
                f"policyDetails[{index}]: a lifecycle policy may have only one rule with action {kind}."
            )
        seen.add(kind)
        _check_rule(index, detail, params["resourceType"])


def _settings(params: dict[str, Any]) -> dict[str, Any]:
    _check(params)
    settings = {k: params[k] for k in _SETTABLE if params.get(k) is not None}
    settings.setdefault("status", "ENABLED")  # AWS's default (module docstring)
    return settings


def create_lifecycle_policy(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """CreateLifecyclePolicy: a policy under a unique name, its rules checked, read back as sent (status ENABLED
    unless sent)."""
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
