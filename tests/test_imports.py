"""ImportVmImage, ImportDiskImage and DistributeImage: images that no recipe built, on the virtual clock."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.operations import installed
from fakeimagebuilder import BuildPlan
from fakeimagebuilder.model import service_model

TASK = "import-ami-1234567890abcdef0"
ISO = "s3://my-isos/Win11_English_x64.iso"
HAS_DISTRIBUTE = "DistributeImage" in service_model().operation_names
needs_distribute = pytest.mark.skipif(not HAS_DISTRIBUTE, reason="this botocore's model has no DistributeImage")
needs_retry = pytest.mark.skipif(
    "RetryImage" not in service_model().operation_names, reason="this botocore's model has no RetryImage"
)


def _vm(client: Any, name: str = "base vm", version: str = "1.0.0", **extra: Any) -> str:
    return client.import_vm_image(name=name, semanticVersion=version, platform="Linux", vmImportTaskId=TASK, **extra)[
        "imageArn"
    ]


def _iso(client: Any, infrastructure: str, **extra: Any) -> str:
    members = dict(
        name="windows-11",
        semanticVersion="1.0.0",
        platform="Windows",
        osVersion="Microsoft Windows 11",
        infrastructureConfigurationArn=infrastructure,
        uri=ISO,
    )
    return client.import_disk_image(**{**members, **extra})["imageBuildVersionArn"]


def test_vm_import_is_pending_until_the_task_is_done_then_available(fake: Any, client: Any) -> None:
    arn = _vm(client, osVersion="Ubuntu 22", description="from vSphere", tags={"team": "base"})
    assert arn == "arn:aws:imagebuilder:us-east-1:123456789012:image/base-vm/1.0.0/1"

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "PENDING"}
    assert image["outputResources"] == {"amis": []}
    assert (image["buildType"], image["type"], image["tags"]) == ("IMPORT", "AMI", {"team": "base"})
    # "Imported images don't contain a recipe" (API reference, Image); no infrastructure either.
    assert "imageRecipe" not in image and "infrastructureConfiguration" not in image
    if "imageSource" in service_model().shape_for("Image").members:
        assert image["imageSource"] == "IMPORTED"

    # As long as a build without tests would take (the fake's choice, ledger "imports").
    fake.advance(sum(d for s, d in BuildPlan().durations.items() if s != "TESTING") - 1)
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "PENDING"
    fake.advance(1)
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "AVAILABLE"}
    assert image["osVersion"] == "Ubuntu 22"
    [ami] = image["outputResources"]["amis"]
    assert ami["region"] == "us-east-1" and ami["image"].startswith("ami-")


def test_imports_of_one_name_and_version_are_build_versions_of_one_image(fake: Any, client: Any) -> None:
    first, second = _vm(client), _vm(client, name="Base_VM")  # normalised to the same ARN name
    assert (first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]) == ("1", "2")
    fake.advance(3600)
    [version] = client.list_images()["imageVersionList"]
    assert version["arn"].endswith(":image/base-vm/1.0.0") and version["buildType"] == "IMPORT"
    builds = client.list_image_build_versions(imageVersionArn=version["arn"])["imageSummaryList"]
    assert [b["arn"] for b in builds] == [second, first]
    # The version ARN resolves to the highest AVAILABLE build, as for built images.
    assert client.get_image(imageBuildVersionArn=version["arn"])["image"]["arn"] == second


def test_an_imported_image_is_a_parent_image_for_recipes(fake: Any, client: Any) -> None:
    _vm(client)
    fake.advance(3600)
    recipe = client.create_image_recipe(
        name="on-import",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:123456789012:image/base-vm/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )
    assert recipe["imageRecipeArn"].endswith(":image-recipe/on-import/1.0.0")


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"vmImportTaskId": "i-0123456789abcdef0"}, "VM import task ID 'i-0123456789abcdef0' is not valid"),
        ({"semanticVersion": "1.0.1073741824"}, "between 0 and 1073741823"),
        ({"name": "x"}, "'name' must match pattern"),
        ({"loggingConfiguration": {"logGroupName": "my-logs"}}, "/aws/imagebuilder/ namespace"),
        # Constraint violations the wire finds answer the same modeled code (ledger import-validation).
        ({"semanticVersion": "1.0"}, "'semanticVersion' must match pattern"),
        ({"tags": {"aws:team": "base"}}, "'tags' key 'aws:team' must match pattern"),
        ({"clientToken": "t" * 65}, "'clientToken' must have length"),
    ],
)
def test_vm_import_refusals(client: Any, expect_error: Any, count_images: Any, members: dict, words: str) -> None:
    request = {"name": "base vm", "semanticVersion": "1.0.0", "platform": "Linux", "vmImportTaskId": TASK}
    with pytest.raises(client.exceptions.ClientException) as caught:
        client.import_vm_image(**{**request, **members})
    expect_error(caught.value, "ClientException", 400)
    assert words in caught.value.response["Error"]["Message"]
    assert count_images() == 0


def test_iso_import_runs_like_a_build_without_tests(fake: Any, client: Any, stack: Any) -> None:
    members = service_model().operation_model("ImportDiskImage").input_shape.members
    extra = {"windowsConfiguration": {"imageIndex": 3}} if "windowsConfiguration" in members else {}
    arn = _iso(client, stack.infrastructure_arn, **extra)
    seen = []
    for _ in range(80):
        seen.append(client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"])
        fake.advance(15)
    assert [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]] == [
        "PENDING",
        "CREATING",
        "BUILDING",
        "DISTRIBUTING",
        "INTEGRATING",
        "AVAILABLE",
    ]
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["buildType"] == "IMPORT_ISO" and image["platform"] == "Windows"
    assert image["infrastructureConfiguration"]["arn"] == stack.infrastructure_arn
    assert image["osVersion"] == "Microsoft Windows 11"


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"platform": "Linux"}, "platform 'Linux' is not supported"),
        ({"osVersion": "Microsoft Windows 10"}, "Allowed values: Microsoft Windows 11"),
        ({"uri": "s3://my-isos/windows.img"}, "ends in .iso"),
        ({"uri": "https://example.com/w.iso"}, "s3://bucket/key"),
        ({"loggingConfiguration": {"logGroupName": "elsewhere"}}, "specify an executionRole"),
    ],
)
def test_iso_import_refusals(client: Any, stack: Any, expect_error: Any, members: dict, words: str) -> None:
    with pytest.raises(client.exceptions.ClientException) as caught:
        _iso(client, stack.infrastructure_arn, **members)
    expect_error(caught.value, "ClientException", 400)
    assert words in caught.value.response["Error"]["Message"]


def test_iso_import_of_a_missing_infrastructure_is_a_client_error(client: Any, expect_error: Any) -> None:
    missing = "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/missing"
    with pytest.raises(client.exceptions.ClientException) as caught:
        _iso(client, missing)
    expect_error(caught.value, "ClientException", 400)


def test_a_replayed_client_token_returns_the_first_import(client: Any, count_images: Any) -> None:
    first = _vm(client, clientToken="once")
    assert _vm(client, clientToken="once") == first
    assert count_images() == 1


def test_a_client_token_reused_with_other_parameters_is_a_client_exception(
    client: Any, stack: Any, expect_error: Any, count_images: Any
) -> None:
    # The imports model no IdempotentParameterMismatchException: ClientException is their only 400.
    _vm(client, clientToken="once")
    _iso(client, stack.infrastructure_arn, clientToken="once")
    for reuse in (
        lambda: _vm(client, version="2.0.0", clientToken="once"),
        lambda: _iso(client, stack.infrastructure_arn, semanticVersion="2.0.0", clientToken="once"),
    ):
        with pytest.raises(client.exceptions.ClientException) as caught:
            reuse()
        expect_error(caught.value, "ClientException", 400)
        assert "already used with different parameters" in caught.value.response["Error"]["Message"]
    assert count_images() == 2


def test_an_injected_fault_reaches_an_import_as_asked(fake: Any, client: Any, expect_error: Any) -> None:
    fake.fail_next("ImportVmImage", "InvalidRequestException")
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        _vm(client)
    expect_error(caught.value, "InvalidRequestException", 400)


def test_the_live_guard_budgets_and_cancels_every_import_and_distribution() -> None:
    classes = installed()
    for operation, member in (("ImportVmImage", "imageArn"), ("ImportDiskImage", "imageBuildVersionArn")):
        assert classes[operation].starts_build and member in classes[operation].build_members
    if HAS_DISTRIBUTE:
        assert classes["DistributeImage"].starts_build


# -- DistributeImage ------------------------------------------------------------------------


@pytest.fixture
def distribution(client: Any) -> str:
    regions = [{"region": r, "amiDistributionConfiguration": {}} for r in ("us-east-1", "eu-west-1", "ap-south-1")]
    return client.create_distribution_configuration(name="three", distributions=regions)["distributionConfigurationArn"]


@needs_distribute
def test_distribution_is_a_new_image_that_lists_a_copy_per_region(
    fake: Any, client: Any, stack: Any, distribution: str
) -> None:
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    arn = client.distribute_image(
        sourceImage=built, distributionConfigurationArn=distribution, executionRole="Distributor", tags={"k": "v"}
    )["imageBuildVersionArn"]
    assert arn == built[: -len("/1")] + "/2"

    statuses = []
    for _ in range(5):
        statuses.append(client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"])
        fake.advance(60)
    assert statuses == ["PENDING", "DISTRIBUTING", "DISTRIBUTING", "DISTRIBUTING", "AVAILABLE"]
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert [a["region"] for a in image["outputResources"]["amis"]] == ["us-east-1", "eu-west-1", "ap-south-1"]
    assert len({a["image"] for a in image["outputResources"]["amis"]}) == 3
    assert image["distributionConfiguration"]["arn"] == distribution
    assert (image["tags"], image["executionRole"]) == ({"k": "v"}, "Distributor")
    # The source is untouched: still one AMI, still AVAILABLE.
    source = client.get_image(imageBuildVersionArn=built)["image"]
    assert source["state"]["status"] == "AVAILABLE" and len(source["outputResources"]["amis"]) == 1


@needs_distribute
def test_distribution_sources_resolve_like_get_image(fake: Any, client: Any, stack: Any, distribution: str) -> None:
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    ami = client.get_image(imageBuildVersionArn=built)["image"]["outputResources"]["amis"][0]["image"]
    by_version = client.distribute_image(
        sourceImage=built.rsplit("/", 2)[0] + "/x.x.x", distributionConfigurationArn=distribution, executionRole="r"
    )["imageBuildVersionArn"]
    by_ami = client.distribute_image(sourceImage=ami, distributionConfigurationArn=distribution, executionRole="r")[
        "imageBuildVersionArn"
    ]
    assert [by_version[-2:], by_ami[-2:]] == ["/2", "/3"]


@needs_distribute
@pytest.mark.parametrize(
    ("source", "code", "status", "words"),
    [
        ("running", "InvalidRequestException", 400, "only an AVAILABLE image can be distributed"),
        ("arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/99", "ResourceNotFoundException", 404, ""),
        ("ami-0123456789abcdef0", "ResourceNotFoundException", 404, "was not found in Region us-east-1"),
        ("ssm:/golden/ami", "ResourceNotFoundException", 404, "does not read Systems Manager parameters"),
        ("golden", "InvalidRequestException", 400, "is not valid"),
        ("arn:aws:imagebuilder:eu-west-1:123456789012:image/web/1.0.0/1", "ClientException", 400, "eu-west-1"),
    ],
)
def test_distribution_refusals(
    client: Any,
    stack: Any,
    distribution: str,
    expect_error: Any,
    source: str,
    code: str,
    status: int,
    words: str,
) -> None:
    if source == "running":
        source = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.distribute_image(sourceImage=source, distributionConfigurationArn=distribution, executionRole="r")
    expect_error(caught.value, code, status)
    assert words in caught.value.response["Error"]["Message"]


@needs_distribute
def test_a_failing_plan_fails_the_distribution(fake: Any, client: Any, stack: Any, distribution: str) -> None:
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    fake.set_build_plan(
        BuildPlan(outcome="FAILED", fail_during="DISTRIBUTING", failure_reason="copy to {status} failed")
    )
    arn = client.distribute_image(sourceImage=built, distributionConfigurationArn=distribution, executionRole="r")[
        "imageBuildVersionArn"
    ]
    fake.advance(3600)
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "FAILED", "reason": "copy to DISTRIBUTING failed"}
    assert image["outputResources"] == {"amis": []}


@needs_retry
@needs_distribute
@pytest.mark.parametrize("end", ["FAILED", "CANCELLED"])
def test_imports_and_distributions_cannot_be_retried(
    fake: Any, client: Any, stack: Any, distribution: str, expect_error: Any, end: str
) -> None:
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    if end == "FAILED":
        fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="PENDING"))
    made = [
        _vm(client),
        _iso(client, stack.infrastructure_arn),
        client.distribute_image(sourceImage=built, distributionConfigurationArn=distribution, executionRole="r")[
            "imageBuildVersionArn"
        ],
    ]
    if end == "CANCELLED":
        for arn in made:
            client.cancel_image_creation(imageBuildVersionArn=arn)
    fake.advance(3600)

    for arn in made:
        assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == end
        with pytest.raises(client.exceptions.InvalidRequestException) as caught:
            client.retry_image(imageBuildVersionArn=arn)
        expect_error(caught.value, "InvalidRequestException", 400)
        assert "only an image built from a recipe can be retried" in caught.value.response["Error"]["Message"]
        assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == end


@needs_distribute
def test_a_failed_import_or_distribution_names_only_what_it_has(
    fake: Any, client: Any, stack: Any, distribution: str
) -> None:
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="PENDING"))  # AWS's default wording
    vm = _vm(client)
    iso = _iso(client, stack.infrastructure_arn)
    copy = client.distribute_image(sourceImage=built, distributionConfigurationArn=distribution, executionRole="r")[
        "imageBuildVersionArn"
    ]
    fake.advance(3600)

    reasons = [client.get_image(imageBuildVersionArn=arn)["image"]["state"]["reason"] for arn in (vm, iso, copy)]
    assert reasons == [
        f"The VM import task '{TASK}' failed.",
        f"The import of the ISO file '{ISO}' failed while the image was PENDING.",
        f"Distributing the AMI of the image '{built}' failed while DISTRIBUTING.",
    ]
    # They ran no workflow, so no reason may name one.
    for arn in (vm, iso, copy):
        assert client.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"] == []
