"""The clocks refuse steps that would break every later date: back, not a number, past the year 9999."""

from __future__ import annotations

import math
from typing import Any

import boto3
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


@pytest.mark.parametrize("make", [VirtualClock, lambda start: ScaledClock(speed=1, start=start)])
@pytest.mark.parametrize("start", [-1, LATEST + 1, math.nan, math.inf, True, "0"])
def test_a_clock_starts_only_at_an_instant_it_can_write(make: Any, start: Any):
    with pytest.raises(ValueError, match="a clock starts at epoch seconds from 0 to"):
        make(start)


def test_a_fast_scaled_clock_stops_at_the_year_9999_and_the_fake_keeps_answering():
    from fakeimagebuilder import FakeImageBuilder

    clock = ScaledClock(speed=1e15, start=LATEST - 1)
    fake = FakeImageBuilder(clock=clock)
    assert clock.now() == LATEST  # a microsecond of real time is a billion virtual seconds
    with fake:
        client = boto3.client("imagebuilder", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        arn = client.create_infrastructure_configuration(name="late", instanceProfileName="builder")[
            "infrastructureConfigurationArn"
        ]
        document = client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)
    assert document["infrastructureConfiguration"]["dateCreated"] == "9999-12-31T23:59:59.000Z"
