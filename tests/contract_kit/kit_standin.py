"""The contract kit's test support: a stand-in for AWS, and a way to run the suite in a subprocess.

The stand-in is the fake's HTTP server playing Image Builder (its calls
observed) and a stub answering STS GetCallerIdentity, both on loopback: the
live path of ``--target aws`` runs end to end, and no test ever reaches AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from fakeimagebuilder import FakeImageBuilder, HttpRequest, HttpResponse
from fakeimagebuilder.model import routes
from fakeimagebuilder.server import RunningServer, serve_in_thread

REPO = Path(__file__).resolve().parents[2]
MUTATION_REPORT = pytest.StashKey[list[str]]()
"""Lines the mutation check leaves for the terminal summary."""
ACCOUNT = "123456789012"
# What a recipe needs on every supported model (botocore 1.40.41 requires components; later ones do not).
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]

# Environment that could point a subprocess at a real account or another endpoint: never passed on.
_DROPPED_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


@dataclass(frozen=True)
class SeenCall:
    """One Image Builder call the stand-in answered."""

    operation: str | None
    params: dict[str, Any]
    status: int
    answer: dict[str, Any]


class ObservedFake(FakeImageBuilder):
    """A fake that remembers every call it answers; ``on_call`` (if set) sees each one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: list[SeenCall] = []
        self.on_call: Callable[[SeenCall], None] | None = None
        self.rewrite: Callable[[SeenCall], HttpResponse | None] | None = None
        """If set, may replace the answer of a call the fake has already acted on (an answer lost on the way)."""
        self._seen_lock = threading.Lock()

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer, then note the call."""
        response = super().handle(request)
        if response.status == 501 and request.path.rstrip("/") == "/ListDistributionConfigurations":
            response = self._list_distribution_configurations()
        route, _ = routes().find(request.method, request.path)
        params: dict[str, Any] = dict(parse_qsl(request.query))
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if isinstance(body, dict):
            params.update(body)
        seen = SeenCall(route.operation.name if route else None, params, response.status, response.json())
        with self._seen_lock:
            self.calls.append(seen)
        if self.on_call is not None:
            self.on_call(seen)
        if self.rewrite is not None:
            response = self.rewrite(seen) or response
        return response

    def _list_distribution_configurations(self) -> HttpResponse:
        """What AWS answers (the sweep lists them) while the fake does not implement the operation: every
        configuration, on one page."""
        summaries = [
            {key: item[key] for key in ("arn", "name", "tags", "dateCreated") if key in item}
            for regions in self.state().values()
            for scope in regions.values()
            for item in scope.get("distributionConfigurations", [])
        ]
        body = json.dumps({"requestId": str(uuid.uuid4()), "distributionConfigurationSummaryList": summaries})
        return HttpResponse(200, {"Content-Type": "application/json"}, body.encode())

    def successful(self, operation: str) -> list[SeenCall]:
        """The calls of ``operation`` answered 200."""
        with self._seen_lock:
            return [c for c in self.calls if c.operation == operation and c.status == 200]

    def resources(self) -> dict[str, list[str]]:
        """ARNs of every resource the fake holds now, by kind."""
        found: dict[str, list[str]] = {}
        for regions in self.state().values():
            for scope in regions.values():
                for kind, items in scope.items():
                    if kind == "lifecycleExecutions":
                        continue  # runs of policies and state updates, not resources a run leaves behind
                    found.setdefault(kind, []).extend(item["arn"] for item in items)
        return found


@dataclass
class StandIn:
    """The stand-in for AWS: Image Builder (the fake's server) and STS (a stub), with their URLs."""

    server: RunningServer
    fake: ObservedFake
    sts_url: str
    sts: ThreadingHTTPServer
    sts_calls: list[str] = field(default_factory=list)

    def stop(self) -> None:
        """Stop both servers."""
        self.server.stop()
        self.sts.shutdown()
        self.sts.server_close()

    @property
    def url(self) -> str:
        """Image Builder's stand-in URL."""
        return self.server.url

    def aws_options(self, account: str = ACCOUNT) -> list[str]:
        """The suite options of a live run against this stand-in."""
        return [
            "--target=aws",
            f"--aws-account={account}",
            "--aws-region=us-east-1",
            f"--testing-aws-endpoint-url={self.url}",
            f"--testing-sts-endpoint-url={self.sts_url}",
        ]


def error_answer(status: int, code: str, message: str = "stand-in") -> HttpResponse:
    """An Image Builder error on the wire (what the fake itself would send for ``code``)."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body)


def _sts_handler(account: str, calls: list[str]) -> type[BaseHTTPRequestHandler]:
    class Sts(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            calls.append(body)
            if "Action=GetCallerIdentity" not in body:
                self.send_response(400)
                self.end_headers()
                return
            answer = (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/contract-kit</Arn>"
                f"<UserId>AIDACONTRACTKIT</UserId><Account>{account}</Account></GetCallerIdentityResult>"
                "<ResponseMetadata><RequestId>9d1c2a6e-0b36-4f61-9d6c-1c0a6f1d2e3f</RequestId></ResponseMetadata>"
                "</GetCallerIdentityResponse>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    return Sts


def start_standin(fake: ObservedFake | None = None) -> StandIn:
    """A stand-in for AWS (account 123456789012): ``fake`` (a new one by default) served, and an STS stub."""
    calls: list[str] = []
    sts = ThreadingHTTPServer(("127.0.0.1", 0), _sts_handler(ACCOUNT, calls))
    threading.Thread(target=sts.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    fake = fake if fake is not None else ObservedFake(account_id=ACCOUNT)
    return StandIn(serve_in_thread(fake), fake, f"http://127.0.0.1:{sts.server_address[1]}", sts, calls)


def suite_env(tmp_path: Path) -> dict[str, str]:
    """A hermetic environment for a suite subprocess: dummy credentials, no profile, no AWS config files."""
    # An xdist worker's variables would make the child suite believe it is a worker too (and take a
    # worker's share of the build budget), so they stay behind as well.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _DROPPED_ENV and not k.startswith(("AWS_ENDPOINT_URL", "PYTEST_XDIST_"))
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp_path / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONDONTWRITEBYTECODE="1",
        # The runs' examples (mutants' failures among them) stay out of the developer's .hypothesis/.
        HYPOTHESIS_STORAGE_DIRECTORY=str(tmp_path / "hypothesis"),
    )
    return env


@dataclass
class SuiteRun:
    """A finished subprocess run of pytest."""

    returncode: int
    output: str
    seconds: float


def suite_command(*args: str, quiet: bool = True) -> list[str]:
    """``python -m pytest`` with ``args`` (the whole of ``contract_tests`` unless they name its files), with the
    summary of every outcome, and the report header unless ``quiet``."""
    paths = [] if any(a.startswith("contract_tests/") for a in args) else ["contract_tests"]
    return [sys.executable, "-m", "pytest", *paths, *(["-q"] if quiet else []), "-rA", "-p", "no:cacheprovider", *args]


def run_suite(
    tmp_path: Path, *args: str, quiet: bool = True, env: dict[str, str] | None = None, timeout: float = 300
) -> SuiteRun:
    """Run the contract suite in a subprocess (from the repository root, ``env`` added) and wait for it."""
    started = time.monotonic()
    done = subprocess.run(
        suite_command(*args, quiet=quiet),
        cwd=REPO,
        env={**suite_env(tmp_path), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return SuiteRun(done.returncode, done.stdout + done.stderr, time.monotonic() - started)
