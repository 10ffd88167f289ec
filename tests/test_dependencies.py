"""What a recipe's own-image parent resolves to at a start: the highest AVAILABLE build its version selects."""

from __future__ import annotations

import contextlib
from typing import Any

import boto3
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.service.dependencies import resolution
from fakeimagebuilder.service.lifecycle_executions import image_status
from fakeimagebuilder.service.versions import highest, pattern

REGION = "us-east-1"
PARENT = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"
VERSIONS = ("1.0.0", "1.2.0", "2.0.0")

# What each step does: start a build of one version's pipeline (it fails or succeeds; then time may pass), let
# time pass, or delete the image of one earlier build.
_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("start"), st.sampled_from(VERSIONS), st.booleans(), st.sampled_from([0, 3600])),
        st.tuples(st.just("wait"), st.sampled_from([60, 3600])),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=30)),
    ),
    max_size=25,
)


def _brute_force(scope: Any, wanted: str, now: float) -> str | None:
    """The answer by walking every build (the way it was computed before the store's index was used)."""
    found = highest(
        (b for b in scope.builds.values() if "/base/" in b.arn and image_status(scope, b, now) == "AVAILABLE"),
        pattern(wanted),
        lambda b: (b.recipe["version"], b.number),
    )
    return found.arn if found is not None else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=_STEPS, wanted=st.sampled_from(["x.x.x", "1.x.x", "1.2.x", "1.0.0", "2.0.x", "3.x.x"]))
def test_an_own_image_parent_resolves_to_the_highest_available_build(steps: list[tuple[Any, ...]], wanted: str):
    fake = FakeImageBuilder()
    with fake:
        client = boto3.client("imagebuilder", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
        infra = client.create_infrastructure_configuration(name="infra", instanceProfileName="p")[
            "infrastructureConfigurationArn"
        ]
        pipelines = {}
        for version in VERSIONS:
            recipe = client.create_image_recipe(
                name="base", semanticVersion=version, parentImage=PARENT, components=[{"componentArn": COMPONENT}]
            )["imageRecipeArn"]
            pipelines[version] = client.create_image_pipeline(
                name=f"base-{version.replace('.', '-')}", imageRecipeArn=recipe, infrastructureConfigurationArn=infra
            )["imagePipelineArn"]
        started: list[str] = []
        for step in steps:
            if step[0] == "start":
                _, version, fails, then_wait = step
                fake.set_build_plan(BuildPlan(outcome="FAILED" if fails else "AVAILABLE"), pipelines[version])
                started.append(
                    client.start_image_pipeline_execution(imagePipelineArn=pipelines[version])["imageBuildVersionArn"]
                )
                fake.advance(then_wait)
            elif step[0] == "wait":
                fake.advance(step[1])
            elif started:
                with contextlib.suppress(ClientError):  # already deleted: nothing changes
                    client.delete_image(imageBuildVersionArn=started[step[1] % len(started)])
        [scope] = fake.service.scopes()
        reference = f"arn:aws:imagebuilder:{REGION}:{scope.account}:image/base/{wanted}"
        now = fake.clock.now()
        [resolved] = resolution(scope, {"parentImage": reference}, now)
        assert resolved == (_brute_force(scope, wanted, now) or reference)
