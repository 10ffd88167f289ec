"""Recorded and documented exchanges (``fixtures/``), replayed against the target and compared.

Documented fixtures come from AWS's own examples (``provenance:
documented``); recorded ones from live runs with ``--record`` (``provenance:
recorded``). Codes and statuses must match exactly; values that differ per
run are compared by identity (see :mod:`contract_tests.recording`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .recording import load_fixture, replay
from .targets import Workspace


@pytest.mark.builds(0)
def test_fixture_replays(workspace: Workspace, fixture_path: Path) -> None:
    """The target answers a fixture's requests as the fixture shows."""
    if workspace.target.name == "aws":
        pytest.skip("fixtures come from AWS (--record refreshes them); they are replayed on the other targets")
    document = load_fixture(fixture_path)
    if any("wait" in step for step in document["steps"]) and not workspace.target.finishes_builds:
        pytest.skip("the fixture waits for a build to progress")
    problems = replay(document, workspace)
    assert not problems, f"{fixture_path.name} ({document['provenance']}):\n" + "\n".join(problems)
