"""Events from the build timelines: their shapes, instants, order, and delivery to Python subscribers."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from fakeimagebuilder import BuildPlan, FakeImageBuilder
from fakeimagebuilder.events import SubscriberError
from fakeimagebuilder.service.builds import DEFAULT_DURATIONS
from fakeimagebuilder.service.events import (
    CVE_DETECTED,
    DETAIL_TYPES,
    PIPELINE_AUTOMATICALLY_DISABLED,
    WORKFLOW_STEP_WAITING,
    cve_detected,
    pipeline_automatically_disabled,
    workflow_step_waiting,
)
from fakeimagebuilder.service.state import Scope, Settings

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
PARENT_IMAGE = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
TOPIC = "arn:aws:sns:us-east-1:123456789012:image-notices"
STATE_CHANGE = "EC2 Image Builder Image State Change"


def _transitions(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["detail"]["previous-state"]["status"], e["detail"]["state"]["status"]) for e in events]


def _at(event: dict[str, Any]) -> float:
    return datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def _start(client: Any, stack: Any) -> str:
    return client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]


def test_a_build_sends_one_state_change_per_status_in_the_documented_shape(fake: Any, client: Any, stack: Any):
    start = fake.clock.now()
    arn = _start(client, stack)
    fake.advance(3600)

    events = fake.events
    assert _transitions(events) == [
        ("CREATING", "BUILDING"),
        ("BUILDING", "TESTING"),
        ("TESTING", "DISTRIBUTING"),
        ("DISTRIBUTING", "INTEGRATING"),
        ("INTEGRATING", "AVAILABLE"),
    ]
    first = events[0]
    assert set(first) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert first["version"] == "0" and UUID.match(first["id"])
    assert (first["source"], first["detail-type"]) == ("aws.imagebuilder", STATE_CHANGE)
    assert (first["account"], first["region"], first["resources"]) == (fake.account_id, "us-east-1", [arn])
    assert len({e["id"] for e in events}) == len(events)
    # Each at the instant of its change: BUILDING after PENDING and CREATING.
    building_at = start + DEFAULT_DURATIONS["PENDING"] + DEFAULT_DURATIONS["CREATING"]
    assert abs(_at(first) - building_at) < 1


def test_the_instants_are_those_of_the_changes_even_when_the_clock_jumps_over_them(fake: Any, client: Any, stack: Any):
    fake.configure(build_plan=BuildPlan.lasting(600))
    started = fake.clock.now()
    arn = _start(client, stack)
    seen = []
    for _ in range(130):  # observe in steps shorter than any stage
        fake.advance(5)
        status = client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
    stepwise = [(t, _at(e) - started) for t, e in zip(_transitions(fake.events), fake.events, strict=True)]

    fake.reset()
    fake.configure(build_plan=BuildPlan.lasting(600))
    started = fake.clock.now()
    _start(client, _make_stack(client))
    fake.advance(10_000)  # one jump over every change
    jumped = [(t, _at(e) - started) for t, e in zip(_transitions(fake.events), fake.events, strict=True)]
    assert [t for t, _ in jumped] == [t for t, _ in stepwise]
    assert all(abs(a - b) <= 1 for (_, a), (_, b) in zip(jumped, stepwise, strict=True))  # whole seconds
    assert [s for _, s in _transitions(fake.events)] == [s for s in seen if s not in ("PENDING", "CREATING")]


def _make_stack(client: Any, name: str = "web", topic: str | None = None, tests: bool = True) -> Any:
    recipe = client.create_image_recipe(
        name=name, semanticVersion="1.0.0", parentImage=PARENT_IMAGE, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = {"name": name, "instanceProfileName": "builder"}
    if topic:
        infra["snsTopicArn"] = topic
    infra_arn = client.create_infrastructure_configuration(**infra)["infrastructureConfigurationArn"]
    pipeline = client.create_image_pipeline(
        name=name,
        imageRecipeArn=recipe,
        infrastructureConfigurationArn=infra_arn,
        imageTestsConfiguration={"imageTestsEnabled": tests},
    )["imagePipelineArn"]
    return SimpleNamespace(recipe_arn=recipe, infrastructure_arn=infra_arn, pipeline_arn=pipeline)


def test_a_failed_build_names_its_reason_and_a_cancelled_one_ends_where_it_was(fake: Any, client: Any):
    failing = _make_stack(client, "failing")
    fake.set_build_plan(BuildPlan(outcome="FAILED", fail_during="BUILDING"), failing.pipeline_arn)
    failed = _start(client, failing)
    cancelled_stack = _make_stack(client, "cancelled")
    cancelled = _start(client, cancelled_stack)
    fake.advance(DEFAULT_DURATIONS["PENDING"] + 1)
    client.cancel_image_creation(imageBuildVersionArn=cancelled)
    fake.advance(3600)

    by_image: dict[str, list[dict[str, Any]]] = {}
    for event in fake.events:
        by_image.setdefault(event["resources"][0], []).append(event)
    assert _transitions(by_image[failed]) == [("CREATING", "BUILDING"), ("BUILDING", "FAILED")]
    reason = client.get_image(imageBuildVersionArn=failed)["image"]["state"]["reason"]
    assert by_image[failed][-1]["detail"]["state"] == {"status": "FAILED", "reason": reason}
    assert _transitions(by_image[cancelled]) == [("CREATING", "CANCELLED")]
    assert by_image[cancelled][-1]["detail"]["state"] == {"status": "CANCELLED"}


def test_no_testing_event_when_tests_are_off(fake: Any, client: Any):
    _start(client, _make_stack(client, tests=False))
    fake.advance(3600)
    assert "TESTING" not in {status for _, status in _transitions(fake.events)}


def test_events_of_many_builds_are_ordered_by_instant_then_creation(fake: Any, client: Any, stack: Any):
    fake.configure(build_plan=BuildPlan.lasting(100))
    first = _start(client, stack)
    second = _start(client, stack)  # the same instant: the first build's change comes first
    fake.advance(50)
    third = _start(client, stack)
    fake.advance(1000)
    events = fake.events
    instants = [_at(e) for e in events]
    assert instants == sorted(instants)
    at_once = [e["resources"][0] for e in events if _at(e) == _at(events[0])]
    assert at_once[:2] == [first, second]
    assert {e["resources"][0] for e in events} == {first, second, third}
    assert len(events) == 3 * 5


def test_zero_length_stages_still_send_their_events_in_order(fake: Any, client: Any, stack: Any):
    fake.configure(build_plan=BuildPlan.lasting(0))
    _start(client, stack)
    # The build ends at the instant it starts; stages that never last are not seen, and nothing repeats.
    assert _transitions(fake.events) == [("PENDING", "AVAILABLE")]


def test_nothing_is_made_for_events_until_someone_observes_them(fake: Any, client: Any, stack: Any):
    _start(client, stack)
    fake.advance(3600)
    assert fake.service.events is None
    # The first read gives the history of the builds there are, each at its own instant.
    assert _transitions(fake.events)[-1] == ("INTEGRATING", "AVAILABLE")
    assert fake.service.events is not None


def test_a_subscriber_gets_each_matching_event_once_in_order(fake: Any, client: Any, stack: Any):
    got: list[dict[str, Any]] = []
    everything: list[dict[str, Any]] = []
    handle = fake.subscribe(got.append, pattern={"detail": {"state": {"status": ["AVAILABLE", "FAILED"]}}})
    fake.subscribe(everything.append)
    arn = _start(client, stack)
    fake.advance(3600)
    fake.advance(3600)
    client.get_image(imageBuildVersionArn=arn)
    assert [e["detail"]["state"]["status"] for e in got] == ["AVAILABLE"]
    assert everything == fake.events

    handle.unsubscribe()
    _start(client, stack)
    fake.advance(3600)
    assert len(got) == 1
    assert len(everything) == 10


def test_a_subscriber_may_call_the_fake_from_its_callback(fake: Any, client: Any, stack: Any):
    seen: list[str] = []

    def on_event(event: dict[str, Any]) -> None:
        image = client.get_image(imageBuildVersionArn=event["resources"][0])["image"]
        seen.append(image["state"]["status"])

    fake.subscribe(on_event)
    _start(client, stack)
    fake.advance(3600)
    # Delivered after the jump: each callback reads the image as it is now.
    assert seen == ["AVAILABLE"] * 5


def test_subscribers_get_each_event_exactly_once_when_many_threads_observe(fake: Any, client: Any, stack: Any):
    fake.configure(build_plan=BuildPlan.lasting(100))
    got: list[str] = []
    fake.subscribe(lambda e: got.append(e["id"]))
    arns = [_start(client, stack) for _ in range(10)]
    errors: list[BaseException] = []

    def observe() -> None:
        try:
            for _ in range(20):
                fake.advance(1)
                client.get_image(imageBuildVersionArn=arns[0])
                fake.events  # noqa: B018  (a read observes too)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=observe) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    fake.advance(1000)
    events = fake.events
    assert got == [e["id"] for e in events]
    assert len(got) == len(set(got)) == 10 * 5


def test_a_thread_in_a_callback_delivers_only_what_there_was_when_it_began(fake: Any, client: Any, stack: Any):
    # As README says: a callback never runs in two threads at once, and no thread waits for another's callback,
    # nor delivers what other threads made while it was delivering (was: it went on with those, so with a slow
    # callback and busy threads one call was held as long as they kept making events). Those are delivered,
    # in order, by the next delivery after it.
    _start(client, stack)
    entered, gate = threading.Event(), threading.Event()
    seen: list[tuple[str, str]] = []

    def slow(event: dict[str, Any]) -> None:
        seen.append((threading.current_thread().name, event["detail"]["state"]["status"]))
        if event["detail"]["state"]["status"] == "BUILDING":
            entered.set()
            gate.wait(60)

    fake.subscribe(slow)
    building = DEFAULT_DURATIONS["PENDING"] + DEFAULT_DURATIONS["CREATING"] + 1
    first = threading.Thread(target=fake.advance, args=(building,), name="first")
    first.start()
    assert entered.wait(60), "the first thread never delivered BUILDING"
    fake.advance(3600)  # observes the rest, but the first thread is in the callback: it does not wait
    assert seen == [("first", "BUILDING")]
    gate.set()
    first.join()
    assert seen == [("first", "BUILDING")]  # its call returned with what there was when it began
    fake.events  # noqa: B018  (the next delivery)
    main = threading.current_thread().name
    assert seen == [("first", "BUILDING")] + [
        (main, status) for status in ("TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
    ]


def test_replay_delivers_what_was_logged_before_subscribing_not_what_others_make_meanwhile(
    fake: Any, client: Any, stack: Any
):
    # Was: subscribe(replay=True) went on delivering what other threads kept making, and returned only when
    # they stopped (204 s with four busy threads).
    _start(client, stack)
    fake.advance(3600)
    got: list[str] = []

    def on_event(event: dict[str, Any]) -> None:
        got.append(event["detail"]["state"]["status"])
        if len(got) == 1:  # another thread makes a whole build's events while the replay runs
            other = threading.Thread(target=lambda: (_start(fake.client(), stack), fake.advance(3600)))
            other.start()
            other.join()

    fake.subscribe(on_event, replay=True)
    lifecycle = ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
    assert got == lifecycle
    fake.events  # noqa: B018  (the next delivery)
    assert got == lifecycle * 2


def test_what_a_callback_s_own_calls_make_is_delivered_by_its_thread_before_its_call_returns(
    fake: Any, client: Any, stack: Any
):
    got: list[str] = []

    def on_event(event: dict[str, Any]) -> None:
        got.append(event["detail"]["state"]["status"])
        if event["detail"]["state"]["status"] == "BUILDING" and len(got) == 1:
            fake.advance(3600)  # in the thread delivering: its events come after this one, from it

    fake.subscribe(on_event)
    _start(client, stack)
    fake.advance(DEFAULT_DURATIONS["PENDING"] + DEFAULT_DURATIONS["CREATING"] + 1)
    assert got == ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]


def test_a_callbacks_exception_fails_neither_the_call_nor_the_other_subscribers(
    fake: Any, client: Any, stack: Any, caplog: pytest.LogCaptureFixture
):
    calls: list[str] = []
    others: list[str] = []

    def fussy(event: dict[str, Any]) -> None:
        calls.append(event["detail"]["state"]["status"])
        raise RuntimeError("the subscriber failed")

    fake.subscribe(fussy)  # first: the others come after it
    fake.subscribe(lambda event: others.append(event["detail"]["state"]["status"]))
    arn = _start(client, stack)
    fake.advance(3600)  # no exception here
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
    lifecycle = ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
    # Each event once to each: the fussy one got all of its own too, not stopped at its first failure.
    assert others == calls == lifecycle
    assert [f.error.args[0] for f in fake.subscriber_errors] == ["the subscriber failed"] * 5
    assert [f.event["detail"]["state"]["status"] for f in fake.subscriber_errors] == lifecycle
    assert "the subscriber failed" in caplog.text and "fakeimagebuilder.events" in caplog.text
    with pytest.raises(SubscriberError, match="5 event subscriber call") as raised:
        fake.raise_subscriber_errors()
    assert isinstance(raised.value.__cause__, RuntimeError) and len(raised.value.failures) == 5
    fake.raise_subscriber_errors()  # each raised once
    assert fake.subscriber_errors == []


def test_a_failing_callback_does_not_fail_the_api_call_that_delivers(fake: Any, client: Any, stack: Any):
    fake.configure(build_plan=BuildPlan.lasting(0))
    fake.subscribe(lambda event: 1 / 0)
    arn = _start(client, stack)  # the call whose observation delivers the events
    assert client.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
    assert {type(f.error) for f in fake.subscriber_errors} == {ZeroDivisionError}
    fake.subscriber_errors.clear()


def test_a_malformed_pattern_is_refused_at_subscribe(fake: Any):
    with pytest.raises(ValueError, match="numeric"):
        fake.subscribe(print, pattern={"detail": {"n": [{"numeric": [">"]}]}})


@pytest.mark.parametrize("callback", [None, "print", 3])
def test_a_callback_that_is_not_callable_is_refused_at_subscribe(fake: Any, callback: Any):
    with pytest.raises(TypeError, match="callable"):
        fake.subscribe(callback)
    assert fake.subscriber_errors == []


def test_replay_delivers_the_events_sent_before_subscribing_first(fake: Any, client: Any, stack: Any):
    _start(client, stack)
    fake.advance(3600)
    got: list[str] = []
    fake.subscribe(lambda e: got.append(e["detail"]["state"]["status"]), replay=True)
    assert got == ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]  # at once
    _start(client, stack)
    fake.advance(3600)
    assert got == ["BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"] * 2


def test_reset_delivers_what_was_due_then_forgets_the_events(fake: Any, client: Any, stack: Any):
    got: list[dict[str, Any]] = []
    fake.subscribe(got.append)
    _start(client, stack)
    fake.clock.advance(3600)  # behind the fake's back: nothing observed yet
    before = fake.events_page()["cursor"]
    fake.reset()
    assert len(got) == 5 and fake.events == []
    # Cursors go on counting: nothing after the reset is taken for something already seen.
    _start(client, _make_stack(client))
    fake.advance(3600)
    page = fake.events_page(before)
    assert len(page["events"]) == 5 and page["cursor"] == before + 5
    assert fake.events_page(page["cursor"]) == {"events": [], "notifications": [], "cursor": page["cursor"]}


@pytest.mark.parametrize("after", [-1, 1.0, "1", True, None])
def test_events_page_refuses_what_is_no_cursor(fake: Any, after: Any) -> None:
    with pytest.raises(ValueError, match="'after' must be a cursor"):
        fake.events_page(after)


def test_events_page_refuses_a_cursor_past_the_newest_naming_it(fake: Any, client: Any, stack: Any) -> None:
    _start(client, stack)
    fake.advance(3600)
    with pytest.raises(ValueError, match=r"none was past the newest, 5 .*resume from 5"):
        fake.events_page(6)
    assert fake.events_page(5)["cursor"] == 5


def test_a_reset_in_a_callback_still_delivers_what_was_queued_for_it(fake: Any, client: Any, stack: Any):
    # Two builds reach BUILDING together; the callback jumps the clock (the rest of both builds becomes due,
    # queued for it while it is busy) and resets on its second event: it still gets every event once, in order.
    busy: list[str] = []
    other: list[str] = []

    def on_event(event: dict[str, Any]) -> None:
        busy.append(event["detail"]["state"]["status"])
        if busy == ["BUILDING"]:
            fake.advance(3600)
        if len(busy) == 2:
            fake.reset()

    fake.subscribe(on_event)
    fake.subscribe(lambda event: other.append(event["detail"]["state"]["status"]))
    _start(client, stack)
    _start(client, stack)
    fake.advance(200)
    expected = [status for status in ("BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
                for _ in range(2)]
    assert other == expected
    assert busy == expected
    # Nothing is delivered twice afterwards, and what comes after the reset is delivered as usual.
    fake.advance(3600)
    assert len(busy) == 10 and fake.events == []


def test_an_sns_message_in_the_documented_shape_when_a_build_ends(fake: Any, client: Any):
    stack = _make_stack(client, topic=TOPIC)
    arn = _start(client, stack)
    fake.advance(3600)
    [(topic, message)] = fake.notifications
    image = client.get_image(imageBuildVersionArn=arn)["image"]
    assert topic == TOPIC
    assert message["arn"] == arn and message["versionlessArn"] == arn.rsplit("/", 2)[0]
    assert (message["name"], message["version"], message["buildVersion"]) == ("web", "1.0.0", 1)
    assert message["semver"] == 2**90 + 1  # 1.0.0/1, as the user guide's 1.0.0/3 is 2**90 + 3
    assert message["state"] == {"status": "AVAILABLE"}
    assert message["outputResources"] == image["outputResources"]
    assert message["sourcePipelineArn"] == stack.pipeline_arn
    assert message["infrastructureConfiguration"]["snsTopicArn"] == TOPIC
    assert message["imageRecipe"]["arn"] == stack.recipe_arn and "owner" not in message["imageRecipe"]
    assert message["imageTestsConfigurationDocument"] == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert message["tags"]["resourceArn"] == arn and UUID.match(message["tags"]["internalId"])
    assert (message["accountId"], message["buildType"]) == (fake.account_id, "USER_INITIATED")
    for job in ("buildExecutionId", "testExecutionId", "distributionJobId", "integrationJobId"):
        assert UUID.match(message[job])
    # Dates as the user guide's example writes them: "Jul 28, 2022 1:13:45 AM".
    created = datetime.strptime(message["dateCreated"], "%b %d, %Y %I:%M:%S %p").replace(tzinfo=UTC)
    assert created.isoformat()[:19] == image["dateCreated"][:19]


def test_a_failed_build_notifies_too_but_a_cancelled_one_does_not(fake: Any, client: Any):
    failing = _make_stack(client, "failing", topic=TOPIC)
    fake.set_build_plan(BuildPlan(outcome="FAILED"), failing.pipeline_arn)
    failed = _start(client, failing)
    cancelled = _start(client, _make_stack(client, "cancelled", topic=TOPIC))
    client.cancel_image_creation(imageBuildVersionArn=cancelled)
    _start(client, _make_stack(client, "silent"))  # no topic, no message
    fake.advance(3600)
    [(_, message)] = fake.notifications
    assert message["arn"] == failed and message["state"]["status"] == "FAILED" and message["state"]["reason"]
    assert message["outputResources"] == {"amis": []}
    assert "buildExecutionId" not in message


def test_the_other_event_types_have_their_documented_shapes():
    scope = Scope("111122223333", "us-west-2", Settings())
    image = scope.arn("image", "web", "1.0.0", "1")
    pipeline = scope.arn("image-pipeline", "web")
    workflow = scope.arn("workflow", "build", "build-web", "1.0.0", "1")
    waiting = workflow_step_waiting(scope, 0.0, image, workflow, "wf-1", "step-1", "Approve")
    assert waiting["detail-type"] == WORKFLOW_STEP_WAITING and waiting["resources"] == [image, workflow]
    assert waiting["detail"] == {
        "workflow-execution-id": "wf-1",
        "workflow-step-execution-id": "step-1",
        "workflow-step-name": "Approve",
    }
    cve = cve_detected(scope, 0.0, image, pipeline, "i-1234567890abcdef0", {"all": 3, "high": 2, "low": 1})
    assert cve["detail-type"] == CVE_DETECTED and cve["resources"] == [image, pipeline]
    assert cve["detail"]["finding-severity-counts"] == {"all": 3, "critical": 0, "high": 2, "medium": 0}
    disabled = pipeline_automatically_disabled(scope, 0.0, pipeline, 5)
    assert disabled["detail-type"] == PIPELINE_AUTOMATICALLY_DISABLED
    assert disabled["detail"] == {"consecutive-failures": "5"} and disabled["time"] == "1970-01-01T00:00:00Z"
    assert len(DETAIL_TYPES) == 4


def test_an_event_log_of_its_own_per_fake():
    with FakeImageBuilder() as one:
        assert one.events == [] and FakeImageBuilder().events == []


def test_a_cancel_is_sent_at_once_even_while_the_next_change_is_far_off(fake: Any, client: Any, stack: Any):
    got: list[dict[str, Any]] = []
    fake.subscribe(got.append)
    arn = _start(client, stack)
    fake.advance(DEFAULT_DURATIONS["PENDING"] + DEFAULT_DURATIONS["CREATING"] + 1)  # BUILDING for 10 minutes
    assert _transitions(got) == [("CREATING", "BUILDING")]
    client.cancel_image_creation(imageBuildVersionArn=arn)
    assert _transitions(got) == [("CREATING", "BUILDING"), ("BUILDING", "CANCELLED")]
    fake.advance(3600)
    assert len(got) == 2


def test_scheduled_builds_in_another_scope_send_their_events_in_time_order(fake: Any, make_stack: Any) -> None:
    """A clock jump over several scheduled runs: each run's events come at its own instants, in order,
    even when the calls that observe them go to another region (whose scheduled runs are caught up too)."""
    every_hour = {"scheduleExpression": "rate(1 hour)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
    stack = make_stack(schedule=every_hour)
    seen: list[dict[str, Any]] = []
    fake.subscribe(seen.append)
    fake.advance(3 * 3600 + 3500)  # runs at 1, 2 and 3 hours, each past BUILDING
    fake.client(region="us-west-2").list_image_pipelines()  # a call elsewhere observes the log
    building = [e for e in seen if e["detail"]["state"]["status"] == "BUILDING"]
    assert len(building) == 3
    instants = [_at(e) for e in seen]
    assert instants == sorted(instants)
    assert {e["resources"][0].rsplit("/", 1)[0] for e in building} == {
        stack.recipe_arn.replace(":image-recipe/", ":image/")
    }


def test_a_container_build_finishing_while_observed_sends_its_events_and_no_ami(fake: Any, client: Any) -> None:
    """A container recipe's build outputs container images, not an AMI: its events come, and the fake keeps working."""
    seen: list[dict[str, Any]] = []
    fake.subscribe(seen.append)
    recipe = client.create_container_recipe(
        containerType="DOCKER", name="ctr", semanticVersion="1.0.0", parentImage="amazonlinux:latest",
        platformOverride="Linux", dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n",
        components=[{"componentArn": COMPONENT}], targetRepository={"service": "ECR", "repositoryName": "repo"},
    )["containerRecipeArn"]
    infra = client.create_infrastructure_configuration(name="ctr", instanceProfileName="builder")
    pipeline = client.create_image_pipeline(
        name="ctr", containerRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"]
    )["imagePipelineArn"]
    build = client.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    fake.advance(3600)
    assert client.get_image(imageBuildVersionArn=build)["image"]["state"]["status"] == "AVAILABLE"
    assert seen[-1]["detail"]["state"]["status"] == "AVAILABLE"
    assert not [record for record in fake.service.observe_events().since(0) if record.amis]


def test_a_create_image_build_with_a_topic_sends_its_message_without_a_pipeline(fake: Any, client: Any) -> None:
    """CreateImage builds have no pipeline: the SNS message leaves sourcePipelineArn out, and the fake keeps working."""
    fake.subscribe(lambda event: None)
    recipe = client.create_image_recipe(
        name="web", semanticVersion="1.0.0", parentImage=PARENT_IMAGE, components=[{"componentArn": COMPONENT}]
    )["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name="web", instanceProfileName="builder", snsTopicArn=TOPIC)
    client.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra["infrastructureConfigurationArn"])
    fake.advance(3600)
    messages = list(fake.notifications)
    assert len(messages) == 1
    assert "sourcePipelineArn" not in str(messages[0])
    assert client.list_image_recipes()["imageRecipeSummaryList"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("web-{{ imagebuilder:buildDate }}", "web-{date}"),
        ("web {{imagebuilder:buildVersion}} {{imagebuilder:buildDate}}", "web 1 {date}"),
        # Only Image Builder's own variables are filled in.
        (
            "v{{ imagebuilder:buildVersion }}-{{ imagebuilder:buildDate }}-{{ other:thing }}",
            "v1-{date}-{{{{ other:thing }}}}",
        ),
        (None, "web {date}"),  # no name: the recipe's name and the date
    ],
)
def test_the_ami_name_follows_the_distributions_name_template(
    fake: Any, client: Any, make_stack: Any, template: str | None, expected: str
):
    ami = {"description": "golden"} | ({"name": template} if template else {})
    distribution = client.create_distribution_configuration(
        name="web", distributions=[{"region": "us-east-1", "amiDistributionConfiguration": ami}]
    )["distributionConfigurationArn"]
    infrastructure = client.create_infrastructure_configuration(
        name="web-sns", instanceProfileName="builder", snsTopicArn=TOPIC
    )["infrastructureConfigurationArn"]
    stack = make_stack(distributionConfigurationArn=distribution, infrastructure_arn=infrastructure)
    arn = _start(client, stack)
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    date = image["dateCreated"].replace(":", "-")
    [output] = image["outputResources"]["amis"]
    assert output["name"] == expected.format(date=date)
    [(_, message)] = fake.notifications
    assert message["outputResources"]["amis"][0]["name"] == output["name"]
    # The same name in the list operations.
    [summary] = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert summary["outputResources"]["amis"][0]["name"] == output["name"]


def test_a_multi_region_distribution_outputs_one_ami_per_region(fake: Any, client: Any, make_stack: Any) -> None:
    # API reference Ami.region and OutputResources; aws-cli create-distribution-configuration ("Copies AMI to
    # eu-west-1"): the build's own region first, then each other region the distribution names.
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {"region": "eu-west-1", "amiDistributionConfiguration": {"name": "eu-{{ imagebuilder:buildVersion }}"}},
            {"region": "us-east-1", "amiDistributionConfiguration": {"name": "home-{{ imagebuilder:buildVersion }}"}},
            {"region": "us-west-2", "amiDistributionConfiguration": {"description": "no name here"}},
        ],
    )["distributionConfigurationArn"]
    infrastructure = client.create_infrastructure_configuration(
        name="web-sns", instanceProfileName="builder", snsTopicArn=TOPIC
    )["infrastructureConfigurationArn"]
    stack = make_stack(distributionConfigurationArn=distribution, infrastructure_arn=infrastructure)
    arn = _start(client, stack)
    fake.advance(3600)

    image = client.get_image(imageBuildVersionArn=arn)["image"]
    amis = image["outputResources"]["amis"]
    date = image["dateCreated"].replace(":", "-")
    assert [(a["region"], a["name"], a["accountId"]) for a in amis] == [
        ("us-east-1", "home-1", "123456789012"),
        ("eu-west-1", "eu-1", "123456789012"),
        ("us-west-2", f"web {date}", "123456789012"),
    ]
    assert len({a["image"] for a in amis}) == 3 and all(a["image"].startswith("ami-") for a in amis)
    [(_, message)] = fake.notifications
    assert message["outputResources"]["amis"] == amis
    [summary] = client.list_image_pipeline_images(imagePipelineArn=stack.pipeline_arn)["imageSummaryList"]
    assert summary["outputResources"]["amis"] == amis


def test_each_target_account_owns_a_copy_of_the_ami_in_each_region(fake: Any, client: Any, make_stack: Any) -> None:
    # User guide manage-distribution-settings.html: "Create a copy of the output AMI for each of the specified
    # target accounts ... in the destination Region. The target accounts ... own their AMI copies"; the
    # model's Ami.accountId is "The account ID of the owner of the AMI". Launch templates get the owner's AMI.
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {
                "region": "us-east-1",
                "amiDistributionConfiguration": {"targetAccountIds": ["111122223333", "123456789012"]},
                "launchTemplateConfigurations": [{"launchTemplateId": "lt-0aaa1bcde2ff34567"}],
            },
            {"region": "eu-west-1", "amiDistributionConfiguration": {"targetAccountIds": ["444455556666"]}},
        ],
    )["distributionConfigurationArn"]
    arn = _start(client, make_stack(distributionConfigurationArn=distribution))
    fake.advance(3600)

    amis = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    assert [(a["region"], a["accountId"]) for a in amis] == [
        ("us-east-1", "123456789012"),
        ("us-east-1", "111122223333"),  # the owner named as a target gets no second AMI
        ("eu-west-1", "123456789012"),
        ("eu-west-1", "444455556666"),
    ]
    assert len({a["image"] for a in amis}) == 4
    [record] = [r for r in fake.service.observe_events().since(0) if r.amis]
    assert [(ami.account, ami.region, ami.image_id) for ami in record.amis] == [
        (a["accountId"], a["region"], a["image"]) for a in amis
    ]
    assert [(u.region, u.image_id) for u in record.launch_templates] == [("us-east-1", amis[0]["image"])]


def test_an_available_build_records_the_launch_template_versions_its_distribution_makes(
    fake: Any, client: Any, make_stack: Any
) -> None:
    # User guide dist-using-launch-template.html: a new version of each named template with the build's AMI.
    # Image Builder's API shows none of it (OutputResources has amis and containers only): the record carries
    # it for EC2 (moto's, where active), each region's template with that region's AMI.
    distribution = client.create_distribution_configuration(
        name="web",
        distributions=[
            {
                "region": "us-east-1",
                "amiDistributionConfiguration": {},
                "launchTemplateConfigurations": [
                    {"launchTemplateId": "lt-0aaa1bcde2ff34567", "setDefaultVersion": False},
                    {"launchTemplateId": "lt-12345678901234567", "accountId": "210987654321"},
                ],
            },
            {
                "region": "eu-west-1",
                "amiDistributionConfiguration": {},
                "launchTemplateConfigurations": [{"launchTemplateId": "lt-0a1bcde2fgh345678"}],
            },
        ],
    )["distributionConfigurationArn"]
    arn = _start(client, make_stack(distributionConfigurationArn=distribution))
    fake.advance(60)
    assert not [r for r in fake.service.observe_events().since(0) if r.launch_templates]  # not before AVAILABLE
    fake.advance(3600)

    outputs = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    amis = {a["region"]: a["image"] for a in outputs}
    [record] = [r for r in fake.service.observe_events().since(0) if r.launch_templates]
    assert record.event["detail"]["state"]["status"] == "AVAILABLE"
    updates = [(u.account, u.region, u.launch_template_id, u.image_id, u.set_default) for u in record.launch_templates]
    assert updates == [
        ("123456789012", "us-east-1", "lt-0aaa1bcde2ff34567", amis["us-east-1"], False),
        ("210987654321", "us-east-1", "lt-12345678901234567", amis["us-east-1"], True),  # left out: true
        ("123456789012", "eu-west-1", "lt-0a1bcde2fgh345678", amis["eu-west-1"], True),
    ]


def test_a_launch_template_id_out_of_the_models_pattern_is_refused(client: Any) -> None:
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.create_distribution_configuration(
            name="web",
            distributions=[
                {
                    "region": "us-east-1",
                    "amiDistributionConfiguration": {},
                    "launchTemplateConfigurations": [{"launchTemplateId": "my-template"}],
                }
            ],
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert "'distributions[0].launchTemplateConfigurations[0].launchTemplateId' must match pattern" in error["Message"]
    assert client.list_distribution_configurations()["distributionConfigurationSummaryList"] == []


def _built_ami(fake: FakeImageBuilder) -> tuple[str, dict[str, Any]]:
    with fake:
        client = fake.client()
        arn = _start(client, _make_stack(client, topic=TOPIC))
        fake.advance(3600)
        ami = client.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"][0]["image"]
    [(_, message)] = fake.notifications[-1:]
    return ami, message


def test_a_build_made_again_after_a_reset_or_by_another_fake_has_amis_and_ids_of_its_own(aws_env: None) -> None:
    # The same ARN after a reset (or in another fake) is another build: another AMI, and another internalId
    # in its SNS message (was: both derived from the ARN only, so moto kept the first AMI under the second's id).
    fake, other = FakeImageBuilder(), FakeImageBuilder()
    first, first_message = _built_ami(fake)
    fake.reset()
    again, again_message = _built_ami(fake)
    elsewhere, elsewhere_message = _built_ami(other)
    assert first_message["arn"] == again_message["arn"] == elsewhere_message["arn"]
    assert len({first, again, elsewhere}) == 3
    ids = [m["tags"]["internalId"] for m in (first_message, again_message, elsewhere_message)]
    assert len(set(ids)) == 3
    jobs = [m["buildExecutionId"] for m in (first_message, again_message, elsewhere_message)]
    assert len(set(jobs)) == 3
    # Stable for one build: every read shows the same id.
    with fake:
        [summary] = fake.client().list_image_build_versions(
            imageVersionArn=again_message["arn"].rsplit("/", 1)[0]
        )["imageSummaryList"]
    assert summary["outputResources"]["amis"][0]["image"] == again


def test_a_build_made_again_after_a_reset_at_the_same_instant_sends_events_of_its_own_ids(
    fake: Any, client: Any, make_stack: Any
) -> None:
    # Subscribers stay across a reset, so a consumer that drops repeated ids would lose the second build's
    # events: ids were derived from the ARN, status and instant only, which the second build repeats.
    got: list[dict[str, Any]] = []
    fake.subscribe(got.append)
    for _ in range(2):
        fake.configure(build_plan=BuildPlan.lasting(0))
        fake.set_scan_findings([{"vulnerabilityId": "CVE-2024-3094", "severity": "CRITICAL"}])
        stack = make_stack(imageScanningConfiguration={"imageScanningEnabled": True})
        finished = _start(client, stack)  # ends at once, scanned
        fake.configure(build_plan=BuildPlan())
        cancelled = client.create_image(
            imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn
        )["imageBuildVersionArn"]
        client.cancel_image_creation(imageBuildVersionArn=cancelled)
        fake.events  # noqa: B018  (observed before the reset: delivered)
        fake.reset()
    kinds = {(e["detail-type"], e["resources"][0], e["time"]) for e in got}
    assert len(got) == 2 * len(kinds)  # the second round repeats every ARN and instant of the first
    assert finished in {arn for _, arn, _ in kinds} and cancelled in {arn for _, arn, _ in kinds}
    assert any(kind == CVE_DETECTED for kind, _, _ in kinds)
    assert len({e["id"] for e in got}) == len(got)
