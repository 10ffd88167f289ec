"""The compact JSON encoders the wire answers with and the idempotency ledger fingerprints with."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakeimagebuilder.jsontext import compact_encoder

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize("sort_keys", [False, True])
@given(value=_VALUES)
def test_the_text_is_what_json_dumps_writes(sort_keys: bool, value: Any):
    expected = json.dumps(value, separators=(",", ":"), sort_keys=sort_keys)
    assert compact_encoder(sort_keys)(value) == expected


def test_without_the_c_accelerator_the_encoders_own_way_is_used(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    value = {"b": [1, "é"], "a": None}
    assert compact_encoder(sort_keys=True)(value) == '{"a":null,"b":[1,"\\u00e9"]}'
    assert compact_encoder()(value) == '{"b":[1,"\\u00e9"],"a":null}'
