"""The state machine of :mod:`contract_tests.machine`, run against the chosen target."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis.stateful import RuleBasedStateMachine

from .machine import PipelineMachine
from .targets import Target


@pytest.mark.builds(None)
def test_pipeline_machine(target: Target, run_machine: Callable[[Callable[[], RuleBasedStateMachine]], None]) -> None:
    """Random programs of pipeline and build operations keep every invariant of the model."""
    run_machine(lambda: PipelineMachine(target))
