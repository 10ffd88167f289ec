"""The error an optional feature raises when the extra that installs what it needs is missing."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(error: ModuleNotFoundError, extra: str, feature: str) -> ModuleNotFoundError:
    """What to raise instead of ``error`` (a failed import): it names the module and the extra that installs it.

    Still a :class:`ModuleNotFoundError` (an :class:`ImportError`), so code that catches either keeps working.
    """
    package = (error.name or "").partition(".")[0] or "a package"  # what pip installs, not requests.adapters
    return ModuleNotFoundError(
        f'{feature} needs {package}, which is not installed: pip install "fakeimagebuilder[{extra}]" '
        f'(from a clone: pip install -e ".[{extra}]")',
        name=error.name,
    )
