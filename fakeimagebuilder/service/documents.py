"""Component and workflow documents: a reader for the YAML they are written in, AWS's checks, and a scalar writer.

Why not PyYAML: the fake needs only the structure of these small documents
(top-level keys, phases or steps with their names and actions, parameters),
and a dependency for that must earn its place in every project that installs
the fake. This module reads one YAML document (JSON included) written with:

- block mappings and sequences indented with spaces (``- key: value``,
  ``- - item`` and a sequence at its key's indentation too), keys plain or
  quoted on one line;
- flow sequences and mappings (``[a, {b: c}]``, JSON), nested, over as many
  lines as they like;
- plain, single- and double-quoted scalars (every YAML escape), each on one
  line; literal and folded block scalars (``|``, ``>-``, ``|2+``...);
- comments, and a ``---`` before the document.

It reads them as YAML 1.2 does (a tab is a blank where YAML 1.1 refuses
one), with one difference: of the plain scalars only null (``~``, ``null``,
empty) and booleans (``true``, ``False``...) are resolved; numbers, dates and
every other plain scalar stay the text written (``1.10`` is ``"1.10"``), as
do keys. JSON's numbers too, so a JSON document and its YAML spelling read
alike.

Text that is not YAML (an unclosed ``[``, ``{`` or quote, a bad escape, a
stray indentation, ``a: b: c``, tab indentation, characters YAML forbids) is
a :class:`DocumentError`; so is a key given twice. YAML beyond the list
above (anchors, aliases, tags, directives, several documents, a node on the
``---`` line, complex keys, plain or quoted scalars over several lines, the
few texts YAML 1.1 and 1.2 read differently) is :class:`Unsupported`: the
fake then accepts the document without checking it, rather than refuse one
AWS would take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

__all__ = ["DocumentError", "Unsupported", "as_text", "read_document", "read_yaml", "yaml_scalar"]


class DocumentError(ValueError):
    """The text is not YAML (or not the document it should be); the message says where."""


class Unsupported(ValueError):
    """The text uses YAML this reader does not read."""


_BREAK = re.compile(r"\r\n|\r|\n")
# What YAML 1.2 allows in a document (c-printable): anything else is an error.
_FORBIDDEN = re.compile(r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A plain scalar in a block ends at a comment or the line's end (trailing blanks are not part of it).
_PLAIN_END = re.compile(r"[ \t]+#|[ \t]*$")
# In a flow collection it also ends at a flow indicator, or a ':' that a blank, indicator or line end follows.
_FLOW_PLAIN_END = re.compile(r"[ \t]*(?:[,\[\]{}]|:(?=[ \t,\[\]{}]|$)|$)|[ \t]+#")
_PLAIN_KEY = re.compile(r"(.*?)[ \t]*:(?:[ \t]+|$)")
_KEY_COLON = re.compile(r"[ \t]*:(?:[ \t]+|$)")
_MAPPING_VALUE = re.compile(r":(?:[ \t]|$)")
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?!')")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))")
# The escapes of a double-quoted scalar (JSON's and YAML's own) but \x, \u and \U.
_ESCAPES = dict(zip('0abt\tnvfre "/\\N_LP', '\0\a\b\t\t\n\v\f\r\x1b "/\\\x85\xa0\u2028\u2029', strict=True))
_SURROGATES = re.compile(r"[\ud800-\udbff][\udc00-\udfff]")  # a JSON-style pair of \u escapes is one character
_HEADER = re.compile(r"([|>])(?:([1-9])([+-]?)|([+-])([1-9]?))?(?:[ \t]+(?:#.*)?)?")
_INDICATORS = frozenset(",[]{}#&*!|>'\"%@`")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _resolve(text: str) -> Any:
    """A plain scalar's value: None or a bool where YAML 1.2's core schema says so, else its text."""
    if text in _NULLS:
        return None
    return _BOOLEANS.get(text, text)


def _blank(text: str) -> bool:
    """Whether ``text`` (the rest of a line) holds nothing but blanks and a comment."""
    rest = text.lstrip(" \t")
    return not rest or rest[0] == "#"


def _entry(content: str) -> bool:
    """Whether a line's content starts a block sequence entry."""
    return content == "-" or content[:2] in ("- ", "-\t")


def _marker(line: str) -> bool:
    """Whether ``line`` is a document marker (``---`` or ``...``)."""
    return line[:3] in ("---", "...") and line[3:4] in ("", " ", "\t")


def _plain_start(line: str, at: int, flow: bool) -> bool:
    """Whether a plain scalar may start at ``line[at]`` (YAML's indicators may not, but for '-x', 'x:y'...)."""
    char, following = line[at], line[at + 1 : at + 2]
    if char in "-?:":  # indicators when a blank follows; in a flow collection, '?' and ':' always
        return following not in ("", " ", "\t") and (char == "-" or not flow)
    return char not in _INDICATORS and char not in " \t"


def _unescape(body: str, line: int) -> str:
    """A double-quoted scalar's text, its escapes replaced."""

    def one(found: re.Match[str]) -> str:
        digits = found.group(1) or found.group(2) or found.group(3)
        if digits and int(digits, 16) <= 0x10FFFF:
            return chr(int(digits, 16))
        if found.group(4) in _ESCAPES:
            return _ESCAPES[found.group(4)]
        raise DocumentError(f"line {line}: '{found.group()}' is not an escape")

    text = _ESCAPE.sub(one, body)
    return _SURROGATES.sub(lambda pair: pair.group().encode("utf-16", "surrogatepass").decode("utf-16"), text)


class _Reader:
    """One document's lines, read with a cursor: ``at`` (line) and ``col`` (column, within flow and quoted nodes)."""

    def __init__(self, text: str) -> None:
        self.lines = _BREAK.split(text)
        self.final_break = self.lines[-1] == ""  # whether the last line ends with a line break
        if self.final_break:
            self.lines.pop()
        self.at = 0
        self.col = 0

    def _where(self) -> str:
        return f"line {self.at + 1}"

    # -- block structure -------------------------------------------------------------------------

    def document(self) -> Any:
        found = self._next()
        if found is not None and (_marker(self.lines[self.at]) or found[1][0] == "%"):
            line = self.lines[self.at]
            if not line.startswith("---") or not _blank(line[3:]):
                raise Unsupported(f"{self._where()}: directives, '...', or content on the '---' line")
            self.at += 1
        value = self._node(-1)
        if self._next() is not None:
            if _marker(self.lines[self.at]):
                raise Unsupported(f"{self._where()}: more than one document, or '...'")
            raise DocumentError(f"{self._where()}: content after the document's top-level node")
        return value

    def _next(self) -> tuple[int, str] | None:
        """Indent and content of the next line that holds something (blank and comment lines skipped)."""
        while self.at < len(self.lines):
            line = self.lines[self.at]
            content = line.lstrip(" ")
            if not _blank(content):
                if content[0] == "\t":
                    raise DocumentError(f"{self._where()}: tabs are not allowed for indentation in YAML")
                return len(line) - len(content), content
            self.at += 1
        return None

    def _node(self, parent: int) -> Any:
        """The node that starts on the next line holding something, if it is indented past ``parent``; else null."""
        found = self._next()
        if found is not None and found[0] == parent and found[1][0] in "|>":
            raise Unsupported(f"{self._where()}: a block scalar at its parent's indentation (PyYAML reads one)")
        if found is None or found[0] <= parent:
            return None
        column, content = found
        if _entry(content):
            return self._sequence(column)
        if self._key(column) is not None:
            return self._mapping(column)
        self.col = column
        return self._inline(parent)

    def _sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (found := self._next()) is not None:
            column, content = found
            if column < indent or _marker(self.lines[self.at]) or (column == indent and not _entry(content)):
                break
            if column > indent:
                raise DocumentError(f"{self._where()}: unexpected indentation")
            rest = content[1:].lstrip(" ")
            offset = column + len(content) - len(rest)
            if _blank(rest):
                self.at += 1
                items.append(self._node(indent))
            elif rest[0] == "\t":
                raise Unsupported(f"{self._where()}: a tab after '-'")
            elif _entry(rest) or self._key(offset) is not None:
                # "- key: value" or "- - item": a node that starts at its own column, as if on a line of its own.
                self.lines[self.at] = " " * offset + rest
                items.append(self._node(indent))
            else:
                self.col = offset
                items.append(self._inline(indent))
        return items

    def _mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while (found := self._next()) is not None:
            column, content = found
            if column < indent or _marker(self.lines[self.at]):
                break
            if column > indent:
                raise DocumentError(f"{self._where()}: unexpected indentation")
            key = self._key(column)
            if key is None:
                if content[0] in "&*!?[{\"'":
                    raise Unsupported(f"{self._where()}: a key that is not a plain or quoted scalar on one line")
                raise DocumentError(f"{self._where()}: expected 'key: value'")
            name, self.col = key
            if name in result:
                raise DocumentError(f"{self._where()}: duplicate key '{name}'")
            if not _blank(self.lines[self.at][self.col :]):
                result[name] = self._inline(indent)
                continue
            self.at += 1
            following = self._next()
            if following is not None and following[0] == indent and _entry(following[1]):
                result[name] = self._sequence(indent)  # a sequence may sit at its key's indentation
            else:
                result[name] = self._node(indent)
        return result

    def _key(self, column: int) -> tuple[str, int] | None:
        """The key a mapping entry at ``column`` of the current line names, and the column after its ':'."""
        line = self.lines[self.at]
        if line[column] in "\"'":
            found = self._quoted_on_line(line, column)
            if found is None:
                return None
            colon = _KEY_COLON.match(line, found[1])
            return (found[0], colon.end()) if colon else None
        if not _plain_start(line, column, flow=False):
            return None
        found = _PLAIN_KEY.match(line, column)
        if found is None or _PLAIN_END.search(found.group(1)).start() < len(found.group(1)):
            return None  # no ':', or a comment before it
        return found.group(1), found.end()

    def _inline(self, parent: int) -> Any:
        """The node that starts at the cursor, in a block whose parent is indented at ``parent``."""
        line = self.lines[self.at]
        char = line[self.col]
        if char in "[{":
            value = self._flow_node()
            self._line_end(flow=True)
            return value
        if char in "\"'":
            value = self._quoted()
            self._line_end(flow=False)
            return value
        if char in "|>":
            return self._block(parent)
        if char in "&*!" or (char == "?" and not _plain_start(line, self.col, flow=False)):
            raise Unsupported(f"{self._where()}: anchors, aliases, tags and complex keys")
        if not _plain_start(line, self.col, flow=False):
            raise DocumentError(f"{self._where()}: '{char}' cannot start a value here")
        text = line[self.col : _PLAIN_END.search(line, self.col).start()]
        if _MAPPING_VALUE.search(text):
            raise DocumentError(f"{self._where()}: a mapping value is not allowed here ('{text}')")
        self.at += 1
        found = self._next()
        if found is not None and found[0] > parent:
            # A line indented past the parent goes on with the scalar, which cannot hold ': ' though.
            if _MAPPING_VALUE.search(found[1][: _PLAIN_END.search(found[1]).start()]):
                raise DocumentError(f"{self._where()}: unexpected indentation")
            raise Unsupported(f"{self._where()}: a plain scalar over several lines")
        return _resolve(text)

    def _line_end(self, flow: bool) -> None:
        """After a flow collection or a quoted scalar: the line must hold nothing more (but a comment)."""
        rest = self.lines[self.at][self.col :]
        if not _blank(rest):
            if flow and rest.lstrip(" \t")[0] == ":":
                raise Unsupported(f"{self._where()}: a flow collection as a key")
            raise DocumentError(f"{self._where()}: unexpected {rest.strip()!r} after a value")
        self.at += 1

    def _block(self, parent: int) -> str:
        """A literal (``|``) or folded (``>``) block scalar whose header is at the cursor; as YAML (PyYAML) reads it."""
        header = _HEADER.fullmatch(self.lines[self.at], self.col)
        if header is None:
            raise DocumentError(f"{self._where()}: a block scalar's header is '|' or '>', indicators, a comment")
        folded, digit, chomping = header[1] == ">", header[2] or header[5], header[3] or header[4]
        first = self.at + 1
        indent = max(parent + 1, 1)
        if digit:
            indent += int(digit) - 1
        else:  # the first line that holds something sets it (or a blank line before it with more spaces)
            for line in self.lines[first:]:
                indent = max(indent, len(line) - len(line.lstrip(" ")))
                if line.strip(" "):
                    break
        texts: list[str] = []  # each line's text past the indentation; "" for an empty line
        for line in self.lines[first:]:
            if line.strip(" ") and len(line) - len(line.lstrip(" ")) < indent:
                break
            texts.append(line[indent:])
        self.at = first + len(texts)

        def line_break(index: int) -> str:
            return "\n" if first + index < len(self.lines) - 1 or self.final_break else ""

        chunks: list[str] = []
        breaks: list[str] = []
        end = ""  # the line break after the last text line
        index = 0
        while index < len(texts) and not texts[index]:
            breaks.append(line_break(index))
            index += 1
        while index < len(texts):
            chunks.extend(breaks)
            text = texts[index]
            chunks.append(text)
            end = line_break(index)
            index += 1
            breaks = []
            while index < len(texts) and not texts[index]:
                breaks.append(line_break(index))
                index += 1
            if index < len(texts):
                if folded and end and text[0] not in " \t" and texts[index][0] not in " \t":
                    if not breaks:  # folding: one line break between lines that start with no blank is a space
                        chunks.append(" ")
                else:
                    chunks.append(end)
        if chomping != "-":
            chunks.append(end)
        if chomping == "+":
            chunks.extend(breaks)
        return "".join(chunks)

    # -- flow collections and quoted scalars -----------------------------------------------------

    def _peek(self) -> str:
        """The character at the cursor: '\\n' at a line's end, '' at the text's."""
        if self.at >= len(self.lines):
            return ""
        line = self.lines[self.at]
        return line[self.col] if self.col < len(line) else "\n"

    def _skip(self) -> None:
        """Past blanks, line breaks and comments, to the next token of a flow collection."""
        while self.at < len(self.lines):
            line = self.lines[self.at]
            if self.col == 0 and _marker(line):
                raise DocumentError(f"{self._where()}: a document marker inside a flow collection")
            while self.col < len(line) and line[self.col] in " \t":
                self.col += 1
            if self.col < len(line) and line[self.col] != "#":
                return
            self.at, self.col = self.at + 1, 0

    def _expect(self, wanted: str) -> DocumentError:
        if not self._peek():
            return DocumentError(f"line {len(self.lines)}: the document ends inside a flow collection")
        return DocumentError(f"{self._where()}: expected {wanted} in a flow collection, not '{self._peek()}'")

    def _flow_node(self) -> Any:
        self._skip()
        char = self._peek()
        if not char:
            raise self._expect("a value")
        if char == "[":
            return self._flow_sequence()
        if char == "{":
            return self._flow_mapping()
        if char in "\"'":
            return self._quoted()
        return _resolve(self._flow_plain())

    def _flow_plain(self) -> str:
        char = self._peek()
        line = self.lines[self.at]
        if char in "&*!?:":
            raise Unsupported(f"{self._where()}: anchors, aliases, tags and complex keys")
        if not _plain_start(line, self.col, flow=True):
            raise self._expect("a value")
        end = _FLOW_PLAIN_END.search(line, self.col + 1).start()
        text, self.col = line[self.col : end], end
        if "?" in text:  # YAML 1.2 reads it as part of the scalar, PyYAML (YAML 1.1) as a complex key's indicator
            raise Unsupported(f"{self._where()}: a '?' inside a plain scalar of a flow collection")
        row = self.at
        self._skip()
        if self.at != row and self._peek() not in ",]}:":
            raise Unsupported(f"{self._where()}: a plain scalar over several lines")
        return text

    def _flow_sequence(self) -> list[Any]:
        self.col += 1
        items: list[Any] = []
        while True:
            self._skip()
            if self._peek() == "]":
                self.col += 1
                return items
            items.append(self._flow_node())
            self._skip()
            char = self._peek()
            if char == ":":
                raise Unsupported(f"{self._where()}: a 'key: value' pair inside a flow sequence")
            if char == ",":
                self.col += 1
            elif char != "]":
                raise self._expect("',' or ']'")

    def _flow_mapping(self) -> dict[str, Any]:
        self.col += 1
        result: dict[str, Any] = {}
        while True:
            self._skip()
            char = self._peek()
            if char == "}":
                self.col += 1
                return result
            if not char:
                raise self._expect("'}'")
            if char in "[{":
                raise Unsupported(f"{self._where()}: a flow collection as a key")
            row = self.at
            key = self._quoted() if char in "\"'" else self._flow_plain()
            self._skip()
            value = None
            if self._peek() == ":" and self.at != row:  # YAML 1.1 (PyYAML) wants a key's ':' on the key's line
                raise Unsupported(f"{self._where()}: a ':' on a line after its key")
            if self._peek() == ":":
                self.col += 1
                self._skip()
                if self._peek() not in (",", "}"):
                    value = self._flow_node()
                    self._skip()
            if key in result:
                raise DocumentError(f"{self._where()}: duplicate key '{key}'")
            result[key] = value
            if self._peek() == ",":
                self.col += 1
            elif self._peek() != "}":
                raise self._expect("',' or '}'")

    def _quoted_on_line(self, line: str, start: int) -> tuple[str, int] | None:
        """The quoted scalar at ``line[start]`` and the column after it; None if it does not close on this line."""
        found = (_SINGLE if line[start] == "'" else _DOUBLE).match(line, start)
        if found is None:
            return None
        if line[start] == "'":
            return found.group(1).replace("''", "'"), found.end()
        return _unescape(found.group(1), self.at + 1), found.end()

    def _quoted(self) -> str:
        line = self.lines[self.at]
        found = self._quoted_on_line(line, self.col)
        if found is None:
            rest = "\n".join([line[self.col + 1 :], *self.lines[self.at + 1 :]])
            if line[self.col] not in rest:
                raise DocumentError(f"{self._where()}: a quoted scalar that is never closed")
            raise Unsupported(f"{self._where()}: a quoted scalar over several lines")
        text, self.col = found
        return text


def read_yaml(text: str) -> Any:
    """The value a (subset) YAML document holds, JSON included.

    DocumentError when it is not valid YAML; Unsupported when it uses YAML
    beyond the subset (the caller then does not check it).
    """
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        line = len(_BREAK.split(text[: forbidden.start()]))
        raise DocumentError(f"line {line}: the character U+{ord(forbidden.group()):04X} is not allowed in YAML")
    try:
        return _Reader(text.removeprefix("\ufeff")).document()
    except RecursionError:  # within the model's 16,000 characters, flow collections can nest past Python's stack
        raise DocumentError("the document is nested too deeply") from None


def as_text(value: Any) -> str:
    """A scalar read from a document as the document wrote it (``true``, not Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# What YAML (1.1 and 1.2) reads back as itself inside a literal block: its printable characters, tabs and
# line feeds, less the byte order mark and the line breaks only YAML 1.1 knows (NEL, LS, PS). CR is a line
# break YAML turns into a line feed, so a script with CRLF or other controls goes double-quoted instead.
_LITERAL = re.compile(r"[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
# What a double-quoted scalar cannot hold raw once json.dumps has escaped '"', '\\' and C0 controls.
_UNPRINTABLE = re.compile(r"[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def yaml_scalar(text: str, column: int) -> str:
    """``text`` as the YAML scalar of a node whose ``- `` or ``key:`` starts at ``column``; it reads back exactly.

    A literal block (``|``), its lines at ``column + 2``, when one can hold the text; else a double-quoted
    line: JSON's escapes (which YAML shares) and ``\\uXXXX`` for the characters YAML refuses raw.
    """
    if not _LITERAL.fullmatch(text):
        return _UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", json.dumps(text, ensure_ascii=False))
    # Leading blank or indented lines would be taken for the block's indentation: state it (2, relative to column).
    indicator = "2" if text[:1] in (" ", "\t", "\n") else ""
    # Keep every final line feed as the text has them, or strip the one YAML's own line end would add.
    chomping = "+" if text.endswith("\n") else "-"
    margin = " " * (column + 2)
    lines = "\n".join(margin + line if line else "" for line in text.split("\n"))
    return f"|{indicator}{chomping}\n{lines}" + ("" if chomping == "+" else "\n")


def read_document(text: str, invalid: Callable[[str], Exception]) -> dict[str, Any] | None:
    """A component's or workflow's document, with the checks both kinds share (YAML, a mapping, schemaVersion 1.0).

    None when the text uses YAML this reader does not read (accepted unchecked). ``invalid`` makes the
    kind's own error from a detail.
    """
    try:
        document = read_yaml(text)
    except Unsupported:
        return None
    except DocumentError as error:
        raise invalid(f"it is not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise invalid("it must be a YAML mapping")
    if "schemaVersion" not in document:
        raise invalid("'schemaVersion' is required")
    if str(document["schemaVersion"]) not in ("1.0", "1"):
        raise invalid(f"'schemaVersion' must be 1.0, not '{document['schemaVersion']}'")
    return document
