"""pytest plugin: Image Builder fakes as fixtures, loaded through the ``pytest11`` entry point."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake import FakeImageBuilder

__all__ = ["imagebuilder_fake"]


@pytest.fixture
def imagebuilder_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeImageBuilder]:
    """An active :class:`FakeImageBuilder` with fresh state, and dummy AWS credentials for the test."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with FakeImageBuilder() as fake:
        yield fake
