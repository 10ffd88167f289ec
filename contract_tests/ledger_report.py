"""Which ledger behaviours a run checked, and whether they held on its target.

Tests wrap each assertion about a committed behaviour in :func:`verifies`,
naming its row of :mod:`fakeimagebuilder.ledger`::

    with verifies("idempotent-replay"):
        assert again["imageBuildVersionArn"] == first["imageBuildVersionArn"]

Each check is counted per (row, test): held or failed. ``--ledger-report
PATH`` writes the tally (Markdown for ``.md``, JSON otherwise). A row
*held* when every check of it passed, was *refuted* when any failed, and is
*not checked* when no test reached it. On a live AWS run that reads as:
AWS confirmed (or refuted) the fake's committed behaviour, which matters most
for the rows whose provenance is ``assumed``. A check that ends in
:class:`ModelDifference` (the target took a value only the installed model
refuses) is *set aside*: neither held nor failed, and listed in the report.

Under pytest-xdist each worker keeps its own tally and hands it to the
controller, which alone writes the report.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis.errors import HypothesisException

from fakeimagebuilder.ledger import LEDGER, by_id

from .recording import redact
from .safety import NAME_PREFIX

__all__ = ["ModelDifference", "Tally", "current_test", "scrub_detail", "tally", "verifies", "write_report"]


class ModelDifference(Exception):
    """A target took a value that only a constraint of the installed botocore model refuses.

    The target may serve another model (AWS serves its newest; a server may
    run another botocore), so this is no evidence against the fake, whose
    validation follows the installed model: :func:`verifies` sets the check
    aside instead of counting it (see ``expect_error(taken_means=...)``).
    """


@dataclass
class _Count:
    held: int = 0
    failed: int = 0
    set_aside: int = 0
    first_failure: str | None = None
    first_set_aside: str | None = None


@dataclass
class Tally:
    """Checks per (row, test), and the number of state-machine steps run."""

    counts: dict[tuple[str, str], _Count] = field(default_factory=dict)
    stateful_steps: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, row: str, test: str, held: bool, detail: str | None = None) -> None:
        """Count one check of ``row`` by ``test`` (a failure's ``detail`` is kept scrubbed)."""
        detail = scrub_detail(detail) if detail else detail
        with self._lock:
            count = self.counts.setdefault((row, test), _Count())
            if held:
                count.held += 1
            else:
                count.failed += 1
                if count.first_failure is None:
                    count.first_failure = detail

    def set_aside(self, row: str, test: str, detail: str) -> None:
        """Count one check of ``row`` by ``test`` that ended in :class:`ModelDifference` (``detail`` scrubbed)."""
        with self._lock:
            count = self.counts.setdefault((row, test), _Count())
            count.set_aside += 1
            if count.first_set_aside is None:
                count.first_set_aside = scrub_detail(detail)

    def add_steps(self, steps: int) -> None:
        """Count state-machine steps."""
        with self._lock:
            self.stateful_steps += steps

    def dump(self) -> str:
        """JSON for the xdist controller."""
        with self._lock:
            rows = [
                [row, test, c.held, c.failed, c.first_failure, c.set_aside, c.first_set_aside]
                for (row, test), c in self.counts.items()
            ]
            return json.dumps({"counts": rows, "stateful_steps": self.stateful_steps})

    def merge(self, dumped: str) -> None:
        """Add a worker's :meth:`dump`."""
        data = json.loads(dumped)
        with self._lock:
            self.stateful_steps += data["stateful_steps"]
            for row, test, held, failed, first, set_aside, first_set_aside in data["counts"]:
                count = self.counts.setdefault((row, test), _Count())
                count.held += held
                count.failed += failed
                count.set_aside += set_aside
                count.first_failure = count.first_failure or first
                count.first_set_aside = count.first_set_aside or first_set_aside

    def rows(self) -> list[dict[str, Any]]:
        """One entry per ledger row: its provenance, the result on this target, and the checks."""
        by_row: dict[str, list[tuple[str, _Count]]] = {}
        with self._lock:
            for (row, test), count in self.counts.items():
                by_row.setdefault(row, []).append((test, count))
        out = []
        for behaviour in LEDGER:
            checks = sorted(by_row.get(behaviour.id, []))
            held = sum(c.held for _, c in checks)
            failed = sum(c.failed for _, c in checks)
            result = "refuted" if failed else "held" if held else "not checked"
            out.append(
                {
                    "id": behaviour.id,
                    "behaviour": behaviour.behaviour,
                    "provenance": behaviour.provenance,
                    "result": result,
                    "checks_held": held,
                    "checks_failed": failed,
                    "tests": [test for test, _ in checks],
                    "first_failure": next((c.first_failure for _, c in checks if c.first_failure), None),
                    "checks_set_aside": sum(c.set_aside for _, c in checks),
                    "first_set_aside": next((c.first_set_aside for _, c in checks if c.first_set_aside), None),
                }
            )
        return out


def scrub_detail(text: str) -> str:
    """A failure as the report may quote it: no account ids, run-scoped names or run ids, no credentials."""
    text = redact(text)
    text = re.sub(rf"{NAME_PREFIX}-[0-9a-f]+-[A-Za-z0-9_-]*", "<name>", text)
    return re.sub(r"(?<![0-9])[0-9]{12}(?![0-9])", "<account>", text)


tally = Tally()
"""This process's tally (each xdist worker has its own)."""

current_test = threading.local()
"""``current_test.nodeid``: the test running now; the conftest sets it."""


def _test_id() -> str:
    return getattr(current_test, "nodeid", None) or "<outside a test>"


@contextmanager
def verifies(*rows: str) -> Iterator[None]:
    """Count the enclosed assertions as checks of ledger ``rows``: held, or failed (and re-raised).

    Hypothesis's own control flow (an unsatisfied ``assume``) and pytest's
    skips are neither; a :class:`ModelDifference` is set aside (and re-raised).
    """
    for row in rows:
        by_id(row)  # an unknown id is a bug in the suite: fail loudly
    try:
        yield
    except HypothesisException:
        raise
    except ModelDifference as difference:
        for row in rows:
            tally.set_aside(row, _test_id(), str(difference))
        raise
    except Exception as error:
        detail = scrub_detail(f"{type(error).__name__}: {error}".splitlines()[0])[:300]
        for row in rows:
            tally.record(row, _test_id(), False, detail)
        raise
    for row in rows:
        tally.record(row, _test_id(), True)


def _markdown(rows: Iterable[dict[str, Any]], meta: dict[str, Any]) -> str:
    rows = list(rows)
    lines = [
        "# Contract run: ledger report",
        "",
        *(f"- {key}: {value}" for key, value in meta.items()),
        "",
        "| id | provenance | result | checks held / failed | tests | first failure |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        tests = "<br>".join(f"`{t}`" for t in row["tests"])
        failure = (row["first_failure"] or "").replace("|", "\\|")
        lines.append(
            f"| {row['id']} | {row['provenance']} | **{row['result']}** | "
            f"{row['checks_held']} / {row['checks_failed']} | {tests} | {failure} |"
        )
    aside = [r for r in rows if r["checks_set_aside"]]
    if aside:
        lines += [
            "",
            f"Checks set aside: the target took a value only the installed model (botocore "
            f"{meta.get('botocore', '?')}) refuses, so it serves another model or does not check it:",
            "",
        ]
        lines += [f"- {r['id']} ({r['checks_set_aside']}): {r['first_set_aside']}" for r in aside]
    for provenance in ("assumed", "likely"):
        held = [r["id"] for r in rows if r["provenance"] == provenance and r["result"] == "held"]
        refuted = [r["id"] for r in rows if r["provenance"] == provenance and r["result"] == "refuted"]
        lines += [
            "",
            f"{provenance.capitalize()} behaviours that held on {meta.get('target', 'this target')}: "
            f"{', '.join(held) or 'none'}.",
            f"{provenance.capitalize()} behaviours refuted: {', '.join(refuted) or 'none'}.",
        ]
    return "\n".join(lines) + "\n"


def write_report(path: Path, meta: dict[str, Any], source: Tally | None = None) -> None:
    """Write the tally to ``path``: Markdown if it ends in ``.md``, JSON otherwise."""
    source = source or tally
    rows = source.rows()
    meta = {**meta, "stateful steps": source.stateful_steps}
    path.parent.mkdir(parents=True, exist_ok=True)
    as_json = json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n"
    text = _markdown(rows, meta) if path.suffix == ".md" else as_json
    path.write_text(text, encoding="utf-8")
