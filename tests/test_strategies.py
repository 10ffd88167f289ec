"""Every public strategy, with its defaults, builds and draws on the installed model.

CI runs ``tests/test_*.py`` on the lowest botocore too, whose limits differ (its clientToken
is at most 36 characters): a default that fits only the newest model fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder import strategies as ibst
from fakeimagebuilder.model import service_model

DEFAULTS: dict[str, Any] = {
    "account_ids": ibst.account_ids,
    "arn_names": ibst.arn_names,
    "client_tokens": ibst.client_tokens,
    "invalid_pipeline_arns": ibst.invalid_pipeline_arns,
    "invalid_start_requests (server)": lambda: ibst.invalid_start_requests(where="server"),
    "invalid_start_requests (client)": lambda: ibst.invalid_start_requests(where="client"),
    "invalid_start_requests": ibst.invalid_start_requests,
    "pipeline_arns": ibst.pipeline_arns,
    "regions": ibst.regions,
    "resource_names": ibst.resource_names,
    "start_requests": ibst.start_requests,
    "tag_keys": ibst.tag_keys,
    "tag_maps": ibst.tag_maps,
    "tag_values": ibst.tag_values,
}


def test_every_public_strategy_is_covered():
    made = {name.split(" ")[0] for name in DEFAULTS} | {"model_members"}
    functions = {name for name in ibst.__all__ if name[0].islower() and name not in ("partition_of",)}
    assert functions - {"matches_pipeline_arn_pattern"} == made


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_a_strategy_with_its_defaults_draws_on_this_model(name: str):
    @settings(max_examples=10, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        data.draw(DEFAULTS[name]())

    draw()


def test_model_members_draws_on_this_model():
    @settings(max_examples=10, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ibst.model_members("StartImagePipelineExecution", ("clientToken", "tags")))
    def draw(members: dict[str, Any]) -> None:
        assert set(members) <= {"clientToken", "tags"}

    draw()


# Each limit rule and where the installed model keeps its limit (StartImagePipelineExecution's input).
_LIMITS = {
    "clientToken.max": (lambda request: request.members["clientToken"], "characters"),
    "tags.size.max": (lambda request: request.members["tags"], "entries"),
    "tags.key.max": (lambda request: request.members["tags"].key, "characters"),
    "tags.value.max": (lambda request: request.members["tags"].value, "characters"),
}


@pytest.mark.parametrize("rule", sorted(_LIMITS))
def test_an_invalid_request_s_detail_names_the_installed_model_s_limit(rule: str):
    """The detail says the limit the drawn value breaks, as the installed model has it (clientToken: 64, 36 on
    botocore 1.40.41), not a number of another model."""
    shape_of, unit = _LIMITS[rule]
    limit = shape_of(service_model().operation_model("StartImagePipelineExecution").input_shape).metadata["max"]
    seen: list[ibst.InvalidRequest] = []

    @settings(max_examples=5, database=None, suppress_health_check=list(HealthCheck))
    @given(bad=ibst.invalid_start_requests(rules=(rule,)))
    def collect(bad: ibst.InvalidRequest) -> None:
        seen.append(bad)

    collect()
    for bad in seen:
        assert bad.detail.endswith(f"than {limit} {unit}"), bad.detail
        tags = bad.params.get("tags", {})
        broken = {
            "clientToken.max": len(bad.params["clientToken"]),
            "tags.size.max": len(tags),
            "tags.key.max": max(map(len, tags), default=0),
            "tags.value.max": max(map(len, tags.values()), default=0),
        }[rule]
        assert broken > limit, bad
