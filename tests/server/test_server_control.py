"""The ``/_fake/`` control routes: JSON in, JSON out, and 4xx (never 5xx) for bad input."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from imagebuilder_scenario import NO_RETRIES, T0, boto3_client, control, create_pipeline

from fakeimagebuilder.server import RunningServer


def test_health(server: RunningServer) -> None:
    assert control(server.url, "health") == (200, {"status": "ok"})
    assert str(server) == server.url and server.url.startswith("http://127.0.0.1:")


def test_advance_moves_the_clock_and_builds_progress(server: RunningServer) -> None:
    client = boto3_client(server.url)
    build = client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))["imageBuildVersionArn"]
    assert control(server.url, "advance", {"seconds": 120.5}) == (200, {"now": T0 + 120.5})
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "CREATING"
    control(server.url, "advance", {"seconds": 3600})
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"


def test_state_dumps_resources_per_account_and_region(server: RunningServer) -> None:
    create_pipeline(boto3_client(server.url), name="east")
    create_pipeline(boto3_client(server.url, region="eu-west-1"), name="west")
    status, state = control(server.url, "state")
    assert status == 200
    scopes = state["123456789012"]
    assert [p["name"] for p in scopes["us-east-1"]["imagePipelines"]] == ["east"]
    assert [p["name"] for p in scopes["eu-west-1"]["imagePipelines"]] == ["west"]  # region from the signature
    assert scopes["eu-west-1"]["imagePipelines"][0]["arn"].startswith("arn:aws:imagebuilder:eu-west-1:")


def test_reset_empties_state(server: RunningServer) -> None:
    create_pipeline(boto3_client(server.url))
    assert control(server.url, "reset", method="POST") == (200, {})
    assert control(server.url, "state") == (200, {})


def test_fail_next_injects_a_modeled_error(server: RunningServer) -> None:
    client = boto3_client(server.url, config=NO_RETRIES)
    pipeline = create_pipeline(client)
    request = {"operation": "StartImagePipelineExecution", "code": "ServiceUnavailableException", "times": 2}
    assert control(server.url, "fail_next", {**request, "message": "try later"})[0] == 200
    for _ in range(2):
        with pytest.raises(ClientError) as error:
            client.start_image_pipeline_execution(imagePipelineArn=pipeline)
        assert error.value.response["Error"] == {"Code": "ServiceUnavailableException", "Message": "try later"}
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]


BAD = [
    ("advance", {}, "seconds"),
    ("advance", {"seconds": "10"}, "seconds"),
    ("advance", {"seconds": True}, "seconds"),
    ("advance", {"seconds": -1}, "cannot move back"),
    ("advance", {"seconds": 1e300}, "year 9999"),
    ("advance", b'{"seconds": 1e999}', "year 9999"),
    ("advance", b'{"seconds": 1' + b"0" * 400 + b"}", "year 9999"),
    ("advance", b'{"seconds": NaN}', "not valid JSON"),
    ("advance", b"[1]", "JSON object"),
    ("advance", b"\xff", "not valid JSON"),
    ("advance", b"[" * 50_000, "nested too deeply"),
    ("fail_next", {"operation": "StartImagePipelineExecution"}, "Expected"),
    ("fail_next", {"operation": "Nope", "code": "ServiceException"}, "not an Image Builder operation"),
    ("fail_next", {"operation": "GetImage", "code": "TeapotException"}, "not a modeled Image Builder error"),
    ("fail_next", {"operation": "GetImage", "code": "ServiceException", "times": 0}, "'times'"),
    ("fail_next", {"operation": "GetImage", "code": "ServiceException", "times": 10**9}, "'times'"),
    ("fail_next", {"operation": "GetImage", "code": "ServiceException", "message": 7}, "'message'"),
    (
        "fail_next",
        b'{"operation": "GetImage", "code": "ServiceException", "message": "bad \\ud800"}',
        "valid Unicode text",
    ),
]


@pytest.mark.parametrize(("route", "body", "says"), BAD)
def test_bad_control_input_is_a_400(server: RunningServer, route: str, body: object, says: str) -> None:
    status, answer = control(server.url, route, body)
    assert status == 400
    assert says in answer["message"]
    assert control(server.url, "health")[0] == 200


def test_wrong_method_and_unknown_route(server: RunningServer) -> None:
    status, answer = control(server.url, "reset", method="GET")
    assert status == 405 and "takes POST" in answer["message"]
    status, answer = control(server.url, "nothing-here")
    assert status == 404 and "/_fake/advance" in answer["message"]


# A member a route does not take, most often a misspelling: ignored, the caller would believe the fake changed.
MISSPELT = [
    ("advance", {"seconds": 60, "secs": 60}, "POST", "/_fake/advance takes 'seconds', not 'secs'"),
    ("advance", {"second": 60}, "POST", "(did you mean 'seconds'?)"),
    ("fail_next", {"operation": "GetImage", "code": "ServiceException", "time": 2}, "POST", "(did you mean 'times'?)"),
    ("reset", {"hard": True}, "POST", "/_fake/reset takes no members, not 'hard'"),
    ("scan_findings", {"findings": [], "image": "x"}, "POST", "not 'image'"),
    ("marketplace_components", {"component": {}}, "POST", "(did you mean 'components'?)"),
    ("state?account=1", None, "GET", "GET /_fake/state takes no members, not 'account'"),
]


@pytest.mark.parametrize(("route", "body", "method", "says"), MISSPELT)
def test_a_member_a_route_does_not_take_is_refused_and_changes_nothing(
    server: RunningServer, route: str, body: object, method: str, says: str
) -> None:
    create_pipeline(boto3_client(server.url))
    before, now = server.fake.state(), server.fake.clock.now()
    status, answer = control(server.url, route, body, method=method)
    assert status == 400, answer
    assert says in answer["message"], answer["message"]
    assert server.fake.state() == before and server.fake.clock.now() == now
    assert server.fake.pending_faults("GetImage") == 0
