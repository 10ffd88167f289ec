"""``pytest contract_tests --target endpoint`` at a URL where nothing, or not Image Builder, answers, and options
that cannot work as given: one clear line, no tracebacks."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from kit_standin import run_suite

from fakeimagebuilder.server import serve_in_thread


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


class _NotFound(BaseHTTPRequestHandler):
    """A web server that knows no Image Builder: 404 and an HTML page, whatever is asked."""

    def _answer(self) -> None:
        page = b"<html><body><h1>Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def web_server() -> Iterator[str]:
    """The URL of a plain web server on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def moto_server() -> Iterator[str]:
    """The URL of moto's server, which serves many AWS services but not Image Builder."""
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def test_a_web_server_that_is_not_image_builder_is_one_line(tmp_path: Path, web_server: str):
    run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", web_server)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    lines = [line for line in run.output.splitlines() if line.strip()]
    assert lines == [
        f"ERROR: --endpoint-url {web_server} answers, but not as Image Builder: ListImagePipelines got "
        "HTTP 404 (text/html); is it the URL the server printed ('listening on http://HOST:PORT')?"
    ]


def test_moto_s_server_is_not_image_builder_either(tmp_path: Path, moto_server: str):
    run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", moto_server)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    lines = [line for line in run.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(
        f"ERROR: --endpoint-url {moto_server} answers, but not as Image Builder: ListImagePipelines got HTTP "
    ), run.output


def test_endpoint_url_without_the_endpoint_target_is_refused(tmp_path: Path):
    # Else the run passes against the in-process fake, as if the server at the URL had passed.
    run = run_suite(tmp_path, "--endpoint-url", "http://127.0.0.1:1")

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert "--endpoint-url is for --target endpoint (the target is fake); add --target endpoint" in run.output


def test_a_ledger_report_naming_a_directory_is_refused_before_the_run(tmp_path: Path):
    run = run_suite(tmp_path, f"--ledger-report={tmp_path}")

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert [line for line in run.output.splitlines() if line.strip()] == [
        f"ERROR: --ledger-report {tmp_path} is a directory; name a file (.md for Markdown, else JSON)"
    ]


def _one_line(run_output: str) -> str:
    lines = [line for line in run_output.splitlines() if line.strip()]
    assert len(lines) == 1, run_output
    return lines[0]


def test_a_control_token_the_suite_lacks_is_one_line_before_any_test(tmp_path: Path):
    # GET /_fake/health answers without a credential; POST /_fake/advance needs the token.
    with serve_in_thread(control_token="s3cret") as server:
        before = server.fake.clock.now()
        run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", server.url)
        after = server.fake.clock.now()

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert _one_line(run.output) == (
        f"ERROR: --endpoint-url {server.url} refuses the suite's control requests: POST /_fake/advance got HTTP 403 "
        "MissingAuthenticationTokenException: Missing Authentication Token: control routes need a control token "
        "(Authorization: Bearer TOKEN); give the suite the server's --control-token TOKEN, or start the server "
        "with --verify-signatures --credential testing:testing (the suite signs as testing)"
    )
    assert after == before


def test_a_wrong_control_token_is_one_line_before_any_test(tmp_path: Path):
    with serve_in_thread(control_token="s3cret") as server:
        run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", server.url, "--control-token", "guess")

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert _one_line(run.output) == (
        f"ERROR: --endpoint-url {server.url} refuses the suite's control requests: POST /_fake/advance got HTTP 403 "
        "UnrecognizedClientException: The control token included in the request is invalid; give the suite the "
        "token the server was started with (--control-token TOKEN)"
    )


def test_a_server_that_does_not_know_the_suite_s_key_is_one_line(tmp_path: Path):
    with serve_in_thread(secrets={"AKIDOTHER": "other-secret"}) as server:
        run = run_suite(tmp_path, "--target", "endpoint", "--endpoint-url", server.url)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert _one_line(run.output) == (
        f"ERROR: --endpoint-url {server.url} refuses the suite's credentials: ListImagePipelines got HTTP 403 "
        "(application/json) UnrecognizedClientException: The security token included in the request is invalid.; "
        "the suite signs as testing (start the server with --credential testing:testing)"
    )


def test_control_token_without_the_endpoint_target_is_refused(tmp_path: Path):
    run = run_suite(tmp_path, "--control-token", "s3cret")

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    assert _one_line(run.output) == (
        "ERROR: --control-token is for --target endpoint (the target is fake); add --target endpoint"
    )
