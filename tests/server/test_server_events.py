"""``GET /_fake/events?after=<cursor>``: the events (and SNS messages) since a cursor, over HTTP."""

from __future__ import annotations

import pytest
from imagebuilder_scenario import boto3_client, control, create_pipeline

from fakeimagebuilder.server import RunningServer


def test_events_come_in_pages_after_a_cursor(server: RunningServer) -> None:
    assert control(server.url, "events") == (200, {"events": [], "notifications": [], "cursor": 0})
    client = boto3_client(server.url)
    arn = client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))["imageBuildVersionArn"]
    control(server.url, "advance", {"seconds": 700})
    status, first = control(server.url, "events")
    assert status == 200
    assert [e["detail"]["state"]["status"] for e in first["events"]] == ["BUILDING"]
    assert first["events"][0]["resources"] == [arn] and first["cursor"] == 1

    control(server.url, "advance", {"seconds": 3600})
    _, rest = control(server.url, f"events?after={first['cursor']}")
    assert [e["detail"]["state"]["status"] for e in rest["events"]] == [
        "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"
    ]
    assert rest["cursor"] == 5
    assert control(server.url, "events?after=5") == (200, {"events": [], "notifications": [], "cursor": 5})
    # Everything from the start, as the fake holds it.
    _, everything = control(server.url, "events?after=0")
    assert everything["events"] == server.fake.events


def test_reset_keeps_the_cursors_counting(server: RunningServer) -> None:
    client = boto3_client(server.url)
    client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))
    control(server.url, "advance", {"seconds": 3600})
    _, seen = control(server.url, "events")
    control(server.url, "reset", method="POST")
    client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))
    control(server.url, "advance", {"seconds": 3600})
    _, after_reset = control(server.url, f"events?after={seen['cursor']}")
    assert len(after_reset["events"]) == 5 and after_reset["cursor"] == seen["cursor"] + 5


@pytest.mark.parametrize("after", ["-1", "x", "1.5", "", "9" * 5000])
def test_a_bad_cursor_is_a_400(server: RunningServer, after: str) -> None:
    status, body = control(server.url, f"events?after={after}")
    assert status == 400 and "'after' must be a cursor" in body["message"]


@pytest.mark.parametrize("after", ["6", "100", "9" * 20, "9" * 21, "9" * 5000])
def test_a_cursor_past_the_newest_is_a_400_naming_the_newest(server: RunningServer, after: str) -> None:
    # No answer gave it, short or long (was: a short one answered 200, a very long one 400).
    client = boto3_client(server.url)
    client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))
    control(server.url, "advance", {"seconds": 3600})
    status, body = control(server.url, f"events?after={after}")
    assert status == 400
    assert "'after' must be a cursor" in body["message"] and "past the newest, 5 " in body["message"]
    assert control(server.url, "events?after=5") == (200, {"events": [], "notifications": [], "cursor": 5})


def test_events_take_get_only(server: RunningServer) -> None:
    status, _ = control(server.url, "events", {}, method="POST")
    assert status == 405


@pytest.mark.parametrize("body", [{"after": 1}, {"after": "1"}, b'{"after": 1}'])
def test_the_cursor_may_come_in_a_json_body(server: RunningServer, body: object) -> None:
    client = boto3_client(server.url)
    client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))
    control(server.url, "advance", {"seconds": 3600})
    status, page = control(server.url, "events", body, method="GET")
    assert status == 200
    assert [e["detail"]["state"]["status"] for e in page["events"]] == [
        "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"
    ]
    assert page["cursor"] == 5
    # The same cursor both ways is no conflict.
    assert control(server.url, "events?after=1", body, method="GET")[1] == page


@pytest.mark.parametrize("body", [{"after": -1}, {"after": 1.5}, {"after": True}, {"after": None}])
def test_a_bad_cursor_in_the_body_is_a_400_that_says_where_cursors_go(server: RunningServer, body: object) -> None:
    status, answer = control(server.url, "events", body, method="GET")
    assert status == 400
    assert "'after' must be a cursor" in answer["message"] and "?after=N" in answer["message"]


def test_a_cursor_given_twice_differently_is_a_400(server: RunningServer) -> None:
    status, answer = control(server.url, "events?after=1", {"after": 3}, method="GET")
    assert status == 400 and "different values" in answer["message"]


def test_a_cursor_repeated_with_different_values_is_a_400(server: RunningServer) -> None:
    status, answer = control(server.url, "events?after=1&after=3")
    assert status == 400 and "more than once" in answer["message"] and "'after'" in answer["message"]
    # The same value twice says one thing.
    assert control(server.url, "events?after=0&after=0") == (200, {"events": [], "notifications": [], "cursor": 0})


@pytest.mark.parametrize("query", ["events?cursor=3", "events?after=0&limit=10", "events?After=1"])
def test_an_unknown_query_parameter_is_a_400_naming_the_accepted_one(server: RunningServer, query: str) -> None:
    status, answer = control(server.url, query)
    assert status == 400 and "takes only 'after'" in answer["message"]
