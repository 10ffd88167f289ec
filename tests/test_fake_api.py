"""The knobs of FakeImageBuilder itself: configure() on a running fake, and refused values."""

from __future__ import annotations

import math
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.fake import KEEP
from fakeimagebuilder.wire import HttpRequest


def _start_error(client: Any, arn: str) -> str | None:
    try:
        client.start_image_pipeline_execution(imagePipelineArn=arn)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def test_configure_changes_the_named_knobs_of_a_running_fake(fake: FakeImageBuilder, client: Any, stack: Any):
    client.update_image_pipeline(
        imagePipelineArn=stack.pipeline_arn,
        imageRecipeArn=stack.recipe_arn,
        infrastructureConfigurationArn=stack.infrastructure_arn,
        status="DISABLED",
    )
    assert _start_error(client, stack.pipeline_arn) == "InvalidRequestException"

    fake.configure(disabled_pipeline_error="ResourceInUseException")
    assert _start_error(client, stack.pipeline_arn) == "ResourceInUseException"

    fake.configure(disabled_pipeline_error=None, max_concurrent_builds=1)
    assert _start_error(client, stack.pipeline_arn) is None
    assert _start_error(client, stack.pipeline_arn) == "ResourceInUseException"


def test_configure_leaves_knobs_it_is_not_given(fake: FakeImageBuilder):
    plan = BuildPlan.lasting(60, outcome="FAILED")
    fake.configure(account_id="111122223333", build_plan=plan, max_concurrent_builds=2)
    fake.configure(disabled_pipeline_error=None, account_id=KEEP)

    assert fake.account_id == "111122223333"
    assert fake.settings.build_plan == plan
    assert fake.settings.max_concurrent_builds == 2
    assert fake.settings.disabled_pipeline_error is None


def test_configure_changes_the_account_of_unmapped_callers(fake: FakeImageBuilder, client: Any):
    fake.configure(account_id="111122223333")
    arn = client.create_infrastructure_configuration(name="infra", instanceProfileName="builder")[
        "infrastructureConfigurationArn"
    ]
    assert ":111122223333:" in arn


@pytest.mark.parametrize("code", ["NoSuchError", "ValidationException"])
def test_an_unmodeled_error_code_is_refused_everywhere(code: str):
    with pytest.raises(ValueError, match="disabled_pipeline_error must be None or one of"):
        FakeImageBuilder(disabled_pipeline_error=code)
    fake = FakeImageBuilder()
    with pytest.raises(ValueError, match="disabled_pipeline_error must be None or one of"):
        fake.configure(disabled_pipeline_error=code)
    with pytest.raises(ValueError, match="not a modeled Image Builder error"):
        fake.fail_next("StartImagePipelineExecution", code)
    assert fake.settings.disabled_pipeline_error == "InvalidRequestException"


def test_state_shows_images_as_get_image_does(fake: FakeImageBuilder, client: Any, stack: Any):
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]

    [image] = fake.state()["123456789012"]["us-east-1"]["images"]

    assert image == client.get_image(imageBuildVersionArn=arn)["image"]
    assert "distributionConfiguration" not in image  # the pipeline has none: no null member either


@pytest.mark.parametrize(
    ("knobs", "says"),
    [
        ({"account_id": "1234"}, "account_id must be a 12-digit string, not '1234'"),
        ({"account_id": 123456789012}, "a 12-digit string such as '123456789012', not the int 123456789012"),
        ({"max_concurrent_builds": 0}, "int >= 1"),
        ({"max_concurrent_builds": True}, "int >= 1"),
        ({"disabled_pipeline_error": "ServiceQuotaExceededException"}, "one of"),  # modeled, but not for a start
    ],
)
def test_knobs_the_fake_cannot_use_are_refused_by_constructor_and_configure(knobs: dict[str, Any], says: str):
    with pytest.raises(ValueError, match=says):
        FakeImageBuilder(**knobs)
    fake = FakeImageBuilder(max_concurrent_builds=3)
    with pytest.raises(ValueError, match=says):
        fake.configure(**knobs)
    assert (fake.account_id, fake.settings.max_concurrent_builds) == ("123456789012", 3)
    assert fake.settings.disabled_pipeline_error == "InvalidRequestException"


@pytest.mark.parametrize(
    ("knob", "says"),
    [
        (lambda fake: fake.fail_next("list-image-pipelines", "ServiceException"), "did you mean 'ListImagePipelines'"),
        (lambda fake: fake.fail_next("GetImage", "ServiceException", times=1.5), "times must be an int >= 1"),
        (lambda fake: fake.fail_next("GetImage", "ServiceException", times=0), "times must be an int >= 1"),
        (lambda fake: fake.fail_next("GetImage", "ServiceException", times=True), "times must be an int >= 1"),
        (lambda fake: fake.fail_next("GetImage", "ServiceException", message=7), "message must be None or a string"),
        (lambda fake: fake.set_rate_limit("list-image-pipelines", 1), "did you mean 'ListImagePipelines'"),
        (lambda fake: fake.set_rate_limit("start_image_pipeline_execution", 1), "'StartImagePipelineExecution'"),
        (lambda fake: fake.set_rate_limit("GetImagePipelines", 1), "did you mean 'GetImagePipeline'"),
        (lambda fake: fake.set_rate_limit("GetImage", math.nan), "rate must be a finite number >= 0, not nan"),
        (lambda fake: fake.set_rate_limit("GetImage", math.inf), "rate must be a finite number >= 0"),
        (lambda fake: fake.set_rate_limit("GetImage", -1), "rate must be a finite number >= 0"),
        (lambda fake: fake.set_rate_limit("GetImage", 1, burst=-1), "burst must be a finite number >= 0"),
        (lambda fake: fake.set_rate_limit("GetImage", 1, burst=math.nan), "burst must be a finite number >= 0"),
        (lambda fake: fake.fail_next("GetImage", "ServiceException", message="\ud800"), "valid Unicode text"),
        (lambda fake: fake.set_build_plan(BuildPlan(failure_reason="bad \ud800 {status}")), "valid Unicode text"),
        (lambda fake: fake.set_rate_limit("GetImage", 10**400), "rate must be a finite number >= 0"),
        (lambda fake: fake.set_rate_limit("GetImage", 1, burst=10**400), "burst must be a finite number >= 0"),
        (lambda fake: fake.deny("getimage"), "did you mean 'GetImage'"),
        (lambda fake: fake.deny("NoSuchThingAtAll"), "is not an Image Builder operation"),
        (lambda fake: fake.deny("GetImage", account_id="1234"), "account_id must be a 12-digit string"),
    ],
)
def test_fault_throttle_and_deny_knobs_refuse_what_they_cannot_use(knob: Any, says: str):
    fake = FakeImageBuilder()

    with pytest.raises(ValueError, match=says):
        knob(fake)

    # Nothing was half-applied: no fault waits, no bucket or rule throttles or denies.
    assert fake.pending_faults("GetImage") == 0
    assert fake.handle(HttpRequest("POST", "/ListImagePipelines")).status == 200


@pytest.mark.parametrize("given", ["FAILED", {"outcome": "FAILED"}, None, BuildPlan])
@pytest.mark.parametrize(
    ("use", "name"),
    [
        (lambda fake, plan: fake.set_build_plan(plan), "plan"),
        (lambda fake, plan: fake.set_build_plan(plan, pipeline_arn="arn:x"), "plan"),
        (lambda fake, plan: fake.configure(build_plan=plan), "build_plan"),
        (lambda fake, plan: FakeImageBuilder(build_plan=plan or "FAILED"), "build_plan"),  # None: the default
    ],
)
def test_a_build_plan_that_is_not_one_is_named(use: Any, name: str, given: Any):
    # Else dataclasses refuses it: "must be called with a dataclass type or instance", naming neither.
    with pytest.raises(TypeError, match=f"^{name} must be a BuildPlan such as BuildPlan\\(outcome='FAILED'\\), not "):
        use(FakeImageBuilder(), given)


def test_many_injected_faults_cost_no_more_than_one():
    fake = FakeImageBuilder()

    fake.fail_next("GetImage", "ServiceException", times=10**12)
    fake.fail_next("GetImage", "ServiceUnavailableException")

    assert fake.pending_faults("GetImage") == 10**12 + 1


def test_knobs_are_configure_s_as_they_are_now():
    fake = FakeImageBuilder()
    plan = BuildPlan(outcome="FAILED", durations={"BUILDING": 5})
    fake.configure(max_concurrent_builds=2, build_plan=plan, allow_unknown_regions=True, account_id="111122223333")
    knobs = fake.knobs()
    assert knobs == {
        **FakeImageBuilder().knobs(),
        "max_concurrent_builds": 2,
        "build_plan": plan.fields(),
        "allow_unknown_regions": True,
        "account_id": "111122223333",
    }
    knobs["build_plan"]["outcome"] = "AVAILABLE"  # a copy: changing it changes nothing
    assert fake.settings.build_plan.outcome == "FAILED"


def test_a_build_plan_s_fields_make_the_same_plan():
    plan = BuildPlan.lasting(60, outcome="FAILED", fail_step="ApplyTestComponents", failure_reason="no {status}")
    fields = plan.fields()
    assert type(fields["durations"]) is dict and fields["fail_step"] == "ApplyTestComponents"
    assert BuildPlan.from_fields(fields) == plan
    assert BuildPlan.from_fields({}) == BuildPlan()


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (["FAILED"], "plan must be an object of BuildPlan's fields (durations, outcome, fail_during, failure_reason"),
        ({"outcom": "FAILED"}, "plan has no field 'outcom'; BuildPlan's fields are durations, outcome"),
        ({"durations": "BUILDING"}, "plan.durations must be an object of status -> seconds"),
        ({"durations": 5}, "plan.durations must be an object of status -> seconds"),
        ({"outcome": 5}, "plan: outcome must be AVAILABLE or FAILED"),
        ({"fail_step": "run tests"}, "plan: fail_step must be a workflow step name (a letter, then 1 to 99"),
    ],
)
def test_build_plan_fields_it_cannot_use_are_refused(fields: Any, says: str):
    with pytest.raises(ValueError) as refused:
        BuildPlan.from_fields(fields)
    assert says in str(refused.value)
