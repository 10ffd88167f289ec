"""Recipe auto-versioning (November 2025): a recipe version with one x, and recipes named by wildcard versions.

Image and container recipes alike. AWS's user guide (create-image-recipes.html): "When you create a recipe
with a wildcard version such as 1.0.x, Image Builder automatically increments the version"; AWS's
announcement (quoted in hashicorp/terraform-provider-aws#45285): "a single x", and "wildcard recipe versions
(such as 1.x.x, x.x.x, etc.) are now allowed to be passed into the image pipeline".

botocore 1.40.41's model predates the release: its semanticVersion and recipe ARN patterns have no x, so the
wire refuses these inputs before the service sees them (tests/test_operations.py checks that answer). Each
test here needs the newer model and says so.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
OTHER_COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/reboot-linux/x.x.x"}]
KINDS = ("image-recipe", "container-recipe")


def _admits(operation: str, member: str, value: str) -> bool:
    """Whether the installed model's pattern for ``operation``'s ``member`` admits ``value``."""
    shape = service_model().operation_model(operation).input_shape.members[member]
    return re.search(shape.metadata["pattern"], value) is not None


auto_versions = pytest.mark.skipif(
    not (
        _admits("CreateImageRecipe", "semanticVersion", "1.0.x")
        and _admits("CreateContainerRecipe", "semanticVersion", "1.0.x")
    ),
    reason="the installed model's semanticVersion pattern (VersionNumber, botocore 1.40.41) refuses an x node",
)
wildcard_recipe_arns = pytest.mark.skipif(
    not all(
        _admits(operation, member, f"{PREFIX}:{kind}/web/x.x.x")
        for operation in ("CreateImagePipeline", "UpdateImagePipeline", "CreateImage")
        for member, kind in (("imageRecipeArn", "image-recipe"), ("containerRecipeArn", "container-recipe"))
    ),
    reason="the installed model's recipe ARN patterns (botocore 1.40.41) refuse x nodes",
)


class Recipes:
    """Create and name recipes of one kind (image or container) the same way."""

    def __init__(self, client: Any, kind: str) -> None:
        self.client, self.kind = client, kind
        self.member = "imageRecipeArn" if kind == "image-recipe" else "containerRecipeArn"

    def create(self, version: str, name: str = "web", components: Any = None, **extra: Any) -> dict[str, Any]:
        """The Create answer for a recipe ``name`` at ``version``."""
        members: dict[str, Any] = {"name": name, "semanticVersion": version, "components": components or COMPONENTS}
        if self.kind == "image-recipe":
            answer: dict[str, Any] = self.client.create_image_recipe(parentImage=PARENT, **members, **extra)
        else:
            answer = self.client.create_container_recipe(
                containerType="DOCKER",
                parentImage="amazonlinux:latest",
                dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n",
                targetRepository={"service": "ECR", "repositoryName": "web"},
                **members,
                **extra,
            )
        return answer

    def arn(self, version: str, name: str = "web") -> str:
        """The ARN of recipe ``name`` at ``version`` (concrete or a wildcard)."""
        return f"{PREFIX}:{self.kind}/{name}/{version}"

    def get(self, arn: str) -> dict[str, Any]:
        """The recipe document Get answers for ``arn``."""
        if self.kind == "image-recipe":
            found: dict[str, Any] = self.client.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]
        else:
            found = self.client.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]
        return found

    def delete(self, arn: str) -> None:
        """Delete the recipe version ``arn``."""
        if self.kind == "image-recipe":
            self.client.delete_image_recipe(imageRecipeArn=arn)
        else:
            self.client.delete_container_recipe(containerRecipeArn=arn)

    def versions(self, name: str = "web") -> list[str]:
        """The versions recipe ``name`` has, as List shows them."""
        if self.kind == "image-recipe":
            listed = self.client.list_image_recipes()["imageRecipeSummaryList"]
        else:
            listed = self.client.list_container_recipes()["containerRecipeSummaryList"]
        prefix = self.arn("", name)
        return sorted(summary["arn"][len(prefix) :] for summary in listed if summary["arn"].startswith(prefix))


@pytest.fixture(params=KINDS)
def recipes(client: Any, request: pytest.FixtureRequest) -> Recipes:
    """Recipes of each kind in turn."""
    return Recipes(client, request.param)


@pytest.fixture
def infrastructure(client: Any) -> str:
    """An infrastructure configuration's ARN."""
    arn: str = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")[
        "infrastructureConfigurationArn"
    ]
    return arn


# -- Create*Recipe with one x ---------------------------------------------------------------


@auto_versions
def test_one_x_node_becomes_one_more_than_the_highest_that_node_has_among_the_matching_versions(recipes: Recipes):
    recipes.create("1.2.0")
    recipes.create("1.0.4")
    recipes.create("1.9.9", name="other")  # another name's versions count for nothing

    made = {given: recipes.create(given) for given in ("1.0.x", "1.x.0", "x.0.0", "1.x.5")}

    assert {given: answer[recipes.member] for given, answer in made.items()} == {
        "1.0.x": recipes.arn("1.0.5"),  # the patch after 1.0.4's
        "1.x.0": recipes.arn("1.3.0"),  # the minor after 1.2.0's
        "x.0.0": recipes.arn("0.0.0"),  # no version is <n>.0.0: 0
        "1.x.5": recipes.arn("1.1.5"),  # the minor after that of 1.0.5, made just before
    }
    answer = made["1.0.x"]
    assert answer["latestVersionReferences"] == {
        "latestVersionArn": recipes.arn("x.x.x"),
        "latestMajorVersionArn": recipes.arn("1.x.x"),
        "latestMinorVersionArn": recipes.arn("1.0.x"),
        "latestPatchVersionArn": recipes.arn("1.0.5"),
    }
    document = recipes.get(recipes.arn("1.0.5"))
    assert (document["arn"], document["version"]) == (recipes.arn("1.0.5"), "1.0.5")
    assert recipes.versions() == ["0.0.0", "1.0.4", "1.0.5", "1.1.5", "1.2.0", "1.3.0"]


@auto_versions
def test_with_no_matching_version_the_x_node_is_zero(recipes: Recipes):
    first = recipes.create("1.0.x")[recipes.member]
    second = recipes.create("1.0.x")[recipes.member]
    third = recipes.create("2.x.7")[recipes.member]

    assert (first, second, third) == (recipes.arn("1.0.0"), recipes.arn("1.0.1"), recipes.arn("2.0.7"))


@auto_versions
@pytest.mark.parametrize("fake", [{"auto_version_first": 1}], indirect=True)
def test_the_first_value_of_an_x_node_is_switchable_to_one(fake: FakeImageBuilder, recipes: Recipes):
    """Ledger recipe-auto-version-first: AWS's first value is unconfirmed, so the auto_version_first knob picks it."""
    first = recipes.create("1.0.x")[recipes.member]
    second = recipes.create("1.0.x")[recipes.member]
    third = recipes.create("x.0.0")[recipes.member]  # no version is <n>.0.0: the first value, 1

    assert (first, second, third) == (recipes.arn("1.0.1"), recipes.arn("1.0.2"), recipes.arn("1.0.0"))
    fake.configure(auto_version_first=0)
    assert recipes.create("2.0.x")[recipes.member] == recipes.arn("2.0.0")
    assert recipes.create("1.0.x")[recipes.member] == recipes.arn("1.0.3")  # counting on is not the first value
    assert recipes.versions() == ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"]


@pytest.mark.parametrize("value", [2, -1, True, 1.0, "1", None])
def test_the_auto_version_first_knob_takes_only_0_or_1(value: Any):
    says = re.escape(f"auto_version_first must be 0 or 1, not {value!r}")
    with pytest.raises(ValueError, match=says):
        FakeImageBuilder(auto_version_first=value)
    fake = FakeImageBuilder(auto_version_first=1)
    with pytest.raises(ValueError, match=says):
        fake.configure(auto_version_first=value)
    assert fake.settings.auto_version_first == 1


@auto_versions
def test_a_replay_of_the_client_token_answers_the_version_it_made(recipes: Recipes):
    first = recipes.create("1.0.x", clientToken="first")
    replay = recipes.create("1.0.x", clientToken="first")
    other = recipes.create("1.0.x", clientToken="second")

    assert replay[recipes.member] == first[recipes.member] == recipes.arn("1.0.0")
    assert replay["latestVersionReferences"] == first["latestVersionReferences"]
    assert other[recipes.member] == recipes.arn("1.0.1")
    assert recipes.versions() == ["1.0.0", "1.0.1"]


@auto_versions
@pytest.mark.parametrize("version", ["x.x.x", "1.x.x", "x.0.x"])
def test_more_than_one_x_is_refused(recipes: Recipes, expect_error: Any, version: str):
    recipes.create("1.0.0")

    with pytest.raises(recipes.client.exceptions.InvalidVersionNumberException) as caught:
        recipes.create(version)

    expect_error(caught.value, "InvalidVersionNumberException", 400)
    assert f"'{version}'" in caught.value.response["message"]
    assert "one wildcard" in caught.value.response["message"]
    assert recipes.versions() == ["1.0.0"]


@auto_versions
def test_an_x_node_that_would_pass_two_to_the_thirty_minus_one_is_refused(recipes: Recipes, expect_error: Any):
    recipes.create("1.0.1073741823")

    with pytest.raises(recipes.client.exceptions.InvalidVersionNumberException) as caught:
        recipes.create("1.0.x")

    expect_error(caught.value, "InvalidVersionNumberException", 400)
    assert "1073741823" in caught.value.response["message"]
    assert recipes.versions() == ["1.0.1073741823"]
    # Another node still has room.
    assert recipes.create("1.x.1073741823")[recipes.member] == recipes.arn("1.1.1073741823")


# -- recipes named by a wildcard version -----------------------------------------------------


def _pipeline(client: Any, recipes: Recipes, arn: str, infrastructure: str, **members: Any) -> str:
    pipeline: str = client.create_image_pipeline(
        name="web", infrastructureConfigurationArn=infrastructure, **{recipes.member: arn}, **members
    )["imagePipelineArn"]
    return pipeline


def _built_from(client: Any, recipes: Recipes, build_arn: str) -> str:
    """The recipe ARN GetImage shows a build was made from."""
    image = client.get_image(imageBuildVersionArn=build_arn)["image"]
    found: str = image["imageRecipe" if recipes.kind == "image-recipe" else "containerRecipe"]["arn"]
    return found


@wildcard_recipe_arns
def test_each_start_of_a_pipeline_builds_the_version_its_wildcard_selects_then(
    client: Any, recipes: Recipes, infrastructure: str
):
    recipes.create("1.0.0")
    pipeline = _pipeline(client, recipes, recipes.arn("x.x.x"), infrastructure)
    shown = client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert shown[recipes.member] == recipes.arn("x.x.x")  # as given, not the version it selects now

    first = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    recipes.create("1.0.1")
    second = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]

    assert (first, second) == (f"{PREFIX}:image/web/1.0.0/1", f"{PREFIX}:image/web/1.0.1/1")
    assert _built_from(client, recipes, second) == recipes.arn("1.0.1")
    listed = client.list_image_pipelines()["imagePipelineList"]
    assert [p[recipes.member] for p in listed] == [recipes.arn("x.x.x")]


@wildcard_recipe_arns
def test_update_image_pipeline_takes_a_wildcard_that_selects_a_version(
    client: Any, recipes: Recipes, infrastructure: str, expect_error: Any
):
    recipes.create("1.0.0")
    recipes.create("2.0.0")
    pipeline = _pipeline(client, recipes, recipes.arn("2.0.0"), infrastructure)

    def update(arn: str) -> None:
        client.update_image_pipeline(
            imagePipelineArn=pipeline, infrastructureConfigurationArn=infrastructure, **{recipes.member: arn}
        )

    update(recipes.arn("1.x.x"))
    assert client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"][recipes.member] == recipes.arn(
        "1.x.x"
    )
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert build == f"{PREFIX}:image/web/1.0.0/1"

    # A wildcard that selects nothing is a recipe that does not exist; one of the wrong shape, a bad version.
    with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
        update(recipes.arn("3.x.x"))
    expect_error(missing.value, "ResourceNotFoundException", 404)
    assert recipes.arn("3.x.x") in missing.value.response["message"]
    with pytest.raises(client.exceptions.InvalidRequestException) as shape:
        update(recipes.arn("x.0.x"))
    expect_error(shape.value, "InvalidRequestException", 400)
    assert client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"][recipes.member] == recipes.arn(
        "1.x.x"
    )


@wildcard_recipe_arns
def test_a_scheduled_run_builds_the_version_the_wildcard_selects_at_its_instant(
    fake: Any, client: Any, recipes: Recipes, infrastructure: str
):
    every_hour = {"scheduleExpression": "rate(1 hour)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
    recipes.create("1.0.0")
    pipeline = _pipeline(client, recipes, recipes.arn("1.0.x"), infrastructure, schedule=every_hour)

    fake.advance(3600)
    recipes.create("1.0.x")  # 1.0.1
    fake.advance(3600)

    builds = client.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert [(b["version"], b["buildType"]) for b in builds] == [("1.0.1/1", "SCHEDULED"), ("1.0.0/1", "SCHEDULED")]


@wildcard_recipe_arns
def test_by_default_a_schedule_takes_a_newly_selected_version_as_an_update_only_if_its_dependencies_differ(
    fake: Any, client: Any, recipes: Recipes, infrastructure: str
):
    # As a pipeline updated to another recipe (ledger schedule-dependency-updates): the same dependencies are no
    # update, other ones are.
    recipes.create("1.0.0")
    pipeline = _pipeline(
        client, recipes, recipes.arn("x.x.x"), infrastructure, schedule={"scheduleExpression": "rate(1 hour)"}
    )
    fake.advance(3600)  # the first run always builds: 1.0.0
    recipes.create("1.0.1")  # the same components
    fake.advance(3600)
    recipes.create("1.0.2", components=OTHER_COMPONENTS)
    fake.advance(3600)

    builds = client.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert [b["version"] for b in builds] == ["1.0.2/1", "1.0.0/1"]


@wildcard_recipe_arns
def test_create_image_builds_the_version_its_wildcard_selects_at_create(
    fake: Any, client: Any, recipes: Recipes, infrastructure: str, expect_error: Any
):
    for version in ("1.0.0", "1.2.0", "2.0.0"):
        recipes.create(version)

    build = client.create_image(infrastructureConfigurationArn=infrastructure, **{recipes.member: recipes.arn("1.x.x")})
    recipes.create("1.3.0")  # made after: the build keeps the version it was created with
    fake.advance(7200)

    assert build["imageBuildVersionArn"] == f"{PREFIX}:image/web/1.2.0/1"
    assert _built_from(client, recipes, build["imageBuildVersionArn"]) == recipes.arn("1.2.0")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.create_image(infrastructureConfigurationArn=infrastructure, **{recipes.member: recipes.arn("3.x.x")})
    expect_error(caught.value, "ResourceNotFoundException", 404)


@wildcard_recipe_arns
def test_the_version_a_pipeline_wildcard_selects_now_cannot_be_deleted(
    client: Any, recipes: Recipes, infrastructure: str, expect_error: Any
):
    recipes.create("1.0.0")
    recipes.create("1.0.1")
    _pipeline(client, recipes, recipes.arn("x.x.x"), infrastructure)

    with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
        recipes.delete(recipes.arn("1.0.1"))
    expect_error(caught.value, "ResourceDependencyException", 400)
    recipes.delete(recipes.arn("1.0.0"))  # selected by nothing
    recipes.create("1.0.2")
    recipes.delete(recipes.arn("1.0.1"))  # no longer what x.x.x selects
    with pytest.raises(client.exceptions.ResourceDependencyException):
        recipes.delete(recipes.arn("1.0.2"))
    assert recipes.versions() == ["1.0.2"]


@wildcard_recipe_arns
def test_a_wildcard_pipeline_shows_the_platform_of_the_version_it_selects_now(client: Any, infrastructure: str):
    recipes = Recipes(client, "image-recipe")
    recipes.create("1.0.0")
    pipeline = _pipeline(client, recipes, recipes.arn("x.x.x"), infrastructure)
    windows = "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x"
    client.create_image_recipe(name="web", semanticVersion="2.0.0", parentImage=windows, components=COMPONENTS)

    built = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]

    assert client.get_image(imageBuildVersionArn=built)["image"]["platform"] == "Windows"
    assert client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["platform"] == "Windows"
    assert [p["platform"] for p in client.list_image_pipelines()["imagePipelineList"]] == ["Windows"]
