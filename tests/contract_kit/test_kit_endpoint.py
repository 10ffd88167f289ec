"""The endpoint target: the suite against a running server, with control routes, without them, and under xdist."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import boto3
import botocore
import pytest
from kit_standin import COMPONENTS, ObservedFake, run_suite

from fakeimagebuilder import FakeImageBuilder, ScaledClock
from fakeimagebuilder.model import service_model
from fakeimagebuilder.server import RunningServer, make_app, serve_in_thread


def test_suite_passes_against_a_server(tmp_path: Path) -> None:
    """``pytest contract_tests --target endpoint --endpoint-url URL`` passes, with the fake profile's budget."""
    report = tmp_path / "ledger.json"
    with serve_in_thread() as server:
        run = run_suite(tmp_path, "--target=endpoint", f"--endpoint-url={server.url}", f"--ledger-report={report}")
        assert run.returncode == 0, run.output
        leftovers = [arn for kind in ObservedFake.resources(server.fake).values() for arn in kind]  # type: ignore[arg-type]
    assert "[endpoint]" in run.output
    document = json.loads(report.read_text())
    assert document["meta"]["hypothesis profile"] == "fake"
    assert document["meta"]["stateful steps"] >= 1000
    results = {row["id"]: row["result"] for row in document["rows"]}
    assert "refuted" not in results.values()
    assert {"idempotent-replay", "build-numbers", "lifecycle-order", "last-run-status"} <= {
        row for row, result in results.items() if result == "held"
    }
    # A shared server is left as it was found: only the run's shared infrastructure configuration would remain
    # if cleanup failed; nothing does.
    assert leftovers == []


@pytest.mark.parametrize(
    ("guard", "suite_options"),
    [({"control_token": "s3cret"}, ["--control-token=s3cret"]), ({"secrets": {"testing": "testing"}}, [])],
    ids=["control-token", "verify-signatures"],
)
def test_suite_moves_the_clock_of_a_server_that_guards_its_control_routes(
    tmp_path: Path, guard: dict[str, Any], suite_options: list[str]
) -> None:
    """A server started with --control-token, or with --verify-signatures and the suite's credential: the suite
    authenticates its control requests (the token as a Bearer credential, else SigV4 with its own key), so its
    waits move the server's clock and the builds run to AVAILABLE."""
    with serve_in_thread(**guard) as server:
        started_at = server.fake.clock.now()
        run = run_suite(
            tmp_path,
            "--target=endpoint",
            f"--endpoint-url={server.url}",
            *suite_options,
            "contract_tests/test_scenarios.py",
            "-k",
            "available or approval",
        )
        moved = server.fake.clock.now() - started_at
    assert run.returncode == 0, run.output
    assert "PASSED contract_tests/test_scenarios.py::test_build_runs_to_available[endpoint]" in run.output
    assert "PASSED contract_tests/test_scenarios.py::test_an_approval_step_holds_the_build_until_resumed" in run.output
    assert moved >= 3600  # the approval scenario alone lets an hour pass


def _other_team_waits_at_approval(server: RunningServer, builds: int) -> None:
    """Another user of a shared server (the same account) with ``builds`` builds waiting at a WaitForAction step."""
    client = boto3.client(
        "imagebuilder",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id="other-team",
        aws_secret_access_key="other-team",
    )
    workflow = client.create_workflow(
        name="their-approval",
        semanticVersion="1.0.0",
        type="TEST",
        data="name: approval\nschemaVersion: 1.0\nsteps:\n  - name: Wait\n    action: WaitForAction\n",
    )["workflowBuildVersionArn"]
    recipe = client.create_image_recipe(
        name="their-recipe",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
        components=COMPONENTS,
    )["imageRecipeArn"]
    infrastructure = client.create_infrastructure_configuration(name="their-infra", instanceProfileName="theirs")
    pipeline = client.create_image_pipeline(
        name="their-pipeline",
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infrastructure["infrastructureConfigurationArn"],
        workflows=[{"workflowArn": workflow}],
        executionRole="arn:aws:iam::123456789012:role/theirs",
    )["imagePipelineArn"]
    for _ in range(builds):
        client.start_image_pipeline_execution(imagePipelineArn=pipeline)
    server.fake.advance(7200)
    first = client.list_waiting_workflow_steps()  # a page of 25 (botocore 1.40.41's maxResults allows no more)
    assert (len(first["steps"]), "nextToken" in first) == (min(builds, 25), builds > 25)


def test_the_approval_scenario_finds_its_step_among_other_teams_on_a_shared_server(tmp_path: Path) -> None:
    """A shared server where another user has a full first page (25) of waiting steps: the scenario reads every
    page of ListWaitingWorkflowSteps (the account's list) and picks out its own build's step."""
    with serve_in_thread() as server:
        _other_team_waits_at_approval(server, 25)
        run = run_suite(
            tmp_path,
            "--target=endpoint",
            f"--endpoint-url={server.url}",
            "contract_tests/test_scenarios.py",
            "-k",
            "approval",
        )
    assert run.returncode == 0, run.output
    assert "PASSED contract_tests/test_scenarios.py::test_an_approval_step_holds_the_build_until_resumed" in run.output


_CREATE_RECIPE_X = re.compile(r"^(?:[0-9]+|x)\.(?:[0-9]+|x)\.(?:[0-9]+|x)$")


def _as_a_newer_model(app: Any) -> Any:
    """The fake's server as one on a newer model than the installed botocore's would answer (botocore 1.44's
    relaxed two of 1.40.41's limits): a clientToken longer than the installed model allows is taken (cut to
    that length before the fake sees it), and where the installed semanticVersion pattern has no x, a recipe
    version with one x is taken (made 0)."""
    model = service_model()
    token_max = model.shape_for("ClientToken").metadata["max"]
    version = model.operation_model("CreateImageRecipe").input_shape.members["semanticVersion"]
    x_refused = re.search(version.metadata["pattern"], "1.0.x") is None

    def newer(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path in ("/StartImagePipelineExecution", "/CreateImageRecipe"):
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
            if len(body.get("clientToken", "")) > token_max:
                body["clientToken"] = body["clientToken"][:token_max]
            if x_refused and _CREATE_RECIPE_X.match(body.get("semanticVersion", "")):
                body["semanticVersion"] = body["semanticVersion"].replace("x", "0")
            data = json.dumps(body).encode()
            environ = {**environ, "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data))}
        return app(environ, start_response)

    return newer


def test_what_only_the_installed_model_refuses_is_set_aside_on_a_target_that_takes_it(tmp_path: Path) -> None:
    """A server on a newer model takes values the installed model refuses (a longer clientToken; on botocore
    1.40.41 an x in a recipe version): those checks are set aside, with a warning and a line in the ledger report
    naming the botocore, rather than failed and the fake's ledger rows refuted."""
    report = tmp_path / "ledger.json"
    server = make_server("127.0.0.1", 0, _as_a_newer_model(make_app(FakeImageBuilder())), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        run = run_suite(
            tmp_path,
            "--target=endpoint",
            f"--endpoint-url=http://127.0.0.1:{server.server_port}",
            f"--ledger-report={report}",
            "--hypothesis-seed=1",
            "contract_tests/test_inputs.py",
            "contract_tests/test_resources.py",
            "-k",
            "test_invalid_requests or test_one_x_in_a_recipe",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 0, run.output
    token_max = service_model().shape_for("ClientToken").metadata["max"]
    taken = (
        f"the endpoint target took a request whose clientToken is longer than {token_max} characters, which the "
        f"installed model (botocore {botocore.__version__}) refuses: it serves a newer model"
    )
    assert taken in run.output
    rows = {row["id"]: row for row in json.loads(report.read_text())["rows"]}
    assert rows["validation-code"]["result"] == "held"  # the other rules, and no build but those taken
    assert rows["validation-code"]["checks_set_aside"] >= 1
    assert rows["validation-code"]["first_set_aside"].startswith("the endpoint target took a request whose")
    wildcards = rows["recipe-version-wildcards"]
    if "x" in service_model().operation_model("CreateImageRecipe").input_shape.members["semanticVersion"].metadata[
        "pattern"
    ]:
        assert wildcards["result"] == "held"
    else:  # botocore 1.40.41: the recipe with an x was taken
        assert (wildcards["result"], wildcards["checks_set_aside"]) == ("not checked", 1)
        assert "SKIPPED" in run.output and "took semanticVersion 1.0.x (its pattern has no x)" in run.output


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""


@pytest.fixture
def server_without_control_routes() -> Iterator[tuple[str, list[str]]]:
    """A server speaking Image Builder with no ``/_fake/`` routes; its clock runs on its own (400x)."""
    app = make_app(FakeImageBuilder(clock=ScaledClock(speed=400)))
    refused: list[str] = []

    def no_control(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"].startswith("/_fake/"):
            refused.append(environ["PATH_INFO"])
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, no_control, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", refused
    finally:
        server.shutdown()
        server.server_close()


def test_suite_polls_a_server_without_control_routes(
    server_without_control_routes: tuple[str, list[str]], tmp_path: Path
) -> None:
    """Without ``/_fake/`` routes the suite waits by polling, as it does on AWS; scenarios and fixtures pass."""
    url, refused = server_without_control_routes
    run = run_suite(
        tmp_path,
        "--target=endpoint",
        f"--endpoint-url={url}",
        "--wait-timeout=30",
        "contract_tests/test_scenarios.py",
        "contract_tests/test_fixtures.py",
        "-k",
        "available or cancel or fixture",
    )
    assert run.returncode == 0, run.output
    assert "PASSED contract_tests/test_scenarios.py::test_build_runs_to_available[endpoint]" in run.output
    assert "PASSED contract_tests/test_fixtures.py::test_fixture_replays[endpoint-documented/get-image]" in run.output
    # Nothing skipped but for the model: a scenario of an operation the installed botocore lacks (1.40.41).
    assert [line for line in run.output.splitlines() if "SKIPPED" in line and "installed botocore" not in line] == []
    # Asked before any test (the run's start check) and as the target opens, then never again.
    assert refused == ["/_fake/health", "/_fake/health"]


def test_xdist_workers_share_an_endpoint_without_collisions(tmp_path: Path) -> None:
    """Two xdist workers on one server: names unique per worker, no collision, one ledger report from both.

    Tests that move the shared clock (waits) are left out: on one server both
    workers share one clock, so a wait in one would age the other's builds.
    """
    report = tmp_path / "ledger.json"
    fake = ObservedFake()
    with serve_in_thread(fake) as server:
        run = run_suite(
            tmp_path,
            "--target=endpoint",
            f"--endpoint-url={server.url}",
            f"--ledger-report={report}",
            "-n",
            "2",
            "-m",
            "not completes_builds",
            "contract_tests/test_scenarios.py",
            "contract_tests/test_inputs.py",
        )
    assert run.returncode == 0, run.output
    # Every Create names what it makes, except CreateImage (its build is named by its recipe).
    creates = [c for c in fake.calls if c.operation and c.operation.startswith("Create")]
    names = {c.params["name"] for c in creates if "name" in c.params}
    assert any("-gw0-" in n for n in names) and any("-gw1-" in n for n in names), names
    assert not [c for c in fake.calls if c.answer.get("message", "").startswith("The following resource")]
    document = json.loads(report.read_text())
    tests = {test for row in document["rows"] for test in row["tests"]}
    assert any("test_scenarios.py" in t for t in tests) and any("test_inputs.py" in t for t in tests)
