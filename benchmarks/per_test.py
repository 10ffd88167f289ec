"""Downstream per-test cost: the plugin's fixtures against moto's ``mock_aws`` with a fresh client per test.

Each suite is N generated tests, run by pytest in a process of its own (as a
user's suite runs); a small plugin records the CPU time of each test's
setup, call and teardown, and the figure is the mean per test after the first few (the
first test of a process pays for imports and model loading once). Suites
run alternately, and each keeps its best run.

- fixture client: each test takes ``imagebuilder_client`` and makes one call;
- own client: each test takes ``imagebuilder_fake`` and makes its own
  ``boto3.client("imagebuilder")``, as code under test does;
- moto: each test enters ``mock_aws`` and makes a fresh ``boto3`` client
  (EventBridge Scheduler, rest-json) and one call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .timing import row

WARMUP = 3

# The CPU time of each test's whole protocol (setup, call, teardown): on a machine shared with other jobs,
# wall time also counts the time others ran.
RECORDER = '''
import json, os, time
import pytest

_spent = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.process_time()
    yield
    _spent.append(time.process_time() - start)


def pytest_sessionfinish(session):
    with open(os.environ["BENCH_DURATIONS"], "w") as out:
        json.dump(_spent, out)
'''

SUITES = {
    "fixture client": (
        "",
        "def test_{n}(imagebuilder_client):\n    imagebuilder_client.list_image_pipelines()\n",
    ),
    "own client": (
        "import boto3\n",
        "def test_{n}(imagebuilder_fake):\n    boto3.client('imagebuilder').list_image_pipelines()\n",
    ),
    "moto": (
        "import boto3, pytest\nfrom moto import mock_aws\n\n\n"
        "@pytest.fixture\ndef scheduler():\n    with mock_aws():\n"
        "        yield boto3.client('scheduler', region_name='us-east-1')\n",
        "def test_{n}(scheduler):\n    scheduler.list_schedules()\n",
    ),
}


def _write(root: Path, tests: int) -> dict[str, Path]:
    (root / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (root / "conftest.py").write_text(RECORDER)
    paths = {}
    for name, (head, test) in SUITES.items():
        path = root / f"test_{name.replace(' ', '_')}.py"
        path.write_text(head + "\n\n" + "\n\n".join(test.format(n=n) for n in range(tests)))
        paths[name] = path
    return paths


def this_fake_first() -> dict[str, str]:
    """The environment for a child process that must import the fakeimagebuilder this runner imported.

    (Not whichever one the interpreter would find from the child's directory: another checkout's
    editable install, say.)
    """
    import fakeimagebuilder

    root = str(Path(fakeimagebuilder.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def _run(root: Path, path: Path) -> float:
    """Mean seconds per test of one suite, in a pytest process of its own."""
    durations = root / "durations.json"
    env = {**this_fake_first(), "BENCH_DURATIONS": str(durations)}
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:benchmark", str(path)],
        cwd=root, env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{path.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    spent = json.loads(durations.read_text())[WARMUP:]
    return sum(spent) / len(spent)


def figures(quick: bool) -> list[dict[str, Any]]:
    """Per-test cost of each suite; the fake's against moto's."""
    tests, runs = (6, 1) if quick else (200, 3)
    best = {name: float("inf") for name in SUITES}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        paths = _write(root, tests)
        for _ in range(runs):
            for name, path in paths.items():
                best[name] = min(best[name], _run(root, path))
    return [
        row(f"per test, {name}, ms", "moto mock_aws + fresh client", best[name], best["moto"], 1e3, goal=0.2)
        for name in ("fixture client", "own client")
    ]
