"""List filters: ``[{"name": member, "values": [...]}, ...]``, all of which an item must pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import InvalidRequestException

__all__ = ["passes", "refuse_by_name_with_version", "unsupported_filter"]


def unsupported_filter(name: object, allowed: Iterable[str]) -> InvalidRequestException:
    """The refusal of a filter ``name`` that is not one of ``allowed``; None is a filter sent without a name."""
    names = ", ".join(allowed)
    if name is None:
        # The model does not require Filter.name: a filter without one is refused as naming nothing.
        return InvalidRequestException(f"A filter must have a name; use one of: {names}.")
    return InvalidRequestException(f"The filter name '{name}' is not supported; use one of: {names}.")


def _matches(value: Any, values: set[str]) -> bool:
    # A list member (a component's supported OS versions) passes when one of its entries does.
    if isinstance(value, list):
        return any(str(v) in values for v in value)
    return str(value) in values


def passes(filters: list[dict[str, Any]], allowed: tuple[str, ...]) -> Callable[[dict[str, Any]], bool]:
    """A test of whether an item passes every filter: its member (or an entry of it) equals one of the values.

    Filter names are checked once, up front, so a bad name is refused
    whatever the account holds; an item without the member passes no filter on it.
    """
    for f in filters:
        if f.get("name") not in allowed:
            raise unsupported_filter(f.get("name"), allowed)
    wanted = [(f["name"], {str(v) for v in f.get("values") or ()}) for f in filters]

    def test(item: dict[str, Any]) -> bool:
        return all(name in item and _matches(item[name], values) for name, values in wanted)

    return test


def refuse_by_name_with_version(params: dict[str, Any]) -> None:
    """Refuse ``byName`` together with a ``version`` filter (InvalidRequestException).

    The byName docs of ListComponents, ListWorkflows and ListImages (botocore
    1.44): "You can't combine this option with the version filter." The
    code is assumed: the one each of them models for a bad request.
    """
    if params.get("byName") and any(f.get("name") == "version" for f in params.get("filters") or ()):
        raise InvalidRequestException("You can't combine byName with the 'version' filter.")
