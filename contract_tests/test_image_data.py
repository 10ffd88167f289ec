"""Scenarios for images that no recipe builds and for what an image carries: imports, distributions, packages,
scan findings and Marketplace resources.

The refusals are safe on the aws target: each names only what this run made
(or nothing), and an operation that could start a build holds the budget
while it is sent. Runs to the end need ``completes_builds`` (not on aws).
"""

from __future__ import annotations

import contextlib

import botocore.session
import pytest
from botocore.exceptions import ClientError

from .expect import TERMINAL, expect_error
from .ledger_report import verifies
from .targets import Workspace

pytestmark = pytest.mark.scenario

needs_distribute = pytest.mark.skipif(
    "DistributeImage" not in botocore.session.get_session().get_service_model("imagebuilder").operation_names,
    reason="this botocore's model has no DistributeImage",
)


def _distribution(workspace: Workspace) -> str:
    """A distribution configuration of this run, copying to the target's own region only."""
    arn: str = workspace.client.create_distribution_configuration(
        name=workspace.names.new("dist"),
        distributions=[{"region": workspace.target.region, "amiDistributionConfiguration": {}}],
        tags=workspace.tags(),
    )["distributionConfigurationArn"]
    return arn


@pytest.mark.builds(0)
def test_packages_of_a_missing_image_are_not_found(workspace: Workspace) -> None:
    """ListImagePackages of a build version that does not exist answers ResourceNotFoundException."""
    missing = workspace.arn("image", workspace.names.new("image"), "1.0.0", "1")
    with expect_error("ResourceNotFoundException", 404):
        workspace.client.list_image_packages(imageBuildVersionArn=missing)


@pytest.mark.builds(0)
def test_scan_findings_refuse_an_unknown_filter(workspace: Workspace) -> None:
    """ListImageScanFindings and its aggregations take only the filter names the model documents."""
    with verifies("scan-findings"), expect_error("InvalidRequestException", 400):
        workspace.client.list_image_scan_findings(filters=[{"name": "platform", "values": ["Linux"]}])
    with verifies("scan-aggregations"), expect_error("InvalidRequestException", 400):
        workspace.client.list_image_scan_finding_aggregations(filter={"name": "severity", "values": ["HIGH"]})


@pytest.mark.builds(0)
def test_an_aws_managed_component_is_no_marketplace_resource(workspace: Workspace) -> None:
    """GetMarketplaceResource of an AWS-managed component is refused: it is no Marketplace product."""
    component = workspace.target.recipe_parameters()["components"][0]["componentArn"]
    with verifies("marketplace-resource"), expect_error("InvalidRequestException", 400):
        workspace.client.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=component)


@pytest.mark.builds(1)
@pytest.mark.outside_image_builder("a VM import task (vmImportTaskId) to build from, which is not the run's image")
def test_vm_import_of_a_malformed_task_is_refused(workspace: Workspace) -> None:
    """ImportVmImage of something that is no VM import task id is refused before any image exists."""
    with verifies("import-validation"), expect_error("ClientException", 400):
        workspace.client.import_vm_image(
            name=workspace.names.new("import"),
            semanticVersion="1.0.0",
            platform="Linux",
            vmImportTaskId="not-a-task",
            tags=workspace.tags(),
        )


@needs_distribute
@pytest.mark.builds(1)
def test_distribution_of_a_missing_image_is_not_found(workspace: Workspace) -> None:
    """DistributeImage of a build version that does not exist answers ResourceNotFoundException."""
    distribution = _distribution(workspace)
    missing = workspace.arn("image", workspace.names.new("image"), "1.0.0", "1")
    with verifies("distribute-image"), expect_error("ResourceNotFoundException", 404):
        workspace.client.distribute_image(
            sourceImage=missing,
            distributionConfigurationArn=distribution,
            executionRole="EC2ImageBuilderDistributionCrossAccountRole",
            tags=workspace.tags(),
        )


@needs_distribute
@pytest.mark.builds(2)
@pytest.mark.completes_builds
def test_distribution_is_a_new_build_version_with_the_copies(
    workspace: Workspace, request: pytest.FixtureRequest
) -> None:
    """An AVAILABLE image distributed is a new build version of it that ends AVAILABLE with an AMI per region."""
    pipeline = workspace.pipeline()
    built = workspace.client.start_image_pipeline_execution(imagePipelineArn=pipeline.arn)["imageBuildVersionArn"]
    assert workspace.wait_for_image(built, {"AVAILABLE"}).status == "AVAILABLE"
    copy = workspace.client.distribute_image(
        sourceImage=built,
        distributionConfigurationArn=_distribution(workspace),
        executionRole="EC2ImageBuilderDistributionCrossAccountRole",
        tags=workspace.tags(),
    )["imageBuildVersionArn"]
    request.addfinalizer(lambda: _remove(workspace, copy))
    with verifies("distribute-image"):
        assert copy == workspace.build_arn(pipeline.recipe, 2)
        seen = workspace.wait_for_image(copy, TERMINAL)
        assert seen.status == "AVAILABLE", seen.seen
        amis = seen.image["outputResources"]["amis"]
        assert [ami["region"] for ami in amis] == [workspace.target.region]


def _remove(workspace: Workspace, arn: str) -> None:
    """Cancel (if still running) and delete a build the tracker did not start itself."""
    with contextlib.suppress(ClientError):
        workspace.client.cancel_image_creation(imageBuildVersionArn=arn)
    workspace.wait_for_image(arn, TERMINAL)
    with contextlib.suppress(ClientError):
        workspace.client.delete_image(imageBuildVersionArn=arn)
