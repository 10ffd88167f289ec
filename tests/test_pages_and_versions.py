"""Issue 16, items 2 to 4: state() is a copy; page tokens keep their place; wildcards pick the highest version."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.errors import InvalidPaginationTokenException
from fakeimagebuilder.service.paging import NewestFirst, page
from fakeimagebuilder.service.state import Scope, Settings

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
# A recipe ARN's pattern: digits only in botocore 1.40.41's model, "x" wildcards allowed in later ones.
RECIPE_ARN = re.compile(
    service_model().operation_model("GetImageRecipe").input_shape.members["imageRecipeArn"].metadata["pattern"]
)


def _recipe(client: Any, name: str, version: str) -> str:
    arn: str = client.create_image_recipe(
        name=name, semanticVersion=version, parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    return arn


def _all_pages(call: Any, member: str, size: int, between: Any = None, **kwargs: Any) -> list[str]:
    """Every ARN the list shows, page by page; ``between`` runs after the first page."""
    seen: list[str] = []
    token = None
    while True:
        answer = call(maxResults=size, **({"nextToken": token} if token else {}), **kwargs)
        seen += [item["arn"] for item in answer[member]]
        token = answer.get("nextToken")
        if between is not None:
            between()
            between = None
        if not token:
            return seen


# -- item 2: state() is a deep copy -------------------------------------------------


def test_state_is_a_copy_that_cannot_change_the_fake(fake: FakeImageBuilder, client: Any, stack: Any):
    dump = fake.state()
    region = dump["123456789012"]["us-east-1"]
    del region["imagePipelines"][0]["dateCreated"]
    region["imageRecipes"][0]["name"] = "renamed"
    region["imagePipelines"][0]["tags"]["added"] = "x"

    pipeline = client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert "dateCreated" in pipeline
    assert pipeline["tags"] == {}
    client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
    )
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    assert build.endswith(":image/web/1.0.0/1")
    assert json.loads(json.dumps(fake.state())) == fake.state()  # JSON-ready


# -- item 3: page tokens carry a position ------------------------------------------


def test_deleting_between_pages_skips_nothing(client: Any):
    arns = [_recipe(client, f"recipe{i}", "1.0.0") for i in range(5)]

    seen = _all_pages(
        client.list_image_recipes,
        "imageRecipeSummaryList",
        2,
        between=lambda: client.delete_image_recipe(imageRecipeArn=arns[0]),
    )

    assert seen == arns


def test_a_start_between_pages_of_newest_first_images_repeats_nothing(fake: FakeImageBuilder, client: Any, stack: Any):
    builds = [
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
        for _ in range(4)
    ]

    seen = _all_pages(
        client.list_image_pipeline_images,
        "imageSummaryList",
        2,
        between=lambda: client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn),
        imagePipelineArn=stack.pipeline_arn,
    )

    assert seen == builds[::-1]


@given(
    places=st.lists(st.tuples(st.integers(0, 5), st.integers(-3, 3)), min_size=1, max_size=12, unique=True),
    size=st.integers(min_value=1, max_value=4),
    removals=st.lists(st.integers(min_value=0, max_value=11), max_size=12),
)
def test_removing_items_between_pages_never_skips_or_repeats_one_that_stayed(
    places: list[tuple[int, int]], size: int, removals: list[int]
):
    """Any list whose items carry their own increasing place (a number, or a tuple where one number does not
    order it), with items removed between pages (an approval loop, a delete): what stayed is listed once."""
    scope = Scope("123456789012", "us-east-1", Settings())
    items = sorted(places)
    removed: set[tuple[int, int]] = set()
    seen: list[tuple[int, int]] = []
    params: dict[str, Any] = {"maxResults": size}
    for turn in range(len(items) + 1):
        shown, token = page(scope, [i for i in items if i not in removed], params, ("Q",), lambda item: item)
        seen += shown
        if turn < len(removals):
            removed.add(items[removals[turn] % len(items)])
        if token is None:
            break
        params = {"maxResults": size, "nextToken": token}
    stayed = [item for item in items if item not in removed]
    assert [item for item in seen if item in stayed] == stayed
    assert len(seen) == len(set(seen))


def test_a_token_of_another_shape_of_place_is_refused():
    scope = Scope("123456789012", "us-east-1", Settings())
    _, token = page(scope, [(1, 1), (1, 2)], {"maxResults": 1}, ("Q",), lambda item: item)
    with pytest.raises(InvalidPaginationTokenException):
        page(scope, [1, 2], {"maxResults": 1, "nextToken": token}, ("Q",), lambda item: item)


def test_a_token_stays_valid_when_the_list_shrinks(client: Any):
    arns = [_recipe(client, f"recipe{i}", "1.0.0") for i in range(6)]
    token = client.list_image_recipes(maxResults=4)["nextToken"]
    for arn in arns[:5]:
        client.delete_image_recipe(imageRecipeArn=arn)

    rest = client.list_image_recipes(maxResults=4, nextToken=token)

    assert [r["arn"] for r in rest["imageRecipeSummaryList"]] == arns[5:]
    assert "nextToken" not in rest


def test_a_token_belongs_to_its_filters_account_and_region(fake: FakeImageBuilder, client: Any):
    for i in range(3):
        _recipe(client, f"recipe{i}", "1.0.0")
    token = client.list_image_recipes(maxResults=1)["nextToken"]
    other_region = fake.client("us-west-2")
    for i in range(3):
        _recipe(other_region, f"recipe{i}", "1.0.0")

    refused = [
        lambda: other_region.list_image_recipes(maxResults=1, nextToken=token),
        lambda: client.list_image_recipes(
            maxResults=1, nextToken=token, filters=[{"name": "platform", "values": ["Linux"]}]
        ),
        lambda: fake.client(aws_access_key_id="other").list_image_recipes(maxResults=1, nextToken=token),
    ]
    fake.accounts["other"] = "210987654321"
    for call in refused:
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidPaginationTokenException"
    assert client.list_image_recipes(maxResults=1, nextToken=token)["imageRecipeSummaryList"]


# -- item 4: wildcards select the highest version -----------------------------------

USER_GUIDE_VERSIONS = ("2.2.4", "1.7.8", "1.6.8")  # created in this order: 1.6.8 is the newest


@pytest.mark.parametrize(("wildcard", "expected"), [("x.x.x", "2.2.4"), ("1.x.x", "1.7.8"), ("1.6.x", "1.6.8")])
def test_image_wildcards_select_the_highest_version(
    fake: FakeImageBuilder, client: Any, make_stack: Any, wildcard: str, expected: str
):
    for version in USER_GUIDE_VERSIONS:
        stack = make_stack(f"web-{version.replace('.', '-')}", recipe_name="web", version=version)
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=f"{PREFIX}:image/web/{wildcard}")

    assert image["image"]["arn"].endswith(f"/web/{expected}/1")


@pytest.mark.parametrize(("wildcard", "expected"), [("x.x.x", "2.2.4"), ("1.x.x", "1.7.8"), ("1.6.x", "1.6.8")])
def test_recipe_wildcards_select_the_highest_version(client: Any, expect_error: Any, wildcard: str, expected: str):
    for version in USER_GUIDE_VERSIONS:
        _recipe(client, "web", version)
    arn = f"{PREFIX}:image-recipe/web/{wildcard}"
    if not RECIPE_ARN.search(arn):
        # botocore 1.40.41's model has no wildcards in a recipe ARN: the wire refuses it, naming the member.
        with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
            client.get_image_recipe(imageRecipeArn=arn)
        expect_error(caught.value, "InvalidParameterValueException", 400)
        assert "'imageRecipeArn' must match pattern" in caught.value.response["Error"]["Message"]
        return

    recipe = client.get_image_recipe(imageRecipeArn=arn)

    assert recipe["imageRecipe"]["version"] == expected


@pytest.mark.parametrize("wildcard", ["x.2.x", "1.x.8", "x.x.4"])
def test_a_wildcard_followed_by_a_number_is_refused(
    fake: FakeImageBuilder, client: Any, stack: Any, expect_error: Any, wildcard: str
):
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(3600)
    recipe_arn = f"{PREFIX}:image-recipe/web/{wildcard}"
    for call, (code, detail) in (
        (
            lambda: client.get_image(imageBuildVersionArn=f"{PREFIX}:image/web/{wildcard}"),
            ("InvalidRequestException", "every node to its right must be a wildcard"),
        ),
        (
            lambda: client.get_image_recipe(imageRecipeArn=recipe_arn),
            # Where the model has no wildcards in a recipe ARN (botocore 1.40.41) the wire refuses it first.
            ("InvalidRequestException", "every node to its right must be a wildcard")
            if RECIPE_ARN.search(recipe_arn)
            else ("InvalidParameterValueException", "'imageRecipeArn' must match pattern"),
        ),
    ):
        with pytest.raises(getattr(client.exceptions, code)) as caught:
            call()
        expect_error(caught.value, code, 400)
        assert detail in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("version", "accepted"),
    [
        ("1073741823.0.0", True),
        ("0001073741823.0.0", True),  # its leading zeros do not count
        ("1073741824.0.0", False),
        # The model's [0-9]+ has no length: past 4,300 digits Python's int() refuses the text (once a 500).
        ("1.0." + "9" * 5000, False),
    ],
)
def test_each_version_node_is_at_most_two_to_the_thirty_minus_one(
    client: Any, expect_error: Any, version: str, accepted: bool
):
    if accepted:
        assert _recipe(client, "web", version).endswith(f"/web/{version}")
        return
    with pytest.raises(client.exceptions.InvalidVersionNumberException) as caught:
        _recipe(client, "web", version)
    expect_error(caught.value, "InvalidVersionNumberException", 400)
    assert "1073741823" in caught.value.response["Error"]["Message"]


def test_a_store_keeps_its_serials_through_a_snapshot() -> None:
    """The journal's snapshot pickles stores: serials (page positions) must come back as they were."""
    import pickle

    from fakeimagebuilder.service.state import Store

    store: Store[int] = Store()
    for key in ("a", "b", "c"):
        store[key] = 1
    del store["a"]
    back = pickle.loads(pickle.dumps(store))
    assert dict(back) == {"b": 1, "c": 1}
    assert [back.serial(k) for k in ("a", "b", "c")] == [1, 2, 3]
    back["d"] = 1
    assert back.serial("d") == 4


_REFUSED_REFERENCES = [
    ("parentImage", "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.2.x", "every node to its right"),
    ("parentImage", f"{PREFIX}:image/www/1.x.0", "every node to its right"),
    ("parentImage", f"{PREFIX}:image/www/1073741824.x.x", "between 0 and"),
    ("componentArn", "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.x.8", "every node to its right"),
]


@pytest.mark.parametrize(("member", "reference", "detail"), _REFUSED_REFERENCES)
def test_a_recipe_reference_whose_version_get_refuses_is_refused_as_get_refuses_it(
    client: Any, expect_error: Any, member: str, reference: str, detail: str
) -> None:
    aws = "arn:aws:imagebuilder:us-east-1:aws"
    parent = reference if member == "parentImage" else f"{aws}:image/amazon-linux-2-x86/x.x.x"
    component = reference if member == "componentArn" else f"{aws}:component/update-linux/x.x.x"
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_image_recipe(
            name="bad", semanticVersion="1.0.0", parentImage=parent, components=[{"componentArn": component}]
        )
    expect_error(caught.value, "InvalidRequestException", 400)
    assert detail in caught.value.response["Error"]["Message"]
    assert client.list_image_recipes()["imageRecipeSummaryList"] == []


def test_a_pipeline_or_image_workflow_reference_whose_version_get_refuses_is_refused(
    client: Any, stack: Any, expect_error: Any
) -> None:
    workflows = [{"workflowArn": "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.x.0"}]
    calls = [
        lambda: client.create_image_pipeline(
            name="other",
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            workflows=workflows,
        ),
        lambda: client.create_image(
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            workflows=workflows,
        ),
    ]
    for call in calls:
        with pytest.raises(client.exceptions.InvalidRequestException) as caught:
            call()
        expect_error(caught.value, "InvalidRequestException", 400)
        assert "every node to its right" in caught.value.response["Error"]["Message"]
    assert [p["name"] for p in client.list_image_pipelines()["imagePipelineList"]] == ["web"]


def test_list_image_build_versions_without_an_image_version_follows_the_installed_model(
    fake: FakeImageBuilder, client: Any, make_stack: Any
) -> None:
    first = make_stack(name="web")
    second = make_stack(name="api", version="2.0.0")
    older = client.start_image_pipeline_execution(imagePipelineArn=first.pipeline_arn)["imageBuildVersionArn"]
    newer = client.start_image_pipeline_execution(imagePipelineArn=second.pipeline_arn)["imageBuildVersionArn"]
    required = service_model().operation_model("ListImageBuildVersions").input_shape.required_members
    if "imageVersionArn" in required:  # older models: botocore refuses the call before it is sent
        with pytest.raises(ParamValidationError):
            client.list_image_build_versions()
        return
    # Optional in the model (botocore 1.43): every build of the caller's account and region, newest first.
    listed = client.list_image_build_versions()["imageSummaryList"]
    assert [summary["arn"] for summary in listed] == [newer, older]
    filters = [{"name": "version", "values": ["2.0.0"]}]
    assert [s["arn"] for s in client.list_image_build_versions(filters=filters)["imageSummaryList"]] == [newer]


@pytest.mark.parametrize("size", [0, 1, 7])
def test_a_newest_first_view_reads_as_the_reversed_list(size: int):
    items = list(range(size))
    view = NewestFirst(items)
    expected = items[::-1]
    assert len(view) == size and list(view) == expected
    for index in range(-size - 2, size + 2):
        if -size <= index < size:
            assert view[index] == expected[index]
        else:
            with pytest.raises(IndexError):
                view[index]
    for start, stop, step in [(None, None, None), (2, None, None), (1, 5, 2), (-3, None, None), (None, -1, -1)]:
        assert view[start:stop:step] == expected[start:stop:step]
    items.append(size)  # a view: it sees the list grow
    assert view[0] == size


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 11), st.sampled_from("ab")), max_size=40))
def test_the_build_store_indexes_what_a_walk_of_it_finds(steps: list[tuple[bool, int, str]]):
    """Whatever is stored, replaced and deleted (and through a snapshot), the lists the build store hands out
    are what a walk of its builds, in store order, finds."""
    import pickle

    from fakeimagebuilder.service.state import BuildStore

    store = BuildStore()
    for adding, number, version in steps:
        arn = f"{PREFIX}:image/web/1.0.{'ab'.index(version)}/{number}"
        if adding:
            store[arn] = _stub_build(arn)
        elif arn in store:
            del store[arn]
    for each in (store, pickle.loads(pickle.dumps(store))):
        builds = list(each.values())
        assert each.oldest_first() == builds
        groups: dict[str, list[Any]] = {}
        for build in builds:
            groups.setdefault(build.arn.rsplit("/", 1)[0], []).append(build)
        for version, found in groups.items():
            assert each.of_version(version) == found
        assert each.versions() == list(groups.values())  # by each version's oldest build: the first seen
        names: dict[str, list[list[Any]]] = {}
        for version, found in groups.items():
            names.setdefault(version.rsplit("/", 1)[0], []).append(found)
        for name, versions in names.items():  # in no particular order of versions
            arns = sorted([build.arn for build in builds] for builds in each.versions_of(name))
            assert arns == sorted([build.arn for build in builds] for builds in versions)


def _stub_build(arn: str) -> Any:
    """A build that only has its ARN (all the store's index reads)."""
    from fakeimagebuilder.service.builds import Build

    return Build(arn, 0, {}, {}, {}, None, 0.0, "", (), "AVAILABLE", 0.0, None)
