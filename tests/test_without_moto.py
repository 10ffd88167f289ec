"""moto stays optional: with ``import moto`` impossible, the fake, its guard, its events and the pytest plugin
work, and nothing of the moto support is loaded or even tried.

In a fresh interpreter (this one may have loaded moto already) whose import
system refuses, and records, every ``moto`` import.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_BLOCKED_RUN = '''
import sys

ATTEMPTS = []


class NoMoto:
    """Refuses every moto import, and remembers it was asked."""

    def find_spec(self, name, path=None, target=None):
        if name == "moto" or name.startswith("moto."):
            ATTEMPTS.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None


sys.meta_path.insert(0, NoMoto())

import pytest

code = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
loaded = sorted(m for m in sys.modules if m == "moto" or m.startswith(("moto.", "fakeimagebuilder.transports.moto")))
print("ATTEMPTS", ATTEMPTS, "LOADED", loaded)
sys.exit(code or (1 if ATTEMPTS or loaded else 0))
'''

_TESTS = '''
import boto3
import botocore.session

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.transports import botocore_hook


def test_the_plugins_fixtures(imagebuilder_fake, imagebuilder_client):
    assert imagebuilder_client.list_image_pipelines()["imagePipelineList"] == []
    assert boto3.client("imagebuilder").list_image_recipes()["imageRecipeSummaryList"] == []


def test_a_fake_by_hand_nested_in_a_guard(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with botocore_hook.guard(RuntimeError), FakeImageBuilder() as fake:
        client = botocore.session.get_session().create_client("imagebuilder", region_name="eu-west-1")
        client.create_infrastructure_configuration(name="web", instanceProfileName="builder")
        held = fake.state()[fake.account_id]["eu-west-1"]["infrastructureConfigurations"]
        assert [c["name"] for c in held] == ["web"]


def test_events_and_their_delivery(imagebuilder_fake, imagebuilder_client, imagebuilder_events):
    client = imagebuilder_client
    recipe = client.create_image_recipe(
        name="web", semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
        # botocore 1.40.41's model (the lowest supported) requires components
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(
        name="web", instanceProfileName="builder", snsTopicArn="arn:aws:sns:us-east-1:123456789012:t",
    )["infrastructureConfigurationArn"]
    pipeline = client.create_image_pipeline(
        name="web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imagePipelineArn"]
    client.start_image_pipeline_execution(imagePipelineArn=pipeline)
    imagebuilder_fake.advance(3600)
    assert imagebuilder_events[-1]["detail"]["state"]["status"] == "AVAILABLE"
    assert imagebuilder_fake.events == list(imagebuilder_events)
    assert len(imagebuilder_fake.notifications) == 1
'''


def test_nothing_of_moto_is_imported_without_it(tmp_path: Path):
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(_TESTS))
    (tmp_path / "blocked.py").write_text(_BLOCKED_RUN)
    run = subprocess.run(
        [sys.executable, str(tmp_path / "blocked.py"), str(tmp_path / "test_inner.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "ATTEMPTS [] LOADED []" in run.stdout, run.stdout + run.stderr
    assert "3 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == 0, run.stdout + run.stderr
