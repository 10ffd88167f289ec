"""Optional SigV4 verification for the HTTP server, with botocore's own signer.

The fake normally trusts any signature (it only reads the access key and
region from it). With verification on, it recomputes the signature of each
request with :class:`botocore.auth.SigV4Auth` from the secret it was given
for the access key, over exactly the headers the client says it signed, and
answers as AWS does when they disagree:

- no ``Authorization`` header: 403 ``MissingAuthenticationTokenException``;
- an ``Authorization`` header without its parts: 400 ``IncompleteSignatureException``;
- an access key it has no secret for: 403 ``UnrecognizedClientException``;
- a signature that does not match: 403 ``InvalidSignatureException``.

The payload hash in the canonical request is computed from the body
received ("HexEncode(Hash(RequestPayload))", AWS's "Create a canonical
request" in the SigV4 guide,
https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html).
A client's ``x-amz-content-sha256`` header is only a signed header here: it
is S3 that reads it as the payload hash (and answers 400
``XAmzContentSHA256Mismatch`` when the body differs, aws/aws-sdk-go#148), so
a body swapped under a signed hash answers 403 ``InvalidSignatureException``.

The request time is not checked against a clock: the fake's time is virtual.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from .wire import HttpRequest

__all__ = ["Credential", "Rejection", "SignatureVerifier", "checked_account", "load_credentials", "parse_credential"]

SERVICE = "imagebuilder"

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request\s*,\s*SignedHeaders=(?P<headers>[a-z0-9;!#$%&'*+.^_`|~-]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)


@dataclass(frozen=True, slots=True)
class Credential:
    """An access key the server knows: its secret (for verification) and the account it belongs to."""

    access_key: str
    secret_key: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        if self.account is not None:
            checked_account(self.account)  # else the server would mint ARNs with it


def checked_account(text: str) -> str:
    """``text`` if it is an account id (12 ASCII digits); ValueError saying so otherwise."""
    if len(text) != 12 or not (text.isascii() and text.isdigit()):
        raise ValueError(f"an account id is 12 digits, not {text!r}")
    return text


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a request's signature is refused: status, AWS error code and message."""

    status: int
    code: str
    message: str


def parse_credential(text: str) -> Credential:
    """``ACCESS_KEY:SECRET[:ACCOUNT]`` (the ``--credential`` flag) as a :class:`Credential`."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"expected ACCESS_KEY:SECRET or ACCESS_KEY:SECRET:ACCOUNT, got {text!r}")
    return Credential(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def load_credentials(path: str | Path) -> dict[str, Credential]:
    """Read an accounts file: a JSON object of access key -> account id, or -> {"account", "secret"}."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read accounts file {path}: {exc}") from None
    if not isinstance(document, dict):
        raise ValueError(f"accounts file {path}: expected a JSON object of access key -> account")
    found: dict[str, Credential] = {}
    for key, value in document.items():
        if isinstance(value, str):
            account, secret = value, None
        elif isinstance(value, dict) and set(value) <= {"account", "secret"}:
            account, secret = value.get("account"), value.get("secret")
            if not (account is None or isinstance(account, str)) or not (secret is None or isinstance(secret, str)):
                raise ValueError(f"accounts file {path}: 'account' and 'secret' of {key!r} must be strings")
        else:
            raise ValueError(
                f'accounts file {path}: {key!r} must map to an account id or to {{"account": ..., "secret": ...}}'
            )
        try:
            found[key] = Credential(key, secret, account)
        except ValueError as exc:
            raise ValueError(f"accounts file {path}: {key!r}: {exc}") from None
    return found


class _ServerSideSigV4(SigV4Auth):
    """botocore's signer, told which headers the client signed (instead of choosing them itself)."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str], headers: Mapping[str, str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed
        self._incoming = headers

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._signed:
            if name in self._incoming:
                chosen[name] = self._incoming[name]
        return chosen


def _canonical_params(query: str) -> list[tuple[str, str]]:
    # botocore re-encodes decoded pairs; decoding first makes the result independent of how the client encoded.
    pairs = []
    for item in query.split("&") if query else ():
        key, _, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


class SignatureVerifier:
    """Checks SigV4 signatures against known secrets (access key -> secret key)."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = dict(secrets)

    def check(self, request: HttpRequest) -> Rejection | None:
        """None when the request is signed with a known key and a matching signature, else why not."""
        authorization = request.headers.get("authorization")
        if authorization is None:
            return Rejection(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        match = _AUTHORIZATION.match(authorization)
        if match is None:
            return Rejection(
                400,
                "IncompleteSignatureException",
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters "
                f"(AWS4-HMAC-SHA256). Authorization={authorization[:200]}",
            )
        secret = self._secrets.get(match["key"])
        if secret is None:
            return Rejection(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if match["service"] != SERVICE:
            return Rejection(
                403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{SERVICE}'. "
            )
        timestamp = request.headers.get("x-amz-date", "")
        if not timestamp.startswith(match["date"]):
            return Rejection(
                403,
                "InvalidSignatureException",
                f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{match['date']}' != '{timestamp[:8]}', from '{timestamp}'.",
            )
        signed = match["headers"].split(";")
        signer = _ServerSideSigV4(Credentials(match["key"], secret), match["region"], signed, request.headers)
        # Only the URL's path is read (the host comes from the signed headers), so any host name will do.
        url = f"http://imagebuilder{request.path}"
        aws_request = AWSRequest(
            method=request.method, url=url, data=request.body, params=_canonical_params(request.query)
        )
        aws_request.context["timestamp"] = timestamp
        # The payload's hash is always the hash of the body received (botocore's signer computes it), never
        # what x-amz-content-sha256 claims: that header is signed as any other, but a body swapped under a
        # signed claim then fails as a signature mismatch, as it does on AWS's non-S3 services, which hash
        # the payload themselves (see the module docstring).
        try:
            canonical = signer.canonical_request(aws_request)
            to_sign = signer.string_to_sign(aws_request, canonical)
            signature = signer.signature(to_sign, aws_request)
        except ValueError as exc:  # a request botocore cannot even canonicalise was not signed by it
            return Rejection(403, "InvalidSignatureException", f"{_MISMATCH} ({exc})")
        if hmac.compare_digest(signature, match["signature"]):
            return None
        return Rejection(
            403,
            "InvalidSignatureException",
            f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n'{canonical}'\n\n"
            f"The String-to-Sign should have been\n'{to_sign}'\n",
        )
