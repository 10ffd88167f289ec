"""Container recipes: what Create accepts Get echoes with AWS's additions; pipelines build them into ECR images."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeimagebuilder.model import service_model

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
DOCKERFILE = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n"
REPOSITORY = {"service": "ECR", "repositoryName": "web"}


def _recipe(**members: Any) -> dict[str, Any]:
    recipe: dict[str, Any] = {
        "containerType": "DOCKER",
        "name": "Web_App",
        "semanticVersion": "1.2.3",
        "parentImage": "amazonlinux:latest",
        "components": COMPONENTS,
        "dockerfileTemplateData": DOCKERFILE,
        "targetRepository": REPOSITORY,
    }
    recipe.update(members)
    return {k: v for k, v in recipe.items() if v is not None}


def test_get_echoes_what_create_sent_with_what_aws_adds(client: Any):
    sent = _recipe(
        description="web in a box",
        instanceConfiguration={"image": "ami-0123456789abcdef0"},
        kmsKeyId="alias/web",
        tags={"team": "web"},
    )

    arn = client.create_container_recipe(**sent)["containerRecipeArn"]

    assert arn == f"{PREFIX}:container-recipe/web-app/1.2.3"
    recipe = client.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]
    expected = {k: v for k, v in sent.items() if k != "semanticVersion"}
    assert {k: recipe[k] for k in expected} == expected
    assert (recipe["version"], recipe["platform"], recipe["owner"], recipe["encrypted"]) == (
        "1.2.3",
        "Linux",
        "123456789012",
        True,
    )
    assert "workingDirectory" not in recipe  # not sent, not filled in


def test_the_platform_comes_from_the_override_else_the_parent_image(client: Any):
    windows = client.create_container_recipe(
        **_recipe(name="win", parentImage="mcr.microsoft.com/windows/servercore:ltsc2022")
    )["containerRecipeArn"]
    overridden = client.create_container_recipe(
        **_recipe(name="custom", parentImage="my-registry/base:1", platformOverride="Windows")
    )["containerRecipeArn"]

    assert client.get_container_recipe(containerRecipeArn=windows)["containerRecipe"]["platform"] == "Windows"
    shown = client.get_container_recipe(containerRecipeArn=overridden)["containerRecipe"]
    assert shown["platform"] == "Windows"
    assert "platformOverride" not in shown


@pytest.mark.parametrize(
    "template",
    [{"dockerfileTemplateData": None}, {"dockerfileTemplateUri": "s3://bucket/Dockerfile"}],
    ids=["neither", "both"],
)
def test_exactly_one_dockerfile_template(client: Any, expect_error: Any, template: dict[str, Any]):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_container_recipe(**_recipe(**template))

    expect_error(caught.value, "InvalidRequestException", 400)
    assert "exactly one of 'dockerfileTemplateData' and 'dockerfileTemplateUri'" in caught.value.response["message"]
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []


def test_a_template_from_s3_is_not_shown(client: Any):
    arn = client.create_container_recipe(
        **_recipe(dockerfileTemplateData=None, dockerfileTemplateUri="s3://bucket/Dockerfile")
    )["containerRecipeArn"]

    recipe = client.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]
    assert "dockerfileTemplateData" not in recipe  # the fake has no S3 to read it from


def test_a_version_with_more_than_one_wildcard_is_refused(client: Any, expect_error: Any):
    # Where the model's pattern admits wildcards the service refuses more than one (one is auto-versioning:
    # tests/test_auto_versioning.py); older models refuse any by pattern.
    member = service_model().operation_model("CreateContainerRecipe").input_shape.members["semanticVersion"]
    code = (
        "InvalidVersionNumberException"
        if re.search(member.metadata["pattern"], "1.x.x")
        else ("InvalidParameterValueException")
    )

    with pytest.raises(getattr(client.exceptions, code)) as caught:
        client.create_container_recipe(**_recipe(semanticVersion="1.x.x"))
    expect_error(caught.value, code, 400)
    if code == "InvalidVersionNumberException":
        assert "may hold one wildcard (x)" in caught.value.response["message"]
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []


def test_names_and_versions_are_unique_and_lists_filter(client: Any, expect_error: Any):
    linux = client.create_container_recipe(**_recipe())["containerRecipeArn"]
    windows = client.create_container_recipe(**_recipe(name="win", platformOverride="Windows"))["containerRecipeArn"]
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as caught:
        client.create_container_recipe(**_recipe(name="web app"))
    expect_error(caught.value, "ResourceAlreadyExistsException", 400)

    def listed(**params: Any) -> list[str]:
        return [s["arn"] for s in client.list_container_recipes(**params)["containerRecipeSummaryList"]]

    assert listed() == [linux, windows]
    assert listed(filters=[{"name": "platform", "values": ["Windows"]}]) == [windows]
    assert listed(filters=[{"name": "containerType", "values": ["DOCKER"]}]) == [linux, windows]
    assert listed(owner="Amazon") == []
    with pytest.raises(client.exceptions.InvalidRequestException):
        listed(filters=[{"name": "version", "values": ["1.2.3"]}])


def test_a_pipeline_builds_a_container_recipe_into_an_ecr_image(fake: Any, client: Any, expect_error: Any):
    recipe = client.create_container_recipe(**_recipe())["containerRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")[
        "infrastructureConfigurationArn"
    ]
    pipeline = client.create_image_pipeline(
        name="web", containerRecipeArn=recipe, infrastructureConfigurationArn=infrastructure
    )["imagePipelineArn"]
    assert client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["containerRecipeArn"] == recipe

    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]

    assert build == f"{PREFIX}:image/web-app/1.2.3/1"
    assert client.get_image(imageBuildVersionArn=build)["image"]["outputResources"] == {"containers": []}
    fake.advance(7200)
    image = client.get_image(imageBuildVersionArn=build)["image"]
    assert (image["state"]["status"], image["type"]) == ("AVAILABLE", "DOCKER")
    assert image["containerRecipe"]["arn"] == recipe and "imageRecipe" not in image
    assert image["outputResources"] == {
        "containers": [
            {"region": "us-east-1", "imageUris": ["123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3-1"]}
        ]
    }
    with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
        client.delete_container_recipe(containerRecipeArn=recipe)
    expect_error(caught.value, "ResourceDependencyException", 400)
    client.delete_image_pipeline(imagePipelineArn=pipeline)
    client.delete_container_recipe(containerRecipeArn=recipe)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.create_image_pipeline(
            name="again", containerRecipeArn=recipe, infrastructureConfigurationArn=infrastructure
        )


def test_a_container_distribution_outputs_each_regions_repository_and_tags(fake: Any, client: Any):
    # Model doc of Container ("Containers and container images are Region-specific"; imageUris "for containers
    # created in the context Region"); user guide manage-distribution-settings.html ("Specify the ECR repository
    # where Image Builder stores the output image in the distribution Region").
    recipe = client.create_container_recipe(**_recipe())["containerRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {
                "region": "eu-west-1",
                "containerDistributionConfiguration": {"targetRepository": {"service": "ECR", "repositoryName": "eu"}},
            },
            {
                "region": "us-east-1",
                "containerDistributionConfiguration": {
                    "targetRepository": {"service": "ECR", "repositoryName": "other"},
                    "containerTags": ["latest", "v1"],
                },
            },
        ],
    )["distributionConfigurationArn"]
    build = client.create_image(
        containerRecipeArn=recipe,
        infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
        distributionConfigurationArn=distribution,
    )["imageBuildVersionArn"]
    fake.advance(7200)

    registry = "123456789012.dkr.ecr.{}.amazonaws.com"
    assert client.get_image(imageBuildVersionArn=build)["image"]["outputResources"] == {
        "containers": [
            {
                "region": "us-east-1",
                "imageUris": [
                    f"{registry.format('us-east-1')}/web:1.2.3-1",  # the recipe's repository, in the build's region
                    f"{registry.format('us-east-1')}/other:latest",
                    f"{registry.format('us-east-1')}/other:v1",
                ],
            },
            {"region": "eu-west-1", "imageUris": [f"{registry.format('eu-west-1')}/eu:1.2.3-1"]},
        ]
    }
    # A lifecycle DELETE of its containers acts on each region's, one resource per region.
    execution = client.start_resource_state_update(
        resourceArn=build, state={"status": "DELETED"}, includeResources={"containers": True}
    )["lifecycleExecutionId"]
    fake.advance(3600)
    resources = client.list_lifecycle_execution_resources(lifecycleExecutionId=execution, parentResourceId=build)
    assert [(r["region"], len(r["imageUris"])) for r in resources["resources"]] == [("us-east-1", 3), ("eu-west-1", 1)]


def test_a_pipeline_takes_exactly_one_recipe(client: Any, make_stack: Any, expect_error: Any):
    stack = make_stack()
    container = client.create_container_recipe(**_recipe())["containerRecipeArn"]

    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_image_pipeline(
            name="both",
            imageRecipeArn=stack.recipe_arn,
            containerRecipeArn=container,
            infrastructureConfigurationArn=stack.infrastructure_arn,
        )
    expect_error(caught.value, "InvalidRequestException", 400)


def test_a_resource_policy_reads_back_as_put(client: Any, expect_error: Any):
    arn = client.create_container_recipe(**_recipe())["containerRecipeArn"]
    policy = '{"Version": "2012-10-17", "Statement": []}'

    assert client.get_container_recipe_policy(containerRecipeArn=arn)["policy"] == "{}"  # none yet
    assert client.put_container_recipe_policy(containerRecipeArn=arn, policy=policy)["containerRecipeArn"] == arn
    assert client.get_container_recipe_policy(containerRecipeArn=arn)["policy"] == policy
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.put_container_recipe_policy(containerRecipeArn=f"{PREFIX}:container-recipe/missing/1.0.0", policy=policy)


def test_list_images_shows_a_container_build_as_a_docker_image(fake: Any, client: Any):
    recipe = client.create_container_recipe(**_recipe())["containerRecipeArn"]
    ami_recipe = client.create_image_recipe(
        name="ami",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        components=COMPONENTS,
    )["imageRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")[
        "infrastructureConfigurationArn"
    ]
    docker = client.create_image(containerRecipeArn=recipe, infrastructureConfigurationArn=infrastructure)
    client.create_image(imageRecipeArn=ami_recipe, infrastructureConfigurationArn=infrastructure)
    fake.advance(7200)

    versions = {v["arn"]: v["type"] for v in client.list_images()["imageVersionList"]}
    assert versions == {f"{PREFIX}:image/web-app/1.2.3": "DOCKER", f"{PREFIX}:image/ami/1.0.0": "AMI"}
    only = client.list_images(filters=[{"name": "type", "values": ["DOCKER"]}])["imageVersionList"]
    assert [v["arn"] for v in only] == [f"{PREFIX}:image/web-app/1.2.3"]
    [build] = client.list_image_build_versions(imageVersionArn=f"{PREFIX}:image/web-app/1.2.3")["imageSummaryList"]
    assert build["arn"] == docker["imageBuildVersionArn"] and build["type"] == "DOCKER"
    assert build["outputResources"] == {
        "containers": [
            {"region": "us-east-1", "imageUris": ["123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3-1"]}
        ]
    }


_PUBLIC = "public.ecr.aws/docker/library/ubuntu:22.04"
_PRIVATE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/base:1"
_NO_PLATFORM = "You must specify a platform override when using ECR Public Repositories as your parent image."
_NO_OS_VERSION = (
    "You must specify an image OsVersion override when using ECR Repositories as your parent image for "
    "Windows Platform."
)


@pytest.mark.parametrize(
    ("parent", "overrides", "code", "wording"),
    [
        (_PUBLIC, {}, "InvalidRequestException", _NO_PLATFORM),
        (_PUBLIC, {"platformOverride": "Windows"}, "InvalidParameterCombinationException", _NO_OS_VERSION),
        (_PRIVATE, {"platformOverride": "Windows"}, "InvalidParameterCombinationException", _NO_OS_VERSION),
    ],
)
def test_an_ecr_parent_image_needs_its_overrides(
    client: Any, expect_error: Any, parent: str, overrides: dict[str, str], code: str, wording: str
):
    # CloudSnorkel/cdk-github-runners#550 (ECR Public), hashicorp/terraform-provider-aws#24712 (Windows).
    with pytest.raises(ClientError) as caught:
        client.create_container_recipe(**_recipe(parentImage=parent, **overrides))
    expect_error(caught.value, code, 400)
    assert caught.value.response["Error"]["Message"] == (
        f"The value supplied for parameter 'parentImage' is not valid. {wording}"
    )
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []


def test_an_ecr_parent_image_with_its_overrides_is_accepted(client: Any):
    client.create_container_recipe(**_recipe(name="private", parentImage=_PRIVATE))  # Linux from private ECR
    client.create_container_recipe(**_recipe(name="linux", parentImage=_PUBLIC, platformOverride="Linux"))
    client.create_container_recipe(
        **_recipe(
            name="windows",
            parentImage="public.ecr.aws/windows/servercore:ltsc2022",
            platformOverride="Windows",
            imageOsVersionOverride="Microsoft Windows Server 2022",
        )
    )
    assert len(client.list_container_recipes()["containerRecipeSummaryList"]) == 3
