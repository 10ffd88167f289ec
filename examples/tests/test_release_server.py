"""ami_release against the plugin's HTTP server: the same code, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from ami_release import create_pipeline, new_client, release


def test_release_over_http(imagebuilder_server):
    client = new_client(endpoint_url=str(imagebuilder_server))
    pipeline_arn = create_pipeline(client, "golden-web")
    fake = imagebuilder_server.fake  # the server's state and virtual clock

    ami = release(pipeline_arn, client=client, sleep=fake.advance, clock=fake.clock.now)

    assert ami.startswith("ami-")
    assert client.meta.endpoint_url == str(imagebuilder_server)


def test_each_test_gets_a_fresh_server_state(imagebuilder_server):
    client = new_client(endpoint_url=str(imagebuilder_server))
    assert client.list_image_pipelines()["imagePipelineList"] == []
