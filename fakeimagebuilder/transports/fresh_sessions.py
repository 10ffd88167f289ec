"""While a fake is active, fresh botocore sessions share what every fresh session would work out the same way.

The pytest fixtures hand every test fresh sessions on purpose (a client must
behave exactly like a fresh one), and almost all of what a fresh
``boto3.client("imagebuilder")`` costs is work whose answer is the same for
every session:

- Its data loader reads and decodes the JSON it needs again (the service
  model, endpoints, partitions, the endpoint ruleset): around 90% of it.
  While installed, the loader factory botocore's ``Session`` calls
  (``botocore.session.create_loader``, looked up when a session first needs
  its loader) makes a real, fresh :class:`botocore.loaders.Loader` (its own
  search paths from ``AWS_DATA_PATH`` and its own extras, which boto3 then
  extends as usual), whose memo (``Loader._cache``, filled by botocore's
  ``instance_cache``) is a view of one process-wide memo keyed also by the
  loader's search paths and extras types *at the time of each lookup*: a
  loader that looks in other places, or was given other paths afterwards,
  never gets what another read. What is shared is what botocore already
  shares between every client of one session: the decoded files, which
  botocore only reads.
- Registering its hundred-odd built-in event handlers checks each one's
  signature for ``**kwargs`` (``botocore.hooks.accepts_kwargs``, through
  ``inspect``): a quarter of what is left. While installed, the answer for a
  plain function (or a method of one) is remembered per function, as long as
  the function lives; any other callable is inspected every time, as before.
"""

from __future__ import annotations

import threading
import types
import weakref
from collections.abc import Callable
from typing import Any

import botocore.compat
import botocore.hooks
import botocore.session
from botocore.loaders import Loader

__all__ = ["install", "uninstall"]

_lock = threading.Lock()
_read: dict[tuple[Any, ...], Any] = {}
_original_loader: Callable[..., Loader] | None = None
_original_accepts: Callable[[Any], Any] | None = None
_accepts: weakref.WeakKeyDictionary[types.FunctionType, Any] = weakref.WeakKeyDictionary()


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
    create = _original_loader or botocore.loaders.create_loader
    loader = create(search_path_string)
    if type(loader) is Loader:  # anything else (a subclass someone installed) keeps its own memo
        loader._cache = _SharedMemo(loader)  # type: ignore[assignment]
    return loader


def _accepts_kwargs(func: Any) -> Any:
    inspect_it = _original_accepts or botocore.compat.accepts_kwargs
    function = func.__func__ if type(func) is types.MethodType else func
    if type(function) is not types.FunctionType:
        return inspect_it(func)
    try:
        return _accepts[function]
    except KeyError:
        found = _accepts[function] = inspect_it(func)
        return found


def install() -> None:
    """Sessions made from now on share the memos (idempotent)."""
    global _original_loader, _original_accepts
    with _lock:
        if botocore.session.create_loader is not _create_loader:
            _original_loader = botocore.session.create_loader
            botocore.session.create_loader = _create_loader
        if botocore.hooks.accepts_kwargs is not _accepts_kwargs:
            _original_accepts = botocore.hooks.accepts_kwargs
            botocore.hooks.accepts_kwargs = _accepts_kwargs


def uninstall() -> None:
    """Put botocore's own back, unless someone replaced ours meanwhile (then theirs stays)."""
    global _original_loader, _original_accepts
    with _lock:
        if _original_loader is not None and botocore.session.create_loader is _create_loader:
            botocore.session.create_loader = _original_loader
        if _original_accepts is not None and botocore.hooks.accepts_kwargs is _accepts_kwargs:
            botocore.hooks.accepts_kwargs = _original_accepts
        _original_loader = _original_accepts = None
