"""The plugin's fixtures, in inner pytest sessions: loading, fresh state, the AWS environment, switching off."""

from __future__ import annotations

import os

import boto3
import pytest


def test_loads_through_its_entry_point_with_no_conftest(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import fakeimagebuilder.pytest_plugin

        def test_registered(request, imagebuilder_fake):
            assert request.config.pluginmanager.get_plugin("imagebuilder") is fakeimagebuilder.pytest_plugin
            assert imagebuilder_fake.state() == {}
        """
    )
    assert not list(pytester.path.glob("**/conftest.py"))

    result = pytester.runpytest("--strict-markers")

    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["fakeimagebuilder *: account 123456789012, region us-east-1"])


def test_p_no_imagebuilder_switches_it_off(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        def test_uses_fixture(imagebuilder_fake):
            pass
        """
    )

    result = pytester.runpytest("-p", "no:imagebuilder")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'imagebuilder_fake' not found*"])
    assert "fakeimagebuilder" not in result.stdout.str().split("collected")[0]


def test_with_autoload_off_p_imagebuilder_loads_it(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(
        """
        def test_uses_fixture(imagebuilder_fake):
            assert imagebuilder_fake.state() == {}
        """
    )

    pytester.runpytest().assert_outcomes(errors=1)
    pytester.runpytest("-p", "imagebuilder").assert_outcomes(passed=1)


def test_marker_is_registered(pytester: pytest.Pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.imagebuilder(account_id=..., region=..., build_seconds=..., *"])

    off = pytester.runpytest("--markers", "-p", "no:imagebuilder")
    assert "imagebuilder(" not in off.stdout.str()


def test_each_test_gets_fresh_state(project: pytest.Pytester):
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline

        @pytest.mark.parametrize("run", [1, 2])
        def test_same_start_twice(imagebuilder_fake, imagebuilder_client, run):
            assert imagebuilder_fake.state() == {}
            started = imagebuilder_fake.clock.now()
            arn = make_pipeline(imagebuilder_client)
            build = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="same")
            # Build numbers, client tokens and faults all start over: build 1 every time.
            assert build["imageBuildVersionArn"].endswith("/web/1.0.0/1")
            imagebuilder_fake.fail_next("ListImagePipelines", "ServiceException", times=50)
            imagebuilder_fake.set_rate_limit("GetImagePipeline", rate=0, burst=0)
            imagebuilder_fake.advance(3600)
            assert imagebuilder_fake.clock.now() - started >= 3600

        def test_after_faults_and_limits(imagebuilder_client):
            assert imagebuilder_client.list_image_pipelines()["imagePipelineList"] == []
        """
    )

    project.runpytest().assert_outcomes(passed=3)


def test_fake_and_client_are_one(project: pytest.Pytester):
    project.makepyfile(
        """
        import boto3
        import botocore.session
        from pipelines import make_pipeline

        def test_every_client_reaches_the_one_fake(imagebuilder_fake, imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            # A client the code under test makes itself, from boto3's default session...
            assert boto3.client("imagebuilder").get_image_pipeline(imagePipelineArn=arn)
            # ...or from a plain botocore session.
            plain = botocore.session.get_session().create_client("imagebuilder")
            assert plain.list_image_pipelines()["imagePipelineList"][0]["arn"] == arn
            assert list(imagebuilder_fake.state()["123456789012"]["us-east-1"]["imagePipelines"])
        """
    )

    project.runpytest().assert_outcomes(passed=1)


def test_client_made_before_the_test_reaches_the_fake(project: pytest.Pytester):
    project.makepyfile(
        """
        import botocore.session
        from pipelines import make_pipeline

        EARLY = botocore.session.get_session().create_client(
            "imagebuilder", region_name="us-east-1", aws_access_key_id="early", aws_secret_access_key="early"
        )

        def test_early_client(imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            assert EARLY.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["arn"] == arn
        """
    )

    project.runpytest().assert_outcomes(passed=1)


def test_developer_aws_configuration_cannot_leak_in(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    config = pytester.path / "aws-config"
    config.write_text("[profile developer]\nregion = ap-south-1\nendpoint_url = https://leak.example.com\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "developer")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_ENDPOINT_URL_IMAGEBUILDER", "https://leak.example.com")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    pytester.makepyfile(
        """
        import os
        import boto3

        def test_isolated(imagebuilder_fake):
            leaked = {k for k in os.environ if k.startswith("AWS_")} - {
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED",
            }
            assert leaked == set()
            assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
            client = boto3.client("imagebuilder")
            assert client.meta.region_name == "us-east-1"
            assert client.meta.endpoint_url == "https://imagebuilder.us-east-1.amazonaws.com"
            assert client.list_image_pipelines()["imagePipelineList"] == []
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)

    # The developer's environment is back once the test is over.
    assert os.environ["AWS_PROFILE"] == "developer"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALKEY"


def test_default_boto3_session_is_fresh_for_the_test_and_restored_after(pytester: pytest.Pytester):
    before = boto3.DEFAULT_SESSION
    pytester.makepyfile(
        """
        import boto3

        def test_fresh(imagebuilder_fake):
            assert boto3.DEFAULT_SESSION is None
            boto3.client("imagebuilder").list_image_pipelines()
            assert boto3.DEFAULT_SESSION.get_credentials().access_key == "testing"
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)

    assert boto3.DEFAULT_SESSION is before


def test_botocore_is_restored_after_the_test(pytester: pytest.Pytester):
    from botocore.endpoint import Endpoint

    send = Endpoint._send
    pytester.makepyfile(
        """
        from botocore.endpoint import Endpoint

        def test_patched(imagebuilder_fake):
            assert Endpoint._send.__module__ != "botocore.endpoint"
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)

    assert Endpoint._send is send


def test_imagebuilder_events_collects_each_tests_events(project: pytest.Pytester):
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline

        AVAILABLE = {"detail": {"state": {"status": ["AVAILABLE"]}}}

        @pytest.mark.imagebuilder(build_seconds=600)
        def test_a_build(imagebuilder_fake, imagebuilder_client, imagebuilder_events):
            build = imagebuilder_client.start_image_pipeline_execution(
                imagePipelineArn=make_pipeline(imagebuilder_client))["imageBuildVersionArn"]
            assert imagebuilder_events == []
            imagebuilder_fake.advance(3600)
            assert [e["detail"]["state"]["status"] for e in imagebuilder_events] == [
                "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
            [available] = imagebuilder_events.matching(AVAILABLE)
            assert available["resources"] == [build]

        def test_the_next_test_starts_empty(imagebuilder_fake, imagebuilder_events):
            imagebuilder_fake.advance(3600)
            assert imagebuilder_events == []
        """
    )
    project.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_imagebuilder_events_holds_events_sent_before_it_was_set_up(project: pytest.Pytester):
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline

        LIFECYCLE = ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]

        @pytest.fixture
        def built(imagebuilder_fake, imagebuilder_client):
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=make_pipeline(imagebuilder_client))
            imagebuilder_fake.advance(3600)

        @pytest.mark.imagebuilder(build_seconds=600)
        def test_set_up_after_the_build(built, imagebuilder_events):
            assert [e["detail"]["state"]["status"] for e in imagebuilder_events] == LIFECYCLE

        @pytest.mark.imagebuilder(build_seconds=600)
        def test_asked_for_late(built, request):
            events = request.getfixturevalue("imagebuilder_events")
            assert [e["detail"]["state"]["status"] for e in events] == LIFECYCLE
        """
    )
    project.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_subscribers_exception_fails_the_test_at_teardown_not_the_call(project: pytest.Pytester):
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline

        def explode(event):
            raise KeyError("handler bug")

        @pytest.mark.imagebuilder(build_seconds=600)
        def test_a_handler_raises(imagebuilder_fake, imagebuilder_client, imagebuilder_events):
            imagebuilder_fake.subscribe(explode)
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=make_pipeline(imagebuilder_client))
            imagebuilder_fake.advance(3600)  # the call goes through
            assert len(imagebuilder_events) == 5  # and the other subscriber got everything

        @pytest.mark.imagebuilder(build_seconds=600)
        def test_a_test_that_expects_it_clears_it(imagebuilder_fake, imagebuilder_client):
            imagebuilder_fake.subscribe(explode)
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=make_pipeline(imagebuilder_client))
            imagebuilder_fake.advance(3600)
            assert len(imagebuilder_fake.subscriber_errors) == 5
            imagebuilder_fake.subscriber_errors.clear()
        """
    )
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*SubscriberError: 5 event subscriber call(s) raised:*", "*KeyError*handler bug*"])


def test_a_fake_a_test_left_active_is_stopped_with_a_warning(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from fakeimagebuilder import FakeImageBuilder
        from fakeimagebuilder.transports import botocore_hook

        KEPT = FakeImageBuilder()

        @pytest.fixture(scope="module")
        def kept_for_the_module():
            with KEPT:
                yield KEPT

        def test_leaks(kept_for_the_module):
            leaked = FakeImageBuilder()
            leaked.start()
            leaked.start()  # nested twice: both undone
            FakeImageBuilder().start()
            with FakeImageBuilder():  # stopped by the test itself
                pass
            assert len(botocore_hook.active_handlers()) == 4

        def test_later(kept_for_the_module):
            # Only the module's fake answers: the leaked ones were stopped after test_leaks.
            assert botocore_hook.active_handlers() == [KEPT.handle]
            client = boto3.client("imagebuilder", region_name="us-east-1", aws_access_key_id="a",
                                  aws_secret_access_key="b")
            client.create_infrastructure_configuration(name="seen", instanceProfileName="p")
            assert KEPT.state()
        """
    )
    pytester.makepyfile(
        test_z_next_module="""
        from fakeimagebuilder.transports import botocore_hook

        def test_after_the_module_fixture_went():
            assert botocore_hook.active_handlers() == []
        """
    )

    result = pytester.runpytest("-W", "default")

    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["*FakeLeftActiveWarning: test_a_fake_a_test_left_active_is_stopped_with_a_warning.py::test_leaks left 3 *"]
    )
    assert result.stdout.str().count("FakeLeftActiveWarning") == 1


def test_fakes_that_fixtures_start_while_the_test_runs_are_theirs(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest
        from fakeimagebuilder import FakeImageBuilder
        from fakeimagebuilder.transports import botocore_hook

        KEPT = FakeImageBuilder()

        @pytest.fixture(scope="module")
        def module_fake():
            with KEPT:
                yield KEPT

        @pytest.fixture
        def fake_factory():
            made = []
            def make():
                made.append(FakeImageBuilder().start())
                return made[-1]
            yield make
            for fake in made:
                fake.stop()

        def test_asks_for_the_module_fake_as_it_runs(request):
            request.getfixturevalue("module_fake")

        def test_asks_for_the_plugins_fake_as_it_runs(request):
            request.getfixturevalue("imagebuilder_fake")

        def test_uses_a_factory_whose_teardown_stops(fake_factory):
            fake_factory()

        def test_the_module_fake_is_still_there(module_fake):
            assert botocore_hook.active_handlers() == [KEPT.handle]
        """
    )

    result = pytester.runpytest("-W", "error::fakeimagebuilder.pytest_plugin.FakeLeftActiveWarning")

    result.assert_outcomes(passed=4)
    assert "FakeLeftActiveWarning" not in result.stdout.str()


def test_a_pytest_run_inside_a_test_keeps_its_own_account_of_fixture_fakes(pytester: pytest.Pytester):
    # The adversarial pass found a pytester run inside a test clearing what the outer session had noted.
    pytester.makeconftest(
        """
        import pytest
        from fakeimagebuilder import FakeImageBuilder

        pytest_plugins = ["pytester"]

        @pytest.fixture(scope="session")
        def session_fake():
            fake = FakeImageBuilder().start()
            yield fake
            fake.stop()
        """
    )
    pytester.makepyfile(
        """
        from fakeimagebuilder.transports import botocore_hook

        def test_runs_pytest_inside(request, pytester):
            request.getfixturevalue("session_fake")
            pytester.makepyfile("def test_ok(): pass")
            pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)

        def test_after(session_fake):
            assert botocore_hook.active_handlers() == [session_fake.handle]
        """
    )

    result = pytester.runpytest("-W", "error::fakeimagebuilder.pytest_plugin.FakeLeftActiveWarning")

    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("broken", ["AWS_PROFILE", "AWS_CONFIG_FILE"])
def test_a_broken_aws_profile_of_the_caller_stops_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, broken: str
):
    """The fake reads botocore's data, never the caller's AWS config: a profile that does not exist, or a config
    file that does not parse, must not stop the session (it once did, at configure), the fixtures or the fake."""
    if broken == "AWS_PROFILE":
        monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    else:
        bad = pytester.path / "config"
        bad.write_text("[profile ci\nregion = \n  = us-east-1\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(bad))
    pytester.makepyfile(
        """
        from fakeimagebuilder import FakeImageBuilder

        def test_uses_no_fixture():
            pass

        def test_uses_the_client(imagebuilder_client):
            assert imagebuilder_client.list_image_pipelines()["imagePipelineList"] == []

        def test_makes_its_own_fake():
            with FakeImageBuilder() as fake:
                assert fake.state() == {}
                assert fake.client().list_image_pipelines()["imagePipelineList"] == []
        """
    )
    # In a new process: this one has read the model already.
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)
