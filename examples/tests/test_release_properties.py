"""Properties of start_build, over inputs drawn by fakeimagebuilder's Hypothesis strategies."""

from __future__ import annotations

import pytest
from ami_release import create_pipeline, new_client, start_build
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder import strategies as ibst

# Hypothesis runs every example in one call of the test, so the function-scoped fake is
# shared by the examples: each example resets it first.
PER_EXAMPLE = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PER_EXAMPLE
@given(tags=ibst.tag_maps(max_size=8), token=ibst.client_tokens(), throttled=st.integers(0, 4))
def test_a_retried_start_builds_once_with_its_tags(imagebuilder_fake, tags, token, throttled):
    imagebuilder_fake.reset()
    client = new_client()
    pipeline_arn = create_pipeline(client, "golden-web")
    if throttled:
        imagebuilder_fake.fail_next("StartImagePipelineExecution", "CallRateLimitExceededException", times=throttled)

    first = start_build(client, pipeline_arn, tags=tags, client_token=token, sleep=imagebuilder_fake.advance)
    again = start_build(client, pipeline_arn, tags=tags, client_token=token, sleep=imagebuilder_fake.advance)

    assert again == first
    [image] = client.list_image_pipeline_images(imagePipelineArn=pipeline_arn)["imageSummaryList"]
    assert image["arn"] == first
    assert image["tags"] == tags


# start_build leaves out an empty tag map, so that rule never reaches the service through it.
SENT_AS_GIVEN = tuple(rule for rule in ibst.SERVER_RULES if rule != "tags.size.min")


@PER_EXAMPLE
@given(bad=ibst.invalid_start_requests(where="server", rules=SENT_AS_GIVEN))
def test_a_rejected_start_is_not_retried(imagebuilder_fake, bad):
    slept: list[float] = []

    with pytest.raises(ClientError) as error:
        start_build(
            new_client(),
            bad.params["imagePipelineArn"],
            tags=bad.params.get("tags"),
            client_token=bad.params["clientToken"],
            sleep=slept.append,
        )

    assert error.value.response["Error"]["Code"] == bad.code, bad.detail
    assert slept == []
