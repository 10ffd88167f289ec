"""``fakeimagebuilder serve``: one line on start, clean exit on signals, flags, and builds that progress alone."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from imagebuilder_scenario import NO_RETRIES, ServerProcess, boto3_client, control, create_pipeline

import fakeimagebuilder.server
from fakeimagebuilder.__main__ import main
from fakeimagebuilder.server import is_loopback


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_prints_one_line_and_exits_cleanly_on_signals(spawn: Callable[..., ServerProcess], sig: int) -> None:
    server = spawn()
    assert server.started, server.first_line
    assert control(server.url, "health")[0] == 200
    status, rest, err = server.finish(sig)
    assert status == 0, err
    assert rest == ""  # nothing after the one 'listening on' line
    assert "Traceback" not in err


def test_builds_progress_on_their_own(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--speed", "1000")  # a default build (1245 virtual seconds) in about 1.25 s
    assert server.started, server.first_line
    client = boto3_client(server.url)
    build = client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))["imageBuildVersionArn"]
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        seen.append(client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"])
        if seen[-1] == "AVAILABLE":
            break
        time.sleep(0.05)
    assert seen[-1] == "AVAILABLE"
    assert seen[0] != "AVAILABLE"  # it did not start finished: time moved it


def test_verify_signatures_with_credential_flags(spawn: Callable[..., ServerProcess]) -> None:
    server = spawn("--verify-signatures", "--credential", "AKIDCLI:cli-secret:111122223333")
    assert server.started, server.first_line
    known = boto3_client(server.url, aws_access_key_id="AKIDCLI", aws_secret_access_key="cli-secret")
    assert ":111122223333:" in create_pipeline(known)
    unknown = boto3_client(server.url, config=NO_RETRIES)
    with pytest.raises(ClientError) as error:
        unknown.list_image_pipelines()
    assert error.value.response["Error"]["Code"] == "UnrecognizedClientException"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--account", "12345"], "an account id is 12 digits"),
        (["--speed", "-1"], "the speed is a number >= 0"),
        (["--port", "70000"], "a port is 0 to 65535"),
        (["--verify-signatures"], "--verify-signatures needs secrets"),
        (["--accounts-file", "/nonexistent/accounts.json"], "cannot read accounts file"),
        (["--credential", "no-secret"], "ACCESS_KEY:SECRET"),
        # Else ARNs are minted with it; in the words --account uses.
        (["--credential", "AKID:secret:12x"], "--credential: an account id is 12 digits, not '12x'"),
        (["--state-file", "/"], "cannot start: state file /: "),  # a path with no name: no traceback
        (["--state-file", "."], "cannot start: state file .: "),
    ],
)
def test_bad_flags_exit_2(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakeimagebuilder.server, "serve", lambda *args, **kwargs: 0)  # a flag let through: no server
    try:
        status = main(["serve", *args])
    except SystemExit as exit:  # argparse refuses the flag itself
        status = int(str(exit.code))
    assert status == 2
    assert says in capsys.readouterr().err


def test_an_accounts_file_with_a_bad_account_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakeimagebuilder.server, "serve", lambda *args, **kwargs: 0)
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"AKIDFILE": "abc"}))
    assert main(["serve", "--accounts-file", str(accounts)]) == 2
    assert f"accounts file {accounts}: 'AKIDFILE': an account id is 12 digits, not 'abc'" in capsys.readouterr().err


def test_port_in_use_exits_1(spawn: Callable[..., ServerProcess]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = spawn("--port", str(taken.getsockname()[1]))
        assert not server.started
        status, _, err = server.finish()
    assert status == 1
    assert "cannot listen on 127.0.0.1" in err


def test_warns_when_not_on_loopback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(fakeimagebuilder.server, "serve", lambda *args, **kwargs: calls.append(args) or 0)
    assert main(["serve", "--host", "192.0.2.10", "--port", "0"]) == 0
    assert "warning: 192.0.2.10 is not a loopback address" in capsys.readouterr().err
    assert main(["serve", "--host", "127.0.0.1", "--port", "0"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert [args[1:] for args in calls] == [("192.0.2.10", 0), ("127.0.0.1", 0)]


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("example.com")
    # RFC 6761 makes these loopback, but glibc asks the DNS server for them.
    assert not is_loopback("leak-canary.localhost")


def test_console_script_is_declared() -> None:
    (script,) = entry_points(group="console_scripts", name="fakeimagebuilder")
    assert script.value == "fakeimagebuilder.__main__:main"
