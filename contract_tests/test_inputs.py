"""Property tests over inputs: valid and invalid ARNs, tokens and tag maps (``fakeimagebuilder.strategies``).

A token is remembered by the service (on AWS for at least a day), so every
drawn token gets a unique suffix: a shared endpoint or a real account never
sees one token twice across examples or runs. Drawn pipeline names are
prefixed with the run's own prefix, so an "absent" pipeline can never be
someone's real one.
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fakeimagebuilder import strategies as ibst
from fakeimagebuilder.model import service_model

from .expect import VALIDATION_MESSAGE, expect_error, status_of
from .ledger_report import ModelDifference, verifies
from .targets import Workspace

_SUFFIX = 12  # hex digits of uniqueness appended to every drawn token
_TOKEN_MAX = service_model().shape_for("ClientToken").metadata["max"]  # 64; 36 in older botocore models


def _unique(token: str) -> str:
    return token + uuid.uuid4().hex[:_SUFFIX]


def _tokens() -> st.SearchStrategy[str]:
    return ibst.client_tokens(max_size=_TOKEN_MAX - _SUFFIX).map(_unique)


def _builds_of(workspace: Workspace, pipeline_arn: str) -> list[str]:
    listed = workspace.client.list_all("ListImagePipelineImages", "imageSummaryList", imagePipelineArn=pipeline_arn)
    return [summary["arn"] for summary in listed]


@pytest.mark.builds(None)
def test_valid_requests_start_one_build_each(workspace: Workspace, run_property: Any) -> None:
    """Any valid request on an existing pipeline starts exactly one build, echoing its token, tagging the image."""
    if not workspace.can_start():
        pytest.skip("the build budget is spent")
    pipeline = workspace.pipeline()
    started: list[str] = []

    @given(request=ibst.start_requests(pipeline_arns=st.just(pipeline.arn), client_tokens=_tokens()))
    def check(request: dict[str, Any]) -> None:
        assume(workspace.can_start())  # on AWS: as many examples as the build budget allows
        answer = workspace.client.start_image_pipeline_execution(**request)
        with verifies("start-answer"):
            assert status_of(answer) == 200
            assert answer["clientToken"] == request["clientToken"]
        arn = answer["imageBuildVersionArn"]
        with verifies("build-numbers"):
            assert arn not in started
        started.append(arn)
        if "tags" in request:
            with verifies("image-tags"):
                assert request["tags"].items() <= workspace.get_image(arn).get("tags", {}).items()

    run_property(check)
    with verifies("list-images"):
        assert sorted(_builds_of(workspace, pipeline.arn)) == sorted(started)


@pytest.mark.builds(0)
def test_invalid_requests_are_refused_without_a_build(workspace: Workspace, run_property: Any) -> None:
    """A request breaking a rule botocore lets through: 400 InvalidParameterValueException naming it, no build.

    The rules are the installed model's: a target that may serve a newer one (an endpoint, AWS) and takes such a
    request has its check set aside, with a warning saying so, rather than failed (README, "The contract suite").
    """
    pipeline = workspace.pipeline()
    taken: list[str] = []

    invalid = ibst.invalid_start_requests(pipeline_arns=st.just(pipeline.arn), client_tokens=_tokens(), where="server")

    @given(bad=invalid)
    def check(bad: ibst.InvalidRequest) -> None:
        answer: dict[str, Any] = {}
        try:
            with verifies("validation-code"):
                taken_means = workspace.target.model_refusal(f"a request whose {bad.detail}")
                with expect_error(bad.code, 400, VALIDATION_MESSAGE, taken_means=taken_means) as caught:
                    answer = workspace.client.start_image_pipeline_execution(**bad.params)
                assert f"'{bad.member}" in caught.message, f"{bad.rule}: the message does not name {bad.member}"
        except ModelDifference as difference:
            taken.append(answer["imageBuildVersionArn"])
            warnings.warn(str(difference), stacklevel=1)

    run_property(check)
    with verifies("validation-code"):
        assert sorted(_builds_of(workspace, pipeline.arn)) == sorted(taken)


@pytest.mark.builds(0)
def test_absent_pipelines_are_not_found(workspace: Workspace, run_property: Any) -> None:
    """Any well-formed ARN of the caller's account and region naming no pipeline is ResourceNotFoundException."""
    target = workspace.target
    prefix = workspace.names.new("absent")

    @given(
        arn=ibst.pipeline_arns(
            region=target.region, account=target.account, names=ibst.arn_names(max_size=40).map(lambda n: prefix + n)
        ),
        token=_tokens(),
    )
    def check(arn: str, token: str) -> None:
        with verifies("not-found"), expect_error("ResourceNotFoundException", 404):
            workspace.client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken=token)

    run_property(check)
