"""Shared fixtures of the core tests: a hermetic AWS environment, an active fake, clients and resources.

These fixtures are deliberately independent of the package's own pytest
plugin (``fakeimagebuilder.pytest_plugin``), which is tested on its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.model import Shape

from fakeimagebuilder import FakeImageBuilder, HttpRequest, HttpResponse
from fakeimagebuilder.model import service_model
from fakeimagebuilder.validation import check

# tests/plugin/ runs inner pytest sessions; pytest accepts pytest_plugins only in the top-level conftest.
pytest_plugins = ["pytester"]

REGION = "us-east-1"
PARENT_IMAGE = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"
# "max_attempts" counts retries after the first try; "total_max_attempts" counts every attempt.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

# Environment that could send clients elsewhere or change their retries: cleared for every test.
_LEAKY_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IMAGEBUILDER",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long-runs",
        action="store_true",
        help="run the server's stress, kill and fuzz tests at full size (minutes; README's reliability figures)",
    )


@pytest.fixture
def long_runs(request: pytest.FixtureRequest) -> bool:
    """Whether ``--long-runs`` was given: the reliability tests then run at full size."""
    return bool(request.config.getoption("--long-runs"))


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Dummy credentials and a default region; no user AWS config can leak into a test."""
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def fake(aws_env: None, request: pytest.FixtureRequest) -> Iterator[FakeImageBuilder]:
    """An active fake, left (and botocore restored) after the test.

    Its constructor arguments come from indirect parametrization, e.g.
    ``@pytest.mark.parametrize("fake", [{"max_concurrent_builds": 1}], indirect=True)``;
    default settings otherwise.
    """
    with FakeImageBuilder(**getattr(request, "param", {})) as active:
        yield active


@pytest.fixture
def client(fake: FakeImageBuilder) -> Any:
    """A boto3 Image Builder client on the fake that never retries, so every error surfaces at once."""
    return boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)


@dataclass(frozen=True)
class Stack:
    """The ARNs of a recipe, an infrastructure configuration and the pipeline that uses them."""

    recipe_arn: str
    infrastructure_arn: str
    pipeline_arn: str


@pytest.fixture
def make_stack(client: Any) -> Callable[..., Stack]:
    """Create a pipeline, and the recipe and infrastructure configuration it needs unless given.

    ``make_stack(name="web", recipe_name=None, version="1.0.0", recipe_arn=None,
    infrastructure_arn=None, **pipeline_members)``.
    """

    def make(
        name: str = "web",
        *,
        recipe_name: str | None = None,
        version: str = "1.0.0",
        recipe_arn: str | None = None,
        infrastructure_arn: str | None = None,
        **pipeline_members: Any,
    ) -> Stack:
        if recipe_arn is None:
            recipe_arn = client.create_image_recipe(
                name=recipe_name or name,
                semanticVersion=version,
                parentImage=PARENT_IMAGE,
                components=[{"componentArn": COMPONENT}],
            )["imageRecipeArn"]
        if infrastructure_arn is None:
            infrastructure_arn = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")[
                "infrastructureConfigurationArn"
            ]
        pipeline_arn = client.create_image_pipeline(
            name=name, imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infrastructure_arn, **pipeline_members
        )["imagePipelineArn"]
        return Stack(recipe_arn, infrastructure_arn, pipeline_arn)

    return make


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    """One ready pipeline named ``web`` (recipe ``web`` 1.0.0, image tests on)."""
    return make_stack()


@pytest.fixture
def count_images(fake: FakeImageBuilder) -> Callable[[], int]:
    """How many images (build versions) the fake holds now, in every account and region."""
    return lambda: sum(len(region["images"]) for account in fake.state().values() for region in account.values())


@pytest.fixture
def send_raw(fake: FakeImageBuilder) -> Callable[..., HttpResponse]:
    """Send one raw HTTP request to ``fake.handle``: the wire path every transport uses.

    ``send_raw(method, path, body=b"", query="")``; a non-bytes body is sent
    as JSON. The request is addressed to the default region's AWS host.
    """

    def send(method: str, path: str, body: Any = b"", query: str = "") -> HttpResponse:
        if not isinstance(body, bytes):
            body = json.dumps(body).encode("utf-8")
        headers = {"host": f"imagebuilder.{REGION}.amazonaws.com", "content-type": "application/json"}
        return fake.handle(HttpRequest(method, path, query, headers, body))

    return send


# -- output shapes -------------------------------------------------------------------

# Where AWS's documented answers break the model's constraints, the fake follows AWS; these
# are the only exceptions the output check makes, each narrow and each a ledger row:
# - image-version: Image.version and ImageSummary.version read "x.y.z/n" (the model says x.y.z);
# - empty-tags: an untagged resource shows "tags": {} (the model's TagMap has min 1).
_BUILD_VERSION_SHAPES = frozenset({"Image", "ImageSummary"})
_BUILD_VERSION = re.compile(r"^([0-9]+\.[0-9]+\.[0-9]+)/([0-9]+)\Z")


def _exceptions_undone(shape: Shape, value: Any, path: str) -> Any:
    """``value`` with the documented exceptions undone; members not in the model are refused on the way."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path or shape.name}: members not in the model: {sorted(unknown)}"
        out = {
            k: _exceptions_undone(shape.members[k], v, f"{path}.{k}" if path else k)
            for k, v in value.items()
            if not (k == "tags" and shape.members[k].name == "TagMap" and v == {})
        }
        if shape.name in _BUILD_VERSION_SHAPES and "version" in out:
            match = _BUILD_VERSION.match(out["version"])
            assert match, f"{path}.version: expected x.y.z/n, got {out['version']!r}"
            out["version"] = match.group(1)
        return out
    if kind == "list" and isinstance(value, list):
        return [_exceptions_undone(shape.member, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: _exceptions_undone(shape.value, v, f"{path}[{k}]") for k, v in value.items()}
    return value


def _check_output(operation: str, body: bytes) -> dict[str, Any]:
    document = json.loads(body)
    shape = service_model().operation_model(operation).output_shape
    check(shape, _exceptions_undone(shape, document, ""))
    return document


@pytest.fixture
def check_output() -> Callable[[str, bytes], dict[str, Any]]:
    """``check_output(operation, body)``: assert a raw success body fits the operation's output shape.

    Strict: every member must be in the model and every constraint must hold,
    except the documented exceptions (ledger rows image-version and empty-tags).
    Returns the parsed body.
    """
    return _check_output


@pytest.fixture
def raw_bodies(client: Any) -> dict[str, bytes]:
    """The last raw response body ``client`` received, by operation name (filled as calls are made)."""
    seen: dict[str, bytes] = {}

    def record(http_response: Any, model: Any, **kwargs: Any) -> None:
        seen[model.name] = http_response.content

    client.meta.events.register("after-call.imagebuilder", record)
    return seen


_MODELED_ERRORS = frozenset(
    name for name in service_model().shape_names if service_model().shape_for(name).metadata.get("exception")
)


def _assert_client_error(error: Any, code: str, status: int) -> None:
    response = error.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert UUID.match(response["ResponseMetadata"]["RequestId"])
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == response["ResponseMetadata"]["RequestId"]
    assert response["Error"]["Message"]
    if code in _MODELED_ERRORS:
        # botocore copies the body's lowercase "message" here only for codes with an error shape.
        assert response["message"] == response["Error"]["Message"]


@pytest.fixture
def expect_error() -> Callable[[Any, str, int], None]:
    """``expect_error(client_error, code, status)``: assert how a modeled error reached botocore.

    Code and HTTP status as given, a UUID ``x-amzn-RequestId`` (also in
    ResponseMetadata), a message, and for modeled codes the body's lowercase
    ``message`` in ``e.response["message"]``.
    """
    return _assert_client_error
