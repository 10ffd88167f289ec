"""``pytest contract_tests --target endpoint`` at a URL where nothing answers: one clear line, no tracebacks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from kit_standin import run_suite


def test_an_endpoint_that_does_not_answer_is_one_line(tmp_path: Path):
    with socket.socket() as closed:  # a port that was free a moment ago: nothing listens there
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"

    run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", url)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    lines = [line for line in run.output.splitlines() if line.strip()]
    assert lines == [
        f"ERROR: --endpoint-url {url} does not answer (Connection refused): start the server first "
        "(python -m fakeimagebuilder serve --port PORT) or correct the URL"
    ]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:21", "127.0.0.1:4010", "http://[::1"])
def test_an_endpoint_that_is_not_an_http_url_is_one_line(tmp_path: Path, url: str):
    run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", url)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert next(line for line in run.output.splitlines() if line.strip()).startswith(f"ERROR: --endpoint-url {url!r}")
    assert "Traceback" not in run.output
