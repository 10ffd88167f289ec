"""``--state-file`` durability: knob changes survive, memory and file never disagree, compaction bounds restarts."""

from __future__ import annotations

import base64
import json
import os
import pickle
import resource
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from imagebuilder_scenario import NO_RETRIES, REGION, ServerProcess, boto3_client, control, create_pipeline

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder import persistence as persistence_module
from fakeimagebuilder.clock import LATEST
from fakeimagebuilder.persistence import StateFileError
from fakeimagebuilder.server import serve_in_thread
from fakeimagebuilder.service.calls import Call


@pytest.fixture
def opener(aws_env: None, tmp_path: Path) -> Iterator[Callable[..., FakeImageBuilder]]:
    """Open fakes on one state file (time stopped); each is closed after the test."""
    opened: list[FakeImageBuilder] = []

    def open_fake(**options: Any) -> FakeImageBuilder:
        fake = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0, **options)
        opened.append(fake)
        return fake

    yield open_fake
    for fake in opened:
        close(fake)


def close(fake: FakeImageBuilder) -> None:
    assert fake.journal is not None
    fake.journal.close()


def _client() -> Any:
    return boto3.client("imagebuilder", region_name=REGION, config=NO_RETRIES)


def _error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as error:
        call()
    code: str = error.value.response["Error"]["Code"]
    return code


# -- knob changes are state too ----------------------------------------------------------------------


def test_every_knob_change_survives_a_restart(opener: Callable[..., FakeImageBuilder]) -> None:
    fake = opener()
    with fake:
        pipeline = create_pipeline(_client())
    plan = BuildPlan.lasting(90, outcome="FAILED")
    fake.fail_next("GetImagePipeline", "ServiceUnavailableException", times=2, message="later")
    fake.set_rate_limit("ListImagePipelines", rate=0, burst=1)
    fake.deny("DeleteImagePipeline", account_id="123456789012")
    fake.configure(
        max_concurrent_builds=1,
        disabled_pipeline_error=None,
        missing_reference_error="InvalidRequestException",
        auto_version_first=1,
        missing_component_policy="ResourceNotFoundException",
    )
    fake.set_build_plan(plan, pipeline_arn=pipeline)
    with serve_in_thread(fake) as server:  # and over HTTP
        body = {"operation": "ListImages", "code": "ServiceException", "times": 3}
        assert control(server.url, "fail_next", body)[0] == 200
    close(fake)

    reopened = opener()
    assert reopened.pending_faults("GetImagePipeline") == 2
    assert reopened.pending_faults("ListImages") == 3
    assert reopened.settings.max_concurrent_builds == 1
    assert reopened.settings.disabled_pipeline_error is None
    assert reopened.settings.missing_reference_error == "InvalidRequestException"
    assert reopened.settings.auto_version_first == 1
    assert reopened.settings.missing_component_policy == "ResourceNotFoundException"
    assert reopened.settings.plan_for(pipeline) == plan
    with reopened:
        client = _client()
        assert _error_code(lambda: client.get_image_pipeline(imagePipelineArn=pipeline)) == (
            "ServiceUnavailableException"
        )
        client.list_image_pipelines()  # the bucket's one token
        assert _error_code(client.list_image_pipelines) == "CallRateLimitExceededException"
        assert _error_code(lambda: client.delete_image_pipeline(imagePipelineArn=pipeline)) == "ForbiddenException"
        build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        # max_concurrent_builds=1 came back: a second start while the first builds is refused.
        assert _error_code(lambda: client.start_image_pipeline_execution(imagePipelineArn=pipeline)) == (
            "ResourceInUseException"
        )
        reopened.advance(90)
        assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "FAILED"  # the plan


def test_a_fault_taken_by_a_call_stays_taken_after_a_restart(opener: Callable[..., FakeImageBuilder]) -> None:
    fake = opener()
    fake.fail_next("ListImagePipelines", "ServiceException", times=2)
    with fake:
        assert _error_code(_client().list_image_pipelines) == "ServiceException"
    assert fake.pending_faults("ListImagePipelines") == 1
    close(fake)
    assert opener().pending_faults("ListImagePipelines") == 1


def test_a_refused_knob_change_is_not_kept(opener: Callable[..., FakeImageBuilder], tmp_path: Path) -> None:
    fake = opener()
    size = (tmp_path / "state.journal").stat().st_size
    with pytest.raises(ValueError, match="cannot move back"):
        fake.advance(-5)
    assert (tmp_path / "state.journal").stat().st_size == size


# -- memory and file never disagree --------------------------------------------------------------------


def test_a_failed_sync_under_concurrent_load_rolls_back_exactly_what_was_not_acknowledged(
    opener: Callable[..., FakeImageBuilder], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = opener()
    with fake:
        pipeline = create_pipeline(_client())
        clients = [_client() for _ in range(8)]
    real_sync = persistence_module._sync
    syncs = 0
    count_lock = threading.Lock()

    def failing_sync(fd: int) -> None:
        nonlocal syncs
        with count_lock:
            syncs += 1
            failing = syncs in (15, 40)  # a disk that fails twice, mid-load
        if failing:
            raise OSError(5, "Input/output error")
        real_sync(fd)

    monkeypatch.setattr(persistence_module, "_sync", failing_sync)
    acknowledged: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for n in range(15):
            try:
                arn = clients[index].start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ServiceUnavailableException"
                with lock:
                    refused.append(f"{index}-{n}")
            else:
                with lock:
                    acknowledged.append(arn)

    with fake:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert refused, "the injected failures must have refused some calls"
    live = fake.state()
    images = [image["arn"] for image in live["123456789012"][REGION]["images"]]
    assert sorted(images) == sorted(acknowledged)  # every acknowledged build, and nothing refused
    assert sorted(int(arn.rsplit("/", 1)[1]) for arn in images) == list(range(1, len(images) + 1))
    close(fake)
    assert opener().state() == live  # the file holds exactly what memory held


def test_a_call_the_journal_cannot_encode_changes_nothing(
    opener: Callable[..., FakeImageBuilder], tmp_path: Path
) -> None:
    fake = opener()
    with fake:
        pipeline = create_pipeline(_client())
    before, size = fake.state(), (tmp_path / "state.journal").stat().st_size
    # Nothing the wire parses is unencodable; a value JSON cannot hold stands in for what a future wire might pass.
    call = Call(
        "StartImagePipelineExecution", {"imagePipelineArn": pipeline, "tags": {"k": {1, 2}}}, "123456789012", REGION
    )
    with pytest.raises(Exception, match="cannot be recorded") as error:
        fake.policy.handle(call)
    assert getattr(error.value, "code", None) == "ServiceException"
    assert fake.state() == before
    assert (tmp_path / "state.journal").stat().st_size == size


def test_a_lone_surrogate_is_either_refused_or_kept_never_acknowledged_then_lost(
    spawn: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    state = tmp_path / "state.journal"
    server = spawn("--speed", "0", "--state-file", str(state))
    pipeline = create_pipeline(boto3_client(server.url))
    body = json.dumps({"imagePipelineArn": pipeline, "clientToken": "surrogate", "tags": {"k": "\ud800"}})
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20250101/{REGION}/imagebuilder/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
    }
    answer = requests.put(f"{server.url}/StartImagePipelineExecution", data=body.encode(), headers=headers, timeout=10)
    assert answer.status_code < 500, answer.text  # refused as invalid (4xx) or kept (200); never a 500
    again = requests.put(f"{server.url}/StartImagePipelineExecution", data=body.encode(), headers=headers, timeout=10)
    assert again.status_code == answer.status_code
    server.finish(signal.SIGKILL)
    restarted = spawn("--speed", "0", "--state-file", str(state))
    images = boto3_client(restarted.url).list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    if answer.status_code == 200:
        assert [image["arn"] for image in images] == [answer.json()["imageBuildVersionArn"]]
        assert again.json()["imageBuildVersionArn"] == answer.json()["imageBuildVersionArn"]
    else:
        assert images == []


def test_a_full_disk_answers_503_and_the_server_recovers_when_space_returns(
    spawn: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    if not hasattr(resource, "prlimit") or sys.platform != "linux":
        pytest.skip("needs Linux's prlimit to give a running server its disk space back")
    state = tmp_path / "state.journal"
    server = spawn("--speed", "0", "--state-file", str(state))
    client = boto3_client(server.url, config=NO_RETRIES)
    pipeline = create_pipeline(client)
    # A file-size limit is a disk that fills up: writes past it fail with EFBIG (SIGXFSZ is ignored by the server).
    full = state.stat().st_size + 700
    resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (full, resource.RLIM_INFINITY))
    acknowledged = []
    for n in range(20):
        try:
            acknowledged.append(
                client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=f"t{n}")[
                    "imageBuildVersionArn"
                ]
            )
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ServiceUnavailableException"
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 503
            break
    else:
        pytest.fail("the disk never filled up")
    _, listed = control(server.url, "state")
    assert [image["arn"] for image in listed["123456789012"][REGION]["images"]] == acknowledged
    with pytest.raises(ClientError, match="ServiceUnavailableException"):  # still full: still refused, still no change
        client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="after")
    resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    later = client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="after")
    assert later["imageBuildVersionArn"].endswith(f"/{len(acknowledged) + 1}")
    server.finish(signal.SIGKILL)
    restarted = spawn("--speed", "0", "--state-file", str(state))
    images = boto3_client(restarted.url).list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert sorted(image["arn"] for image in images) == sorted([*acknowledged, later["imageBuildVersionArn"]])


# -- compaction ----------------------------------------------------------------------------------------


def test_compaction_keeps_the_file_short_and_the_state_whole(
    opener: Callable[..., FakeImageBuilder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = opener(compact_every=10)
    with fake:
        client = _client()
        pipeline = create_pipeline(client)
        for n in range(35):
            client.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken=f"t{n}")
        client.tag_resource(resourceArn=pipeline, tags={"kept": "yes"})
    fake.fail_next("GetImage", "ServiceException", times=4)
    fake.advance(60)
    assert fake.journal is not None and fake.journal.compactions >= 3
    lines = (tmp_path / "state.journal").read_bytes().splitlines()
    assert len(lines) <= 2 + 10  # header, snapshot, and a short tail
    before = fake.state()
    close(fake)
    reopened = opener(compact_every=10)
    assert reopened.state() == before
    assert reopened.pending_faults("GetImage") == 4
    assert reopened.journal is not None
    assert "from a snapshot" in reopened.journal.report
    with reopened:  # the client-token ledger came back through the snapshot
        again = _client().start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="t3")
        assert again["imageBuildVersionArn"].endswith("/4")
        # A rollback right after a restart goes back to the snapshot plus the lines read from the file.
        monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(28, "No space left")))
        assert _error_code(lambda: _client().tag_resource(resourceArn=pipeline, tags={"new": "x"})) == (
            "ServiceUnavailableException"
        )
    assert reopened.state() == before


def test_an_unfinished_compaction_is_dropped_with_a_notice(
    opener: Callable[..., FakeImageBuilder], tmp_path: Path
) -> None:
    fake = opener()
    with fake:
        create_pipeline(_client())
    before = fake.state()
    close(fake)
    leftover = tmp_path / "state.journal.compacting"
    leftover.write_bytes(b"00000000 {half a snapsh")  # a kill between writing the temporary file and the rename
    notices: list[str] = []
    reopened = FakeImageBuilder.from_state_file(tmp_path / "state.journal", speed=0, notices=notices)
    try:
        assert reopened.state() == before
        assert not leftover.exists()
        assert any("unfinished compaction" in notice for notice in notices)
    finally:
        close(reopened)


def _rewrite_line(path: Path, number: int, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    lines = path.read_bytes().split(b"\n")
    entry = json.loads(lines[number - 1].partition(b" ")[2])
    text = json.dumps(change(entry), separators=(",", ":")).encode()
    lines[number - 1] = b"%08x %s" % (zlib.crc32(text), text)
    path.write_bytes(b"\n".join(lines))


def test_a_snapshot_may_hold_only_the_fake_s_own_classes(
    opener: Callable[..., FakeImageBuilder], tmp_path: Path
) -> None:
    fake = opener(compact_every=1)
    with fake:
        create_pipeline(_client())
    close(fake)
    path = tmp_path / "state.journal"
    hostile = base64.b64encode(pickle.dumps(os.getcwd)).decode()  # a function, not data
    _rewrite_line(path, 2, lambda entry: {**entry, "snapshot": hostile})
    with pytest.raises(StateFileError, match=r"line 2: malformed entry: .*may not hold"):
        opener()


def test_an_entry_whose_params_are_not_an_object_is_refused_naming_the_line(
    opener: Callable[..., FakeImageBuilder], tmp_path: Path
) -> None:
    fake = opener()
    with fake:
        create_pipeline(_client())
    close(fake)
    path = tmp_path / "state.journal"
    _rewrite_line(path, 3, lambda entry: {**entry, "params": ["not", "an", "object"]})
    with pytest.raises(StateFileError, match=r"line 3: malformed entry: .*'params' must be an object"):
        opener()


@pytest.mark.parametrize("target", ["/dev/null", "directory", "params"])
def test_unusable_state_files_exit_2_without_a_traceback(
    spawn: Callable[..., ServerProcess], tmp_path: Path, target: str
) -> None:
    path = tmp_path / "state.journal"
    if target == "directory":
        path.mkdir()
    elif target == "params":
        fake = FakeImageBuilder.from_state_file(path, speed=0)
        with fake:
            create_pipeline(_client())
        close(fake)
        _rewrite_line(path, 2, lambda entry: {**entry, "params": "text"})
    server = spawn("--state-file", "/dev/null" if target == "/dev/null" else str(path))
    assert not server.started
    status, _, err = server.finish()
    assert status == 2, err
    assert "Traceback" not in err and "cannot start: state file" in err


def test_a_long_journal_is_compacted_when_opened(opener: Callable[..., FakeImageBuilder], tmp_path: Path) -> None:
    fake = opener(compact_every=1000)
    with fake:
        client = _client()
        pipeline = create_pipeline(client)
        for n in range(12):
            client.tag_resource(resourceArn=pipeline, tags={"n": str(n)})
    before = fake.state()
    close(fake)
    reopened = opener(compact_every=5)
    assert reopened.state() == before
    assert reopened.journal is not None and reopened.journal.compactions == 1
    assert len((tmp_path / "state.journal").read_bytes().splitlines()) == 2  # header and snapshot


def test_no_module_below_the_facade_imports_it() -> None:
    # The chain is policy -> journal -> service; the journal is handed what it needs (a Subject), so the
    # layers below the facade never reach up to it (no fake.py <-> persistence.py cycle).
    import ast

    import fakeimagebuilder

    package = Path(fakeimagebuilder.__file__).parent
    below = [
        "persistence.py",
        "policy.py",
        "wire.py",
        "validation.py",
        "model.py",
        "clock.py",
        *(f"service/{path.name}" for path in (package / "service").glob("*.py")),
    ]
    for name in below:
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        assert not {module for module in imported if module.rsplit(".", 1)[-1] == "fake"}, name


def _append_entry(path: Path, change: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Append a checksummed entry made from the last one (so only what ``change`` alters is wrong); its line."""
    lines = path.read_bytes().split(b"\n")[:-1]
    last = json.loads(lines[-1].partition(b" ")[2])
    base = {"seq": last["seq"] + 1, "now": last["now"], "wall": last["wall"]}
    text = json.dumps(change(base), separators=(",", ":")).encode()
    path.write_bytes(b"\n".join([*lines, b"%08x %s" % (zlib.crc32(text), text)]) + b"\n")
    return len(lines) + 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: {**e, "now": float("nan"), "control": "reset"}, "'now' must be an instant"),
        (lambda e: {**e, "now": float("inf"), "control": "reset"}, "'now' must be an instant"),
        (lambda e: {**e, "now": 1e300, "control": "reset"}, "'now' must be an instant"),
        (lambda e: {**e, "now": -5, "control": "reset"}, "'now' must be an instant"),
        (lambda e: {**e, "now": e["now"] - 3600, "control": "reset"}, "before the previous entry"),
        (lambda e: {**e, "wall": float("nan"), "control": "reset"}, "'wall' must be"),
        (lambda e: {**e, "control": "advance", "args": {"seconds": "x"}}, "clock moves by a number"),
        (lambda e: {**e, "control": "advance", "args": {"seconds": float("nan")}}, "not NaN"),
        (lambda e: {**e, "control": "advance", "args": {"seconds": -1}}, "cannot move back"),
        (
            lambda e: {**e, "control": "fail_next", "args": {"operation": "Nope", "code": "ServiceException"}},
            "not an Image Builder operation",
        ),
        (
            lambda e: {**e, "control": "fail_next", "args": {"operation": "GetImage", "code": "Nope"}},
            "not a modeled Image Builder error",
        ),
        (
            lambda e: {
                **e,
                "control": "fail_next",
                "args": {"operation": "GetImage", "code": "ServiceException", "times": -3},
            },
            "times must be an int",
        ),
        (
            lambda e: {**e, "control": "set_rate_limit", "args": {"operation": "GetImage", "rate": -1}},
            "rate must be",
        ),
        (lambda e: {**e, "control": "configure", "args": {"max_concurrent_builds": 0}}, "max_concurrent_builds"),
    ],
)
def test_a_checksummed_entry_the_live_api_would_refuse_stops_the_start_naming_the_line(
    opener: Callable[..., FakeImageBuilder],
    tmp_path: Path,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    reason: str,
) -> None:
    fake = opener()
    with fake:
        create_pipeline(_client())
    fake.fail_next("GetImage", "ServiceException")
    close(fake)
    line = _append_entry(tmp_path / "state.journal", change)
    with pytest.raises(StateFileError, match=rf"line {line}: malformed entry: .*{reason}") as error:
        opener()
    assert error.value.path == tmp_path / "state.journal"


def test_a_fast_clock_that_ran_past_the_year_9999_while_down_resumes_at_its_last_instant(
    aws_env: None, tmp_path: Path
) -> None:
    path = tmp_path / "state.journal"
    fake = FakeImageBuilder.from_state_file(path, speed=0)
    fake.advance(LATEST - fake.clock.now() - 60)  # a minute before the end of the year 9999
    close(fake)
    close(FakeImageBuilder.from_state_file(path, speed=1e6))  # it runs at a million virtual seconds a second

    # At the speed it ran at, the moment it was down carries it past the end: it resumes there (whatever the
    # new speed).
    resumed = FakeImageBuilder.from_state_file(path, speed=0)
    try:
        with resumed:
            arn = create_pipeline(_client())
            created = _client().get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["dateCreated"]
    finally:
        close(resumed)
    assert created.startswith("9999-12-31T23:59:")


@pytest.mark.parametrize("compact_every", [1, 1000], ids=["from a snapshot", "from the journal"])
def test_a_rate_limit_bucket_is_full_again_after_a_restart(
    opener: Callable[..., FakeImageBuilder], compact_every: int
) -> None:
    def allowed(fake: FakeImageBuilder) -> int:
        with fake:
            client = _client()
            for count in range(5):
                try:
                    client.list_image_pipelines()
                except ClientError as error:
                    assert error.response["Error"]["Code"] == "CallRateLimitExceededException"
                    return count
        return 5

    fake = opener(compact_every=compact_every)
    fake.set_rate_limit("ListImagePipelines", 0, burst=2)  # never refills while running
    assert allowed(fake) == 2
    with fake:
        create_pipeline(_client())  # a change after the tokens were spent: compacts when compact_every is 1
    assert fake.journal is not None and (fake.journal.compactions > 0) is (compact_every == 1)
    close(fake)

    assert allowed(opener(compact_every=compact_every)) == 2
