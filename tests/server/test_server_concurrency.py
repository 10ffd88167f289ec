"""Many independent clients against one server process: the fake's invariants hold."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError
from imagebuilder_scenario import COMPONENT, PARENT_IMAGE, ServerProcess, boto3_client, create_pipeline

CLIENTS = 16
TOKENS = 24


def test_concurrent_starts_make_one_build_per_token(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    pipeline = create_pipeline(boto3_client(server.url))
    clients = [boto3_client(server.url) for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)

    def worker(index: int) -> dict[str, str]:
        client = clients[index]
        tokens = [f"token-{n}" for n in range(TOKENS)]
        random.Random(index).shuffle(tokens)
        barrier.wait()
        seen = {}
        for token in tokens:
            answer = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)
            assert answer["clientToken"] == token
            seen[token] = answer["imageBuildVersionArn"]
        return seen

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(worker, range(CLIENTS)))

    # Every client saw the same build for a token, and each token made exactly one build.
    by_token = {token: {seen[token] for seen in results} for token in results[0]}
    assert all(len(arns) == 1 for arns in by_token.values()), by_token
    arns = {arns.pop() for arns in by_token.values()}
    assert len(arns) == TOKENS
    # Build numbers are unique and contiguous: no number lost or given twice under contention.
    assert sorted(int(arn.rsplit("/", 1)[1]) for arn in arns) == list(range(1, TOKENS + 1))
    listed = clients[0].list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert {image["arn"] for image in listed} == arns


def test_concurrent_creates_of_one_name_succeed_once(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "0")
    assert server.started, server.first_line
    clients = [boto3_client(server.url) for _ in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)

    def worker(client: Any) -> str:
        barrier.wait()
        try:
            client.create_image_recipe(
                name="contended",
                semanticVersion="1.0.0",
                parentImage=PARENT_IMAGE,
                components=[{"componentArn": COMPONENT}],
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = list(pool.map(worker, clients))
    assert outcomes.count("created") == 1
    assert set(outcomes) == {"created", "ResourceAlreadyExistsException"}
