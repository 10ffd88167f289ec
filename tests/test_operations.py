"""Every implemented operation: a success that fits the model's output shape, and a modeled error."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import OPERATIONS
from fakeimagebuilder.validation import Violation

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
AWS_PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
AWS_COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
# The oldest supported model (botocore 1.40.41) requires a recipe's components: always send them.
COMPONENTS = [{"componentArn": AWS_COMPONENT}]
# A recipe's semanticVersion pattern: digits only in botocore 1.40.41's model, "x" wildcards allowed in later ones.
RECIPE_VERSION = re.compile(
    service_model().operation_model("CreateImageRecipe").input_shape.members["semanticVersion"].metadata["pattern"]
)
DISTRIBUTIONS = [{"region": "us-east-1", "amiDistributionConfiguration": {"name": "web {{ imagebuilder:buildDate }}"}}]


@pytest.fixture
def world(fake: Any, client: Any, make_stack: Any) -> SimpleNamespace:
    """A pipeline with every kind of resource, one finished build and one in progress."""
    distribution = client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    stack = make_stack(
        distributionConfigurationArn=distribution["distributionConfigurationArn"],
        description="builds web",
        # Far in the future, so no scheduled run lands among the builds the tests count.
        schedule={"scheduleExpression": "cron(0 0 1 1 ? 2199)"},
        tags={"team": "web"},
    )
    done = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    running = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    return SimpleNamespace(
        recipe=stack.recipe_arn,
        infrastructure=stack.infrastructure_arn,
        distribution=distribution["distributionConfigurationArn"],
        pipeline=stack.pipeline_arn,
        done=done,
        running=running,
    )


def _unused_recipe(c: Any) -> str:
    arn: str = c.create_image_recipe(
        name="spare", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    return arn


Call = Callable[[Any, SimpleNamespace], Any]

SUCCESS: dict[str, Call] = {
    "StartImagePipelineExecution": lambda c, w: c.start_image_pipeline_execution(imagePipelineArn=w.pipeline),
    "CreateImage": lambda c, w: c.create_image(
        imageRecipeArn=w.recipe,
        infrastructureConfigurationArn=w.infrastructure,
        distributionConfigurationArn=w.distribution,
        imageTestsConfiguration={"imageTestsEnabled": False},
        tags={"k": "v"},
    ),
    "GetImage": lambda c, w: c.get_image(imageBuildVersionArn=w.done),
    "ListImagePipelineImages": lambda c, w: c.list_image_pipeline_images(imagePipelineArn=w.pipeline),
    "ListImageBuildVersions": lambda c, w: c.list_image_build_versions(imageVersionArn=w.done.rsplit("/", 1)[0]),
    "CancelImageCreation": lambda c, w: c.cancel_image_creation(imageBuildVersionArn=w.running),
    "DeleteImage": lambda c, w: c.delete_image(imageBuildVersionArn=w.done),
    "CreateImagePipeline": lambda c, w: c.create_image_pipeline(
        name="second", imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
    ),
    "GetImagePipeline": lambda c, w: c.get_image_pipeline(imagePipelineArn=w.pipeline),
    "UpdateImagePipeline": lambda c, w: c.update_image_pipeline(
        imagePipelineArn=w.pipeline, imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
    ),
    "DeleteImagePipeline": lambda c, w: c.delete_image_pipeline(imagePipelineArn=w.pipeline),
    "ListImagePipelines": lambda c, w: c.list_image_pipelines(),
    "CreateImageRecipe": lambda c, w: c.create_image_recipe(
        name="web",
        semanticVersion="1.0.1",
        parentImage=AWS_PARENT,
        components=[{"componentArn": AWS_COMPONENT}],
        blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "volumeType": "gp3"}}],
        tags={"k": "v"},
    ),
    "GetImageRecipe": lambda c, w: c.get_image_recipe(imageRecipeArn=w.recipe),
    "DeleteImageRecipe": lambda c, w: c.delete_image_recipe(imageRecipeArn=_unused_recipe(c)),
    "ListImageRecipes": lambda c, w: c.list_image_recipes(),
    "ListInfrastructureConfigurations": lambda c, w: c.list_infrastructure_configurations(),
    "CreateInfrastructureConfiguration": lambda c, w: c.create_infrastructure_configuration(
        name="other", instanceProfileName="builder", instanceTypes=["t3.micro"], terminateInstanceOnFailure=True
    ),
    "GetInfrastructureConfiguration": lambda c, w: c.get_infrastructure_configuration(
        infrastructureConfigurationArn=w.infrastructure
    ),
    "DeleteInfrastructureConfiguration": lambda c, w: c.delete_infrastructure_configuration(
        infrastructureConfigurationArn=c.create_infrastructure_configuration(
            name="spare", instanceProfileName="builder"
        )["infrastructureConfigurationArn"]
    ),
    "CreateDistributionConfiguration": lambda c, w: c.create_distribution_configuration(
        name="other", distributions=DISTRIBUTIONS
    ),
    "GetDistributionConfiguration": lambda c, w: c.get_distribution_configuration(
        distributionConfigurationArn=w.distribution
    ),
    "DeleteDistributionConfiguration": lambda c, w: c.delete_distribution_configuration(
        distributionConfigurationArn=c.create_distribution_configuration(name="spare", distributions=DISTRIBUTIONS)[
            "distributionConfigurationArn"
        ]
    ),
    "ListTagsForResource": lambda c, w: c.list_tags_for_resource(resourceArn=w.pipeline),
    "TagResource": lambda c, w: c.tag_resource(resourceArn=w.done, tags={"k": "v"}),
    "UntagResource": lambda c, w: c.untag_resource(resourceArn=w.pipeline, tagKeys=["team"]),
}

MISSING_PIPELINE = f"{PREFIX}:image-pipeline/missing"
MISSING_BUILD = f"{PREFIX}:image/web/1.0.0/99"

# operation -> (call, code, status)
ERRORS: dict[str, tuple[Call, str, int]] = {
    "StartImagePipelineExecution": (
        lambda c, w: c.start_image_pipeline_execution(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "CreateImage": (
        lambda c, w: c.create_image(infrastructureConfigurationArn=w.infrastructure),
        "InvalidRequestException",
        400,
    ),
    "GetImage": (lambda c, w: c.get_image(imageBuildVersionArn=MISSING_BUILD), "ResourceNotFoundException", 404),
    "ListImagePipelineImages": (
        lambda c, w: c.list_image_pipeline_images(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "ListImageBuildVersions": (
        lambda c, w: c.list_image_build_versions(imageVersionArn=w.done.rsplit("/", 1)[0], nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CancelImageCreation": (
        lambda c, w: c.cancel_image_creation(imageBuildVersionArn=w.done),
        "InvalidRequestException",
        400,
    ),
    "DeleteImage": (lambda c, w: c.delete_image(imageBuildVersionArn=w.running), "InvalidRequestException", 400),
    "CreateImagePipeline": (
        lambda c, w: c.create_image_pipeline(
            name="web", imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
        ),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetImagePipeline": (
        lambda c, w: c.get_image_pipeline(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "UpdateImagePipeline": (
        lambda c, w: c.update_image_pipeline(
            imagePipelineArn=MISSING_PIPELINE, imageRecipeArn=w.recipe, infrastructureConfigurationArn=w.infrastructure
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteImagePipeline": (
        lambda c, w: c.delete_image_pipeline(imagePipelineArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "ListImagePipelines": (
        lambda c, w: c.list_image_pipelines(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateImageRecipe": (
        lambda c, w: c.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetImageRecipe": (
        lambda c, w: c.get_image_recipe(imageRecipeArn=f"{PREFIX}:image-recipe/web/9.9.9"),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteImageRecipe": (
        lambda c, w: c.delete_image_recipe(imageRecipeArn=w.recipe),
        "ResourceDependencyException",
        400,
    ),
    "ListImageRecipes": (
        lambda c, w: c.list_image_recipes(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "ListInfrastructureConfigurations": (
        lambda c, w: c.list_infrastructure_configurations(nextToken="made-up"),
        "InvalidPaginationTokenException",
        400,
    ),
    "CreateInfrastructureConfiguration": (
        lambda c, w: c.create_infrastructure_configuration(name="web", instanceProfileName="builder"),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetInfrastructureConfiguration": (
        lambda c, w: c.get_infrastructure_configuration(
            infrastructureConfigurationArn=f"{PREFIX}:infrastructure-configuration/missing"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteInfrastructureConfiguration": (
        lambda c, w: c.delete_infrastructure_configuration(infrastructureConfigurationArn=w.infrastructure),
        "ResourceDependencyException",
        400,
    ),
    "CreateDistributionConfiguration": (
        lambda c, w: c.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS),
        "ResourceAlreadyExistsException",
        400,
    ),
    "GetDistributionConfiguration": (
        lambda c, w: c.get_distribution_configuration(
            distributionConfigurationArn=f"{PREFIX}:distribution-configuration/missing"
        ),
        "ResourceNotFoundException",
        404,
    ),
    "DeleteDistributionConfiguration": (
        lambda c, w: c.delete_distribution_configuration(distributionConfigurationArn=w.distribution),
        "ResourceDependencyException",
        400,
    ),
    "ListTagsForResource": (
        lambda c, w: c.list_tags_for_resource(resourceArn=MISSING_PIPELINE),
        "ResourceNotFoundException",
        404,
    ),
    "TagResource": (
        lambda c, w: c.tag_resource(resourceArn=MISSING_BUILD, tags={"k": "v"}),
        "ResourceNotFoundException",
        404,
    ),
    "UntagResource": (
        lambda c, w: c.untag_resource(resourceArn=MISSING_PIPELINE, tagKeys=["k"]),
        "ResourceNotFoundException",
        404,
    ),
}


def test_the_tables_cover_every_implemented_operation():
    assert set(SUCCESS) == set(OPERATIONS)
    assert set(ERRORS) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(SUCCESS))
def test_every_operation_output_matches_its_shape(
    client: Any, world: SimpleNamespace, raw_bodies: dict[str, bytes], check_output: Any, operation: str
):
    answer = SUCCESS[operation](client, world)

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    body = check_output(operation, raw_bodies[operation])
    output = service_model().operation_model(operation).output_shape
    if "requestId" in output.members:
        assert body["requestId"] == answer["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("operation", sorted(ERRORS))
def test_every_operation_answers_a_modeled_error(
    client: Any, world: SimpleNamespace, expect_error: Any, operation: str
):
    call, code, status = ERRORS[operation]
    with pytest.raises(ClientError) as caught:
        call(client, world)

    expect_error(caught.value, code, status)
    assert caught.value.operation_name == operation
    assert isinstance(caught.value, getattr(client.exceptions, code))


@pytest.mark.parametrize(
    ("operation", "member", "arn"),
    [
        ("GetImage", "imageBuildVersionArn", MISSING_BUILD),
        ("GetImagePipeline", "imagePipelineArn", MISSING_PIPELINE),
        ("GetImageRecipe", "imageRecipeArn", f"{PREFIX}:image-recipe/missing/1.0.0"),
        (
            "GetInfrastructureConfiguration",
            "infrastructureConfigurationArn",
            f"{PREFIX}:infrastructure-configuration/missing",
        ),
        (
            "GetDistributionConfiguration",
            "distributionConfigurationArn",
            f"{PREFIX}:distribution-configuration/missing",
        ),
        ("DeleteImage", "imageBuildVersionArn", MISSING_BUILD),
        ("DeleteImagePipeline", "imagePipelineArn", MISSING_PIPELINE),
        ("DeleteImageRecipe", "imageRecipeArn", f"{PREFIX}:image-recipe/missing/1.0.0"),
        (
            "DeleteInfrastructureConfiguration",
            "infrastructureConfigurationArn",
            f"{PREFIX}:infrastructure-configuration/missing",
        ),
        (
            "DeleteDistributionConfiguration",
            "distributionConfigurationArn",
            f"{PREFIX}:distribution-configuration/missing",
        ),
        ("CancelImageCreation", "imageBuildVersionArn", MISSING_BUILD),
    ],
)
def test_get_and_delete_of_missing_resources_are_not_found(
    client: Any, expect_error: Any, operation: str, member: str, arn: str
):
    method = getattr(client, xform_name(operation))
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        method(**{member: arn})

    expect_error(caught.value, "ResourceNotFoundException", 404)
    assert arn in caught.value.response["message"]


def test_duplicate_resources_already_exist(client: Any, stack: Any, expect_error: Any):
    duplicates = [
        lambda: client.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        lambda: client.create_image_recipe(
            name="WEB", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
        ),
        lambda: client.create_infrastructure_configuration(name="web", instanceProfileName="other"),
        lambda: client.create_image_pipeline(
            name="web", imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn
        ),
    ]
    for create in duplicates:
        with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as caught:
            create()
        expect_error(caught.value, "ResourceAlreadyExistsException", 400)
        assert "already exists" in caught.value.response["message"]

    client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException):
        client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    # Another version of a recipe is another resource.
    newer = client.create_image_recipe(
        name="web", semanticVersion="1.0.1", parentImage=AWS_PARENT, components=COMPONENTS
    )
    assert newer["imageRecipeArn"].endswith("/web/1.0.1")


def test_delete_of_used_resource_is_a_dependency_error(client: Any, make_stack: Any, expect_error: Any):
    distribution = client.create_distribution_configuration(name="web", distributions=DISTRIBUTIONS)
    stack = make_stack(distributionConfigurationArn=distribution["distributionConfigurationArn"])
    deletions = [
        lambda: client.delete_image_recipe(imageRecipeArn=stack.recipe_arn),
        lambda: client.delete_infrastructure_configuration(infrastructureConfigurationArn=stack.infrastructure_arn),
        lambda: client.delete_distribution_configuration(
            distributionConfigurationArn=distribution["distributionConfigurationArn"]
        ),
    ]
    for delete in deletions:
        with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
            delete()
        expect_error(caught.value, "ResourceDependencyException", 400)
        assert "has other resources depended on it" in caught.value.response["message"]

    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)
    for delete in deletions:
        delete()
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_image_recipe(imageRecipeArn=stack.recipe_arn)


@pytest.mark.parametrize("version", ["1.0.x", "x.x.x", "1.x.0"])
def test_recipe_version_must_be_concrete(client: Any, fake: Any, expect_error: Any, version: str):
    # Where the model's pattern allows wildcards the service refuses them; where it does not (botocore
    # 1.40.41), the wire refuses them first, as for any pattern, naming the member.
    code, mentioned = (
        ("InvalidVersionNumberException", version)
        if RECIPE_VERSION.search(version)
        else ("InvalidParameterValueException", "'semanticVersion' must match pattern")
    )
    with pytest.raises(getattr(client.exceptions, code)) as caught:
        client.create_image_recipe(name="web", semanticVersion=version, parentImage=AWS_PARENT, components=COMPONENTS)

    expect_error(caught.value, code, 400)
    assert mentioned in caught.value.response["message"]
    assert not any(region["imageRecipes"] for account in fake.state().values() for region in account.values())


def test_aws_managed_references_are_accepted(client: Any, make_stack: Any):
    windows = client.create_image_recipe(
        name="win",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x",
        components=[
            {"componentArn": AWS_COMPONENT},
            {"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/reboot-test-windows/1.0.0/1"},
        ],
    )["imageRecipeArn"]
    stack = make_stack()

    linux = client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]
    assert linux["parentImage"] == AWS_PARENT
    assert linux["components"] == [{"componentArn": AWS_COMPONENT}]
    assert linux["platform"] == "Linux"
    assert linux["owner"] == "123456789012"
    assert client.get_image_recipe(imageRecipeArn=windows)["imageRecipe"]["platform"] == "Windows"
    by_ami = client.create_image_recipe(
        name="from-ami", semanticVersion="1.0.0", parentImage="ami-0123456789abcdef0", components=COMPONENTS
    )
    assert by_ami["imageRecipeArn"].endswith("/from-ami/1.0.0")
    assert client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]


def test_list_pipeline_images_pages_newest_first(fake: Any, client: Any, stack: Any):
    arns = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]]
    fake.advance(3600)
    arns += [
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
        for _ in range(4)
    ]

    pages = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn, maxResults=2, **kwargs)
        pages.append([summary["arn"] for summary in page["imageSummaryList"]])
        token = page.get("nextToken")
        if not token:
            break

    assert pages == [arns[4:2:-1], arns[2:0:-1], arns[:1]]
    statuses = [
        s["state"]["status"]
        for s in client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    ]
    assert statuses == ["PENDING"] * 4 + ["AVAILABLE"]  # builds in progress are listed too
    paginator = client.get_paginator("list_image_pipeline_images")
    listed = [
        s["arn"]
        for p in paginator.paginate(imagePipelineArn=stack.pipeline_arn, PaginationConfig={"PageSize": 2})
        for s in p["imageSummaryList"]
    ]
    assert listed == arns[::-1]
    filtered = client.list_image_pipeline_images(
        imagePipelineArn=stack.pipeline_arn, filters=[{"name": "version", "values": ["1.0.0/2"]}]
    )["imageSummaryList"]
    assert [s["arn"] for s in filtered] == [arns[1]]


def test_bad_pagination_token_is_refused(client: Any, make_stack: Any, expect_error: Any):
    first = make_stack("first")
    second = make_stack("second")
    for _ in range(3):
        client.start_image_pipeline_execution(imagePipelineArn=first.pipeline_arn)
    token = client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, maxResults=1)["nextToken"]
    client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, maxResults=1, nextToken=token)

    for bad in ("made-up", token + "x", "MTAwOmFiYw", "é"):
        with pytest.raises(client.exceptions.InvalidPaginationTokenException) as caught:
            client.list_image_pipeline_images(imagePipelineArn=first.pipeline_arn, nextToken=bad)
        expect_error(caught.value, "InvalidPaginationTokenException", 400)
    # A token belongs to its query.
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_image_pipeline_images(imagePipelineArn=second.pipeline_arn, nextToken=token)
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_image_pipelines(nextToken=token)


def test_update_replaces_pipeline_settings(fake: Any, client: Any, make_stack: Any):
    stack = make_stack(
        description="nightly",
        schedule={"scheduleExpression": "cron(0 0 * * ? *)"},
        imageTestsConfiguration={"imageTestsEnabled": False},
        status="DISABLED",
        tags={"team": "web"},
    )
    before = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    fake.advance(60)

    answer = client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        clientToken="update-1",
    )

    assert answer["imagePipelineArn"] == stack.pipeline_arn
    assert answer["clientToken"] == "update-1"
    after = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert "description" not in after
    assert "schedule" not in after
    assert after["status"] == "ENABLED"
    assert after["imageTestsConfiguration"]["imageTestsEnabled"] is True
    assert after["tags"] == {"team": "web"}  # tags are not settings
    assert after["name"] == before["name"]
    assert after["dateCreated"] == before["dateCreated"]
    assert after["dateUpdated"] > before["dateCreated"]

    with pytest.raises(client.exceptions.InvalidRequestException):
        client.update_image_pipeline(
            imagePipelineArn=stack.pipeline_arn, infrastructureConfigurationArn=stack.infrastructure_arn
        )


def test_untagged_resources_show_empty_tags(client: Any, world: SimpleNamespace, fake: Any):
    recipe = client.create_image_recipe(
        name="bare", semanticVersion="1.0.0", parentImage=AWS_PARENT, components=COMPONENTS
    )
    assert client.get_image_recipe(imageRecipeArn=recipe["imageRecipeArn"])["imageRecipe"]["tags"] == {}
    assert client.get_image(imageBuildVersionArn=world.done)["image"]["tags"] == {}
    assert client.list_tags_for_resource(resourceArn=world.done)["tags"] == {}
    summaries = client.list_image_pipeline_images(imagePipelineArn=world.pipeline)["imageSummaryList"]
    assert [s["tags"] for s in summaries] == [{}, {}]


def test_reset_empties_state(fake: Any, client: Any, stack: Any):
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, clientToken="before-reset")
    fake.fail_next("ListImagePipelines", "ServiceException")

    fake.reset()

    assert fake.state() == {}
    assert client.list_image_pipelines()["imagePipelineList"] == []  # the fault went too
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)


def test_the_output_check_makes_only_the_documented_exceptions(check_output: Any):
    image = {"arn": f"{PREFIX}:image/web/1.0.0/1", "version": "1.0.0/1", "tags": {}}
    check_output("GetImage", json.dumps({"image": image}).encode())

    refused = [
        ("GetImage", {"image": {**image, "version": "1.0.0"}}),  # an image's version must carry its build number
        ("GetImage", {"image": {**image, "imageRecipe": {"version": "1.0.0/1"}}}),  # a recipe's must not
        ("GetImageRecipe", {"imageRecipe": {"version": "1.0.0/1"}}),
        ("GetImage", {"image": {**image, "tags": {"": "v"}}}),  # only the empty map is let through
        ("GetImage", {"image": {**image, "imageRecipe": {"description": ""}}}),  # any other minimum holds
        ("GetImage", {"image": image, "unexpected": 1}),  # members outside the model are refused
    ]
    for operation, body in refused:
        with pytest.raises((AssertionError, Violation)):
            check_output(operation, json.dumps(body).encode())


def test_get_image_by_version_gives_the_newest_available_build(fake: Any, client: Any, stack: Any, expect_error: Any):
    builds = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]]
    version = builds[0].rsplit("/", 1)[0]
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.get_image(imageBuildVersionArn=version)  # nothing AVAILABLE yet
    expect_error(caught.value, "ResourceNotFoundException", 404)

    fake.advance(3600)
    builds.append(client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"])

    for wildcard in (version, version.replace("1.0.0", "1.0.x"), version.replace("1.0.0", "x.x.x")):
        assert client.get_image(imageBuildVersionArn=wildcard)["image"]["arn"] == builds[0]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=version.replace("1.0.0", "x.x.x"))["image"]["arn"] == builds[1]


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("list_image_pipelines", {}),
        ("list_image_recipes", {}),
        ("list_infrastructure_configurations", {}),
    ],
)
def test_a_bad_filter_name_is_refused_even_with_nothing_to_list(client: Any, operation: str, params: dict[str, Any]):
    with pytest.raises(ClientError) as caught:
        getattr(client, operation)(filters=[{"name": "bogus", "values": ["x"]}], **params)

    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "'bogus'" in caught.value.response["Error"]["Message"]


def test_a_filter_on_a_member_an_item_lacks_matches_nothing(client: Any, make_stack: Any):
    make_stack("plain")  # no description
    described = make_stack("described", description="None")

    found = client.list_image_pipelines(filters=[{"name": "description", "values": ["None"]}])["imagePipelineList"]

    assert [p["arn"] for p in found] == [described.pipeline_arn]
