"""Vulnerability scan findings: ListImageScanFindings, ListImageScanFindingAggregations, and the CVE Detected event.

With scanning on, Amazon Inspector scans the test instance and Image Builder
keeps "a snapshot of the findings from your test instance" (user guide,
image-security-findings.html); scanning needs image tests (model doc of
``imageScanningEnabled``). The fake has no Inspector: a build's scan finds
exactly what a test planted (``fake.set_scan_findings``, kept in
``Settings.scan_findings`` when the build starts), and nothing otherwise.
The scan is done, its findings listed and its "EC2 Image Builder CVE
Detected" event sent, when the build leaves TESTING (the fake's choice,
ledger ``scan-findings``; ``Build.scan_done_at``, which also gives
GetImage's scanState); a build that ends before then was not scanned, and a
retry that resumes after TESTING keeps the scan its earlier attempt finished.

A planted finding is an ``ImageScanFinding`` of the model without what the
build gives it (account, image, pipeline, times): ``vulnerabilityId`` and
``severity`` (Inspector's: UNTRIAGED, INFORMATIONAL, LOW, MEDIUM, HIGH,
CRITICAL) are required; :func:`check_planted` checks one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .builds import Build
from .events import Pending, cve_detected
from .filters import unsupported_filter
from .paging import page
from .state import Scope

__all__ = [
    "SEVERITIES",
    "CveDetections",
    "check_planted",
    "list_image_scan_finding_aggregations",
    "list_image_scan_findings",
]

SEVERITIES = ("UNTRIAGED", "INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
"""Inspector's severity ratings (user guide, image-security-findings.html)."""

# What a planted finding may set: the model's ImageScanFinding members the build does not give it.
_PLANTABLE = frozenset(
    {
        "vulnerabilityId",
        "severity",
        "type",
        "title",
        "description",
        "remediation",
        "inspectorScore",
        "inspectorScoreDetails",
        "packageVulnerabilityDetails",
        "fixAvailable",
    }
)

_FILTERS = ("imageBuildVersionArn", "imagePipelineArn", "vulnerabilityId", "severity")
"""ListImageScanFindings' filter names (model doc of ``filters``)."""

_AGGREGATIONS = {
    "accountId": ("accountAggregation", "accountId"),
    "imageBuildVersionArn": ("imageAggregation", "imageBuildVersionArn"),
    "imagePipelineArn": ("imagePipelineAggregation", "imagePipelineArn"),
    "vulnerabilityId": ("vulnerabilityIdAggregation", "vulnerabilityId"),
}
"""Aggregation type (the filter's name; accountId without one) -> response member and its key (model docs)."""


def check_planted(findings: Any) -> tuple[dict[str, Any], ...]:
    """``findings`` as planted findings, each checked; ValueError naming what is wrong."""
    if not isinstance(findings, list | tuple):
        raise ValueError(f"findings must be a list of findings, not {findings!r}")
    checked = []
    for index, finding in enumerate(findings):
        if not isinstance(finding, dict):
            raise ValueError(f"findings[{index}] must be a dict, not {finding!r}")
        unknown = sorted(set(finding) - _PLANTABLE)
        if unknown:
            raise ValueError(f"findings[{index}] has members a finding cannot be given: {unknown}")
        vulnerability = finding.get("vulnerabilityId")
        if not isinstance(vulnerability, str) or not vulnerability:
            raise ValueError(f"findings[{index}] needs a vulnerabilityId (such as 'CVE-2024-3094')")
        if finding.get("severity") not in SEVERITIES:
            raise ValueError(
                f"findings[{index}]['severity'] must be one of {SEVERITIES}, not {finding.get('severity')!r}"
            )
        checked.append(dict(finding))
    return tuple(checked)


def _finding(scope: Scope, build: Build, planted: dict[str, Any], at: float) -> dict[str, Any]:
    """A planted finding as ListImageScanFindings shows it for ``build``."""
    vulnerability = planted["vulnerabilityId"]
    details = {
        "vulnerabilityId": vulnerability,
        "source": "NVD",
        "sourceUrl": f"https://nvd.nist.gov/vuln/detail/{vulnerability}",
        **(planted.get("packageVulnerabilityDetails") or {}),
    }
    finding: dict[str, Any] = {
        "awsAccountId": scope.account,
        "imageBuildVersionArn": build.arn,
        "type": "PACKAGE_VULNERABILITY",
        "title": vulnerability,
        "description": f"{vulnerability}: a vulnerability Amazon Inspector found on the test instance.",
        "severity": planted["severity"],
        "firstObservedAt": at,
        "updatedAt": at,
        "fixAvailable": "YES",
        **{k: v for k, v in planted.items() if k not in ("vulnerabilityId", "packageVulnerabilityDetails")},
        "packageVulnerabilityDetails": details,
    }
    if build.pipeline.get("arn"):
        finding["imagePipelineArn"] = build.pipeline["arn"]
    return finding


def _findings(scope: Scope, now: float) -> list[tuple[int, dict[str, Any]]]:
    """Every finding of the scope's scans done by ``now``, with its place in the list (builds' order, then plant)."""
    found = []
    for arn, build in scope.builds.items():
        if not build.scan_findings:
            continue
        at = build.scan_done_at()
        if at is None or at > now:
            continue
        base = scope.builds.serial(arn) * 10_000
        found.extend((base + i, _finding(scope, build, planted, at)) for i, planted in enumerate(build.scan_findings))
    return found


def _value(finding: dict[str, Any], name: str) -> str | None:
    if name == "vulnerabilityId":
        return finding["packageVulnerabilityDetails"]["vulnerabilityId"]
    if name == "accountId":
        return finding["awsAccountId"]
    return finding.get(name)


def list_image_scan_findings(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImageScanFindings: the account's findings, filtered by one of the model's filter names, in pages."""
    filters = params.get("filters") or []
    for f in filters:
        if f.get("name") not in _FILTERS:
            raise unsupported_filter(f.get("name"), _FILTERS)
    wanted = [(f["name"], set(f.get("values") or ())) for f in filters]
    found = [
        (place, finding)
        for place, finding in _findings(scope, now)
        if all(_value(finding, name) in values for name, values in wanted)
    ]
    shown, token = page(scope, found, params, ("ListImageScanFindings", filters), lambda item: item[0])
    return {"findings": [finding for _, finding in shown], "nextToken": token}


def _counts(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    """SeverityCounts: all findings, and those of medium severity and higher (model doc of aggregationType)."""
    severities = [f["severity"] for f in findings]
    return {
        "all": len(severities),
        "critical": severities.count("CRITICAL"),
        "high": severities.count("HIGH"),
        "medium": severities.count("MEDIUM"),
    }


def list_image_scan_finding_aggregations(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """ListImageScanFindingAggregations: severity counts per key of the filter's type (the account without one).

    The filter's name picks the aggregation type and its values the keys
    counted (assumed from the model docs; ledger ``scan-findings``); keys
    with no finding are left out.
    """
    chosen = params.get("filter")
    name = chosen.get("name") if chosen else "accountId"
    if name not in _AGGREGATIONS:
        raise unsupported_filter(name, _AGGREGATIONS)
    values = set(chosen.get("values") or ()) if chosen else None
    groups: dict[str, list[dict[str, Any]]] = {}
    for _, finding in _findings(scope, now):
        key = _value(finding, name)
        if key is not None and (values is None or key in values):
            groups.setdefault(key, []).append(finding)
    member, key_member = _AGGREGATIONS[name]
    responses = [{member: {key_member: key, "severityCounts": _counts(group)}} for key, group in groups.items()]
    places = {key: i for i, key in enumerate(groups)}
    shown, token = page(
        scope,
        responses,
        params,
        ("ListImageScanFindingAggregations", name, sorted(values or ())),
        lambda item: places[item[member][key_member]],
    )
    return {"aggregationType": name, "responses": shown, "nextToken": token}


@dataclass(slots=True)
class CveDetections:
    """"EC2 Image Builder CVE Detected" events: one when a build's scan is done and found something.

    Only builds added since the last look are walked (newest first, back to
    the last one seen), so a log read costs nothing per build that scans nothing.
    """

    # Per (account, region): the serial of the newest build looked at.
    _seen: dict[tuple[str, str], int] = field(default_factory=dict)
    # Builds with findings whose event is not sent yet.
    _waiting: list[tuple[Scope, Build]] = field(default_factory=list)

    def collect(self, scopes: Iterable[Scope], upto: float) -> list[Pending]:
        """Every scan with findings done at or before ``upto`` whose event was not collected before."""
        for scope in scopes:
            key = (scope.account, scope.region)
            last = self._seen.get(key, 0)
            fresh = []
            for arn, build in reversed(scope.builds.items()):
                serial = scope.builds.serial(arn)
                if serial <= last:
                    break
                if build.scan_findings:
                    fresh.append((scope, build))
            if scope.builds:
                self._seen[key] = max(last, scope.builds.serial(next(reversed(scope.builds))))
            self._waiting.extend(reversed(fresh))
        found, still = [], []
        for scope, build in self._waiting:
            at = build.scan_done_at()
            if at is not None and at <= upto:
                found.append(_event(scope, build, at))
            elif scope.builds.get(build.arn) is build and (at is not None or build.end_at > upto):
                still.append((scope, build))  # its scan may still be done (a cancel moves the end)
        self._waiting = still
        return found

    def clear(self) -> None:
        """Forget what was seen and sent."""
        self._seen.clear()
        self._waiting.clear()


def _event(scope: Scope, build: Build, at: float) -> Pending:
    """The CVE Detected event of ``build``'s scan, done at ``at``."""
    # The test instance Inspector scanned: made up, stable per build.
    instance = "i-" + hashlib.sha256(f"test-instance|{build.arn}".encode()).hexdigest()[:17]
    event = cve_detected(
        scope, at, build.arn, build.pipeline.get("arn"), instance, _counts(build.scan_findings), origin=build.origin
    )
    # After the same instant's state changes (BuildStateChanges orders by (build, rank)).
    return Pending(at, (float("inf"), scope.builds.serial(build.arn)), event)
