"""``fail_next`` with the AWS CLI's or boto3's spelling of an operation names the API's, wherever it is given."""

from __future__ import annotations

import pytest
from imagebuilder_scenario import control

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.server import RunningServer

SPELLINGS = ["list-image-pipelines", "list_image_pipelines", "ListImagePipeline"]


@pytest.mark.parametrize("name", SPELLINGS)
def test_in_python_the_api_name_is_suggested(name: str):
    with pytest.raises(ValueError, match=r"did you mean 'ListImagePipelines'\?"):
        FakeImageBuilder().fail_next(name, "ServiceUnavailableException")


@pytest.mark.parametrize("name", SPELLINGS)
def test_over_http_the_api_name_is_suggested(server: RunningServer, name: str):
    status, answer = control(server.url, "fail_next", {"operation": name, "code": "ServiceUnavailableException"})

    assert status == 400
    assert answer["message"] == f"{name!r} is not an Image Builder operation; did you mean 'ListImagePipelines'?"
    assert server.fake.pending_faults("ListImagePipelines") == 0
