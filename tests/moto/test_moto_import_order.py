"""moto loaded only after a fake was entered (a lazy ``from moto import mock_aws`` in a test's body).

moto's stubber then rides on sessions made after the fake was installed, and
``patch_client`` puts it on older clients; the fake notices moto's module as it
is imported, before any client can send. In a fresh interpreter, since this one
has loaded moto long ago.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_LATE = '''
import os

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import sys

import boto3
import botocore.handlers
from botocore.endpoint import Endpoint

from fakeimagebuilder import FakeImageBuilder

handlers, send = list(botocore.handlers.BUILTIN_HANDLERS), Endpoint._send
assert "moto" not in sys.modules
with FakeImageBuilder() as fake:
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    moto_call = getattr(BotocoreStubber.__call__, "__wrapped__", BotocoreStubber.__call__)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="image-logs")
        client = boto3.client("imagebuilder")
        client.create_infrastructure_configuration(
            name="web", instanceProfileName="builder", logging={"s3Logs": {"s3BucketName": "image-logs"}}
        )
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["image-logs"]
    listed = client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]
    assert [c["name"] for c in listed] == ["web"]

# Restored: Endpoint._send, moto's stubber, and botocore's handlers as moto left them (its own entry added).
assert Endpoint._send is send
assert BotocoreStubber.__call__ is moto_call
added = [spec for spec in botocore.handlers.BUILTIN_HANDLERS if spec not in handlers]
assert [(event, type(handler).__name__) for event, handler in added] == [("before-send", "BotocoreStubber")], added
print("late import: ok")
'''


def test_moto_imported_after_the_fake_was_entered(tmp_path: Path):
    script = tmp_path / "late.py"
    script.write_text(_LATE)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "late import: ok" in run.stdout, run.stdout + run.stderr


_LATE_PATCH_CLIENT = '''
import os

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                  AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
import sys

import boto3
import botocore.session

from fakeimagebuilder import FakeImageBuilder

import botocore.handlers

finders, handlers = list(sys.meta_path), list(botocore.handlers.BUILTIN_HANDLERS)
older = botocore.session.get_session().create_client("imagebuilder")  # before the fake was entered
assert "moto" not in sys.modules
with FakeImageBuilder() as fake:
    # Nothing of ours rides on the sessions made meanwhile (it would stay on them after the fake left).
    assert botocore.handlers.BUILTIN_HANDLERS == handlers
    made_inside = boto3.client("imagebuilder")
    from moto import mock_aws
    from moto.core.models import patch_client

    with mock_aws():
        for client in (older, made_inside):
            patch_client(client)  # moto's handler on clients made before moto was loaded
            client.create_infrastructure_configuration(name=f"web-{id(client)}", instanceProfileName="builder")
        boto3.client("s3").create_bucket(Bucket="image-logs")
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["image-logs"]
    held = fake.state()[fake.account_id]["us-east-1"]["infrastructureConfigurations"]
    assert len(held) == 2, held

import moto.core.botocore_stubber as stubber_module

assert not type(stubber_module.__loader__).__module__.startswith("fakeimagebuilder"), stubber_module.__loader__
assert stubber_module.__spec__.loader is stubber_module.__loader__
assert sys.meta_path == finders, (sys.meta_path, finders)
print("patched clients: ok")
'''


def test_moto_imported_after_the_fake_then_given_older_clients(tmp_path: Path):
    script = tmp_path / "late_patch_client.py"
    script.write_text(_LATE_PATCH_CLIENT)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "patched clients: ok" in run.stdout, run.stdout + run.stderr


def test_leaving_restores_moto_even_if_our_module_was_dropped_from_sys_modules(monkeypatch: pytest.MonkeyPatch):
    """pytester's in-process runs drop the modules first imported inside them; moto's class must come back."""
    from moto.core.botocore_stubber import BotocoreStubber

    from fakeimagebuilder import FakeImageBuilder

    moto_call = BotocoreStubber.__call__
    with FakeImageBuilder():
        assert BotocoreStubber.__call__ is not moto_call
        monkeypatch.delitem(sys.modules, "fakeimagebuilder.transports.moto_stubber", raising=False)
    assert BotocoreStubber.__call__ is moto_call
