"""In-process figures: a boto3 call through the fake against the canned floor and moto, and constructing a fake.

The floor is the same client call answered by a ``before-send`` handler with
a canned body: botocore serializes, signs and parses, and nothing answers.
moto's peer is ``mock_aws`` on a comparable rest-json write (EventBridge
Scheduler ``CreateSchedule``, a new resource and an idempotency token each
call, like ``StartImagePipelineExecution``).
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from .timing import interleaved, row

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


def make_pipeline(client: Any, name: str = "bench") -> str:
    """A ready pipeline on whatever ``client`` reaches; its ARN."""
    recipe = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName=name)
    arn: str = client.create_image_pipeline(
        name=name, imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
    )["imagePipelineArn"]
    return arn


def _canned(client: Any, operation: str, answer: dict[str, Any]) -> None:
    """Have ``client`` answer ``operation`` with ``answer`` from a before-send handler: the floor."""
    from botocore.awsrequest import AWSResponse

    from fakeimagebuilder.transports.botocore_hook import _Body

    body = json.dumps(answer).encode()
    headers = {"x-amzn-RequestId": answer.get("requestId", "0"), "Content-Type": "application/json"}

    def reply(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Body(body))

    client.meta.events.register(f"before-send.imagebuilder.{operation}", reply)


def figures(quick: bool) -> list[dict[str, Any]]:
    """Per-call cost through the fake, the floor and moto; FakeImageBuilder() after the first."""
    import boto3

    from fakeimagebuilder import FakeImageBuilder

    rows: list[dict[str, Any]] = []
    number, rounds = (20, 3) if quick else (50, 40)
    fake = FakeImageBuilder()
    # The imagebuilder clients are made before moto is imported: moto adds its handler to every client
    # made after that, which is moto's cost, not the fake's nor the floor's.
    with fake:
        subject = boto3.client("imagebuilder", **CREDENTIALS)
        floor = boto3.client("imagebuilder", **CREDENTIALS)
        pipeline = make_pipeline(subject)
        started = subject.start_image_pipeline_execution(imagePipelineArn=pipeline)
        got = subject.get_image_pipeline(imagePipelineArn=pipeline)
    for answer in (started, got):
        answer.pop("ResponseMetadata")
    _canned(floor, "StartImagePipelineExecution", {**started, "requestId": "0"})
    _canned(floor, "GetImagePipeline", json.loads(json.dumps({**got, "requestId": "0"}, default=str)))

    from moto import mock_aws

    class Moto:
        """mock_aws, keeping its state between batches (entering it again would empty it)."""

        def __init__(self) -> None:
            self.mocked = mock_aws()

        def __enter__(self) -> None:
            self.mocked.start(reset=False)

        def __exit__(self, *exc: object) -> None:
            self.mocked.stop(remove_data=False)

    mocked = Moto()
    with mocked:  # a session of moto's time: it carries moto's handler
        scheduler = boto3.client("scheduler", **CREDENTIALS)
    names = (f"s{n}" for n in itertools.count())
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": "arn:aws:iam::123456789012:role/r"}

    def moto_write() -> None:
        scheduler.create_schedule(
            Name=next(names), ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target
        )

    with mocked:
        moto_write()  # s0, which moto_read reads

    def moto_read() -> None:
        scheduler.get_schedule(Name="s0")

    def batch(context: Any, call: Any) -> Any:
        def run() -> None:
            with context:
                for _ in range(number):
                    call()

        return run

    subjects = {
        "fake start": batch(fake, lambda: subject.start_image_pipeline_execution(imagePipelineArn=pipeline)),
        "floor start": batch(fake, lambda: floor.start_image_pipeline_execution(imagePipelineArn=pipeline)),
        "moto write": batch(mocked, moto_write),
        "fake get": batch(fake, lambda: subject.get_image_pipeline(imagePipelineArn=pipeline)),
        "floor get": batch(fake, lambda: floor.get_image_pipeline(imagePipelineArn=pipeline)),
        "moto read": batch(mocked, moto_read),
    }
    # Batches are timed whole, context entry included: entering costs microseconds against number calls.
    seconds = {name: value / number for name, value in interleaved(subjects, 1, rounds).items()}
    for verb, peer in (("start", "write"), ("get", "read")):
        operation = {"start": "StartImagePipelineExecution", "get": "GetImagePipeline"}[verb]
        rows.append(row(f"in-process {operation}, us/call", "canned floor", seconds[f"fake {verb}"],
                         seconds[f"floor {verb}"], 1e6, goal=1.10))
        rows.append(row(f"in-process {operation}, us/call", f"moto mock_aws {peer}", seconds[f"fake {verb}"],
                         seconds[f"moto {peer}"], 1e6, goal=0.5))

    FakeImageBuilder()
    made = min(_time(FakeImageBuilder, 20 if quick else 200) for _ in range(3 if quick else 7))
    rows.append(row("FakeImageBuilder() after the first, ms", "goal 1 ms", made, 1e-3, 1e3, goal=1.0))
    return rows


def _time(call: Any, number: int) -> float:
    start = time.thread_time()
    for _ in range(number):
        call()
    return (time.thread_time() - start) / number
