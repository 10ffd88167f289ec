"""ami_release against fakeimagebuilder's pytest fixtures: no conftest, no AWS account, no waiting."""

from __future__ import annotations

import pytest
from ami_release import Backoff, BuildFailed, BuildTimedOut, create_pipeline, new_client, release, start_build
from botocore.exceptions import ClientError


@pytest.fixture
def pipeline_arn(imagebuilder_client):
    return create_pipeline(imagebuilder_client, "golden-web")


@pytest.fixture
def sleeps(imagebuilder_fake):
    """Every sleep of the code under test, spent on the fake's virtual clock instead of real time."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        imagebuilder_fake.advance(seconds)

    sleep.slept = slept
    return sleep


def test_release_returns_the_new_ami(imagebuilder_fake, imagebuilder_client, pipeline_arn, sleeps):
    # release() makes its own client from boto3's default session: the fixture reaches it too.
    ami = release(pipeline_arn, tags={"release": "2024.06"}, sleep=sleeps, clock=imagebuilder_fake.clock.now)

    [image] = imagebuilder_client.list_image_pipeline_images(imagePipelineArn=pipeline_arn)["imageSummaryList"]
    assert image["state"]["status"] == "AVAILABLE"
    assert image["outputResources"]["amis"][0]["image"] == ami
    assert image["tags"] == {"release": "2024.06"}
    # Polled with backoff: a build of about 20 minutes takes a handful of polls, not one a second.
    assert 3 <= len(sleeps.slept) <= 10


def test_ini_options_choose_region_and_account(imagebuilder_client, pipeline_arn):
    assert imagebuilder_client.meta.region_name == "eu-west-1"
    assert pipeline_arn.startswith("arn:aws:imagebuilder:eu-west-1:210987654321:image-pipeline/")


@pytest.mark.imagebuilder(outcome="FAILED")
def test_failed_build_is_reported_with_its_reason(imagebuilder_fake, pipeline_arn, sleeps):
    with pytest.raises(BuildFailed) as failed:
        release(pipeline_arn, sleep=sleeps, clock=imagebuilder_fake.clock.now)
    assert failed.value.status == "FAILED"
    assert failed.value.reason


@pytest.mark.imagebuilder(build_seconds=4 * 3600)
def test_slow_build_times_out_and_is_cancelled(imagebuilder_fake, imagebuilder_client, pipeline_arn, sleeps):
    started = imagebuilder_fake.clock.now()
    with pytest.raises(BuildTimedOut) as timed_out:
        release(pipeline_arn, timeout=3600, sleep=sleeps, clock=imagebuilder_fake.clock.now)

    assert imagebuilder_fake.clock.now() - started == pytest.approx(3600)
    image = imagebuilder_client.get_image(imageBuildVersionArn=timed_out.value.image_arn)["image"]
    assert image["state"]["status"] == "CANCELLED"


def test_throttled_start_is_retried_and_builds_once(imagebuilder_fake, imagebuilder_client, pipeline_arn, sleeps):
    imagebuilder_fake.fail_next("StartImagePipelineExecution", "CallRateLimitExceededException", times=2)

    # The project's own client: botocore's standard retry mode leaves throttling to start_build.
    image_arn = start_build(new_client(), pipeline_arn, sleep=sleeps)

    assert sleeps.slept == [5.0, 10.0]
    builds = imagebuilder_client.list_image_pipeline_images(imagePipelineArn=pipeline_arn)["imageSummaryList"]
    assert [b["arn"] for b in builds] == [image_arn]


def test_throttling_that_persists_is_raised(imagebuilder_fake, imagebuilder_client, pipeline_arn, sleeps):
    imagebuilder_fake.fail_next("StartImagePipelineExecution", "CallRateLimitExceededException", times=3)

    with pytest.raises(ClientError) as error:
        start_build(new_client(), pipeline_arn, attempts=3, sleep=sleeps)

    assert error.value.response["Error"]["Code"] == "CallRateLimitExceededException"
    assert len(sleeps.slept) == 2
    assert imagebuilder_client.list_image_pipeline_images(imagePipelineArn=pipeline_arn)["imageSummaryList"] == []


def test_other_errors_are_not_retried(imagebuilder_client, pipeline_arn, sleeps):
    missing = pipeline_arn.replace("golden-web", "no-such-pipeline")

    with pytest.raises(imagebuilder_client.exceptions.ResourceNotFoundException):
        start_build(imagebuilder_client, missing, sleep=sleeps)

    assert sleeps.slept == []


def test_throttled_polls_wait_for_the_next_poll(imagebuilder_fake, pipeline_arn, sleeps):
    # One GetImage a minute: most polls of the backoff schedule are throttled at first.
    imagebuilder_fake.set_rate_limit("GetImage", rate=1 / 60, burst=1)

    ami = release(pipeline_arn, sleep=sleeps, clock=imagebuilder_fake.clock.now)

    assert ami.startswith("ami-")


def test_backoff_grows_to_its_cap():
    delays = Backoff(initial=1, factor=3, maximum=20).delays()
    assert [next(delays) for _ in range(5)] == [1, 3, 9, 20, 20]
