"""Semantic versions as Image Builder reads them: ``major.minor.patch``, wildcards, build numbers.

AWS's user guide, "Semantic versioning in Image Builder": each of the first
three nodes is an integer from 0 to 2^30-1; a wildcard ``x`` selects the
highest version (with 2.2.4, 1.7.8 and 1.6.8: ``x.x.x`` = 2.2.4, ``1.x.x`` =
1.7.8, ``1.6.x`` = 1.6.8); every node right of the first wildcard must be a
wildcard too (``x.2.x`` and ``1.x.8`` are errors).

A version keeps the text it was created with, leading zeros included, and
1.0.03 and 1.0.3 are different versions (ledger ``version-leading-zeros``):
a concrete version selects only its own text, while a wildcard compares
node numbers, so ``1.0.x`` selects both (see :class:`Pattern`).

A recipe version given to Create*Recipe may hold one ``x`` in any node
(auto-versioning, November 2025): ``assigned`` turns it into the next free
version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .arns import Arn
from .errors import ImageBuilderError, InvalidRequestException, InvalidVersionNumberException

__all__ = [
    "AUTO_VERSION_FIRSTS",
    "MAX_NODE",
    "Pattern",
    "Version",
    "assigned",
    "concrete",
    "highest",
    "highest_per_name",
    "pattern",
    "stored_version",
    "version_key",
    "written_version",
]

T = TypeVar("T")

MAX_NODE = 2**30 - 1
"""The largest value a version node may take (1073741823)."""

Version = tuple[int, int, int]

AUTO_VERSION_FIRSTS = (0, 1)
"""The values the ``auto_version_first`` knob may name (the first is the default): where ``assigned`` starts."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A version as a reference names it: ``text`` as sent, ``nodes`` its numbers with None for each ``x``."""

    text: str
    nodes: tuple[int | None, int | None, int | None]

    def selects(self, version: str) -> bool:
        """Whether this selects the stored version written ``version``.

        A concrete version selects only the very same text: 1.0.3 is not
        1.0.03 (ledger ``version-leading-zeros``). A wildcard compares node
        numbers, so ``1.0.x`` selects 1.0.03 as well as 1.0.3 (assumed: AWS's
        user guide describes wildcards by node values, and says nothing of
        leading zeros).
        """
        if None not in self.nodes:
            return version == self.text
        return self.matches(concrete(version))

    def matches(self, numbers: Version) -> bool:
        """Whether a version of these ``numbers`` agrees with every node that is not a wildcard."""
        return all(w is None or w == v for w, v in zip(self.nodes, numbers, strict=True))


def _node(text: str, version: str, error: type[ImageBuilderError]) -> int:
    if not text.isdigit() or not text.isascii():
        raise error(
            f"The semantic version '{version}' is not valid. Specify a version as <major>.<minor>.<patch>, "
            "each node an integer."
        )
    # Past MAX_NODE by its length alone (leading zeros aside): Python refuses int() of over 4,300 digits.
    value = int(text) if len(text.lstrip("0")) <= len(str(MAX_NODE)) else MAX_NODE + 1
    if value > MAX_NODE:
        raise error(
            f"The semantic version '{version}' is not valid. Each node of a semantic version must be "
            f"between 0 and {MAX_NODE}."
        )
    return value


def concrete(version: str) -> Version:
    """The version ``major.minor.patch`` names; InvalidVersionNumberException unless all three are in range."""
    nodes = version.split(".")
    if len(nodes) != 3:
        raise InvalidVersionNumberException(
            f"The semantic version '{version}' is not valid. Specify a version as <major>.<minor>.<patch>."
        )
    major, minor, patch = (_node(n, version, InvalidVersionNumberException) for n in nodes)
    return major, minor, patch


def pattern(version: str, error: type[ImageBuilderError] = InvalidVersionNumberException) -> Pattern:
    """A version that may hold wildcards, checked as AWS checks it; ``error`` is what the operation models."""
    nodes = version.split(".")
    if len(nodes) != 3:
        raise error(f"The semantic version '{version}' is not valid. Specify a version as <major>.<minor>.<patch>.")
    parsed: list[int | None] = []
    for node in nodes:
        if node == "x":
            parsed.append(None)
        elif parsed and parsed[-1] is None:
            raise error(
                f"The semantic version '{version}' is not valid. When you use a wildcard (x) in a node, "
                "every node to its right must be a wildcard too."
            )
        else:
            parsed.append(_node(node, version, error))
    return Pattern(version, (parsed[0], parsed[1], parsed[2]))


def assigned(version: str, taken: Iterable[Version], *, first: int) -> str:
    """The version a Create*Recipe of ``version`` makes, given the versions its name has (``taken``).

    A concrete version is itself. One ``x`` node becomes one more than the
    highest value that node has among the ``taken`` versions whose other
    nodes equal the given ones, or ``first`` when none does: with 1.0.0 and
    1.0.1, ``1.0.x`` makes 1.0.2; with 1.2.0, ``1.x.0`` makes 1.3.0 and
    ``2.x.0`` makes 2.<first>.0. Sources: the user guide
    (create-image-recipes.html: "a wildcard version such as 1.0.x, Image
    Builder automatically increments the version"),
    hashicorp/terraform-provider-aws#45288 ("1.x.0 (unresolved version input)
    and 1.2.0 (resolved version)"); ``first`` (0 or 1, the
    ``auto_version_first`` knob) is the fake's choice (ledger
    ``recipe-auto-version-first``). The other nodes keep their text.
    InvalidVersionNumberException for more than one ``x`` (AWS's
    announcement allows "a single x") or a node, the made one included, past
    2^30-1.
    """
    nodes = version.split(".")
    if len(nodes) != 3 or "x" not in nodes:
        concrete(version)
        return version
    if nodes.count("x") > 1:
        raise InvalidVersionNumberException(
            f"The semantic version '{version}' is not valid. A recipe version may hold one wildcard (x), "
            "which Image Builder replaces with the next value of that node."
        )
    index = nodes.index("x")
    error = InvalidVersionNumberException
    major, minor, patch = (None if node == "x" else _node(node, version, error) for node in nodes)
    given = Pattern(version, (major, minor, patch))
    # The versions equal to the given one in its other nodes (compared as numbers, as wildcards compare).
    values = [found[index] for found in taken if given.matches(found)]
    value = max(values) + 1 if values else first
    if value > MAX_NODE:
        raise InvalidVersionNumberException(
            f"The semantic version '{version}' is not valid. Its wildcard would take the value {value}, but each "
            f"node of a semantic version must be between 0 and {MAX_NODE}."
        )
    nodes[index] = str(value)
    return ".".join(nodes)


def highest(items: Iterable[T], wanted: Pattern, key: Callable[[T], tuple[str, int]]) -> T | None:
    """The item whose ``(version, build number)`` is highest among those ``wanted`` selects, or None.

    ``key`` gives an item's version as written and its build number.
    Highest, not newest created: 1.7.8 made before 1.6.8 still wins ``1.x.x``.
    Versions rank by their numbers: 1.0.03 and 1.0.3 rank alike, so between
    them the higher build number wins, then the item met first.
    """
    best: T | None = None
    best_key: tuple[Version, int] | None = None
    for item in items:
        written, build = key(item)
        if not wanted.selects(written):
            continue
        found = (concrete(written), build)
        if best_key is None or found > best_key:
            best, best_key = item, found
    return best


ANY_VERSION = Pattern("x.x.x", (None, None, None))


def highest_per_name(items: Iterable[T], name: Callable[[T], str], key: Callable[[T], tuple[str, int]]) -> list[T]:
    """For each name, the item ``x.x.x`` selects among that name's (``highest``, ties to the item met first):
    what ``byName`` lists show, so they name the version a wildcard reference resolves to."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(name(item), []).append(item)
    return [best for group in groups.values() if (best := highest(group, ANY_VERSION, key)) is not None]


# The resource types whose ARNs hold a version node (``TYPE/name/x.y.z[/build]``; workflows ``TYPE/kind/name/...``).
_VERSIONED_TYPES = frozenset({"image", "component", "workflow", "image-recipe", "container-recipe"})


def check_references(references: Iterable[object]) -> None:
    """Refuse a versioned ARN reference whose version the Get operations refuse (InvalidRequestException).

    Every place that accepts a reference (a recipe's parentImage and
    components, a pipeline's or CreateImage's recipe and workflows) checks it
    with this, so what is stored is always something Get can read.
    """
    for reference in references:
        if not isinstance(reference, str) or not reference.startswith("arn:"):
            continue  # an AMI id, or a member left out
        typed = reference.split(":", 5)[-1]
        resource_type, _, path = typed.partition("/")
        nodes = path.split("/")
        if resource_type == "workflow":
            nodes = nodes[1:]  # workflow/<BUILD|TEST|DISTRIBUTION type>/name/version
        if resource_type in _VERSIONED_TYPES and len(nodes) >= 2:
            pattern(nodes[1], InvalidRequestException)


def _split(arn: Arn) -> tuple[str, str, int] | None:
    """``(name, version as written, build)`` of a versioned ARN's path (build 0 when it has none), or None."""
    *name, last = arn.path.split("/")
    build = 0
    if last.isdigit() and name:
        build = int(last)
        *name, last = name
    nodes = last.split(".")
    if not name or len(nodes) != 3 or not all(n.isdigit() for n in nodes):
        return None
    return "/".join(name), last, build


def version_key(arn: Arn) -> tuple[str, Version, int] | None:
    """``(name, version, build)`` of a versioned ARN's path (build 0 when it has none), or None."""
    found = _split(arn)
    if found is None:
        return None
    name, written, build = found
    nodes = written.split(".")
    return name, (int(nodes[0]), int(nodes[1]), int(nodes[2])), build


def written_version(arn: Arn) -> tuple[str, int] | None:
    """``(version as written, build)`` of a versioned ARN's path, what :func:`highest` keys on; or None."""
    found = _split(arn)
    return None if found is None else (found[1], found[2])


def stored_version(text: str) -> tuple[str, int]:
    """:func:`written_version` of a stored resource's ARN, which always carries a version."""
    found = written_version(Arn.parse(text))
    assert found is not None, text
    return found
