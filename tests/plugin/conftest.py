"""What the plugin's tests share: a pytester project with a helper that makes a pipeline.

pytester itself is enabled by the top-level ``tests/conftest.py``: pytest accepts
``pytest_plugins`` only there.
"""

from __future__ import annotations

# pytester drops every module an inner run imports. Hypothesis's pytest plugin imports
# hypothesis at the end of each inner run; importing it once here spares each run about a second.
import hypothesis  # noqa: F401
import pytest

_PIPELINES = '''
def make_pipeline(client, name="web"):
    """A recipe, an infrastructure configuration and a pipeline; the pipeline's ARN."""
    region = client.meta.region_name
    recipe = client.create_image_recipe(
        name=name,
        semanticVersion="1.0.0",
        parentImage=f"arn:aws:imagebuilder:{region}:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": f"arn:aws:imagebuilder:{region}:aws:component/update-linux/x.x.x"}],
    )
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")
    return client.create_image_pipeline(
        name=name,
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
    )["imagePipelineArn"]


def status(client, image_arn):
    return client.get_image(imageBuildVersionArn=image_arn)["image"]["state"]["status"]
'''


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester project whose tests can ``from pipelines import make_pipeline, status``."""
    pytester.makepyfile(pipelines=_PIPELINES)
    return pytester


_TRAP = '''
import socket

import pytest

ATTEMPTS = []
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _loopback(host):
    return host in ("localhost", "127.0.0.1", "::1") or str(host).startswith("127.")


def getaddrinfo(host, *args, **kwargs):
    if not _loopback(host):
        ATTEMPTS.append(("lookup", host))
        raise socket.gaierror(f"network trapped: lookup of {host}")
    return _getaddrinfo(host, *args, **kwargs)


def connect(self, address):
    if not (isinstance(address, tuple) and _loopback(address[0])):
        ATTEMPTS.append(("connect", address))
        raise OSError(f"network trapped: connect to {address}")
    return _connect(self, address)


@pytest.fixture(autouse=True)
def trap(monkeypatch):
    """Refuse and record any non-loopback lookup or connection during the test."""
    ATTEMPTS.clear()
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return ATTEMPTS
'''


@pytest.fixture
def trapped(project: pytest.Pytester) -> pytest.Pytester:
    """A project whose tests get a ``trap`` fixture (autouse): the network refused and every attempt recorded.

    ``trap`` lists ``("lookup", host)`` and ``("connect", address)`` attempts;
    loopback lookups and connections go through.
    """
    project.makeconftest(_TRAP)
    return project
