"""Recorded fixtures: scrubbing keeps identity and hides the run; replays compare by identity, and catch changes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from kit_standin import ACCOUNT, StandIn, run_suite

from contract_tests.recording import Bindings, FixtureError, Scrubber, load_fixture, match

TOKEN = "0f8fad5b-d9cb-469f-a165-70867728950e"
REQUEST = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


BUILD = f"arn:aws:imagebuilder:eu-west-1:{ACCOUNT}:image/fibct-1234abcd-main-recipe-1/1.0.0/1"


def _scrubber() -> Scrubber:
    return Scrubber(ACCOUNT, "eu-west-1", "1234abcd", lambda: ["fibct-1234abcd-main-recipe-1"])


def test_scrubbing_replaces_every_volatile_value_and_keeps_identity() -> None:
    """Account, region, run id, names, UUIDs, dates, AMIs and tokens become placeholders; equal stays equal."""
    scrub = _scrubber()
    step = scrub.value(
        {
            "params": {"clientToken": TOKEN, "nextToken": "opaque", "name": "fibct-1234abcd-main-recipe-1"},
            "body": {
                "requestId": REQUEST,
                "clientToken": TOKEN,
                "imageBuildVersionArn": BUILD,
                "dateCreated": "2026-09-03T05:44:21.121Z",
                "ami": "ami-0123456789abcdef0",
                "tags": {"fakeimagebuilder:contract-run": "1234abcd"},
            },
        }
    )
    text = json.dumps(step)
    for secret in (ACCOUNT, "eu-west-1", "1234abcd", TOKEN, REQUEST, "2026-09-03", "ami-0123"):
        assert secret not in text
    assert step["params"]["clientToken"] == step["body"]["clientToken"] == "<uuid:1>"
    assert step["body"]["requestId"] == "<uuid:2>"
    assert step["params"]["nextToken"] == "<token:1>"
    assert step["body"]["imageBuildVersionArn"] == "arn:aws:imagebuilder:<region>:<account>:image/<name:1>/1.0.0/1"
    assert (step["body"]["dateCreated"], step["body"]["ami"]) == ("<date>", "<ami:1>")
    assert step["body"]["tags"] == {"fakeimagebuilder:contract-run": "<run>"}


def test_placeholders_bind_once_and_one_to_one() -> None:
    """A placeholder binds to the first value it meets; another placeholder cannot take the same value."""
    bindings = Bindings()
    assert bindings.match_text("<uuid:1>", REQUEST) is None
    assert bindings.match_text("<uuid:1>", REQUEST) is None
    assert "does not match" in (bindings.match_text("<uuid:1>", TOKEN) or "")
    # A replay must get a fresh request id: the same id for a new placeholder is a difference.
    assert "already stands for" in (bindings.match_text("<uuid:2>", REQUEST) or "")
    assert bindings.match_text("x/<name:1>/y/<name:1>", "x/web/y/web") is None
    assert bindings.match_text("x/<name:2>/y/<name:2>", "x/a/y/b") is not None
    assert bindings.match_text("<date>", "2026-09-03T05:44:21.121Z") is None


def test_match_reports_each_difference_exactly_or_on_a_subset() -> None:
    """Exact comparison names missing and extra members; subset comparison ignores the extra ones."""
    expected = {"image": {"state": {"status": "BUILDING"}, "tags": {}}}
    actual = {"image": {"state": {"status": "TESTING"}, "tags": {}, "platform": "Linux"}}
    problems = match(expected, actual, Bindings())
    assert any("not in the fixture: ['platform']" in p for p in problems)
    assert any("$.image.state.status" in p and "TESTING" in p for p in problems)
    assert (
        match(expected, {"image": {"state": {"status": "BUILDING"}, "tags": {}, "x": 1}}, Bindings(), subset=True) == []
    )
    assert match([1, 2], [1], Bindings()) == ["$: expected 2 items, got [1]"]


def test_recordings_from_a_live_run_replay_on_the_fake(standin: StandIn, tmp_path: Path) -> None:
    """``--record`` on the aws target (a stand-in) writes scrubbed fixtures that replay on the fake; a changed
    fixture fails the replay."""
    fixtures = tmp_path / "fixtures"
    recorded = run_suite(
        tmp_path, *standin.aws_options(), "--max-builds=20", "--record", f"--fixtures-dir={fixtures}", "-m", "scenario"
    )
    assert recorded.returncode == 0, recorded.output
    files = sorted((fixtures / "recorded").glob("*.json"))
    assert len(files) >= 8
    run_ids = {
        re.sub(r"^fibct-([0-9a-f]+)-.*", r"\1", c.params["name"]) for c in standin.fake.calls if "name" in c.params
    }
    for path in files:
        text = path.read_text()
        document = json.loads(text)
        assert document["provenance"] == "recorded" and document["recorded"]["target"] == "aws"
        assert ACCOUNT not in text and "us-east-1" not in text and "fibct-" not in text
        assert not [run_id for run_id in run_ids if run_id in text]
    guarded = json.loads((fixtures / "recorded" / "test_replay_returns_the_same_build.json").read_text())
    assert [s["call"] for s in guarded["steps"] if s.get("by") == "guard"] == ["CancelImageCreation"]

    replayed = run_suite(tmp_path, f"--fixtures-dir={fixtures}", "contract_tests/test_fixtures.py")
    assert replayed.returncode == 0, replayed.output
    assert replayed.output.count("PASSED") == len(files)

    changed = tmp_path / "changed"
    shutil.copytree(fixtures, changed)
    target = changed / "recorded" / "test_start_answers_token_and_build_arn.json"
    target.write_text(target.read_text().replace("/1.0.0/1", "/1.0.0/2"))
    differs = run_suite(tmp_path, f"--fixtures-dir={changed}", "contract_tests/test_fixtures.py")
    assert differs.returncode == pytest.ExitCode.TESTS_FAILED
    assert "test_start_answers_token_and_build_arn.json (recorded)" in differs.output


def test_record_is_refused_off_aws(tmp_path: Path) -> None:
    """Recording makes sense only against AWS; elsewhere the fixtures are replayed."""
    run = run_suite(tmp_path, "--record")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--record records real AWS" in run.output


_START = {
    "call": "StartImagePipelineExecution",
    "params": {"imagePipelineArn": "arn:aws:imagebuilder:<region>:<account>:image-pipeline/<name:2>"},
    "response": {"status": 200, "body": {"clientToken": "<uuid:2>"}},
}
_GIVEN = {"given": "pipeline", "recipe": "<name:1>", "pipeline": "<name:2>"}


def _fixture(tmp_path: Path, steps: list[object]) -> Path:
    path = tmp_path / "mine" / "broken.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": 1, "name": "broken", "provenance": "documented", "steps": steps}))
    return path


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (
            {"cal": "StartImagePipelineExecution", "params": {}, "response": {"status": 200, "body": {}}},
            "step 2 has no 'call', 'given' or 'wait' (its members: 'cal', 'params', 'response'); "
            "unknown member 'cal' (did you mean 'call'?)",
        ),
        ({**_START, "wait": {}}, "step 2 names 'call' and 'wait' (its members: 'call', 'params', 'response', 'wait')"),
        ({**_START, "parms": {}}, "step 2 (call) has an unknown member 'parms' (did you mean 'params'?)"),
        ({"call": "GetImage", "params": {}}, "step 2 (call) lacks 'response'"),
        (
            {**_START, "response": {"status": 200}},
            "step 2 (call) needs a response with 'status' and one of 'body' and 'error'",
        ),
        (
            {**_START, "response": {"status": 200, "body": {}, "mesagePattern": "x"}},
            "step 2 (call) has in its response an unknown member 'mesagePattern' (did you mean 'messagePattern'?)",
        ),
        ({**_START, "match": "superset"}, "step 2 (call) has match 'superset'; only 'subset' is known"),
        ({**_GIVEN, "given": "recipe"}, "step 2 (given) gives 'recipe'; only 'pipeline' is known"),
        ({"wait": {"status": "AVAILABLE"}}, "step 2 (wait) needs {'imageBuildVersionArn': ..., 'status': ...}"),
        (["call"], "step 2 is not an object: ['call']"),
    ],
)
def test_a_fixture_that_cannot_be_replayed_is_named_with_its_step(tmp_path: Path, step: object, problem: str) -> None:
    """load_fixture checks every step before anything is sent: the error names the file, the step and the member."""
    path = _fixture(tmp_path, [_GIVEN, step])
    with pytest.raises(FixtureError) as refused:
        load_fixture(path)
    assert str(refused.value) == f"{path}: {problem}"


def test_a_misspelt_step_fails_its_replay_with_one_line(tmp_path: Path) -> None:
    """Not a bare KeyError: 'call' from deep in the replay, but the file, the step and the member."""
    good = {**_START, "response": {"status": 200, "body": {}}}
    misspelt = {("cal" if key == "call" else key): value for key, value in good.items()}
    path = _fixture(tmp_path, [_GIVEN, misspelt])
    run = run_suite(tmp_path, f"--fixtures-dir={tmp_path}", "contract_tests/test_fixtures.py")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.output
    assert "KeyError" not in run.output and "Traceback" not in run.output, run.output
    assert "FAILED contract_tests/test_fixtures.py::test_fixture_replays[fake-mine/broken]" in run.output
    assert (
        f"{path}: step 2 has no 'call', 'given' or 'wait' (its members: 'cal', 'params', 'response'); "
        "unknown member 'cal' (did you mean 'call'?)"
    ) in run.output.splitlines(), run.output


@pytest.mark.parametrize("made", [True, False], ids=["empty", "missing"])
def test_a_fixtures_dir_with_nothing_to_replay_is_one_line_before_any_test(tmp_path: Path, made: bool) -> None:
    fixtures = tmp_path / "fixtures"
    if made:
        fixtures.mkdir()
    run = run_suite(tmp_path, f"--fixtures-dir={fixtures}")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output
    state = "holds no fixture (*/*.json)" if made else "does not exist"
    errors = [line for line in run.output.splitlines() if line.startswith("ERROR")]
    assert errors == [f"ERROR: --fixtures-dir {fixtures} {state}: nothing to replay"], run.output
    assert "Traceback" not in run.output and "PASSED" not in run.output, run.output


def test_a_fixtures_dir_with_nothing_to_replay_is_no_matter_when_the_replays_are_left_out(tmp_path: Path) -> None:
    run = run_suite(tmp_path, f"--fixtures-dir={tmp_path}", "contract_tests/test_fixtures.py", "-k", "not replays")
    assert run.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, run.output
    run = run_suite(tmp_path, f"--fixtures-dir={tmp_path}", "contract_tests/test_scenarios.py", "-k", "replay")
    assert run.returncode == pytest.ExitCode.OK, run.output


def test_under_xdist_a_fixtures_dir_with_nothing_to_replay_fails_the_replay_with_that_line(tmp_path: Path) -> None:
    run = run_suite(tmp_path, f"--fixtures-dir={tmp_path}", "-n", "2", "contract_tests/test_fixtures.py")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.output
    assert "FAILED contract_tests/test_fixtures.py::test_fixture_replays[fake-no-fixtures]" in run.output
    line = f"--fixtures-dir {tmp_path} holds no fixture (*/*.json): nothing to replay"
    assert line in run.output.splitlines(), run.output
