"""Vulnerability scans: planted findings, their lists and aggregations, the CVE Detected event, and the knob."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.builds import DEFAULT_DURATIONS

XZ = {"vulnerabilityId": "CVE-2024-3094", "severity": "CRITICAL"}
OPENSSL = {
    "vulnerabilityId": "CVE-2023-0286",
    "severity": "HIGH",
    "packageVulnerabilityDetails": {"vulnerablePackages": [{"name": "openssl-libs", "version": "1.0.2k"}]},
    "fixAvailable": "NO",
}
SUDO = {"vulnerabilityId": "CVE-2023-22809", "severity": "MEDIUM"}
# The instant a build started at 0 leaves TESTING: the scan is done then.
SCANNED = sum(DEFAULT_DURATIONS[s] for s in ("PENDING", "CREATING", "BUILDING", "TESTING"))
SCANNING = {"imageScanningConfiguration": {"imageScanningEnabled": True}}


def _build(fake: Any, client: Any, pipeline: str) -> tuple[str, float]:
    return client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"], fake.clock.now()


def test_a_scan_finds_nothing_unless_findings_are_planted(fake: Any, client: Any, make_stack: Any) -> None:
    build, _ = _build(fake, client, make_stack(**SCANNING).pipeline_arn)
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    assert client.list_image_scan_findings()["findings"] == []
    assert client.list_image_scan_finding_aggregations()["responses"] == []
    assert not [e for e in fake.events if e["detail-type"] == "EC2 Image Builder CVE Detected"]


def test_planted_findings_appear_when_the_scan_is_done(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ, OPENSSL])
    pipeline = make_stack(**SCANNING).pipeline_arn
    build, started = _build(fake, client, pipeline)
    fake.advance(SCANNED - 1)
    assert client.list_image_scan_findings()["findings"] == []
    fake.advance(1)
    findings = client.list_image_scan_findings()["findings"]
    assert [f["packageVulnerabilityDetails"]["vulnerabilityId"] for f in findings] == ["CVE-2024-3094", "CVE-2023-0286"]
    first, second = findings
    assert (first["imageBuildVersionArn"], first["imagePipelineArn"], first["awsAccountId"]) == (
        build,
        pipeline,
        "123456789012",
    )
    assert first["severity"] == "CRITICAL" and first["type"] == "PACKAGE_VULNERABILITY"
    assert first["firstObservedAt"].timestamp() == pytest.approx(started + SCANNED)
    assert second["fixAvailable"] == "NO"
    assert second["packageVulnerabilityDetails"]["vulnerablePackages"] == [
        {"name": "openssl-libs", "version": "1.0.2k"}
    ]


def test_no_scan_without_scanning_or_without_tests(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ])
    _build(fake, client, make_stack("plain").pipeline_arn)
    _build(
        fake,
        client,
        make_stack("untested", imageTestsConfiguration={"imageTestsEnabled": False}, **SCANNING).pipeline_arn,
    )
    fake.advance(3600)
    assert client.list_image_scan_findings()["findings"] == []


def test_planting_applies_to_builds_started_afterwards(fake: Any, client: Any, make_stack: Any) -> None:
    pipeline = make_stack(**SCANNING).pipeline_arn
    before, _ = _build(fake, client, pipeline)
    fake.set_scan_findings([SUDO])
    after, _ = _build(fake, client, pipeline)
    fake.set_scan_findings([])
    fake.advance(3600)
    assert [f["imageBuildVersionArn"] for f in client.list_image_scan_findings()["findings"]] == [after]
    assert before != after


def test_a_build_cancelled_before_its_scan_has_no_findings(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ])
    build, _ = _build(fake, client, make_stack(**SCANNING).pipeline_arn)
    fake.advance(SCANNED - 10)
    assert fake.events  # the log has seen the build while it was still to be scanned
    client.cancel_image_creation(imageBuildVersionArn=build)
    fake.advance(3600)
    assert client.list_image_scan_findings()["findings"] == []
    assert not [e for e in fake.events if e["detail-type"] == "EC2 Image Builder CVE Detected"]


def test_filters_and_pages(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ, OPENSSL, SUDO])
    web = make_stack("web", **SCANNING).pipeline_arn
    api = make_stack("api", **SCANNING).pipeline_arn
    first, _ = _build(fake, client, web)
    _build(fake, client, api)
    fake.advance(3600)

    def ids(**request: Any) -> list[str]:
        return [
            f["packageVulnerabilityDetails"]["vulnerabilityId"]
            for f in client.list_image_scan_findings(**request)["findings"]
        ]

    assert len(ids()) == 6
    assert ids(filters=[{"name": "severity", "values": ["HIGH"]}]) == ["CVE-2023-0286"] * 2
    assert ids(filters=[{"name": "vulnerabilityId", "values": ["CVE-2024-3094"]}]) == ["CVE-2024-3094"] * 2
    assert len(ids(filters=[{"name": "imagePipelineArn", "values": [api]}])) == 3
    assert len(ids(filters=[{"name": "imageBuildVersionArn", "values": [first]}])) == 3
    page = client.list_image_scan_findings(maxResults=4)
    rest = client.list_image_scan_findings(maxResults=4, nextToken=page["nextToken"])
    assert len(page["findings"]) == 4 and len(rest["findings"]) == 2 and "nextToken" not in rest


def test_aggregations_count_by_the_filters_type(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ, OPENSSL, SUDO])
    web = make_stack("web", **SCANNING).pipeline_arn
    build, _ = _build(fake, client, web)
    _build(fake, client, web)
    fake.advance(3600)

    account = client.list_image_scan_finding_aggregations()
    assert account["aggregationType"] == "accountId"
    assert account["responses"] == [
        {
            "accountAggregation": {
                "accountId": "123456789012",
                "severityCounts": {"all": 6, "critical": 2, "high": 2, "medium": 2},
            }
        }
    ]
    image = client.list_image_scan_finding_aggregations(filter={"name": "imageBuildVersionArn", "values": [build]})
    assert image["aggregationType"] == "imageBuildVersionArn"
    assert image["responses"] == [
        {
            "imageAggregation": {
                "imageBuildVersionArn": build,
                "severityCounts": {"all": 3, "critical": 1, "high": 1, "medium": 1},
            }
        }
    ]
    pipeline = client.list_image_scan_finding_aggregations(filter={"name": "imagePipelineArn", "values": [web]})
    assert pipeline["responses"][0]["imagePipelineAggregation"]["severityCounts"]["all"] == 6
    cves = client.list_image_scan_finding_aggregations(filter={"name": "vulnerabilityId", "values": ["CVE-2023-22809"]})
    assert cves["responses"] == [
        {
            "vulnerabilityIdAggregation": {
                "vulnerabilityId": "CVE-2023-22809",
                "severityCounts": {"all": 2, "critical": 0, "high": 0, "medium": 2},
            }
        }
    ]


def test_cve_detected_event_when_the_scan_is_done(fake: Any, client: Any, make_stack: Any) -> None:
    fake.set_scan_findings([XZ, OPENSSL, SUDO, {"vulnerabilityId": "CVE-2020-1", "severity": "LOW"}])
    pipeline = make_stack(**SCANNING).pipeline_arn
    build, _ = _build(fake, client, pipeline)
    fake.advance(3600)
    events = fake.events
    [cve] = [e for e in events if e["detail-type"] == "EC2 Image Builder CVE Detected"]
    assert cve["source"] == "aws.imagebuilder" and cve["resources"] == [build, pipeline]
    assert cve["detail"]["finding-severity-counts"] == {"all": 4, "critical": 1, "high": 1, "medium": 1}
    assert cve["detail"]["resource-id"].startswith("i-")
    # At the instant the build left TESTING: after that state change, before the next one.
    changes = [e["detail"]["state"]["status"] for e in events if e["detail-type"].endswith("State Change")]
    position = events.index(cve)
    assert events[position - 1]["detail"]["state"]["status"] == "DISTRIBUTING"
    assert changes[-1] == "AVAILABLE"
    assert fake.events.count(cve) == 1  # once, however often the log is read
    assert [e["detail-type"] for e in fake.events].count("EC2 Image Builder CVE Detected") == 1


def test_cve_detected_reaches_a_subscriber_with_a_pattern(fake: Any, client: Any, make_stack: Any) -> None:
    got: list[dict[str, Any]] = []
    fake.subscribe(got.append, pattern={"detail-type": ["EC2 Image Builder CVE Detected"]})
    fake.set_scan_findings([XZ])
    _build(fake, client, make_stack(**SCANNING).pipeline_arn)
    fake.advance(3600)
    assert [e["detail"]["finding-severity-counts"]["critical"] for e in got] == [1]


@pytest.mark.parametrize(
    ("findings", "words"),
    [
        ("CVE-2024-3094", "must be a list"),
        ([{"severity": "HIGH"}], "needs a vulnerabilityId"),
        ([{"vulnerabilityId": "CVE-1", "severity": "SEVERE"}], "severity"),
        ([{**XZ, "imageBuildVersionArn": "x"}], "cannot be given"),
        ([{**XZ, "inspectorScore": float("nan")}], "JSON"),
        # Members of the wrong type anywhere inside (was: accepted, and ListImageScanFindings then failed).
        ([{**XZ, "inspectorScore": "high"}], r"findings\[0\]\.inspectorScore: expected a number, got str"),
        ([{**XZ, "title": {"a": [1]}}], r"findings\[0\]\.title: expected a string, got dict"),
        ([XZ, {**XZ, "title": None}], r"findings\[1\]\.title: expected a string"),
        ([{**XZ, "inspectorScore": True}], r"inspectorScore: expected a number, got bool"),
        (
            [{**XZ, "packageVulnerabilityDetails": {"cvss": [{"baseScore": "9.8"}]}}],
            r"findings\[0\]\.packageVulnerabilityDetails\.cvss\[0\]\.baseScore: expected a number",
        ),
        ([{**XZ, "remediation": {"recommendation": {"url": 3}}}], r"remediation\.recommendation\.url"),
    ],
)
def test_the_knob_refuses_what_is_no_finding(fake: Any, findings: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        fake.set_scan_findings(findings)
    assert fake.settings.scan_findings == ()


def test_planted_findings_survive_a_restart(tmp_path: Path, aws_env: None) -> None:
    state = tmp_path / "state.journal"
    first = FakeImageBuilder.from_state_file(state, speed=0)
    first.set_scan_findings([XZ])
    first.journal.close()
    second = FakeImageBuilder.from_state_file(state, speed=0)
    try:
        assert second.settings.scan_findings == (XZ,)
    finally:
        second.journal.close()


# When TESTING starts for a build started at 0; the scan is SCANNING for its first half, COLLECTING for the second.
TESTING = SCANNED - DEFAULT_DURATIONS["TESTING"]
COLLECTING = TESTING + DEFAULT_DURATIONS["TESTING"] / 2


def _scan_state(client: Any, build: str) -> Any:
    return client.get_image(imageBuildVersionArn=build)["image"].get("scanState")


def test_scan_state_moves_from_pending_through_scanning_and_collecting_to_completed(
    fake: Any, client: Any, make_stack: Any, raw_bodies: dict[str, bytes], check_output: Any
) -> None:
    # Model doc of ImageScanState.status: "The scan starts as PENDING and moves through SCANNING and COLLECTING to
    # COMPLETED." The fake scans while TESTING and completes when its findings appear (ledger scan-state).
    fake.set_scan_findings([XZ])
    build, started = _build(fake, client, make_stack(**SCANNING).pipeline_arn)
    seen = []
    for at in (0, TESTING - 1, TESTING, COLLECTING - 1, COLLECTING, SCANNED - 1, SCANNED, 3600):
        fake.advance(started + at - fake.clock.now())
        state = _scan_state(client, build)
        check_output("GetImage", raw_bodies["GetImage"])
        seen.append((state["status"], len(client.list_image_scan_findings()["findings"])))
    assert seen == [
        ("PENDING", 0),
        ("PENDING", 0),
        ("SCANNING", 0),
        ("SCANNING", 0),
        ("COLLECTING", 0),
        ("COLLECTING", 0),
        ("COMPLETED", 1),
        ("COMPLETED", 1),
    ]
    assert _scan_state(client, build) == {"status": "COMPLETED"}  # no reason but for ABANDONED


def test_a_scan_the_build_ends_before_is_abandoned(fake: Any, client: Any, make_stack: Any) -> None:
    # "Image Builder sets the status to ABANDONED if the image reaches a terminal state before the scan finding
    # collection completes" (model doc of ImageScanState.status); a build failing after TESTING was scanned.
    cancelled, _ = _build(fake, client, make_stack("cancelled", **SCANNING).pipeline_arn)
    fake.advance(TESTING + 1)
    assert _scan_state(client, cancelled) == {"status": "SCANNING"}
    client.cancel_image_creation(imageBuildVersionArn=cancelled)
    ends = {}
    for fail_during in ("BUILDING", "TESTING", "DISTRIBUTING"):
        pipeline = make_stack(fail_during.lower(), **SCANNING).pipeline_arn
        fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during=fail_during), pipeline_arn=pipeline)
        ends[fail_during] = _build(fake, client, pipeline)[0]
    fake.advance(3600)

    assert _scan_state(client, cancelled) == {
        "status": "ABANDONED",
        "reason": "The image reached status CANCELLED before the scan findings were collected.",
    }
    assert _scan_state(client, ends["BUILDING"])["status"] == "ABANDONED"
    assert _scan_state(client, ends["TESTING"]) == {
        "status": "ABANDONED",
        "reason": "The image reached status FAILED before the scan findings were collected.",
    }
    assert _scan_state(client, ends["DISTRIBUTING"]) == {"status": "COMPLETED"}


def test_no_scan_state_without_scanning_or_without_tests(fake: Any, client: Any, make_stack: Any) -> None:
    plain, _ = _build(fake, client, make_stack("plain").pipeline_arn)
    untested_stack = make_stack("untested", imageTestsConfiguration={"imageTestsEnabled": False}, **SCANNING)
    untested, _ = _build(fake, client, untested_stack.pipeline_arn)
    fake.advance(3600)
    assert _scan_state(client, plain) is None
    assert _scan_state(client, untested) is None


@pytest.mark.skipif("RetryImage" not in service_model().operation_names, reason="the installed model has no RetryImage")
def test_a_retry_keeps_a_finished_scan_and_scans_again_after_an_abandoned_one(
    fake: Any, client: Any, make_stack: Any
) -> None:
    fake.set_scan_findings([XZ])
    kept_stack = make_stack("kept", **SCANNING)
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="DISTRIBUTING"), pipeline_arn=kept_stack.pipeline_arn)
    kept, _ = _build(fake, client, kept_stack.pipeline_arn)
    again_stack = make_stack("again", **SCANNING)
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="TESTING"), pipeline_arn=again_stack.pipeline_arn)
    again, _ = _build(fake, client, again_stack.pipeline_arn)
    fake.advance(3600)
    assert _scan_state(client, again)["status"] == "ABANDONED"
    fake.set_build_plan(BuildPlan(), pipeline_arn=kept_stack.pipeline_arn)
    fake.set_build_plan(BuildPlan(), pipeline_arn=again_stack.pipeline_arn)

    client.retry_image(imageBuildVersionArn=kept)  # resumes at DISTRIBUTING: the first attempt's scan stands
    client.retry_image(imageBuildVersionArn=again)  # resumes at TESTING: scans anew
    fake.advance(1)
    assert _scan_state(client, kept) == {"status": "COMPLETED"}
    assert _scan_state(client, again) == {"status": "SCANNING"}
    assert [f["imageBuildVersionArn"] for f in client.list_image_scan_findings()["findings"]] == [kept]
    fake.advance(3600)
    assert _scan_state(client, again) == {"status": "COMPLETED"}
    assert sorted(f["imageBuildVersionArn"] for f in client.list_image_scan_findings()["findings"]) == sorted(
        [kept, again]
    )
