"""``python -m benchmarks [--quick] [--json PATH] [--only NAME ...]``: measure, print the table, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from typing import Any

from . import calls, paging, per_test, server

FIGURES = {"calls": calls.figures, "per-test": per_test.figures, "paging": paging.figures, "server": server.figures}


def machine() -> dict[str, Any]:
    """Where the numbers came from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    import botocore

    try:
        import moto

        moto_version = moto.__version__
    except ImportError:
        moto_version = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "botocore": botocore.__version__,
        "moto": moto_version,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| figure | fake | floor or peer | ratio | goal | met |",
        "|---|---:|---|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['figure']} | {r['subject']:,} | {r['peer']}: {r['other']:,} | {r['ratio']:.2f} | {r['goal']} "
            f"| {'yes' if r['met'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI smoke: small sizes, never fails on a ratio")
    parser.add_argument("--json", metavar="PATH", help="write the figures and the machine there")
    parser.add_argument("--only", nargs="+", choices=sorted(FIGURES), help="only these figures")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for name, measure in FIGURES.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        found = measure(args.quick)
        print(f"# {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        rows.extend(found)
    about = machine()
    print(f"{about['cpu']}, {about['cores']} cores; Python {about['python']}, botocore {about['botocore']}, "
          f"moto {about['moto']}; {about['date']}{' (quick)' if args.quick else ''}")
    print(table(rows))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": about, "quick": args.quick, "figures": rows}, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
