"""What a create names must exist: a recipe's components, a pipeline's or CreateImage's workflows.

A reference is resolved as Get resolves it (a wildcard version selects the
highest version there is; AWS-managed ``aws`` ARNs resolve from the
catalogue), and one that selects nothing answers ResourceNotFoundException
before anything is made. Only the caller's own account and AWS's, in the
caller's region, are checked: a component or workflow shared from another
account is one the fake cannot know, and another region's is left to the
rules that already govern such ARNs, so these are taken as given.
"""

from __future__ import annotations

from collections.abc import Iterable

from .arns import Arn
from .state import Scope

__all__ = ["require_existing"]


def require_existing(scope: Scope, arns: Iterable[object]) -> None:
    """Each ARN of a kind the fake holds, in the caller's account or AWS's, selects a resource of that kind."""
    # Imported here: the kinds table imports pipelines, which checks its workflows through this module.
    from .kinds import by_type
    from .resources import resolve

    for text in arns:
        if not isinstance(text, str):
            continue
        arn = Arn.parse(text)
        kind = by_type(arn.resource_type)
        here = (arn.partition, arn.region) == (scope.partition, scope.region)
        if kind is not None and here and arn.account in (scope.account, "aws"):
            resolve(kind, scope, text)
