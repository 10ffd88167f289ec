"""The rest-json wire: routing, input checks, malformed requests and the shape of every answer."""

from __future__ import annotations

import json
import re
import string
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.model import ServiceModel, Shape
from hypothesis import given
from hypothesis import strategies as st

from fakeimagebuilder import FakeImageBuilder, HttpRequest
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service import OPERATIONS
from fakeimagebuilder.service import service as service_module
from fakeimagebuilder.wire import _CREDENTIAL, RestJsonWire, _query_values, caller_of

START = "StartImagePipelineExecution"
PIPELINE = "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/web"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
IPVE = "InvalidParameterValueException"
SERIALIZATION = "SerializationException"
UNKNOWN = "UnknownOperationException"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
# Constraints that differ between botocore versions come from the installed model: ClientToken's max
# (36 in botocore 1.40.41, 64 in 1.43.11) and the characters a tag key may hold (1.40.41 allows no
# spaces, no "@").
TOKEN_MAX = service_model().shape_for("ClientToken").metadata["max"]
TAG_KEY_CHARACTERS = "".join(
    c for c in string.printable if re.fullmatch(service_model().shape_for("TagKey").metadata["pattern"], c)
)


def _start(**changes: Any) -> dict[str, Any]:
    """A valid start body for the ``web`` pipeline, with members changed (None: removed)."""
    body: dict[str, Any] = {"imagePipelineArn": PIPELINE, "clientToken": "token-1"}
    for name, value in changes.items():
        if value is None:
            body.pop(name)
        else:
            body[name] = value
    return body


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


STATUS = {IPVE: 400, SERIALIZATION: 400, UNKNOWN: 404}
ARN = "imagePipelineArn"


def _bad(
    body: Any, code: str, constraint: tuple[str, str] | None = None, method: str = "PUT", path: str = f"/{START}"
) -> tuple[str, str, bytes, int, str, tuple[str, str] | None]:
    """One row: (method, path, raw body, status, code, the model constraint it breaks: (member, rule) or None)."""
    return method, path, body if isinstance(body, bytes) else _json(body), STATUS[code], code, constraint


DEEP = 100_000
BAD_STARTS = {
    # Every constraint of the input shape (botocore checks only some of them client-side).
    "arn-required": _bad(_start(imagePipelineArn=None), IPVE, (ARN, "required")),
    "arn-not-an-arn": _bad(_start(imagePipelineArn="not-an-arn"), IPVE, (ARN, "pattern")),
    "arn-empty": _bad(_start(imagePipelineArn=""), IPVE, (ARN, "pattern")),
    "arn-upper-case-name": _bad(_start(imagePipelineArn=PIPELINE.replace("/web", "/Web")), IPVE, (ARN, "pattern")),
    "arn-of-a-recipe": _bad(
        _start(imagePipelineArn=PIPELINE.replace("image-pipeline/web", "image-recipe/web/1.0.0")),
        IPVE,
        (ARN, "pattern"),
    ),
    "arn-short-account": _bad(
        _start(imagePipelineArn=PIPELINE.replace("123456789012", "12345")), IPVE, (ARN, "pattern")
    ),
    "arn-trailing-newline": _bad(_start(imagePipelineArn=PIPELINE + "\n"), IPVE, (ARN, "pattern")),
    "token-required": _bad(_start(clientToken=None), IPVE, ("clientToken", "required")),
    "token-empty": _bad(_start(clientToken=""), IPVE, ("clientToken", "min")),
    "token-over-max": _bad(_start(clientToken="t" * (TOKEN_MAX + 1)), IPVE, ("clientToken", "max")),
    "tags-empty": _bad(_start(tags={}), IPVE, ("tags", "min")),
    "tags-51": _bad(_start(tags={f"k{i}": "v" for i in range(51)}), IPVE, ("tags", "max")),
    "tag-key-empty": _bad(_start(tags={"": "v"}), IPVE, ("tags.key", "min")),
    "tag-key-129": _bad(_start(tags={"k" * 129: "v"}), IPVE, ("tags.key", "max")),
    "tag-key-aws-prefix": _bad(_start(tags={"aws:owner": "v"}), IPVE, ("tags.key", "pattern")),
    "tag-key-bad-character": _bad(_start(tags={"bad!key": "v"}), IPVE, ("tags.key", "pattern")),
    "tag-value-257": _bad(_start(tags={"k": "v" * 257}), IPVE, ("tags.value", "max")),
    # Wrong JSON types.
    "arn-number": _bad(_start(imagePipelineArn=5), SERIALIZATION),
    "arn-list": _bad(_start(imagePipelineArn=[PIPELINE]), SERIALIZATION),
    "token-boolean": _bad(_start(clientToken=True), SERIALIZATION),
    "token-object": _bad(_start(clientToken={"t": 1}), SERIALIZATION),
    "tags-list": _bad(_start(tags=[["k", "v"]]), SERIALIZATION),
    "tags-string": _bad(_start(tags="k=v"), SERIALIZATION),
    "tag-value-number": _bad(_start(tags={"k": 1}), SERIALIZATION),
    "tag-value-null": _bad(_start(tags={"k": None}), SERIALIZATION),
    # Malformed bodies.
    "empty-body": _bad(b"", IPVE),  # an empty body reads as {}: the required members are missing
    "invalid-json": _bad(b'{"imagePipelineArn": ', SERIALIZATION),
    "not-json": _bad(b"imagePipelineArn=" + PIPELINE.encode(), SERIALIZATION),
    "json-array": _bad([_start()], SERIALIZATION),
    "json-string": _bad(PIPELINE, SERIALIZATION),
    "json-number": _bad(b"42", SERIALIZATION),
    "json-null": _bad(b"null", SERIALIZATION),
    "json-nan": _bad(b'{"imagePipelineArn": NaN, "clientToken": "t"}', SERIALIZATION),
    "invalid-utf-8": _bad(_json(_start()).replace(b"token-1", b"token-\xff\xfe"), SERIALIZATION),
    "utf-16": _bad(json.dumps(_start()).encode("utf-16"), SERIALIZATION),
    "deeply-nested": _bad(
        b'{"imagePipelineArn": ' + b"[" * DEEP + b"]" * DEEP + b', "clientToken": "t"}', SERIALIZATION
    ),
    "deeply-nested-unknown-member": _bad(
        _json(_start())[:-1] + b', "x": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}", SERIALIZATION
    ),
    # Routes.
    "unknown-path": _bad(_start(), UNKNOWN, path=f"/{START}s"),
    "path-in-lower-case": _bad(_start(), UNKNOWN, path=f"/{START.lower()}"),
    "wrong-method-get": _bad(_start(), UNKNOWN, method="GET"),
    "wrong-method-post": _bad(_start(), UNKNOWN, method="POST"),
    "wrong-method-delete": _bad(_start(), UNKNOWN, method="DELETE"),
}


def _constraints(shape: Shape, path: str, required: bool) -> set[tuple[str, str]]:
    """Every (member, rule) the model states for ``shape`` and what it holds."""
    found = {(path, "required")} if required else set()
    found |= {(path, rule) for rule in ("min", "max", "pattern", "enum") if shape.metadata.get(rule) is not None}
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            found |= _constraints(member, name if not path else f"{path}.{name}", name in shape.required_members)
    elif shape.type_name == "map":
        found |= _constraints(shape.key, f"{path}.key", False) | _constraints(shape.value, f"{path}.value", False)
    elif shape.type_name == "list":
        found |= _constraints(shape.member, f"{path}[]", False)
    return found


def test_the_bad_input_table_breaks_every_constraint_of_start():
    shape = service_model().operation_model(START).input_shape
    broken = {row[5] for row in BAD_STARTS.values() if row[5] is not None}
    assert broken == _constraints(shape, "", False)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "constraint"), BAD_STARTS.values(), ids=BAD_STARTS.keys()
)
def test_bad_start_input_is_rejected_without_a_build(
    client: Any,
    stack: Any,
    send_raw: Any,
    count_images: Any,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
    constraint: Any,
):
    assert stack.pipeline_arn == PIPELINE

    response = send_raw(method, path, body)

    assert (response.status, response.headers["x-amzn-ErrorType"]) == (status, code)
    assert UUID.match(response.headers["x-amzn-RequestId"])
    message = response.json()["message"]
    assert message and "Traceback" not in message
    if code == IPVE:
        member = constraint[0].split(".")[0] if constraint else "imagePipelineArn"
        assert message.startswith(f"The value supplied for parameter '{member}")
        assert "is not valid." in message
    assert count_images() == 0
    # Nothing was spent either: the next good start is build 1.
    good = client.start_image_pipeline_execution(imagePipelineArn=PIPELINE)
    assert good["imageBuildVersionArn"].endswith("/1")


def test_start_input_at_the_limits_is_accepted(send_raw: Any, stack: Any):
    limits = [
        _start(clientToken="t" * TOKEN_MAX),
        _start(clientToken="x"),
        _start(clientToken="fifty", tags={f"k{i}": "v" for i in range(50)}),
        _start(clientToken="longest", tags={"k" * 128: "v" * 256}),
        _start(clientToken="empty-value", tags={"k": ""}),
        _start(clientToken="characters", tags={TAG_KEY_CHARACTERS: "any value at all: ünïcode"}),
        _start(clientToken="not-aws", tags={"notaws:x": "v", "x-aws:": "v"}),
    ]
    for number, body in enumerate(limits, start=1):
        response = send_raw("PUT", f"/{START}", body)
        assert response.status == 200, response.body
        assert response.json()["imageBuildVersionArn"].endswith(f"/{number}")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"imagePipelineArn": "not-an-arn"}, IPVE, id="arn-pattern"),
        pytest.param({"clientToken": "t" * (TOKEN_MAX + 1)}, IPVE, id="token-over-max"),
        pytest.param({"tags": {}}, IPVE, id="tags-empty"),
        pytest.param({"tags": {f"k{i}": "v" for i in range(51)}}, IPVE, id="tags-51"),
        pytest.param({"tags": {"aws:owner": "me"}}, IPVE, id="aws-prefix"),
        pytest.param({"tags": {"k" * 129: "v"}}, IPVE, id="key-129"),
        pytest.param({"tags": {"k": "v" * 257}}, IPVE, id="value-257"),
    ],
)
def test_what_botocore_lets_through_is_rejected_by_the_fake(
    client: Any, stack: Any, expect_error: Any, count_images: Any, params: dict[str, Any], code: str
):
    with pytest.raises(client.exceptions.InvalidParameterValueException) as caught:
        client.start_image_pipeline_execution(**{"imagePipelineArn": PIPELINE, **params})
    expect_error(caught.value, code, 400)
    assert count_images() == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"clientToken": ""}, IPVE, id="token-empty"),
        pytest.param({"tags": {"": "v"}}, IPVE, id="key-empty"),
        pytest.param({"imagePipelineArn": 5}, SERIALIZATION, id="arn-number"),
        pytest.param({"tags": {"k": 5}}, SERIALIZATION, id="value-number"),
    ],
)
def test_what_botocore_would_refuse_is_rejected_too(
    fake: Any, stack: Any, expect_error: Any, count_images: Any, params: dict[str, Any], code: str
):
    unchecked = boto3.client(
        "imagebuilder",
        region_name="us-east-1",
        config=NO_RETRIES.merge(Config(parameter_validation=False)),
    )
    with pytest.raises(unchecked.exceptions.ClientError) as caught:
        unchecked.start_image_pipeline_execution(**{"imagePipelineArn": PIPELINE, **params})
    expect_error(caught.value, code, 400)
    assert count_images() == 0


def test_request_id_header_equals_body(client: Any, stack: Any, send_raw: Any):
    exchanges = [
        send_raw("PUT", f"/{START}", _start()),
        send_raw("GET", "/GetImagePipeline", query=f"imagePipelineArn={quote(PIPELINE, safe='')}"),
        send_raw("POST", "/ListImagePipelines", {}),
        send_raw("GET", f"/tags/{quote(PIPELINE, safe='')}"),
        send_raw("POST", f"/tags/{quote(PIPELINE, safe='')}", {"tags": {"k": "v"}}),
        send_raw("PUT", f"/{START}", b"{"),
        send_raw("GET", "/nowhere"),
    ]
    ids = [response.headers["x-amzn-RequestId"] for response in exchanges]
    assert all(UUID.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    for response in exchanges:
        body = response.json()
        if "requestId" in body:
            assert body["requestId"] == response.headers["x-amzn-RequestId"]
    # The operations whose output models requestId carry it; the others (tags) do not invent it.
    assert [("requestId" in r.json()) for r in exchanges[:5]] == [True, True, True, False, False]

    answer = client.get_image_pipeline(imagePipelineArn=PIPELINE)
    assert answer["requestId"] == answer["ResponseMetadata"]["RequestId"]


def test_tagging_validation_uses_its_modeled_code(client: Any, stack: Any, send_raw: Any, expect_error: Any):
    with pytest.raises(client.exceptions.InvalidParameterException) as caught:
        client.tag_resource(resourceArn=PIPELINE, tags={"aws:owner": "me"})
    expect_error(caught.value, "InvalidParameterException", 400)

    with pytest.raises(client.exceptions.InvalidParameterException) as caught:
        client.list_tags_for_resource(resourceArn="arn:aws:imagebuilder:us-east-1:123456789012:widget/web")
    expect_error(caught.value, "InvalidParameterException", 400)
    assert "resourceArn" in caught.value.response["message"]

    # botocore checks the list's minimum itself; sent raw, the fake answers it.
    response = send_raw("DELETE", f"/tags/{quote(PIPELINE, safe='')}", query="")
    assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, "InvalidParameterException")
    assert "tagKeys" in response.json()["message"]

    # A resource holds at most 50 tags, counting the ones it has.
    client.tag_resource(resourceArn=PIPELINE, tags={f"a{i}": "v" for i in range(30)})
    with pytest.raises(client.exceptions.InvalidParameterException):
        client.tag_resource(resourceArn=PIPELINE, tags={f"b{i}": "v" for i in range(21)})
    assert len(client.list_tags_for_resource(resourceArn=PIPELINE)["tags"]) == 30


MALFORMED = [
    pytest.param("PUT", "/CreateImageRecipe", b"{", "request body", id="invalid-json"),
    pytest.param("POST", "/ListImagePipelines", b"[]", "JSON object", id="array"),
    pytest.param("PUT", "/CancelImageCreation", b'{"clientToken": "\xff"}', "UTF-8", id="invalid-utf-8"),
    pytest.param(
        "PUT",
        "/CreateImageRecipe",
        _json(
            {
                "name": "web",
                "semanticVersion": "1.0.0",
                "parentImage": "p",
                "clientToken": "t",
                "components": [{"componentArn": 5}],
            }
        ),
        "components[0].componentArn",
        id="nested-member-type",
    ),
    pytest.param(
        "PUT",
        "/CreateImagePipeline",
        _json(
            {
                "name": "web",
                "clientToken": "t",
                "enhancedImageMetadataEnabled": "true",
                "infrastructureConfigurationArn": PIPELINE.replace("image-pipeline", "infrastructure-configuration"),
            }
        ),
        "enhancedImageMetadataEnabled",
        id="boolean-as-string",
    ),
    pytest.param("POST", "/ListImagePipelines", _json({"maxResults": 2.5}), "maxResults", id="float-for-integer"),
    pytest.param("POST", "/ListImagePipelines", _json({"maxResults": True}), "maxResults", id="boolean-for-integer"),
    pytest.param("POST", "/ListImagePipelines", _json({"filters": [None]}), "filters[0]", id="null-in-list"),
    pytest.param("POST", f"/tags/{quote(PIPELINE, safe='')}", _json({"tags": ["k"]}), "tags", id="tagging"),
]


@pytest.mark.parametrize(("method", "path", "body", "mentions"), MALFORMED)
def test_malformed_bodies_are_serialization_errors(
    send_raw: Any, stack: Any, method: str, path: str, body: bytes, mentions: str
):
    response = send_raw(method, path, body)

    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == SERIALIZATION
    assert response.headers["Content-Type"] == "application/json"
    assert mentions in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        pytest.param({"imagePipelineArn": 5}, "'imagePipelineArn'", id="wrong-type-and-missing-token"),
        pytest.param(
            {"imagePipelineArn": "not-an-arn", "clientToken": "t", "tags": {"k": 5}},
            "'tags['k']'",
            id="wrong-type-and-bad-pattern",
        ),
        pytest.param({"clientToken": "t" * 100, "tags": {"k": ["v"]}}, "'tags['k']'", id="nested-wrong-type"),
        pytest.param({"imagePipelineArn": "not-an-arn", "tags": {"k": None}}, "'tags['k']'", id="null-in-map"),
    ],
)
def test_a_wrongly_typed_member_wins_over_broken_constraints(
    send_raw: Any, count_images: Any, body: dict[str, Any], mentions: str
):
    response = send_raw("PUT", "/StartImagePipelineExecution", body)

    assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, SERIALIZATION)
    assert mentions in response.json()["message"]
    assert count_images() == 0


@pytest.mark.parametrize(
    ("method", "path", "mentions"),
    [
        pytest.param("GET", "/", "GET /", id="root"),
        pytest.param("PUT", "/StartImagePipelineExecution/extra", "No operation", id="extra-segment"),
        pytest.param("POST", "/ListImages2", "No operation", id="unknown-name"),
        pytest.param("GET", "/StartImagePipelineExecution", "use PUT", id="start-by-get"),
        pytest.param("PUT", "/GetImage", "use GET", id="get-by-put"),
        pytest.param("PUT", f"/tags/{quote(PIPELINE, safe='')}", "use DELETE or GET or POST", id="tags-by-put"),
        pytest.param("GET", "/tags/", "No operation", id="tags-without-arn"),
    ],
)
def test_unknown_routes_are_4xx(send_raw: Any, method: str, path: str, mentions: str):
    response = send_raw(method, path, b"{}")

    assert response.status == 404
    assert response.headers["x-amzn-ErrorType"] == UNKNOWN
    assert mentions in response.json()["message"]


def test_unknown_members_are_ignored(send_raw: Any, stack: Any, fake: FakeImageBuilder, client: Any):
    # Member names are case-sensitive: "Tags" is not "tags".
    body = _start(Tags={"ignored": "v"}, extra={"nested": [1, 2, {"x": None}]})
    response = fake.handle(
        HttpRequest(
            "PUT",
            f"/{START}",
            "unexpected=query",
            {"host": "imagebuilder.us-east-1.amazonaws.com", "x-unexpected": "header"},
            _json(body),
        )
    )

    assert response.status == 200, response.body
    image = client.get_image(imageBuildVersionArn=response.json()["imageBuildVersionArn"])["image"]
    assert image["tags"] == {}


def test_null_members_are_absent(send_raw: Any, stack: Any, count_images: Any):
    first = send_raw("PUT", f"/{START}", _start(clientToken="same"))
    replay = send_raw("PUT", f"/{START}", {**_start(clientToken="same"), "tags": None})
    missing = send_raw("PUT", f"/{START}", {**_start(), "clientToken": None})

    assert (first.status, replay.status) == (200, 200)
    assert replay.json()["imageBuildVersionArn"] == first.json()["imageBuildVersionArn"]
    assert (missing.status, missing.headers["x-amzn-ErrorType"]) == (400, IPVE)
    assert "'clientToken' is required" in missing.json()["message"]
    assert count_images() == 1


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30])
def test_an_integer_beyond_32_bits_is_refused_as_unreadable(client: Any, expect_error: Any, value: int):
    # FastLaunchConfiguration.maxParallelLaunches is an integer with no max in the model: stored, 2**31 and up
    # would be answered back as no Java service or SDK Int could hold them.
    def distributions(launches: int) -> list[dict[str, Any]]:
        fast_launch = {"enabled": True, "maxParallelLaunches": launches}
        return [{"region": "us-east-1", "amiDistributionConfiguration": {}, "fastLaunchConfigurations": [fast_launch]}]

    with pytest.raises(client.exceptions.ClientError) as caught:
        client.create_distribution_configuration(name="big", distributions=distributions(value))
    expect_error(caught.value, SERIALIZATION, 400)
    assert "maxParallelLaunches': expected a 32-bit integer" in caught.value.response["Error"]["Message"]
    assert client.list_distribution_configurations()["distributionConfigurationSummaryList"] == []
    arn = client.create_distribution_configuration(name="big", distributions=distributions(2**31 - 1))[
        "distributionConfigurationArn"
    ]
    stored = client.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
    assert stored["distributions"][0]["fastLaunchConfigurations"][0]["maxParallelLaunches"] == 2**31 - 1


NESTED_NULLS = [
    pytest.param(
        "/CreateInfrastructureConfiguration",
        {"instanceMetadataOptions": {"httpTokens": None, "httpPutResponseHopLimit": 2}, "logging": {"s3Logs": None}},
        {"instanceMetadataOptions": {"httpPutResponseHopLimit": 2}, "logging": {}},
        id="in-a-structure",
    ),
    pytest.param(
        "/CreateDistributionConfiguration",
        {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"name": None, "kmsKeyId": None}}]},
        {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {}}]},
        id="in-a-structure-in-a-list",
    ),
]


@pytest.mark.parametrize(("path", "with_nulls", "without"), NESTED_NULLS)
def test_nested_null_members_are_absent(send_raw: Any, path: str, with_nulls: dict[str, Any], without: dict[str, Any]):
    # A retry that leaves the null members out (or a client that writes unset members as null) is the same request:
    # it replays the first answer instead of an IdempotentParameterMismatchException.
    base = {"name": "web", "clientToken": "same", "instanceProfileName": "builder"}
    if path != "/CreateInfrastructureConfiguration":
        del base["instanceProfileName"]
    first = send_raw("PUT", path, {**base, **with_nulls})
    retry = send_raw("PUT", path, {**base, **without})
    again = send_raw("PUT", path, {**base, **with_nulls})

    assert [first.status, retry.status, again.status] == [200, 200, 200], retry.body
    assert first.json() == {**retry.json(), "requestId": first.json()["requestId"]}
    assert again.json() == {**retry.json(), "requestId": again.json()["requestId"]}


AMI = "web-{{imagebuilder:buildDate}}"
NESTED_UNKNOWN = [
    pytest.param(
        "/CreateInfrastructureConfiguration",
        {"instanceMetadataOptions": {"httpPutResponseHopLimit": 2, "fromANewerModel": "x"}},
        {"instanceMetadataOptions": {"httpPutResponseHopLimit": 2}},
        id="in-a-structure",
    ),
    pytest.param(
        "/CreateDistributionConfiguration",
        {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI, "later": {"x": 1}}}]},
        {"distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {"name": AMI}}]},
        id="in-a-structure-in-a-list",
    ),
]


@pytest.mark.parametrize(("path", "with_unknown", "without"), NESTED_UNKNOWN)
def test_nested_members_the_model_does_not_know_are_ignored(
    send_raw: Any, path: str, with_unknown: dict[str, Any], without: dict[str, Any]
):
    # A newer SDK's member is ignored at any depth, as at the top: a retry with it is the same request, not an
    # IdempotentParameterMismatchException.
    base = {"name": "web", "clientToken": "same", "instanceProfileName": "builder"}
    if path != "/CreateInfrastructureConfiguration":
        del base["instanceProfileName"]
    first = send_raw("PUT", path, {**base, **without})
    retry = send_raw("PUT", path, {**base, **with_unknown})

    assert [first.status, retry.status] == [200, 200], retry.body
    assert first.json() == {**retry.json(), "requestId": first.json()["requestId"]}


def test_unimplemented_operation_names_itself(client: Any, expect_error: Any, monkeypatch: pytest.MonkeyPatch):
    # Taken out of the registry, so the test does not depend on which operations are still missing (soon
    # none of today's model): a newer model's operation would be missing just so.
    registry = {name: op for name, op in OPERATIONS.items() if name != "ListLifecycleExecutions"}
    monkeypatch.setattr(service_module, "OPERATIONS", registry)
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.list_lifecycle_executions(resourceArn=PIPELINE)
    expect_error(caught.value, "NotImplementedException", 501)
    message = caught.value.response["Error"]["Message"]
    assert "ListLifecycleExecutions" in message
    assert "StartImagePipelineExecution" in message  # it lists what is implemented


def test_uri_labels_and_query_members_are_decoded(client: Any, stack: Any, send_raw: Any):
    client.tag_resource(resourceArn=PIPELINE, tags={"team": "a"})
    assert client.list_tags_for_resource(resourceArn=PIPELINE)["tags"] == {"team": "a"}

    listed = send_raw("GET", f"/tags/{quote(PIPELINE, safe='')}")
    assert listed.json()["tags"] == {"team": "a"}
    removed = send_raw("DELETE", f"/tags/{quote(PIPELINE, safe='')}", query="tagKeys=team&tagKeys=other")
    assert removed.status == 200
    got = send_raw("GET", "/GetImagePipeline", query=f"imagePipelineArn={quote(PIPELINE, safe='')}")
    assert got.json()["imagePipeline"]["tags"] == {}


def test_a_crash_in_the_fake_answers_a_500_in_protocol(caplog: pytest.LogCaptureFixture):
    def broken(call: Any) -> dict[str, Any]:
        raise RuntimeError("bug in the backend")

    wire = RestJsonWire(broken, account_for=lambda key: "123456789012", default_region="us-east-1")
    response = wire.handle(HttpRequest("POST", "/ListImagePipelines", "", {}, b"{}"))

    assert response.status == 500
    assert response.headers["x-amzn-ErrorType"] == "ServiceException"
    assert "bug in the backend" not in response.body.decode()
    assert "Traceback" not in response.body.decode()
    assert "bug in the backend" in caplog.text  # ... but the log has it


def test_recursive_shapes_are_parsed_and_serialized():
    model = ServiceModel(
        {
            "metadata": {
                "protocol": "rest-json",
                "apiVersion": "2019-12-02",
                "endpointPrefix": "imagebuilder",
                "serviceId": "imagebuilder",
            },
            "operations": {
                "Walk": {
                    "name": "Walk",
                    "http": {"method": "POST", "requestUri": "/Walk"},
                    "input": {"shape": "Node"},
                    "output": {"shape": "Node"},
                }
            },
            "shapes": {
                "Node": {"type": "structure", "members": {"next": {"shape": "Node"}, "label": {"shape": "Label"}}},
                "Label": {"type": "string", "max": 5},
            },
        }
    )
    wire = RestJsonWire(
        lambda call: call.params, account_for=lambda key: "123456789012", default_region="us-east-1", model=model
    )
    chain = {"label": "a", "next": {"label": "b", "next": {"label": "c", "unknown": 1}}}

    answered = wire.handle(HttpRequest("POST", "/Walk", "", {}, _json(chain)))
    refused = wire.handle(HttpRequest("POST", "/Walk", "", {}, _json({"next": {"next": {"label": "toolong"}}})))

    assert answered.status == 200
    assert answered.json() == {"label": "a", "next": {"label": "b", "next": {"label": "c"}}}
    assert refused.status == 400
    assert "next.next.label" in refused.json()["message"]


# -- strings that are not Unicode: JSON can escape a lone surrogate, which no store or answer can hold --

LONE = "\ud800"
WORKFLOW = "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/x.x.x"


@pytest.mark.parametrize(
    ("operation", "members", "path"),
    [
        ("StartImagePipelineExecution", {"imagePipelineArn": PIPELINE, "tags": {"k": LONE}}, "tags['k']"),
        ("StartImagePipelineExecution", {"imagePipelineArn": PIPELINE, "tags": {"k" + LONE: "v"}}, "tags"),
        ("StartImagePipelineExecution", {"imagePipelineArn": PIPELINE, "clientToken": "t\udfff"}, "clientToken"),
        ("CreateImagePipeline", {"description": "a \udc00 b"}, "description"),
        # At any depth, in a member the model does not have as well as in one it has.
        (
            "CreateImagePipeline",
            {"imageTestsConfiguration": {"timeoutMinutes": 60, "note": LONE}},
            "imageTestsConfiguration.note",
        ),
        (
            "CreateImagePipeline",
            {"workflows": [{"workflowArn": WORKFLOW, "parameters": [{"name": "p", "value": ["ok", LONE]}]}]},
            "workflows[0].parameters[0].value[1]",
        ),
    ],
)
def test_text_that_is_not_unicode_is_refused_before_anything_is_applied(
    client: Any, stack: Any, send_raw: Any, count_images: Any, operation: str, members: dict[str, Any], path: str
):
    if operation == "CreateImagePipeline":
        body = {
            "name": "second",
            "imageRecipeArn": stack.recipe_arn,
            "infrastructureConfigurationArn": stack.infrastructure_arn,
            "clientToken": "c",
            **members,
        }
    else:
        body = {"clientToken": "c", **members}

    # json.dumps writes a lone surrogate as the escape "\ud800", as botocore's serializer does.
    response = send_raw("PUT", f"/{operation}", body)

    assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, IPVE)
    message = response.json()["message"]
    assert f"'{path}'" in message and "valid Unicode" in message
    assert count_images() == 0
    assert [p["name"] for p in client.list_image_pipelines()["imagePipelineList"]] == ["web"]


def test_boto3_gets_the_validation_error_for_a_lone_surrogate(client: Any, stack: Any, count_images: Any):
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={"k": LONE})

    assert count_images() == 0
    # Nothing was spent: the next start is build 1.
    assert client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"].endswith(
        "/1"
    )


def test_escaped_text_that_is_unicode_passes(client: Any, stack: Any, send_raw: Any):
    # A surrogate pair is one character (U+1F600); escaped, it looks like two surrogates to a byte scan.
    tags = b'{"k": "\\ud83d\\ude00 \\u00fc"}'
    body = b'{"imagePipelineArn": "%s", "clientToken": "c", "tags": %s}' % (PIPELINE.encode(), tags)

    response = send_raw("PUT", "/StartImagePipelineExecution", body)

    assert response.status == 200
    arn = response.json()["imageBuildVersionArn"]
    assert client.get_image(imageBuildVersionArn=arn)["image"]["tags"] == {"k": "\U0001f600 \u00fc"}


@pytest.mark.parametrize("key", ["AWS:team", "Aws:team", "aWs:team"])
def test_only_the_lower_case_aws_prefix_is_reserved(client: Any, stack: Any, key: str):
    # Image Builder's own pattern is ^(?!aws:), case-sensitive; services that reserve every case say so in
    # theirs (EFS: ^(?![aA]{1}[wW]{1}[sS]{1}:)).
    arn = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={key: "v"})[
        "imageBuildVersionArn"
    ]
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {key: "v"}

    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn, tags={"aws:team": "v"})


@pytest.mark.parametrize(
    "update_at",
    [
        *(b"1e300", b"1e18", b"253402300800", b"-1", b"1e400", b'"notadate"', b'"10000-01-01T00:00:00Z"', b'"nan"'),
        *(b'"2030-W01-1"', b'"1_900_000_000"', b'"2030-01-01"', b'"2030-01-01 00:00:00Z"'),
    ],
)
def test_a_timestamp_no_date_can_hold_is_refused_at_the_wire(
    fake: Any, client: Any, stack: Any, send_raw: Any, update_at: bytes
):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    body = b'{"resourceArn":"%s","state":{"status":"DEPRECATED"},"updateAt":%s,"clientToken":"t"}' % (
        build.encode(),
        update_at,
    )

    response = send_raw("PUT", "/StartResourceStateUpdate", body)

    assert (response.status, response.headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert "of updateAt is not a valid timestamp" in response.json()["message"]
    assert client.list_lifecycle_executions(resourceArn=build)["lifecycleExecutions"] == []


@pytest.fixture
def local_time_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is New York's (UTC-5/-4) for the test."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_an_iso_timestamp_without_an_offset_is_utc_whatever_the_local_zone(
    fake: Any, client: Any, stack: Any, send_raw: Any, local_time_new_york: None
):
    build = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(3600)
    at = int(fake.clock.now()) + 7200
    body = (
        f'{{"resourceArn":"{build}","state":{{"status":"DEPRECATED"}},'
        f'"updateAt":"{datetime.fromtimestamp(at, UTC):%Y-%m-%dT%H:%M:%S}","clientToken":"t"}}'
    )

    assert send_raw("PUT", "/StartResourceStateUpdate", body.encode()).status == 200
    [execution] = client.list_lifecycle_executions(resourceArn=build)["lifecycleExecutions"]
    fake.advance(7200)
    started = client.get_lifecycle_execution(lifecycleExecutionId=execution["lifecycleExecutionId"])
    assert started["lifecycleExecution"]["startTime"].timestamp() == at


@given(st.text(alphabet="ab=&+%2Fé09 xC3", max_size=40))
def test_the_query_is_read_as_parse_qs_reads_it(query: str):
    # The wire's own reader is faster than parse_qs; it must read every query, malformed escapes included, alike.
    assert _query_values(query) == parse_qs(query, keep_blank_values=True)


_SCOPE_PART = st.text(alphabet="aK0 ,\t/éＡ", max_size=3)


@given(
    st.lists(st.one_of(st.just("Credential="), _SCOPE_PART), max_size=3).map("".join),
    st.lists(_SCOPE_PART, min_size=0, max_size=5).map("/".join),
)
def test_the_credential_scope_is_read_as_the_regex_reads_it(before: str, scope: str):
    # caller_of splits the usual header without the regex; on every header it must agree with the regex.
    authorization = f"AWS4-HMAC-SHA256 {before}Credential={scope}"
    match = _CREDENTIAL.search(authorization)
    expected = (match.group(1), match.group(2)) if match else (None, None)
    assert caller_of({"authorization": authorization}) == expected


def test_a_presigned_request_takes_its_caller_from_the_query_s_credential():
    credential = "X-Amz-Credential=AKIDQUERY%2F20260101%2Feu-west-3%2Fimagebuilder%2Faws4_request"
    host = {"host": "imagebuilder.us-west-2.amazonaws.com"}
    assert caller_of(host, f"maxResults=5&X-Amz-Algorithm=AWS4-HMAC-SHA256&{credential}") == ("AKIDQUERY", "eu-west-3")
    # An Authorization header, when there, is the credential; a scope that names no region is the host's.
    header = {"authorization": "AWS4-HMAC-SHA256 Credential=AKIDHEADER/20260101/eu-west-1/imagebuilder/aws4_request"}
    assert caller_of(header, credential) == ("AKIDHEADER", "eu-west-1")
    assert caller_of(host, "X-Amz-Credential=AKIDQUERY") == (None, "us-west-2")


def test_a_presigned_request_lands_in_its_credential_s_account_and_region(aws_env: None):
    fake = FakeImageBuilder(accounts={"AKIDOTHER": "111122223333"})
    client = boto3.client(
        "imagebuilder", region_name="eu-west-1", aws_access_key_id="AKIDOTHER", aws_secret_access_key="s"
    )
    url = client.generate_presigned_url(
        "create_infrastructure_configuration", Params={"name": "n", "instanceProfileName": "p"}, ExpiresIn=60
    )
    parts = urlsplit(url)
    body = _json({"name": "presigned", "instanceProfileName": "p", "clientToken": "t"})

    answer = fake.handle(HttpRequest("PUT", parts.path, parts.query, {"host": parts.netloc}, body))

    assert answer.status == 200, answer.body
    assert answer.json()["infrastructureConfigurationArn"].startswith(
        "arn:aws:imagebuilder:eu-west-1:111122223333:infrastructure-configuration/"
    )


@pytest.mark.parametrize(
    "host",
    ["imagebuilder.eu-west-3.amazonaws.com", "IMAGEBUILDER.EU-WEST-3.AMAZONAWS.COM", "imagebuilder-fips.eu-west-3.x"],
)
def test_an_unsigned_request_takes_its_region_from_the_host_whatever_its_case(host: str):
    assert caller_of({"host": host}) == (None, "eu-west-3")
