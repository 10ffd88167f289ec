"""README's "Using it with moto" section stays true: its examples pass, with the plugin's fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_using_it_with_moto_examples_pass(pytester: pytest.Pytester):
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Using it with moto\n")
    section = text[start : text.index("\n## ", start + 1)]
    source = "\n\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    tests = re.findall(r"^def (test_\w+)", source, re.M)
    assert len(tests) == 3
    pytester.makepyfile(test_readme_moto=source)

    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=len(tests))


def test_events_examples_pass(pytester: pytest.Pytester):
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Events\n")
    section = text[start : text.index("\n## ", start + 1)]
    source = "\n\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    tests = re.findall(r"^def (test_\w+)", source, re.M)
    assert len(tests) == 2
    pytester.makepyfile(test_readme_events=source)

    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=len(tests))
