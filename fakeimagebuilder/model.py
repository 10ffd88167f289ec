"""botocore's Image Builder service model: the contract every layer above reads.

Nothing here is hand-copied from AWS: routes, members and constraints all come
from the installed botocore's ``imagebuilder`` model.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import DataNotFoundError
from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel
from botocore.regions import EndpointResolver

__all__ = [
    "Route",
    "RouteTable",
    "data_loader",
    "endpoint_resolver",
    "error_statuses",
    "error_statuses_of",
    "known_regions",
    "routes",
    "service_model",
]


@functools.cache
def data_loader() -> Loader:
    """botocore's data loader as a session would make it, without reading the caller's AWS config.

    A session reads its data path from the profile, so a missing ``AWS_PROFILE``
    or a config file that does not parse would fail the fake before any call.
    The fake needs none of that: the installed data, plus ``AWS_DATA_PATH``.
    """
    return create_loader(os.environ.get("AWS_DATA_PATH"))


@functools.cache
def service_model() -> ServiceModel:
    """The installed botocore's Image Builder model (loaded once per process)."""
    return ServiceModel(data_loader().load_service_model("imagebuilder", "service-2"), service_name="imagebuilder")


@functools.cache
def endpoint_resolver() -> EndpointResolver:
    """botocore's resolver of its endpoint data: partitions and the regions each service has."""
    return EndpointResolver(data_loader().load_data("endpoints"))


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of the installed botocore's endpoint data: its partitions' and Image Builder's own.

    Empty when botocore ships no endpoint data (then no region can be told apart from a typo).
    """
    try:
        data: Any = data_loader().load_data("endpoints")
    except DataNotFoundError:
        return frozenset()
    regions: set[str] = set()
    for partition in data.get("partitions", ()):
        regions.update(partition.get("regions", {}))
        regions.update(partition.get("services", {}).get("imagebuilder", {}).get("endpoints", {}))
    return frozenset(regions)


def error_statuses_of(model: ServiceModel) -> dict[str, int]:
    """Every error shape of ``model``, with the HTTP status it is answered with."""
    statuses: dict[str, int] = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        if shape.metadata.get("exception"):
            statuses[name] = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    return statuses


@functools.cache
def error_statuses() -> dict[str, int]:
    """Every error shape of the installed model, with its HTTP status (read once per process)."""
    return error_statuses_of(service_model())


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's HTTP binding: method and ``requestUri`` template."""

    operation: OperationModel
    method: str
    pattern: re.Pattern[str] | None  # None for a path without URI labels
    labels: tuple[tuple[str, str], ...]  # (regex group, member name)


class RouteTable:
    """Finds the operation for an HTTP method and raw (still percent-encoded) path."""

    def __init__(self, model: ServiceModel) -> None:
        self._static: dict[tuple[str, str], Route] = {}
        self._labelled: list[Route] = []
        self._methods_by_path: dict[str, list[str]] = {}
        for name in model.operation_names:
            op = model.operation_model(name)
            method = op.http["method"].upper()
            path = op.http["requestUri"].split("?", 1)[0]
            if "{" not in path:
                self._static[(method, path)] = Route(op, method, None, ())
                self._methods_by_path.setdefault(path, []).append(method)
                continue
            labels: list[tuple[str, str]] = []

            def label(match: re.Match[str], labels: list[tuple[str, str]] = labels) -> str:
                group = f"g{len(labels)}"
                member, greedy = match.group(1), match.group(2) == "+"
                labels.append((group, member))
                return f"(?P<{group}>.+)" if greedy else f"(?P<{group}>[^/]+)"

            regex = re.sub(r"\{([^}+]+)(\+?)\}", label, re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
            self._labelled.append(Route(op, method, re.compile(regex + r"\Z"), tuple(labels)))

    def find(self, method: str, path: str) -> tuple[Route | None, list[str]]:
        """The route for ``method path``, or None and the methods the path does serve."""
        route = self._static.get((method, path))
        if route is not None:
            return route, []
        allowed = list(self._methods_by_path.get(path, ()))
        for candidate in self._labelled:
            assert candidate.pattern is not None
            if candidate.pattern.match(path):
                if candidate.method == method:
                    return candidate, []
                allowed.append(candidate.method)
        return None, allowed


@functools.cache
def routes() -> RouteTable:
    """The route table of the installed model (built once per process)."""
    return RouteTable(service_model())
