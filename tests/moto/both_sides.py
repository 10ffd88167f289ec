"""Calls to both sides (moto's services and the fake's), and a record of everything either side patches."""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.handlers
from botocore.endpoint import Endpoint
from requests.adapters import HTTPAdapter

from fakeimagebuilder import FakeImageBuilder

REGION = "us-east-1"
BUCKET = "image-logs"
PARAMETER = "/images/parent"
PARENT_IMAGE = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"


def patched_state() -> tuple[Any, ...]:
    """Everything moto or the fake patches or registers, as it is now (functions compare by identity)."""
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.models import botocore_stubber

    return (
        list(botocore.handlers.BUILTIN_HANDLERS),
        Endpoint._send,
        BotocoreStubber.__call__,
        botocore_stubber.enabled,
        HTTPAdapter.send,
        boto3.DEFAULT_SESSION,
        {name: value for name, value in os.environ.items() if name.startswith("AWS_")},
    )


def use_moto() -> str:
    """Calls to S3, SSM and EC2, which moto serves; the id of the subnet made."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="hello.txt", Body=b"hello")
    boto3.client("ssm", region_name=REGION).put_parameter(Name=PARAMETER, Value=PARENT_IMAGE, Type="String")
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return str(ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"])


def moto_still_serves(subnet: str) -> None:
    """What :func:`use_moto` made is still there, in moto."""
    s3 = boto3.client("s3", region_name=REGION)
    assert s3.get_object(Bucket=BUCKET, Key="hello.txt")["Body"].read() == b"hello"
    parameter = boto3.client("ssm", region_name=REGION).get_parameter(Name=PARAMETER)["Parameter"]
    assert parameter["Value"] == PARENT_IMAGE
    subnets = boto3.client("ec2", region_name=REGION).describe_subnets(SubnetIds=[subnet])["Subnets"]
    assert [s["SubnetId"] for s in subnets] == [subnet]


def use_fake(subnet: str, name: str = "web") -> str:
    """Image Builder calls, through a boto3 client of the default session, made of what moto holds.

    Returns the pipeline's ARN.
    """
    parent = boto3.client("ssm", region_name=REGION).get_parameter(Name=PARAMETER)["Parameter"]["Value"]
    client = boto3.client("imagebuilder", region_name=REGION)
    recipe = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=parent, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(
        name=name, instanceProfileName="builder", subnetId=subnet, logging={"s3Logs": {"s3BucketName": BUCKET}}
    )["infrastructureConfigurationArn"]
    pipeline = client.create_image_pipeline(name=name, imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
    return str(pipeline["imagePipelineArn"])


def fake_still_serves(fake: FakeImageBuilder, pipeline: str, subnet: str) -> None:
    """The fake answers Image Builder calls and holds what :func:`use_fake` made; a build runs to AVAILABLE.

    The client is a new session's: this is called after moto has left too, and boto3's default session is moto's
    to make and take back.
    """
    client = boto3.session.Session().client("imagebuilder", region_name=REGION)
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    held = fake.state()[fake.account_id][REGION]
    assert [p["arn"] for p in held["imagePipelines"]] == [pipeline]
    assert [c["subnetId"] for c in held["infrastructureConfigurations"]] == [subnet]


def moto_answers_image_builder() -> str:
    """The error code an Image Builder call gets when moto, not the fake, answers it."""
    from botocore.exceptions import ClientError

    try:
        boto3.client("imagebuilder", region_name=REGION).list_image_pipelines()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    raise AssertionError("an Image Builder call succeeded without the fake")
