"""The nine modeled errors of StartImagePipelineExecution, each reached through boto3 by its natural trigger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakeimagebuilder.model import service_model

START = "StartImagePipelineExecution"
OTHER_ACCOUNT = "210987654321"
# "max_attempts" counts retries after the first try; "total_max_attempts" counts every attempt.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


# A trigger sets the scene and returns the parameters of the start that must fail, and a
# fragment of the message it must carry.
Trigger = Callable[[Any, Any, str], tuple[dict[str, Any], str]]


def _not_found(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    missing = arn.replace("/web", "/never-created")
    return {"imagePipelineArn": missing}, missing


def _mismatch(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="reused")
    return {"imagePipelineArn": arn, "clientToken": "reused", "tags": {"other": "tags"}}, "reused"


def _disabled(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    pipeline = client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    client.update_image_pipeline(
        imagePipelineArn=arn,
        imageRecipeArn=pipeline["imageRecipeArn"],
        infrastructureConfigurationArn=pipeline["infrastructureConfigurationArn"],
        status="DISABLED",
    )
    return {"imagePipelineArn": arn}, "disabled"


def _in_use(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    client.start_image_pipeline_execution(imagePipelineArn=arn)
    return {"imagePipelineArn": arn}, "in progress"


def _other_account(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    return {"imagePipelineArn": arn.replace("123456789012", OTHER_ACCOUNT)}, "not authorized"


def _other_region(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    return {"imagePipelineArn": arn.replace("us-east-1", "eu-west-1")}, "eu-west-1"


def _throttled(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
    fake.set_rate_limit(START, rate=1, burst=1)
    client.start_image_pipeline_execution(imagePipelineArn=arn)
    return {"imagePipelineArn": arn}, "request rate"


def _injected(code: str) -> Trigger:
    def inject(client: Any, fake: Any, arn: str) -> tuple[dict[str, Any], str]:
        fake.fail_next(START, code, message=f"injected {code}")
        return {"imagePipelineArn": arn}, f"injected {code}"

    return inject


# code, status, fake settings, trigger
NATURAL_TRIGGERS: list[tuple[str, int, dict[str, Any], Trigger]] = [
    ("ResourceNotFoundException", 404, {}, _not_found),
    ("IdempotentParameterMismatchException", 400, {}, _mismatch),
    ("InvalidRequestException", 400, {}, _disabled),
    ("ResourceInUseException", 400, {"max_concurrent_builds": 1}, _in_use),
    ("ForbiddenException", 403, {}, _other_account),
    ("ClientException", 400, {}, _other_region),
    ("CallRateLimitExceededException", 429, {}, _throttled),
    ("ServiceException", 500, {}, _injected("ServiceException")),
    ("ServiceUnavailableException", 503, {}, _injected("ServiceUnavailableException")),
]


def test_the_table_covers_every_modeled_error_of_start():
    modeled = {shape.name for shape in service_model().operation_model(START).error_shapes}
    assert {row[0] for row in NATURAL_TRIGGERS} == modeled
    for code, status, _, _ in NATURAL_TRIGGERS:
        assert service_model().shape_for(code).metadata["error"]["httpStatusCode"] == status


@pytest.mark.parametrize(
    ("fake", "code", "status", "trigger"),
    [pytest.param(settings, code, status, trigger, id=code) for code, status, settings, trigger in NATURAL_TRIGGERS],
    indirect=["fake"],
)
def test_each_modeled_error_reaches_boto3(
    fake: Any, client: Any, stack: Any, expect_error: Any, count_images: Any, code: str, status: int, trigger: Trigger
):
    params, fragment = trigger(client, fake, stack.pipeline_arn)
    builds_before = count_images()

    with pytest.raises(ClientError) as caught:
        client.start_image_pipeline_execution(**params)

    expect_error(caught.value, code, status)
    assert isinstance(caught.value, getattr(client.exceptions, code))
    assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == code
    assert fragment in caught.value.response["message"]
    assert count_images() == builds_before


def test_missing_or_deleted_pipeline_is_not_found(client: Any, stack: Any, expect_error: Any, count_images: Any):
    never = stack.pipeline_arn.replace("/web", "/nothing-here")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=never)
    expect_error(caught.value, "ResourceNotFoundException", 404)
    assert never in caught.value.response["message"]

    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    client.delete_image_pipeline(imagePipelineArn=stack.pipeline_arn)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    expect_error(caught.value, "ResourceNotFoundException", 404)
    assert count_images() == 1  # the build made before the delete stays; none was added


@pytest.mark.parametrize(
    ("fake", "refused"),
    [pytest.param({}, True, id="default"), pytest.param({"disabled_pipeline_error": None}, False, id="switched-off")],
    indirect=["fake"],
)
def test_disabled_pipeline_is_refused_unless_switched_off(
    fake: Any, client: Any, make_stack: Any, expect_error: Any, count_images: Any, refused: bool
):
    arn = make_stack(status="DISABLED").pipeline_arn
    assert client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["status"] == "DISABLED"

    if refused:
        with pytest.raises(client.exceptions.InvalidRequestException) as caught:
            client.start_image_pipeline_execution(imagePipelineArn=arn)
        expect_error(caught.value, "InvalidRequestException", 400)
        assert arn in caught.value.response["message"]
        assert count_images() == 0
    else:
        built = client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
        assert built.endswith("/web/1.0.0/1")


@pytest.mark.parametrize("fake", [{"max_concurrent_builds": 1}], indirect=True)
def test_busy_pipeline_is_in_use(fake: Any, client: Any, make_stack: Any, expect_error: Any):
    busy = make_stack("busy").pipeline_arn
    idle = make_stack("idle").pipeline_arn
    first = client.start_image_pipeline_execution(imagePipelineArn=busy)["imageBuildVersionArn"]

    with pytest.raises(client.exceptions.ResourceInUseException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=busy)
    expect_error(caught.value, "ResourceInUseException", 400)
    # The limit is per pipeline.
    client.start_image_pipeline_execution(imagePipelineArn=idle)

    # A cancelled build no longer counts; neither does a finished one.
    client.cancel_image_creation(imageBuildVersionArn=first)
    second = client.start_image_pipeline_execution(imagePipelineArn=busy)["imageBuildVersionArn"]
    assert second.endswith("/busy/1.0.0/2")
    fake.advance(3600)
    client.start_image_pipeline_execution(imagePipelineArn=busy)


@pytest.mark.parametrize("fake", [{"max_concurrent_builds": 1}], indirect=True)
@pytest.mark.skipif(
    "RetryImage" not in service_model().operation_names, reason="the installed botocore model has no RetryImage"
)
def test_retrying_a_build_of_a_busy_pipeline_is_in_use(fake: Any, client: Any, stack: Any, expect_error: Any):
    """A retry makes one more build in progress, as a start does: refused at the limit, nothing changed."""
    first = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    client.cancel_image_creation(imageBuildVersionArn=first)
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    with pytest.raises(client.exceptions.ResourceInUseException) as caught:
        client.retry_image(imageBuildVersionArn=first)
    expect_error(caught.value, "ResourceInUseException", 400)
    assert client.get_image(imageBuildVersionArn=first)["image"]["state"]["status"] == "CANCELLED"

    fake.advance(3600)  # the other build has finished: room for the retry
    client.retry_image(imageBuildVersionArn=first)
    assert client.get_image(imageBuildVersionArn=first)["image"]["state"]["status"] != "CANCELLED"


def test_busy_pipeline_is_not_limited_by_default(client: Any, stack: Any):
    starts = [client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn) for _ in range(3)]
    assert len({start["imageBuildVersionArn"] for start in starts}) == 3


@pytest.mark.parametrize("fake", [{"accounts": {"OTHERKEY": OTHER_ACCOUNT}}], indirect=True)
def test_other_account_is_forbidden(fake: Any, client: Any, stack: Any, expect_error: Any, count_images: Any):
    foreign = stack.pipeline_arn.replace("123456789012", OTHER_ACCOUNT)
    with pytest.raises(client.exceptions.ForbiddenException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=foreign)
    expect_error(caught.value, "ForbiddenException", 403)
    assert foreign in caught.value.response["message"]

    # The access key OTHERKEY belongs to the other account: it may start its own pipeline, not ours.
    other = boto3.client(
        "imagebuilder",
        region_name="us-east-1",
        aws_access_key_id="OTHERKEY",
        aws_secret_access_key="x",
        config=NO_RETRIES,
    )
    recipe = other.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/al2/x.x.x",
        # The oldest supported model (botocore 1.40.41) requires a recipe's components.
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    infra = other.create_infrastructure_configuration(name="web", instanceProfileName="p")
    assert (
        other.create_image_pipeline(
            name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
        )["imagePipelineArn"]
        == foreign
    )
    other.start_image_pipeline_execution(imagePipelineArn=foreign)
    with pytest.raises(other.exceptions.ForbiddenException):
        other.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    # A deny rule refuses the callers of one account ...
    fake.deny(START, account_id=OTHER_ACCOUNT)
    with pytest.raises(other.exceptions.ForbiddenException) as caught:
        other.start_image_pipeline_execution(imagePipelineArn=foreign)
    expect_error(caught.value, "ForbiddenException", 403)
    other.get_image_pipeline(imagePipelineArn=foreign)  # only the denied operation
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    # ... or everyone.
    fake.deny(START)
    with pytest.raises(client.exceptions.ForbiddenException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    expect_error(caught.value, "ForbiddenException", 403)
    assert count_images() == 2


@pytest.mark.parametrize(
    "foreign",
    [
        pytest.param("arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/web", id="region"),
        pytest.param("arn:aws-cn:imagebuilder:us-east-1:123456789012:image-pipeline/web", id="partition"),
    ],
)
def test_other_region_is_a_client_exception(client: Any, stack: Any, expect_error: Any, foreign: str):
    with pytest.raises(client.exceptions.ClientException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=foreign)
    expect_error(caught.value, "ClientException", 400)
    assert "us-east-1" in caught.value.response["message"]


def test_rate_limit_throttles(fake: Any, client: Any, stack: Any, expect_error: Any, count_images: Any):
    fake.set_rate_limit(START, rate=0.5, burst=2)
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)

    with pytest.raises(client.exceptions.CallRateLimitExceededException) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    expect_error(caught.value, "CallRateLimitExceededException", 429)
    assert count_images() == 2
    # Other operations have their own (here: no) limit.
    client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn)

    # The bucket refills on the virtual clock: 0.5 calls per second.
    fake.advance(1)
    with pytest.raises(client.exceptions.CallRateLimitExceededException):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    fake.advance(1)
    client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)
    assert count_images() == 3


EXCEPTION_SHAPES = sorted(
    name for name in service_model().shape_names if service_model().shape_for(name).metadata.get("exception")
)


@pytest.mark.parametrize("operation", [START, "GetImagePipeline"])
@pytest.mark.parametrize("code", EXCEPTION_SHAPES)
def test_fail_next_injects_any_modeled_error(
    fake: Any, client: Any, stack: Any, expect_error: Any, count_images: Any, code: str, operation: str
):
    status = service_model().shape_for(code).metadata["error"]["httpStatusCode"]
    fake.fail_next(operation, code, times=2, message=f"boom {code}")
    call = {
        START: lambda: client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn),
        "GetImagePipeline": lambda: client.get_image_pipeline(imagePipelineArn=stack.pipeline_arn),
    }[operation]

    for _ in range(2):
        with pytest.raises(ClientError) as caught:
            call()
        expect_error(caught.value, code, status)
        assert caught.value.response["message"] == f"boom {code}"
    assert count_images() == 0
    call()  # the queue is spent


def test_fail_next_refuses_what_the_model_does_not_have(fake: Any):
    with pytest.raises(ValueError, match="not an Image Builder operation"):
        fake.fail_next("StartTheEngine", "ServiceException")
    with pytest.raises(ValueError, match="not a modeled Image Builder error"):
        fake.fail_next(START, "ValidationException")
    with pytest.raises(ValueError, match="times"):
        fake.fail_next(START, "ServiceException", times=0)
