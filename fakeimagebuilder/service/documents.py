"""Component and workflow documents: a reader for the YAML they are written in, AWS's checks, and a scalar writer.

Why not PyYAML: the fake needs only the structure of these small documents
(top-level keys, phases or steps with their names and actions, parameters),
and a dependency for that must earn its place in every project that installs
the fake. This module reads JSON (which is YAML) and the block-style YAML
subset AWS's examples and customers' documents use: mappings, sequences,
plain and quoted scalars, ``|``/``>`` block scalars, flat flow lists and maps,
comments. A document that uses anything else (anchors, tags, multi-line
plain scalars...) is :class:`Unsupported`: the fake then accepts it without
checking, rather than refuse a document AWS would take. Tab indentation,
which YAML forbids, is an error.
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


_KEY = re.compile(r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}\[\],&*!|>%@`][^#]*?)\s*:(?:\s+|$)""")


def _strip_comment(text: str) -> str:
    """``text`` without a trailing `` # comment`` (outside quotes)."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
    return text.rstrip()


def _scalar(text: str) -> Any:
    if not text:
        return None
    first = text[0]
    if first == '"':
        try:
            value: Any = json.loads(text)
        except ValueError:
            raise Unsupported(f"double-quoted scalar {text!r}") from None
        return value
    if first == "'":
        if len(text) < 2 or not text.endswith("'"):
            raise Unsupported(f"single-quoted scalar {text!r}")
        return text[1:-1].replace("''", "'")
    if first in "&*!%@`":
        raise Unsupported(f"anchors, aliases, tags and directives ({text!r})")
    if first == "[":
        return _flow_list(text)
    if first == "{":
        return _flow_map(text)
    lowered = text.lower()
    if lowered in ("null", "~"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    return text


def _flow_items(text: str, opening: str, closing: str) -> list[str]:
    if not text.endswith(closing):
        raise Unsupported(f"flow collection {text!r}")
    inner = text[1:-1].strip()
    if any(c in inner for c in "[]{}"):
        raise Unsupported(f"nested flow collection {text!r}")
    items, quote, start = [], "", 0
    for index, char in enumerate(inner):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == ",":
            items.append(inner[start:index].strip())
            start = index + 1
    items.append(inner[start:].strip())
    return [item for item in items if item]


def _flow_list(text: str) -> list[Any]:
    return [_scalar(item) for item in _flow_items(text, "[", "]")]


def _flow_map(text: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in _flow_items(text, "{", "}"):
        match = _KEY.match(item + " ")
        if match is None:
            raise Unsupported(f"flow mapping entry {item!r}")
        result[str(_scalar(match.group(1)))] = _scalar(item[match.end() :].strip())
    return result


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.at = 0

    def _indent(self, line: str) -> int:
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            raise DocumentError(f"line {self.at + 1}: tabs are not allowed for indentation in YAML")
        return len(line) - len(stripped)

    def _next(self) -> tuple[int, str] | None:
        """Indent and content of the next line that holds something (comments and '---' skipped)."""
        while self.at < len(self.lines):
            line = self.lines[self.at]
            content = line.strip()
            if content and not content.startswith("#") and content != "---":
                indent = self._indent(line)
                return indent, line[indent:]
            self.at += 1
        return None

    def document(self) -> Any:
        found = self._next()
        if found is None:
            return None
        value = self._node(found[0])
        if self._next() is not None:
            raise Unsupported(f"line {self.at + 1}: content after the document's top level")
        return value

    def _node(self, indent: int) -> Any:
        found = self._next()
        if found is None or found[0] < indent:
            return None
        column, content = found
        if content == "-" or content.startswith("- "):
            return self._sequence(column)
        if _KEY.match(content):
            return self._mapping(column)
        self.at += 1
        return _scalar(_strip_comment(content))

    def _sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (found := self._next()) is not None:
            column, content = found
            if column < indent or not (content == "-" or content.startswith("- ")):
                if column > indent:
                    raise Unsupported(f"line {self.at + 1}: unexpected indentation")
                break
            if column > indent:
                raise Unsupported(f"line {self.at + 1}: unexpected indentation")
            rest = content[1:].lstrip(" ")
            if not _strip_comment(rest):
                self.at += 1
                items.append(self._node(indent + 1))
                continue
            # "- key: value" or "- - x": the rest is a node starting at its own column.
            offset = column + len(content) - len(rest)
            if rest.startswith("- ") or _KEY.match(rest):
                self.lines[self.at] = " " * offset + rest
                items.append(self._node(offset))
            else:
                self.at += 1
                items.append(self._value(_strip_comment(rest), indent))
        return items

    def _mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while (found := self._next()) is not None:
            column, content = found
            if column < indent:
                break
            if column > indent:
                raise Unsupported(f"line {self.at + 1}: unexpected indentation")
            match = _KEY.match(content)
            if match is None:
                if content == "-" or content.startswith("- "):
                    break
                raise Unsupported(f"line {self.at + 1}: expected 'key: value'")
            key = str(_scalar(match.group(1).strip()))
            if key in result:
                raise DocumentError(f"line {self.at + 1}: duplicate key '{key}'")
            rest = _strip_comment(content[match.end() :])
            self.at += 1
            if rest:
                result[key] = self._value(rest, indent)
                continue
            following = self._next()
            if following is not None and following[0] > indent:
                result[key] = self._node(following[0])
            elif following is not None and following[0] == indent and following[1][:2] in ("- ", "-"):
                result[key] = self._sequence(indent)
            else:
                result[key] = None
        return result

    def _value(self, text: str, indent: int) -> Any:
        if text[0] in "|>":
            return self._block(text, indent)
        value = _scalar(text)
        following = self._next()
        if following is not None and following[0] > indent and not isinstance(value, list | dict):
            raise Unsupported(f"line {self.at + 1}: a plain scalar over several lines")
        return value

    def _block(self, header: str, indent: int) -> str:
        if not re.fullmatch(r"[|>][+-]?", header):
            raise Unsupported(f"block scalar header {header!r}")
        lines: list[str] = []
        block_indent = None
        while self.at < len(self.lines):
            line = self.lines[self.at]
            if line.strip():
                column = len(line) - len(line.lstrip(" "))
                if column <= indent:
                    break
                block_indent = column if block_indent is None else block_indent
                if column < block_indent:
                    break
                lines.append(line[block_indent:])
            else:
                lines.append("")
            self.at += 1
        while lines and not lines[-1] and header[1:] != "+":
            lines.pop()
        text = "\n".join(lines) if header[0] == "|" else " ".join(line for line in lines if line)
        return text if header[1:] == "-" else text + "\n"


def read_yaml(text: str) -> Any:
    """The value a JSON or (subset) YAML document holds.

    DocumentError when it is not valid YAML; Unsupported when it uses YAML
    beyond the subset (the caller then does not check it).
    """
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        try:
            return json.loads(text)
        except RecursionError:  # within the model's 16,000 characters, JSON can nest past Python's stack
            raise DocumentError("the document is nested too deeply") from None
        except ValueError:
            pass  # flow-style YAML that is not JSON
    return _Reader(text).document()


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
