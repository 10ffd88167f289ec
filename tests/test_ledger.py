"""The behaviour ledger: README shows exactly its table, and every test it names exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fakeimagebuilder.ledger import LEDGER, markdown_table, with_readme_blocks

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- ledger:start -->\n", "<!-- ledger:end -->"


def _defined_tests(path: Path) -> set[str]:
    """``name`` and ``Class::name`` of every test function the file defines (read with ast, not imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            found |= {
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test")
            }
    return found


def test_readme_shows_the_ledger_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1
    block = readme[readme.index(START) + len(START) : readme.index(END)]

    assert block == markdown_table(), "regenerate README's blocks with: python -m fakeimagebuilder readme"


def test_regenerating_the_readme_changes_nothing():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_readme_blocks(readme) == readme, "regenerate README's blocks with: python -m fakeimagebuilder readme"


def test_regenerating_rewrites_only_the_blocks():
    stale = (
        "intro\n<!-- ledger:start -->\nSTALE\n<!-- ledger:end -->\n"
        "middle\n<!-- differences:start -->\nSTALE<!-- differences:end -->\nend\n"
    )
    fresh = with_readme_blocks(stale)
    assert fresh.startswith("intro\n<!-- ledger:start -->\n| id |")
    assert "\nmiddle\n" in fresh and fresh.endswith("<!-- differences:end -->\nend\n")
    assert "STALE" not in fresh
    with pytest.raises(ValueError, match="differences"):
        with_readme_blocks("<!-- ledger:start -->\n<!-- ledger:end -->")


def test_rows_have_unique_ids_and_a_known_provenance():
    ids = [row.id for row in LEDGER]
    assert len(ids) == len(set(ids))
    assert {row.provenance for row in LEDGER} <= {"confirmed", "likely", "assumed"}
    assert all(row.behaviour and row.source for row in LEDGER)


@pytest.mark.parametrize("row", LEDGER, ids=[row.id for row in LEDGER])
def test_every_row_names_a_test_that_exists(row):
    file_name, _, test_id = row.test.partition("::")
    test_name = test_id.split("[", 1)[0]  # a row may name one parametrized case
    path = ROOT / file_name

    assert test_name, f"{row.id}: {row.test!r} names no test function"
    assert path.is_file(), f"{row.id}: {file_name} does not exist"
    assert test_name in _defined_tests(path), f"{row.id}: {file_name} defines no {test_name}"
