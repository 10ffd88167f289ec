"""The fake's events, into moto's backends, in-process: EventBridge, SNS and the AMIs in EC2.

Imported only while moto's ``mock_aws`` is active (:mod:`..events` looks in
``sys.modules`` first): without moto, none of this is loaded.

- Each event goes on the default bus of its account and region through
  moto's own ``put_events``, so moto's rules and their targets (an SQS queue,
  a log group) receive it. moto gives the event an id of its own.
- The SNS message of a finished build is published to the infrastructure
  configuration's topic, if moto has that topic.
- The AMIs of an AVAILABLE build (one per region it outputs to) are
  registered in moto's EC2 of their region with their ids, names,
  descriptions and tags, so ``ec2.describe_images`` finds them. A copy
  distributed to a target account is registered in that account's EC2 (it
  owns the copy), not in the build's.
- Each launch template its distribution names in a region gets a new
  version in moto's EC2 of that account and region: the default version's
  data with that region's AMI as ``ImageId``, made the default when asked.
  A template moto does not have is reported to ``failed``, not raised: the
  rest of the delivery goes on.
- A lifecycle DELETE that includes the AMIs deregisters them (and deletes
  their snapshots, if included). moto's EC2 (5.x) models neither an AMI's
  deprecation time nor DisableImage: DEPRECATE and DISABLE leave it as it was.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from moto.backends import get_backend

from ..service.events import Ami, LaunchTemplateUpdate, Notification, Record
from ..service.lifecycle_executions import AmiAction

__all__ = ["apply_lifecycle", "publish", "register", "session", "update_launch_template"]

# An account whose EC2... any fixed one: only the identity of its events backend matters (see session()).
_MARKER_ACCOUNT = "123456789012"


def _backends(service: str) -> Any:
    """moto's backends of ``service``, looked up as moto's own request handling looks them up, on each use."""
    return get_backend(service)  # type: ignore[call-overload]


def _ami_class() -> Any:
    from moto.ec2.models.amis import Ami

    return Ami


def session() -> object:
    """What tells one ``mock_aws`` session from the next: an object moto replaces when it resets its backends.

    moto's reset (each outermost ``mock_aws`` start, unless told not to) clears
    every backend dictionary; the per-account backend is made afresh on next use.
    """
    return _backends("events")[_MARKER_ACCOUNT]


def publish(record: Record, failed: Callable[[Exception], None]) -> None:
    """Hand one of the fake's events (and what comes with it) to moto.

    A launch template moto cannot update goes to ``failed`` and the delivery goes on: the event and SNS
    message still go out (on AWS the AMIs exist and were announced whatever happened to a template).
    """
    for ami in record.amis:  # one in each region the build outputs to
        register(ami)
    for update in record.launch_templates:  # after the AMIs: a version names an AMI EC2 has
        try:
            update_launch_template(update)
        except Exception as error:
            failed(error)
    event = record.event
    _backends("events")[event["account"]][event["region"]].put_events(
        [
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": list(event["resources"]),
                "Time": int(record.at),  # moto writes epoch seconds out as EventBridge does
                "EventBusName": "default",
            }
        ]
    )
    if record.notification is not None:
        _notify(record.notification, event["account"], event["region"])


def register(ami: Ami) -> None:
    """Register the AMI in moto's EC2 (once: an AMI it has already is left alone)."""
    backend = _backends("ec2")[ami.account][ami.region]
    if ami.image_id in backend.amis:
        return
    # The class of the module moto itself uses now (a test runner may have reloaded moto since we were imported).
    moto_ami = _ami_class()
    backend.amis[ami.image_id] = moto_ami(
        backend,
        ami.image_id,
        name=ami.name,
        description=ami.description,
        owner_id=ami.account,
        platform="windows" if ami.platform == "Windows" else None,
        architecture="x86_64",
        virtualization_type="hvm",
        root_device_type="ebs",
        root_device_name="/dev/xvda",
        region_name=f"{ami.region}a",  # moto makes the AMI's snapshot in this zone
    )
    # Tagged through the backend, as CreateTags does (moto 5.0's Ami takes no tags of its own).
    backend.create_tags([ami.image_id], dict(ami.tags))


def update_launch_template(update: LaunchTemplateUpdate) -> None:
    """Make the new version of the launch template in moto's EC2 (its account and region), default if asked.

    LookupError if moto's EC2 there has no template of that id.
    """
    backend = _backends("ec2")[update.account][update.region]
    template = backend.launch_templates.get(update.launch_template_id)
    if template is None:
        raise LookupError(
            f"launch template {update.launch_template_id} is not in moto's EC2 of account {update.account} in "
            f"{update.region}: Image Builder could not give it a version with {update.image_id}"
        )
    # "all of the original settings from the template": those of its default version (the fake's reading).
    source = template.default_version()
    data = {**copy.deepcopy(source.data), "ImageId": update.image_id}
    version = template.create_version(data, source.description)
    if update.set_default:
        template.default_version_number = version.number


def apply_lifecycle(action: AmiAction) -> None:
    """Do to the AMI in moto's EC2 what a lifecycle action did: a DELETE deregisters it (as
    DeregisterImage does) and deletes its snapshot if the action includes snapshots (user guide,
    image-lifecycle-rules.html: the Delete rule can "deregister associated AMIs or delete the snapshots").

    An AMI moto does not hold (never registered in this session, or deregistered through EC2) is left alone.
    """
    if action.status != "DELETED":
        return  # moto models no deprecation time and no disabled AMIs (ledger moto-lifecycle-deprecate)
    backend = _backends("ec2")[action.account][action.region]
    ami = backend.amis.get(action.image_id)
    if ami is None:
        return
    backend.deregister_image(action.image_id)
    snapshot = getattr(ami, "ebs_snapshot", None)
    if action.snapshots and snapshot is not None and snapshot.id in backend.snapshots:
        backend.delete_snapshot(snapshot.id)  # after the AMI is gone: moto refuses a snapshot in use


def _notify(notification: Notification, account: str, region: str) -> None:
    # The topic's own account and region (it names them), which may differ from the build's.
    parts = notification.topic_arn.split(":")
    if len(parts) < 6:
        return
    backend = _backends("sns")[parts[4] or account][parts[3] or region]
    if notification.topic_arn not in backend.topics:
        return
    # No attributes: Image Builder sets none (and moto 5.0 needs the empty map for raw delivery).
    backend.publish(json.dumps(notification.message), arn=notification.topic_arn, message_attributes={})
