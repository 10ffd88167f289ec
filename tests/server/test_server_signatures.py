"""``--verify-signatures``: SigV4 recomputed with botocore's signer; AWS's 403s for unknown keys and bad signatures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import botocore.auth
import pytest
import requests
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from imagebuilder_scenario import NO_RETRIES, SignedRequests, boto3_client, create_pipeline

from fakeimagebuilder import FakeImageBuilder, HttpRequest
from fakeimagebuilder.server import RunningServer, serve_in_thread
from fakeimagebuilder.signatures import SignatureVerifier, load_credentials, parse_credential

SECRETS = {"AKIDKNOWN": "known-secret", "AKIDOTHER": "other-secret"}


@pytest.fixture
def verifying(aws_env: None) -> Iterator[RunningServer]:
    """A server that checks signatures; AKIDOTHER belongs to another account."""
    fake = FakeImageBuilder(accounts={"AKIDOTHER": "111122223333"})
    with serve_in_thread(fake, secrets=SECRETS) as running:
        yield running


def _error(call: object) -> tuple[int, str, str]:
    assert isinstance(call, pytest.ExceptionInfo)
    response = call.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_known_keys_pass_and_map_to_their_account(verifying: RunningServer) -> None:
    mine = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret")
    pipeline = create_pipeline(mine)
    assert ":123456789012:" in pipeline
    # URI labels (percent-encoded in the path) and query strings are canonicalised as the client signed them.
    assert mine.list_tags_for_resource(resourceArn=pipeline)["tags"] == {}
    assert mine.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["arn"] == pipeline
    theirs = boto3_client(
        verifying.url,
        aws_access_key_id="AKIDOTHER",
        aws_secret_access_key="other-secret",
        aws_session_token="a-session-token",  # signed as X-Amz-Security-Token
    )
    assert ":111122223333:" in create_pipeline(theirs)


def test_unknown_key_is_unrecognized(verifying: RunningServer) -> None:
    client = boto3_client(verifying.url, aws_access_key_id="AKIDNOBODY", aws_secret_access_key="x", config=NO_RETRIES)
    with pytest.raises(ClientError) as error:
        client.list_image_pipelines()
    assert _error(error) == (
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_wrong_secret_is_an_invalid_signature(verifying: RunningServer) -> None:
    client = boto3_client(
        verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="wrong", config=NO_RETRIES
    )
    with pytest.raises(ClientError) as error:
        client.list_image_pipelines()
    status, code, message = _error(error)
    assert (status, code) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    assert "The Canonical String for this request should have been" in message


def test_tampered_body_is_an_invalid_signature(verifying: RunningServer) -> None:
    signer = SignedRequests(verifying.url, key="AKIDKNOWN", secret="known-secret")
    request = signer.prepare(
        "CreateInfrastructureConfiguration", {"name": "alpha", "instanceProfileName": "p", "clientToken": "t"}
    )
    tampered = bytes(request.body).replace(b"alpha", b"bravo")
    headers = dict(request.headers.items())
    answer = requests.request(request.method, request.url, data=tampered, headers=headers, timeout=10)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    untouched = requests.request(request.method, request.url, data=request.body, headers=headers, timeout=10)
    assert untouched.status_code == 200


def test_unsigned_and_half_signed_requests_are_refused(verifying: RunningServer) -> None:
    answer = requests.get(f"{verifying.url}/ListImagePipelines", timeout=10)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (403, "MissingAuthenticationTokenException")
    answer = requests.get(
        f"{verifying.url}/ListImagePipelines", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDKNOWN"}
    )
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (400, "IncompleteSignatureException")


def test_a_body_swapped_under_a_signed_payload_hash_is_refused(verifying: RunningServer) -> None:
    # The client signs x-amz-content-sha256 for body A and sends body B with A's hash: the signature holds
    # for what the header claims, but the payload hash is the hash of the body received.
    signer = SignedRequests(verifying.url, key="AKIDKNOWN", secret="known-secret")
    params = {"name": "alpha", "instanceProfileName": "p", "clientToken": "t"}
    request = signer.prepare("CreateInfrastructureConfiguration", params)
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(bytes(request.body)).hexdigest()
    del request.headers["Authorization"]
    SigV4Auth(signer.credentials, "imagebuilder", signer.region).add_auth(request)
    headers = dict(request.headers.items())
    assert "x-amz-content-sha256" in headers["Authorization"]  # signed
    swapped = bytes(request.body).replace(b"alpha", b"bravo")
    answer = requests.request(request.method, request.url, data=swapped, headers=headers, timeout=10)
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert verifying.fake.state() == {}  # nothing applied
    honest = requests.request(request.method, request.url, data=request.body, headers=headers, timeout=10)
    assert honest.status_code == 200


def _signed_control(url: str, route: str, body: bytes, key: str, secret: str) -> requests.Response:
    request = AWSRequest(method="POST", url=f"{url}/_fake/{route}", data=body)
    SigV4Auth(Credentials(key, secret), "imagebuilder", "us-east-1").add_auth(request)
    return requests.post(request.url, data=body, headers=dict(request.headers.items()), timeout=10)


def test_control_routes_need_a_signature_from_a_known_credential(verifying: RunningServer) -> None:
    create_pipeline(boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret"))
    before = verifying.fake.state()
    for route, body in (("reset", b""), ("advance", b'{"seconds": 60}'), ("state", None)):
        answer = requests.request("GET" if body is None else "POST", f"{verifying.url}/_fake/{route}", data=body)
        assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (403, "MissingAuthenticationTokenException")
        assert "message" in answer.json()
    wrong = _signed_control(verifying.url, "reset", b"", "AKIDKNOWN", "wrong-secret")
    assert (wrong.status_code, wrong.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    unknown = _signed_control(verifying.url, "reset", b"", "AKIDNOBODY", "x")
    assert (unknown.status_code, unknown.headers["x-amzn-ErrorType"]) == (403, "UnrecognizedClientException")
    assert verifying.fake.state() == before  # nothing refused changed anything
    signed = _signed_control(verifying.url, "advance", b'{"seconds": 60}', "AKIDKNOWN", "known-secret")
    assert signed.status_code == 200, signed.text
    assert _signed_control(verifying.url, "reset", b"", "AKIDOTHER", "other-secret").status_code == 200
    assert verifying.fake.state() == {}
    # Liveness tells nothing and changes nothing: probes need no credential.
    assert requests.get(f"{verifying.url}/_fake/health", timeout=10).status_code == 200


def test_a_control_token_opens_the_control_routes(aws_env: None) -> None:
    with serve_in_thread(FakeImageBuilder(), secrets=SECRETS, control_token="s3cret-token") as running:
        reset = f"{running.url}/_fake/reset"
        assert requests.post(reset, headers={"Authorization": "Bearer s3cret-token"}, timeout=10).status_code == 200
        wrong = requests.post(reset, headers={"Authorization": "Bearer guess"}, timeout=10)
        assert (wrong.status_code, wrong.headers["x-amzn-ErrorType"]) == (403, "UnrecognizedClientException")
    with serve_in_thread(FakeImageBuilder(), control_token="s3cret-token") as running:  # a token alone guards them
        assert requests.post(f"{running.url}/_fake/reset", timeout=10).status_code == 403
        answer = requests.post(
            f"{running.url}/_fake/reset", headers={"Authorization": "Bearer s3cret-token"}, timeout=10
        )
        assert answer.status_code == 200


def test_without_checks_control_routes_stay_open(server: RunningServer) -> None:
    assert requests.post(f"{server.url}/_fake/reset", timeout=10).status_code == 200


def test_credentials_from_flags_and_files(tmp_path: Path) -> None:
    assert parse_credential("AKID:secret:111122223333").account == "111122223333"
    assert parse_credential("AKID:secret").secret_key == "secret"
    with pytest.raises(ValueError, match="ACCESS_KEY:SECRET"):
        parse_credential("AKID")
    path = tmp_path / "accounts.json"
    path.write_text('{"AKID1": "111122223333", "AKID2": {"account": "444455556666", "secret": "s2"}}')
    found = load_credentials(path)
    assert (found["AKID1"].account, found["AKID1"].secret_key) == ("111122223333", None)
    assert (found["AKID2"].account, found["AKID2"].secret_key) == ("444455556666", "s2")
    path.write_text('{"AKID1": 7}')
    with pytest.raises(ValueError, match="must map to an account id"):
        load_credentials(path)
    path.write_text("[")
    with pytest.raises(ValueError, match="cannot read accounts file"):
        load_credentials(path)


AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=AKIDKNOWN/20240101/us-east-1/imagebuilder/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
    path=st.text(max_size=30).map(lambda t: "/" + t),
    query=st.text(max_size=30),
    host=st.text(max_size=20),
    body=st.binary(max_size=50),
)
def test_verifier_refuses_any_forgery_without_failing(
    method: str, path: str, query: str, host: str, body: bytes
) -> None:
    headers = {"authorization": AUTHORIZATION, "host": host, "x-amz-date": "20240101T000000Z"}
    rejection = SignatureVerifier(SECRETS).check(HttpRequest(method, path, query, headers, body))
    assert rejection is not None and rejection.code == "InvalidSignatureException"


# -- presigned (query-string) requests ----------------------------------------------------------------------------


def _presign(client: Any, operation: str, params: dict[str, Any] | None = None, expires: int = 300) -> str:
    """A URL botocore's own presigner makes for ``operation`` of ``client``."""
    return str(client.generate_presigned_url(operation, Params=params or {}, ExpiresIn=expires))


def _send_presigned(url: str, method: str = "POST", body: bytes = b"") -> requests.Response:
    # botocore signs the Content-Type it would send (content-type;host); the body's members were moved into the
    # query string and the empty body signed, so the URL is sent as it is, without a body.
    return requests.request(method, url, data=body, headers={"Content-Type": "application/json"}, timeout=10)


def test_a_presigned_request_is_verified_and_served_in_its_scope(verifying: RunningServer) -> None:
    # AKIDOTHER belongs to 111122223333; the region comes from X-Amz-Credential, as from an Authorization header.
    signer = boto3_client(
        verifying.url,
        region="eu-west-1",
        aws_access_key_id="AKIDOTHER",
        aws_secret_access_key="other-secret",
        aws_session_token="a-session-token",  # presigned as X-Amz-Security-Token
    )
    arn = signer.create_infrastructure_configuration(name="probe", instanceProfileName="p")[
        "infrastructureConfigurationArn"
    ]
    assert ":eu-west-1:111122223333:" in arn

    listed = _send_presigned(_presign(signer, "list_infrastructure_configurations"))
    got = _send_presigned(
        _presign(signer, "get_infrastructure_configuration", {"infrastructureConfigurationArn": arn}), "GET"
    )

    assert listed.status_code == 200, listed.text
    assert [item["arn"] for item in listed.json()["infrastructureConfigurationSummaryList"]] == [arn]
    assert got.status_code == 200, got.text
    assert got.json()["infrastructureConfiguration"]["arn"] == arn


def test_a_presigned_request_that_was_changed_or_wrongly_signed_is_refused(verifying: RunningServer) -> None:
    client = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret")
    pipeline = create_pipeline(client)
    url = _presign(client, "get_image_pipeline", {"imagePipelineArn": pipeline})
    assert _send_presigned(url, "GET").status_code == 200

    forged = _send_presigned(url.replace("image-pipeline%2Fweb", "image-pipeline%2Fother"), "GET")
    body_added = _send_presigned(_presign(client, "list_image_pipelines"), body=b'{"maxResults": 1}')
    wrong = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="wrong")
    wrong_secret = _send_presigned(_presign(wrong, "get_image_pipeline", {"imagePipelineArn": pipeline}), "GET")
    unknown = boto3_client(verifying.url, aws_access_key_id="AKIDNOBODY", aws_secret_access_key="x")
    unknown_key = _send_presigned(_presign(unknown, "list_image_pipelines"))

    for refused in (forged, body_added, wrong_secret):
        assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
        assert refused.json()["message"].startswith("The request signature we calculated does not match")
    assert (unknown_key.status_code, unknown_key.headers["x-amzn-ErrorType"]) == (403, "UnrecognizedClientException")


def test_a_presigned_request_may_sign_an_unsigned_payload(verifying: RunningServer) -> None:
    # S3's presigners sign the constant UNSIGNED-PAYLOAD instead of the body's hash; the body is then sent as is.
    request = AWSRequest(
        method="PUT",
        url=f"{verifying.url}/CreateInfrastructureConfiguration",
        headers={"Content-Type": "application/json"},
    )
    S3SigV4QueryAuth(Credentials("AKIDKNOWN", "known-secret"), "imagebuilder", "us-east-1", expires=60).add_auth(
        request
    )
    assert "UNSIGNED-PAYLOAD" not in request.url  # only in the canonical request, not sent

    body = b'{"name": "unsigned", "instanceProfileName": "p", "clientToken": "t"}'
    answer = _send_presigned(request.url, "PUT", body)

    assert answer.status_code == 200, answer.text
    assert answer.json()["infrastructureConfigurationArn"].endswith(":infrastructure-configuration/unsigned")


def test_an_expired_presigned_request_is_refused(verifying: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret")
    hour_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    with monkeypatch.context() as patched:
        patched.setattr(botocore.auth, "get_current_datetime", lambda: hour_ago)
        stale = _presign(client, "list_image_pipelines", expires=3599)
        fresh = _presign(client, "list_image_pipelines", expires=3700)

    refused = _send_presigned(stale)

    assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    signed_at = hour_ago.strftime("%Y%m%dT%H%M%SZ")
    assert refused.json()["message"].startswith(f"Signature expired: {signed_at} is now earlier than ")
    assert refused.json()["message"].endswith(" - 3599 sec.)")
    assert _send_presigned(fresh).status_code == 200


def _tamper(url: str, **changes: str | None) -> str:
    """``url`` with query parameters replaced (None: removed)."""
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if name not in changes]
    query += [(name, value) for name, value in changes.items() if value is not None]
    return parts._replace(query=urlencode(query)).geturl()


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        (
            {"X-Amz-Signature": None, "X-Amz-Date": None},
            "IncompleteSignatureException",
            "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include "
            "'X-Amz-Date'. Re-examine the query-string parameters.",
        ),
        (
            {"X-Amz-Algorithm": "AWS4-HMAC-SHA1"},
            "IncompleteSignatureException",
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). ",
        ),
        (
            {"X-Amz-Date": "2026-01-01T00:00:00Z"},
            "IncompleteSignatureException",
            "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
        ),
        (
            {"X-Amz-Expires": "604801"},
            "IncompleteSignatureException",
            "X-Amz-Expires must be a whole number of seconds from 1 to 604800 (7 days), not '604801'.",
        ),
        (
            {"X-Amz-Credential": "AKIDKNOWN/20260101/us-east-1/imagebuilder"},
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
            "got 'AKIDKNOWN/20260101/us-east-1/imagebuilder'",
        ),
    ],
)
def test_a_presigned_request_without_its_parts_is_incomplete(
    verifying: RunningServer, changes: dict[str, str | None], code: str, message: str
) -> None:
    client = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret")
    answer = _send_presigned(_tamper(_presign(client, "list_image_pipelines"), **changes))
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"], answer.json()["message"]) == (400, code, message)


def test_a_request_signed_both_ways_is_refused(verifying: RunningServer) -> None:
    client = boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret")
    request = SignedRequests(verifying.url, key="AKIDKNOWN", secret="known-secret").prepare("ListImagePipelines", {})
    query = urlsplit(_presign(client, "list_image_pipelines")).query
    answer = requests.post(f"{request.url}?{query}", data=request.body, headers=dict(request.headers.items()))
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (400, "InvalidSignatureException")
    assert answer.json()["message"] == (
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    )


def test_a_presigned_request_opens_the_control_routes(verifying: RunningServer) -> None:
    credentials = Credentials("AKIDKNOWN", "known-secret")
    create_pipeline(boto3_client(verifying.url, aws_access_key_id="AKIDKNOWN", aws_secret_access_key="known-secret"))
    wrong = AWSRequest(method="POST", url=f"{verifying.url}/_fake/reset")
    botocore.auth.SigV4QueryAuth(Credentials("AKIDKNOWN", "wrong"), "imagebuilder", "us-east-1").add_auth(wrong)
    refused = requests.post(wrong.url, timeout=10)
    assert (refused.status_code, refused.headers["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert verifying.fake.state() != {}

    reset = AWSRequest(method="POST", url=f"{verifying.url}/_fake/reset")
    botocore.auth.SigV4QueryAuth(credentials, "imagebuilder", "us-east-1").add_auth(reset)
    assert requests.post(reset.url, timeout=10).status_code == 200
    assert verifying.fake.state() == {}


def test_a_presigned_control_request_s_signature_is_not_read_as_its_members(verifying: RunningServer) -> None:
    # /_fake/events refuses members it does not know: the X-Amz-* parameters carry the signature, not members.
    credentials = Credentials("AKIDKNOWN", "known-secret")
    events = AWSRequest(method="GET", url=f"{verifying.url}/_fake/events?after=0")
    botocore.auth.SigV4QueryAuth(credentials, "imagebuilder", "us-east-1").add_auth(events)
    answer = requests.get(events.url, timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"events": [], "notifications": [], "cursor": 0})


def test_the_verifier_reads_expiry_against_its_clock() -> None:
    request = AWSRequest(method="POST", url="http://imagebuilder/ListImagePipelines")
    botocore.auth.SigV4QueryAuth(Credentials("AKIDKNOWN", "known-secret"), "imagebuilder", "us-east-1", 60).add_auth(
        request
    )
    parts = urlsplit(request.url)
    signed_at = dict(parse_qsl(parts.query))["X-Amz-Date"]
    epoch = datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    incoming = HttpRequest("POST", parts.path, parts.query, {"host": "imagebuilder"}, b"")

    assert SignatureVerifier(SECRETS, now=lambda: epoch + 60).check(incoming) is None
    late = SignatureVerifier(SECRETS, now=lambda: epoch + 61).check(incoming)
    assert late is not None and (late.status, late.code) == (403, "InvalidSignatureException")
    assert late.message == (
        f"Signature expired: {signed_at} is now earlier than {datetime.fromtimestamp(epoch + 1, UTC):%Y%m%dT%H%M%SZ} "
        f"({datetime.fromtimestamp(epoch + 61, UTC):%Y%m%dT%H%M%SZ} - 60 sec.)"
    )


_QUERY_VALUES = st.one_of(st.text(max_size=30), st.sampled_from(["AWS4-HMAC-SHA256", "20240101T000000Z", "60", "0"]))


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
    path=st.text(max_size=30).map(lambda t: "/" + t),
    values=st.fixed_dictionaries(
        {},
        optional={
            name: _QUERY_VALUES
            for name in (
                "X-Amz-Credential",
                "X-Amz-Date",
                "X-Amz-Expires",
                "X-Amz-SignedHeaders",
                "X-Amz-Signature",
                "X-Amz-Security-Token",
            )
        },
    ),
    algorithm=_QUERY_VALUES,
    body=st.binary(max_size=50),
)
def test_verifier_refuses_any_presigned_forgery_without_failing(
    method: str, path: str, values: dict[str, str], algorithm: str, body: bytes
) -> None:
    query = urlencode({"X-Amz-Algorithm": algorithm, **values})
    incoming = HttpRequest(method, path, query, {"host": "imagebuilder"}, body)
    rejection = SignatureVerifier(SECRETS).check(incoming)
    assert rejection is not None
    assert rejection.code in (
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
    )


# -- the signing time in the Date header -------------------------------------------------------------------------


def _signed_with_date(url: str, date: str | None, x_amz_date: str | None = None) -> dict[str, str]:
    """Headers of a SigV4-signed ListImagePipelines whose signing time is ``date`` (the Date header), signed by
    botocore's own canonicalisation (its add_auth would add X-Amz-Date)."""
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    headers = {"Host": urlsplit(url).netloc, "Content-Type": "application/json"}
    if date is not None:
        headers["Date"] = date
    if x_amz_date is not None:
        headers["X-Amz-Date"] = x_amz_date
    request = AWSRequest(method="POST", url=f"{url}/ListImagePipelines", data=b"{}", headers=headers)
    request.context["timestamp"] = x_amz_date or date or now
    signer = SigV4Auth(Credentials("AKIDKNOWN", "known-secret"), "imagebuilder", "us-east-1")
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    scope = f"AKIDKNOWN/{now[:8]}/us-east-1/imagebuilder/aws4_request"
    headers["Authorization"] = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature={signature}"
    return headers


def test_the_signing_time_may_be_the_date_header_in_basic_format(verifying: RunningServer) -> None:
    basic = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    url = f"{verifying.url}/ListImagePipelines"

    in_date = requests.post(url, data=b"{}", headers=_signed_with_date(verifying.url, basic), timeout=10)
    # X-Amz-Date, when there, is the signing time; a Date beside it is only a signed header.
    both = _signed_with_date(verifying.url, formatdate(usegmt=True), x_amz_date=basic)
    overridden = requests.post(url, data=b"{}", headers=both, timeout=10)

    assert in_date.status_code == 200, in_date.text
    assert overridden.status_code == 200, overridden.text


def test_a_signing_time_in_another_format_or_none_is_incomplete(verifying: RunningServer) -> None:
    url = f"{verifying.url}/ListImagePipelines"
    http_date = formatdate(usegmt=True)
    headers = _signed_with_date(verifying.url, http_date)
    rfc_date = requests.post(url, data=b"{}", headers=headers, timeout=10)
    del headers["Date"]
    no_date = requests.post(url, data=b"{}", headers=headers, timeout=10)

    assert (rfc_date.status_code, rfc_date.headers["x-amzn-ErrorType"]) == (400, "IncompleteSignatureException")
    assert rfc_date.json()["message"] == (
        f"Date must be in ISO-8601 'basic format'. Got '{http_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )
    assert (no_date.status_code, no_date.headers["x-amzn-ErrorType"]) == (400, "IncompleteSignatureException")
    assert no_date.json()["message"].startswith(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="
    )
