"""The live-run guard on its own, against the stand-in: the model-driven classification, and enforcement on
botocore's event path (issue 8 section 1, issue 17 item 2).

Each test builds a guard the way ``AwsTarget`` does (attached to a botocore
session, so every client made from it carries the guard) and calls the
stand-in (the fake's server on loopback) through every path botocore offers.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import types
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import botocore.session
import pytest
from botocore.config import Config
from botocore.model import ServiceModel
from kit_standin import ACCOUNT, COMPONENTS, StandIn

from contract_tests.operations import BUILD_VERSION_SHAPE, classify, installed
from contract_tests.safety import RUN_TAG, Budget, BudgetExhausted, LiveGuard, RunStopped, UnsafeCall, loopback_url

PREFIX = "fibct-1234abcd-"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"


def _session(guard: LiveGuard) -> botocore.session.Session:
    session = botocore.session.Session()
    guard.attach(session)
    return session


def _client(session: botocore.session.Session, standin: StandIn, config: Config | None = None) -> Any:
    client = session.create_client(
        "imagebuilder",
        region_name="us-east-1",
        endpoint_url=standin.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )
    return client


def _their_recipe(standin: StandIn) -> str:
    """The ARN of a recipe another team made on the stand-in, outside the guard."""
    other = _client(botocore.session.Session(), standin)
    arn: str = other.create_image_recipe(
        name="prod-golden", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    return arn


def _lifecycle_policy() -> dict[str, Any]:
    """A lifecycle policy of the run's, all but its resourceSelection."""
    return {
        "name": f"{PREFIX}lp-1",
        "executionRole": f"arn:aws:iam::{ACCOUNT}:role/LifecycleRole",
        "resourceType": "AMI_IMAGE",
        "policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 1}}],
    }


@pytest.fixture
def guarded(standin: StandIn) -> Iterator[tuple[LiveGuard, Any]]:
    """A guard with a budget of 1 build, and a raw botocore client on the stand-in that carries it."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _client(_session(guard), standin)
    guard.attach(client)
    yield guard, client


def _pipeline(client: Any, name: str) -> str:
    recipe = client.create_image_recipe(name=name, semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS)
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")
    return str(
        client.create_image_pipeline(
            name=name,
            imageRecipeArn=recipe["imageRecipeArn"],
            infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        )["imagePipelineArn"]
    )


# -- the classification --------------------------------------------------------------------------


def test_every_operation_of_the_installed_model_is_classified() -> None:
    """Each operation of the installed botocore model has a class: Get/List read, the rest mutate; each
    mutating one is checked or refused; every one whose output carries a new build version ARN holds the budget."""
    model = botocore.session.get_session().get_service_model("imagebuilder")
    classification = installed()
    assert set(classification.operations) == set(model.operation_names)
    for name in model.operation_names:
        kind = classification[name]
        assert kind.read_only == name.startswith(("Get", "List")), name
        outputs = model.operation_model(name).output_shape
        carries_build = outputs is not None and any(
            shape.name == BUILD_VERSION_SHAPE for shape in outputs.members.values()
        )
        if carries_build and not kind.read_only and not name.startswith(("Cancel", "Delete")):
            assert kind.starts_build and kind.build_members, name
        if kind.read_only:
            assert not kind.starts_build, name
    starts = {name for name, kind in classification.operations.items() if kind.starts_build}
    known = {"StartImagePipelineExecution", "CreateImage", "RetryImage", "ImportVmImage", "ImportDiskImage"}
    assert known & set(model.operation_names) <= starts  # RetryImage and ImportDiskImage are newer than 1.40.41
    refused = {name for name, kind in classification.operations.items() if not kind.checked}
    assert refused == {"CancelLifecycleExecution"}  # names an execution id: nothing to check it by
    # ARN members and resource types come from the model: a component or workflow ARN names its resource.
    assert classification["TagResource"].imagebuilder_arn_members == ("resourceArn",)
    for arn in (
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/web/1.0.0/1",
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:workflow/build/web/1.0.0/1",
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:lifecycle-policy/web",
    ):
        assert [m.group("name") for m in classification.named.finditer(arn)] == ["web"], arn


def test_an_operation_added_to_the_model_is_mutating_and_refused_until_it_can_be_checked() -> None:
    """A new operation (not Get/List, naming no ARN, creating nothing deletable) is classified as mutating and
    unchecked: the guard refuses it."""
    model = botocore.session.get_session().get_service_model("imagebuilder")
    raw = dict(model._service_description)
    raw["operations"] = {
        **raw["operations"],
        "LaunchEverything": {
            "name": "LaunchEverything",
            "http": {"method": "PUT", "requestUri": "/LaunchEverything", "responseCode": 200},
            "input": {"shape": "CancelLifecycleExecutionRequest"},
            "output": {"shape": "CancelLifecycleExecutionResponse"},
        },
    }
    classification = classify(ServiceModel(raw, "imagebuilder"))
    kind = classification["LaunchEverything"]
    assert not kind.read_only and not kind.checked
    guard = LiveGuard(Budget(1), PREFIX, classification=classification)
    with pytest.raises(UnsafeCall, match="refusing LaunchEverything"):
        guard.check("LaunchEverything", {"lifecycleExecutionId": "lce-1"})


# -- enforcement on botocore's event path ----------------------------------------------------------


def test_an_unchecked_operation_is_refused_before_it_is_sent(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """CancelLifecycleExecution (mutating, nothing to check) and an operation missing from the guard's
    classification never reach the service, whichever way they are called."""
    guard, client = guarded
    with pytest.raises(UnsafeCall, match="CancelLifecycleExecution"):
        client.cancel_lifecycle_execution(lifecycleExecutionId="lce-1")
    operations = dict(guard.classification.operations)
    del operations["TagResource"]
    guard.classification = dataclasses.replace(guard.classification, operations=operations)
    ours = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-pipeline/{PREFIX}main-pipeline-1"
    with pytest.raises(UnsafeCall, match="TagResource"):
        client.tag_resource(resourceArn=ours, tags={"a": "b"})
    assert not [c for c in standin.fake.calls if c.operation in ("CancelLifecycleExecution", "TagResource")]


def test_no_way_of_calling_skips_the_guard(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """``_make_api_call``, a paginator, a second raw client of the session: each refuses what is not the run's,
    and tags on component and workflow ARNs are checked too."""
    guard, client = guarded
    theirs = _pipeline(_client(botocore.session.Session(), standin), "production")  # made without the guard
    with pytest.raises(UnsafeCall, match="did not create it"):
        client._make_api_call("DeleteImagePipeline", {"imagePipelineArn": theirs})
    with pytest.raises(UnsafeCall, match="did not create it"):
        client.start_image_pipeline_execution(imagePipelineArn=theirs)
    other = _client(_session(guard), standin)
    with pytest.raises(UnsafeCall, match="did not create it"):
        other.delete_image_pipeline(imagePipelineArn=theirs)
    for resource in ("component/web/1.0.0/1", "workflow/build/web/1.0.0/1"):
        arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:{resource}"
        with pytest.raises(UnsafeCall, match="did not create it"):
            client.tag_resource(resourceArn=arn, tags={"a": "b"})
        with pytest.raises(UnsafeCall, match="did not create it"):
            client.untag_resource(resourceArn=arn, tagKeys=["a"])
    pages = list(client.get_paginator("list_image_pipelines").paginate())  # reads pass
    assert [p["arn"] for page in pages for p in page["imagePipelineList"]] == [theirs]
    assert standin.fake.resources()["imagePipelines"] == [theirs]
    assert not standin.fake.successful("StartImagePipelineExecution")


def test_a_start_by_the_raw_client_holds_the_budget_and_is_cancelled_at_once(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A build started through ``_make_api_call`` spends the budget and is cancelled before the next call."""
    guard, client = guarded
    ours = _pipeline(client, f"{PREFIX}main-pipeline-1")
    arn = client._make_api_call("StartImagePipelineExecution", {"imagePipelineArn": ours, "clientToken": "t-1"})[
        "imageBuildVersionArn"
    ]
    assert (guard.budget.started, guard.budget.remaining, list(guard.pending)) == (1, 0, [arn])
    with pytest.raises(BudgetExhausted):
        client.start_image_pipeline_execution(imagePipelineArn=ours)
    client.list_image_pipelines()
    assert [c.params["imageBuildVersionArn"] for c in standin.fake.successful("CancelImageCreation")] == [arn]
    assert guard.pending == {}
    assert len(standin.fake.successful("StartImagePipelineExecution")) == 1


def test_the_cancel_probe_changes_nothing_and_tells_who_may_cancel(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """The up-front probe cancels a build of this run that cannot exist: ResourceNotFoundException (ledger row
    cancel-probe) lets the run go on; 403 stops it. Neither changes anything."""
    guard, client = guarded
    guard.check_may_cancel(client, "aws")
    probe = standin.fake.calls[-1]
    assert (probe.operation, probe.status, probe.answer.get("message", "")[:9]) == (
        "CancelImageCreation",
        404,
        "The image",
    )
    assert probe.params["imageBuildVersionArn"].startswith(
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/{PREFIX}probe/"
    )
    standin.fake.deny("CancelImageCreation")
    with pytest.raises(RunStopped, match="may not cancel builds"):
        guard.check_may_cancel(client, "aws")
    assert not any(standin.fake.resources().values())


# -- schedules, names, nested references (issue 17, second review) ---------------------------------


@pytest.mark.parametrize(
    "expression", ["rate(1 hour)", "cron(0 0 * * ? *)", "cron(0 12 1 1 ? 2026,2199)", "at(2030-01-01T00:00:00)"]
)
def test_a_schedule_that_could_run_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn, expression: str
) -> None:
    """A pipeline schedule starts builds no call budgets and the guard cannot cancel: CreateImagePipeline and
    UpdateImagePipeline carrying one that could fire are refused before they are sent."""
    _, client = guarded
    ours = _pipeline(client, f"{PREFIX}main-pipeline-1")
    document = client.get_image_pipeline(imagePipelineArn=ours)["imagePipeline"]
    schedule = {"scheduleExpression": expression, "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
    with pytest.raises(UnsafeCall, match="could start builds"):
        client.create_image_pipeline(
            name=f"{PREFIX}scheduled-1",
            imageRecipeArn=document["imageRecipeArn"],
            infrastructureConfigurationArn=document["infrastructureConfigurationArn"],
            schedule=schedule,
        )
    with pytest.raises(UnsafeCall, match="could start builds"):
        client.update_image_pipeline(
            imagePipelineArn=ours,
            imageRecipeArn=document["imageRecipeArn"],
            infrastructureConfigurationArn=document["infrastructureConfigurationArn"],
            schedule=schedule,
            status="ENABLED",
        )
    assert standin.fake.resources()["imagePipelines"] == [ours]
    assert not [c for c in standin.fake.calls if c.operation == "UpdateImagePipeline"]


def test_a_schedule_is_judged_in_the_timezone_furthest_ahead(standin: StandIn) -> None:
    """A cron's years are read in the schedule's timezone: on 24 December at noon UTC, a pipeline in
    Pacific/Kiritimati (UTC+14) whose cron names only next year may fire within the 7 days (its 1 January starts
    at 10:00 UTC on 31 December, still this year in UTC), so it is refused; one naming the year after passes."""
    now = dt.datetime(2026, 12, 24, 12, 0, tzinfo=dt.UTC)
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", now=lambda: now)
    params = {
        "name": f"{PREFIX}p-1",
        "imageRecipeArn": f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-recipe/{PREFIX}r-1/1.0.0",
        "infrastructureConfigurationArn": (
            f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:infrastructure-configuration/{PREFIX}i-1"
        ),
    }
    schedule = {"scheduleExpression": "cron(0 0 1 1 ? 2027)", "timezone": "Pacific/Kiritimati"}
    with pytest.raises(UnsafeCall, match="could start builds"):
        guard.check("CreateImagePipeline", {**params, "schedule": schedule})
    later = {**schedule, "scheduleExpression": "cron(0 0 1 1 ? 2028)"}
    guard.check("CreateImagePipeline", {**params, "schedule": later})


def test_a_schedule_that_cannot_run_is_allowed(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """The suite's own schedule (a cron in 2199) and any schedule of a DISABLED pipeline pass."""
    _, client = guarded
    ours = _pipeline(client, f"{PREFIX}main-pipeline-1")
    document = client.get_image_pipeline(imagePipelineArn=ours)["imagePipeline"]
    for name, schedule, status in (
        (f"{PREFIX}far-1", "cron(0 0 1 1 ? 2199)", "ENABLED"),
        (f"{PREFIX}disabled-1", "rate(1 hour)", "DISABLED"),
    ):
        client.create_image_pipeline(
            name=name,
            imageRecipeArn=document["imageRecipeArn"],
            infrastructureConfigurationArn=document["infrastructureConfigurationArn"],
            schedule={"scheduleExpression": schedule},
            status=status,
        )
    assert len(standin.fake.resources()["imagePipelines"]) == 3


_DOCUMENT = (
    "name: x\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n"
    "        inputs:\n          commands: ['echo hi']\n"
)


def test_a_creation_under_a_name_that_is_not_the_runs_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A new version inside another team's component series (or any resource not named for the run) would
    change what others get: refused. The run's own names pass."""
    _, client = guarded
    other = _client(botocore.session.Session(), standin)
    theirs = other.create_component(name="team-hardening", semanticVersion="1.0.0", platform="Linux", data=_DOCUMENT)
    with pytest.raises(UnsafeCall, match="team-hardening"):
        client.create_component(name="team-hardening", semanticVersion="9.9.9", platform="Linux", data=_DOCUMENT)
    with pytest.raises(UnsafeCall, match="names this run creates"):
        client.create_infrastructure_configuration(name="prod-infra", instanceProfileName="builder")
    ours = client.create_component(name=f"{PREFIX}c-1", semanticVersion="1.0.0", platform="Linux", data=_DOCUMENT)
    assert standin.fake.resources()["components"] == [
        theirs["componentBuildVersionArn"],
        ours["componentBuildVersionArn"],
    ]


def test_a_dry_run_is_guarded_as_the_call_it_checks(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """dryRun does not make a Create read-only: the guard classifies each operation with the member as mutating
    and creating, refuses a dry run under a name that is not the run's, and notes nothing for one it lets through
    (412, nothing made)."""
    guard, client = guarded
    model = client.meta.service_model
    with_dry_run = [op for op in model.operation_names if "dryRun" in model.operation_model(op).input_shape.members]
    if not with_dry_run:
        pytest.skip(f"botocore {botocore.__version__}'s model has no operation with dryRun")
    for name in with_dry_run:
        kind = guard.classification[name]
        assert not kind.read_only and kind.creates and kind.name_member == "name", name
    with pytest.raises(UnsafeCall, match="names this run creates"):
        client.create_infrastructure_configuration(name="prod-infra", instanceProfileName="builder", dryRun=True)
    with pytest.raises(client.exceptions.DryRunOperationException):
        client.create_infrastructure_configuration(name=f"{PREFIX}i-1", instanceProfileName="builder", dryRun=True)
    assert guard.created.snapshot() == []
    assert standin.fake.resources()["infrastructureConfigurations"] == []


def test_nested_references_and_lifecycle_selections_must_be_the_runs(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A lifecycle policy deletes what its selection picks, by itself, later: recipes must be the run's and a tag
    selection must carry the run's tag. A nested ARN (a recipe's component) of another's resource is refused;
    AWS-managed ones (account ``aws``) pass."""
    _, client = guarded
    policy = _lifecycle_policy()
    for selection in (
        {"recipes": [{"name": "prod-golden-recipe", "semanticVersion": "1.0.0"}]},
        {"tagMap": {"Team": "prod"}},
        {"tagMap": {RUN_TAG: "another-run"}},
    ):
        with pytest.raises(UnsafeCall, match="resource selection"):
            client.create_lifecycle_policy(**policy, resourceSelection=selection)
    client.create_lifecycle_policy(**policy, resourceSelection={"tagMap": {RUN_TAG: "1234abcd"}})
    foreign = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/team-hardening/1.0.0/1"
    managed = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
    with pytest.raises(UnsafeCall, match="team-hardening"):
        client.create_image_recipe(
            name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": foreign}]
        )
    client.create_image_recipe(
        name=f"{PREFIX}r-2", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": managed}]
    )
    assert len(standin.fake.resources()["lifecyclePolicies"]) == 1
    assert [a.split("/")[1] for a in standin.fake.resources()["imageRecipes"]] == [f"{PREFIX}r-2"]


@pytest.mark.parametrize("shape", [bytes, list])
def test_an_arn_that_is_not_a_string_is_refused_without_parameter_validation(
    guarded: tuple[LiveGuard, Any], standin: StandIn, shape: type
) -> None:
    """With ``parameter_validation=False`` botocore sends bytes or a list as they are: the guard refuses them
    rather than skip the ARN's check."""
    guard, _ = guarded
    other = _client(botocore.session.Session(), standin)
    theirs = other.create_infrastructure_configuration(name="prod-infra", instanceProfileName="p")[
        "infrastructureConfigurationArn"
    ]
    raw = _client(_session(guard), standin, Config(parameter_validation=False))
    value = theirs.encode() if shape is bytes else [theirs]
    with pytest.raises(UnsafeCall):
        raw.delete_infrastructure_configuration(infrastructureConfigurationArn=value)
    assert standin.fake.resources()["infrastructureConfigurations"] == [theirs]


@pytest.mark.skipif(
    "RetryImage" not in botocore.session.get_session().get_service_model("imagebuilder").operation_names,
    reason="the installed botocore model has no RetryImage",
)
def test_a_retry_builds_again_so_it_holds_the_budget_and_is_cancelled_again(standin: StandIn) -> None:
    """RetryImage runs the same build version again (no new ARN): it spends a build and is cancelled at once."""
    guard = LiveGuard(Budget(2), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _client(_session(guard), standin)
    guard.attach(client)
    ours = _pipeline(client, f"{PREFIX}retry-pipeline-1")
    arn = client.start_image_pipeline_execution(imagePipelineArn=ours)["imageBuildVersionArn"]
    client.list_image_pipelines()  # the guard cancels the build before the next call

    assert client.retry_image(imageBuildVersionArn=arn)["imageBuildVersionArn"] == arn
    assert (guard.budget.started, guard.budget.remaining, list(guard.pending)) == (2, 0, [arn])
    client.list_image_pipelines()
    assert [c.params["imageBuildVersionArn"] for c in standin.fake.successful("CancelImageCreation")] == [arn, arn]
    with pytest.raises(BudgetExhausted):
        client.retry_image(imageBuildVersionArn=arn)


@pytest.mark.parametrize("url", ["http://127.0.0.1:4010", "http://localhost:4010/", "http://[::1]:4010"])
def test_a_stand_in_on_this_machine_is_accepted(url: str):
    assert loopback_url(url) == url


@pytest.mark.parametrize("url", ["http://192.0.2.10:4010", "http://standin.localhost:4010", "https://amazonaws.com"])
def test_a_stand_in_off_this_machine_is_refused(url: str):
    # *.localhost too: glibc asks the DNS server for it, which may answer with an address off the machine.
    with pytest.raises(argparse.ArgumentTypeError, match="stand-in endpoints must be on a loopback address"):
        loopback_url(url)


# -- what a mutating call may act on, and where Image Builder may write (issue s23) ----------------


def test_a_lifecycle_tag_selection_is_exactly_the_runs_tag(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """A tagMap selects images carrying ANY of its tags (model doc of LifecyclePolicyResourceSelection; ledger row
    lifecycle-rule-evaluation): the run's tag plus another would select another team's images. Only exactly the
    run's tag, or only the run's recipes, pass; a way of selecting the guard does not know is refused."""
    guard, client = guarded
    policy = _lifecycle_policy()
    for selection in (
        {"tagMap": {RUN_TAG: "1234abcd", "team": "prod"}},
        {
            "recipes": [
                {"name": f"{PREFIX}r-1", "semanticVersion": "1.0.0"},
                {"name": "prod", "semanticVersion": "1.0.0"},
            ]
        },
    ):
        with pytest.raises(UnsafeCall, match="resource selection may pick"):
            client.create_lifecycle_policy(**policy, resourceSelection=selection)
    with pytest.raises(UnsafeCall, match="resourceArns"):
        guard.check("CreateLifecyclePolicy", {**policy, "resourceSelection": {"resourceArns": ["arn:x"]}})
    assert not standin.fake.resources().get("lifecyclePolicies")
    client.create_lifecycle_policy(
        **policy, resourceSelection={"recipes": [{"name": f"{PREFIX}r-1", "semanticVersion": "1.0.0"}]}
    )
    assert len(standin.fake.resources()["lifecyclePolicies"]) == 1


def test_the_users_references_are_used_but_never_acted_on(standin: StandIn) -> None:
    """--aws-component and --aws-parent-image (and AWS-managed resources) may be a recipe's component and parent;
    no mutating call may act on them (the targets: top-level ARN members, URI and query members, from the
    model)."""
    other = _client(botocore.session.Session(), standin)
    component = other.create_component(
        name="team-hardening", semanticVersion="1.0.0", platform="Linux", data=_DOCUMENT
    )["componentBuildVersionArn"]
    parent = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/team-golden/1.0.0/1"
    guard = LiveGuard(
        Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", references=[component, parent], sleep=lambda _: None
    )
    client = _client(_session(guard), standin)
    assert {"resourceArn"} <= set(guard.classification["TagResource"].target_members)
    assert guard.classification["DeleteComponent"].target_members == ("componentBuildVersionArn",)
    refused: list[tuple[str, dict[str, Any]]] = [
        ("TagResource", {"resourceArn": component, "tags": {"a": "b"}}),
        ("UntagResource", {"resourceArn": component, "tagKeys": ["a"]}),
        ("DeleteComponent", {"componentBuildVersionArn": component}),
        ("DeleteImage", {"imageBuildVersionArn": parent}),
        ("CancelImageCreation", {"imageBuildVersionArn": parent}),
        ("StartResourceStateUpdate", {"resourceArn": parent, "state": {"status": "DEPRECATED"}}),
    ]
    managed = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1"
    refused += [("TagResource", {"resourceArn": managed, "tags": {"a": "b"}})]
    for operation, params in refused:
        with pytest.raises(UnsafeCall, match="references"):
            client._make_api_call(operation, params)
    recipe = client.create_image_recipe(
        name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": component}]
    )
    guard.check("CreateImageRecipe", {"name": f"{PREFIX}r-2", "semanticVersion": "1.0.0", "parentImage": parent})
    assert not [c for c in standin.fake.calls if c.operation in {op for op, _ in refused}]
    assert standin.fake.resources()["components"] == [component]
    assert standin.fake.resources()["imageRecipes"] == [recipe["imageRecipeArn"]]


_OUTSIDE = {
    "launchTemplateConfigurations": [{"launchTemplateId": "lt-0123456789abcdef0", "setDefaultVersion": True}],
    "ssmParameterConfigurations": [{"parameterName": "/prod/web/golden-ami-id", "dataType": "aws:ec2:image"}],
    "s3ExportConfiguration": {"roleName": "vmimport", "diskImageFormat": "RAW", "s3Bucket": "prod-exports"},
    "fastLaunchConfigurations": [{"enabled": True, "accountId": "111122223333"}],
    "licenseConfigurationArns": [
        f"arn:aws:license-manager:us-east-1:{ACCOUNT}:license-configuration:lic-0123456789abcdef0123456789abcdef"
    ],
    "containerDistributionConfiguration": {"targetRepository": {"service": "ECR", "repositoryName": "prod-web"}},
}
_OUTSIDE_AMI = {
    "targetAccountIds": ["111122223333"],
    "launchPermission": {"userGroups": ["all"]},
}


def test_the_places_outside_image_builder_come_from_the_model() -> None:
    """Every distribution member the model documents as writing outside Image Builder (launch templates, SSM
    parameters, S3 export, fast launch, license configurations, container repositories, other accounts, launch
    permissions), and the infrastructure's SNS topic and S3 logs, are found; what the suite itself sends is not."""
    classification = installed()
    distribution = classification["CreateDistributionConfiguration"].outward["distributions"]
    assert isinstance(distribution, dict)
    assert set(_OUTSIDE) <= set(distribution) and "region" not in distribution
    ami = distribution["amiDistributionConfiguration"]
    assert isinstance(ami, dict) and set(_OUTSIDE_AMI) <= set(ami) and not {"name", "description"} & set(ami)
    infrastructure = classification["CreateInfrastructureConfiguration"].outward
    assert {"snsTopicArn", "logging"} <= set(infrastructure) and "instanceTypes" not in infrastructure
    assert "instanceProfileName" not in infrastructure
    assert classification["ImportVmImage"].source_members == ("vmImportTaskId",)
    assert "uri" in classification["ImportDiskImage"].source_members
    assert classification["PutImagePolicy"].source_members == ()  # it names a build, it makes none


def test_a_distribution_writing_outside_image_builder_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """On AWS a distribution writes to the launch templates, SSM parameters, buckets, repositories and accounts it
    names: each is refused before anything is sent, in a creation and in an update; the run's own AMI passes."""
    _, client = guarded
    plain = {"region": "us-east-1", "amiDistributionConfiguration": {"name": "fibct-{{ imagebuilder:buildDate }}"}}
    ours = client.create_distribution_configuration(name=f"{PREFIX}dist-1", distributions=[plain])[
        "distributionConfigurationArn"
    ]
    outside = [{**plain, member: value} for member, value in _OUTSIDE.items()] + [
        {**plain, "amiDistributionConfiguration": {member: value}} for member, value in _OUTSIDE_AMI.items()
    ]
    for distribution in outside:
        with pytest.raises(UnsafeCall, match="outside Image Builder"):
            client.create_distribution_configuration(name=f"{PREFIX}dist-2", distributions=[distribution])
        with pytest.raises(UnsafeCall, match="outside Image Builder"):
            client.update_distribution_configuration(distributionConfigurationArn=ours, distributions=[distribution])
    for extra in (
        {"snsTopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:prod-alerts"},
        {"logging": {"s3Logs": {"s3BucketName": "prod-logs"}}},
    ):
        with pytest.raises(UnsafeCall, match="outside Image Builder"):
            client.create_infrastructure_configuration(name=f"{PREFIX}i-1", instanceProfileName="builder", **extra)
    assert standin.fake.resources()["distributionConfigurations"] == [ours]
    assert not [c for c in standin.fake.calls if c.operation == "UpdateDistributionConfiguration"]
    assert not standin.fake.resources().get("infrastructureConfigurations")


def test_a_build_from_what_the_run_did_not_make_is_refused(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """ImportVmImage (a VM import task), ImportDiskImage (an S3 object) and DistributeImage of an AMI, an SSM
    parameter or another's image build from what the run did not make: refused before the budget is touched."""
    guard, client = guarded
    with pytest.raises(UnsafeCall, match="vmImportTaskId"):
        client.import_vm_image(
            name=f"{PREFIX}import-1",
            semanticVersion="1.0.0",
            platform="Linux",
            vmImportTaskId="import-ami-0123456789abcdef0",
        )
    # Text after one of the run's ARNs is not the run's image (the whole value must be the ARN).
    with pytest.raises(UnsafeCall, match="vmImportTaskId"):
        client.import_vm_image(
            name=f"{PREFIX}import-1",
            semanticVersion="1.0.0",
            platform="Linux",
            vmImportTaskId=f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/{PREFIX}x/1.0.0/1 import-ami-0123",
        )
    if "DistributeImage" in guard.classification.operations:
        distribution = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:distribution-configuration/{PREFIX}dist-1"
        for source in (
            "ami-0aaaabbbbccccdddd",
            "ssm:/prod/golden",
            f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/team-golden/1.0.0/1",
            "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
            f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/{PREFIX}r-1/1.0.0/1 ami-0aaaabbbbccccdddd",
        ):
            with pytest.raises(UnsafeCall, match="sourceImage"):
                client.distribute_image(
                    sourceImage=source, distributionConfigurationArn=distribution, executionRole="Role"
                )
        ours = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/{PREFIX}r-1/1.0.0/1"
        guard.check(
            "DistributeImage",
            {"sourceImage": ours, "distributionConfigurationArn": distribution, "executionRole": "Role"},
        )
    assert guard.budget.remaining == 1
    assert not [c for c in standin.fake.calls if c.operation in ("ImportVmImage", "DistributeImage")]


def test_a_mapping_or_iterator_of_any_type_is_read_or_refused(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """Without parameter validation botocore serialises any mapping and any iterable: a foreign ARN inside a
    MappingProxyType is found, and an iterator (which reading would empty) is refused."""
    guard, _ = guarded
    other = _client(botocore.session.Session(), standin)
    theirs = other.create_component(name="team-secret", semanticVersion="1.0.0", platform="Linux", data=_DOCUMENT)[
        "componentBuildVersionArn"
    ]
    raw = _client(_session(guard), standin, Config(parameter_validation=False))
    common = {"semanticVersion": "1.0.0", "parentImage": PARENT}
    with pytest.raises(UnsafeCall, match="team-secret"):
        raw.create_image_recipe(
            name=f"{PREFIX}r-1", components=[types.MappingProxyType({"componentArn": theirs})], **common
        )
    with pytest.raises(UnsafeCall, match="cannot read"):
        raw.create_image_recipe(name=f"{PREFIX}r-2", components=iter([{"componentArn": theirs}]), **common)
    assert not standin.fake.resources().get("imageRecipes")


def test_what_is_sent_is_checked_after_every_hook(guarded: tuple[LiveGuard, Any], standin: StandIn) -> None:
    """A handler of the run's client that rewrites the serialized request (before-sign, or a more specific
    before-send) after the parameters were checked: the guard reads the request back as it leaves and refuses a
    foreign ARN in it, or a target other than the one the call named."""
    _, client = guarded
    theirs = _their_recipe(standin)
    mine = client.create_image_recipe(
        name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    also_mine = mine.replace(f"{PREFIX}r-1", f"{PREFIX}r-2")

    def swap_to(arn: str) -> Any:
        def swap(request: Any, **kwargs: Any) -> None:
            request.url = request.url.replace(quote(mine, safe=""), quote(arn, safe=""))

        return swap

    client.meta.events.register("before-sign.imagebuilder.DeleteImageRecipe", swap_to(theirs), unique_id="t-sign")
    with pytest.raises(UnsafeCall, match="prod-golden"):
        client.delete_image_recipe(imageRecipeArn=mine)
    client.meta.events.unregister("before-sign.imagebuilder.DeleteImageRecipe", unique_id="t-sign")
    client.meta.events.register("before-send.imagebuilder.DeleteImageRecipe", swap_to(also_mine), unique_id="t-send")
    with pytest.raises(UnsafeCall, match="not what the call named"):
        client.delete_image_recipe(imageRecipeArn=mine)
    client.meta.events.unregister("before-send.imagebuilder.DeleteImageRecipe", unique_id="t-send")

    def add_component(request: Any, **kwargs: Any) -> None:
        body = json.loads(request.body)
        body["components"] = [{"componentArn": f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/team/1.0.0/1"}]
        request.body = json.dumps(body).encode()

    client.meta.events.register("before-send.imagebuilder.CreateImageRecipe", add_component, unique_id="t-body")
    with pytest.raises(UnsafeCall, match="team"):
        client.create_image_recipe(
            name=f"{PREFIX}r-3", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
        )
    assert sorted(standin.fake.resources()["imageRecipes"]) == sorted([theirs, mine])
    assert not [c for c in standin.fake.calls if c.operation == "DeleteImageRecipe"]


def test_a_start_refused_as_it_leaves_gives_its_build_back(standin: StandIn) -> None:
    """A start the last check refuses was never sent: its budget is given back, nothing is replayed, and the
    next call goes on."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _client(_session(guard), standin)
    guard.attach(client)
    ours = _pipeline(client, f"{PREFIX}main-pipeline-1")
    theirs = _pipeline(_client(botocore.session.Session(), standin), "production")

    def redirect(request: Any, **kwargs: Any) -> None:
        request.body = request.body.replace(ours.encode(), theirs.encode())

    client.meta.events.register("before-send.imagebuilder.StartImagePipelineExecution", redirect, unique_id="t")
    with pytest.raises(UnsafeCall, match="production"):
        client.start_image_pipeline_execution(imagePipelineArn=ours)
    assert (guard.budget.remaining, guard.unanswered, guard.created.unanswered) == (1, [], [])
    client.list_image_pipelines()
    assert not standin.fake.successful("StartImagePipelineExecution")


def test_a_member_repeated_where_the_model_does_not_bind_it_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A rewritten request naming a foreign resource where the model binds the member (query string, URI label)
    and the run's own in another location (the JSON body, an extra query parameter): the guard does not know which
    copy the service reads, so it refuses the request; the foreign resource is untouched."""
    _, client = guarded
    other = _client(botocore.session.Session(), standin)
    theirs = _their_recipe(standin)
    mine = theirs.replace("prod-golden", f"{PREFIX}r-1")

    def body_copy(request: Any, **kwargs: Any) -> None:
        request.url = request.url.replace(quote(mine, safe=""), quote(theirs, safe=""))
        body = json.loads(request.data or b"{}")
        body["imageRecipeArn" if "imageRecipeArn" in request.url else "resourceArn"] = mine
        request.data = json.dumps(body).encode()

    def query_copy(request: Any, **kwargs: Any) -> None:
        request.url = request.url.replace(quote(mine, safe=""), quote(theirs, safe="")) + "?resourceArn=" + quote(
            mine, safe=""
        )

    client.meta.events.register("before-sign.imagebuilder.DeleteImageRecipe", body_copy, unique_id="t-1")
    with pytest.raises(UnsafeCall, match=r"cannot be read back.*imageRecipeArn"):
        client.delete_image_recipe(imageRecipeArn=mine)
    client.meta.events.register("before-sign.imagebuilder.TagResource", body_copy, unique_id="t-2")
    with pytest.raises(UnsafeCall, match=r"cannot be read back.*resourceArn"):
        client.tag_resource(resourceArn=mine, tags={"owner": "x"})
    client.meta.events.unregister("before-sign.imagebuilder.TagResource", unique_id="t-2")
    client.meta.events.register("before-sign.imagebuilder.TagResource", query_copy, unique_id="t-3")
    with pytest.raises(UnsafeCall, match=r"cannot be read back.*resourceArn"):
        client.tag_resource(resourceArn=mine, tags={"owner": "x"})
    assert standin.fake.resources()["imageRecipes"] == [theirs]
    assert other.list_tags_for_resource(resourceArn=theirs)["tags"] == {}


@pytest.mark.parametrize("attach_client", [True, False])
def test_a_handler_registered_after_the_guard_cannot_rewrite_what_it_approved(
    standin: StandIn, attach_client: bool
) -> None:
    """A before-send handler registered last after the guard (on a client of the guarded session, or on a client
    the guard was attached to) runs after the guard's handler: the request is checked again as the endpoint sends
    it, so a rewrite to a foreign target is refused, and a start refused there gives its build back."""
    guard = LiveGuard(Budget(1), PREFIX, account=ACCOUNT, region="us-east-1", sleep=lambda _: None)
    client = _client(_session(guard), standin)
    if attach_client:
        guard.attach(client)
    other = _client(botocore.session.Session(), standin)
    theirs = _their_recipe(standin)
    mine = theirs.replace("prod-golden", f"{PREFIX}r-1")

    def swap(request: Any, **kwargs: Any) -> None:
        request.url = request.url.replace(quote(mine, safe=""), quote(theirs, safe=""))

    client.meta.events.register_last("before-send", swap, unique_id="t-late")
    with pytest.raises(UnsafeCall, match="prod-golden"):
        client.delete_image_recipe(imageRecipeArn=mine)
    client.meta.events.unregister("before-send", unique_id="t-late")
    ours = _pipeline(client, f"{PREFIX}main-pipeline-1")
    pipeline = _pipeline(other, "production")

    def redirect(request: Any, **kwargs: Any) -> None:
        request.body = request.body.replace(ours.encode(), pipeline.encode())

    client.meta.events.register_last("before-send", redirect, unique_id="t-late-start")
    with pytest.raises(UnsafeCall, match="production"):
        client.start_image_pipeline_execution(imagePipelineArn=ours)
    assert (guard.budget.remaining, guard.unanswered, guard.created.unanswered) == (1, [], [])
    assert theirs in standin.fake.resources()["imageRecipes"]
    assert not standin.fake.successful("StartImagePipelineExecution")


def _outward_paths(where: Any, path: str = "") -> set[str]:
    found: set[str] = set()
    for member, inside in where.items():
        at = f"{path}.{member}" if path else member
        found |= {at} if inside is None else _outward_paths(inside, at)
    return found


def test_log_groups_and_scan_repositories_are_outside_on_every_supported_model() -> None:
    """Log groups and the scan repository name a place of another service however the installed model words their
    documentation (botocore 1.40 does not say Image Builder writes there): each operation taking them flags them
    (a log group member, or the logging structure holding it), DistributeImage's logging too."""
    classification = installed()
    checked = 0
    for name, kind in classification.operations.items():
        if kind.read_only:
            continue
        inputs = botocore.session.get_session().get_service_model("imagebuilder").operation_model(name).input_shape
        members = inputs.members if inputs is not None else {}
        paths = _outward_paths(kind.outward)
        if "loggingConfiguration" in members:
            logging_members = members["loggingConfiguration"].members
            for member in logging_members:
                if member.endswith(("LogGroupName", "logGroupName")):
                    checked += 1
                    assert {"loggingConfiguration", f"loggingConfiguration.{member}"} & paths, (name, member)
        if "imageScanningConfiguration" in members:
            checked += 1
            assert {
                "imageScanningConfiguration",
                "imageScanningConfiguration.ecrConfiguration",
                "imageScanningConfiguration.ecrConfiguration.repositoryName",
            } & paths, name
    assert checked >= 4  # CreateImage, CreateImagePipeline, UpdateImagePipeline have both


_LOUD_STEPS = {
    "ModifyImageAttributes": "launchPermission:\n        userIds: ['210987654321']",
    "ApplyImageConfigurations": "s3ExportConfiguration:\n        - s3Bucket: other-teams-bucket",
    "ExecuteStateMachine": "stateMachineArn: arn:aws:states:us-east-1:210987654321:stateMachine:theirs",
    "SomeActionAddedLater": "x: 1",
}


def test_a_workflow_that_could_write_outside_image_builder_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A workflow document whose step action is not known to stay inside Image Builder (sharing, exporting, a
    state machine, an action the guard does not know), one the guard cannot read (an S3 uri), and workflow
    parameter values naming an account or another service's ARN are refused; the suite's own workflows pass."""
    _, client = guarded
    common = {"semanticVersion": "1.0.0", "type": "DISTRIBUTION"}
    for action, inputs in _LOUD_STEPS.items():
        data = f"name: w\nschemaVersion: 1.0\nsteps:\n  - name: S\n    action: {action}\n    inputs:\n      {inputs}\n"
        with pytest.raises(UnsafeCall, match=action):
            client.create_workflow(name=f"{PREFIX}wf-1", data=data, **common)
    with pytest.raises(UnsafeCall, match="cannot read a workflow document"):
        client.create_workflow(name=f"{PREFIX}wf-1", uri="s3://bucket/workflow.yaml", **common)
    quiet = "name: w\nschemaVersion: 1.0\nsteps:\n  - name: WaitForApproval\n    action: WaitForAction\n"
    workflow = client.create_workflow(name=f"{PREFIX}wf-2", data=quiet, semanticVersion="1.0.0", type="TEST")[
        "workflowBuildVersionArn"
    ]
    recipe = client.create_image_recipe(
        name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name=f"{PREFIX}i-1", instanceProfileName="builder")
    for value in ("210987654321", "arn:aws:sns:us-east-1:210987654321:theirs"):
        with pytest.raises(UnsafeCall, match="parameter"):
            client.create_image_pipeline(
                name=f"{PREFIX}p-1",
                imageRecipeArn=recipe,
                infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
                workflows=[{"workflowArn": workflow, "parameters": [{"name": "target", "value": [value]}]}],
            )
    assert [c.operation for c in standin.fake.calls if c.operation in ("CreateWorkflow", "CreateImagePipeline")] == [
        "CreateWorkflow"
    ]


def test_a_resource_policy_naming_another_principal_is_refused(
    guarded: tuple[LiveGuard, Any], standin: StandIn
) -> None:
    """A resource policy shares the run's resource as a launch permission would: one naming another account, any
    principal (*), a service, or a principal the guard cannot read is refused; the run's own account passes."""
    _, client = guarded
    arn = client.create_image_recipe(
        name=f"{PREFIX}r-1", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]

    def policy(principal: Any) -> str:
        statement = {"Effect": "Allow", "Principal": principal, "Action": ["imagebuilder:GetImageRecipe"]}
        return json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Resource": [arn]}]})

    for principal in (
        {"AWS": ["210987654321"]},
        {"AWS": [ACCOUNT, "arn:aws:iam::210987654321:root"]},
        "*",
        {"AWS": "*"},
        {"Service": "ec2.amazonaws.com"},
        None,
    ):
        with pytest.raises(UnsafeCall, match="principals"):
            client.put_image_recipe_policy(imageRecipeArn=arn, policy=policy(principal))
    assert not standin.fake.successful("PutImageRecipePolicy")
    client.put_image_recipe_policy(imageRecipeArn=arn, policy=policy({"AWS": [ACCOUNT]}))
