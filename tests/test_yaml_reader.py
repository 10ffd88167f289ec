"""The fake's YAML reader against PyYAML: the subset it reads, it reads as YAML does; what it refuses is not YAML.

PyYAML is the oracle here, not a dependency of the fake: the test extra installs it, and so does every CI run
(the responses extra requires it). PyYAML reads YAML 1.1; the oracle below asks it to resolve scalars as the
fake documents it does (YAML 1.2 core's nulls and booleans, every other plain scalar its text), keys as
written, and a key given twice as an error.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder.service.documents import DocumentError, Unsupported, read_yaml

yaml = pytest.importorskip("yaml", reason="PyYAML (the test extra's) is the oracle these tests compare with")


class _Oracle(yaml.SafeLoader):
    """PyYAML's safe loader, resolving only YAML 1.2 core's nulls and booleans; keys as written, unique."""

    yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {}


_Oracle.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), [*"~nN", ""])
_Oracle.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Oracle.add_constructor(
    "tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node) in ("true", "True", "TRUE")
)


def _mapping(loader: Any, node: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value in result:
            raise yaml.constructor.ConstructorError(None, None, "a key not a scalar, or a duplicate", key.start_mark)
        result[key.value] = loader.construct_object(value, deep=True)
    return result


_Oracle.add_constructor("tag:yaml.org,2002:map", _mapping)


def _oracle(text: str) -> Any:
    return yaml.load(text, Loader=_Oracle)


# -- documents in the subset ---------------------------------------------------------------------------------------

# Text a scalar may hold: any printable character but the BOM and the line separators only YAML 1.1 reads as line
# breaks (PyYAML does, the fake and YAML 1.2 do not), with what looks like YAML syntax mixed in often.
_SYNTAX = [" ", "\t", ": ", " #", "#", "- ", "-", "{{ p }}", "'", '"', "\\", "[", "]", "{", "}", ",", "|", ">"]
_LOOKALIKES = ["true", "False", "NULL", "~", "null", "yes", "1.10", "007", "0x1F", "2024-01-01", "\u00a0", "\u2003"]
_CHARACTERS = st.characters(exclude_categories=["Cs", "Cc", "Cn", "Zl", "Zp"], exclude_characters="\ufeff")
_TEXT = st.lists(_CHARACTERS | st.sampled_from(_SYNTAX + _LOOKALIKES), max_size=8).map("".join)
_RESOLVED = ["~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"]
# A plain scalar: no indicator first, no ': ' or ' #' inside, no blank at either end, no tab or line break;
# in a flow collection, no flow indicator or '?' either (YAML 1.1 and 1.2 read one differently), and no ':' first.
_PLAIN = re.compile(r"(?![-?:](?:[ ]|$))[^\s,\[\]{}#&*!|>'\"%@`](?:[^\x00-\x1f\x7f-\x9f]*[^\s])?")
_BAD_IN_PLAIN = re.compile(r": |:$| #")
_BAD_IN_FLOW_PLAIN = re.compile(r"[,\[\]{}?]|^:")
_COMMENTS = st.sampled_from(["", "", " # a comment", " #: [x, {y"])


def _plain_fits(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written as a plain scalar (in a flow collection or not)."""
    return bool(_PLAIN.fullmatch(text) and not _BAD_IN_PLAIN.search(text)) and not (
        flow and _BAD_IN_FLOW_PLAIN.search(text)
    )


def _double_quoted(text: str, escapes: str) -> str:
    """``text`` double-quoted: JSON's escapes, and YAML's own for the characters ``escapes`` names."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    for char in escapes:
        body = body.replace(char, {"\x1b": "\\e", "\xa0": "\\_", "A": "\\x41", "\U0001f600": "\\U0001F600"}[char])
    return f'"{body}"'


@st.composite
def _scalar(draw: st.DrawFn, flow: bool) -> str:
    text = draw(_TEXT | st.sampled_from(["echo {{ greeting }}", "a\u00a0", "\u2003b", "x\x1b\U0001f600A"]))
    style = draw(st.sampled_from(["plain", "single", "double", "resolved"]))
    if style == "resolved":
        return draw(st.sampled_from(_RESOLVED))
    if style == "plain" and _plain_fits(text, flow) and text not in _RESOLVED:
        return text
    if style == "single" and not re.search(r"[\x00-\x1f]", text):
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text, draw(st.sets(st.sampled_from(["\x1b", "\xa0", "A", "\U0001f600"]))))


def _key(draw: st.DrawFn, flow: bool) -> tuple[str, str]:
    """A key as written, and its value (a mapping of the fake, as of the oracle, is keyed by that)."""
    text = draw(st.sampled_from(["name", "action", "true", "null", "1", "a b", "x:y"]) | _TEXT)
    if _plain_fits(text, flow):
        return text, text
    return _double_quoted(text, ""), text


@st.composite
def _flow(draw: st.DrawFn, depth: int) -> str:
    """A flow sequence or mapping, its items spread over lines or not."""
    between = st.sampled_from([" ", "", "  ", "\n", "\n  ", " # c\n    "])
    items = []
    mapping = draw(st.booleans())
    keys = set()
    for _ in range(draw(st.integers(0, 3))):
        value = draw(_flow(depth - 1)) if depth and draw(st.booleans()) else draw(_scalar(True))
        if not mapping:
            items.append(value)
            continue
        written, key = _key(draw, True)
        if key in keys:
            continue
        keys.add(key)
        colon = ":" if written[0] == '"' and draw(st.booleans()) else ": "  # JSON's "key":value
        items.append(written if draw(st.integers(0, 5)) == 0 else f"{written}{colon}{value}")
    separator = "," + draw(between)
    trailing = "," if items and draw(st.booleans()) else ""
    opening, closing = "{}" if mapping else "[]"
    return opening + draw(between) + separator.join(items) + trailing + draw(between) + closing


@st.composite
def _block_scalar(draw: st.DrawFn, parent: int) -> tuple[str, list[str]]:
    """A literal or folded block scalar of a node whose parent collection is at column ``parent``: header, lines."""
    texts = draw(st.lists(st.sampled_from(["", "", " "]) | _TEXT.map(lambda t: t.replace("\n", " ")), max_size=5))
    content = [t for t in texts if t.strip(" ")]
    # A first line that starts with a blank needs the indentation stated; otherwise it may be.
    digit = draw(st.integers(1, 3)) if content and content[0][0] == " " else draw(st.sampled_from([0, 0, 1, 2]))
    step = digit or draw(st.integers(1, 3))
    chomping = draw(st.sampled_from(["", "-", "+"]))
    indicators = f"{digit or ''}{chomping}" if draw(st.booleans()) else f"{chomping}{digit or ''}"
    header = draw(st.sampled_from("|>")) + indicators + draw(_COMMENTS)
    margin = " " * (max(parent + 1, 1) + step - 1)
    return header, [margin + t if t.strip(" ") else "" for t in texts]


@st.composite
def _value(draw: st.DrawFn, depth: int, parent: int) -> tuple[str, list[str]]:
    """What follows a key's ':' or an entry's '-' (in a collection at column ``parent``), and the lines after it."""
    kind = draw(st.sampled_from(["scalar", "scalar", "flow", "block scalar", "empty", "nested", "nested"]))
    if kind == "nested" and depth:
        column = parent + draw(st.integers(1, 3))
        return draw(_COMMENTS), draw(_block(depth - 1, column))
    if kind == "flow":
        return " " + draw(_flow(depth)) + draw(_COMMENTS), []
    if kind == "block scalar":
        header, lines = draw(_block_scalar(parent))
        return " " + header, lines
    if kind == "empty":
        return draw(_COMMENTS), []
    return " " + draw(_scalar(False)) + draw(_COMMENTS), []


@st.composite
def _sequence(draw: st.DrawFn, depth: int, column: int) -> list[str]:
    """A block sequence at ``column``, as its lines."""
    margin = " " * column
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if depth and draw(st.integers(0, 2)) == 0:  # "- key: value" or "- - item": a collection on the entry's line
            inner = draw(_block(depth - 1, column + 2))
            lines += [margin + "- " + inner[0][column + 2 :], *inner[1:]]
        else:
            rest, after = draw(_value(depth, column))
            lines += [margin + "-" + rest, *after]
        if draw(st.integers(0, 4)) == 0:
            lines.append(" " * draw(st.integers(0, 6)) + "# a comment line")
    return lines


@st.composite
def _mapping(draw: st.DrawFn, depth: int, column: int) -> list[str]:
    """A block mapping at ``column``, as its lines."""
    lines: list[str] = []
    keys = set()
    for _ in range(draw(st.integers(1, 3))):
        written, key = _key(draw, False)
        if key in keys:
            continue
        keys.add(key)
        if depth and draw(st.integers(0, 3)) == 0:  # a sequence at its key's own indentation
            lines += [" " * column + written + ":" + draw(_COMMENTS), *draw(_sequence(depth - 1, column))]
            continue
        rest, after = draw(_value(depth, column))
        lines += [" " * column + written + ":" + rest, *after]
    return lines


def _block(depth: int, column: int) -> st.SearchStrategy[list[str]]:
    """A block mapping or sequence at ``column``, as its lines."""
    return _sequence(depth, column) | _mapping(depth, column)


@st.composite
def _documents(draw: st.DrawFn, depth: int = 3) -> str:
    """A YAML document in the subset the fake reads, its collections nested ``depth`` deep at most."""
    flow = draw(st.integers(0, 4)) == 0
    body = [draw(_flow(depth - 1))] if flow else draw(_block(depth, draw(st.sampled_from([0, 0, 0, 2]))))
    start = draw(st.sampled_from(["", "", "---\n", "# a comment\n---\n"]))
    end = draw(st.sampled_from(["\n", "\n", "", "\r\n", "\n\n"]))
    newline = "\r\n" if end == "\r\n" else "\n"
    return start + newline.join(body) + end


_STEP = "phases:\n  - name: build\n    steps:\n      - name: s\n        inputs:\n"
_EXAMPLES = [
    # The flow list of the confirmed defect, and the same document in block style.
    _STEP + '          commands: ["echo {{ greeting }}"]\n',
    _STEP + '          commands:\n            - "echo {{ greeting }}"\n',
    # Block scalars with their indentation stated, and folding.
    "a: |2-\n    x\n   y\nb: >1+\n  x\n\nc: >\n  one\n  two\n\n  three\n    indented\n  four\n",
    "- |+\n  kept\n\n\n- >-\n  a\n  b",
    "a: |\n  x\n     \n  y\n",  # a line of blanks past the indentation is text
    # Unicode spaces are text, not blanks.
    "a: b\u00a0\n\u2003c: |\n  x\u00a0\n  \u2003\n",
    # JSON, and JSON-like flow YAML.
    '{"schemaVersion": 1.0, "steps": [{"name": "A", "inputs": {"n": 5, "on": true, "x": null}}]}',
    "x: {a: [1, {b: c}], d, 'e': \"f\\x41\"}\n",
    "k: [\n  a,  # a comment\n  b\n]\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_documents())
def test_a_document_in_the_subset_reads_as_yaml_reads_it(text: str):
    assert read_yaml(text) == _oracle(text)


@pytest.mark.parametrize("text", _EXAMPLES)
def test_these_documents_read_as_yaml_reads_them(text: str):
    assert read_yaml(text) == _oracle(text)


def test_equivalent_spellings_read_alike():
    block, flow = _EXAMPLES[1], _EXAMPLES[0]

    assert read_yaml(flow) == read_yaml(block) == _oracle(block)
    # JSON's numbers stay their text, as YAML's plain scalars do: a JSON document reads as its YAML spelling.
    assert read_yaml('{"a": 5, "b": [1.50, true]}') == read_yaml("a: 5\nb:\n  - 1.50\n  - true\n")


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "a: {b: 1, b: 2}"])
def test_a_key_given_twice_is_an_error(text: str):
    with pytest.raises(DocumentError, match="duplicate key"):
        read_yaml(text)


# -- text that is not YAML, or beyond the subset -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "phases: [",
        "a: [b, ",
        "a: [1,,2]",
        "a: [x}",
        "a: ['x",
        'a: "x',
        'a: "\\q"',
        "a: [1] x",
        "a: b: c",
        "a: - b",
        "a: |0\n x\n",
        "a: 1\n  b: 2\n",
        "a: 1\n- b\n",
        "[1, 2]\nb: c\n",
        "a: 1\nb\n",
        "a: x\x00",
        "a: [b,\n---\n]\n",
    ],
)
def test_text_that_is_not_yaml_is_an_error(text: str):
    with pytest.raises(yaml.YAMLError):
        list(yaml.parse(text))
    with pytest.raises(DocumentError):
        read_yaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &anchor 1\nb: *anchor\n",
        "a: !tag x\n",
        "a: one\n  two\n",
        'a: "one\n  two"\n',
        "a: [x\n  y]\n",
        "? complex\n: key\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.2\n---\na: 1\n",
        "[a, b]: c\n",
        "a: [b: c]\n",
        "a: 'it''s\n  more'\n",
    ],
)
def test_yaml_beyond_the_subset_is_unsupported_not_an_error(text: str):
    list(yaml.parse(text))  # YAML, whatever a loader makes of it
    with pytest.raises(Unsupported):
        read_yaml(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: {x\n: y}\n",  # PyYAML wants the ':' on the key's line
        "a: [x?y]\n",  # PyYAML ends a plain scalar at '?' in a flow collection
        "-\n>1\n x\n",  # PyYAML takes a block scalar at its parent's indentation
    ],
)
def test_what_yaml_1_1_and_1_2_read_differently_is_unsupported(text: str):
    with pytest.raises(Unsupported):
        read_yaml(text)


# No tab: PyYAML refuses one between a flow collection's tokens, which YAML 1.2 and JSON (so the fake) allow.
_MUTATIONS = st.sampled_from([*"[]{},:#-'\"|> \n", "", "\\", "- ", ": "])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_documents(depth=2), data=st.data())
def test_what_the_reader_answers_of_any_text_yaml_agrees_with(text: str, data: st.DataObject):
    """A subset document with a character cut, added or replaced: a value read is YAML's; an error, YAML's too."""
    # Blanks only: a tab a mutation moves out of a block scalar is one PyYAML refuses where YAML 1.2 (and the
    # fake) reads a blank, in a plain scalar, a flow collection or a line of its own.
    text = text.replace("\t", " ")
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 2))
    text = text[:at] + data.draw(_MUTATIONS) + text[at + cut :]
    try:
        read = read_yaml(text)
    except Unsupported:
        return
    except DocumentError:
        with pytest.raises((yaml.YAMLError, RecursionError)):
            _oracle(text)
        return
    assert read == _oracle(text)
