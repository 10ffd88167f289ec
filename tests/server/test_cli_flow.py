"""README's end-to-end AWS CLI flow runs as written: component, recipe, infrastructure, pipeline, start, poll.

The block is run by bash with ``set -euo pipefail`` and the real ``aws`` command (the test extra installs
awscli); only the port is changed, to a free one, so parallel runs do not collide.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flow_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if "start-image-pipeline-execution" in b]
    assert len(blocks) == 1, "README should hold exactly one AWS CLI end-to-end flow"
    return blocks[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_readme_aws_cli_flow_builds_an_available_image(tmp_path: Path):
    script = _flow_block().replace("4010", str(_free_port()))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONPATH"))}
    env.update(
        # `python` is this interpreter (its fakeimagebuilder), and no profile of the developer's can leak in.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )

    run = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    statuses = [line.rsplit(": ", 1)[1] for line in run.stdout.splitlines() if line.startswith("arn:aws:imagebuilder:")]
    assert statuses and statuses[-1] == "AVAILABLE", run.stdout + run.stderr
    assert re.search(r"^arn:aws:imagebuilder:us-east-1:123456789012:image/web/1\.0\.0/1: ", run.stdout, re.M)
