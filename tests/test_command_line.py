"""The ``fakeimagebuilder`` command as a user meets it: --version, help without maintainer tools, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import fakeimagebuilder

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fakeimagebuilder", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_version():
    run = _run("--version")

    assert run.returncode == 0 and run.stdout == f"fakeimagebuilder {fakeimagebuilder.__version__}\n"


def test_help_shows_the_user_s_commands_only():
    run = _run("--help")

    assert run.returncode == 0
    assert "serve" in run.stdout and "ledger" in run.stdout and "--version" in run.stdout
    assert "readme" not in run.stdout.lower()


def test_an_unknown_command_names_the_user_s_commands_only():
    run = _run("bogus")

    assert run.returncode == 2
    error = run.stderr.splitlines()[-1]
    assert "invalid choice: 'bogus'" in error and all(name in error for name in ("serve", "ledger", "differences"))
    assert "readme" not in run.stderr


def test_readme_outside_the_repository_is_one_line_not_a_traceback(tmp_path: Path):
    missing = _run("readme", cwd=tmp_path)
    (tmp_path / "README.md").write_text("# someone else's project\n", encoding="utf-8")
    foreign = _run("readme", cwd=tmp_path)

    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.startswith("fakeimagebuilder readme: README.md: [Errno 2] No such file or directory")
    assert foreign.returncode == 2 and foreign.stderr.splitlines() == [
        "fakeimagebuilder readme: README.md: README has no <!-- ledger:start --> ... <!-- ledger:end --> block"
    ]
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# someone else's project\n"  # untouched
