"""Optional SigV4 verification for the HTTP server, with botocore's own signer.

The fake normally trusts any signature (it only reads the access key and
region from it). With verification on, it recomputes the signature of each
request with :class:`botocore.auth.SigV4Auth` from the secret it was given
for the access key, over exactly the headers the client says it signed, and
answers as AWS does when they disagree:

- no ``Authorization`` header and no ``X-Amz-Algorithm`` query parameter: 403
  ``MissingAuthenticationTokenException``;
- an ``Authorization`` header without its parts, or without an ``X-Amz-Date``
  or ``Date`` header; a presigned request without its query parameters; a
  signing time not in ISO 8601 basic format: 400 ``IncompleteSignatureException``;
- both an ``Authorization`` header and ``X-Amz-Algorithm``: 400 ``InvalidSignatureException``;
- an access key it has no secret for: 403 ``UnrecognizedClientException``;
- a signature that does not match, or a presigned request past its
  ``X-Amz-Expires``: 403 ``InvalidSignatureException``.

A request is signed in its ``Authorization`` header, or presigned in its
query string (SigV4 query-string auth, AWS's Common Parameters:
``X-Amz-Algorithm``, ``X-Amz-Credential``, ``X-Amz-Date``, ``X-Amz-Expires``,
``X-Amz-SignedHeaders``, ``X-Amz-Signature``, ``X-Amz-Security-Token``); the
canonical query of a presigned request is every parameter but
``X-Amz-Signature``. A header-signed request's signing time is its
``X-Amz-Date`` header, else its ``Date`` header in ISO 8601 basic format
(Common Parameters: "If the Date header is specified in the ISO 8601 basic
format, X-Amz-Date is not required").

The payload hash in the canonical request is computed from the body
received ("HexEncode(Hash(RequestPayload))", AWS's "Create a canonical
request" in the SigV4 guide,
https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html);
a presigned request may instead sign ``UNSIGNED-PAYLOAD``, as S3's
presigners do. (botocore's presigner for other services moves a JSON body's
members into the query string and signs the empty body, so its URL is sent
without a body.) A client's ``x-amz-content-sha256`` header is only a signed
header here: it is S3 that reads it as the payload hash (and answers 400
``XAmzContentSHA256Mismatch`` when the body differs, aws/aws-sdk-go#148), so
a body swapped under a signed hash answers 403 ``InvalidSignatureException``.

A header-signed request's time is not checked against a clock: the fake's
time is virtual. A presigned request's ``X-Amz-Date`` plus ``X-Amz-Expires``
is checked against the real clock, which its signer read to make it.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from botocore.auth import UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from .wire import HttpRequest

__all__ = [
    "PRESIGN_PARAMETERS",
    "Credential",
    "Rejection",
    "SignatureVerifier",
    "checked_account",
    "load_credentials",
    "parse_credential",
]

SERVICE = "imagebuilder"

_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/"
    r"(?P<service>[^/,\s]+)/aws4_request\s*,\s*SignedHeaders=(?P<headers>[a-z0-9;!#$%&'*+.^_`|~-]+)\s*,"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)

_ALGORITHM = "AWS4-HMAC-SHA256"
# YYYYMMDD'T'HHMMSS'Z', the only form a signing time may take.
_BASIC_FORMAT = re.compile(r"[0-9]{8}T[0-9]{6}Z")
# What a presigned request must carry, in the order AWS names what is missing (a signature's parameters; the
# security token is only for temporary credentials, and a URL without X-Amz-Expires does not expire).
_QUERY_REQUIRED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
PRESIGN_PARAMETERS = frozenset({*_QUERY_REQUIRED, "X-Amz-Expires", "X-Amz-Security-Token"})
"""The query parameters a presigned request's signature travels in: never members of the request itself."""
# The longest a presigned request may stay valid, in seconds: 7 days, as a SigV4 signing key is (S3's SigV4
# query-string auth page: "The minimum value you can set is 1, and the maximum is 604800").
_MAX_EXPIRES = 604800

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
    """botocore's signer, told which headers the client signed (instead of choosing them itself), and the payload
    hash to sign when it is not the body's (``UNSIGNED-PAYLOAD``)."""

    def __init__(
        self,
        credentials: Credentials,
        region: str,
        signed: list[str],
        headers: Mapping[str, str],
        payload: str | None,
    ) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed
        self._incoming = headers
        self._payload = payload

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        chosen = HTTPHeaders()
        for name in self._signed:
            if name in self._incoming:
                chosen[name] = self._incoming[name]
        return chosen

    def payload(self, request: AWSRequest) -> str:
        return self._payload if self._payload is not None else super().payload(request)


def _canonical_params(query: str) -> list[tuple[str, str]]:
    # botocore re-encodes decoded pairs; decoding first makes the result independent of how the client encoded.
    pairs = []
    for item in query.split("&") if query else ():
        key, _, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


@dataclass(frozen=True, slots=True)
class _Claim:
    """What a request says it was signed with: read from its Authorization header, or from its query string."""

    key: str
    scope_date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    timestamp: str
    params: list[tuple[str, str]]
    # The payload hashes the signature may be over, tried in turn; None is the hash of the body received.
    payloads: tuple[str | None, ...]


def _incomplete(message: str) -> Rejection:
    return Rejection(400, "IncompleteSignatureException", message)


def _signing_time(timestamp: str) -> datetime | None:
    """The instant ``timestamp`` (ISO 8601 basic format) names, None unless it names one."""
    if _BASIC_FORMAT.fullmatch(timestamp) is None:
        return None
    try:
        return datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:  # month 13 and the like
        return None


def _not_basic_format(timestamp: str) -> Rejection:
    return _incomplete(
        f"Date must be in ISO-8601 'basic format'. Got '{timestamp[:200]}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )


class SignatureVerifier:
    """Checks SigV4 signatures against known secrets (access key -> secret key).

    ``now`` (epoch seconds) is the clock a presigned request's expiry is read against: the real one.
    """

    def __init__(self, secrets: Mapping[str, str], now: Callable[[], float] = time.time) -> None:
        self._secrets = dict(secrets)
        self._now = now

    def check(self, request: HttpRequest) -> Rejection | None:
        """None when the request is signed with a known key and a matching signature, else why not."""
        authorization = request.headers.get("authorization")
        params = _canonical_params(request.query)
        presigned = any(name == "X-Amz-Algorithm" for name, _ in params)
        if authorization is None:
            if not presigned:
                return Rejection(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
            claim = self._query_claim(params)
        elif presigned:
            return Rejection(
                400,
                "InvalidSignatureException",
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
            )
        else:
            claim = self._header_claim(request, authorization, params)
        return claim if isinstance(claim, Rejection) else self._verify(request, claim)

    def _header_claim(
        self, request: HttpRequest, authorization: str, params: list[tuple[str, str]]
    ) -> _Claim | Rejection:
        match = _AUTHORIZATION.match(authorization)
        if match is None:
            return _incomplete(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters "
                f"(AWS4-HMAC-SHA256). Authorization={authorization[:200]}"
            )
        # X-Amz-Date overrides Date; Date signs alone when it is in ISO 8601 basic format.
        timestamp = request.headers.get("x-amz-date", request.headers.get("date"))
        if timestamp is None:
            return _incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                f"Authorization={authorization[:200]}"
            )
        if _signing_time(timestamp) is None:
            return _not_basic_format(timestamp)
        return _Claim(
            match["key"],
            match["date"],
            match["region"],
            match["service"],
            match["headers"].split(";"),
            match["signature"],
            timestamp,
            params,
            (None,),
        )

    def _query_claim(self, params: list[tuple[str, str]]) -> _Claim | Rejection:
        given: dict[str, str] = {}
        for name, value in params:
            given.setdefault(name, value)
        missing = [name for name in _QUERY_REQUIRED if not given.get(name)]
        if missing:
            return _incomplete(
                "".join(f"AWS query-string parameters must include '{name}'. " for name in missing)
                + "Re-examine the query-string parameters."
            )
        algorithm = given["X-Amz-Algorithm"]
        if algorithm != _ALGORITHM:
            return _incomplete(f"Unsupported AWS 'algorithm': '{algorithm[:200]}' (only {_ALGORITHM} for now). ")
        timestamp = given["X-Amz-Date"]
        signed_at = _signing_time(timestamp)
        if signed_at is None:
            return _not_basic_format(timestamp)
        expires = given.get("X-Amz-Expires")
        if expires is not None:
            seconds = int(expires) if expires.isascii() and expires.isdigit() and len(expires) <= 7 else 0
            if not 1 <= seconds <= _MAX_EXPIRES:
                return _incomplete(
                    f"X-Amz-Expires must be a whole number of seconds from 1 to {_MAX_EXPIRES} (7 days), "
                    f"not '{expires[:200]}'."
                )
            now = self._now()
            if now > signed_at.timestamp() + seconds:
                return Rejection(
                    403,
                    "InvalidSignatureException",
                    f"Signature expired: {timestamp} is now earlier than {_basic(now - seconds)} "
                    f"({_basic(now)} - {seconds} sec.)",
                )
        credential = given["X-Amz-Credential"]
        scope = credential.split("/")
        if len(scope) != 5:
            return _incomplete(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                f"got '{credential[:200]}'"
            )
        if scope[4] != "aws4_request":
            return Rejection(
                403,
                "InvalidSignatureException",
                f"Credential should be scoped with a valid terminator: 'aws4_request', not '{scope[4][:200]}'.",
            )
        return _Claim(
            scope[0],
            scope[1],
            scope[2],
            scope[3],
            given["X-Amz-SignedHeaders"].split(";"),
            given["X-Amz-Signature"],
            timestamp,
            [(name, value) for name, value in params if name != "X-Amz-Signature"],
            (None, UNSIGNED_PAYLOAD),
        )

    def _verify(self, request: HttpRequest, claim: _Claim) -> Rejection | None:
        secret = self._secrets.get(claim.key)
        if secret is None:
            return Rejection(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if claim.service != SERVICE:
            return Rejection(
                403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{SERVICE}'. "
            )
        if not claim.timestamp.startswith(claim.scope_date):
            return Rejection(
                403,
                "InvalidSignatureException",
                f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                f"'{claim.scope_date}' != '{claim.timestamp[:8]}', from '{claim.timestamp}'.",
            )
        credentials = Credentials(claim.key, secret)
        # Only the URL's path is read (the host comes from the signed headers), so any host name will do.
        url = f"http://imagebuilder{request.path}"
        aws_request = AWSRequest(method=request.method, url=url, data=request.body, params=claim.params)
        aws_request.context["timestamp"] = claim.timestamp
        expected = None
        # The payload's hash is the hash of the body received (botocore's signer computes it), or for a presigned
        # request UNSIGNED-PAYLOAD, never what x-amz-content-sha256 claims: that header is signed as any other,
        # but a body swapped under a signed claim then fails as a signature mismatch, as it does on AWS's non-S3
        # services, which hash the payload themselves (see the module docstring).
        for payload in claim.payloads:
            signer = _ServerSideSigV4(credentials, claim.region, claim.signed_headers, request.headers, payload)
            try:
                canonical = signer.canonical_request(aws_request)
                to_sign = signer.string_to_sign(aws_request, canonical)
                signature = signer.signature(to_sign, aws_request)
            except ValueError as exc:  # a request botocore cannot even canonicalise was not signed by it
                return Rejection(403, "InvalidSignatureException", f"{_MISMATCH} ({exc})")
            if hmac.compare_digest(signature.encode(), claim.signature.encode()):
                return None
            expected = expected or (canonical, to_sign)
        assert expected is not None
        return Rejection(
            403,
            "InvalidSignatureException",
            f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n'{expected[0]}'\n\n"
            f"The String-to-Sign should have been\n'{expected[1]}'\n",
        )


def _basic(epoch: float) -> str:
    """``epoch`` in ISO 8601 basic format, as AWS writes signing times."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%SZ")
