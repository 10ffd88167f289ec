"""The scan-findings and Marketplace control routes: planted over HTTP, seen through the API; bad bodies are 400."""

from __future__ import annotations

import base64

import pytest
from imagebuilder_scenario import boto3_client, control

from fakeimagebuilder.server import RunningServer

CIS = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/cis/1.0.0/1"


def test_findings_planted_over_http_reach_the_api(server: RunningServer) -> None:
    client = boto3_client(server.url)
    finding = {"vulnerabilityId": "CVE-2024-3094", "severity": "HIGH"}
    assert control(server.url, "scan_findings", {"findings": [finding]}) == (200, {"findings": 1})
    recipe = client.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    build = client.create_image(
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
        imageScanningConfiguration={"imageScanningEnabled": True},
    )["imageBuildVersionArn"]
    control(server.url, "advance", {"seconds": 3600})
    [found] = client.list_image_scan_findings()["findings"]
    assert (found["imageBuildVersionArn"], found["severity"]) == (build, "HIGH")
    status, page = control(server.url, "events")
    assert status == 200
    assert [e for e in page["events"] if e["detail-type"] == "EC2 Image Builder CVE Detected"]


def test_marketplace_components_over_http(server: RunningServer) -> None:
    assert control(server.url, "marketplace_components", {"components": {CIS: "name: cis\n"}}) == (
        200,
        {"components": 1},
    )
    answer = boto3_client(server.url).get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=CIS)
    assert base64.b64decode(answer["data"]) == b"name: cis\n"


@pytest.mark.parametrize(
    ("route", "body", "words"),
    [
        ("scan_findings", {}, "Expected"),
        ("scan_findings", {"findings": [{"severity": "HIGH"}]}, "vulnerabilityId"),
        ("scan_findings", {"findings": "CVE-1"}, "must be a list"),
        (
            "scan_findings",
            {"findings": [{"vulnerabilityId": "CVE-1", "severity": "HIGH", "inspectorScore": "high"}]},
            "Findings[0].inspectorScore: expected a number, got str",
        ),
        ("marketplace_components", {}, "Expected"),
        ("marketplace_components", {"components": {"x": "y"}}, "not a Marketplace"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(server: RunningServer, route: str, body: dict, words: str) -> None:
    status, answer = control(server.url, route, body)
    assert status == 400 and words in answer["message"]
    assert server.fake.settings.scan_findings == () and server.fake.settings.marketplace_components == {}
