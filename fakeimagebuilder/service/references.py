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

A recipe's ``parentImage`` that is an ARN must be an Image Builder image's:
the model's doc of CreateImageRecipe.parentImage lists "AMI ID", "Image
Builder image Amazon Resource Name (ARN)", an SSM parameter "prefixed by
``ssm:``" and an "Amazon Web Services Marketplace product ID"; of
CreateContainerRecipe.parentImage "an Image Builder image resource ARN or a
container image URI". A component, recipe, pipeline or configuration ARN,
or any other service's, is none of these. An image of the caller's own is
also of the recipe's type: an AMI recipe builds on an AMI image, a
container recipe (whose Dockerfile starts ``FROM`` its parent) on a
container image. Both are refused as the fake refuses a malformed
parentImage (InvalidRequestException, "The value supplied for parameter
'parentImage' is not valid. ..."). Other accounts' and AWS's images are
taken as given: the fake cannot tell their type.

A recipe may set only the parameters its components define: AWS refused a
CreateImageRecipe whose component lacked the parameter it set with
InvalidParameterCombinationException "The value supplied for parameter
'components[0].parameters' is not valid. The following parameters are not
defined in the provided component: S3BucketName" (CloudTrail quoted in
aws-ia/terraform-aws-ec2-image-builder#106); ComponentConfiguration's doc
(botocore 1.44): "you can only supply parameters that the component
defines". The model lists that code for neither Create*Recipe operation,
and the wire answers it with its own status, 400, as AWS did. Only the
caller's own components whose document the fake read are checked: AWS's
(the fake's documents for them are stand-ins), other accounts', one made
from an S3 ``uri``, or one whose YAML the fake's reader does not read are
taken as given.

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
from .documents import read_document
from .errors import InvalidRequestException, ResourceNotFoundException, error_for_code
from .state import Scope

__all__ = [
    "MISSING_REFERENCE_ERRORS",
    "require_defined_parameters",
    "require_existing",
    "require_parent_image",
    "require_workflows",
    "selected_recipe",
]

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


def _defined_parameters(component: Mapping[str, Any]) -> set[str] | None:
    """The names of the parameters a component's document defines; None when the fake has no document it reads."""
    data = component.get("data")
    if data is None:
        return None  # made from an S3 uri: AWS read the document, the fake did not
    try:
        document = read_document(data, ValueError)
    except ValueError:  # accepted by a reader that read it otherwise (a state file of another version)
        return None
    if document is None:
        return None  # YAML beyond the fake's reader, accepted unchecked
    entries = document.get("parameters")
    if not isinstance(entries, list):
        return set()
    # Each entry maps one parameter's name to its settings (components.py checked that at create).
    return {str(name) for entry in entries if isinstance(entry, dict) for name in entry}


def require_defined_parameters(scope: Scope, components: Iterable[Mapping[str, Any]]) -> None:
    """Each recipe component's ``parameters`` are ones its component defines, where the fake can tell (see the
    module's docstring); else InvalidParameterCombinationException naming them, as AWS words it."""
    from .kinds import COMPONENT
    from .resources import resolve

    for index, entry in enumerate(components):
        given = [parameter.get("name") for parameter in entry.get("parameters") or ()]
        text = entry.get("componentArn")
        if not given or not isinstance(text, str):
            continue
        arn = Arn.parse(text)
        if (arn.partition, arn.region, arn.account) != (scope.partition, scope.region, scope.account):
            continue
        defined = _defined_parameters(resolve(COMPONENT, scope, text))
        undefined = [name for name in dict.fromkeys(given) if defined is not None and name not in defined]
        if undefined:
            raise error_for_code(
                "InvalidParameterCombinationException",
                f"The value supplied for parameter 'components[{index}].parameters' is not valid. The following "
                f"parameters are not defined in the provided component: {', '.join(map(str, undefined))}",
            )


def _invalid_parent(detail: str) -> InvalidRequestException:
    return InvalidRequestException(f"The value supplied for parameter 'parentImage' is not valid. {detail}")


def require_parent_image(scope: Scope, parent: object, *, container: bool) -> None:
    """A recipe's ``parentImage``: an ARN names an existing Image Builder image, of the recipe's type if it is
    the caller's own (see the module's docstring). ``container``: the recipe is a container recipe."""
    from .kinds import IMAGE
    from .resources import resolve

    if not isinstance(parent, str) or not parent.startswith("arn:"):
        return  # an AMI id, an ssm: parameter, a Marketplace product id, a container image URI
    parts = parent.split(":", 5)
    if len(parts) != 6 or parts[2] != "imagebuilder" or not parts[5].startswith("image/"):
        forms = (
            "an Image Builder image ARN or a container image URI"
            if container
            else "an AMI ID, an Image Builder image ARN, an SSM parameter (ssm:<name or ARN>) or an AWS Marketplace "
            "product ID"
        )
        raise _invalid_parent(f"'{parent}' is not the ARN of an Image Builder image; specify {forms}.")
    require_existing(scope, [parent], "parentImage")
    arn = Arn.parse(parent)
    if (arn.partition, arn.region, arn.account) != (scope.partition, scope.region, scope.account):
        return
    build = resolve(IMAGE, scope, parent)
    # An image is a container image when a container recipe built it (images.py shows it as type DOCKER).
    if (":container-recipe/" in build.recipe.get("arn", "")) != container:
        if container:
            raise _invalid_parent(f"The image '{parent}' is an AMI; a container recipe builds on a container image.")
        raise _invalid_parent(f"The image '{parent}' is a container (DOCKER) image; an image recipe builds on an AMI.")


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
