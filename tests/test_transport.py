"""The in-process transport: which requests the fake takes, and how completely botocore is restored."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointVariantError
from botocore.loaders import create_loader
from botocore.stub import Stubber

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.transports.botocore_hook import is_aws_host

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
# Required by older botocore models (the lowest one setup.cfg admits), so always sent.
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]


class ReachedTheNetwork(Exception):
    """Raised by the stand-in for botocore's HTTP send: the request would have left the process."""

    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__(request.url)
        self.request = request


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch, aws_env: None) -> list[str]:
    """botocore's send replaced, before any fake, by one that records the URL and raises: no test touches a socket."""
    urls: list[str] = []

    def send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
        urls.append(request.url)
        raise ReachedTheNetwork(request)

    monkeypatch.setattr(Endpoint, "_send", send)
    return urls


def _recipe(client: Any, name: str = "web") -> str:
    arn: str = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS
    )["imageRecipeArn"]
    return arn


def _recipes_of(fake: FakeImageBuilder) -> list[dict[str, Any]]:
    recipes: list[dict[str, Any]] = fake.state()["123456789012"]["us-east-1"]["imageRecipes"]
    return recipes


def test_a_client_created_before_the_fake_reaches_it(network: list[str]):
    early = boto3.client("imagebuilder", region_name="us-east-1")

    with FakeImageBuilder() as fake:
        arn = _recipe(early)
        assert fake.state()["123456789012"]["us-east-1"]["imageRecipes"][0]["arn"] == arn

    assert network == []
    with pytest.raises(ReachedTheNetwork):
        early.list_image_pipelines()  # after the block, the client is botocore's again


def test_clients_in_other_threads_reach_the_fake(network: list[str]):
    client = boto3.client("imagebuilder", region_name="us-east-1")
    results: list[str] = []
    with FakeImageBuilder():
        thread = threading.Thread(target=lambda: results.append(_recipe(client, "threaded")))
        thread.start()
        thread.join()
    assert results == ["arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/threaded/1.0.0"]
    assert network == []


def test_other_services_are_untouched(network: list[str]):
    sts = boto3.client("sts", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")

    with FakeImageBuilder():
        with pytest.raises(ReachedTheNetwork) as caught:
            sts.get_caller_identity()
        assert caught.value.request.url.startswith("https://sts.")
        with pytest.raises(ReachedTheNetwork):
            s3.list_buckets()
        # A Stubber on another service keeps working as it did.
        with Stubber(sts) as stub:
            stub.add_response(
                "get_caller_identity", {"Account": "999999999999", "Arn": "arn:aws:iam::999999999999:root"}
            )
            assert sts.get_caller_identity()["Account"] == "999999999999"

    assert [url.split("/")[2].split(".")[0] for url in network] == ["sts", "s3"]


def test_leaving_restores_botocore_exactly():
    original = Endpoint.__dict__["_send"]

    with FakeImageBuilder():
        assert Endpoint.__dict__["_send"] is not original
    assert Endpoint.__dict__["_send"] is original

    with pytest.raises(RuntimeError), FakeImageBuilder():
        raise RuntimeError("a failing test body")
    assert Endpoint.__dict__["_send"] is original

    fake = FakeImageBuilder()
    fake.start()
    fake.start()
    fake.stop()
    assert Endpoint.__dict__["_send"] is not original  # still started once
    fake.stop()
    fake.stop()  # one stop too many is harmless
    assert Endpoint.__dict__["_send"] is original


def test_sessions_made_while_a_fake_is_active_share_what_their_loaders_read(
    aws_env: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
):
    import botocore.session

    original = botocore.session.create_loader
    with FakeImageBuilder():
        first, second = botocore.session.get_session(), botocore.session.get_session()
        # Fresh loaders (boto3 extends one's search paths), one memo: the model is read once.
        assert first.get_component("data_loader") is not second.get_component("data_loader")
        model = first.get_service_data("imagebuilder")
        assert second.get_service_data("imagebuilder") is model
        # A loader that looks elsewhere (AWS_DATA_PATH) reads for itself, and finds what is there.
        custom = tmp_path / "imagebuilder" / "2019-12-02"
        custom.mkdir(parents=True)
        (custom / "service-2.json").write_text(json.dumps({**model, "documentation": "custom"}))
        monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
        elsewhere = botocore.session.get_session().get_service_data("imagebuilder")
        assert elsewhere["documentation"] == "custom" and model.get("documentation") != "custom"
    assert botocore.session.create_loader is original
    monkeypatch.delenv("AWS_DATA_PATH")
    assert botocore.session.get_session().get_service_data("imagebuilder") is not model


def test_sessions_made_while_a_fake_is_active_still_refuse_a_handler_without_kwargs(aws_env: None):
    import botocore.hooks
    import botocore.session

    def handler(request):  # no **kwargs: botocore refuses it
        return None

    def good(**kwargs):
        return None

    class Handlers:
        def good(self, **kwargs):
            return None

        def bad(self, request):
            return None

    original = botocore.hooks.accepts_kwargs
    with FakeImageBuilder():
        for _ in range(2):  # the answer is remembered per function, and it is still the right one
            session = botocore.session.get_session()
            for refused in (handler, Handlers().bad):
                with pytest.raises(ValueError, match="must accept keyword arguments"):
                    session.register("before-send.imagebuilder", refused)
            session.register("before-send.imagebuilder", good)
            session.register("before-send.imagebuilder", Handlers().good)
    assert botocore.hooks.accepts_kwargs is original


def test_a_custom_endpoint_url_is_not_intercepted(network: list[str]):
    local = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")

    with FakeImageBuilder() as fake, pytest.raises(ReachedTheNetwork) as caught:
        _recipe(local)

    assert caught.value.request.url == "http://127.0.0.1:9/CreateImageRecipe"
    assert fake.state() == {}


@pytest.mark.parametrize(
    ("url", "aws"),
    [
        ("https://imagebuilder.us-east-1.amazonaws.com/GetImage", True),
        ("https://imagebuilder-fips.us-gov-west-1.amazonaws.com/GetImage", True),
        ("https://imagebuilder.cn-north-1.amazonaws.com.cn/GetImage", True),
        ("https://imagebuilder.us-east-1.api.aws/GetImage", True),
        ("http://127.0.0.1:4010/GetImage", False),
        ("http://localhost:4566/GetImage", False),
        ("https://imagebuilder.us-east-1.amazonaws.com.evil.example/GetImage", False),
    ],
)
def test_only_aws_hosts_are_taken(url: str, aws: bool):
    assert is_aws_host(url) is aws


def _endpoint_variants() -> list[Any]:
    """A region of every partition botocore knows, with every endpoint variant botocore can build for it."""
    partitions = create_loader().load_data("partitions")["partitions"]
    variants = [{}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True}]
    found = []
    for partition in partitions:
        region = partition["outputs"]["implicitGlobalRegion"]
        for options in variants:
            try:
                boto3.client("imagebuilder", region_name=region, config=Config(**options))
            except EndpointVariantError:
                continue  # botocore itself cannot build this variant here
            found.append(pytest.param(region, options, id="-".join([region, *options])))
    return found


@pytest.mark.parametrize(("region", "options"), _endpoint_variants())
def test_clients_of_every_partition_reach_the_fake(network: list[str], region: str, options: dict[str, bool]):
    client = boto3.client("imagebuilder", region_name=region, config=Config(**options))

    with FakeImageBuilder() as fake:
        client.create_infrastructure_configuration(name="everywhere", instanceProfileName="builder")

    assert network == []
    assert list(fake.state()["123456789012"]) == [region]


def test_nested_fakes_the_innermost_wins(network: list[str]):
    client = boto3.client("imagebuilder", region_name="us-east-1")

    with FakeImageBuilder() as outer:
        _recipe(client, "outer")
        with FakeImageBuilder() as inner:
            _recipe(client, "inner")
            assert [r["name"] for r in _recipes_of(inner)] == ["inner"]
        _recipe(client, "outer-again")
        assert [r["name"] for r in _recipes_of(outer)] == ["outer", "outer-again"]

    assert network == []


def test_fakes_may_be_left_out_of_order(network: list[str]):
    client = boto3.client("imagebuilder", region_name="us-east-1")
    original = Endpoint.__dict__["_send"]
    first, second = FakeImageBuilder(), FakeImageBuilder()
    first.start()
    second.start()
    try:
        first.stop()
        _recipe(client, "second")
        assert _recipes_of(second)[0]["name"] == "second"
        assert first.state() == {}
    finally:
        first.stop()
        second.stop()
    assert Endpoint.__dict__["_send"] is original


def test_a_fake_intercepts_even_if_its_patch_was_undone_meanwhile(network: list[str]):
    client = boto3.client("imagebuilder", region_name="us-east-1")
    stand_in = Endpoint.__dict__["_send"]
    first, second = FakeImageBuilder(), FakeImageBuilder()
    first.start()
    try:
        # Someone (a test's monkeypatch teardown, another library) puts its own send back
        # while a fake is still active; the next fake must patch again, not trust its list.
        Endpoint._send = stand_in  # type: ignore[method-assign]
        with second:
            _recipe(client, "second")
            assert _recipes_of(second)[0]["name"] == "second"
    finally:
        first.stop()
    assert network == []
    assert Endpoint.__dict__["_send"] is stand_in


def test_the_fake_s_own_client_reaches_it(network: list[str]):
    with FakeImageBuilder(region="eu-west-1") as fake:
        arn = _recipe(fake.client())

    assert arn == "arn:aws:imagebuilder:eu-west-1:123456789012:image-recipe/web/1.0.0"
    assert network == []


class Refused(Exception):
    """What the test's guard raises for a request it stops."""


def test_guards_and_fakes_nest_in_any_order(network: list[str]):
    from fakeimagebuilder.transports import botocore_hook

    client = boto3.client("imagebuilder", region_name="us-east-1")
    elsewhere = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url="https://images.example.invalid")
    stand_in = Endpoint.__dict__["_send"]
    outer = FakeImageBuilder().start()  # e.g. a user's own session-long fake
    try:
        with botocore_hook.guard(Refused), FakeImageBuilder() as inner:
            _recipe(client, "inner")
            with pytest.raises(Refused, match=r"images\.example\.invalid"):
                elsewhere.list_image_pipelines()
        assert [r["name"] for r in _recipes_of(inner)] == ["inner"]
        _recipe(client, "outer")
        assert [r["name"] for r in _recipes_of(outer)] == ["outer"]
        with botocore_hook.guard(Refused):
            _recipe(client, "guarded")  # a fake is active beneath the guard: it answers
    finally:
        outer.stop()

    assert Endpoint.__dict__["_send"] is stand_in
    assert network == []
    with botocore_hook.guard(Refused), pytest.raises(Refused):
        client.list_image_pipelines()  # no fake at all: an AWS host is refused too
    assert Endpoint.__dict__["_send"] is stand_in
