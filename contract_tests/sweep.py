"""Delete what crashed live runs left behind: ``python -m contract_tests.sweep --aws-account ID --older-than 2h``.

A live run (``--target aws``) deletes everything it created, even after a
failure or a Ctrl-C. Only a run killed outright (``kill -9``, a lost
machine) leaves resources behind. Every resource a run creates is named
``fibct-<run id>-...`` and tagged ``fakeimagebuilder:contract-run`` and
``fakeimagebuilder:contract-started`` (the run's start); the sweep deletes
the pipelines, recipes, infrastructure and distribution configurations that
carry both, of runs started longer ago than ``--older-than`` (at least an
hour, so a run still going is left alone) or of the one run ``--run`` names,
with every image their builds made (cancelling builds still in progress).
Nothing without the tags is touched. It refuses to run unless STS says the
credentials are ``--aws-account``'s, and sweeps the region a live run
defaults to. ``--dry-run`` only lists what would go.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from .client import ContractClient
from .operations import BUILD_VERSION_SHAPE
from .safety import (
    NAME_PREFIX,
    RUN_TAG,
    STARTED_TAG,
    ResourceTracker,
    caller_account,
    default_region,
    endpoint_overrides,
    loopback_url,
)

__all__ = ["find_leftovers", "main", "parse_age"]

_AGE = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TERMINAL = frozenset({"AVAILABLE", "FAILED", "CANCELLED"})


def parse_age(text: str) -> dt.timedelta:
    """``90s``, ``30m``, ``2h`` or ``1d`` as a duration."""
    found = _AGE.match(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number and a unit, as in 90s, 30m, 2h or 1d")
    return dt.timedelta(seconds=float(found.group(1)) * _UNIT[found.group(2)])


def _started(item: dict[str, Any]) -> dt.datetime | None:
    """When the run that created ``item`` started, if the item is a contract run's at all."""
    tags = item.get("tags") or {}
    if RUN_TAG not in tags or not item.get("name", "").startswith(f"{NAME_PREFIX}-"):
        return None
    try:
        return dt.datetime.strptime(tags.get(STARTED_TAG, ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def find_leftovers(client: ContractClient, cutoff: dt.datetime | None, run_id: str | None = None) -> ResourceTracker:
    """Every tagged resource of a run started before ``cutoff`` (or of run ``run_id``), and the builds of those
    pipelines and recipes."""
    found = ResourceTracker()

    def old(item: dict[str, Any]) -> bool:
        started = _started(item)
        if started is None:
            return False
        if run_id is not None:
            return (item.get("tags") or {}).get(RUN_TAG) == run_id
        return cutoff is not None and started <= cutoff

    # Noted in the order a run makes them; the cleanup deletes builds first, then the rest newest first.
    listings: list[tuple[str, str, dict[str, str], str]] = [
        ("ListDistributionConfigurations", "distributionConfigurationSummaryList", {}, "DistributionConfigurationArn"),
        (
            "ListInfrastructureConfigurations",
            "infrastructureConfigurationSummaryList",
            {},
            "InfrastructureConfigurationArn",
        ),
        ("ListImageRecipes", "imageRecipeSummaryList", {"owner": "Self"}, "ImageRecipeArn"),
        ("ListImagePipelines", "imagePipelineList", {}, "ImagePipelineArn"),
    ]
    kept: dict[str, list[str]] = {}
    for operation, key, params, shape in listings:
        for item in client.list_all(operation, key, **params):
            if old(item):
                found.add(item["arn"], shape)
                kept.setdefault(shape, []).append(item["arn"])
    for arn in kept.get("ImagePipelineArn", []):
        for image in client.list_all("ListImagePipelineImages", "imageSummaryList", imagePipelineArn=arn):
            found.add(image["arn"], BUILD_VERSION_SHAPE)
    for arn in kept.get("ImageRecipeArn", []):
        version_arn = arn.replace(":image-recipe/", ":image/", 1)
        for image in client.list_all("ListImageBuildVersions", "imageSummaryList", imageVersionArn=version_arn):
            found.add(image["arn"], BUILD_VERSION_SHAPE)
    return found


def _settler(client: ContractClient, timeout: float, interval: float) -> Callable[[str], None]:
    def settle(arn: str) -> None:
        deadline = time.monotonic() + timeout
        while client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] not in _TERMINAL:
            if time.monotonic() > deadline:
                return
            time.sleep(interval)

    return settle


MIN_AGE = dt.timedelta(hours=1)
"""The youngest run the sweep deletes by age: a run that started less than this ago may still be going."""


def build_parser() -> argparse.ArgumentParser:
    """The sweep's arguments."""
    parser = argparse.ArgumentParser(prog="python -m contract_tests.sweep", description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--older-than", type=parse_age, help="age of the runs to sweep, at least 1h, e.g. 2h")
    which.add_argument("--run", help="sweep this run (its id, as a run that could not delete everything prints)")
    parser.add_argument("--aws-account", required=True, help="the 12-digit account the credentials must belong to")
    parser.add_argument("--region", help="region to sweep (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")
    parser.add_argument("--cancel-timeout", type=float, default=300.0, help="seconds to wait for a cancelled build")
    # The kit's own tests: the fake's server standing in for Image Builder, a stub for STS.
    parser.add_argument("--testing-endpoint-url", type=loopback_url, help=argparse.SUPPRESS)
    parser.add_argument("--testing-sts-endpoint-url", type=loopback_url, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep; 0 when everything found is gone, 1 when something could not be deleted, 2 when refused."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.older_than is not None and args.older_than < MIN_AGE:
        parser.error(f"--older-than {args.older_than} would sweep runs still going: use 1h or more (or --run ID)")
    if endpoint_overrides():
        parser.error(f"{', '.join(endpoint_overrides())} would send the sweep elsewhere; remove it")
    session = botocore.session.Session()
    region = args.region or default_region()
    try:
        sts = session.create_client("sts", region_name=region, endpoint_url=args.testing_sts_endpoint_url)
        account = caller_account(sts)
    except (BotoCoreError, ClientError) as error:
        print(f"sweep: cannot learn the caller's account from STS: {error}", file=sys.stderr)
        return 2
    if account != args.aws_account:
        print(f"sweep: the credentials belong to account {account}, not --aws-account {args.aws_account}; refusing")
        return 2
    try:
        raw = session.create_client("imagebuilder", region_name=region, endpoint_url=args.testing_endpoint_url)
        client = ContractClient(raw)
        cutoff = dt.datetime.now(dt.UTC) - args.older_than if args.older_than is not None else None
        leftovers = find_leftovers(client, cutoff, args.run)
    except (BotoCoreError, ClientError) as error:
        print(f"sweep: cannot list Image Builder resources in {region}: {error}", file=sys.stderr)
        return 1
    for arn, shape in leftovers.snapshot():
        print(f"{'would delete' if args.dry_run else 'deleting'} {_KINDS.get(shape, shape)} {arn}")
    if leftovers.empty():
        which = f"of run {args.run}" if args.run else f"older than {args.older_than}"
        print(f"sweep: nothing {which} in {account}/{region}")
        return 0
    if args.dry_run:
        return 0
    problems = leftovers.cleanup(client, _settler(client, args.cancel_timeout, 5.0))
    for problem in problems:
        print(f"sweep: could not delete {problem}", file=sys.stderr)
    return 1 if problems else 0


_KINDS = {
    BUILD_VERSION_SHAPE: "build",
    "ImagePipelineArn": "pipeline",
    "ImageRecipeArn": "recipe",
    "InfrastructureConfigurationArn": "infrastructure",
    "DistributionConfigurationArn": "distribution",
}


if __name__ == "__main__":
    sys.exit(main())
