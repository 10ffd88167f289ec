"""validation.check against the real model's shapes: every rule, the paths it names, and its corner cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.model import ShapeResolver

from fakeimagebuilder.model import service_model
from fakeimagebuilder.validation import Violation, check, checker, java_pattern

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


def test_an_integer_holds_32_bits_and_a_long_64_whatever_the_model_s_range():
    # Smithy's integer and long are signed 32- and 64-bit; the model states no max for either here.
    resolver = ShapeResolver(
        {"Count": {"type": "integer"}, "Big": {"type": "long"}, "Index": {"type": "long", "min": 1}}
    )
    count, big = resolver.get_shape_by_name("Count"), resolver.get_shape_by_name("Big")
    for value in (-(2**31), 2**31 - 1):
        check(count, value)
    for value in (-(2**63), 2**63 - 1, 2**31):
        check(big, value)
    for shape, value in ((count, 2**31), (count, -(2**31) - 1), (count, 10**30), (big, 2**63), (big, -(2**63) - 1)):
        violation = _violation(shape, value)
        assert violation.rule == "type", value
        assert "-bit integer" in violation.detail
    # Out of range is unreadable before it breaks a constraint.
    assert _violation(resolver.get_shape_by_name("Index"), -(2**63) - 1).rule == "type"


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


# -- the regex dialect: the model's patterns mean what they mean to AWS (java.util.regex, whole value) --


@pytest.mark.parametrize(
    "key",
    [
        # Python's \s matches these; Java's (and so AWS's) \s is [ \t\n\x0B\f\r] only.
        "a\x1cb",
        "a\x1db",
        "a\x1eb",
        "a\x1fb",
        "a\x85b",
        "a\u00a0b",
        "a\u2028b",
        "a\u3000b",
    ],
)
def test_a_tag_key_with_a_space_only_python_calls_a_space_is_refused(client: Any, stack: Any, key: str):
    with pytest.raises(ClientError) as caught:
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={key: "v"})

    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"] == []


# Whitespace in a tag key: "\s" in the TagKey pattern after botocore 1.40.41, whose pattern has none.
_TAG_KEYS_TAKE_SPACES = "\\s" in service_model().shape_for("TagKey").metadata["pattern"]


@pytest.mark.parametrize("key", ["a b", "a\tb", "a\nb", "a\x0bb", "a\x0cb", "a\rb"])
def test_a_tag_key_with_a_java_space_passes_where_the_model_takes_spaces(client: Any, stack: Any, key: str):
    if not _TAG_KEYS_TAKE_SPACES:
        with pytest.raises(ClientError) as caught:
            client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={key: "v"})
        assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"] == []
        return
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={key: "v"})[
        "imageBuildVersionArn"
    ]

    assert client.get_image(imageBuildVersionArn=arn)["image"]["tags"] == {key: "v"}


def test_word_characters_are_ascii_only(client: Any):
    # InstanceProfileNameType is ^[\w+=,.@-]+$: Java's \w is [a-zA-Z0-9_], Python's takes any letter.
    with pytest.raises(ClientError) as caught:
        client.create_infrastructure_configuration(name="infra", instanceProfileName="buildér")

    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []


def _pattern(text: str) -> Any:
    return ShapeResolver({"Value": {"type": "string", "pattern": text}}).get_shape_by_name("Value")


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        ("^\\d+$", "0123456789", "\u0663"),  # ARABIC-INDIC DIGIT THREE is a digit only to Python
        ("^\\w+$", "a_Z9", "\u00e9"),
        ("^\\s$", "\x0b", "\x1c"),
        ("^\\S$", "\x1c", "\x0b"),
        ("^\\D$", "\u0663", "3"),
        ("^\\W$", "\u00e9", "_"),
        ("^a.b$", "a\x1cb", "a\x85b"),  # Java's "." stops at \n, \r, \x85, \u2028 and \u2029
        ("^a.b$", "a\x00b", "a\u2028b"),
        # The whole value must match, anchored or not (an unanchored pattern is no substring search).
        ("[^\\x00]+", "text", "te\x00xt"),
        ("[a-zA-Z0-9]{2,}(?:\\/[a-zA-Z0-9-_+]+)*", "America/New_York", "America/New_York!"),
        ("^String|Integer$", "Integer", "Stringy"),
        ("^[0-9]+\\$", "12$", "12"),
    ],
)
def test_patterns_mean_what_they_mean_in_java(pattern: str, good: str, bad: str):
    shape = _pattern(pattern)

    check(shape, good)
    assert _violation(shape, bad).rule == "pattern"


@pytest.mark.parametrize("value", ["1.0.0\n", "1.0.0\r\n", "1.0.0\x85", "1.0.0\u2028"])
def test_a_final_line_terminator_is_not_part_of_a_whole_match(value: str):
    assert _violation(_pattern("^[0-9]+\\.[0-9]+\\.[0-9]+$"), value).rule == "pattern"


@pytest.mark.parametrize(
    "pattern",
    ["^\\p{L}+$", "\\bword\\b", "[a-z&&[^e]]", "[a[b]]", "(?i)abc", "(?<name>a)", "\\Qa.b\\E", "\\0101", "\\x{41}"],
)
def test_a_construct_with_no_exact_translation_is_refused_not_guessed(pattern: str):
    with pytest.raises(ValueError, match=r"no exact translation|character class"):
        java_pattern(pattern)


def test_every_pattern_of_the_installed_model_translates():
    model = service_model()
    patterns = {p for name in model.shape_names if (p := model.shape_for(name).metadata.get("pattern"))}

    assert patterns
    for pattern in patterns:
        java_pattern(pattern)
