"""List cost against history: one page of each build list with few and with many builds stored.

The same requests, answered by ``FakeImageBuilder.handle`` (the fake's own
work, no botocore), for a pipeline with 10 builds and one with 10^5 (10^3
with ``--quick``), all finished (the clock is moved past their end: the
history a list pages through): the first page, and the page after it
(through its ``nextToken``), of 5 images each, of ``ListImagePipelineImages``
and of ``ListImageBuildVersions`` (the recipe version's builds), and the
first page of ``ListImages`` (their one image version).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .calls import make_pipeline
from .timing import interleaved, row

HOST = {"host": "imagebuilder.us-east-1.amazonaws.com", "content-type": "application/json"}


def _stored(builds: int) -> tuple[Any, str, str]:
    """A fake whose one pipeline has ``builds`` finished builds; it, the pipeline's ARN, its image version's ARN."""
    from fakeimagebuilder import FakeImageBuilder

    fake = FakeImageBuilder()
    with fake:
        client = fake.client()
        pipeline = make_pipeline(client)
        for _ in range(builds):
            fake.policy.handle(_start(fake, pipeline))
        fake.advance(86400)
        version = client.list_images()["imageVersionList"][0]["arn"]
    return fake, pipeline, version


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


def _request(operation: str, body: dict[str, Any]) -> Any:
    """A call of a list ``operation`` with ``body``, as the wire receives it."""
    from fakeimagebuilder import HttpRequest

    return HttpRequest("POST", f"/{operation}", "", HOST, json.dumps(body).encode())


def _list(fake: Any, operation: str, body: dict[str, Any]) -> Any:
    """The call, answered by ``fake``."""
    request = _request(operation, body)

    def call() -> None:
        answer = fake.handle(request)
        assert answer.status == 200, answer.body

    return call


def figures(quick: bool) -> list[dict[str, Any]]:
    """The cost of one page with many builds stored, against the same page with 10."""
    many = 1000 if quick else 100_000
    subjects: dict[str, Any] = {}
    for size, (fake, pipeline, version) in (("10", _stored(10)), ("many", _stored(many))):
        for operation, body in (
            ("ListImagePipelineImages", {"imagePipelineArn": pipeline, "maxResults": 5}),
            ("ListImageBuildVersions", {"imageVersionArn": version, "maxResults": 5}),
        ):
            token = fake.handle(_request(operation, body)).json()["nextToken"]
            subjects[f"{operation} first {size}"] = _list(fake, operation, body)
            subjects[f"{operation} next {size}"] = _list(fake, operation, {**body, "nextToken": token})
        subjects[f"ListImages first {size}"] = _list(fake, "ListImages", {"maxResults": 5})
    number, rounds = (20, 3) if quick else (200, 15)
    seconds = interleaved(subjects, number, rounds)
    return [
        row(f"{figure} page, {many:,} builds, us", "same page, 10 builds",
            seconds[f"{figure} many"], seconds[f"{figure} 10"], 1e6, goal=1.2)
        for figure in (name.removesuffix(" many") for name in subjects if name.endswith(" many"))
    ]
