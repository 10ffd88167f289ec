"""Command line: ``python -m fakeimagebuilder <command>`` (also the ``fakeimagebuilder`` script)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _ledger(args: argparse.Namespace) -> int:
    from .ledger import markdown_table

    sys.stdout.write(markdown_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="fakeimagebuilder", description="A fake of AWS EC2 Image Builder.")
    commands = parser.add_subparsers(dest="command", required=True)
    ledger = commands.add_parser("ledger", help="print the behaviour ledger as a Markdown table")
    ledger.set_defaults(run=_ledger)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is returned."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
