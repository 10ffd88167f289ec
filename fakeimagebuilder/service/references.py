"""What a create names must exist: a recipe's components and parent image, a pipeline's or CreateImage's workflows.

A reference is resolved as Get resolves it (a wildcard version selects the
highest version there is; AWS-managed ``aws`` ARNs resolve from the
catalogue), and one that selects nothing is refused before anything is
made: ResourceNotFoundException naming the ARN, or, switched by the
``missing_reference_error`` knob, AWS's "The value supplied for parameter
'components' is not valid" family with the code the knob names. Only the
caller's own account and AWS's, in the caller's region, are checked: a
resource shared from another account is one the fake cannot know, and
another region's is left to the rules that already govern such ARNs, so
these are taken as given. An AWS-managed parent image is taken as given too
(the fake's catalogue of them is a selection, not all AWS has).

AWS-managed workflows may only be named at version ``x.x.x``: AWS answered a
pipeline naming ``build-image/1.0.1/1`` with "The value supplied for
parameter 'workflows' is not valid. AWS managed workflows must have latest
version 'x.x.x' for '{workflow_arn_str}'" (aws/aws-cdk#29910, status 400;
the fake fills in the ARN AWS's template left unfilled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .arns import Arn
from .errors import InvalidRequestException, ResourceNotFoundException, error_for_code
from .state import Scope

__all__ = ["MISSING_REFERENCE_ERRORS", "require_existing", "require_workflows", "selected_recipe"]

MISSING_REFERENCE_ERRORS = ("ResourceNotFoundException", "InvalidRequestException", "InvalidParameterValueException")
"""The codes the ``missing_reference_error`` knob may name (the first is the default)."""


def require_existing(scope: Scope, arns: Iterable[object], parameter: str) -> None:
    """Each ARN of a kind the fake holds, in the caller's account or AWS's, selects a resource of that kind.

    ``parameter``: the request member the ARNs come from, as the
    InvalidParameterValue-style wording names it (``components``).
    """
    # Imported here: the kinds table imports pipelines, which checks its workflows through this module.
    from .kinds import by_type
    from .resources import resolve

    for text in arns:
        if not isinstance(text, str) or not text.startswith("arn:"):
            continue  # an AMI id or a container image URI, or a member left out
        arn = Arn.parse(text)
        kind = by_type(arn.resource_type)
        here = (arn.partition, arn.region) == (scope.partition, scope.region)
        owners = (scope.account,) if arn.resource_type == "image" else (scope.account, "aws")
        if kind is None or not here or arn.account not in owners:
            continue
        try:
            resolve(kind, scope, text)
        except ResourceNotFoundException as missing:
            code = scope.settings.missing_reference_error
            if code == "ResourceNotFoundException":
                raise
            raise error_for_code(
                code,
                f"The value supplied for parameter '{parameter}' is not valid. The resource '{text}' does not exist.",
            ) from missing


def require_workflows(scope: Scope, workflows: Iterable[dict[str, Any]]) -> None:
    """A pipeline's or CreateImage's workflows: AWS's own only at x.x.x, and each one existing."""
    arns = [workflow.get("workflowArn") for workflow in workflows]
    for text in arns:
        if isinstance(text, str) and Arn.parse(text).account == "aws" and not text.endswith("/x.x.x"):
            raise InvalidRequestException(
                "The value supplied for parameter 'workflows' is not valid. AWS managed workflows must have latest "
                f"version 'x.x.x' for '{text}'"
            )
    require_existing(scope, arns, "workflows")


def selected_recipe(scope: Scope, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The recipe a pipeline's or CreateImage's ``imageRecipeArn`` or ``containerRecipeArn`` selects now.

    Resolved as Get resolves it: ``x`` wildcards select the highest version
    there is at this instant, so each start of a pipeline naming ``x.x.x``
    builds the newest version then ("wildcard recipe versions (such as 1.x.x,
    x.x.x, etc.) are now allowed to be passed into the image pipeline": AWS's
    November 2025 announcement, quoted in hashicorp/terraform-provider-aws#45285).
    ResourceNotFoundException naming the ARN when nothing matches.
    """
    from .kinds import CONTAINER_RECIPE, RECIPE
    from .resources import resolve

    kind = RECIPE if settings.get("imageRecipeArn") is not None else CONTAINER_RECIPE
    text = settings[kind.arn_member]
    # An exact ARN of the caller's own recipe is a key of the store: every start of such a pipeline is one
    # lookup, not an ARN parsed and checked again.
    found: dict[str, Any] | None = kind.items(scope).get(text)
    return found if found is not None else resolve(kind, scope, text)
