"""A send already inside the transport when another thread leaves the last fake still goes out."""

from __future__ import annotations

import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.endpoint import Endpoint

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import serve_in_thread


def test_a_send_in_flight_when_the_last_fake_leaves_reaches_botocore(aws_env: None):
    running = serve_in_thread(FakeImageBuilder(), host="127.0.0.1", port=0)
    try:
        client = botocore.session.get_session().create_client("imagebuilder", endpoint_url=str(running))
        request = AWSRequest(
            "POST", f"{running}/ListImagePipelines", data=b"{}", headers={"content-type": "application/json"}
        ).prepare()
        with FakeImageBuilder():
            in_flight = Endpoint._send  # looked up by a thread that has not called it yet
        # The fake has left (botocore's send is back) before that thread goes on.
        assert Endpoint._send is not in_flight
        response = in_flight(client._endpoint, request)
        assert response.status_code == 200
        assert b'"imagePipelineList"' in response.content
    finally:
        running.stop()
