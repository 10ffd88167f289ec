"""dryRun: every operation whose installed model has the member is checked as the real call is, then does nothing.

botocore 1.44's model has ``dryRun`` on eight Create operations ("Validates
the required permissions and request parameters without performing the
operation. If validation succeeds, the operation returns a
DryRunOperationException error response."); 1.40.41's has it on none, so
there the cases below skip and botocore itself refuses the member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model

REGION = "us-east-1"
PREFIX = f"arn:aws:imagebuilder:{REGION}:123456789012"
PARENT_IMAGE = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"
COMPONENT_DOCUMENT = (
    "name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n"
    "        action: ExecuteBash\n        inputs:\n          commands:\n            - echo hi\n"
)
WORKFLOW_DOCUMENT = "name: wait\nschemaVersion: 1.0\nsteps:\n  - name: Wait\n    action: WaitForAction\n"
TAGS = {"team": "web"}


def _no_prerequisites(client: Any) -> dict[str, Any]:
    return {}


def _base_infrastructure(client: Any) -> dict[str, Any]:
    """An infrastructure configuration named ``base``: its name is taken."""
    client.create_infrastructure_configuration(name="base", instanceProfileName="builder")
    return {}


def _recipe_and_infrastructure(client: Any) -> dict[str, Any]:
    """What a pipeline is made of."""
    return {
        "imageRecipeArn": client.create_image_recipe(
            name="base", semanticVersion="1.0.0", parentImage=PARENT_IMAGE, components=[{"componentArn": COMPONENT}]
        )["imageRecipeArn"],
        "infrastructureConfigurationArn": client.create_infrastructure_configuration(
            name="base", instanceProfileName="builder"
        )["infrastructureConfigurationArn"],
    }


@dataclass(frozen=True)
class Case:
    """One operation with dryRun: a call that succeeds, and one the real call refuses (and how)."""

    operation: str
    members: dict[str, Any]
    answer: str  # the output member holding the new resource's ARN
    arn: str  # the ARN the first real call makes
    refused: dict[str, Any]  # members that make the real call fail ...
    refusal: tuple[str, int]  # ... with this code and status
    needs: Callable[[Any], dict[str, Any]] = _no_prerequisites  # makes what the call uses; members naming it
    builds: bool = False  # a version made again is its next build (components, workflows), not a duplicate

    def call(self, client: Any, **members: Any) -> dict[str, Any]:
        method = getattr(client, botocore.xform_name(self.operation))
        answer: dict[str, Any] = method(**{**self.members, **members})
        return answer


CASES = [
    Case(
        "CreateComponent",
        {"name": "hello", "semanticVersion": "1.0.0", "platform": "Linux", "data": COMPONENT_DOCUMENT},
        "componentBuildVersionArn",
        f"{PREFIX}:component/hello/1.0.0/1",
        {"data": "phases: 3"},
        ("InvalidRequestException", 400),
        builds=True,
    ),
    Case(
        "CreateWorkflow",
        {"name": "wait", "semanticVersion": "1.0.0", "type": "TEST", "data": WORKFLOW_DOCUMENT},
        "workflowBuildVersionArn",
        f"{PREFIX}:workflow/test/wait/1.0.0/1",
        {"data": "steps: []"},
        ("InvalidRequestException", 400),
        builds=True,
    ),
    Case(
        "CreateImageRecipe",
        {
            "name": "web",
            "semanticVersion": "1.0.0",
            "parentImage": PARENT_IMAGE,
            "components": [{"componentArn": COMPONENT}],
        },
        "imageRecipeArn",
        f"{PREFIX}:image-recipe/web/1.0.0",
        {"components": [{"componentArn": f"{PREFIX}:component/missing/1.0.0/1"}]},
        ("ResourceNotFoundException", 404),
    ),
    Case(
        "CreateContainerRecipe",
        {
            "containerType": "DOCKER",
            "name": "web",
            "semanticVersion": "1.0.0",
            "parentImage": "amazonlinux:latest",
            "components": [{"componentArn": COMPONENT}],
            "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}\n",
            "targetRepository": {"service": "ECR", "repositoryName": "web"},
        },
        "containerRecipeArn",
        f"{PREFIX}:container-recipe/web/1.0.0",
        {"dockerfileTemplateUri": "s3://bucket/Dockerfile"},  # with the inline template: one too many
        ("InvalidRequestException", 400),
    ),
    Case(
        "CreateInfrastructureConfiguration",
        {"name": "web", "instanceProfileName": "builder"},
        "infrastructureConfigurationArn",
        f"{PREFIX}:infrastructure-configuration/web",
        {"name": "base"},  # taken by the prerequisite
        ("ResourceAlreadyExistsException", 400),
        needs=_base_infrastructure,
    ),
    Case(
        "CreateDistributionConfiguration",
        {"name": "web", "distributions": [{"region": REGION, "amiDistributionConfiguration": {}}]},
        "distributionConfigurationArn",
        f"{PREFIX}:distribution-configuration/web",
        {"distributions": [{"region": "mars-north-1", "amiDistributionConfiguration": {}}]},
        ("InvalidRequestException", 400),
    ),
    Case(
        "CreateImagePipeline",
        {"name": "web"},
        "imagePipelineArn",
        f"{PREFIX}:image-pipeline/web",
        {"infrastructureConfigurationArn": f"{PREFIX}:infrastructure-configuration/missing"},
        ("ResourceNotFoundException", 404),
        needs=_recipe_and_infrastructure,
    ),
    Case(
        "CreateLifecyclePolicy",
        {
            "name": "web",
            "executionRole": "arn:aws:iam::123456789012:role/lifecycle",
            "resourceType": "AMI_IMAGE",
            "policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 2}}],
            "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
        },
        "lifecyclePolicyArn",
        f"{PREFIX}:lifecycle-policy/web",
        {
            "policyDetails": [
                {"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 2}},
                {"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 3}},
            ]
        },
        ("InvalidRequestException", 400),
    ),
]


BUILT = [case for case in CASES if case.builds]
NAMED = [case for case in CASES if not case.builds]


def _has_dry_run(operation: str) -> bool:
    return "dryRun" in service_model().operation_model(operation).input_shape.members


def _case(request: pytest.FixtureRequest) -> Case:
    case: Case = request.param
    if not _has_dry_run(case.operation):
        pytest.skip(f"botocore {botocore.__version__}'s model has no dryRun on {case.operation}")
    return case


@pytest.fixture(params=CASES, ids=[case.operation for case in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    """Each operation with dryRun (skipped where the installed model lacks the member)."""
    return _case(request)


@pytest.fixture(params=NAMED, ids=[case.operation for case in NAMED])
def named_case(request: pytest.FixtureRequest) -> Case:
    """Each operation with dryRun whose resource a name (and version) makes unique."""
    return _case(request)


def _state(fake: FakeImageBuilder, client: Any) -> dict[str, Any]:
    """Everything the fake holds, once the caller's account and region are in use (any call, even a refused
    one, makes their empty state appear)."""
    client.list_image_recipes()
    return fake.state()


def _refused(call: Callable[[], Any]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


def test_every_operation_with_dry_run_has_a_case():
    """A model that gives another operation dryRun needs a case here (the fake honours it already)."""
    model = service_model()
    assert {op for op in model.operation_names if _has_dry_run(op)} <= {case.operation for case in CASES}


def test_a_dry_run_answers_412_and_makes_nothing(fake: FakeImageBuilder, client: Any, expect_error: Any, case: Case):
    members = case.needs(client)
    before = _state(fake, client)

    error = _refused(lambda: case.call(client, dryRun=True, clientToken="token-1", tags=TAGS, **members))

    expect_error(error, "DryRunOperationException", 412)
    assert isinstance(error, client.exceptions.DryRunOperationException)  # botocore knows the code
    assert fake.state() == before
    # The same token makes the resource for real: the dry run left no answer to replay and no fingerprint to
    # mismatch; a build of a component or workflow takes /1, the number the dry run did not spend.
    made = case.call(client, clientToken="token-1", tags=TAGS, **members)
    assert made[case.answer] == case.arn
    assert client.list_tags_for_resource(resourceArn=case.arn)["tags"] == TAGS


def test_every_operation_with_dry_run_shares_the_build_history():
    """A dry run copies the state it may change; the builds are shared where the call changes none, so a dry
    run does not cost the whole history (a model giving dryRun to another operation copies them: correct,
    slower; this says so)."""
    from fakeimagebuilder.service.service import _CREATES_OF_KINDS

    assert {op for op in service_model().operation_names if _has_dry_run(op)} <= _CREATES_OF_KINDS


def test_a_scratch_scope_shares_builds_only_when_asked(fake: FakeImageBuilder, client: Any):
    pipeline = client.create_image_pipeline(name="web", **_recipe_and_infrastructure(client))["imagePipelineArn"]
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    scope = fake.service.scopes()[0]

    shared, copied = scope.scratch(keep_builds=True), scope.scratch()

    assert shared.builds is scope.builds and shared.pipeline_builds is scope.pipeline_builds
    assert copied.builds is not scope.builds and copied.builds[build] is not scope.builds[build]
    for scratch in (shared, copied):  # what a Create changes is copied either way
        assert scratch.resources["image-pipeline"] is not scope.resources["image-pipeline"]
        assert scratch.idempotency is not scope.idempotency and len(scratch.idempotency) == len(scope.idempotency)


def test_a_dry_run_the_real_call_would_refuse_answers_the_refusal(
    fake: FakeImageBuilder, client: Any, expect_error: Any, case: Case
):
    members = case.needs(client)
    before = _state(fake, client)

    dry = _refused(lambda: case.call(client, dryRun=True, **{**members, **case.refused}))
    real = _refused(lambda: case.call(client, **{**members, **case.refused}))

    expect_error(dry, *case.refusal)
    assert dry.response["Error"]["Message"] == real.response["Error"]["Message"]
    assert fake.state() == before


def test_a_dry_run_of_a_taken_name_answers_that_it_exists(
    fake: FakeImageBuilder, client: Any, expect_error: Any, named_case: Case
):
    members = named_case.needs(client)
    named_case.call(client, **members)
    before = _state(fake, client)

    expect_error(
        _refused(lambda: named_case.call(client, dryRun=True, **members)), "ResourceAlreadyExistsException", 400
    )
    assert fake.state() == before


@pytest.mark.parametrize("case", BUILT, ids=[case.operation for case in BUILT], indirect=True)
def test_a_dry_run_of_a_made_version_spends_no_build_number(
    fake: FakeImageBuilder, client: Any, expect_error: Any, case: Case
):
    case.call(client)
    before = _state(fake, client)

    expect_error(_refused(lambda: case.call(client, dryRun=True)), "DryRunOperationException", 412)
    assert fake.state() == before
    assert case.call(client)[case.answer] == case.arn.removesuffix("/1") + "/2"


_INFRASTRUCTURE_DRY_RUN = pytest.mark.skipif(
    not _has_dry_run("CreateInfrastructureConfiguration"),
    reason=f"botocore {botocore.__version__}'s model has no dryRun on CreateInfrastructureConfiguration",
)


def _infrastructure(client: Any, **members: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.create_infrastructure_configuration(
        name="web", instanceProfileName="builder", **members
    )
    return answer


@_INFRASTRUCTURE_DRY_RUN
def test_a_dry_run_with_a_used_token_answers_as_its_replay_would(fake: FakeImageBuilder, client: Any, expect_error):
    arn = _infrastructure(client, clientToken="token-1")["infrastructureConfigurationArn"]
    before = _state(fake, client)

    # The same parameters: the real call would replay its first answer (a success), so the dry run passes.
    expect_error(
        _refused(lambda: _infrastructure(client, clientToken="token-1", dryRun=True)), "DryRunOperationException", 412
    )
    expect_error(
        _refused(lambda: _infrastructure(client, clientToken="token-1", dryRun=True, description="other")),
        "IdempotentParameterMismatchException",
        400,
    )
    assert fake.state() == before
    assert _infrastructure(client, clientToken="token-1")["infrastructureConfigurationArn"] == arn


@_INFRASTRUCTURE_DRY_RUN
def test_dry_run_false_is_the_request_without_it(fake: FakeImageBuilder, client: Any):
    arn = _infrastructure(client, clientToken="token-1", dryRun=False)["infrastructureConfigurationArn"]

    assert _infrastructure(client, clientToken="token-1")["infrastructureConfigurationArn"] == arn  # a replay
    [stored] = fake.state()["123456789012"][REGION]["infrastructureConfigurations"]
    assert "dryRun" not in stored  # a switch of the call, not a setting of the resource


@_INFRASTRUCTURE_DRY_RUN
def test_a_dry_run_needs_the_permission_the_call_needs(fake: FakeImageBuilder, client: Any, expect_error: Any):
    fake.deny("CreateInfrastructureConfiguration")

    expect_error(_refused(lambda: _infrastructure(client, dryRun=True)), "ForbiddenException", 403)


@pytest.mark.parametrize("operation", ["CreateInfrastructureConfiguration", "UpdateInfrastructureConfiguration"])
def test_a_dry_run_member_the_model_lacks_is_not_read(
    fake: FakeImageBuilder, client: Any, send_raw: Any, operation: str
):
    """The wire reads only the model's members: where an operation has no dryRun (Update always, Create in
    models before the member), one sent anyway never reaches the service, and the call acts."""
    if _has_dry_run(operation):
        pytest.skip(f"botocore {botocore.__version__}'s model has dryRun on {operation}")
    members: dict[str, Any] = {"instanceProfileName": "other", "dryRun": True, "clientToken": "t"}
    if operation.startswith("Update"):
        members["infrastructureConfigurationArn"] = _infrastructure(client)["infrastructureConfigurationArn"]
    else:
        members["name"] = "web"

    response = send_raw("PUT", f"/{operation}", members)

    assert response.status == 200
    arn = response.json()["infrastructureConfigurationArn"]
    document = client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)
    assert document["infrastructureConfiguration"]["instanceProfileName"] == "other"


@_INFRASTRUCTURE_DRY_RUN
def test_a_dry_run_writes_nothing_to_the_state_file(aws_env: None, tmp_path: Path):
    state = tmp_path / "state.journal"
    with FakeImageBuilder.from_state_file(state, speed=0) as fake:
        client = boto3.client("imagebuilder", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))
        size = state.stat().st_size
        _refused(lambda: _infrastructure(client, dryRun=True))
        assert state.stat().st_size == size
        assert fake.journal is not None
        fake.journal.close()
