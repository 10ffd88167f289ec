"""``serve --state-file``: acknowledged changes survive a kill -9; a damaged file is reported, never dropped."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import BotoCoreError, ClientError
from imagebuilder_scenario import (
    NO_RETRIES,
    REGION,
    ServerProcess,
    boto3_client,
    control,
    create_pipeline,
)

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.persistence import StateFileError, state_code
from fakeimagebuilder.server import serve_in_thread


def test_sigkill_mid_traffic_loses_no_acknowledged_build(spawn: Callable[..., ServerProcess], tmp_path: Path) -> None:
    state = tmp_path / "state.journal"
    server = spawn("--speed", "60", "--state-file", str(state))
    assert server.started, server.first_line
    pipeline = create_pipeline(boto3_client(server.url))
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        client = boto3_client(server.url, config=NO_RETRIES)
        for n in range(100_000):
            token = f"w{index}-{n}"
            try:
                answer = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)
            except (BotoCoreError, ClientError):
                return  # the server is gone: this call was never acknowledged
            with lock:
                acknowledged.append((token, answer["imageBuildVersionArn"]))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.proc.pid, signal.SIGKILL)  # mid-traffic: the workers are still sending
    for thread in threads:
        thread.join(timeout=30)
    assert len(acknowledged) >= 150

    restarted = spawn("--speed", "60", "--state-file", str(state))
    assert restarted.started, restarted.finish()
    client = boto3_client(restarted.url)
    listed: list[str] = []
    for page in client.get_paginator("list_image_pipeline_images").paginate(imagePipelineArn=pipeline):
        listed.extend(image["arn"] for image in page["imageSummaryList"])
    assert {arn for _, arn in acknowledged} <= set(listed)
    # Numbers stay unique and contiguous: the replay rebuilt the same sequence.
    assert sorted(int(arn.rsplit("/", 1)[1]) for arn in listed) == list(range(1, len(listed) + 1))
    # The client-token ledger came back too: a replay returns the acknowledged build, not a new one.
    for token, arn in acknowledged[::15]:
        again = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=token)
        assert again["imageBuildVersionArn"] == arn


def _file_with_builds(journaled: Callable[[], FakeImageBuilder], tmp_path: Path) -> Path:
    """The state file after a fake made a pipeline and two builds in it and was closed."""
    fake = journaled()
    _with_builds(fake)
    _close(fake)
    return tmp_path / "state.journal"


def _close(fake: FakeImageBuilder) -> None:
    assert fake.journal is not None
    fake.journal.close()


def _with_builds(fake: FakeImageBuilder) -> tuple[Any, str]:
    with fake:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        pipeline = create_pipeline(client)
        build = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="first")
        client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="second")
        client.tag_resource(resourceArn=pipeline, tags={"kept": "yes"})
    return build["imageBuildVersionArn"], pipeline


def test_reopened_state_equals_the_acknowledged_state(journaled: Callable[[], FakeImageBuilder]) -> None:
    fake = journaled()
    _with_builds(fake)
    before = fake.state()
    _close(fake)
    assert journaled().state() == before


def test_reads_and_failures_are_not_journaled(journaled: Callable[[], FakeImageBuilder], tmp_path: Path) -> None:
    fake = journaled()
    build, pipeline = _with_builds(fake)
    size = (tmp_path / "state.journal").stat().st_size
    with fake:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        client.get_image(imageBuildVersionArn=build)
        client.list_image_pipeline_images(imagePipelineArn=pipeline)
        with pytest.raises(ClientError):
            client.start_image_pipeline_execution(imagePipelineArn=pipeline + "x", clientToken="missing")
    assert (tmp_path / "state.journal").stat().st_size == size


def test_unfinished_last_entry_is_dropped_with_a_notice(
    journaled: Callable[[], FakeImageBuilder], tmp_path: Path
) -> None:
    fake = journaled()
    _with_builds(fake)
    before = fake.state()
    _close(fake)
    path = tmp_path / "state.journal"
    complete = path.read_bytes()
    seq = len(complete.splitlines())  # the next entry's
    path.write_bytes(complete + b'1234abcd {"seq":%d,"call":"StartImage' % seq)  # a crash mid-append: no newline
    notices: list[str] = []
    reopened = FakeImageBuilder.from_state_file(path, speed=0, notices=notices)
    try:
        assert reopened.state() == before
        assert len(notices) == 1 and "never acknowledged" in notices[0]
        assert path.read_bytes() == complete  # the fragment is gone, so new entries follow whole lines
    finally:
        _close(reopened)


def _compacted(fake: FakeImageBuilder) -> bytes:
    _with_builds(fake)
    assert fake.journal is not None
    fake.journal.compact()
    _close(fake)
    header, snapshot, *_ = fake.journal.path.read_bytes().splitlines(keepends=True)  # then the stop's line
    return header + snapshot


@pytest.mark.parametrize(
    ("cut", "reason"),
    [
        (lambda data: data[:-20], "line 2: the snapshot is cut short"),
        (lambda data: data[: data.index(b"\n") + 40], "line 2: the snapshot is cut short"),
        (lambda data: data[: data.index(b"\n") + 1], "line 2: the header says a snapshot follows it, and there is"),
        (lambda data: data[:30], "line 1: the header is cut short"),
    ],
    ids=["snapshot cut late", "snapshot cut early", "snapshot gone", "header cut"],
)
def test_a_cut_header_or_snapshot_stops_the_start_and_leaves_the_file_alone(
    journaled: Callable[[], FakeImageBuilder],
    tmp_path: Path,
    cut: Callable[[bytes], bytes],
    reason: str,
) -> None:
    # Both are renamed into place whole, never appended: a crash cannot cut them, so a cut one is damage (a copy
    # cut short), not an unacknowledged entry to drop. Was: dropped as "unfinished", the file cut to its header.
    path = tmp_path / "state.journal"
    damaged = cut(_compacted(journaled()))
    path.write_bytes(damaged)
    with pytest.raises(StateFileError, match=reason):
        FakeImageBuilder.from_state_file(path, speed=0)
    assert path.read_bytes() == damaged


@pytest.mark.parametrize(
    "text",
    [b'{"precious": "user data, not a journal"}', b"", b'{"precious": "user data"}\n{"more": 1}'],
    ids=["one line", "empty", "two lines"],
)
def test_a_file_that_is_no_journal_is_refused_newline_or_not_and_never_written(
    spawn: Callable[..., ServerProcess], tmp_path: Path, text: bytes
) -> None:
    path = tmp_path / "important.json"
    path.write_bytes(text + b"x")  # no newline at the end
    server = spawn("--speed", "0", "--state-file", str(path))
    assert not server.started
    status, _, err = server.finish()
    assert status == 2, err
    assert f"state file {path}, line " in err and "Traceback" not in err
    assert path.read_bytes() == text + b"x"


def test_a_last_line_that_is_not_the_next_entry_begun_is_damage_not_dropped(
    journaled: Callable[[], FakeImageBuilder], tmp_path: Path
) -> None:
    path = _file_with_builds(journaled, tmp_path)
    damaged = path.read_bytes() + b"garbage appended by something else"
    path.write_bytes(damaged)
    lines = len(damaged.splitlines())
    with pytest.raises(StateFileError, match=f"line {lines}: damaged last line"):
        FakeImageBuilder.from_state_file(path, speed=0)
    assert path.read_bytes() == damaged


def test_a_new_file_s_header_is_renamed_into_place_never_written_in_part(
    aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.journal"
    path.touch(mode=0o600)

    def refused(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", refused)
        with pytest.raises(StateFileError, match="cannot be written"):
            FakeImageBuilder.from_state_file(path, speed=0)
    assert path.read_bytes() == b"" and not (tmp_path / "state.journal.compacting").exists()
    fake = FakeImageBuilder.from_state_file(path, speed=0)
    _close(fake)
    assert path.read_bytes().count(b"\n") >= 1 and path.stat().st_mode & 0o777 == 0o600


def _altered(lines: list[bytes]) -> list[bytes]:
    line = lines[3]
    return [*lines[:3], line[:20] + (b"Y" if line[20:21] == b"X" else b"X") + line[21:], *lines[4:]]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_altered, "line 4: damaged entry: checksum mismatch"),
        (lambda lines: [*lines[:3], *lines[4:]], "line 4: entry out of sequence"),
        (lambda lines: [*lines[:3], b"not a journal line", *lines[4:]], "line 4: damaged entry"),
        (lambda lines: [b"hello world", *lines[1:]], "line 1"),
    ],
    ids=["altered", "missing line", "garbage line", "not a journal"],
)
def test_damaged_state_file_is_refused_naming_the_line(
    journaled: Callable[[], FakeImageBuilder],
    tmp_path: Path,
    damage: Callable[[list[bytes]], list[bytes]],
    reason: str,
) -> None:
    path = _file_with_builds(journaled, tmp_path)
    lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"\n".join(damage(lines)) + b"\n")
    with pytest.raises(StateFileError, match=reason) as error:
        FakeImageBuilder.from_state_file(path, speed=0)
    assert error.value.line is not None


def test_server_refuses_to_start_on_a_damaged_file(spawn: Callable[..., ServerProcess], tmp_path: Path) -> None:
    path = tmp_path / "state.journal"
    fake = FakeImageBuilder.from_state_file(path, speed=0)
    _with_builds(fake)
    _close(fake)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"web", b"wEb")
    path.write_bytes(b"\n".join(lines))
    server = spawn("--state-file", str(path))
    assert not server.started
    status, _, err = server.finish()
    assert status == 2
    assert f"state file {path}, line 3: damaged entry: checksum mismatch" in err


def test_a_state_file_serves_one_server_at_a_time(journaled: Callable[[], FakeImageBuilder]) -> None:
    journaled()
    with pytest.raises(StateFileError, match="in use by another"):
        journaled()


def test_a_state_file_given_as_a_symbolic_link_stays_one_and_its_file_stays_locked(
    aws_env: None, tmp_path: Path
) -> None:
    real = tmp_path / "real" / "state.journal"
    real.parent.mkdir()
    link = tmp_path / "state.journal"
    link.symlink_to(real)
    fake = FakeImageBuilder.from_state_file(link, speed=0, compact_every=2)
    try:
        _with_builds(fake)
        assert fake.journal is not None and fake.journal.compactions > 0
        assert link.is_symlink() and link.resolve() == real  # was: replaced by the compacted file
        with pytest.raises(StateFileError, match="in use by another"):
            FakeImageBuilder.from_state_file(real, speed=0)
        before = fake.state()
    finally:
        _close(fake)
    reopened = FakeImageBuilder.from_state_file(real, speed=0)
    try:
        assert reopened.state() == before
    finally:
        _close(reopened)


def test_advance_and_reset_are_journaled(journaled: Callable[[], FakeImageBuilder]) -> None:
    fake = journaled()
    build, _ = _with_builds(fake)
    with serve_in_thread(fake) as server:
        assert control(server.url, "advance", {"seconds": 7200})[0] == 200
    _close(fake)
    reopened = journaled()
    with reopened:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    with serve_in_thread(reopened) as server:
        assert control(server.url, "reset", {})[0] == 200
    _close(reopened)
    assert journaled().state() == {}


def test_the_python_api_s_advance_and_reset_are_journaled_too(journaled: Callable[[], FakeImageBuilder]) -> None:
    fake = journaled()
    build, _ = _with_builds(fake)
    before = fake.clock.now()
    fake.advance(7200)
    _close(fake)
    reopened = journaled()
    assert reopened.clock.now() >= before + 7200  # time never appears to go back across a restart
    with reopened:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    reopened.reset()
    _close(reopened)
    assert journaled().state() == {}


def test_a_restart_at_a_lower_speed_after_a_kill_never_moves_the_clock_back(
    spawn: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    # Was: it resumed at the last line's instant plus the downtime times the *new* speed, so the time that
    # passed at 600x after the last line was lost: an AVAILABLE build read PENDING, an event cursor was refused.
    state = str(tmp_path / "state.journal")
    server = spawn("--speed", "600", "--state-file", state)
    assert server.started, server.first_line
    client = boto3_client(server.url, config=NO_RETRIES)
    build = client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client))["imageBuildVersionArn"]
    deadline = time.monotonic() + 30
    while client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] != "AVAILABLE":
        assert time.monotonic() < deadline, "the build never finished at 600x"
        time.sleep(0.2)
    status, page = control(server.url, "events?after=0")
    assert status == 200 and page["cursor"] == 5
    server.finish(signal.SIGKILL)

    restarted = spawn("--speed", "0", "--state-file", state)
    assert restarted.started, restarted.finish()
    client = boto3_client(restarted.url, config=NO_RETRIES)
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    assert control(restarted.url, "events?after=5") == (200, {"events": [], "notifications": [], "cursor": 5})


def _last_entry(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_bytes().splitlines()[-1].partition(b" ")[2]))


def test_a_start_at_another_speed_and_a_clean_stop_record_the_clock(
    aws_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.journal"
    fake = FakeImageBuilder.from_state_file(path, speed=1000)
    _, pipeline = _with_builds(fake)
    assert _last_entry(path)["speed"] == 1000
    _close(fake)
    reopened = FakeImageBuilder.from_state_file(path, speed=0)
    # From here the clock stands still: a restart after a kill -9 must not add the downtime at 1000x again.
    mark = _last_entry(path)
    assert mark["control"] == "advance" and mark["args"] == {"seconds": 0} and mark["speed"] == 0
    assert mark["now"] == reopened.clock.now()
    _close(reopened)

    # The wall clock is set back an hour while a fast fake runs: a clean stop records the instant it reached,
    # so the restart resumes there, not at the last call's instant (the downtime looks negative).
    from fakeimagebuilder import persistence

    fast = FakeImageBuilder.from_state_file(path, speed=1000)
    with fast:
        boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES).tag_resource(
            resourceArn=pipeline, tags={"late": "yes"}
        )
    set_back = SimpleNamespace(time=lambda: time.time() - 3600, monotonic=time.monotonic)
    monkeypatch.setattr(persistence, "time", set_back)
    time.sleep(0.05)
    seen = fast.clock.now()
    _close(fast)
    again = FakeImageBuilder.from_state_file(path, speed=0)
    try:
        assert again.clock.now() >= seen
    finally:
        _close(again)


def test_a_control_route_whose_write_fails_changes_nothing_and_answers_503(
    journaled: Callable[[], FakeImageBuilder], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = journaled()
    _with_builds(fake)
    with serve_in_thread(fake) as server:
        before = fake.clock.now()
        monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(28, "No space left")))
        status, answer = control(server.url, "advance", {"seconds": 3600})
        assert status == 503, answer
        assert fake.clock.now() < before + 3600  # the clock did not move: memory and file agree
        monkeypatch.undo()
        assert control(server.url, "advance", {"seconds": 60})[0] == 200  # the disk works again: so does the fake


def test_a_failed_write_leaves_memory_as_it_was_and_the_next_call_works(
    journaled: Callable[[], FakeImageBuilder], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = journaled()
    build, pipeline = _with_builds(fake)
    before = fake.state()

    def disk_full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    with fake:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        monkeypatch.setattr(os, "write", disk_full)
        with pytest.raises(ClientError) as failed:
            client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="third")
        assert failed.value.response["Error"]["Code"] == "ServiceUnavailableException"
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert fake.state() == before  # the failed start's build is not in memory
        assert client.get_image(imageBuildVersionArn=build)["image"]["arn"] == build  # reads still work
        monkeypatch.undo()
        third = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="third")
        assert third["imageBuildVersionArn"].endswith("/3")  # the number the refused start never took
    after = fake.state()
    _close(fake)
    assert journaled().state() == after


def test_scheduled_builds_are_the_same_after_a_restart(journaled: Callable[[], FakeImageBuilder]) -> None:
    # Scheduled runs are not journaled: they follow from the recorded calls and instants, so replay makes them again.
    fake = journaled()
    with fake:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        pipeline = create_pipeline(client)
        document = client.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
        client.update_image_pipeline(
            imagePipelineArn=pipeline,
            imageRecipeArn=document["imageRecipeArn"],
            infrastructureConfigurationArn=document["infrastructureConfigurationArn"],
            schedule={"scheduleExpression": "rate(1 hour)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"},
        )
        fake.advance(3 * 3600 + 60)
        assert len(client.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]) == 3
    before = fake.state()
    _close(fake)

    assert journaled().state() == before


@pytest.mark.parametrize("compact", [False, True])
def test_event_cursors_survive_a_restart(journaled: Callable[[], FakeImageBuilder], compact: bool) -> None:
    # A client that read up to a cursor before a restart reads exactly what came after it: nothing skipped
    # (a build deleted before the restart no longer renumbers the log) and nothing repeated.
    fake = journaled()
    with serve_in_thread(fake) as server:
        assert control(server.url, "events")[1]["cursor"] == 0
        first, _ = _with_builds(fake)
        control(server.url, "advance", {"seconds": 7200})
        _, seen = control(server.url, "events")
    assert [e["detail"]["state"]["status"] for e in seen["events"]][-1] == "AVAILABLE"
    with fake:
        boto3.client("imagebuilder", region_name=REGION).delete_image(imageBuildVersionArn=first)
    if compact:
        assert fake.journal is not None
        fake.journal.compact()
    _close(fake)
    reopened = journaled()
    with reopened:
        client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
        second = client.start_image_pipeline_execution(
            imagePipelineArn=client.list_image_pipelines()["imagePipelineList"][0]["arn"]
        )["imageBuildVersionArn"]
    reopened.advance(7200)
    with serve_in_thread(reopened) as server:
        _, rest = control(server.url, f"events?after={seen['cursor']}")
        _, everything = control(server.url, "events")
    assert {e["resources"][0] for e in rest["events"]} == {second}
    assert [e["detail"]["state"]["status"] for e in rest["events"]] == [
        "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"
    ]
    assert rest["cursor"] == seen["cursor"] + 5
    # The whole log is the one from before the restart, then the new build's.
    assert everything["events"][: len(seen["events"])] == seen["events"]


@pytest.mark.parametrize("compact", [False, True])
def test_event_cursors_keep_counting_across_a_reset_and_a_restart(
    journaled: Callable[[], FakeImageBuilder], compact: bool
) -> None:
    # The events due at a reset are numbered before it forgets them, live and on replay alike: a client holding
    # the cursor of the run after a reset resumes after a restart with exactly what came next.
    def build(fake: FakeImageBuilder, name: str) -> str:
        with fake:
            client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
            arn = client.start_image_pipeline_execution(imagePipelineArn=create_pipeline(client, name=name))
        fake.advance(7200)  # no event is observed: the next read (or reset) makes them
        return str(arn["imageBuildVersionArn"])

    fake = journaled()
    build(fake, "first")
    fake.reset()
    build(fake, "second")
    seen = fake.events_page(0)
    assert seen["cursor"] == 10 and len(seen["events"]) == 5
    if compact:
        assert fake.journal is not None
        fake.journal.compact()
    _close(fake)
    reopened = journaled()
    assert reopened.events_page(0) == seen
    third = build(reopened, "third")
    rest = reopened.events_page(seen["cursor"])
    assert [e["resources"][0] for e in rest["events"]] == [third] * 5
    assert rest["cursor"] == seen["cursor"] + 5


@pytest.mark.parametrize("compact", [False, True])
def test_a_builds_ami_ids_are_the_same_after_a_restart_wherever_the_file_went(
    journaled: Callable[[], FakeImageBuilder], tmp_path: Path, compact: bool
) -> None:
    # AMI ids are made from the fake and each build's launch number, not the ARN only: the fake of a state file
    # is the same fake after a restart (replayed or from a snapshot), so they do not change. The file names its
    # fake (was: its path did, so a moved file without a snapshot gave replayed builds other ids).
    def ids(fake: FakeImageBuilder, arn: str) -> list[str]:
        with fake:
            client = boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)
            image = client.get_image(imageBuildVersionArn=arn)["image"]
            runs = client.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
            return [a["image"] for a in image["outputResources"]["amis"]] + [r["workflowExecutionId"] for r in runs]

    fake = journaled()
    build, _ = _with_builds(fake)
    fake.advance(7200)
    before = ids(fake, build)
    assert len(before) > 1
    if compact:
        assert fake.journal is not None
        fake.journal.compact()
    _close(fake)
    again = journaled()
    assert ids(again, build) == before
    _close(again)

    moved = tmp_path / "elsewhere" / "moved.journal"
    moved.parent.mkdir()
    (tmp_path / "state.journal").rename(moved)
    there = FakeImageBuilder.from_state_file(moved, speed=0)
    try:
        assert ids(there, build) == before
    finally:
        _close(there)


def test_a_state_file_from_before_headers_named_the_fake_is_the_fake_of_its_path(
    journaled: Callable[[], FakeImageBuilder], tmp_path: Path
) -> None:
    path = _file_with_builds(journaled, tmp_path)
    lines = path.read_bytes().split(b"\n")
    header = json.loads(lines[0].partition(b" ")[2])

    def write(header: dict[str, Any]) -> None:
        text = json.dumps(header, separators=(",", ":")).encode()
        path.write_bytes(b"\n".join([b"%08x %s" % (zlib.crc32(text), text), *lines[1:]]))

    write({**header, "fake": 5})
    with pytest.raises(StateFileError, match="line 1: the header's 'fake' must be a non-empty string"):
        journaled()
    del header["fake"]
    write(header)
    older = journaled()
    assert older.settings.fake_id == "state-file:" + str(path.resolve())


@pytest.mark.parametrize("compact", [False, True])
def test_allow_unknown_regions_set_by_configure_survives_a_restart(
    journaled: Callable[[], FakeImageBuilder], compact: bool
) -> None:
    fake = journaled()
    fake.configure(allow_unknown_regions=True)
    if compact:  # a snapshot, not the configure entry, brings it back
        assert fake.journal is not None
        fake.journal.compact()
    _close(fake)

    with journaled():
        client = boto3.client("imagebuilder", region_name="us-east-one", config=NO_RETRIES)
        assert client.list_image_pipelines()["imagePipelineList"] == []


@pytest.mark.parametrize("compact", [False, True], ids=["lines", "snapshot"])
def test_options_given_at_a_restart_win_over_the_file_snapshot_or_not(
    aws_env: None, tmp_path: Path, compact: bool
) -> None:
    # Was: after a compaction the snapshot's account and region acceptance overrode those given at restart.
    path = tmp_path / "state.journal"

    def restart(**options: Any) -> FakeImageBuilder:
        return FakeImageBuilder.from_state_file(path, speed=0, compact_every=1 if compact else 1000, **options)

    def create(fake: FakeImageBuilder, name: str, region: str = REGION) -> str:
        with fake:
            client = boto3.client("imagebuilder", region_name=region, config=NO_RETRIES)
            arn: str = client.create_infrastructure_configuration(name=name, instanceProfileName="builder")[
                "infrastructureConfigurationArn"
            ]
        assert fake.journal is not None and (fake.journal.compactions > 0) is compact
        return arn

    first = restart(account_id="111111111111", allow_unknown_regions=True)
    old = create(first, "old", region="us-east-one")
    _close(first)

    second = restart(account_id="222222222222", allow_unknown_regions=False)
    assert create(second, "new").split(":")[4] == "222222222222"
    with second, pytest.raises(ClientError, match="InvalidSignatureException"):
        boto3.client("imagebuilder", region_name="us-east-one", config=NO_RETRIES).list_image_pipelines()
    # What was made before keeps its ARN, in the account it was made in.
    assert old.split(":")[4] == "111111111111" and old in json.dumps(second.state())
    _close(second)

    third = restart()  # given nothing: what the file holds, the values the last start gave
    assert third.account_id == "222222222222" and third.wire.allow_unknown_regions is False
    _close(third)


@pytest.mark.parametrize(
    "code", [None, "0123456789abcdef"], ids=["from before snapshots named their code", "another version's"]
)
def test_a_snapshot_of_other_state_code_is_refused_not_misread(
    journaled: Callable[[], FakeImageBuilder], tmp_path: Path, code: str | None
) -> None:
    # Pickle restores objects by field order, not meaning: another version's snapshot would load as wrong
    # state (a field added to a build shifts every later one) without an error. It is refused instead.
    fake = journaled()
    _with_builds(fake)
    assert fake.journal is not None
    fake.journal.compact()
    _close(fake)
    path = tmp_path / "state.journal"
    header, snapshot = path.read_bytes().split(b"\n")[:2]
    entry = json.loads(snapshot.partition(b" ")[2])
    assert entry["code"] == state_code()
    if code is None:
        del entry["code"]
    else:
        entry["code"] = code
    text = json.dumps(entry, separators=(",", ":")).encode()
    path.write_bytes(header + b"\n" + b"%08x %s\n" % (zlib.crc32(text), text))
    with pytest.raises(StateFileError, match="line 2: the snapshot was written by another version") as error:
        FakeImageBuilder.from_state_file(path, speed=0)
    assert state_code() in str(error.value)


def test_a_snapshot_of_this_state_code_restarts(journaled: Callable[[], FakeImageBuilder]) -> None:
    fake = journaled()
    _with_builds(fake)
    before = fake.state()
    assert fake.journal is not None
    fake.journal.compact()
    _close(fake)
    assert journaled().state() == before
