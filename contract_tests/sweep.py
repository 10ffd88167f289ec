"""Delete what crashed live runs left behind: ``python -m contract_tests.sweep --older-than 2h``.

A live run (``--target aws``) deletes everything it created, even after a
failure or a Ctrl-C. Only a run killed outright (``kill -9``, a lost
machine) leaves resources behind. Every resource a run creates is named
``fibct-<run id>-...`` and tagged ``fakeimagebuilder:contract-run`` and
``fakeimagebuilder:contract-started``; the sweep deletes the pipelines,
recipes and infrastructure configurations that carry both, and started
longer ago than ``--older-than`` (so a run still going is left alone), with
every image their builds made (cancelling builds still in progress). Nothing
without the tags is touched. ``--dry-run`` only lists what would go.
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
from .safety import NAME_PREFIX, RUN_TAG, STARTED_TAG, ResourceTracker, loopback_url

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


def find_leftovers(client: ContractClient, cutoff: dt.datetime) -> ResourceTracker:
    """Every tagged resource of a run started before ``cutoff``, and the builds of those pipelines and recipes."""
    found = ResourceTracker()

    def old(item: dict[str, Any]) -> bool:
        started = _started(item)
        return started is not None and started <= cutoff

    pipelines = [p for p in client.list_all("ListImagePipelines", "imagePipelineList") if old(p)]
    recipes = [r for r in client.list_all("ListImageRecipes", "imageRecipeSummaryList", owner="Self") if old(r)]
    infrastructure = [
        i
        for i in client.list_all("ListInfrastructureConfigurations", "infrastructureConfigurationSummaryList")
        if old(i)
    ]
    builds: dict[str, None] = {}
    for pipeline in pipelines:
        for image in client.list_all("ListImagePipelineImages", "imageSummaryList", imagePipelineArn=pipeline["arn"]):
            builds[image["arn"]] = None
    for recipe in recipes:
        version_arn = recipe["arn"].replace(":image-recipe/", ":image/", 1)
        for image in client.list_all("ListImageBuildVersions", "imageSummaryList", imageVersionArn=version_arn):
            builds[image["arn"]] = None
    found.resources["builds"].update(builds)
    found.resources["pipelines"].update(dict.fromkeys(p["arn"] for p in pipelines))
    found.resources["recipes"].update(dict.fromkeys(r["arn"] for r in recipes))
    found.resources["infrastructure"].update(dict.fromkeys(i["arn"] for i in infrastructure))
    return found


def _settler(client: ContractClient, timeout: float, interval: float) -> Callable[[str], None]:
    def settle(arn: str) -> None:
        deadline = time.monotonic() + timeout
        while client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] not in _TERMINAL:
            if time.monotonic() > deadline:
                return
            time.sleep(interval)

    return settle


def build_parser() -> argparse.ArgumentParser:
    """The sweep's arguments."""
    parser = argparse.ArgumentParser(prog="python -m contract_tests.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--older-than", type=parse_age, required=True, help="age of the runs to sweep, e.g. 2h")
    parser.add_argument("--region", help="region to sweep (default: AWS_REGION, the profile's, else us-east-1)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")
    parser.add_argument("--cancel-timeout", type=float, default=300.0, help="seconds to wait for a cancelled build")
    # The kit's own tests: the fake's server standing in for Image Builder.
    parser.add_argument("--testing-endpoint-url", type=loopback_url, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep; 0 when everything found is gone, 1 when something could not be deleted."""
    args = build_parser().parse_args(argv)
    session = botocore.session.Session()
    region = args.region or session.get_config_variable("region") or "us-east-1"
    try:
        raw = session.create_client("imagebuilder", region_name=region, endpoint_url=args.testing_endpoint_url)
        client = ContractClient(raw)
        cutoff = dt.datetime.now(dt.UTC) - args.older_than
        leftovers = find_leftovers(client, cutoff)
    except (BotoCoreError, ClientError) as error:
        print(f"sweep: cannot list Image Builder resources in {region}: {error}", file=sys.stderr)
        return 1
    for kind, arns in leftovers.resources.items():
        for arn in arns:
            print(f"{'would delete' if args.dry_run else 'deleting'} {kind[:-1] if kind.endswith('s') else kind} {arn}")
    if leftovers.empty():
        print(f"sweep: nothing older than {args.older_than} in {region}")
        return 0
    if args.dry_run:
        return 0
    problems = leftovers.cleanup(client, _settler(client, args.cancel_timeout, 5.0))
    for problem in problems:
        print(f"sweep: could not delete {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
