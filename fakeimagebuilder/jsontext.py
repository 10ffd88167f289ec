"""Compact JSON text, with encoders made once rather than at every call.

``json.JSONEncoder.encode`` builds its C encoder anew at each call, which
costs a third of encoding a small body; the wire encodes every answer and the
idempotency ledger fingerprints every call with a client token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["compact_encoder"]


def compact_encoder(sort_keys: bool = False) -> Callable[[Any], str]:
    """Compact JSON text of a value, as ``JSONEncoder(separators=(",", ":"), sort_keys=sort_keys).encode`` writes it.

    Made once, with the arguments that encoder would make its C encoder with. It keeps no
    circular-reference marks (a cycle, which no answer holds, fails with RecursionError, not ValueError), so
    two threads may encode at once. ``c_make_encoder``'s positional signature is CPython's, not public API:
    where it is missing (PyPy) the encoder's own way is used.
    """
    compact = json.JSONEncoder(separators=(",", ":"), sort_keys=sort_keys)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return compact.encode
    encode = make(None, compact.default, json.encoder.encode_basestring_ascii, None, ":", ",", sort_keys, False, True)
    return lambda value: "".join(encode(value, 0))
