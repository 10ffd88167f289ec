"""What Create accepts, Get echoes exactly, with AWS's defaults filled in: a property of every kind.

Infrastructure-as-code tools (Terraform, CloudFormation, Pulumi) compare what
they sent with what Get answers; a member read back otherwise shows as
endless drift. Each example creates one resource with a valid base request
plus any of its kind's optional members, drawn from the installed model
(``strategies.model_members``), and reads it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder import strategies as ibst
from fakeimagebuilder.model import service_model

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
COMPONENT_DOCUMENT = (
    "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n        action: ExecuteBash\n"
    "        inputs:\n          commands:\n            - echo hello\n"
)
WORKFLOW_DOCUMENT = "schemaVersion: 1.0\nsteps:\n  - name: Launch\n    action: LaunchInstance\n    onFailure: Abort\n"


def _pipeline_base(client: Any) -> dict[str, Any]:
    recipe = client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT, components=COMPONENTS)
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
    return {
        "name": "web",
        "imageRecipeArn": recipe["imageRecipeArn"],
        "infrastructureConfigurationArn": infra["infrastructureConfigurationArn"],
    }


@dataclass(frozen=True)
class Kind:
    """How to create one kind and read it back, and what AWS fills in when Create leaves a member out."""

    create: str
    get: str
    base: Callable[[Any], dict[str, Any]]
    optional: tuple[str, ...]
    defaults: dict[str, Any]
    renamed: tuple[tuple[str, str], ...] = ()  # (what Create takes, what Get shows)


KINDS = {
    "component": Kind(
        "CreateComponent",
        "GetComponent",
        lambda c: {"name": "hello", "semanticVersion": "1.0.0", "platform": "Linux", "data": COMPONENT_DOCUMENT},
        ("description", "changeDescription", "supportedOsVersions", "kmsKeyId", "tags"),
        {"type": "BUILD", "encrypted": True, "tags": {}},
        (("semanticVersion", "version"),),
    ),
    "workflow": Kind(
        "CreateWorkflow",
        "GetWorkflow",
        lambda c: {"name": "launch", "semanticVersion": "1.0.0", "type": "BUILD", "data": WORKFLOW_DOCUMENT},
        ("description", "changeDescription", "kmsKeyId", "tags"),
        {"tags": {}},
        (("semanticVersion", "version"),),
    ),
    "image recipe": Kind(
        "CreateImageRecipe",
        "GetImageRecipe",
        lambda c: {"name": "web", "semanticVersion": "1.0.0", "parentImage": PARENT, "components": COMPONENTS},
        (
            "description",
            "blockDeviceMappings",
            "tags",
            "workingDirectory",
            "additionalInstanceConfiguration",
            "amiTags",
        ),
        {"workingDirectory": "/tmp", "platform": "Linux", "type": "AMI", "tags": {}},
        (("semanticVersion", "version"),),
    ),
    "container recipe": Kind(
        "CreateContainerRecipe",
        "GetContainerRecipe",
        lambda c: {
            "containerType": "DOCKER",
            "name": "box",
            "semanticVersion": "1.0.0",
            "parentImage": "amazonlinux:latest",
            "components": COMPONENTS,
            "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}\n",
            "targetRepository": {"service": "ECR", "repositoryName": "web"},
        },
        ("description", "instanceConfiguration", "imageOsVersionOverride", "tags", "workingDirectory", "kmsKeyId"),
        {"platform": "Linux", "encrypted": True, "tags": {}},
        (("semanticVersion", "version"),),
    ),
    "infrastructure configuration": Kind(
        "CreateInfrastructureConfiguration",
        "GetInfrastructureConfiguration",
        lambda c: {"name": "web", "instanceProfileName": "builder"},
        (
            "description",
            "instanceTypes",
            "securityGroupIds",
            "subnetId",
            "logging",
            "keyPair",
            "terminateInstanceOnFailure",
            "snsTopicArn",
            "resourceTags",
            "instanceMetadataOptions",
            "tags",
            "placement",
        ),
        {"tags": {}},
    ),
    "distribution configuration": Kind(
        "CreateDistributionConfiguration",
        "GetDistributionConfiguration",
        lambda c: {"name": "web", "distributions": [{"region": "us-east-1", "amiDistributionConfiguration": {}}]},
        ("description", "tags"),
        {"tags": {}},
    ),
    "image pipeline": Kind(
        "CreateImagePipeline",
        "GetImagePipeline",
        _pipeline_base,
        (
            "description",
            "imageTestsConfiguration",
            "enhancedImageMetadataEnabled",
            "status",
            "tags",
            "imageTags",
            "imageScanningConfiguration",
            "executionRole",
            "loggingConfiguration",
        ),
        {
            "status": "ENABLED",
            "enhancedImageMetadataEnabled": True,
            "imageTestsConfiguration": {"imageTestsEnabled": True, "timeoutMinutes": 720},
            "tags": {},
        },
    ),
    "lifecycle policy": Kind(
        "CreateLifecyclePolicy",
        "GetLifecyclePolicy",
        lambda c: {
            "name": "keep",
            "executionRole": "lifecycle-role",
            "resourceType": "AMI_IMAGE",
            "policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 5}}],
            "resourceSelection": {"tagMap": {"env": "test"}},
        },
        ("description", "status", "tags"),
        {"tags": {}},
    ),
}

each_example = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _method(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def _available(kind: Kind) -> tuple[str, ...]:
    """The optional members the installed model has (older models lack some)."""
    members = service_model().operation_model(kind.create).input_shape.members
    return tuple(name for name in kind.optional if name in members)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_get_echoes_what_create_accepted_with_awss_defaults(fake: FakeImageBuilder, client: Any, name: str) -> None:
    kind = KINDS[name]

    @each_example
    @given(optional=ibst.model_members(kind.create, _available(kind)))
    def check(optional: dict[str, Any]) -> None:
        fake.reset()
        sent = {**kind.base(client), **optional}
        answer = getattr(client, _method(kind.create))(**sent)
        arn = next(value for key, value in answer.items() if key.endswith("Arn") and isinstance(value, str))
        get = service_model().operation_model(kind.get)
        [member] = get.input_shape.members
        name = kind.get[3].lower() + kind.get[4:]  # GetImagePipeline answers imagePipeline
        shown_members = set(get.output_shape.members[name].members)
        document = getattr(client, _method(kind.get))(**{member: arn})[name]
        renamed = dict(kind.renamed)
        for key, value in sent.items():
            shown = renamed.get(key, key)
            if shown in shown_members:  # what Get's document cannot hold (imageOsVersionOverride) it cannot echo
                assert document.get(shown) == value, (key, value, document.get(shown))
        for key, value in kind.defaults.items():
            if key not in sent:
                assert document.get(key) == value, (key, document.get(key))

    check()


def test_model_members_refuses_a_member_the_operation_does_not_take() -> None:
    with pytest.raises(ValueError, match="CreateComponent takes no colour"):
        ibst.model_members("CreateComponent", ("description", "colour"))
