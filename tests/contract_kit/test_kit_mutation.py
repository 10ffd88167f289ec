"""The mutation check: the contract suite must catch every deliberately divergent variant of the fake.

Each variant (``fake_mutants.MUTANTS``) is a small patch applied to the
in-process fake in a subprocess (``-p fake_mutants``, chosen by
``FAKEIMAGEBUILDER_MUTANT``). Each run is the whole suite, scenarios first,
on the small derandomised ``mutation`` Hypothesis profile, stopping at the
first failure (``-x``); runs go in parallel, one per core. A control run on
the unchanged fake must pass, or a "caught" variant would mean nothing.
Timing and the test that caught each variant are reported in the terminal
summary.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_mutants import ENV, MUTANTS
from kit_standin import MUTATION_REPORT, REPO, suite_env

HERE = Path(__file__).resolve().parent
# Scenarios first: they are fast and deterministic, so most variants fall at once.
ORDER = ("test_scenarios.py", "test_resources.py", "test_fixtures.py", "test_inputs.py", "test_machine.py")


@dataclass(frozen=True)
class Outcome:
    """One run of the suite against one variant (None: the unchanged fake)."""

    mutant: str | None
    returncode: int
    caught_by: list[str]
    seconds: float
    output: str


def _run(mutant: str | None, tmp_path: Path) -> Outcome:
    env = suite_env(tmp_path)
    env.update(
        {
            ENV: mutant or "",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
            # Only the plugins the suite needs: a third of the start-up time of each run.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"contract_tests/{name}" for name in ORDER),
        "-q",
        "-x",
        "-rfE",
        "-p",
        "no:cacheprovider",
        "-p",
        "_hypothesis_pytestplugin",
        "-p",
        "fake_mutants",
        "--hypothesis-profile=mutation",
    ]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    caught_by = re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.MULTILINE)
    return Outcome(mutant, done.returncode, caught_by, time.monotonic() - started, done.stdout + done.stderr)


def test_every_mutant_is_caught(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The unchanged fake passes; every one of the variants makes the suite fail."""
    assert len(MUTANTS) >= 10
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        outcomes = list(pool.map(lambda m: _run(m, tmp_path), [None, *MUTANTS]))
    total = time.monotonic() - started
    control, variants = outcomes[0], outcomes[1:]
    assert control.returncode == 0, f"the suite fails on the unchanged fake:\n{control.output[-3000:]}"
    escaped = [o for o in variants if o.returncode != 1 or not o.caught_by]
    lines = [
        f"{o.mutant:36} {'caught' if o not in escaped else 'ESCAPED'} in {o.seconds:4.1f} s by "
        f"{', '.join(o.caught_by) or '-'}"
        for o in variants
    ]
    request.config.stash.setdefault(MUTATION_REPORT, []).extend(
        [*lines, f"{len(variants) - len(escaped)}/{len(variants)} variants caught in {total:.1f} s"]
    )
    assert not escaped, "variants the suite did not catch:\n" + "\n\n".join(
        f"{o.mutant} ({MUTANTS[o.mutant or ''][0]}): exit {o.returncode}\n{o.output[-1500:]}" for o in escaped
    )
