"""The domain layer: Image Builder's resources and build lifecycle. No HTTP, no botocore."""

from .builds import DEFAULT_DURATIONS, IN_PROGRESS, TERMINAL, Build, BuildPlan, checked_seconds
from .calls import Call
from .errors import ImageBuilderError, error_for_code
from .operations import OPERATIONS
from .service import ImageBuilderService
from .state import Scope, Settings

__all__ = [
    "DEFAULT_DURATIONS",
    "IN_PROGRESS",
    "OPERATIONS",
    "TERMINAL",
    "Build",
    "BuildPlan",
    "Call",
    "ImageBuilderError",
    "ImageBuilderService",
    "Scope",
    "Settings",
    "checked_seconds",
    "error_for_code",
]
