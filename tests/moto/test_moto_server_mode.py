"""moto's server mode (``ThreadedMotoServer``) next to the fake, in-process or served over HTTP.

Clients reach moto's server through an ``endpoint_url`` (given, or from
``AWS_ENDPOINT_URL``); the fake takes only requests for AWS endpoints, so the
two never see each other's traffic. With one ``AWS_ENDPOINT_URL`` for every
service, ``AWS_ENDPOINT_URL_IMAGEBUILDER`` (botocore's own setting) sends
Image Builder to the fake's server instead.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from both_sides import REGION
from moto.server import ThreadedMotoServer

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import RunningServer, serve_in_thread

pytestmark = pytest.mark.usefixtures("untouched")


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """A moto server on a free loopback port; its URL."""
    # A port found here, not port=0: older ThreadedMotoServers do not tell which port they bound.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def fake_server() -> Iterator[RunningServer]:
    """The fake's HTTP server on a free loopback port."""
    running = serve_in_thread(FakeImageBuilder(), host="127.0.0.1", port=0)
    try:
        yield running
    finally:
        running.stop()


def _use_moto_server(s3: object, ssm: object, bucket: str) -> str:
    s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello")  # type: ignore[attr-defined]
    ssm.put_parameter(Name=f"/{bucket}/profile", Value="builder", Type="String")  # type: ignore[attr-defined]
    return str(ssm.get_parameter(Name=f"/{bucket}/profile")["Parameter"]["Value"])  # type: ignore[attr-defined]


def test_in_process_fake_next_to_moto_server(moto_server: str):
    session = boto3.session.Session(region_name=REGION)
    s3 = session.client("s3", endpoint_url=moto_server)
    ssm = session.client("ssm", endpoint_url=moto_server)
    with FakeImageBuilder() as fake:
        profile = _use_moto_server(s3, ssm, "in-process")
        imagebuilder = session.client("imagebuilder")
        imagebuilder.create_infrastructure_configuration(
            name="web", instanceProfileName=profile, logging={"s3Logs": {"s3BucketName": "in-process"}}
        )
        held = fake.state()[fake.account_id][REGION]["infrastructureConfigurations"]
        assert [(c["name"], c["instanceProfileName"]) for c in held] == [("web", "builder")]
    # The fake is gone; moto's server still holds and serves what it was given.
    assert s3.get_object(Bucket="in-process", Key="hello.txt")["Body"].read() == b"hello"


def test_fake_server_next_to_moto_server(moto_server: str, fake_server: RunningServer):
    session = boto3.session.Session(region_name=REGION)
    s3, ssm = session.client("s3", endpoint_url=moto_server), session.client("ssm", endpoint_url=moto_server)
    profile = _use_moto_server(s3, ssm, "two-servers")
    imagebuilder = session.client("imagebuilder", endpoint_url=str(fake_server))
    imagebuilder.create_infrastructure_configuration(name="web", instanceProfileName=profile)
    held = fake_server.fake.state()[fake_server.fake.account_id][REGION]["infrastructureConfigurations"]
    assert [c["instanceProfileName"] for c in held] == ["builder"]


def test_one_endpoint_for_every_service_but_image_builder(
    moto_server: str, fake_server: RunningServer, monkeypatch: pytest.MonkeyPatch
):
    with monkeypatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", moto_server)
        env.setenv("AWS_ENDPOINT_URL_IMAGEBUILDER", str(fake_server))
        session = boto3.session.Session(region_name=REGION)
        profile = _use_moto_server(session.client("s3"), session.client("ssm"), "one-endpoint")
        session.client("imagebuilder").create_infrastructure_configuration(name="web", instanceProfileName=profile)
    held = fake_server.fake.state()[fake_server.fake.account_id][REGION]["infrastructureConfigurations"]
    assert [c["name"] for c in held] == ["web"]


_TEST_SERVER_MODE = '''
import logging
import os
import socket

os.environ.update(TEST_SERVER_MODE="true", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                  AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.server import ThreadedMotoServer

from fakeimagebuilder import FakeImageBuilder

logging.getLogger("werkzeug").disabled = True
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
os.environ["TEST_SERVER_MODE_ENDPOINT"] = f"http://127.0.0.1:{port}"
try:
    with mock_aws(), FakeImageBuilder() as fake:
        s3 = boto3.client("s3")
        assert s3.meta.endpoint_url == f"http://127.0.0.1:{port}"
        s3.create_bucket(Bucket="image-logs")
        imagebuilder = boto3.client("imagebuilder")  # moto's server mode gives it moto's server too
        assert imagebuilder.meta.endpoint_url == f"http://127.0.0.1:{port}"
        imagebuilder.create_infrastructure_configuration(
            name="web", instanceProfileName="builder", logging={"s3Logs": {"s3BucketName": "image-logs"}}
        )
        held = fake.state()[fake.account_id]["us-east-1"]["infrastructureConfigurations"]
        assert [c["name"] for c in held] == ["web"]
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["image-logs"]
    with mock_aws():  # no fake: moto's server answers, as without us
        try:
            boto3.client("imagebuilder", config=Config(retries={"total_max_attempts": 1})).list_image_pipelines()
        except ClientError as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] >= 400
        else:
            raise AssertionError("moto's server answered Image Builder")
finally:
    server.stop()
print("server mode: ok")
'''


def test_motos_test_server_mode_sends_image_builder_to_the_fake(tmp_path: Path):
    """TEST_SERVER_MODE is read when moto is imported: in a fresh interpreter."""
    script = tmp_path / "server_mode.py"
    script.write_text(_TEST_SERVER_MODE)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "server mode: ok" in run.stdout, run.stdout + run.stderr
