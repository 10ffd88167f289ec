"""The clocks refuse steps that would break every later date: back, not a number, past the year 9999."""

from __future__ import annotations

import math
from typing import Any

import pytest

from fakeimagebuilder import ScaledClock, VirtualClock
from fakeimagebuilder.clock import LATEST


@pytest.mark.parametrize("clock", [VirtualClock(start=1_700_000_000), ScaledClock(speed=0, start=1_700_000_000)])
@pytest.mark.parametrize(
    ("seconds", "says"),
    [
        (-1.0, "cannot move back"),
        (math.nan, "NaN"),
        (math.inf, "year 9999"),
        (LATEST, "year 9999"),
        # An int too large for a float is still a step past the year 9999, not an OverflowError.
        pytest.param(10**400, "year 9999", id="10**400"),
        ("60", "number of seconds"),
        (None, "number of seconds"),
    ],
)
def test_a_step_that_would_break_dates_is_refused(clock: Any, seconds: float, says: str):
    before = clock.now()
    with pytest.raises(ValueError, match=says):
        clock.advance(seconds)
    assert clock.now() == before


def test_the_fake_keeps_working_after_a_refused_step(fake: Any, client: Any):
    for seconds in (math.nan, math.inf, 1e12, 10**400):
        with pytest.raises(ValueError):
            fake.advance(seconds)
    fake.advance(LATEST - fake.clock.now())  # right up to the last writable instant is fine

    arn = client.create_infrastructure_configuration(name="late", instanceProfileName="builder")[
        "infrastructureConfigurationArn"
    ]
    document = client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)
    assert document["infrastructureConfiguration"]["dateCreated"].startswith("9999-12-31T23:59:59")


@pytest.mark.parametrize("speed", [math.nan, math.inf, -1.0, "20"])
def test_a_scaled_clock_refuses_a_speed_that_is_not_a_finite_rate(speed: Any):
    with pytest.raises(ValueError, match="speed must be a finite number >= 0"):
        ScaledClock(speed=speed)
