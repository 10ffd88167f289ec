"""fakeimagebuilder: a protocol-level fake of AWS EC2 Image Builder.

The public surface::

    from fakeimagebuilder import FakeImageBuilder, BuildPlan

    with FakeImageBuilder() as fake:
        ...                      # boto3/botocore imagebuilder clients reach the fake
        fake.advance(3600)       # move the virtual clock
        fake.fail_next("StartImagePipelineExecution", "ServiceUnavailableException")
        fake.reset()

PYTEST_DONT_REWRITE: pytest rewrites the assertions of a pytest plugin's package, but it holds none, and
``python -m fakeimagebuilder.contract_tests`` imports it before pytest starts (as ``-m`` imports a package's
parents), which pytest would otherwise report as a PytestAssertRewriteWarning.
"""

from .clock import Clock, ScaledClock, VirtualClock
from .fake import DEFAULT_ACCOUNT_ID, KEEP, FakeImageBuilder
from .service import BuildPlan
from .wire import HttpRequest, HttpResponse

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "KEEP",
    "BuildPlan",
    "Clock",
    "FakeImageBuilder",
    "HttpRequest",
    "HttpResponse",
    "ScaledClock",
    "VirtualClock",
    "__version__",
]
