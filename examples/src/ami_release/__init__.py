"""Release a golden AMI by running an EC2 Image Builder pipeline."""

from .pipeline import create_pipeline
from .release import Backoff, BuildFailed, BuildTimedOut, ReleaseError, new_client, release, start_build, wait_for_image

__all__ = [
    "Backoff",
    "BuildFailed",
    "BuildTimedOut",
    "ReleaseError",
    "create_pipeline",
    "new_client",
    "release",
    "start_build",
    "wait_for_image",
]
