"""What the server tests share: constants, control calls, resource setup, and a ``requests`` client.

:class:`SignedRequests` is what a requests-based caller (e.g. one signing with
requests-aws4auth) does: botocore's serializer builds the request, botocore's
SigV4 signer signs it, ``requests`` sends it, botocore's parser reads the answer.
"""

from __future__ import annotations

import functools
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import boto3
import botocore.session
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

REGION = "us-east-1"
PARENT_IMAGE = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"
AWS_URL = f"https://imagebuilder.{REGION}.amazonaws.com"
T0 = 1_750_000_000.0  # a fixed virtual start, so runs on different transports give equal dates
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def control(url: str, route: str, body: Any = None, method: str | None = None) -> tuple[int, Any]:
    """Call a ``/_fake/`` route; returns the status and the decoded JSON body."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(
        f"{url}/_fake/{route}", data=data, method=method or ("GET" if data is None else "POST")
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@functools.cache
def _session() -> boto3.session.Session:
    # One session loads the service model once; clients made from it are thread-safe.
    return boto3.session.Session()


def boto3_client(url: str, region: str = REGION, **kwargs: Any) -> Any:
    """A boto3 Image Builder client for a server, with dummy credentials."""
    kwargs.setdefault("aws_access_key_id", "testing")
    kwargs.setdefault("aws_secret_access_key", "testing")
    return _session().client("imagebuilder", region_name=region, endpoint_url=url, **kwargs)


def create_pipeline(client: Any, name: str = "web") -> str:
    """A recipe, an infrastructure configuration and a pipeline using them; returns the pipeline ARN."""
    recipe = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=PARENT_IMAGE, components=[{"componentArn": COMPONENT}]
    )
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")
    pipeline = client.create_image_pipeline(
        name=name,
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
    )
    arn: str = pipeline["imagePipelineArn"]
    return arn


class SignedRequests:
    """Image Builder calls over ``requests``: serialized, signed and parsed by botocore, sent to ``endpoint``."""

    def __init__(self, endpoint: str = AWS_URL, region: str = REGION, key: str = "testing", secret: str = "testing"):
        self.endpoint = endpoint
        self.region = region
        self.credentials = Credentials(key, secret)
        self.model = botocore.session.get_session().get_service_model("imagebuilder")
        self.serializer = create_serializer("rest-json", include_validation=True)
        self.parser = create_parser("rest-json")
        self.session = requests.Session()

    def prepare(self, operation: str, params: dict[str, Any]) -> AWSRequest:
        """The signed request of a call (not sent)."""
        op = self.model.operation_model(operation)
        request_dict = self.serializer.serialize_to_request(params, op)
        prepare_request_dict(request_dict, self.endpoint)
        request = AWSRequest(
            method=request_dict["method"],
            url=request_dict["url"],
            data=request_dict["body"],
            headers=request_dict["headers"],
        )
        SigV4Auth(self.credentials, "imagebuilder", self.region).add_auth(request)
        return request

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Send one call; returns botocore's parse (an ``Error`` member for errors)."""
        request = self.prepare(operation, params)
        response = self.session.request(
            request.method, request.url, data=request.body, headers=dict(request.headers.items()), timeout=10
        )
        parsed: dict[str, Any] = self.parser.parse(
            {"status_code": response.status_code, "headers": response.headers, "body": response.content},
            self.model.operation_model(operation).output_shape,
        )
        parsed["ResponseMetadata"]["HTTPStatusCode"] = response.status_code
        return parsed


class ServerProcess:
    """``python -m fakeimagebuilder serve`` in its own process."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fakeimagebuilder", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        self.first_line = self.proc.stdout.readline()
        self.url = self.first_line.removeprefix("listening on ").strip() if self.first_line else ""

    @property
    def started(self) -> bool:
        """Whether it printed its ``listening on`` line."""
        return self.first_line.startswith("listening on http://127.0.0.1:")

    def finish(self, sig: int = signal.SIGTERM, timeout: float = 10) -> tuple[int, str, str]:
        """Send ``sig`` and wait: exit status, the rest of stdout, and stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err
