"""The examples/ project's tests pass from a copy outside the repository, as a user would run them.

Nothing but the installed package is on hand there: no conftest, no ``-p``
option, no repository on sys.path, so the fixtures can only come through the
``pytest11`` entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_examples_project_passes_from_a_copy(tmp_path: Path):
    project = tmp_path / "ami-release"
    shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache"))
    assert not list(project.glob("**/conftest.py"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # The project's own ini options reached the plugin.
    assert "fakeimagebuilder" in result.stdout and "account 210987654321, region eu-west-1" in result.stdout
    assert " passed" in result.stdout.splitlines()[-1] and "skipped" not in result.stdout.splitlines()[-1]
