"""``python -m fakeimagebuilder.contract_tests [pytest options]``: the installed suite, with all its options.

pytest learns a suite's options from the conftest of the folders it is given, so the suite's folder is passed
as a path (``--pyargs`` alone would find the tests but refuse ``--target`` and the other options). pytest's
cache goes to the current folder, as for any run, not into the installed package.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fakeimagebuilder.extras import missing_extra

try:
    import pytest
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "contract", "python -m fakeimagebuilder.contract_tests") from None

if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.exit(pytest.main([str(here), "-o", f"cache_dir={Path.cwd() / '.pytest_cache'}", *sys.argv[1:]]))
