"""Reading a request head: the request line and header fields, as RFC 9112 and the standard library's limits say."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeimagebuilder.request_head import (
    MAX_FIELDS,
    MAX_LINE,
    HeadError,
    check_host,
    read_fields,
    read_request_line,
)


def fields(raw: bytes) -> list[tuple[str, str]]:
    return read_fields(io.BytesIO(raw)).items()


def refusal(raw: bytes) -> tuple[int, str]:
    with pytest.raises(HeadError) as caught:
        read_fields(io.BytesIO(raw))
    return caught.value.status, caught.value.message


def test_fields_keep_their_order_and_are_found_without_regard_to_case():
    head = read_fields(io.BytesIO(b"Host: x\r\nContent-Length: 2\r\ncontent-length:  2 \r\nX-A:\r\n\r\n{}"))
    assert head.items() == [("Host", "x"), ("Content-Length", "2"), ("content-length", "2"), ("X-A", "")]
    assert head.get("CONTENT-LENGTH") == "2"
    assert head.get_all("content-Length") == ["2", "2"]
    assert head.get("Missing") is None and head.get("Missing", "d") == "d"
    assert head.get_all("Missing") is None
    assert list(head) == ["Host", "Content-Length", "content-length", "X-A"] and len(head) == 4


def test_reading_stops_at_the_blank_line_and_leaves_the_body():
    stream = io.BytesIO(b"A: 1\n\nbody")
    assert read_fields(stream).items() == [("A", "1")]
    assert stream.read() == b"body"


def test_the_end_of_input_ends_the_fields():
    assert fields(b"A: 1\r\n") == [("A", "1")]


def test_a_folded_line_joins_the_field_before_it_with_a_space():
    assert fields(b"X-Long: one\r\n  two\r\n\tthree \r\n\r\n") == [("X-Long", "one two three")]
    assert fields(b"X-Empty:\r\n more\r\n\r\n") == [("X-Empty", "more")]


@pytest.mark.parametrize(
    "line",
    [b"no colon here", b"Host : x", b": no name", b"Bad Name: x", b"Caf\xe9: x", b"X\x00: y"],
)
def test_a_line_that_is_not_a_field_is_refused(line: bytes):
    status, message = refusal(b"Host: x\r\n" + line + b"\r\nAfter: y\r\n\r\n")
    assert status == 400 and "Malformed header line" in message


def test_a_first_line_that_folds_nothing_is_refused():
    assert refusal(b" folded: x\r\n\r\n")[0] == 400


def test_the_standard_librarys_limits_answer_431():
    assert len(fields(b"".join(b"X-%d: y\r\n" % i for i in range(MAX_FIELDS)) + b"\r\n")) == MAX_FIELDS
    assert refusal(b"".join(b"X-%d: y\r\n" % i for i in range(MAX_FIELDS + 1)) + b"\r\n") == (431, "Too many headers")
    assert refusal(b"X: " + b"y" * MAX_LINE + b"\r\n\r\n") == (431, "Line too long")
    # Folded lines count too: the head stays bounded, and joining them cheap.
    assert refusal(b"X: a\r\n" + b" b\r\n" * MAX_FIELDS + b"\r\n") == (431, "Too many headers")


def test_a_bare_cr_is_refused():
    assert refusal(b"X: a\rb\r\n\r\n")[0] == 400


@pytest.mark.parametrize(
    ("raw", "version", "refused"),
    [
        (b"Host: x\r\n\r\n", (1, 1), None),
        (b"hOST: x\r\n\r\n", (1, 1), None),
        (b"\r\n", (1, 0), None),
        (b"\r\n", (1, 1), "An HTTP/1.1 request must have a Host header field."),
        (b"Host: a\r\nHOST: b\r\n\r\n", (1, 1), "A request may have one Host header field, not 2."),
        (b"Host: a\r\nHost: a\r\n\r\n", (1, 0), "A request may have one Host header field, not 2."),
    ],
)
def test_one_host_field_from_http_1_1_none_needed_before(raw: bytes, version: tuple[int, int], refused: str | None):
    head = read_fields(io.BytesIO(raw))
    if refused is None:
        check_host(head, version)
    else:
        with pytest.raises(HeadError) as caught:
            check_host(head, version)
        assert (caught.value.status, caught.value.message) == (400, refused)


_NAMES = st.from_regex(r"[A-Za-z0-9-]{1,12}", fullmatch=True)
_VALUES = st.from_regex(r"[ -~]{0,20}", fullmatch=True)


@given(st.lists(st.tuples(_NAMES, _VALUES)))
def test_well_formed_fields_read_back_as_sent(sent: list[tuple[str, str]]):
    raw = b"".join(f"{name}: {value}\r\n".encode() for name, value in sent) + b"\r\n"
    assert fields(raw) == [(name, value.strip(" \t")) for name, value in sent]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"GET /a?b HTTP/1.1\r\n", ("GET", "/a?b", (1, 1), "HTTP/1.1")),
        (b"PUT /x HTTP/1.0\n", ("PUT", "/x", (1, 0), "HTTP/1.0")),
        (b"  GET   /x   HTTP/01.01  \r\n", ("GET", "/x", (1, 1), "HTTP/01.01")),
    ],
)
def test_a_request_line_is_split(raw: bytes, expected: tuple[object, ...]):
    line = read_request_line(raw)
    assert line is not None and (line.method, line.target, line.version, line.version_text) == expected


def test_a_blank_request_line_is_none():
    assert read_request_line(b"\r\n") is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"GARBAGE\r\n", "Bad request syntax"),
        (b"GET /x HTTP/1.1 extra\r\n", "Bad request syntax"),
        (b"GET /x\r\n", "HTTP/0.9 requests are not supported."),
        (b"GET /x HTTP/1.x\r\n", "Bad request version"),
        (b"GET /x HTTP/1\r\n", "Bad request version"),
        (b"GET /x HTTP/1.1.1\r\n", "Bad request version"),
        (b"GET /x FTP/1.1\r\n", "Bad request version"),
        (b"GET /x HTTP/\xb2.1\r\n", "Bad request version"),  # a superscript two is a digit to isdigit, not here
        (b"GET /x HTTP/1." + b"1" * 11 + b"\r\n", "Bad request version"),
        (b"GET /x HTTP/2.0\r\n", "Invalid HTTP version (2.0)"),
        (b"GET /x HTTP/0.9\r\n", "Invalid HTTP version (0.9)"),
    ],
)
def test_a_bad_request_line_is_refused_with_400(raw: bytes, message: str):
    with pytest.raises(HeadError) as caught:
        read_request_line(raw)
    assert caught.value.status == 400 and caught.value.message.startswith(message)
