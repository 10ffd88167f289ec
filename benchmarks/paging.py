"""List cost against history: one page of ``ListImagePipelineImages`` with few and with many builds stored.

The same requests, answered by ``FakeImageBuilder.handle`` (the fake's own
work, no botocore), for a pipeline with 10 builds and one with 10^5 (10^3
with ``--quick``): the first page, and the page after it (through its
``nextToken``), of 5 images each.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .calls import make_pipeline
from .timing import interleaved, row

HOST = {"host": "imagebuilder.us-east-1.amazonaws.com", "content-type": "application/json"}


def _stored(builds: int) -> tuple[Any, str, str]:
    """A fake whose one pipeline has ``builds`` builds; it, the pipeline's ARN, a second page's token."""
    from fakeimagebuilder import FakeImageBuilder

    fake = FakeImageBuilder()
    with fake:
        client = fake.client()
        pipeline = make_pipeline(client)
        for _ in range(builds):
            fake.policy.handle(_start(fake, pipeline))
        token = client.list_image_pipeline_images(imagePipelineArn=pipeline, maxResults=5)["nextToken"]
    return fake, pipeline, token


def _start(fake: Any, pipeline: str) -> Any:
    """A start, as the wire hands it to the chain (faster than the wire for filling the history)."""
    from fakeimagebuilder.service.calls import Call

    return Call(
        operation="StartImagePipelineExecution",
        params={"imagePipelineArn": pipeline, "clientToken": str(uuid.uuid4())},
        account=fake.account_id,
        region="us-east-1",
        token_member="clientToken",
    )


def _list(fake: Any, pipeline: str, token: str | None) -> Any:
    """One page of 5 (after ``token``), as the wire receives it."""
    from fakeimagebuilder import HttpRequest

    body: dict[str, Any] = {"imagePipelineArn": pipeline, "maxResults": 5}
    if token is not None:
        body["nextToken"] = token
    request = HttpRequest("POST", "/ListImagePipelineImages", "", HOST, json.dumps(body).encode())

    def call() -> None:
        answer = fake.handle(request)
        assert answer.status == 200, answer.body

    return call


def figures(quick: bool) -> list[dict[str, Any]]:
    """The cost of one page with many builds stored, against the same page with 10."""
    many = 1000 if quick else 100_000
    small, small_pipeline, small_token = _stored(10)
    large, large_pipeline, large_token = _stored(many)
    number, rounds = (20, 3) if quick else (200, 15)
    seconds = interleaved(
        {
            "first 10": _list(small, small_pipeline, None),
            "first many": _list(large, large_pipeline, None),
            "next 10": _list(small, small_pipeline, small_token),
            "next many": _list(large, large_pipeline, large_token),
        },
        number,
        rounds,
    )
    return [
        row(f"ListImagePipelineImages {which} page, {many:,} builds, us", "same page, 10 builds",
            seconds[f"{which} many"], seconds[f"{which} 10"], 1e6, goal=1.2)
        for which in ("first", "next")
    ]
