"""``fake.mock_requests(mock)`` given moto's own ``responses`` mock: the fake's callbacks leave with the block."""

from __future__ import annotations

import pytest
import requests
from moto import mock_aws
from moto.core.models import responses_mock

from fakeimagebuilder import FakeImageBuilder

pytestmark = pytest.mark.usefixtures("untouched")

URL = "https://imagebuilder.us-east-1.amazonaws.com/ListImagePipelines"


def test_callbacks_added_to_motos_mock_are_removed_after_the_block():
    with mock_aws():
        moto_answer = requests.post(URL, json={}, timeout=10)
        registered = len(responses_mock.registered())
        with FakeImageBuilder().mock_requests(responses_mock):
            inside = requests.post(URL, json={}, timeout=10)
            assert inside.status_code == 200 and inside.json()["imagePipelineList"] == []
        after = requests.post(URL, json={}, timeout=10)
        assert (after.status_code, after.text) == (moto_answer.status_code, moto_answer.text)
        assert len(responses_mock.registered()) == registered
        # moto still serves its own services through the same mock.
        assert requests.get("https://s3.amazonaws.com/", timeout=10).status_code == 200
