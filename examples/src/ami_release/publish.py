"""React to a finished build: when Image Builder says an image is AVAILABLE, publish its AMI to an SSM parameter.

This is what a Lambda function behind an EventBridge rule on
``{"source": ["aws.imagebuilder"], "detail-type": ["EC2 Image Builder Image
State Change"], "detail": {"state": {"status": ["AVAILABLE"]}}}`` would run.
"""

from __future__ import annotations

from typing import Any

import boto3

__all__ = ["AVAILABLE_IMAGES", "publish_latest_ami"]

AVAILABLE_IMAGES = {
    "source": ["aws.imagebuilder"],
    "detail-type": ["EC2 Image Builder Image State Change"],
    "detail": {"state": {"status": ["AVAILABLE"]}},
}
"""The EventBridge pattern of the rule that invokes :func:`publish_latest_ami`."""


def publish_latest_ami(event: dict[str, Any], parameter: str, session: Any = None) -> str | None:
    """On an AVAILABLE image: find its AMI in this region, check EC2 has it, and write its id to ``parameter``.

    Returns the AMI id, or None for any other event.
    """
    if event.get("detail", {}).get("state", {}).get("status") != "AVAILABLE":
        return None
    session = session or boto3.session.Session()
    region = event["region"]
    imagebuilder = session.client("imagebuilder", region_name=region)
    image = imagebuilder.get_image(imageBuildVersionArn=event["resources"][0])["image"]
    [ami] = [a for a in image["outputResources"]["amis"] if a["region"] == region]
    # EC2 must know it (and it must be the image's AMI) before anything launches from the parameter.
    [described] = session.client("ec2", region_name=region).describe_images(ImageIds=[ami["image"]])["Images"]
    tags = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
    if tags.get("Ec2ImageBuilderArn") != image["arn"]:
        raise ValueError(f"{ami['image']} is not the AMI of {image['arn']}")
    session.client("ssm", region_name=region).put_parameter(
        Name=parameter, Value=ami["image"], Type="String", DataType="aws:ec2:image", Overwrite=True
    )
    return ami["image"]
