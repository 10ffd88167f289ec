"""``--verify-signatures``: SigV4 recomputed with botocore's signer; AWS's 403s for unknown keys and bad signatures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
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
