"""Interleaved timing: every subject of a figure measured round by round, the best round kept."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

__all__ = ["interleaved", "row"]


def interleaved(subjects: dict[str, Callable[[], object]], number: int, rounds: int) -> dict[str, float]:
    """Seconds per call of each subject: the best of ``rounds`` batches of ``number`` calls.

    Within a round every subject runs one batch, in an order that rotates from
    round to round, so a slow spell of the shared machine hits all of them.
    Time is this thread's CPU time (:func:`time.thread_time`): on a machine
    shared with other jobs, wall time also counts the time others ran.
    """
    names = list(subjects)
    best = {name: float("inf") for name in names}
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            call = subjects[name]
            gc.collect()
            start = time.thread_time()
            for _ in range(number):
                call()
            best[name] = min(best[name], (time.thread_time() - start) / number)
    return best


def row(
    figure: str, peer: str, subject: float, other: float, scale: float, goal: float, higher: bool = False
) -> dict[str, Any]:
    """One line of the table: a figure, its floor or peer, their ratio, and the goal for that ratio.

    ``higher``: the goal is a ratio of at least ``goal`` (a rate); else of at most ``goal`` (a cost).
    """
    ratio = subject / other
    return {
        "figure": figure,
        "peer": peer,
        "subject": round(subject * scale, 3),
        "other": round(other * scale, 3),
        "ratio": round(ratio, 3),
        "goal": f">= {goal}" if higher else f"<= {goal}",
        "met": ratio >= goal if higher else ratio <= goal,
    }
