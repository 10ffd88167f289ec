"""Recorded and documented exchanges (``fixtures/``), replayed against the target and compared.

Documented fixtures come from AWS's own examples (``provenance:
documented``); recorded ones from live runs with ``--record`` (``provenance:
recorded``). Codes and statuses must match exactly; values that differ per
run are compared by identity (see :mod:`contract_tests.recording`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .recording import FixtureError, load_fixture, no_fixtures, replay
from .targets import Workspace


def _load(path: Path) -> dict[str, Any]:
    """The fixture, or a one-line failure naming the file (and step) that cannot be replayed."""
    try:
        return load_fixture(path)
    except FixtureError as error:
        problem = str(error)
    pytest.fail(problem, pytrace=False)  # outside the handler: one line, not a chain of two


@pytest.mark.builds(0)
def test_fixture_replays(workspace: Workspace, fixture_path: Path | None, request: pytest.FixtureRequest) -> None:
    """The target answers a fixture's requests as the fixture shows."""
    if workspace.target.name == "aws":
        pytest.skip("fixtures come from AWS (--record refreshes them); they are replayed on the other targets")
    if fixture_path is None:  # stands in for an empty --fixtures-dir (refused before the run, but under xdist)
        pytest.fail(no_fixtures(request.config.getoption("fixtures_dir")), pytrace=False)
    document = _load(fixture_path)
    if any("wait" in step for step in document["steps"]) and not workspace.target.finishes_builds:
        pytest.skip("the fixture waits for a build to progress")
    problems = replay(document, workspace)
    assert not problems, f"{fixture_path.name} ({document['provenance']}):\n" + "\n".join(problems)
