"""GetMarketplaceResource: the download of an AWS Marketplace component's document or artifact.

AWS "verifies the subscription and performs resource dependency checks on the
requested Amazon Web Services Marketplace resource. The caller must be
entitled to the resource" (model doc). The fake knows no Marketplace product:
a test names the components the caller is entitled to, with their YAML
(``fake.set_marketplace_components``, kept in
``Settings.marketplace_components``). Every choice here is assumed (ledger
``marketplace-resource``):

- The resource must be a component (the only kind ``resourceType`` names:
  COMPONENT_DATA, COMPONENT_ARTIFACT) of a Marketplace seller, an ARN whose
  account is ``aws-marketplace`` (the model's ARN pattern allows
  ``aws-<suffix>`` accounts; ImageSource has AWS_MARKETPLACE): a component
  of the caller's or of AWS's is no Marketplace resource
  (InvalidRequestException).
- COMPONENT_ARTIFACT needs ``resourceLocation``, the artifact's S3 location
  (model doc), and COMPONENT_DATA takes none (InvalidRequestException).
- A component the caller is not entitled to: ForbiddenException.
- COMPONENT_DATA answers ``data``, the YAML "obfuscated" (model doc): base64;
  COMPONENT_ARTIFACT answers ``url``, "a time-limited presigned URL" (model
  doc) of the artifact's S3 object, made up.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from .arns import Arn
from .errors import ForbiddenException, ImageBuilderError, InvalidRequestException
from .state import Scope

__all__ = ["MARKETPLACE_ACCOUNT", "check_marketplace_components", "get_marketplace_resource", "obfuscated"]

MARKETPLACE_ACCOUNT = "aws-marketplace"
"""The account a Marketplace component's ARN names (assumed)."""


def get_marketplace_resource(scope: Scope, params: dict[str, Any], now: float) -> dict[str, Any]:
    """GetMarketplaceResource: checked as the model allows, then refused: the fake sells no Marketplace product."""
    text, kind = params["resourceArn"], params["resourceType"]
    arn = Arn.parse(text)
    if arn.resource_type != "component" or arn.account != MARKETPLACE_ACCOUNT:
        raise InvalidRequestException(
            f"The resource '{text}' is not an AWS Marketplace component. Specify the ARN of a component "
            f"that an AWS Marketplace seller owns (account '{MARKETPLACE_ACCOUNT}')."
        )
    if arn.region != scope.region:
        raise InvalidRequestException(
            f"The resource '{text}' is in region '{arn.region}', but the request was sent to region '{scope.region}'."
        )
    location = params.get("resourceLocation")
    if kind == "COMPONENT_ARTIFACT" and location is None:
        raise InvalidRequestException("A resourceLocation is required to retrieve a COMPONENT_ARTIFACT.")
    if kind == "COMPONENT_DATA" and location is not None:
        raise InvalidRequestException("A resourceLocation applies only to COMPONENT_ARTIFACT resources.")
    data = scope.settings.marketplace_components.get(text)
    if data is None:
        raise ForbiddenException(
            f"You are not subscribed to the AWS Marketplace product of '{text}'. Subscribe to it in AWS Marketplace "
            "before you use it."
        )
    if location is None:
        return {"resourceArn": text, "data": obfuscated(data)}
    bucket, _, key = location[len("s3://") :].partition("/")
    signature = hashlib.sha256(f"{text}|{location}|{now}".encode()).hexdigest()
    url = (
        f"https://{bucket}.s3.{scope.region}.amazonaws.com/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Expires=900&X-Amz-Signature={signature}"
    )
    if len(url) > _MAX_TEXT:
        raise InvalidRequestException(f"The resourceLocation '{location}' is too long to be presigned.")
    return {"resourceArn": text, "url": url}


_MAX_TEXT = 1024
"""The longest ``data`` or ``url`` the model's output (NonEmptyString) allows."""


def obfuscated(data: str) -> str:
    """The ``data`` GetMarketplaceResource answers for a component's YAML: base64 (assumed)."""
    return base64.b64encode(data.encode()).decode()


def check_marketplace_components(components: Any) -> dict[str, str]:
    """``components`` (Marketplace component build version ARN -> YAML) checked; ValueError naming what is wrong."""
    if not isinstance(components, dict):
        raise ValueError(f"components must be a dict of component ARN -> YAML document, not {components!r}")
    for arn, data in components.items():
        try:
            parsed = Arn.parse(arn) if isinstance(arn, str) else None
        except ImageBuilderError:
            parsed = None
        if parsed is None or parsed.resource_type != "component" or parsed.account != MARKETPLACE_ACCOUNT:
            raise ValueError(
                f"{arn!r} is not a Marketplace component ARN "
                f"(arn:aws:imagebuilder:REGION:{MARKETPLACE_ACCOUNT}:component/NAME/X.Y.Z/N)"
            )
        if not isinstance(data, str) or not data:
            raise ValueError(f"the YAML document of {arn!r} must be a non-empty string")
        if len(obfuscated(data)) > _MAX_TEXT:
            raise ValueError(f"the YAML document of {arn!r} is too long: its data must fit in {_MAX_TEXT} characters")
    return dict(components)
