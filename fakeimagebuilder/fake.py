"""The public face of the fake: one object that owns the state and wires the layers together."""

from __future__ import annotations

import copy
import difflib
import enum
import inspect
import itertools
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .clock import Clock, VirtualClock
from .model import error_statuses, known_regions, service_model
from .persistence import Journal, StateFileError, Subject
from .policy import Policy
from .service import BuildPlan, ImageBuilderService, Settings
from .service.builds import checked_text
from .service.errors import ImageBuilderError
from .service.findings import check_planted
from .service.marketplace import check_marketplace_components
from .service.references import MISSING_REFERENCE_ERRORS
from .service.resources import MISSING_COMPONENT_POLICIES
from .service.versions import AUTO_VERSION_FIRSTS
from .transports import botocore_hook
from .validation import Violation, check
from .wire import HttpRequest, HttpResponse, RestJsonWire

if TYPE_CHECKING:
    import responses

    from .events import EventHub, SubscriberFailure, Subscription

__all__ = ["DEFAULT_ACCOUNT_ID", "KEEP", "FakeImageBuilder", "check_knobs", "check_known_region"]

_MOTO_MODELS = "moto.core.models"

_FAKE_NUMBERS = itertools.count(1)  # each fake of the process in turn (see Settings.fake_id)

_KNOBS = (
    "account_id",
    "allow_unknown_regions",
    "build_plan",
    "disabled_pipeline_error",
    "max_concurrent_builds",
    "missing_reference_error",
    "recreated_pipeline_lists_old_images",
)
"""The constructor's options that :meth:`FakeImageBuilder.configure` changes too, so a state file holds them."""


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active in this process (looked up, never imported)."""
    models = sys.modules.get(_MOTO_MODELS)
    return models is not None and bool(getattr(getattr(models, "MockAWS", None), "_nested_count", 0))


DEFAULT_ACCOUNT_ID = "123456789012"

# botocore session variables (name: config key, environment variables, default, converter) that keep a
# session of ours off the caller's profile and config files.
_NO_AWS_CONFIG = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


class _Keep(enum.Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""For :meth:`FakeImageBuilder.configure`: leave this knob as it is (None is a value of some knobs)."""


def _account_id(value: Any) -> None:
    if not isinstance(value, str):
        # An int of 12 digits reads as right in the message; say what is wrong with it (a leading 0 is lost too).
        raise ValueError(
            f"account_id must be a 12-digit string such as '123456789012', not the {type(value).__name__} {value!r}"
        )
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise ValueError(f"account_id must be a 12-digit string, not {value!r}")


def _region(value: Any) -> None:
    if not (isinstance(value, str) and value.replace("-", "").isalnum()):
        raise ValueError(f"region must look like 'us-east-1', not {value!r}")


def check_known_region(region: str) -> None:
    """Raise ValueError for a region the installed botocore's endpoint data does not know (a typo, mostly)."""
    known = known_regions()
    if known and region not in known:
        raise ValueError(
            f"region {region!r} is not in the installed botocore's endpoint data (a typo?); "
            "allow_unknown_regions=True accepts it"
        )


def _disabled_pipeline_error(value: Any) -> None:
    if value is None:
        return
    # It is what a start answers, so it must be one of the start's modeled errors.
    start = service_model().operation_model("StartImagePipelineExecution")
    codes = sorted(shape.name for shape in start.error_shapes)
    if value not in codes:
        raise ValueError(f"disabled_pipeline_error must be None or one of {codes}, not {value!r}")


def _missing_reference_error(value: Any) -> None:
    if value not in MISSING_REFERENCE_ERRORS:
        raise ValueError(f"missing_reference_error must be one of {list(MISSING_REFERENCE_ERRORS)}, not {value!r}")


def _auto_version_first(value: Any) -> None:
    # type(), not ``in`` alone: True == 1 and 1.0 == 1, and neither is a version node.
    if type(value) is not int or value not in AUTO_VERSION_FIRSTS:
        raise ValueError(f"auto_version_first must be {' or '.join(map(str, AUTO_VERSION_FIRSTS))}, not {value!r}")


def _missing_component_policy(value: Any) -> None:
    if value not in MISSING_COMPONENT_POLICIES:
        raise ValueError(f"missing_component_policy must be one of {list(MISSING_COMPONENT_POLICIES)}, not {value!r}")


def _max_concurrent_builds(value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"max_concurrent_builds must be None or an int >= 1, not {value!r}")


def _flag(name: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, not {value!r}")

    return check


def _closest_operation(name: str) -> str | None:
    """The operation ``name`` most likely meant: its words in another style (CLI, snake case), or a near spelling."""
    by_words = {op.lower(): op for op in service_model().operation_names}
    words = re.sub(r"[-_\s]", "", name).lower()
    if words in by_words:
        return by_words[words]
    close = difflib.get_close_matches(words, by_words, n=1, cutoff=0.8)
    return by_words[close[0]] if close else None


def _operation(value: Any) -> None:
    if isinstance(value, str) and value in service_model().operation_names:
        return
    if not isinstance(value, str):
        raise ValueError(f"operation must be an Image Builder operation name such as 'GetImage', not {value!r}")
    closest = _closest_operation(value)
    hint = f"; did you mean {closest!r}?" if closest else " (operation names are as in the API: 'GetImage')"
    raise ValueError(f"{value!r} is not an Image Builder operation{hint}")


def _error_code(value: Any) -> None:
    if not isinstance(value, str) or value not in error_statuses():
        raise ValueError(f"{value!r} is not a modeled Image Builder error; use one of {sorted(error_statuses())}")


def _times(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"times must be an int >= 1, not {value!r}")


def _message(value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"message must be None or a string, not {value!r}")
    if value is not None:
        checked_text(value, "message")  # the rule BuildPlan's failure_reason follows too


def _finite_at_least_zero(name: str, value: Any) -> None:
    # NaN fails every comparison, so "< 0" alone would let it through (a NaN rate throttled nothing).
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    # An int compares below infinity however large, but past float's range it cannot be used (as a float).
    if not math.isfinite(_as_float(value)):
        raise ValueError(f"{name} must be a finite number >= 0, not one too large for a float")


def _as_float(value: float) -> float:
    try:
        return float(value)
    except OverflowError:  # as the clock reads a step past float's range: infinitely far
        return math.inf


def _rate(value: Any) -> None:
    _finite_at_least_zero("rate", value)


def _burst(value: Any) -> None:
    if value is not None:
        _finite_at_least_zero("burst", value)


_RULES: dict[str, Callable[[Any], None]] = {
    "account_id": _account_id,
    "region": _region,
    "disabled_pipeline_error": _disabled_pipeline_error,
    "max_concurrent_builds": _max_concurrent_builds,
    "recreated_pipeline_lists_old_images": _flag("recreated_pipeline_lists_old_images"),
    "missing_reference_error": _missing_reference_error,
    "auto_version_first": _auto_version_first,
    "missing_component_policy": _missing_component_policy,
    "allow_unknown_regions": _flag("allow_unknown_regions"),
    "operation": _operation,
    "code": _error_code,
    "times": _times,
    "message": _message,
    "rate": _rate,
    "burst": _burst,
}


def check_knobs(
    *,
    account_id: Any = KEEP,
    region: Any = KEEP,
    disabled_pipeline_error: Any = KEEP,
    max_concurrent_builds: Any = KEEP,
    recreated_pipeline_lists_old_images: Any = KEEP,
    missing_reference_error: Any = KEEP,
    auto_version_first: Any = KEEP,
    missing_component_policy: Any = KEEP,
    allow_unknown_regions: Any = KEEP,
    operation: Any = KEEP,
    code: Any = KEEP,
    times: Any = KEEP,
    message: Any = KEEP,
    rate: Any = KEEP,
    burst: Any = KEEP,
) -> None:
    """Raise ValueError for a knob value the fake cannot use (the one place these rules live).

    Used by the constructor, :meth:`FakeImageBuilder.configure`, the fault,
    rate-limit and deny knobs, and the pytest plugin; a knob left as
    :data:`KEEP` is not checked. ``operation`` must be an operation of the
    model, spelled as the API spells it (a near miss names the closest one).
    """
    given = dict(
        account_id=account_id,
        region=region,
        disabled_pipeline_error=disabled_pipeline_error,
        max_concurrent_builds=max_concurrent_builds,
        recreated_pipeline_lists_old_images=recreated_pipeline_lists_old_images,
        missing_reference_error=missing_reference_error,
        auto_version_first=auto_version_first,
        missing_component_policy=missing_component_policy,
        allow_unknown_regions=allow_unknown_regions,
        operation=operation,
        code=code,
        times=times,
        message=message,
        rate=rate,
        burst=burst,
    )
    for name, value in given.items():
        if value is not KEEP:
            _RULES[name](value)


def _json_copy(value: Any, name: str) -> Any:
    """A copy of ``value`` made through JSON (what the journal records); ValueError if JSON cannot hold it."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be JSON data: {exc}") from None


def _check_finding_types(findings: list[dict[str, Any]]) -> None:
    """ValueError naming the first member of a planted finding that its model shape (``ImageScanFinding``)
    refuses: the wrong JSON type, anywhere inside, or a broken constraint; ListImageScanFindings would
    otherwise send it and botocore fail to parse the answer.

    Here, not in the service (which knows no botocore): the service checks what it needs itself.
    """
    shape = service_model().shape_for("ImageScanFinding")
    details = shape.members["packageVulnerabilityDetails"]
    for index, finding in enumerate(findings):
        for name, value in finding.items():
            path = f"findings[{index}].{name}"
            if name == "vulnerabilityId":  # shown as packageVulnerabilityDetails.vulnerabilityId
                member = details.members["vulnerabilityId"]
            elif name not in shape.members:
                raise ValueError(f"{path}: this botocore's ImageScanFinding has no such member")
            else:
                member = shape.members[name]
            if name == "packageVulnerabilityDetails" and isinstance(value, dict):
                value = {"vulnerabilityId": finding["vulnerabilityId"], **value}  # the build fills it in
            try:
                check(member, value, path)
            except Violation as violation:
                raise ValueError(str(violation)) from None


def _checked_plan(plan: Any, name: str) -> BuildPlan:
    """``plan``, if it is a :class:`BuildPlan`; TypeError naming ``name`` otherwise (a string or a dict would
    otherwise fail deep in dataclasses, with an error that names neither)."""
    if not isinstance(plan, BuildPlan):
        raise TypeError(f"{name} must be a BuildPlan such as BuildPlan(outcome='FAILED'), not {plan!r}")
    return plan


def _plan_fields(plan: BuildPlan, name: str) -> dict[str, Any]:
    """A build plan as JSON-ready keyword arguments of :class:`BuildPlan` (what the journal records)."""
    return _checked_plan(plan, name).fields()


class FakeImageBuilder:
    """A fake EC2 Image Builder, reached through the wire protocol.

    As a context manager it takes every botocore/boto3 ``imagebuilder``
    client in the process that talks to an AWS endpoint, with no network::

        with FakeImageBuilder() as fake:
            client = boto3.client("imagebuilder", region_name="us-east-1")
            ...
            fake.advance(3600)   # builds move on the virtual clock

    Requests name their region (SigV4 scope or host); one the installed
    botocore's endpoint data does not know (``us-east-one``) is refused with
    403 ``InvalidSignatureException`` unless ``allow_unknown_regions``. The
    account comes from ``accounts`` (access key id -> account id), else
    ``account_id``.
    """

    def __init__(
        self,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = "us-east-1",
        *,
        accounts: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        build_plan: BuildPlan | None = None,
        disabled_pipeline_error: str | None = "InvalidRequestException",
        max_concurrent_builds: int | None = None,
        recreated_pipeline_lists_old_images: bool = False,
        missing_reference_error: str = "ResourceNotFoundException",
        auto_version_first: int = 0,
        missing_component_policy: str = "{}",
        allow_unknown_regions: bool = False,
    ) -> None:
        check_knobs(
            account_id=account_id,
            region=region,
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
            recreated_pipeline_lists_old_images=recreated_pipeline_lists_old_images,
            missing_reference_error=missing_reference_error,
            auto_version_first=auto_version_first,
            missing_component_policy=missing_component_policy,
            allow_unknown_regions=allow_unknown_regions,
        )
        if not allow_unknown_regions:
            check_known_region(region)
        self.account_id = account_id
        self.region = region
        self.accounts = dict(accounts or {})
        self.clock: Clock = clock or VirtualClock()
        settings = Settings(
            build_plan=BuildPlan() if build_plan is None else _checked_plan(build_plan, "build_plan"),
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
            recreated_pipeline_lists_old_images=recreated_pipeline_lists_old_images,
            missing_reference_error=missing_reference_error,
            auto_version_first=auto_version_first,
            missing_component_policy=missing_component_policy,
            # AWS disables after 5 failed scheduled builds when the schedule names no policy; a model
            # without autoDisablePolicy (older botocore) predates auto-disable: none then.
            auto_disable_failures=5 if "autoDisablePolicy" in service_model().shape_for("Schedule").members else None,
        )
        # Tells this fake's made-up AMI ids from another's in the process; counted, so a run repeats them.
        settings.fake_id = f"fake-{next(_FAKE_NUMBERS)}"
        self.service = ImageBuilderService(self.clock, settings)
        # The one chain every call passes: policy -> journal (when persisting) -> service.
        self.policy = Policy(self.clock, self.service.call)
        self.wire = RestJsonWire(
            self.policy.handle,
            account_for=self._account_for,
            default_region=region,
            check_operation=self.service.check_operation,
            allow_unknown_regions=allow_unknown_regions,
        )
        self._active = 0
        # Set by from_state_file: records each acknowledged change, knob changes included.
        self.journal: Journal | None = None
        # Made when events are first observed (or moto is active): until then calls do no event work.
        self._hub: EventHub | None = None
        # Every change that is not an API call, by the name the journal records it under.
        self._controls: dict[str, Callable[..., Any]] = {
            "advance": self.clock.advance,
            "reset": self._reset,
            # Checked here too, not only by the public methods: a journal replays these entry points.
            "fail_next": self._fail_next,
            "take_fault": self._take_fault,
            "set_rate_limit": self._set_rate_limit,
            "deny": self._deny,
            "configure": self._configure,
            "set_build_plan": self._set_build_plan,
            "set_scan_findings": self._set_scan_findings,
            "set_marketplace_components": self._set_marketplace_components,
        }

    @classmethod
    def from_state_file(
        cls,
        path: str | Path,
        *,
        speed: float,
        notices: list[str] | None = None,
        compact_every: int | None = None,
        **options: Any,
    ) -> FakeImageBuilder:
        """A fake whose state is ``path``'s journal, recording every later change there (``serve --state-file``).

        Builds progress at ``speed`` virtual seconds per real second.
        Raises :class:`~fakeimagebuilder.persistence.StateFileError` for a
        file that cannot be used; ``notices`` gets a line for anything
        repaired. ``compact_every`` entries (default
        :data:`~fakeimagebuilder.persistence.COMPACT_EVERY`) the journal is
        rewritten as a snapshot. ``options`` go to the constructor; those
        :meth:`configure` also changes (``account_id``,
        ``allow_unknown_regions``, ``build_plan``, ...) are what the file
        holds (the last value configured or given) unless given here: a
        value given wins, and is recorded in the file as a ``configure``.
        """
        given = {name: options[name] for name in _KNOBS if name in options}
        journal = Journal(path, speed=speed, notices=notices, compact_every=compact_every)
        try:
            fake = cls(clock=journal.clock, **options)  # checks every option
            wanted = fake._knobs(given)
            # The replay starts from a new fake's knobs, not the ones given: what the file holds must come out the
            # same from a snapshot (which has the knobs) as from lines (which have only their changes).
            fake._configure(**fake._knobs_of_a_new_fake(given))
            # The fake of a state file is the same fake after a restart, wherever the file went since: its AMI
            # ids stay what they were. The file names it (a snapshot in it carries the same name too).
            fake.settings.fake_id = journal.identity
            # Events are recorded from the first change on, so that replaying the journal rebuilds the same
            # log, numbered the same: a client's cursor from before a restart means the same events after it.
            fake.service.observe_events()
            journal.attach(Subject(fake.service, fake._controls, capture=fake._capture, restore=fake._restore))
        except BaseException:
            journal.close()
            raise
        fake.policy.inner = journal.handle
        fake.policy.take = lambda operation: journal.control("take_fault", {"operation": operation})
        fake.journal = journal
        held = fake._knobs(given)
        changed = {name: value for name, value in wanted.items() if held[name] != value}
        if changed:
            try:  # recorded, so the next start holds them (snapshot or not) when they are not given again
                fake._change("configure", **changed)
            except ImageBuilderError as error:  # the file cannot be written
                journal.close()
                raise StateFileError(journal.path, None, f"cannot be written: {error.message}") from None
        return fake

    def _knobs(self, names: Iterable[str]) -> dict[str, Any]:
        """The values of the knobs ``names`` (of :data:`_KNOBS`), as ``configure`` records them."""
        settings = self.settings
        values = {
            "account_id": lambda: self.account_id,
            "allow_unknown_regions": lambda: self.wire.allow_unknown_regions,
            "build_plan": lambda: _plan_fields(settings.build_plan, "build_plan"),
            "disabled_pipeline_error": lambda: settings.disabled_pipeline_error,
            "max_concurrent_builds": lambda: settings.max_concurrent_builds,
            "missing_reference_error": lambda: settings.missing_reference_error,
            "recreated_pipeline_lists_old_images": lambda: settings.recreated_pipeline_lists_old_images,
        }
        return {name: values[name]() for name in names}

    @staticmethod
    def _knobs_of_a_new_fake(names: Iterable[str]) -> dict[str, Any]:
        """The constructor's defaults of the knobs ``names``, as ``configure`` records them."""
        parameters = inspect.signature(FakeImageBuilder.__init__).parameters  # a subclass's may take **kwargs
        defaults = {name: parameters[name].default for name in names}
        if "build_plan" in defaults:
            defaults["build_plan"] = _plan_fields(BuildPlan(), "build_plan")  # None: the default plan
        return defaults

    @property
    def settings(self) -> Settings:
        """The service's behaviour knobs (change them with :meth:`configure` and :meth:`set_build_plan`)."""
        return self.service.settings

    def _change(self, kind: str, **args: Any) -> Any:
        """Apply one knob change: at once, or through the journal, which makes it durable first."""
        if self.journal is None:
            return self._controls[kind](**args)
        return self.journal.control(kind, args)

    def _capture(self) -> dict[str, Any]:
        # Everything a restart must bring back, as live objects: the journal copies them under the service lock.
        return {
            "service": self.service.snapshot(),
            "policy": self.policy.snapshot(),
            "account_id": self.account_id,
            "allow_unknown_regions": self.wire.allow_unknown_regions,
            # The event log too: the cursors clients hold number its records, and must mean the same after.
            "events": self.service.events,
        }

    def _restore(self, state: dict[str, Any]) -> None:
        # A snapshot from before events were kept has none: the log then starts afresh.
        self.service.restore(state["service"], events=state.get("events"))
        self.policy.restore(state["policy"])
        self.account_id = state["account_id"]
        if "allow_unknown_regions" in state:  # a snapshot from before it was a knob of configure has none
            self.wire.allow_unknown_regions = state["allow_unknown_regions"]

    # -- the one entry point every transport uses -------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request in the Image Builder wire protocol."""
        if self._hub is None and moto_active():
            self._event_hub()  # moto gets the events (fakeimagebuilder.events)
        if self._hub is not None:
            self._hub.notice_moto()  # before the call: what it changes belongs to the mock_aws active now
        response = self.wire.handle(request)
        if self._hub is not None:
            self._hub.deliver()
        return response

    def _account_for(self, access_key: str | None) -> str:
        if access_key is None:
            return self.account_id
        return self.accounts.get(access_key, self.account_id)

    # -- in-process transport -----------------------------------------------------

    def start(self) -> FakeImageBuilder:
        """Route this process's Image Builder clients to the fake (nests; see :meth:`stop`)."""
        botocore_hook.activate(self.handle)
        self._active += 1
        return self

    def stop(self) -> None:
        """Undo one :meth:`start`; botocore is restored when no fake is active."""
        if self._active:
            self._active -= 1
            botocore_hook.deactivate(self.handle)

    def __enter__(self) -> FakeImageBuilder:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @contextmanager
    def mock_requests(self, mock: responses.RequestsMock | None = None) -> Iterator[responses.RequestsMock]:
        """Answer ``requests`` calls to Image Builder URLs from this fake, through ``responses``.

        Every other URL is left alone: with ``mock`` (your own
        ``responses.RequestsMock``, or ``responses.mock``), the fake's
        callbacks are added to it for the block; without, a mock of ours is
        started that passes everything else on to whatever ``requests`` would
        have done (including your own active ``responses`` mock).
        """
        from .transports import responses_mock

        with responses_mock.mocked(self.handle, mock) as active:
            yield active

    def client(self, region: str | None = None, **kwargs: Any) -> Any:
        """A botocore Image Builder client with dummy credentials, for use while the fake is active.

        Its session reads no AWS profile nor config file: a missing ``AWS_PROFILE`` or a config file that does
        not parse cannot stop it, and no setting of the caller's account (credentials, region) leaks in.
        """
        import botocore.session

        kwargs.setdefault("aws_access_key_id", "testing")
        kwargs.setdefault("aws_secret_access_key", "testing")
        session = botocore.session.Session(session_vars=_NO_AWS_CONFIG)
        return session.create_client("imagebuilder", region_name=region or self.region, **kwargs)

    # -- knobs ----------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward; builds progress accordingly.

        Raises ValueError for a step that is negative, not finite, or past the year 9999.
        """
        if self._hub is None and moto_active():
            self._event_hub()
        if self._hub is not None:
            self._hub.notice_moto()  # before the clock moves: what happens now belongs to the mock_aws active now
        self._change("advance", seconds=seconds)
        if self._hub is not None:
            self._hub.deliver()

    # -- events ---------------------------------------------------------------------------------

    def _event_hub(self) -> EventHub:
        if self._hub is None:
            from .events import EventHub

            with self.service.lock:
                if self._hub is None:
                    self.service.observe_events()
                    self._hub = EventHub(self.service)
        return self._hub

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every EventBridge event Image Builder has sent so far (since the last reset), oldest first.

        Events are made from the build timelines up to the clock's now, each
        at its own virtual instant (see README "Events"). The first read (or
        :meth:`subscribe`) starts the record: builds there are then give their
        whole history, but builds deleted before it are not in it.
        """
        hub = self._event_hub()
        hub.deliver()
        return [copy.deepcopy(record.event) for record in hub.records_after(0)]

    @property
    def notifications(self) -> list[tuple[str, dict[str, Any]]]:
        """Every SNS message sent so far: ``(topic ARN, message)`` for builds whose infrastructure has a topic."""
        hub = self._event_hub()
        hub.deliver()
        return [
            (record.notification.topic_arn, copy.deepcopy(record.notification.message))
            for record in hub.records_after(0)
            if record.notification is not None
        ]

    def events_page(self, after: int = 0) -> dict[str, Any]:
        """What ``GET /_fake/events?after=N`` answers: events and SNS messages numbered after ``after``.

        ``{"events": [...], "notifications": [{"topicArn", "message"}], "cursor": M}``: pass ``M`` as the
        next ``after`` to get only what came since (cursors keep counting across resets). ValueError for
        a cursor no answer could have given: not an integer >= 0, or past the newest (the message names
        the newest; a server restarted without ``--state-file`` numbers its events afresh).
        """
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError(f"'after' must be a cursor (an integer >= 0) from an earlier answer, not {after!r}")
        hub = self._event_hub()
        hub.deliver()
        newest = hub.last_seq  # never goes back (a reset keeps counting): every cursor answered is <= it
        if after > newest:
            raise ValueError(
                f"'after' must be a cursor from an earlier answer, and none was past the newest, {newest} "
                "(a server restarted without --state-file numbers its events afresh): "
                f"resume from {newest}, or from 0 for every event kept"
            )
        records = hub.records_after(after)
        return {
            "events": [record.event for record in records],
            "notifications": [
                {"topicArn": record.notification.topic_arn, "message": record.notification.message}
                for record in records
                if record.notification is not None
            ],
            "cursor": records[-1].seq if records else after,
        }

    def subscribe(
        self,
        callback: Callable[[dict[str, Any]], object],
        pattern: Mapping[str, Any] | None = None,
        *,
        replay: bool = False,
    ) -> Subscription:
        """Call ``callback(event)`` for each EventBridge event from now on that matches ``pattern``.

        ``pattern`` is an EventBridge event pattern (exact values, prefix,
        suffix, anything-but, exists, numeric, equals-ignore-case, wildcard,
        cidr, $or, nested objects); ValueError if it is malformed. Each event
        reaches the callback once, in order, in a thread that observed it (a
        call, :meth:`advance`, a read of :attr:`events`). A thread delivers at
        most what there was when its delivery began (and what its callbacks'
        own calls make), and never waits for another thread's callback: events
        another thread observes while one is in the callback are delivered by
        the next delivery after it (any later call, advance or read). An exception in the
        callback does not fail that call and holds back no other event: it is
        logged (logger ``fakeimagebuilder.events``) and kept in
        :attr:`subscriber_errors`; :meth:`raise_subscriber_errors` raises it
        (the ``imagebuilder_fake`` fixture does at teardown). ``replay=True``
        also delivers the events sent before (since the last reset) first,
        before returning.
        TypeError if ``callback`` is not callable. Returns a handle:
        ``.unsubscribe()``.
        """
        return self._event_hub().subscribe(callback, pattern, replay=replay)

    @property
    def subscriber_errors(self) -> list[SubscriberFailure]:
        """What subscribers' callbacks (and deliveries to moto) raised, oldest first; clear it to forget them."""
        hub = self._hub
        return [] if hub is None else hub.failures

    def raise_subscriber_errors(self) -> None:
        """Raise :class:`~fakeimagebuilder.events.SubscriberError` if a callback raised since the last check.

        Its cause is the first exception; ``.failures`` lists every one (consumer, event, exception). The
        recorded failures are forgotten, so each is raised once.
        """
        if self._hub is not None:
            self._hub.raise_failures()

    def fail_next(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        """Answer the next ``times`` calls of ``operation`` with the modeled error ``code``.

        Any error shape of the Image Builder model may be injected into any
        operation; it is answered with its modeled HTTP status. Raises
        ValueError for an operation or code the model does not have, or
        ``times`` that is not an int >= 1.
        """
        check_knobs(operation=operation, code=code, times=times, message=message)
        self._change("fail_next", operation=operation, code=code, times=times, message=message)

    def _fail_next(self, operation: str, code: str, times: int = 1, message: str | None = None) -> None:
        check_knobs(operation=operation, code=code, times=times, message=message)
        self.policy.fail_next(operation, code, times, message)

    def _take_fault(self, operation: str) -> tuple[str, str] | None:
        check_knobs(operation=operation)
        return self.policy.take_fault(operation)

    def pending_faults(self, operation: str) -> int:
        """How many injected faults still wait for ``operation``."""
        return self.policy.pending_faults(operation)

    def set_rate_limit(self, operation: str, rate: float, burst: float | None = None) -> None:
        """Throttle ``operation`` to ``rate`` calls per virtual second (CallRateLimitExceededException past it).

        ``burst`` (default: ``max(1, rate)``) is how many calls may come at once.
        Raises ValueError for an operation the model does not have, or a rate or
        burst that is not a finite number >= 0.
        """
        check_knobs(operation=operation, rate=rate, burst=burst)
        self._change("set_rate_limit", operation=operation, rate=rate, burst=burst)

    def _set_rate_limit(self, operation: str, rate: float, burst: float | None = None) -> None:
        check_knobs(operation=operation, rate=rate, burst=burst)
        self.policy.set_rate_limit(operation, rate, burst)

    def deny(self, operation: str | None = None, account_id: str | None = None) -> None:
        """Answer ForbiddenException to ``operation`` (None: all) from ``account_id`` (None: all).

        Raises ValueError for an operation the model does not have or an account id that is not 12 digits.
        """
        check_knobs(
            operation=KEEP if operation is None else operation, account_id=KEEP if account_id is None else account_id
        )
        self._change("deny", operation=operation, account_id=account_id)

    def _deny(self, operation: str | None = None, account_id: str | None = None) -> None:
        check_knobs(
            operation=KEEP if operation is None else operation, account_id=KEEP if account_id is None else account_id
        )
        self.policy.deny(operation, account_id)

    def configure(
        self,
        *,
        account_id: str | _Keep = KEEP,
        disabled_pipeline_error: str | _Keep | None = KEEP,
        max_concurrent_builds: int | _Keep | None = KEEP,
        build_plan: BuildPlan | _Keep = KEEP,
        recreated_pipeline_lists_old_images: bool | _Keep = KEEP,
        missing_reference_error: str | _Keep = KEEP,
        auto_version_first: int | _Keep = KEEP,
        missing_component_policy: str | _Keep = KEEP,
        allow_unknown_regions: bool | _Keep = KEEP,
    ) -> None:
        """Change the knobs of a running fake (as the constructor sets them); knobs not named stay."""
        check_knobs(
            account_id=account_id,
            disabled_pipeline_error=disabled_pipeline_error,
            max_concurrent_builds=max_concurrent_builds,
            recreated_pipeline_lists_old_images=recreated_pipeline_lists_old_images,
            missing_reference_error=missing_reference_error,
            auto_version_first=auto_version_first,
            missing_component_policy=missing_component_policy,
            allow_unknown_regions=allow_unknown_regions,
        )
        named = {
            "account_id": account_id,
            "disabled_pipeline_error": disabled_pipeline_error,
            "max_concurrent_builds": max_concurrent_builds,
            "recreated_pipeline_lists_old_images": recreated_pipeline_lists_old_images,
            "missing_reference_error": missing_reference_error,
            "auto_version_first": auto_version_first,
            "missing_component_policy": missing_component_policy,
            "allow_unknown_regions": allow_unknown_regions,
            "build_plan": build_plan if isinstance(build_plan, _Keep) else _plan_fields(build_plan, "build_plan"),
        }
        self._change("configure", **{name: value for name, value in named.items() if not isinstance(value, _Keep)})

    def _configure(self, **knobs: Any) -> None:
        check_knobs(**{name: value for name, value in knobs.items() if name != "build_plan"})
        plan = BuildPlan.from_fields(knobs["build_plan"], "build_plan") if "build_plan" in knobs else None
        with self.service.lock:
            if "account_id" in knobs:
                self.account_id = knobs["account_id"]
            if "disabled_pipeline_error" in knobs:
                self.settings.disabled_pipeline_error = knobs["disabled_pipeline_error"]
            if "max_concurrent_builds" in knobs:
                self.settings.max_concurrent_builds = knobs["max_concurrent_builds"]
            if plan is not None:
                self.settings.build_plan = plan
            if "recreated_pipeline_lists_old_images" in knobs:
                self.settings.recreated_pipeline_lists_old_images = knobs["recreated_pipeline_lists_old_images"]
            if "missing_reference_error" in knobs:
                self.settings.missing_reference_error = knobs["missing_reference_error"]
            if "auto_version_first" in knobs:
                self.settings.auto_version_first = knobs["auto_version_first"]
            if "missing_component_policy" in knobs:
                self.settings.missing_component_policy = knobs["missing_component_policy"]
            if "allow_unknown_regions" in knobs:
                self.wire.allow_unknown_regions = knobs["allow_unknown_regions"]

    def knobs(self) -> dict[str, Any]:
        """The knobs :meth:`configure` sets, as they are now, by the names it takes: JSON-ready, ``build_plan``
        as :class:`BuildPlan`'s fields (what ``GET /_fake/configure`` answers and ``POST`` takes back)."""
        with self.service.lock:
            settings = self.settings
            return {
                "account_id": self.account_id,
                "disabled_pipeline_error": settings.disabled_pipeline_error,
                "max_concurrent_builds": settings.max_concurrent_builds,
                "build_plan": settings.build_plan.fields(),
                "recreated_pipeline_lists_old_images": settings.recreated_pipeline_lists_old_images,
                "missing_reference_error": settings.missing_reference_error,
                "auto_version_first": settings.auto_version_first,
                "missing_component_policy": settings.missing_component_policy,
                "allow_unknown_regions": self.wire.allow_unknown_regions,
            }

    def set_build_plan(self, plan: BuildPlan, pipeline_arn: str | None = None) -> None:
        """How builds behave from now on: for one pipeline, or (no ARN) for every pipeline without its own plan."""
        self._change("set_build_plan", plan=_plan_fields(plan, "plan"), pipeline_arn=pipeline_arn)

    def _set_build_plan(self, plan: dict[str, Any], pipeline_arn: str | None) -> None:
        checked = BuildPlan.from_fields(plan)  # BuildPlan checks its fields
        if pipeline_arn is not None and not isinstance(pipeline_arn, str):
            raise ValueError(f"pipeline_arn must be None or a string, not {pipeline_arn!r}")
        with self.service.lock:
            if pipeline_arn is None:
                self.settings.build_plan = checked
            else:
                self.settings.pipeline_plans[pipeline_arn] = checked

    def set_scan_findings(self, findings: Sequence[Mapping[str, Any]]) -> None:
        """What the vulnerability scan of each build started from now on finds, when the build scans (``[]``: nothing).

        A build scans when its ``imageScanningConfiguration`` has
        ``imageScanningEnabled`` and its image tests are on; its findings
        are listed (ListImageScanFindings, ListImageScanFindingAggregations)
        and its "EC2 Image Builder CVE Detected" event sent once it leaves
        TESTING. Each finding is an ``ImageScanFinding`` of the model with
        ``vulnerabilityId`` (for ``packageVulnerabilityDetails``) and
        ``severity`` (UNTRIAGED, INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL)
        and no account, image, pipeline or times: the build gives those.
        Raises ValueError for anything else, and for a member (at any depth)
        of a type or value the model's shape refuses, naming it.
        """
        copied = _json_copy(findings, "findings")
        check_planted(copied)  # before the journal records it: a change it records must replay
        _check_finding_types(copied)
        self._change("set_scan_findings", findings=copied)

    def _set_scan_findings(self, findings: list[dict[str, Any]]) -> None:
        checked = check_planted(findings)
        with self.service.lock:
            self.settings.scan_findings = checked

    def set_marketplace_components(self, components: Mapping[str, str]) -> None:
        """The AWS Marketplace components the caller is entitled to: build version ARN (account
        ``aws-marketplace``) -> YAML document, for GetMarketplaceResource. Replaces those named before."""
        copied = _json_copy(components, "components")
        check_marketplace_components(copied)
        self._change("set_marketplace_components", components=copied)

    def _set_marketplace_components(self, components: dict[str, str]) -> None:
        checked = check_marketplace_components(components)
        with self.service.lock:
            self.settings.marketplace_components = checked

    def reset(self) -> None:
        """Empty all state: resources, builds, client tokens, faults, rate limits, deny rules and events.

        Subscribers stay subscribed, and get what was due before the reset.
        """
        if self._hub is not None:
            self._hub.deliver()
        self._change("reset")

    def _reset(self) -> None:
        with self.service.lock:  # the kept events and the emptied log are one step: nothing due falls between
            if self._hub is not None:
                self._hub.keep_undelivered()
            self.service.reset()
        self.policy.reset()
        with self.service.lock:
            self.settings.pipeline_plans.clear()

    def state(self) -> dict[str, Any]:
        """A JSON-ready copy of every resource, as the Get operations would show it now.

        Changing the copy changes nothing in the fake.
        """
        return self.service.state()
