"""One fake shared by many threads: client tokens and build numbers stay exact under contention."""

from __future__ import annotations

import random
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

THREADS = 16
TOKENS = 48
CALLS_PER_THREAD = 60


@pytest.fixture
def contention() -> Iterator[None]:
    """Threads switch far more often than usual, so a missing lock shows up as a failure, not as luck."""
    usual = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(usual)


def test_shared_tokens_make_one_build_each(fake: Any, make_stack: Any, count_images: Any, contention: None):
    first = make_stack("first")
    # A second pipeline of the same recipe: both draw from one build counter.
    second = make_stack("second", recipe_arn=first.recipe_arn, infrastructure_arn=first.infrastructure_arn)
    pipelines = [first.pipeline_arn, second.pipeline_arn]
    pool = [f"token-{i:02d}" for i in range(TOKENS)]
    # botocore clients are thread-safe, their creation is not: make them here.
    clients = [
        boto3.client("imagebuilder", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
        for _ in range(THREADS)
    ]
    answers: dict[str, set[str]] = defaultdict(set)
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def work(index: int) -> None:
        client = clients[index]
        rng = random.Random(index)
        try:
            barrier.wait()
            for _ in range(CALLS_PER_THREAD):
                token = rng.choice(pool)
                arn = client.start_image_pipeline_execution(
                    imagePipelineArn=pipelines[int(token[-2:]) % 2], clientToken=token
                )["imageBuildVersionArn"]
                with lock:
                    answers[token].add(arn)
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(len(arns) == 1 for arns in answers.values()), "a token answered with more than one build"
    numbers = sorted(int(arns.pop().rsplit("/", 1)[1]) for arns in answers.values())
    assert numbers == list(range(1, len(answers) + 1))  # unique and contiguous
    assert count_images() == len(answers)
    assert len(answers) > TOKENS * 3 // 4  # the pool was really shared: most tokens were drawn, many times over


def test_readers_never_see_a_half_applied_tag_change(fake: Any, make_stack: Any, contention: None):
    # The writer swaps between two whole tag sets; a reader must see one or the other, never a mix.
    stack = make_stack()
    odd = {f"k{i:02d}": "odd" for i in range(25)}
    even = {f"k{i:02d}": "even" for i in range(25, 50)}
    writer_client, reader_client = (
        boto3.client("imagebuilder", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
        for _ in range(2)
    )
    writer_client.tag_resource(resourceArn=stack.recipe_arn, tags=odd)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            current, other = odd, even
            while not stop.is_set():
                writer_client.tag_resource(resourceArn=stack.recipe_arn, tags=other)
                writer_client.untag_resource(resourceArn=stack.recipe_arn, tagKeys=list(current))
                current, other = other, current
        except BaseException as error:  # surfaced below: a dead writer must fail the test
            errors.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[dict[str, str]] = []
    try:
        for _ in range(300):
            seen.append(reader_client.get_image_recipe(imageRecipeArn=stack.recipe_arn)["imageRecipe"]["tags"])
    finally:
        stop.set()
        writer.join()

    assert not errors
    whole = [odd, even, {**odd, **even}]  # between tag and untag both sets are there, by design of the writer
    assert all(tags in whole for tags in seen), [tags for tags in seen if tags not in whole][:1]
