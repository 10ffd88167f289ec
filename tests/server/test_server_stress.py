"""The server under load: 16 threads of mixed calls keep every invariant, and kill -9 mid-compaction loses nothing.

Sized for CI by default; ``--long-runs`` runs them at full size (16 x 10,000
calls; 25 kills), the runs README's reliability figures come from.
"""

from __future__ import annotations

import faulthandler
import os
import random
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from imagebuilder_scenario import ServerProcess, boto3_client, control, create_pipeline

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import serve_in_thread

THREADS = 16
# Short timeouts: a server that stops answering fails the call (and the test) instead of hanging it.
CLIENT = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=10, read_timeout=30)
ACCOUNT = "123456789012"


def _watchdog(threads: list[threading.Thread], seconds: float) -> None:
    """Join ``threads`` within ``seconds``, else dump every stack and fail (a hang becomes a report)."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        pytest.fail(f"watchdog: {len(stuck)} client threads still running after {seconds:.0f} s: {stuck[:4]}")


@dataclass
class _Run:
    """What the clients saw, shared between them."""

    pipelines: dict[str, str]  # recipe name -> pipeline ARN
    recipes: dict[str, str]
    infrastructure: str
    shared: dict[str, str] = field(default_factory=dict)  # shared client token -> the one build it names
    builds: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # invariant breaks, as messages
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            with self.lock:
                self.broken.append(message)


def _worker(run: _Run, client: Any, url: str, index: int, calls: int, seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    mine: dict[str, str] = {}  # this thread's tokens -> builds
    tagged = False
    names = list(run.pipelines)
    for n in range(calls):
        name = rng.choice(names)
        pipeline = run.pipelines[name]
        roll = rng.random()
        try:
            if roll < 0.22:  # a new build
                token = f"w{index}-{n}"
                arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)[
                    "imageBuildVersionArn"
                ]
                mine[token] = arn
                with run.lock:
                    run.builds.append(arn)
            elif roll < 0.32 and mine:  # a replay of one of ours: the first answer, nothing new
                token = rng.choice(list(mine))
                arn = client.start_image_pipeline_execution(
                    imagePipelineArn=run.pipelines[mine[token].split("/")[1]], clientToken=token
                )["imageBuildVersionArn"]
                run.expect(arn == mine[token], f"replay of {token} answered {arn}, first {mine[token]}")
            elif roll < 0.42:  # a token shared by every thread: exactly one build for all of them
                token = f"shared-{rng.randrange(24)}"
                arn = client.start_image_pipeline_execution(
                    imagePipelineArn=run.pipelines[names[0]], clientToken=token
                )["imageBuildVersionArn"]
                with run.lock:
                    first = run.shared.setdefault(token, arn)
                    if first == arn and arn not in run.builds:
                        run.builds.append(arn)
                run.expect(first == arn, f"shared token {token} answered {arn} and {first}")
            elif roll < 0.50 and run.builds:  # cancel any build: in progress -> ok, ended -> refused
                with run.lock:
                    target = rng.choice(run.builds)
                try:
                    client.cancel_image_creation(imageBuildVersionArn=target, clientToken=f"c{index}-{n}")
                except ClientError as error:
                    code = error.response["Error"]["Code"]
                    run.expect(code == "InvalidParameterValueException", f"cancel of {target}: {code}")
            elif roll < 0.55:
                status, _ = control(url, "advance", {"seconds": rng.choice([1, 30, 300])})
                run.expect(status == 200, f"advance answered {status}")
            elif roll < 0.67:
                page = client.list_image_pipeline_images(imagePipelineArn=pipeline, maxResults=25)
                for summary in page["imageSummaryList"]:
                    run.expect(summary["arn"].split("/")[1] == name, f"{summary['arn']} listed under {name}")
            elif roll < 0.75 and run.builds:
                with run.lock:
                    target = rng.choice(run.builds)
                image = client.get_image(imageBuildVersionArn=target)["image"]
                run.expect(image["arn"] == target, f"GetImage {target} answered {image['arn']}")
            elif roll < 0.82:
                client.update_image_pipeline(
                    imagePipelineArn=pipeline,
                    imageRecipeArn=run.recipes[name],
                    infrastructureConfigurationArn=run.infrastructure,
                    description=f"updated by {index} at {n}",
                    clientToken=f"u{index}-{n}",
                )
            elif roll < 0.90:  # a resource of our own, created and deleted
                infra = client.create_infrastructure_configuration(
                    name=f"temp-{index}-{n}", instanceProfileName="builder", clientToken=f"i{index}-{n}"
                )["infrastructureConfigurationArn"]
                client.delete_infrastructure_configuration(infrastructureConfigurationArn=infra)
            else:  # our own tag on the shared first pipeline, on and off
                target = run.pipelines[names[0]]
                if tagged:
                    client.untag_resource(resourceArn=target, tagKeys=[f"t{index}"])
                else:
                    client.tag_resource(resourceArn=target, tags={f"t{index}": str(n)})
                tagged = not tagged
        except (ClientError, BotoCoreError) as error:
            run.expect(False, f"thread {index} call {n}: {error!r}")
        with run.lock:
            run.calls += 1
    tags = client.list_tags_for_resource(resourceArn=run.pipelines[names[0]])["tags"]
    run.expect((f"t{index}" in tags) == tagged, f"thread {index}'s tag is {'missing' if tagged else 'left over'}")


def _all_images(client: Any, pipeline: str) -> list[str]:
    pages = client.get_paginator("list_image_pipeline_images").paginate(imagePipelineArn=pipeline)
    return [image["arn"] for page in pages for image in page["imageSummaryList"]]


def test_sixteen_threads_of_mixed_calls_break_no_invariant(
    aws_env: None, tmp_path: Path, long_runs: bool, request: pytest.FixtureRequest
) -> None:
    calls = 10_000 if long_runs else 40
    seed = int(os.environ.get("FAKEIMAGEBUILDER_STRESS_SEED", "20261202"))
    fake = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0, compact_every=500)
    request.addfinalizer(lambda: fake.journal.close() if fake.journal is not None else None)
    started = time.monotonic()
    with serve_in_thread(fake) as server:
        setup = boto3_client(server.url, config=CLIENT)
        pipelines = {name: create_pipeline(setup, name=name) for name in ("web", "api")}
        recipes = {
            name: setup.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["imageRecipeArn"]
            for name, arn in pipelines.items()
        }
        infrastructure = setup.get_image_pipeline(imagePipelineArn=pipelines["web"])["imagePipeline"][
            "infrastructureConfigurationArn"
        ]
        run = _Run(pipelines, recipes, infrastructure)
        clients = [boto3_client(server.url, config=CLIENT) for _ in range(THREADS)]
        threads = [
            threading.Thread(target=_worker, args=(run, clients[i], server.url, i, calls, seed), name=f"client-{i}")
            for i in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        _watchdog(threads, 60 + calls * 0.5)
        elapsed = time.monotonic() - started
        assert run.broken == [], run.broken[:10]
        assert run.calls == THREADS * calls
        for name, pipeline in pipelines.items():
            listed = _all_images(setup, pipeline)
            numbers = sorted(int(arn.rsplit("/", 1)[1]) for arn in listed)
            assert numbers == list(range(1, len(listed) + 1)), f"{name}: numbers not unique and contiguous"
        listed_all = {arn for pipeline in pipelines.values() for arn in _all_images(setup, pipeline)}
        assert set(run.builds) <= listed_all  # every acknowledged build is there
        assert len(listed_all) == len(set(run.builds))  # and nothing else: replays and shared tokens made none
    assert fake.journal is not None and (calls < 100 or fake.journal.compactions > 0)
    before = fake.state()
    fake.journal.close()
    reopened = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0)
    try:
        assert reopened.state() == before  # the journal holds exactly what was acknowledged
    finally:
        assert reopened.journal is not None
        reopened.journal.close()
    print(
        f"\nstress: {THREADS} threads x {calls} calls = {run.calls} calls in {elapsed:.1f} s "
        f"({run.calls / elapsed:.0f}/s), {len(run.builds)} builds, {fake.journal.compactions} compactions, "
        f"0 invariant breaks; restart replayed: {reopened.journal.report}"
    )


# -- kill -9 while compacting ----------------------------------------------------------------------------

_REPORT = re.compile(r"replayed (\d+) entries(?: \(from a snapshot\))? in ([0-9.]+) s")


def _load(
    url: str, stop: threading.Event, index: int, acknowledged: list[tuple[str, str]], lock: threading.Lock
) -> None:
    client = boto3_client(url, config=CLIENT)
    pipeline = client.list_image_pipelines()["imagePipelineList"][0]["arn"]
    n = 0
    while not stop.is_set():
        token = f"k{index}-{time.monotonic_ns()}-{n}"
        n += 1
        try:
            arn = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)[
                "imageBuildVersionArn"
            ]
            if n % 7 == 0:
                client.tag_resource(resourceArn=arn, tags={"n": str(n)})
        except (BotoCoreError, ClientError):
            return  # the server is gone: this call was never acknowledged
        with lock:
            acknowledged.append((token, arn))


def test_repeated_kill_9_during_compaction_loses_nothing_acknowledged(
    spawn: Callable[..., ServerProcess], tmp_path: Path, long_runs: bool
) -> None:
    rounds = 25 if long_runs else 3
    compact_every = 40
    state = tmp_path / "state.journal"
    compacting = tmp_path / "state.journal.compacting"
    args = ("--speed", "0", "--state-file", str(state), "--compact-every", str(compact_every))
    server = spawn(*args)
    assert server.started, server.finish()
    create_pipeline(boto3_client(server.url, config=CLIENT))
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()
    mid_compaction = 0
    replays: list[tuple[int, float]] = []
    for _ in range(rounds):
        stop = threading.Event()
        threads = [
            threading.Thread(target=_load, args=(server.url, stop, i, acknowledged, lock), name=f"load-{i}")
            for i in range(6)
        ]
        for thread in threads:
            thread.start()
        target = len(acknowledged) + 150
        deadline = time.monotonic() + 30
        while len(acknowledged) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        # Now kill as soon as a compaction is seen in progress (or give up waiting and kill anyway).
        watch_until = time.monotonic() + 3
        while not compacting.exists() and time.monotonic() < watch_until:
            pass
        hit = compacting.exists()
        os.kill(server.proc.pid, signal.SIGKILL)
        mid_compaction += hit
        stop.set()
        _watchdog(threads, 60)
        _, _, err = server.finish()
        replays.extend((int(m[1]), float(m[2])) for m in _REPORT.finditer(err))
        server = spawn(*args)
        assert server.started, server.finish()
        client = boto3_client(server.url, config=CLIENT)
        pipeline = client.list_image_pipelines()["imagePipelineList"][0]["arn"]
        listed = set(_all_images(client, pipeline))
        lost = {arn for _, arn in acknowledged} - listed
        assert not lost, f"acknowledged builds lost after kill -9: {sorted(lost)[:5]}"
        numbers = sorted(int(arn.rsplit("/", 1)[1]) for arn in listed)
        assert numbers == list(range(1, len(listed) + 1))
        for token, arn in acknowledged[:: max(1, len(acknowledged) // 10)]:
            again = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)
            assert again["imageBuildVersionArn"] == arn
    _, _, err = server.finish()
    replays.extend((int(m[1]), float(m[2])) for m in _REPORT.finditer(err))
    assert len(replays) == rounds + 1 and all(
        count <= compact_every + 16 for count, _ in replays
    )  # restart work is bounded
    print(
        f"\nkills: {rounds} kill -9 under load ({mid_compaction} while a compaction was in progress), "
        f"{len(acknowledged)} acknowledged builds, 0 lost; last restart replayed {replays[-1][0]} entries "
        f"in {replays[-1][1]:.3f} s"
    )
