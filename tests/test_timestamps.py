"""timestamps.reader: every timestamp member of an input shape, at any depth, read as epoch seconds or refused."""

from __future__ import annotations

import pytest
from botocore.model import ShapeResolver

from fakeimagebuilder.model import service_model
from fakeimagebuilder.timestamps import TimestampError, reader

SHAPES = ShapeResolver(
    {
        "Input": {
            "type": "structure",
            "members": {
                "when": {"shape": "When"},
                "node": {"shape": "Node"},
                "name": {"shape": "Name"},
            },
        },
        "Node": {
            "type": "structure",
            "members": {"next": {"shape": "Node"}, "times": {"shape": "Times"}, "byName": {"shape": "ByName"}},
        },
        "Times": {"type": "list", "member": {"shape": "When"}},
        "ByName": {"type": "map", "key": {"shape": "Name"}, "value": {"shape": "When"}},
        "When": {"type": "timestamp"},
        "Name": {"type": "string"},
        "Plain": {"type": "structure", "members": {"name": {"shape": "Name"}}},
    }
)


def test_timestamps_at_any_depth_become_epoch_seconds():
    read = reader(SHAPES.get_shape_by_name("Input"))
    assert read is not None
    value = {
        "when": "1970-01-01T00:01:00Z",
        "name": "2026-01-01",  # a string member is left alone
        "node": {"next": {"times": [60, "120"], "byName": {"a": "1970-01-01T00:03:00+00:00"}}},
    }

    assert read(value, "") == {
        "when": 60.0,
        "name": "2026-01-01",
        "node": {"next": {"times": [60.0, 120.0], "byName": {"a": 180.0}}},
    }


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"when": -1}, "when"),
        ({"node": {"next": {"times": [0, 253402300800]}}}, "node.next.times[1]"),
        ({"node": {"byName": {"a": "someday"}}}, "node.byName['a']"),
        ({"node": {"times": [10**400]}}, "node.times[0]"),
    ],
)
def test_a_timestamp_no_date_can_hold_is_refused_naming_its_path(value: dict, path: str):
    read = reader(SHAPES.get_shape_by_name("Input"))
    assert read is not None
    with pytest.raises(TimestampError) as caught:
        read(value, "")
    assert caught.value.path == path
    assert f"of {path} is not a valid timestamp" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "2030-W01-1",  # a week date
        "2030-001T00:00:00Z",  # an ordinal date
        "2030-01-01",  # a date alone
        "2030-01-01 00:00:00Z",  # a space for the T
        " 1900000000 ",
        "1_900_000_000",
        "\u0661\u0669\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",  # Arabic-Indic digits
        "2030-01-01T00:00:00\u0660Z",
        "1e9",
        "2030-01-01T00:00:00+24:00",
        "2030-01-01T00:00:00+0200",
        "Tue, 01 Jan 2030 00:00:00 GMT",
    ],
)
def test_text_in_no_form_a_client_sends_is_refused(text: str):
    # Only numeric text and an ISO 8601 date-time, in ASCII digits (was: anything datetime.fromisoformat read).
    read = reader(SHAPES.get_shape_by_name("Input"))
    assert read is not None
    with pytest.raises(TimestampError):
        read({"when": text}, "")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2030-01-01T00:00:00Z", 1893456000.0),
        ("2030-01-01T00:00:00.5-05:30", 1893475800.5),
        ("2030-01-01T00:00:00", 1893456000.0),
        ("1893456000.25", 1893456000.25),
    ],
)
def test_the_forms_clients_send_are_read(text: str, seconds: float):
    read = reader(SHAPES.get_shape_by_name("Input"))
    assert read is not None
    assert read({"when": text}, "") == {"when": seconds}


def test_a_fraction_finer_than_microseconds_is_not_cut():
    read = reader(SHAPES.get_shape_by_name("Input"))
    assert read is not None
    assert read({"when": "1970-01-01T00:00:00.0000009Z"}, "")["when"] == pytest.approx(9e-7, abs=1e-12)


def test_a_shape_without_timestamps_needs_no_reading():
    assert reader(SHAPES.get_shape_by_name("Plain")) is None
    model = service_model()
    reading = [name for name in model.operation_names if reader(model.operation_model(name).input_shape) is not None]
    assert "StartResourceStateUpdate" in reading and "GetImage" not in reading
