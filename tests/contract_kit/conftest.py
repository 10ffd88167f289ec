"""Fixtures of the contract kit's own tests (support code in ``kit_standin``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kit_standin import ACCOUNT, MUTATION_REPORT, ObservedFake, StandIn, start_standin


@pytest.fixture
def standin(request: pytest.FixtureRequest) -> Iterator[StandIn]:
    """A fresh stand-in for AWS; indirect parametrization gives the fake's keyword arguments."""
    options: dict[str, Any] = getattr(request, "param", {})
    running = start_standin(ObservedFake(**{"account_id": ACCOUNT, **options}))
    try:
        yield running
    finally:
        running.stop()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The mutation check's timing, and which test caught each variant."""
    lines = config.stash.get(MUTATION_REPORT, None)
    if lines:
        terminalreporter.write_sep("-", "contract kit: mutation check")
        for line in lines:
            terminalreporter.write_line(line)
