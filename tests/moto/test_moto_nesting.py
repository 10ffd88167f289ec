"""moto and the fake together, in every way moto is entered, in both nesting orders.

Each test calls both sides (S3, SSM and EC2 through moto; Image Builder, built
from what moto holds, through the fake), then leaves the inner one and shows
the outer one still serves as before, and (the ``untouched`` fixture) that
leaving both restores botocore, requests, boto3 and the environment exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import pytest
from both_sides import (
    REGION,
    fake_still_serves,
    moto_answers_image_builder,
    moto_still_serves,
    use_fake,
    use_moto,
)
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from fakeimagebuilder import FakeImageBuilder

pytestmark = pytest.mark.usefixtures("untouched")

T = TypeVar("T")

MOTO_STUBBER_CALL = BotocoreStubber.__call__


def _context_manager(body: Callable[[], T]) -> T:
    with mock_aws():
        return body()


def _decorator(body: Callable[[], T]) -> T:
    return mock_aws(body)()


def _by_hand(body: Callable[[], T]) -> T:
    mock = mock_aws()
    mock.start()
    try:
        return body()
    finally:
        mock.stop()


def _class_decorator(body: Callable[[], T]) -> T:
    @mock_aws
    class Suite:
        def test_body(self) -> T:
            return body()

    return Suite().test_body()


MOTO_STYLES = {
    "context manager": _context_manager,
    "decorator": _decorator,
    "started by hand": _by_hand,
    "class decorator": _class_decorator,
}


@pytest.mark.parametrize("inside_moto", MOTO_STYLES.values(), ids=MOTO_STYLES.keys())
def test_fake_inside_moto(inside_moto: Callable[[Callable[[], Any]], Any]):
    def body() -> None:
        subnet = use_moto()
        with FakeImageBuilder() as fake:
            pipeline = use_fake(subnet)
            fake_still_serves(fake, pipeline, subnet)
            moto_still_serves(subnet)
        # The fake is gone: moto answers everything again, Image Builder with its own 404, and its stubber is its own.
        assert BotocoreStubber.__call__ is MOTO_STUBBER_CALL
        moto_still_serves(subnet)
        assert moto_answers_image_builder() == "404"

    inside_moto(body)


@pytest.mark.parametrize("inside_moto", MOTO_STYLES.values(), ids=MOTO_STYLES.keys())
def test_moto_inside_fake(inside_moto: Callable[[Callable[[], Any]], Any]):
    with FakeImageBuilder() as fake:
        # Made before moto is entered, by a session of its own: it reaches the fake all along.
        client = boto3.session.Session().client("imagebuilder", region_name=REGION)
        assert client.list_image_pipelines()["imagePipelineList"] == []

        def body() -> tuple[str, str]:
            subnet = use_moto()
            pipeline = use_fake(subnet)
            fake_still_serves(fake, pipeline, subnet)
            moto_still_serves(subnet)
            return pipeline, subnet

        pipeline, subnet = inside_moto(body)
        # moto is gone: the fake still serves, clients made inside moto's block included.
        fake_still_serves(fake, pipeline, subnet)
        assert [p["arn"] for p in client.list_image_pipelines()["imagePipelineList"]] == [pipeline]


def test_moto_stops_first_after_starting_first():
    """Started and stopped by hand, not nested: moto up, fake up, moto down, fake down."""
    mock = mock_aws()
    mock.start()
    fake = FakeImageBuilder().start()
    try:
        subnet = use_moto()
        pipeline = use_fake(subnet)
    finally:
        mock.stop()
    try:
        fake_still_serves(fake, pipeline, subnet)
    finally:
        fake.stop()


def test_fake_stops_first_after_starting_first():
    """Started and stopped by hand, not nested: fake up, moto up, fake down, moto down."""
    fake = FakeImageBuilder().start()
    mock = mock_aws()
    mock.start()
    try:
        try:
            subnet = use_moto()
            pipeline = use_fake(subnet)
            fake_still_serves(fake, pipeline, subnet)
        finally:
            fake.stop()
        moto_still_serves(subnet)
        assert moto_answers_image_builder() == "404"
    finally:
        mock.stop()


def test_fakes_and_mocks_nest_deeply():
    """Two fakes and two moto blocks, interleaved: the innermost fake answers, moto's data outlives the fakes."""
    with mock_aws():
        subnet = use_moto()
        with FakeImageBuilder() as outer:
            with mock_aws():  # nested moto: the same backends, not reset
                with FakeImageBuilder() as inner:
                    pipeline = use_fake(subnet)
                    fake_still_serves(inner, pipeline, subnet)
                    assert outer.state() == {}
                moto_still_serves(subnet)
            assert boto3.client("imagebuilder", region_name=REGION).list_image_pipelines()["imagePipelineList"] == []
        moto_still_serves(subnet)


def test_a_client_moto_patched_by_hand_reaches_the_fake():
    """``moto.core.patch_client`` adds moto's stubber to a client made before moto was loaded; it steps aside too."""
    from moto.core import patch_client

    with FakeImageBuilder() as fake, mock_aws():
        client = fake.client()
        patch_client(client)
        assert client.list_image_pipelines()["imagePipelineList"] == []


def test_image_builder_errors_are_the_fakes():
    """A modeled error from the fake, not moto's 404, while moto is active."""
    with mock_aws(), FakeImageBuilder() as fake:
        client = fake.client()
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_image_pipeline(
                imagePipelineArn=f"arn:aws:imagebuilder:{REGION}:{fake.account_id}:image-pipeline/missing"
            )
