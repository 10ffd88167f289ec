"""validation.check against the real model's shapes: every rule, the paths it names, and its corner cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.model import ShapeResolver

from fakeimagebuilder.model import service_model
from fakeimagebuilder.validation import Violation, check, checker

PIPELINE = "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/web"
# Limits and requirements that differ between botocore versions come from the installed model:
# ClientToken's max (36 in botocore 1.40.41, 64 in 1.43.11), maxResults' max (25 in 1.43.11, 100 in
# 1.44.8), and a recipe's components (required in 1.40.41, so always sent).
TOKEN_MAX = service_model().shape_for("ClientToken").metadata["max"]
MAX_RESULTS = service_model().operation_model("ListImagePipelines").input_shape.members["maxResults"].metadata["max"]
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/x/1.0.0"}]
# The widest recipe version the model allows: "x" wildcards, except in 1.40.41's digits-only pattern.
_RECIPE_VERSION = service_model().operation_model("CreateImageRecipe").input_shape.members["semanticVersion"]
RECIPE_VERSION = "x.x.x" if re.search(_RECIPE_VERSION.metadata["pattern"], "x.x.x") else "1.0.0"


def _input(operation: str) -> Any:
    return service_model().operation_model(operation).input_shape


def _violation(shape: Any, value: Any) -> Violation:
    with pytest.raises(Violation) as caught:
        check(shape, value)
    return caught.value


@pytest.mark.parametrize(
    ("operation", "value", "rule", "path"),
    [
        ("StartImagePipelineExecution", {"clientToken": "t"}, "required", "imagePipelineArn"),
        ("StartImagePipelineExecution", {"imagePipelineArn": None, "clientToken": "t"}, "required", "imagePipelineArn"),
        (
            "StartImagePipelineExecution",
            {"imagePipelineArn": PIPELINE + "\n", "clientToken": "t"},
            "pattern",
            "imagePipelineArn",
        ),
        (
            "StartImagePipelineExecution",
            {"imagePipelineArn": " " + PIPELINE, "clientToken": "t"},
            "pattern",
            "imagePipelineArn",
        ),
        (
            "StartImagePipelineExecution",
            {"imagePipelineArn": PIPELINE, "clientToken": "t" * (TOKEN_MAX + 1)},
            "max",
            "clientToken",
        ),
        ("StartImagePipelineExecution", {"imagePipelineArn": PIPELINE, "clientToken": ""}, "min", "clientToken"),
        (
            "StartImagePipelineExecution",
            {"imagePipelineArn": PIPELINE, "clientToken": "t", "tags": {"k": "v" * 257}},
            "max",
            "tags['k']",
        ),
        (
            "StartImagePipelineExecution",
            {"imagePipelineArn": PIPELINE, "clientToken": "t", "tags": {"aws:k": "v"}},
            "pattern",
            "tags",
        ),
        ("StartImagePipelineExecution", {"imagePipelineArn": PIPELINE, "clientToken": 7}, "type", "clientToken"),
        ("ListImagePipelines", {"maxResults": 0}, "min", "maxResults"),
        ("ListImagePipelines", {"maxResults": MAX_RESULTS + 1}, "max", "maxResults"),
        ("ListImagePipelines", {"maxResults": True}, "type", "maxResults"),
        ("ListImagePipelines", {"maxResults": 1.0}, "type", "maxResults"),
        ("ListImagePipelines", {"filters": []}, "min", "filters"),
        ("ListImagePipelines", {"filters": [{"name": "name", "values": []}]}, "min", "filters[0].values"),
        ("ListImagePipelines", {"filters": [None]}, "type", "filters[0]"),
        (
            "CreateImagePipeline",
            {"name": "web", "infrastructureConfigurationArn": "x", "clientToken": "t"},
            "pattern",
            "infrastructureConfigurationArn",
        ),
        (
            "UpdateImagePipeline",
            {
                "imagePipelineArn": PIPELINE,
                "clientToken": "t",
                "status": "PAUSED",
                "infrastructureConfigurationArn": PIPELINE.replace("image-pipeline", "infrastructure-configuration"),
            },
            "enum",
            "status",
        ),
        (
            "CreateImageRecipe",
            {
                "name": "web",
                "semanticVersion": "1.0.0",
                "parentImage": "p",
                "clientToken": "t",
                "components": [
                    {
                        "componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/x/1.0.0",
                        "parameters": [{"name": "n", "value": "v"}],
                    }
                ],
            },
            "type",
            "components[0].parameters[0].value",
        ),
        (
            "CreateImageRecipe",
            {
                "name": "web",
                "semanticVersion": "1.0.0",
                "parentImage": "p",
                "clientToken": "t",
                "components": COMPONENTS,
                "blockDeviceMappings": [{"ebs": {"volumeSize": "30"}}],
            },
            "type",
            "blockDeviceMappings[0].ebs.volumeSize",
        ),
        (
            "CreateImageRecipe",
            {"name": "w", "semanticVersion": "1.0.0", "parentImage": "p", "clientToken": "t", "components": COMPONENTS},
            "pattern",
            "name",
        ),
    ],
)
def test_each_rule_names_the_member_that_broke_it(operation: str, value: dict[str, Any], rule: str, path: str):
    violation = _violation(_input(operation), value)

    assert (violation.rule, violation.path) == (rule, path)
    assert violation.detail


def test_a_bad_map_key_names_the_map_and_the_key():
    shape = service_model().operation_model("StartImagePipelineExecution").input_shape
    with pytest.raises(Violation) as caught:
        check(shape, {"imagePipelineArn": PIPELINE, "clientToken": "t", "tags": {"ok": "v", "aws:k": "v"}})
    assert caught.value.path == "tags"
    assert caught.value.detail.startswith("key 'aws:k' must match pattern ")


def test_valid_values_pass_and_unknown_members_are_ignored():
    check(_input("StartImagePipelineExecution"), {"imagePipelineArn": PIPELINE, "clientToken": "t", "unknown": [1]})
    check(_input("StartImagePipelineExecution"), {"imagePipelineArn": PIPELINE, "clientToken": "t", "tags": None})
    check(
        _input("ListImagePipelines"),
        {"maxResults": MAX_RESULTS, "filters": [{"name": "status", "values": ["ENABLED"]}]},
    )
    check(_input("StartImagePipelineExecution"), {"imagePipelineArn": PIPELINE, "clientToken": "t" * TOKEN_MAX})
    check(
        _input("CreateImageRecipe"),
        {
            "name": "a b_c-d",
            "semanticVersion": RECIPE_VERSION,
            "parentImage": "p",
            "clientToken": "t",
            "components": COMPONENTS,
            "blockDeviceMappings": [{"ebs": {"volumeSize": 30, "deleteOnTermination": False}}],
        },
    )


def test_float_shapes_take_integers_and_timestamps_take_numbers_or_text():
    resolver = ShapeResolver(
        {
            "Number": {"type": "double", "min": 0},
            "When": {"type": "timestamp"},
            "Flag": {"type": "boolean"},
        }
    )
    check(resolver.get_shape_by_name("Number"), 3)
    check(resolver.get_shape_by_name("Number"), 2.5)
    assert _violation(resolver.get_shape_by_name("Number"), -1).rule == "min"
    assert _violation(resolver.get_shape_by_name("Number"), True).rule == "type"
    for when in (0, 1.5, "2026-01-01T00:00:00Z"):
        check(resolver.get_shape_by_name("When"), when)
    assert _violation(resolver.get_shape_by_name("When"), True).rule == "type"
    assert _violation(resolver.get_shape_by_name("Flag"), 1).rule == "type"
    assert _violation(resolver.get_shape_by_name("Flag"), "true").rule == "type"


def test_recursive_shapes_are_checked_to_any_depth():
    resolver = ShapeResolver(
        {
            "Node": {"type": "structure", "members": {"next": {"shape": "Node"}, "label": {"shape": "Label"}}},
            "Label": {"type": "string", "max": 3},
        }
    )
    node = resolver.get_shape_by_name("Node")
    check(node, {"next": {"next": {"label": "abc"}}})

    violation = _violation(node, {"next": {"next": {"label": "abcd"}}})

    assert (violation.rule, violation.path) == ("max", "next.next.label")


def test_a_checker_is_built_once_per_shape():
    shape = _input("StartImagePipelineExecution")
    assert checker(shape) is checker(shape)


def test_patterns_escape_a_literal_dollar():
    shape = ShapeResolver({"Price": {"type": "string", "pattern": "^[0-9]+\\$"}}).get_shape_by_name("Price")
    check(shape, "12$")
    assert _violation(shape, "12").rule == "pattern"
