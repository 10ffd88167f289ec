"""Fixtures of the server tests: servers in a thread or in their own process, and clients for them.

The hermetic AWS environment (``aws_env``) comes from ``tests/conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from imagebuilder_scenario import T0, ServerProcess

from fakeimagebuilder import FakeImageBuilder, VirtualClock
from fakeimagebuilder.server import RunningServer, serve_in_thread


@pytest.fixture
def server(aws_env: None) -> Iterator[RunningServer]:
    """A server in a background thread over a fresh fake on a virtual clock (moved by /_fake/advance)."""
    running = serve_in_thread(FakeImageBuilder(clock=VirtualClock(T0)))
    yield running
    running.stop()


@pytest.fixture
def spawn(aws_env: None, tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start ``serve`` processes (``spawn("--speed", "0", ...)``); all are killed after the test."""
    started: list[ServerProcess] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    def start(*args: str) -> ServerProcess:
        process = ServerProcess(list(args), env)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
        process.proc.communicate(timeout=10)


@pytest.fixture
def journaled(aws_env: None, tmp_path: Path) -> Iterator[Callable[[], FakeImageBuilder]]:
    """Open fakes on one state file (time stopped); each is closed after the test."""
    opened: list[FakeImageBuilder] = []

    def open_fake() -> FakeImageBuilder:
        fake = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0)
        opened.append(fake)
        return fake

    yield open_fake
    for fake in opened:
        if fake.journal is not None:
            fake.journal.close()
