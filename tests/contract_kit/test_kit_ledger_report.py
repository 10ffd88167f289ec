"""The ledger report's counts: a check set aside (the target took what only the installed model refuses) is
neither held nor failed, survives the hand-over from xdist workers, and is listed with what it means."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contract_tests import ledger_report
from contract_tests.ledger_report import ModelDifference, Tally, verifies, write_report

TAKEN = "the aws target took semanticVersion 1.0.x (its pattern has no x), which the installed model refuses"


def test_a_set_aside_check_neither_holds_nor_refutes_its_row(tmp_path: Path) -> None:
    worker = Tally()
    worker.set_aside("recipe-version-wildcards", "test_x", TAKEN)
    worker.set_aside("validation-code", "test_y", "the aws target took a request whose clientToken is too long")
    worker.record("validation-code", "test_y", True)
    controller = Tally()
    controller.merge(worker.dump())

    rows = {row["id"]: row for row in controller.rows()}
    wildcards, validation = rows["recipe-version-wildcards"], rows["validation-code"]
    assert (wildcards["result"], wildcards["checks_set_aside"], wildcards["first_set_aside"]) == (
        "not checked",
        1,
        TAKEN,
    )
    assert (validation["result"], validation["checks_held"], validation["checks_set_aside"]) == ("held", 1, 1)

    write_report(tmp_path / "report.md", {"target": "aws", "botocore": "1.40.41"}, controller)
    text = (tmp_path / "report.md").read_text()
    assert "Checks set aside: the target took a value only the installed model (botocore 1.40.41) refuses" in text
    assert f"- recipe-version-wildcards (1): {TAKEN}" in text
    write_report(tmp_path / "report.json", {"target": "aws"}, controller)
    document = json.loads((tmp_path / "report.json").read_text())
    assert {row["id"]: row["checks_set_aside"] for row in document["rows"] if row["checks_set_aside"]} == {
        "recipe-version-wildcards": 1,
        "validation-code": 1,
    }


def test_verifies_sets_a_model_difference_aside_and_passes_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tally of its own: the process's one feeds the summary of a session that runs contract_tests too.
    monkeypatch.setattr(ledger_report, "tally", Tally())
    with pytest.raises(ModelDifference), verifies("recipe-version-wildcards"):
        raise ModelDifference(TAKEN)
    aside = {row["id"]: (row["checks_set_aside"], row["result"]) for row in ledger_report.tally.rows()}
    assert {row: seen for row, seen in aside.items() if seen[0]} == {"recipe-version-wildcards": (1, "not checked")}
