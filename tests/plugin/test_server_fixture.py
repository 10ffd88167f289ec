"""``imagebuilder_server``: one running server per session (and per xdist worker), fresh state per test."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

_SERVER_TESTS = """
import json
import os

import boto3
import pytest
from pipelines import make_pipeline, status

URLS = []


@pytest.fixture
def client(imagebuilder_server):
    URLS.append(str(imagebuilder_server))
    return boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server))


def test_a_dirties_the_server(client, imagebuilder_server):
    arn = make_pipeline(client)
    client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="t")
    imagebuilder_server.fake.fail_next("ListImagePipelines", "ServiceException", times=100)
    imagebuilder_server.fake.deny("GetImagePipeline")


@pytest.mark.imagebuilder(build_seconds=60, outcome="FAILED", max_concurrent_builds=1, account_id="111122223333")
def test_b_marker_knobs(client, imagebuilder_server):
    assert client.list_image_pipelines()["imagePipelineList"] == []
    arn = make_pipeline(client)
    assert ":111122223333:" in arn
    image = client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="t")["imageBuildVersionArn"]
    assert image.endswith("/1")  # build numbers and tokens started over
    with pytest.raises(client.exceptions.ResourceInUseException):
        client.start_image_pipeline_execution(imagePipelineArn=arn)
    imagebuilder_server.fake.advance(60)
    assert status(client, image) == "FAILED"


def test_c_knobs_are_back_to_the_defaults(client, imagebuilder_server):
    arn = make_pipeline(client)
    assert ":123456789012:" in arn
    image = client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
    client.start_image_pipeline_execution(imagePipelineArn=arn)
    imagebuilder_server.fake.advance(3600)
    assert status(client, image) == "AVAILABLE"


def test_d_one_server_for_the_session(imagebuilder_server):
    assert set(URLS) == {str(imagebuilder_server)}
    with open("server-url.json", "w") as out:
        json.dump({"url": str(imagebuilder_server), "env_region": os.environ["AWS_DEFAULT_REGION"]}, out)
"""


def test_server_is_shared_reset_and_configured_per_test(project: pytest.Pytester):
    project.makepyfile(test_server=_SERVER_TESTS)

    project.runpytest().assert_outcomes(passed=4)

    seen = json.loads((project.path / "server-url.json").read_text())
    url = urlsplit(seen["url"])
    assert (url.scheme, url.hostname) == ("http", "127.0.0.1")
    assert seen["env_region"] == "us-east-1"
    # The session is over: the server was stopped with it.
    with pytest.raises(ConnectionRefusedError), socket.create_connection((url.hostname, url.port), timeout=5):
        pass


def test_server_tests_cannot_reach_aws(trapped: pytest.Pytester):
    trapped.makepyfile(
        """
        import boto3
        import pytest
        from fakeimagebuilder.pytest_plugin import NetworkBlocked

        def test_forgotten_endpoint_url_is_refused(trap, imagebuilder_server):
            # No fake is active in this test: a client for AWS would leave the machine.
            with pytest.raises(NetworkBlocked, match="imagebuilder.us-east-1.amazonaws.com"):
                boto3.client("imagebuilder").list_image_pipelines()
            assert trap == []

        def test_server_and_fake_together(trap, imagebuilder_server, imagebuilder_fake, imagebuilder_client):
            served = boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server))
            served.create_infrastructure_configuration(name="on-server", instanceProfileName="p")
            imagebuilder_client.create_infrastructure_configuration(name="in-process", instanceProfileName="p")
            assert [c for c in imagebuilder_server.fake.state()["123456789012"]["us-east-1"][
                "infrastructureConfigurations"]][0]["name"] == "on-server"
            assert imagebuilder_fake.state()["123456789012"]["us-east-1"][
                "infrastructureConfigurations"][0]["name"] == "in-process"
            assert trap == []
        """
    )

    trapped.runpytest().assert_outcomes(passed=2)


def test_the_server_asked_for_with_getfixturevalue_is_set_up_as_a_declared_one(
    trapped: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_PROFILE", "the-developers")
    trapped.makepyfile(
        """
        import os

        import boto3
        import pytest
        from fakeimagebuilder.pytest_plugin import NetworkBlocked
        from pipelines import make_pipeline

        def test_a_dirties_the_server(imagebuilder_server):
            make_pipeline(boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server)))

        @pytest.mark.imagebuilder(account_id="111122223333", region="eu-west-1")
        def test_b_asked_for_late(trap, request):
            server = request.getfixturevalue("imagebuilder_server")
            # The dummy AWS environment, in the marker's region:
            assert "AWS_PROFILE" not in os.environ and os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
            client = boto3.client("imagebuilder", endpoint_url=str(server))
            assert client.list_image_pipelines()["imagePipelineList"] == []  # state reset
            assert ":111122223333:" in make_pipeline(client)  # the marker's knobs
            with pytest.raises(NetworkBlocked):  # the guard
                boto3.client("imagebuilder").list_image_pipelines()
            assert trap == []
        """
    )

    trapped.runpytest().assert_outcomes(passed=2)


def test_one_server_per_xdist_worker(project: pytest.Pytester):
    for n in range(4):
        project.makepyfile(
            **{
                f"test_worker_{n}": f"""
                import json, os

                def test_server(imagebuilder_server):
                    with open("seen-{n}.json", "w") as out:
                        json.dump([os.environ["PYTEST_XDIST_WORKER"], str(imagebuilder_server)], out)
                """
            }
        )

    # pytest-benchmark switches itself off under xdist, with a warning that would surface here.
    project.runpytest("-n", "2", "--dist", "loadfile", "-p", "no:benchmark").assert_outcomes(passed=4)

    seen = [json.loads((project.path / f"seen-{n}.json").read_text()) for n in range(4)]
    by_worker: dict[str, set[str]] = {}
    for worker, url in seen:
        by_worker.setdefault(worker, set()).add(url)
    # Each of the two workers kept one server, on a port of its own.
    assert len(by_worker) == 2
    assert all(len(urls) == 1 for urls in by_worker.values())
    urls = [next(iter(urls)) for urls in by_worker.values()]
    assert len(set(urls)) == len(urls)


_LEAK_TESTS = """
import time

import boto3
from fakeimagebuilder import BuildPlan, FakeImageBuilder
from pipelines import make_pipeline

MARKETPLACE = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/x/1.0.0/1"
SEEN = []

# Every public name of the fake through which a test can change it, each used by test_a.
CHANGES = {
    "advance": lambda fake: fake.advance(40 * 86400),
    "configure": lambda fake: fake.configure(
        account_id="111122223333",
        disabled_pipeline_error=None,
        max_concurrent_builds=2,
        build_plan=BuildPlan(outcome="FAILED"),
        recreated_pipeline_lists_old_images=True,
        missing_reference_error="InvalidRequestException",
        auto_version_first=1,
        missing_component_policy="ResourceNotFoundException",
        allow_unknown_regions=True,
    ),
    "deny": lambda fake: fake.deny("GetImage"),
    "fail_next": lambda fake: fake.fail_next("ListImages", "ServiceException", times=5),
    "set_build_plan": lambda fake: fake.set_build_plan(BuildPlan(outcome="FAILED"), pipeline_arn="arn:x"),
    "set_marketplace_components": lambda fake: fake.set_marketplace_components({MARKETPLACE: "name: x"}),
    "set_rate_limit": lambda fake: fake.set_rate_limit("ListImages", 1),
    "set_scan_findings": lambda fake: fake.set_scan_findings([{"vulnerabilityId": "CVE-1", "severity": "HIGH"}]),
    "subscribe": lambda fake: fake.subscribe(SEEN.append),
    "accounts": lambda fake: fake.accounts.update({"AKIAOTHER": "111122223333"}),
}
# The rest: reads, transports, the parts the changes above reach, and reset (which undoes, not sets).
OTHERS = {
    "account_id", "client", "clock", "events", "events_page", "from_state_file", "handle", "journal", "knobs",
    "mock_requests", "notifications", "pending_faults", "policy", "raise_subscriber_errors", "region",
    "reset", "service", "settings", "start", "state", "stop", "subscriber_errors", "wire",
}


def test_every_way_to_change_the_fake_is_tried():
    public = {name for name in dir(FakeImageBuilder()) if not name.startswith("_")}
    assert public == set(CHANGES) | OTHERS


def test_a_changes_everything(imagebuilder_server):
    client = boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server))
    make_pipeline(client)
    for change in CHANGES.values():
        change(imagebuilder_server.fake)


def test_b_gets_a_fake_as_new(imagebuilder_server):
    fake, new = imagebuilder_server.fake, FakeImageBuilder()
    assert fake.state() == new.state()
    assert (fake.account_id, fake.accounts, fake.wire.allow_unknown_regions) == (new.account_id, {}, False)
    new.settings.fake_id = fake.settings.fake_id  # tells fakes apart; not a knob
    assert fake.settings == new.settings
    assert fake.policy.snapshot() == new.policy.snapshot()
    assert abs(fake.clock.now() - time.time()) < 60
    client = boto3.client("imagebuilder", endpoint_url=str(imagebuilder_server))
    client.start_image_pipeline_execution(imagePipelineArn=make_pipeline(client))
    fake.advance(3600)
    assert SEEN == [] and fake.events
"""


def test_nothing_a_test_sets_on_the_server_reaches_the_next(project: pytest.Pytester):
    project.makepyfile(test_leak=_LEAK_TESTS)

    project.runpytest().assert_outcomes(passed=3)
