"""README's plugin sections stay true: the examples run, and the differences list is the ledger's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fakeimagebuilder.ledger import LEDGER, differences_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_differences_section_is_the_ledger_s_output():
    section = _section("Differences from AWS")
    block = re.search(r"<!-- differences:start -->\n(.*)<!-- differences:end -->", section, re.S)

    assert block, "README's Differences from AWS section lost its generated block"
    assert block.group(1) == differences_markdown(), "regenerate it: python -m fakeimagebuilder differences"


def test_differences_list_every_unconfirmed_row_and_no_other():
    listed = re.findall(r"^- \*\*([a-z0-9-]+)\*\*", differences_markdown(), re.M)

    assert listed == [r.id for r in LEDGER if r.provenance == "assumed"] + [
        r.id for r in LEDGER if r.provenance == "likely"
    ]


def test_use_it_in_your_tests_examples_pass(pytester: pytest.Pytester):
    blocks = re.findall(r"```python\n(.*?)```", _section("Use it in your tests"), re.S)
    source = "\n\n".join(blocks)
    tests = re.findall(r"^def (test_\w+)", source, re.M)
    assert len(tests) >= 8
    pytester.makepyfile(test_readme_examples=source)

    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=len(tests))


@pytest.mark.parametrize("title", ["Schedules", "CreateImage"])
def test_python_subsection_examples_run(aws_env: None, title: str):
    section = _section("Use it from Python")
    start = section.index(f"\n### {title}\n")
    end = section.find("\n### ", start + 1)
    blocks = re.findall(r"```python\n(.*?)```", section[start : end if end != -1 else len(section)], re.S)

    assert blocks, f"README's {title} section lost its example"
    for block in blocks:
        exec(compile(block, f"README.md ({title})", "exec"), {})
