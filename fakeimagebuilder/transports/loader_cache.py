"""botocore sessions made while a fake is active share what their data loaders have read from disk.

Almost all of what a fresh botocore session costs is its loader reading and
decoding the JSON it needs again (the service model, endpoints, partitions,
the endpoint ruleset): around 90% of a fresh ``boto3.client("imagebuilder")``.
The pytest fixtures hand every test fresh sessions on purpose (a client must
behave exactly like a fresh one), so every test paid for that read.

While installed, the loader factory botocore's ``Session`` calls
(``botocore.session.create_loader``, looked up when a session first needs
its loader) makes a real, fresh :class:`botocore.loaders.Loader` (its own
search paths from ``AWS_DATA_PATH`` and its own extras, which boto3 then
extends as usual), whose memo (``Loader._cache``, filled by botocore's
``instance_cache``) is a view of one process-wide memo keyed also by the
loader's search paths and extras types *at the time of each lookup*: a
loader that looks in other places, or was given other paths afterwards, never
gets what another read. What is shared is what botocore already shares
between every client of one session: the decoded files, which botocore only
reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.loaders import Loader

__all__ = ["install", "uninstall"]

_lock = threading.Lock()
_read: dict[tuple[Any, ...], Any] = {}
_original: Callable[..., Loader] | None = None


class _SharedMemo:
    """A loader's ``_cache``: the process-wide memo, for what this loader's search paths and extras find."""

    __slots__ = ("_loader",)

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def _key(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        loader = self._loader
        return (tuple(loader.search_paths), tuple(loader.extras_types), key)

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        return self._key(key) in _read

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        return _read[self._key(key)]

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        _read[self._key(key)] = value


def _create_loader(search_path_string: str | None = None) -> Loader:
    create = _original or botocore.loaders.create_loader
    loader = create(search_path_string)
    if type(loader) is Loader:  # anything else (a subclass someone installed) keeps its own memo
        loader._cache = _SharedMemo(loader)  # type: ignore[assignment]
    return loader


def install() -> None:
    """Sessions whose loader is made from now on share the memo (idempotent)."""
    global _original
    with _lock:
        if botocore.session.create_loader is not _create_loader:
            _original = botocore.session.create_loader
            botocore.session.create_loader = _create_loader


def uninstall() -> None:
    """Put botocore's factory back, unless someone replaced ours meanwhile (then theirs stays)."""
    global _original
    with _lock:
        if _original is not None and botocore.session.create_loader is _create_loader:
            botocore.session.create_loader = _original
        _original = None
