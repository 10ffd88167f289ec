"""Workflows: what Create accepts Get echoes, the document checks, references and AWS's own."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
DOCUMENT = """name: wait
description: waits for a signal
schemaVersion: 1.0
parameters:
  - name: waitForActionAtEnd
    type: boolean
    default: false
    description: wait at the end
steps:
  - name: Wait
    action: WaitForAction
    onFailure: Abort
"""


def _create(client: Any, name: str = "wait", kind: str = "TEST", version: str = "1.0.0", **extra: Any) -> str:
    arn: str = client.create_workflow(name=name, semanticVersion=version, type=kind, data=DOCUMENT, **extra)[
        "workflowBuildVersionArn"
    ]
    return arn


def test_get_echoes_what_create_accepted(client: Any):
    arn = _create(client, name="Wait Here", kind="DISTRIBUTION", description="d", changeDescription="c")

    assert arn == f"{PREFIX}:workflow/distribution/wait-here/1.0.0/1"
    workflow = client.get_workflow(workflowBuildVersionArn=arn)["workflow"]
    assert {k: v for k, v in workflow.items() if k != "dateCreated"} == {
        "arn": arn,
        "name": "Wait Here",
        "version": "1.0.0",
        "description": "d",
        "changeDescription": "c",
        "type": "DISTRIBUTION",
        "owner": "123456789012",
        "data": DOCUMENT,
        "tags": {},
        "parameters": [
            {
                "name": "waitForActionAtEnd",
                "type": "boolean",
                "defaultValue": ["false"],
                "description": "wait at the end",
            }
        ],
    }


def _summary_arn_is_versionless(client: Any) -> bool:
    shape = client.meta.service_model.shape_for("WorkflowSummary").members["arn"]
    return shape.metadata.get("pattern", "").endswith("x\\.x\\.x$")


def test_versions_builds_and_lists(client: Any):
    first = _create(client)
    second = _create(client)
    other = _create(client, version="1.1.0")

    assert second.endswith("/wait/1.0.0/2")
    assert client.get_workflow(workflowBuildVersionArn=f"{PREFIX}:workflow/test/wait/x.x.x")["workflow"]["arn"] == other
    builds = client.list_workflow_build_versions(workflowVersionArn=f"{PREFIX}:workflow/test/wait/1.0.0")
    # A build summary's arn is the build's (botocore 1.44+); older models declare it versionless, x.x.x,
    # and get that form. The builds show newest first.
    if _summary_arn_is_versionless(client):
        assert [s["arn"] for s in builds["workflowSummaryList"]] == [f"{PREFIX}:workflow/test/wait/x.x.x"] * 2
    else:
        assert [s["arn"] for s in builds["workflowSummaryList"]] == [second, first]
    assert [s["dateCreated"] for s in builds["workflowSummaryList"]] == [
        client.get_workflow(workflowBuildVersionArn=arn)["workflow"]["dateCreated"] for arn in (second, first)
    ]
    listed = client.list_workflows(filters=[{"name": "type", "values": ["TEST"]}])["workflowVersionList"]
    assert [v["arn"] for v in listed] == [f"{PREFIX}:workflow/test/wait/1.0.0", f"{PREFIX}:workflow/test/wait/1.1.0"]


def test_a_wildcard_version_lists_the_builds_of_every_version_it_selects(client: Any, expect_error: Any):
    for version in ("1.0.0", "1.0.0", "1.2.0", "2.0.0"):
        _create(client, version=version)
    _create(client, name="other")
    wait = f"{PREFIX}:workflow/test/wait/"

    def versions(**params: Any) -> list[tuple[str, str]]:
        # (name, version): a build summary's arn names no build in older models (test_versions_builds_and_lists).
        found = client.list_workflow_build_versions(**params)["workflowSummaryList"]
        return [(s["name"], s["version"]) for s in found]

    # Newest first, as for one version; GetWorkflow's highest is chosen among the same builds (assumed).
    assert versions(workflowVersionArn=wait + "x.x.x") == [("wait", v) for v in ("2.0.0", "1.2.0", "1.0.0", "1.0.0")]
    assert versions(workflowVersionArn=wait + "1.x.x") == [("wait", v) for v in ("1.2.0", "1.0.0", "1.0.0")]
    assert versions(workflowVersionArn=wait + "1.2.x") == [("wait", "1.2.0")]
    assert versions(workflowVersionArn=wait + "3.x.x") == []
    assert client.get_workflow(workflowBuildVersionArn=wait + "1.x.x")["workflow"]["version"] == "1.2.0"
    # AWS's own workflows too, and no ARN at all lists every build of the caller's own (model doc, botocore 1.44).
    managed = "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/x.x.x"
    assert [name for name, _ in versions(workflowVersionArn=managed)] == ["build-image"]
    assert versions() == [
        ("other", "1.0.0"),
        ("wait", "2.0.0"),
        ("wait", "1.2.0"),
        ("wait", "1.0.0"),
        ("wait", "1.0.0"),
    ]
    # A number right of a wildcard selects nothing, as GetWorkflow refuses it.
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.list_workflow_build_versions(workflowVersionArn=wait + "1.x.0")
    expect_error(caught.value, "InvalidRequestException", 400)


def test_lists_filter_on_description_and_refuse_the_owners_the_model_says(client: Any, expect_error: Any):
    described = _create(client, description="waits for a signal").rsplit("/", 1)[0]
    _create(client, name="plain")

    found = client.list_workflows(filters=[{"name": "description", "values": ["waits for a signal"]}])
    assert [v["arn"] for v in found["workflowVersionList"]] == [described]
    # ListWorkflows' owner doc: "Image Builder rejects the Shared and ThirdParty owner values for workflows, and
    # AWSMarketplace returns no results."
    for owner in ("Shared", "ThirdParty"):
        with pytest.raises(client.exceptions.InvalidRequestException) as caught:
            client.list_workflows(owner=owner)
        expect_error(caught.value, "InvalidRequestException", 400)
        assert f"'{owner}'" in caught.value.response["Error"]["Message"]
    assert client.list_workflows(owner="AWSMarketplace")["workflowVersionList"] == []


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        ("steps: []\n", "'schemaVersion' is required"),
        ("schemaVersion: 1.0\nsteps: []\n", "'steps' must list at least one step"),
        ("schemaVersion: 1.0\nsteps:\n  - action: Wait\n", "step 1 has no 'name'"),
        ("schemaVersion: 1.0\nsteps:\n  - name: A\n", "step 'A' has no 'action'"),
        (
            "schemaVersion: 1.0\nparameters:\n  - name: p\n    type: float\nsteps:\n  - name: A\n    action: B\n",
            "parameter 'p' must have a 'type'",
        ),
        # Text that is not YAML at all: once accepted, and a build then ran the default workflow's steps.
        ("{", "it is not valid YAML (line 1: the document ends inside a flow collection)"),
        ("schemaVersion: 1.0\nsteps: [\n", "it is not valid YAML (line 2: the document ends inside a flow collection)"),
        ("schemaVersion: 1.0\nsteps: [{name: A, action: B]\n", "it is not valid YAML (line 2: expected ',' or '}'"),
    ],
)
def test_an_invalid_document_is_refused(client: Any, expect_error: Any, document: str, detail: str):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_workflow(name="wait", semanticVersion="1.0.0", type="BUILD", data=document)

    expect_error(caught.value, "InvalidRequestException", 400)
    assert detail in caught.value.response["Error"]["Message"]
    assert client.list_workflows()["workflowVersionList"] == []


@pytest.mark.parametrize(
    "steps",
    [
        "steps:\n  - name: Launch\n    action: LaunchInstance\n  - name: Stop\n    action: TerminateInstance\n",
        'steps: [{name: Launch, action: LaunchInstance}, {"name": "Stop", "action": "TerminateInstance"}]\n',
        # a flow collection over several lines, with a comment
        "steps: [  # a step a line\n  {name: Launch, action: LaunchInstance},\n"
        "  {name: Stop, action: TerminateInstance}\n]\n",
    ],
)
def test_a_build_runs_the_steps_a_workflow_document_lists_in_any_style(
    fake: Any, client: Any, make_stack: Any, steps: str
):
    workflow = client.create_workflow(
        name="two", semanticVersion="1.0.0", type="TEST", data="schemaVersion: 1.0\n" + steps
    )
    pipeline = make_stack(
        workflows=[{"workflowArn": workflow["workflowBuildVersionArn"]}],
        executionRole="arn:aws:iam::123456789012:role/r",
    ).pipeline_arn
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(7200)

    [test] = [
        e
        for e in client.list_workflow_executions(imageBuildVersionArn=build)["workflowExecutions"]
        if e["type"] == "TEST"
    ]
    ran = client.list_workflow_step_executions(workflowExecutionId=test["workflowExecutionId"])["steps"]
    assert [(step["name"], step["action"]) for step in ran] == [
        ("Launch", "LaunchInstance"),
        ("Stop", "TerminateInstance"),
    ]


def test_a_workflow_a_pipeline_uses_cannot_be_deleted(client: Any, make_stack: Any, expect_error: Any):
    arn = _create(client, kind="BUILD")
    stack = make_stack(workflows=[{"workflowArn": arn}])

    with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
        client.delete_workflow(workflowBuildVersionArn=arn)
    expect_error(caught.value, "ResourceDependencyException", 400)
    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)
    assert client.delete_workflow(workflowBuildVersionArn=arn)["workflowBuildVersionArn"] == arn


def test_aws_managed_workflows_resolve_and_list_under_amazon(client: Any):
    for kind, name in (("build", "build-image"), ("test", "test-image"), ("distribution", "distribute-image")):
        found = client.get_workflow(
            workflowBuildVersionArn=f"arn:aws:imagebuilder:us-east-1:aws:workflow/{kind}/{name}/x.x.x"
        )["workflow"]
        assert (found["name"], found["type"], found["owner"]) == (name, kind.upper(), "Amazon")
    listed = client.list_workflows(owner="Amazon")["workflowVersionList"]
    assert {w["name"] for w in listed} == {"build-image", "test-image", "distribute-image"}
    with pytest.raises(ClientError) as caught:
        client.delete_workflow(workflowBuildVersionArn=found["arn"])
    assert caught.value.response["Error"]["Code"] == "ForbiddenException"


def test_a_pipeline_or_image_naming_a_workflow_that_does_not_exist_is_refused(
    client: Any, make_stack: Any, expect_error: Any
):
    stack = make_stack()
    _create(client, kind="BUILD")
    missing = [
        f"{PREFIX}:workflow/build/absent/1.0.0/1",
        f"{PREFIX}:workflow/build/wait/2.x.x",
        f"{PREFIX}:workflow/test/wait/1.0.0",  # a BUILD workflow of that name, not a TEST one
        "arn:aws:imagebuilder:us-east-1:aws:workflow/build/no-such-workflow/x.x.x",
    ]
    for arn in missing:
        for call, params in _naming_a_workflow(client, stack, arn):
            with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
                call(**params)
            expect_error(caught.value, "ResourceNotFoundException", 404)
            assert arn in caught.value.response["Error"]["Message"]
    assert [p["arn"] for p in client.list_image_pipelines()["imagePipelineList"]] == [stack.pipeline_arn]
    assert "workflows" not in client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)["imagePipeline"]
    assert client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"] == []
    assert client.list_images()["imageVersionList"] == []
    made = client.create_image(
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        workflows=[{"workflowArn": f"{PREFIX}:workflow/build/wait/x.x.x"}],
    )
    assert made["imageBuildVersionArn"].endswith("/1")


def _naming_a_workflow(client: Any, stack: Any, arn: str) -> list[tuple[Any, dict[str, Any]]]:
    """Each call that names a workflow (a new pipeline, an update of the stack's, CreateImage), naming ``arn``."""
    common = {
        "imageRecipeArn": stack.recipe_arn,
        "infrastructureConfigurationArn": stack.infrastructure_arn,
        "workflows": [{"workflowArn": arn}],
    }
    return [
        (client.create_image_pipeline, {**common, "name": "other"}),
        (client.update_image_pipeline, {**common, "imagePipelineArn": stack.pipeline_arn}),
        (client.create_image, common),
    ]


@pytest.mark.parametrize("version", ["1.0.3/1", "1.0.3", "1.x.x"])
def test_an_aws_managed_workflow_is_named_only_at_its_latest_version(
    client: Any, make_stack: Any, expect_error: Any, version: str
):
    # aws/aws-cdk#29910: a pipeline naming build-image/1.0.1/1 refused by AWS (Status Code: 400).
    stack = make_stack()
    arn = f"arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/{version}"
    client.get_workflow(workflowBuildVersionArn=arn)  # it exists: the version is what is refused
    for call, params in _naming_a_workflow(client, stack, arn):
        with pytest.raises(ClientError) as caught:
            call(**params)
        expect_error(caught.value, "InvalidRequestException", 400)
        assert caught.value.response["Error"]["Message"] == (
            "The value supplied for parameter 'workflows' is not valid. AWS managed workflows must have latest "
            f"version 'x.x.x' for '{arn}'"
        )
    assert [p["arn"] for p in client.list_image_pipelines()["imagePipelineList"]] == [stack.pipeline_arn]
    latest = arn.split("/build-image/")[0] + "/build-image/x.x.x"
    create_pipeline, params = _naming_a_workflow(client, stack, latest)[0]
    create_pipeline(**{**params, "name": "latest"})
