"""Command line: ``python -m fakeimagebuilder <command>`` (also the ``fakeimagebuilder`` script)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


def _ledger(args: argparse.Namespace) -> int:
    from .ledger import markdown_table

    sys.stdout.write(markdown_table())
    return 0


def _differences(args: argparse.Namespace) -> int:
    from .ledger import differences_markdown

    sys.stdout.write(differences_markdown())
    return 0


def _readme(args: argparse.Namespace) -> int:
    # A maintainer's tool (regenerates this repository's README): hidden from the help, and plain errors only.
    from pathlib import Path

    from .ledger import with_readme_blocks

    path = Path(args.path)
    try:
        path.write_text(with_readme_blocks(path.read_text(encoding="utf-8")), encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"fakeimagebuilder readme: {path}: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .clock import ScaledClock
    from .fake import FakeImageBuilder
    from .model import known_regions
    from .persistence import StateFileError
    from .server import is_loopback, serve
    from .signatures import load_credentials, parse_credential

    try:
        credentials = load_credentials(args.accounts_file) if args.accounts_file else {}
        for text in args.credential:
            try:
                credential = parse_credential(text)
            except ValueError as exc:
                raise ValueError(f"--credential: {exc}") from None
            credentials[credential.access_key] = credential
    except ValueError as exc:
        print(f"fakeimagebuilder serve: {exc}", file=sys.stderr)
        return 2
    secrets = {key: c.secret_key for key, c in credentials.items() if c.secret_key}
    if args.verify_signatures and not secrets:
        print(
            "fakeimagebuilder serve: --verify-signatures needs secrets (--credential or --accounts-file)",
            file=sys.stderr,
        )
        return 2
    options: dict[str, Any] = {
        "region": args.region,
        "accounts": {key: c.account for key, c in credentials.items() if c.account},
    }
    # Only what the command line gives: with a state file, a knob it does not name keeps what the file holds
    # (configured over HTTP since, say), and one it names wins (FakeImageBuilder.from_state_file).
    if args.account is not None:
        options["account_id"] = args.account
    if args.allow_unknown_regions:
        options["allow_unknown_regions"] = True
    if not args.allow_unknown_regions and args.region not in known_regions() and known_regions():
        print(
            f"fakeimagebuilder serve: --region {args.region} is not a region of the installed botocore's "
            "endpoint data (a typo?); --allow-unknown-regions accepts it",
            file=sys.stderr,
        )
        return 2
    if args.state_file:
        notices: list[str] = []
        try:
            fake = FakeImageBuilder.from_state_file(
                args.state_file, speed=args.speed, notices=notices, compact_every=args.compact_every, **options
            )
        except StateFileError as exc:
            print(f"fakeimagebuilder serve: cannot start: {exc}", file=sys.stderr)
            return 2
        for notice in notices:
            print(f"fakeimagebuilder serve: {notice}", file=sys.stderr)
        assert fake.journal is not None
        print(f"fakeimagebuilder serve: {fake.journal.report}", file=sys.stderr, flush=True)
    else:
        fake = FakeImageBuilder(clock=ScaledClock(args.speed), **options)
    if not is_loopback(args.host):
        print(
            f"fakeimagebuilder serve: warning: {args.host} is not a loopback address; anyone who can reach it "
            "can read and change the fake's state",
            file=sys.stderr,
            flush=True,
        )
    try:
        return serve(
            fake,
            args.host,
            args.port,
            secrets=secrets if args.verify_signatures else None,
            control_token=args.control_token,
            verbose=args.verbose,
        )
    finally:
        if fake.journal is not None:
            fake.journal.close()


def _account(text: str) -> str:
    from .signatures import checked_account

    try:
        return checked_account(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed(text: str) -> float:
    try:
        speed = float(text)
    except ValueError:
        speed = -1.0
    if not 0 <= speed < float("inf"):
        raise argparse.ArgumentTypeError(f"the speed is a number >= 0, not {text!r}")
    return speed


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {text!r}")
    return int(text)


def _add_serve(commands: Any) -> None:
    from .fake import DEFAULT_ACCOUNT_ID
    from .server import DEFAULT_SPEED

    serve = commands.add_parser(
        "serve",
        help="serve the fake over HTTP (the AWS CLI, other SDKs, other processes)",
        description="Serve the fake over HTTP until SIGINT or SIGTERM; prints 'listening on http://HOST:PORT'.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=_port, default=4010, help="port (default: 4010; 0 picks a free one)")
    serve.add_argument(
        "--speed",
        type=_speed,
        default=DEFAULT_SPEED,
        help=f"virtual seconds per real second for builds (default: {DEFAULT_SPEED:g}: a default build takes "
        "about a minute; 0 stops time except POST /_fake/advance)",
    )
    serve.add_argument("--region", default="us-east-1", help="region of requests that name none (default: us-east-1)")
    serve.add_argument(
        "--allow-unknown-regions",
        action="store_true",
        help="accept requests for regions the installed botocore does not know (default: 403 "
        "InvalidSignatureException, as a typo such as us-east-one is more likely than a region botocore lacks)",
    )
    serve.add_argument(
        "--account",
        type=_account,
        default=None,
        help=f"account of unmapped access keys (default: what the state file holds, else {DEFAULT_ACCOUNT_ID})",
    )
    serve.add_argument(
        "--accounts-file",
        metavar="PATH",
        help='JSON object: access key -> account id, or -> {"account": ID, "secret": SECRET}',
    )
    serve.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="KEY:SECRET[:ACCOUNT]",
        help="a known access key (repeatable); its secret is used by --verify-signatures",
    )
    serve.add_argument(
        "--verify-signatures",
        action="store_true",
        help="check SigV4 signatures (Authorization header or presigned query string) against the known secrets "
        "(403 for unknown keys, bad signatures and expired presigned URLs), on "
        "control routes too (except /_fake/health; or --control-token)",
    )
    serve.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="control routes (except /_fake/health) need 'Authorization: Bearer TOKEN' (or, with "
        "--verify-signatures, a valid signature)",
    )
    serve.add_argument(
        "--state-file",
        metavar="PATH",
        help="keep state in this journal: replayed at start, every acknowledged change fsync'ed",
    )
    serve.add_argument(
        "--compact-every",
        type=_positive,
        default=None,
        metavar="N",
        help="rewrite the state file as one snapshot every N entries (default: 10000): a restart replays at most N",
    )
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    serve.set_defaults(run=_serve)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every user's command (the maintainers' ``readme`` has its own: see :func:`main`)."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="fakeimagebuilder", description="A fake of AWS EC2 Image Builder.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve(commands)
    ledger = commands.add_parser("ledger", help="print the behaviour ledger as a Markdown table")
    ledger.set_defaults(run=_ledger)
    differences = commands.add_parser("differences", help="print where the fake may differ from AWS, as Markdown")
    differences.set_defaults(run=_differences)
    return parser


def _readme_parser() -> argparse.ArgumentParser:
    readme = argparse.ArgumentParser(
        prog="fakeimagebuilder readme",
        description="Maintainers: rewrite the blocks of this repository's README generated from the ledger.",
    )
    readme.add_argument("path", nargs="?", default="README.md", help="the README to rewrite (default README.md)")
    readme.set_defaults(run=_readme)
    return readme


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status is returned."""
    given = list(sys.argv[1:] if argv is None else argv)
    # 'readme' (a maintainer's tool) is parsed apart: as a subcommand, argparse would list it in the help and
    # in every "invalid choice" error.
    args = _readme_parser().parse_args(given[1:]) if given[:1] == ["readme"] else build_parser().parse_args(given)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
