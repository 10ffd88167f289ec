"""No Image Builder call escapes to the network while the plugin's fake is active.

The inner sessions trap the socket layer (the ``trapped`` project): every
name lookup and every connection to a non-loopback address is recorded and
refused. A control test in the same session shows the trap catches a client
the fake does not serve.
"""

from __future__ import annotations

import pytest


def test_no_imagebuilder_call_reaches_the_network(trapped: pytest.Pytester):
    trapped.makepyfile(
        """
        import boto3
        import botocore.session
        import pytest
        from botocore.config import Config
        from botocore.exceptions import EndpointConnectionError
        from fakeimagebuilder.pytest_plugin import NetworkBlocked
        from pipelines import make_pipeline

        ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1})

        def test_control_the_trap_catches_an_unfaked_client(trap):
            client = boto3.client("imagebuilder", region_name="us-east-1", config=ONCE,
                                  aws_access_key_id="x", aws_secret_access_key="y")
            with pytest.raises(EndpointConnectionError):
                client.list_image_pipelines()
            assert trap == [("lookup", "imagebuilder.us-east-1.amazonaws.com")]

        @pytest.mark.parametrize("options", [
            {},
            {"region_name": "eu-west-1"},
            {"region_name": "cn-north-1"},
            {"region_name": "us-gov-west-1"},
            {"region_name": "us-isof-south-1"},
            {"region_name": "eu-isoe-west-1"},
            {"region_name": "eusc-de-east-1"},
            {"config": Config(use_fips_endpoint=True)},
            {"config": Config(use_dualstack_endpoint=True)},
            {"config": Config(retries={"mode": "legacy"})},
        ])
        def test_clients_for_aws_endpoints_reach_the_fake(trap, imagebuilder_fake, options):
            client = boto3.client("imagebuilder", **options)
            arn = make_pipeline(client)
            client.start_image_pipeline_execution(imagePipelineArn=arn)
            assert client.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]
            assert trap == []

        # A *.localhost name too: glibc asks the DNS server for it.
        @pytest.mark.parametrize(
            "url", ["https://imagebuilder.example.com", "http://10.0.0.1:4010", "http://leak-canary.localhost:4010"]
        )
        def test_other_endpoints_are_refused_before_any_connection(trap, imagebuilder_fake, url):
            client = botocore.session.get_session().create_client("imagebuilder", endpoint_url=url)
            with pytest.raises(NetworkBlocked, match="refused an Image Builder request to " + url):
                client.list_image_pipelines()
            assert trap == []

        def test_loopback_endpoint_is_let_through(trap, imagebuilder_fake):
            client = boto3.client("imagebuilder", endpoint_url="http://127.0.0.1:9", config=ONCE)
            # Nothing listens on the discard port: the request got as far as a loopback connection.
            with pytest.raises(EndpointConnectionError):
                client.list_image_pipelines()
            assert trap == []

        # This machine by any of its names, as the network guard counts it (hosts.is_this_machine).
        @pytest.mark.parametrize("host", ["0.0.0.0", "[::]", "this machine's host name"])
        def test_an_endpoint_on_this_machine_is_let_through(trap, imagebuilder_fake, host):
            import socket

            host = socket.gethostname() if host == "this machine's host name" else host
            client = boto3.client("imagebuilder", endpoint_url=f"http://{host}:9", config=ONCE)
            # Not NetworkBlocked: past the plugin's refusal, as far as the trap (which lets only 127.* and ::1 on).
            with pytest.raises(EndpointConnectionError):
                client.list_image_pipelines()
            assert trap  # the lookup or connection reached the socket layer
        """
    )

    trapped.runpytest().assert_outcomes(passed=18)


def test_endpoint_override_in_the_environment_cannot_redirect_clients(
    trapped: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://imagebuilder.example.com")
    monkeypatch.setenv("AWS_ENDPOINT_URL_IMAGEBUILDER", "https://imagebuilder.example.com")
    trapped.makepyfile(
        """
        import boto3

        def test_override_ignored(trap, imagebuilder_fake):
            client = boto3.client("imagebuilder")
            assert client.meta.endpoint_url == "https://imagebuilder.us-east-1.amazonaws.com"
            assert client.list_image_pipelines()["imagePipelineList"] == []
            assert trap == []
        """
    )

    trapped.runpytest().assert_outcomes(passed=1)


def test_guard_is_gone_after_the_test(trapped: pytest.Pytester):
    trapped.makepyfile(
        """
        import botocore.session
        import pytest
        from botocore.config import Config
        from botocore.exceptions import EndpointConnectionError

        def test_uses_the_fake(imagebuilder_fake):
            pass

        def test_after(trap):
            client = botocore.session.get_session().create_client(
                "imagebuilder", endpoint_url="https://imagebuilder.example.com", region_name="us-east-1",
                aws_access_key_id="x", aws_secret_access_key="y",
                config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
            # Outside the fixture the plugin stays out of the way: the request goes to the (trapped) network.
            with pytest.raises(EndpointConnectionError):
                client.list_image_pipelines()
            assert trap == [("lookup", "imagebuilder.example.com")]
        """
    )

    trapped.runpytest().assert_outcomes(passed=2)


def test_a_requests_call_is_covered_inside_mock_requests_only(trapped: pytest.Pytester):
    # README's guarantee is botocore's: a signed requests call goes where it is sent unless mock_requests answers.
    trapped.makepyfile(
        """
        import requests
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        URL = "https://imagebuilder.us-east-1.amazonaws.com/ListImagePipelines"

        def signed_call():
            request = AWSRequest(method="POST", url=URL, data="{}", headers={"Content-Type": "application/json"})
            SigV4Auth(Credentials("testing", "testing"), "imagebuilder", "us-east-1").add_auth(request)
            return requests.post(URL, data=request.body, headers=dict(request.headers), timeout=5)

        def test_outside_it_goes_to_aws(trap, imagebuilder_fake):
            try:
                signed_call()
            except requests.ConnectionError:
                pass
            assert trap == [("lookup", "imagebuilder.us-east-1.amazonaws.com")]

        def test_inside_it_the_fake_answers(trap, imagebuilder_fake):
            with imagebuilder_fake.mock_requests():
                answer = signed_call()
            assert answer.status_code == 200 and answer.json()["imagePipelineList"] == []
            assert trap == []
        """
    )

    trapped.runpytest().assert_outcomes(passed=2)
