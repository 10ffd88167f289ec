"""How the fake writes dates: ``2026-09-03T05:44:21.121Z``, milliseconds truncated, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fakeimagebuilder.clock import LATEST
from fakeimagebuilder.service.dates import date_string

# Just below whole seconds too, where the microseconds round up into the next second.
_BELOW_A_SECOND = st.integers(min_value=1, max_value=int(LATEST)).map(lambda s: s - 5e-7)


@given(st.floats(min_value=0, max_value=LATEST) | _BELOW_A_SECOND)
def test_a_date_is_the_instant_to_the_millisecond_as_strftime_writes_it(seconds: float):
    moment = datetime.fromtimestamp(seconds, UTC)
    assert date_string(seconds) == moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_the_examples_form():
    assert date_string(1788414261.1219) == "2026-09-03T05:44:21.121Z"
    assert date_string(0) == "1970-01-01T00:00:00.000Z"
