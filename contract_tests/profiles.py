"""Hypothesis profiles of the contract suite, registered at import.

- ``fake``: the in-process fake and local endpoints. Cheap calls, so many
  examples: the state machine alone runs ``max_examples * stateful_step_count``
  (60 * 25 = 1,500) steps per run. No deadline: a slow CI machine must not
  turn a correct run red.
- ``aws``: real AWS. Every call takes hundreds of milliseconds and a build
  costs money, so few examples and short programs; no shrink or explain phase
  (each would replay real calls); ``print_blob`` so a live failure can be
  replayed on the fake (``--reproduce-blob``).

The suite picks ``aws`` for ``--target aws`` and ``fake`` otherwise; an
explicit ``--hypothesis-profile`` wins on the other targets (the aws target
refuses any profile but ``aws``: the others multiply calls and builds).
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

__all__ = ["AWS", "FAKE", "profile_name"]

FAKE = "fake"
AWS = "aws"

settings.register_profile(
    FAKE,
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

settings.register_profile(
    AWS,
    max_examples=4,
    stateful_step_count=6,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def profile_name(target: str, explicit: str | None) -> str:
    """The profile the contract suite runs with: an explicit choice, else the target's."""
    if explicit and explicit != "default":
        return explicit
    return AWS if target == "aws" else FAKE
