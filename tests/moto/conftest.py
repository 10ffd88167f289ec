"""The moto tests' fixture: a test leaves everything either side patches as it found it.

These tests need moto (``pip install -e ".[test]"`` brings it; the ``moto``
extra names the versions supported), except ``test_without_moto.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import moto  # noqa: F401  (loaded before any snapshot: its import registers its stubber once and for all)
import pytest
from both_sides import patched_state


@pytest.fixture
def untouched(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test leaves botocore, requests, boto3 and the environment exactly as it found them."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    before = patched_state()
    yield
    assert patched_state() == before
