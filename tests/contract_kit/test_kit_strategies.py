"""``fakeimagebuilder.strategies``: valid values are accepted; invalid ones are refused for their labelled rule."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from kit_standin import COMPONENTS, ObservedFake

from fakeimagebuilder import strategies as ibst
from fakeimagebuilder.model import service_model
from fakeimagebuilder.validation import Violation, check

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x"
START = service_model().operation_model("StartImagePipelineExecution").input_shape

# The Violation.rule each labelled server rule must come out as, when the fake checks the request.
_KIND = {
    "imagePipelineArn.pattern": "pattern",
    "clientToken.max": "max",
    "tags.size.min": "min",
    "tags.size.max": "max",
    "tags.key.pattern": "pattern",
    "tags.key.reserved": "pattern",
    "tags.key.max": "max",
    "tags.value.max": "max",
}


def _pipeline(client: Any) -> str:
    recipe = client.create_image_recipe(
        name="strategies", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )
    infra = client.create_infrastructure_configuration(name="strategies", instanceProfileName="builder")
    return str(
        client.create_image_pipeline(
            name="strategies",
            imageRecipeArn=recipe["imageRecipeArn"],
            infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        )["imagePipelineArn"]
    )


def _images(fake: ObservedFake) -> int:
    return len(fake.resources().get("images", []))


@given(
    arn=ibst.pipeline_arns(),
    token=ibst.client_tokens(),
    tags=ibst.tag_maps(),
    key=ibst.tag_keys(),
    value=ibst.tag_values(),
    name=ibst.resource_names(),
)
def test_valid_values_keep_every_model_constraint(
    arn: str, token: str, tags: dict[str, str], key: str, value: str, name: str
) -> None:
    """Each valid strategy draws only what the model's shapes allow."""
    members = START.members
    check(members["imagePipelineArn"], arn)
    check(members["clientToken"], token)
    check(members["tags"], tags)
    check(members["tags"].key, key)
    check(members["tags"].value, value)
    check(service_model().shape_for("ResourceName"), name)
    assert ibst.matches_pipeline_arn_pattern(arn)


def test_valid_requests_each_start_a_build_on_the_fake(aws_env: None) -> None:
    """Every request from ``start_requests`` aimed at a real pipeline starts one build, its token echoed."""
    with ObservedFake() as fake:
        client = fake.client()
        # One call of each operation first: loading botocore's and the fake's per-operation models once
        # must not count against the first example's deadline (a loaded machine pushed it past 200 ms).
        warm = client.start_image_pipeline_execution(imagePipelineArn=_pipeline(client))
        client.get_image(imageBuildVersionArn=warm["imageBuildVersionArn"])

        @given(data=st.data())
        def check_request(data: st.DataObject) -> None:
            fake.reset()
            arn = _pipeline(client)
            request = data.draw(ibst.start_requests(pipeline_arns=st.just(arn)))
            answer = client.start_image_pipeline_execution(**request)
            assert answer["clientToken"] == request["clientToken"]
            image = client.get_image(imageBuildVersionArn=answer["imageBuildVersionArn"])["image"]
            assert request.get("tags", {}).items() <= image["tags"].items()
            assert _images(fake) == 1

        check_request()


def test_server_side_invalid_requests_are_refused_for_their_rule(aws_env: None) -> None:
    """A server-side invalid request is refused 400 with its labelled code, naming its member; no build."""
    with ObservedFake() as fake:
        client = fake.client()
        arn = _pipeline(client)

        @given(bad=ibst.invalid_start_requests(pipeline_arns=st.just(arn), where="server"))
        def check_request(bad: ibst.InvalidRequest) -> None:
            with pytest.raises(Violation) as violation:
                check(START, bad.params)
            assert violation.value.rule == _KIND[bad.rule], bad
            assert violation.value.path.startswith(bad.member), bad
            with pytest.raises(ClientError) as error:
                client.start_image_pipeline_execution(**bad.params)
            response = error.value.response
            assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (bad.code, 400)
            assert f"'{bad.member}" in response["Error"]["Message"]
            assert _images(fake) == 0

        check_request()


def test_client_side_invalid_requests_never_leave_botocore(aws_env: None) -> None:
    """A client-side invalid request raises ParamValidationError in botocore: nothing reaches the service."""
    with ObservedFake() as fake:
        client = fake.client()
        arn = _pipeline(client)
        before = len(fake.calls)

        @given(bad=ibst.invalid_start_requests(pipeline_arns=st.just(arn), where="client"))
        def check_request(bad: ibst.InvalidRequest) -> None:
            assert bad.code == "ParamValidationError"
            with pytest.raises(ParamValidationError):
                client.start_image_pipeline_execution(**bad.params)
            assert len(fake.calls) == before

        check_request()


@pytest.mark.parametrize("rule", [*ibst.SERVER_RULES, *ibst.CLIENT_RULES])
def test_every_rule_can_be_drawn(rule: str) -> None:
    """Each labelled rule can be asked for, and what is drawn is labelled as that rule."""

    @settings(max_examples=10)
    @given(bad=ibst.invalid_start_requests(rules=(rule,)))
    def check_rule(bad: ibst.InvalidRequest) -> None:
        assert bad.rule == rule
        assert bad.where == ("server" if rule in ibst.SERVER_RULES else "client")

    check_rule()


@given(pair=ibst.invalid_pipeline_arns())
def test_broken_arns_never_match_the_pattern(pair: tuple[str, str]) -> None:
    """``invalid_pipeline_arns`` only draws ARNs the model's pattern refuses."""
    arn, how = pair
    assert not ibst.matches_pipeline_arn_pattern(arn), how
    with pytest.raises(Violation):
        check(START.members["imagePipelineArn"], arn)


def test_impossible_arguments_are_refused_clearly() -> None:
    """Sizes outside the model's limits, or an empty choice of rules, raise ValueError naming the limit."""
    token_max = START.members["clientToken"].metadata["max"]  # 64; 36 on botocore 1.40.41
    with pytest.raises(ValueError, match=str(token_max)):
        ibst.client_tokens(max_size=token_max + 1)
    with pytest.raises(ValueError, match="50"):
        ibst.tag_maps(max_size=51)
    with pytest.raises(ValueError, match="at least 3"):
        ibst.resource_names(max_size=2)
    with pytest.raises(ValueError, match="no rule"):
        ibst.invalid_start_requests(rules=("no-such-rule",))
