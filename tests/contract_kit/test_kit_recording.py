"""Recorded fixtures: scrubbing keeps identity and hides the run; replays compare by identity, and catch changes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from kit_standin import ACCOUNT, StandIn, run_suite

from contract_tests.recording import Bindings, Scrubber, match

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
