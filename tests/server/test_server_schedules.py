"""Scheduled builds over HTTP: a virtual day by the control route, and a server whose clock runs at --speed 600.

The issue asks for a server at ``--speed 600`` running a ``rate(1 hour)``
pipeline for a virtual day: at that speed a day takes 144 real seconds, too
slow for the suite. Scheduled runs are derived from the virtual clock, not
fired by a timer, so moving that clock by ``POST /_fake/advance`` reaches
the same state as waiting: the day is covered that way (on a server in a
thread, on a fake clock, and on a spawned ``--speed 600`` server), and one
short test lets the speed alone move a ``rate(1 minute)`` schedule.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from imagebuilder_scenario import ServerProcess, boto3_client, control

from fakeimagebuilder.server import RunningServer

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"


def _scheduled_pipeline(client: Any, expression: str) -> str:
    recipe = client.create_image_recipe(
        name="web", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": COMPONENT}]
    )
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    arn: str = client.create_image_pipeline(
        name="web",
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        schedule={"scheduleExpression": expression, "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"},
    )["imagePipelineArn"]
    return arn


def _images(client: Any, arn: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_image_pipeline_images").paginate(imagePipelineArn=arn)
    return [s for page in pages for s in page["imageSummaryList"]]


def _runs_so_far(client: Any, arn: str, period: int) -> int:
    """How many runs the pipeline's own dates say have happened: one per period up to dateNextRun."""
    pipeline = client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    created = dt.datetime.fromisoformat(pipeline["dateCreated"].replace("Z", "+00:00"))
    following = dt.datetime.fromisoformat(pipeline["dateNextRun"].replace("Z", "+00:00"))
    return round((following - created).total_seconds() / period) - 1


def test_a_virtual_day_of_rate_one_hour_lists_24_scheduled_builds(server: RunningServer) -> None:
    client = boto3_client(server.url)
    arn = _scheduled_pipeline(client, "rate(1 hour)")

    assert control(server.url, "advance", {"seconds": 86400})[0] == 200

    images = _images(client, arn)
    assert len(images) == 24
    assert {i["buildType"] for i in images} == {"SCHEDULED"}


def test_a_speed_600_server_runs_the_schedule_on_its_own_clock(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "600")
    assert server.started, server.first_line
    client = boto3_client(server.url)
    arn = _scheduled_pipeline(client, "rate(1 hour)")

    control(server.url, "advance", {"seconds": 86400})
    images = _images(client, arn)
    # Real time also runs, at 600x: a run more is due if this machine took over 6 s since the create.
    runs = _runs_so_far(client, arn, 3600)
    assert len(images) >= 24 and len(images) in (runs, runs - 1)  # a run may land between the two reads
    assert {i["buildType"] for i in images} == {"SCHEDULED"}
    assert len({i["arn"] for i in images}) == len(images)


def test_speed_alone_moves_a_schedule(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "600")  # a virtual minute every 0.1 s
    assert server.started, server.first_line
    client = boto3_client(server.url)
    arn = _scheduled_pipeline(client, "rate(1 minute)")

    time.sleep(1.5)

    images = _images(client, arn)
    assert len(images) >= 5
    assert len(images) in (_runs_so_far(client, arn, 60), _runs_so_far(client, arn, 60) - 1)  # a run may land between
    assert {i["buildType"] for i in images} == {"SCHEDULED"}
