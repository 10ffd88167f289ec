"""Delete what crashed live runs left behind: ``python -m contract_tests.sweep --aws-account ID --older-than 2h``.

A live run (``--target aws``) deletes everything it created, even after a
failure or a Ctrl-C. Only a run killed outright (``kill -9``, a lost
machine) leaves resources behind. Every resource a run creates is named
``fibct-<run id>-...`` and tagged ``fakeimagebuilder:contract-run`` and
``fakeimagebuilder:contract-started`` (the run's start); the sweep deletes
every kind the model can list and delete (components, workflows,
infrastructure and distribution configurations, image and container
recipes, pipelines, lifecycle policies, images) that carries both, of runs
started longer ago than ``--older-than`` (at least an hour, so a run still
going is left alone) or of the one run ``--run`` names, with every build
their pipelines made and every image build named for the run, tagged or not
(a scheduled build carries only its recipe's name), made before the cutoff
(cancelling builds still in progress), in dependency order. Nothing else is
touched. It refuses to run unless STS says the
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

from fakeimagebuilder.extras import missing_extra

try:  # .safety, imported below, needs it: name the extra that installs it
    import pytest  # noqa: F401
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "contract", "python -m fakeimagebuilder.contract_tests.sweep") from None

from .client import ContractClient
from .operations import BUILD_VERSION_SHAPE, listings
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

__all__ = ["find_leftovers", "listings", "main", "parse_age"]

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
    """Every resource of a run started before ``cutoff`` (or of run ``run_id``): each kind the model can list
    and delete (components, workflows, configurations, recipes, pipelines, lifecycle policies, images), and the
    builds of those pipelines."""
    found = ResourceTracker()
    prefix = f"{NAME_PREFIX}-{run_id}-" if run_id is not None else f"{NAME_PREFIX}-"

    def old(item: dict[str, Any]) -> bool:
        started = _started(item)
        if started is None:
            return False
        if run_id is not None:
            return (item.get("tags") or {}).get(RUN_TAG) == run_id
        return cutoff is not None and started <= cutoff

    def untagged_build(item: dict[str, Any]) -> bool:
        # A build a schedule made carries no tags of the run: its name (the recipe's) and its age decide.
        if RUN_TAG in (item.get("tags") or {}) or not item.get("name", "").startswith(prefix):
            return False
        if run_id is not None:
            return True
        created = str(item.get("dateCreated", ""))[:19]
        try:
            made = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
        except ValueError:
            return False
        return cutoff is not None and made <= cutoff

    pipelines: list[str] = []
    for listing in listings():
        params = {"owner": "Self"} if listing.owner else {}
        for item in client.list_all(listing.operation, listing.key, **params):
            if listing.builds is None:
                if old(item):
                    found.add(item["arn"], listing.shape)
                    if listing.shape == "ImagePipelineArn":
                        pipelines.append(item["arn"])
                continue
            if not item.get("name", "").startswith(prefix):
                continue  # a version series the run did not name: its builds are not looked at
            operation, member, key = listing.builds
            for build in client.list_all(operation, key, **{member: item["arn"]}):
                if build["arn"].endswith("/x.x.x"):
                    # The model's WorkflowSummary names the series, not the build: it cannot be deleted by it.
                    print(f"sweep: cannot tell which build {build['arn']} lists; delete it by hand", file=sys.stderr)
                    continue
                if old(build) or (listing.shape == BUILD_VERSION_SHAPE and untagged_build(build)):
                    found.add(build["arn"], listing.shape)
    for arn in pipelines:
        for image in client.list_all("ListImagePipelineImages", "imageSummaryList", imagePipelineArn=arn):
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
    parser = argparse.ArgumentParser(prog=f"python -m {__package__}.sweep", description=__doc__.split("\n\n")[0])
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
    if (args.testing_endpoint_url is None) != (args.testing_sts_endpoint_url is None):
        # A stand-in for STS alone would pass the account check while the sweep deletes on AWS.
        parser.error("--testing-endpoint-url and --testing-sts-endpoint-url go together (both stand-ins, or neither)")
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
        print(f"{'would delete' if args.dry_run else 'deleting'} {_KINDS.get(shape, shape.removesuffix('Arn'))} {arn}")
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
