"""moto and the fake from many threads: each side keeps serving while the other is entered and left."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from both_sides import REGION
from moto import mock_aws

from fakeimagebuilder import FakeImageBuilder

pytestmark = pytest.mark.usefixtures("untouched")

THREADS = 8


def _clients(service: str) -> list[Any]:
    """One client per thread, made here: botocore clients are thread-safe once made, sessions are not."""
    session = boto3.session.Session()
    return [session.client(service, region_name=REGION) for _ in range(THREADS)]


def _in_threads(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> Any:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_both_sides_from_many_threads_at_once():
    with mock_aws(), FakeImageBuilder() as fake:
        s3, ssm, imagebuilder = _clients("s3"), _clients("ssm"), _clients("imagebuilder")

        def work(index: int) -> None:
            s3[index].create_bucket(Bucket=f"logs-{index}")
            ssm[index].put_parameter(Name=f"/builder/{index}", Value=f"profile-{index}", Type="String")
            for round_ in range(3):
                profile = ssm[index].get_parameter(Name=f"/builder/{index}")["Parameter"]["Value"]
                imagebuilder[index].create_infrastructure_configuration(
                    name=f"web-{index}-{round_}",
                    instanceProfileName=profile,
                    logging={"s3Logs": {"s3BucketName": f"logs-{index}"}},
                )
                s3[index].put_object(Bucket=f"logs-{index}", Key=f"{round_}.log", Body=b"built")

        _in_threads(work)
        held = fake.state()[fake.account_id][REGION]["infrastructureConfigurations"]
        assert sorted(c["name"] for c in held) == sorted(f"web-{i}-{r}" for i in range(THREADS) for r in range(3))
        assert all(c["instanceProfileName"] == "profile-" + c["name"].split("-")[1] for c in held)
        for index in range(THREADS):
            keys = [o["Key"] for o in s3[0].list_objects_v2(Bucket=f"logs-{index}")["Contents"]]
            assert sorted(keys) == [f"{r}.log" for r in range(3)]


def test_moto_keeps_serving_while_fakes_come_and_go():
    with mock_aws():
        s3 = _clients("s3")
        for index in range(THREADS):
            s3[index].create_bucket(Bucket=f"logs-{index}")
        stop = threading.Event()

        def toggle() -> int:
            times = 0
            while not stop.is_set():
                with FakeImageBuilder() as fake:
                    fake.client().list_image_pipelines()
                times += 1
            return times

        with ThreadPoolExecutor(1) as toggler:
            toggled = toggler.submit(toggle)
            try:

                def work(index: int) -> None:
                    for round_ in range(10):
                        s3[index].put_object(Bucket=f"logs-{index}", Key=str(round_), Body=b"x")
                        assert s3[index].get_object(Bucket=f"logs-{index}", Key=str(round_))["Body"].read() == b"x"

                _in_threads(work)
            finally:
                stop.set()
            assert toggled.result() > 0


def test_the_fake_keeps_serving_while_moto_comes_and_goes():
    with FakeImageBuilder() as fake:
        imagebuilder = _clients("imagebuilder")
        stop = threading.Event()

        def toggle() -> int:
            times = 0
            while not stop.is_set():
                with mock_aws():
                    boto3.session.Session().client("s3", region_name=REGION).list_buckets()
                times += 1
            return times

        with ThreadPoolExecutor(1) as toggler:
            toggled = toggler.submit(toggle)
            try:

                def work(index: int) -> None:
                    for round_ in range(10):
                        imagebuilder[index].create_infrastructure_configuration(
                            name=f"web-{index}-{round_}", instanceProfileName="builder"
                        )

                _in_threads(work)
            finally:
                stop.set()
            assert toggled.result() > 0
        assert len(fake.state()[fake.account_id][REGION]["infrastructureConfigurations"]) == THREADS * 10
