"""Start an Image Builder pipeline and wait for its AMI.

botocore's ``standard`` retry mode retries 5xx answers but not Image
Builder's throttling error (``CallRateLimitExceededException``, HTTP 429), so
throttled calls are retried here, with exponential backoff. Every attempt of
one start sends the same client token, so a retry never starts a second build.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

__all__ = [
    "Backoff",
    "BuildFailed",
    "BuildTimedOut",
    "ReleaseError",
    "new_client",
    "release",
    "start_build",
    "wait_for_image",
]

THROTTLED = frozenset({"CallRateLimitExceededException"})

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class ReleaseError(Exception):
    """A release did not produce an AMI."""

    def __init__(self, image_arn: str, message: str) -> None:
        super().__init__(f"{image_arn}: {message}")
        self.image_arn = image_arn


class BuildFailed(ReleaseError):
    """The build ended FAILED or CANCELLED; ``status`` and ``reason`` say how."""

    def __init__(self, image_arn: str, status: str, reason: str) -> None:
        super().__init__(image_arn, f"build ended {status}: {reason}")
        self.status = status
        self.reason = reason


class BuildTimedOut(ReleaseError):
    """The build did not finish in time; it was cancelled."""


@dataclass(frozen=True)
class Backoff:
    """Exponential delays: ``initial``, times ``factor`` each time, capped at ``maximum`` seconds."""

    initial: float = 5.0
    factor: float = 2.0
    maximum: float = 120.0

    def delays(self) -> Iterator[float]:
        """An endless series of delays."""
        delay = self.initial
        while True:
            yield delay
            delay = min(delay * self.factor, self.maximum)


def new_client(region: str | None = None, endpoint_url: str | None = None) -> Any:
    """An Image Builder client of boto3's default session, with botocore's standard retries."""
    return boto3.client(
        "imagebuilder",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def start_build(
    client: Any,
    pipeline_arn: str,
    *,
    tags: Mapping[str, str] | None = None,
    client_token: str | None = None,
    attempts: int = 5,
    backoff: Backoff = Backoff(),
    sleep: Sleep = time.sleep,
) -> str:
    """Start the pipeline, retrying throttled attempts; the new image's build version ARN."""
    params: dict[str, Any] = {"imagePipelineArn": pipeline_arn, "clientToken": client_token or str(uuid.uuid4())}
    if tags:
        params["tags"] = dict(tags)
    delays = backoff.delays()
    attempt = 1
    while True:
        try:
            arn: str = client.start_image_pipeline_execution(**params)["imageBuildVersionArn"]
            return arn
        except ClientError as error:
            if _code(error) not in THROTTLED or attempt >= attempts:
                raise
        attempt += 1
        sleep(next(delays))


def wait_for_image(
    client: Any,
    image_arn: str,
    *,
    timeout: float = 3 * 3600,
    backoff: Backoff = Backoff(initial=30.0, factor=1.5, maximum=300.0),
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> dict[str, Any]:
    """Poll the image until it is AVAILABLE; the image.

    Raises :class:`BuildFailed` if it ends FAILED or CANCELLED, and cancels it
    and raises :class:`BuildTimedOut` if ``timeout`` seconds pass first.
    Throttled polls just wait for the next one.
    """
    deadline = clock() + timeout
    delays = backoff.delays()
    while True:
        try:
            image: dict[str, Any] = client.get_image(imageBuildVersionArn=image_arn)["image"]
        except ClientError as error:
            if _code(error) not in THROTTLED:
                raise
        else:
            state = image["state"]
            if state["status"] == "AVAILABLE":
                return image
            if state["status"] in ("FAILED", "CANCELLED"):
                raise BuildFailed(image_arn, state["status"], state.get("reason", "no reason given"))
        remaining = deadline - clock()
        if remaining <= 0:
            client.cancel_image_creation(imageBuildVersionArn=image_arn)
            raise BuildTimedOut(image_arn, f"not AVAILABLE after {timeout:g} s; cancelled")
        sleep(min(next(delays), remaining))


def release(
    pipeline_arn: str,
    *,
    client: Any = None,
    tags: Mapping[str, str] | None = None,
    timeout: float = 3 * 3600,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
) -> str:
    """Build a new image of the pipeline and wait for it; the AMI id."""
    client = client or new_client()
    image_arn = start_build(client, pipeline_arn, tags=tags, sleep=sleep)
    image = wait_for_image(client, image_arn, timeout=timeout, sleep=sleep, clock=clock)
    ami: str = image["outputResources"]["amis"][0]["image"]
    return ami
