"""Resource kinds as data: the one table every generic operation reads.

Each row declares a kind once: its ARN resource type, how its ARNs carry
versions, the member that names it in Get and Delete, the document Get
answers, the list List answers and the filters List accepts, the members of
its documents that reference other resources (deleting a resource still
referenced answers ResourceDependencyException), and the member its resource
policy operations take. Get, Delete, List, List*BuildVersions,
Get/Put*Policy, tag lookup and ``FakeImageBuilder.state()`` are generic over
this table (``resources.py``, ``tagging.py``); a kind's own module holds only
what is special about it. Adding a kind is one row here plus that module.

A List answers whole documents: the wire serializes them through the
model's summary shape, so the members a summary shows come from the model,
never from a hand-written list.

The filter names each List accepts are a table here, not read from the
model: the model lists them only in documentation prose, which botocore
1.40.41 leaves empty for ListWorkflows and which changed spelling for
ListLifecyclePolicies. Each row cites the doc; where the docs changed, the
names of every supported model are accepted, and a test checks that every
name the installed model documents is (tests/test_operations.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import images, pipelines
from .builds import Build
from .state import Scope, Store, label_of

__all__ = ["KINDS", "Kind", "by_type", "referenced_arns"]

Show = Callable[[Scope, Any, float], dict[str, Any]]
View = Callable[[dict[str, Any]], dict[str, Any]]


def _as_stored(scope: Scope, item: Any, now: float) -> dict[str, Any]:
    document: dict[str, Any] = item
    return document


def _as_listed(summary: dict[str, Any]) -> dict[str, Any]:
    return summary


def _pipeline(scope: Scope, item: Any, now: float) -> dict[str, Any]:
    # Looked up at call time: the pipeline module owns how a pipeline reads now.
    return pipelines.pipeline_document(scope, item, now)


def _distribution_summary(scope: Scope, item: Any, now: float) -> dict[str, Any]:
    # A summary names the regions the configuration distributes to (DistributionConfigurationSummary.regions).
    return {**item, "regions": [entry["region"] for entry in item["distributions"]]}


def _image(scope: Scope, item: Any, now: float) -> dict[str, Any]:
    build: Build = item
    return images.image_document(scope, build, now)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of Image Builder resource, as the API names and treats it.

    ``versioned``: ARNs end in ``name/x.y.z``; ``build_versions``: in
    ``name/x.y.z/n`` (one stored item per build); ``own_builds_listed``:
    List<Kind>BuildVersions lists only the caller's own. ``references``: member
    paths (``components[].componentArn``) of this kind's documents that hold
    ARNs of other resources. ``policy_member``: the ARN member of
    ``Get/Put<Label>Policy``, None when the kind has no resource policy.
    ``owners``: List takes ``owner`` (Self, Shared, Amazon, ThirdParty),
    but refuses those in ``refused_owners``.
    ``show``: how Get (and ``state()``) shows a stored item now;
    ``summarise``: how List shows it, when that differs from ``show``;
    ``filtered_as``: what List's ``filters`` compare, from that summary.
    """

    resource_type: str
    arn_member: str
    document: str
    list_member: str | None = None
    filters: tuple[str, ...] = ()
    versioned: bool = False
    build_versions: bool = False
    own_builds_listed: bool = False
    references: tuple[str, ...] = ()
    policy_member: str | None = None
    owners: bool = False
    refused_owners: tuple[str, ...] = ()
    show: Show = _as_stored
    summarise: Show | None = None
    filtered_as: View = _as_listed

    @property
    def label(self) -> str:
        """The kind in messages and operation names: ``ImageRecipe``."""
        return label_of(self.resource_type)

    @property
    def state_name(self) -> str:
        """The kind's key in ``FakeImageBuilder.state()``: ``imageRecipes``, ``lifecyclePolicies``."""
        return self.document[:-1] + "ies" if self.document.endswith("y") else self.document + "s"

    def items(self, scope: Scope) -> Store[Any]:
        """The resources of this kind in ``scope``, by ARN, oldest first."""
        return scope.resources[self.resource_type]


RECIPE = Kind(
    "image-recipe",
    "imageRecipeArn",
    "imageRecipe",
    "imageRecipeSummaryList",
    # ListImageRecipes' filters doc: name, parentImage, platform.
    filters=("name", "parentImage", "platform"),
    versioned=True,
    references=("components[].componentArn",),
    policy_member="imageRecipeArn",
    owners=True,
)
CONTAINER_RECIPE = Kind(
    "container-recipe",
    "containerRecipeArn",
    "containerRecipe",
    "containerRecipeSummaryList",
    # ListContainerRecipes' filters doc: containerType, name, parentImage, platform.
    filters=("containerType", "name", "parentImage", "platform"),
    versioned=True,
    references=("components[].componentArn",),
    policy_member="containerRecipeArn",
    owners=True,
)
INFRASTRUCTURE = Kind(
    "infrastructure-configuration",
    "infrastructureConfigurationArn",
    "infrastructureConfiguration",
    "infrastructureConfigurationSummaryList",
    filters=("name",),  # ListInfrastructureConfigurations' filters doc: "You can filter on name".
)
DISTRIBUTION = Kind(
    "distribution-configuration",
    "distributionConfigurationArn",
    "distributionConfiguration",
    "distributionConfigurationSummaryList",
    filters=("name",),  # ListDistributionConfigurations' filters doc: "You can filter on name".
    summarise=_distribution_summary,
)
PIPELINE = Kind(
    "image-pipeline",
    "imagePipelineArn",
    "imagePipeline",
    "imagePipelineList",
    # ListImagePipelines' filters doc: description, distributionConfigurationArn, imageRecipeArn,
    # infrastructureConfigurationArn, name, status.
    filters=(
        "description",
        "distributionConfigurationArn",
        "imageRecipeArn",
        "infrastructureConfigurationArn",
        "name",
        "status",
    ),
    references=(
        "imageRecipeArn",
        "containerRecipeArn",
        "infrastructureConfigurationArn",
        "distributionConfigurationArn",
        "workflows[].workflowArn",
    ),
    show=_pipeline,
)


def _component_summary(scope: Scope, item: Any, now: float) -> dict[str, Any]:
    # ComponentVersion.status is "the current status of the component version": its state's.
    return {**item, "status": item["state"]["status"]}


def _component_filtered_as(summary: dict[str, Any]) -> dict[str, Any]:
    # supportedOsVersion matches one of the component's supportedOsVersions; productCodes one of its
    # Marketplace product codes' ids (the caller's own components have none).
    return {
        **summary,
        "supportedOsVersion": summary.get("supportedOsVersions") or [],
        "productCodes": [code["productCodeId"] for code in summary.get("productCodes") or ()],
    }


COMPONENT = Kind(
    "component",
    "componentBuildVersionArn",
    "component",
    "componentVersionList",
    # ListComponents' filters doc: description, name, platform, productCodes, status, supportedOsVersion,
    # type, version (botocore 1.40.41's lists all but productCodes and status).
    filters=("description", "name", "platform", "productCodes", "status", "supportedOsVersion", "type", "version"),
    versioned=True,
    build_versions=True,
    # ListComponentBuildVersions' doc (botocore 1.44): "You can only list build versions for components that
    # your account owns."
    own_builds_listed=True,
    policy_member="componentArn",
    owners=True,
    summarise=_component_summary,
    filtered_as=_component_filtered_as,
)


WORKFLOW = Kind(
    "workflow",
    "workflowBuildVersionArn",
    "workflow",
    "workflowVersionList",
    # ListWorkflows' filters doc: "You can filter on name, version, description, and type" (botocore 1.40.41's
    # names none: "Used to streamline search results").
    filters=("description", "name", "type", "version"),
    versioned=True,
    build_versions=True,
    owners=True,
    # ListWorkflows' owner doc: "Image Builder rejects the Shared and ThirdParty owner values for workflows".
    refused_owners=("Shared", "ThirdParty"),
)


def _lifecycle_filtered_as(summary: dict[str, Any]) -> dict[str, Any]:
    # Every policy has a status (ENABLED unless sent: lifecycle.py); .get for a state file written before that.
    status = summary.get("status", "ENABLED")
    return {**summary, "status": status, "Name": summary["name"], "Status": status}


LIFECYCLE_POLICY = Kind(
    "lifecycle-policy",
    "lifecyclePolicyArn",
    "lifecyclePolicy",
    "lifecyclePolicySummaryList",
    # ListLifecyclePolicies' filters doc: "name, resourceType, and status. Filter names are matched exactly as
    # shown."; botocore 1.40.41's: "Name, Status". Both spellings are taken, so a caller of either model is served.
    filters=("name", "resourceType", "status", "Name", "Status"),
    filtered_as=_lifecycle_filtered_as,
)
IMAGE = Kind(
    "image",
    "imageBuildVersionArn",
    "image",
    versioned=True,
    build_versions=True,
    policy_member="imageArn",
    show=_image,
)

KINDS: tuple[Kind, ...] = (
    COMPONENT,
    WORKFLOW,
    RECIPE,
    CONTAINER_RECIPE,
    INFRASTRUCTURE,
    DISTRIBUTION,
    PIPELINE,
    IMAGE,
    LIFECYCLE_POLICY,
)
"""Every kind the fake holds, in the order ``state()`` shows them."""

_BY_TYPE = {kind.resource_type: kind for kind in KINDS}


def by_type(resource_type: str) -> Kind | None:
    """The kind of an ARN resource type, if the fake holds that kind."""
    return _BY_TYPE.get(resource_type)


def _values(document: Any, path: list[str]) -> Iterator[Any]:
    if not path:
        yield document
        return
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        for entry in document.get(head[:-2]) or () if isinstance(document, dict) else ():
            yield from _values(entry, rest)
    elif isinstance(document, dict) and document.get(head) is not None:
        yield from _values(document[head], rest)


def referenced_arns(kind: Kind, document: dict[str, Any]) -> Iterator[str]:
    """Every ARN a document of ``kind`` references, through the kind's ``references`` paths."""
    for path in kind.references:
        for value in _values(document, path.split(".")):
            if isinstance(value, str):
                yield value
