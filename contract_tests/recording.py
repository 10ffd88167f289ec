"""Recorded wire exchanges: scrubbed on the way into ``fixtures/``, replayed and compared on the way out.

A fixture is a JSON file of *steps*. Values that differ between runs are
replaced by placeholders that keep identity, as LocalStack's snapshot
transformers do: the same UUID becomes ``<uuid:3>`` wherever it occurs, so a
replay can check that a ``clientToken`` is echoed or that a replayed request
got a *fresh* request id.

Placeholders: ``<uuid:N>``, ``<name:N>`` (resource names the run made up),
``<token:N>`` (tokens that are not UUIDs), ``<ami:N>`` - each numbered, each
standing for one value throughout a file and different numbers for different
values - and ``<account>``, ``<region>``, ``<run>``, ``<date>`` (any
timestamp), ``<infrastructure>`` (the run's shared infrastructure
configuration).

Steps:

- ``{"call": OP, "params": {...}, "response": {...}}``: send OP; compare
  the answer. ``response`` is ``{"status": 200, "requestId": ..., "body":
  {...}}`` or ``{"status": 404, "error": {"code": ..., "message": ...}}``
  (codes and statuses compare exactly; messages only against an optional
  ``messagePattern``). ``"match": "subset"`` compares only the members the
  fixture lists (for documented examples AWS shortened). ``"by": "guard"``
  marks a call the live-run guard made (a build cancelled at once).
- ``{"given": "pipeline", "recipe": NAME, "version": V, "pipeline": NAME,
  "imageTests": BOOL}``: create a recipe, infrastructure configuration and
  pipeline (documented examples do not show their set-up).
- ``{"wait": {"imageBuildVersionArn": ARN, "status": S}}``: wait until the
  build reaches status S.

In a replay, a placeholder in a request is filled with the value it is bound
to, or a fresh one (a new UUID, a new run-scoped name); a placeholder in an
answer matches any value of its kind the first time and binds it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .client import ContractClient

if TYPE_CHECKING:
    from .targets import Workspace

__all__ = [
    "FORMAT",
    "Bindings",
    "FixtureError",
    "Recorder",
    "Scrubber",
    "load_fixture",
    "match",
    "no_fixtures",
    "redact",
    "replay",
    "write_fixture",
]

FORMAT = 1

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATE = r"\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
_AMI = r"ami-[0-9a-f]{8,17}"

# What a placeholder of each kind matches when it is not bound yet.
_KIND_PATTERNS = {
    "uuid": _UUID,
    "name": r"[^/:\"\s][^/:\"]*?",
    "token": r".+?",
    "ami": _AMI,
    "date": _DATE,
    "account": r"[0-9]{12}",
    "region": r"[a-z]{2}(?:-[a-z]+)+-\d",
    "run": r"[0-9a-f]+",
    "infrastructure": r"arn:[^\s\"]+",
}
_NUMBERED = frozenset({"uuid", "name", "token", "ami"})
PLACEHOLDER = re.compile(r"<(uuid|name|token|ami|date|account|region|run|infrastructure)(?::(\d+))?>")


def _plain(value: Any) -> Any:
    """JSON-ready: timestamps as ISO text, everything else as is."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# Secrets an AWS error message may quote: an IAM or STS principal (user, role, session name), an access key id
# (long-term AKIA..., temporary ASIA...) and a security token (long base64).
_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:(?:iam|sts)::[0-9]{12}:[^\s\"',]+")
_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|APKA|A3T[A-Z0-9])[A-Z0-9]{12,}")
_TOKEN = re.compile(
    r"(?i)(x-amz-security-token[\"':= ]+b?['\"]?)[A-Za-z0-9/+=%]+"  # a token named as such
    r"|(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{80,}={0,2}"  # any long base64 run (a session token is hundreds long)
)


def redact(text: str) -> str:
    """``text`` without IAM principals, access key ids or security tokens."""
    text = _PRINCIPAL.sub("<principal>", text)
    text = _KEY_ID.sub("<key-id>", text)
    return _TOKEN.sub(lambda m: (m.group(1) or "") + "<security-token>", text)


# -- recording ------------------------------------------------------------------------------------


@dataclass
class Scrubber:
    """Replaces the volatile values of one recording by placeholders, keeping identity.

    ``names`` returns the resource names the run has made up so far (they
    embed the run id and would differ in every run).
    """

    account: str
    region: str
    run_id: str
    names: Callable[[], Iterable[str]]
    infrastructure_arn: str = ""
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, value.lower() if kind == "uuid" else value)
        if key not in self._seen:
            self._counters[kind] = self._counters.get(kind, 0) + 1
            self._seen[key] = f"<{kind}:{self._counters[kind]}>"
        return self._seen[key]

    def text(self, value: str, key: str | None = None) -> str:
        """One string, scrubbed."""
        if key in ("clientToken", "nextToken") and not re.fullmatch(_UUID, value):
            return self._placeholder("token", value)
        if self.infrastructure_arn:
            # Not inside a longer ARN it is a prefix of (...-infra-1 of ...-infra-14, made by a test).
            value = re.sub(re.escape(self.infrastructure_arn) + r"(?![\w -])", "<infrastructure>", value)
        for name in sorted(self.names(), key=len, reverse=True):
            if name in value:
                value = value.replace(name, self._placeholder("name", name))
        value = value.replace(self.run_id, "<run>")
        value = re.sub(_UUID, lambda m: self._placeholder("uuid", m.group(0)), value)
        value = re.sub(_AMI, lambda m: self._placeholder("ami", m.group(0)), value)
        value = re.sub(_DATE, "<date>", value)
        value = redact(value)
        value = re.sub(rf"(?<![0-9]){re.escape(self.account)}(?![0-9])", "<account>", value)
        return re.sub(rf"(?<![a-z0-9-]){re.escape(self.region)}(?![a-z0-9-])", "<region>", value)

    def value(self, value: Any, key: str | None = None) -> Any:
        """Any JSON-ready value, scrubbed throughout."""
        value = _plain(value)
        if isinstance(value, str):
            return self.text(value, key)
        if isinstance(value, dict):
            return {self.text(k): self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        return value


def _response_of(response: dict[str, Any] | None, error: BaseException | None) -> dict[str, Any] | None:
    """The parts of an answer a fixture keeps (None for an error raised before sending)."""
    if isinstance(error, ClientError):
        meta = error.response.get("ResponseMetadata", {})
        return {
            "status": meta.get("HTTPStatusCode"),
            "requestId": meta.get("RequestId"),
            "error": {"code": error.response["Error"]["Code"], "message": error.response["Error"].get("Message", "")},
        }
    if response is None:
        return None
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    meta = response["ResponseMetadata"]
    return {"status": meta["HTTPStatusCode"], "requestId": meta.get("RequestId"), "body": body}


class Recorder:
    """A :class:`~contract_tests.client.CallObserver` that keeps every exchange, scrubbed."""

    def __init__(self, scrubber: Scrubber) -> None:
        self.scrubber = scrubber
        self.steps: list[dict[str, Any]] = []

    def before(self, client: ContractClient, operation: str, params: dict[str, Any]) -> None:
        """Nothing to do before a call."""

    def after(
        self,
        client: ContractClient,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Keep the exchange (not the calls botocore refused before sending)."""
        answer = _response_of(response, error)
        if answer is None:
            return
        step: dict[str, Any] = {"call": operation, "params": params, "response": answer}
        if client.actor == "guard":
            step["by"] = "guard"
        self.steps.append(self.scrubber.value(step))

    def fixture(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        """The fixture document of what was recorded."""
        return {"format": FORMAT, "name": name, "provenance": "recorded", "recorded": meta, "steps": self.steps}


def write_fixture(path: Path, document: dict[str, Any]) -> None:
    """Write a fixture atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


class FixtureError(ValueError):
    """A fixture file the suite cannot replay; the message names the file (and the step) and what is wrong."""


def no_fixtures(directory: Path) -> str:
    """Why there is nothing to replay in ``directory``."""
    state = "does not exist" if not directory.exists() else "holds no fixture (*/*.json)"
    return f"--fixtures-dir {directory} {state}: nothing to replay"


# The members each kind of step takes (the first is the one that names its kind), and those it needs.
_STEP_MEMBERS = {
    "call": ({"call", "params", "response", "match", "by"}, ("params", "response")),
    "given": ({"given", "recipe", "version", "pipeline", "imageTests"}, ("recipe", "pipeline")),
    "wait": ({"wait"}, ()),
}
_RESPONSE_MEMBERS = {"status", "requestId", "body", "error", "messagePattern"}


def _unknown(names: Any, known: set[str]) -> str | None:
    """How the first of ``names`` not in ``known`` is wrong (with the known name it may be a typo of)."""
    for name in names:
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            return f"unknown member {name!r}" + (f" (did you mean {near[0]!r}?)" if near else "")
    return None


def _step_problem(step: Any) -> str | None:
    """What makes one step unreadable by :func:`replay`, or None."""
    if not isinstance(step, dict):
        return f"is not an object: {step!r}"
    kinds = [kind for kind in _STEP_MEMBERS if kind in step]
    if len(kinds) != 1:
        said = ", ".join(repr(name) for name in step) or "none"
        problem = f"names {' and '.join(map(repr, kinds))}" if kinds else "has no 'call', 'given' or 'wait'"
        hint = _unknown(step, set(_STEP_MEMBERS) | {m for members, _ in _STEP_MEMBERS.values() for m in members})
        return f"{problem} (its members: {said})" + (f"; {hint}" if hint and not kinds else "")
    kind = kinds[0]
    members, needed = _STEP_MEMBERS[kind]
    unknown = _unknown(step, members)
    if unknown:
        return f"({kind}) has an {unknown}"
    missing = [name for name in needed if name not in step]
    if missing:
        return f"({kind}) lacks {', '.join(map(repr, missing))}"
    if kind == "given" and step["given"] != "pipeline":
        return f"(given) gives {step['given']!r}; only 'pipeline' is known"
    if kind == "wait":
        wait = step["wait"]
        if not isinstance(wait, dict) or not {"imageBuildVersionArn", "status"} <= wait.keys():
            return "(wait) needs {'imageBuildVersionArn': ..., 'status': ...}"
    if kind == "call":
        response = step["response"]
        if not isinstance(response, dict) or "status" not in response or ("body" in response) == ("error" in response):
            return "(call) needs a response with 'status' and one of 'body' and 'error'"
        unknown = _unknown(response, _RESPONSE_MEMBERS)
        if unknown:
            return f"(call) has in its response an {unknown}"
        if "match" in step and step["match"] != "subset":
            return f"(call) has match {step['match']!r}; only 'subset' is known"
    return None


def load_fixture(path: Path) -> dict[str, Any]:
    """Read and check a fixture file: :class:`FixtureError`, naming the file and step, when it cannot be replayed."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise FixtureError(f"{path}: not a readable JSON file: {error}") from None
    if not isinstance(document, dict):
        raise FixtureError(f"{path}: a fixture is a JSON object, not {type(document).__name__}")
    if document.get("format") != FORMAT:
        raise FixtureError(f"{path}: fixture format {document.get('format')!r}, this suite reads {FORMAT}")
    if document.get("provenance") not in ("recorded", "documented"):
        raise FixtureError(f"{path}: provenance must be 'recorded' or 'documented'")
    steps = document.get("steps")
    if not isinstance(steps, list) or not steps:
        raise FixtureError(f"{path}: 'steps' must be a list of steps")
    for number, step in enumerate(steps, 1):
        problem = _step_problem(step)
        if problem is not None:
            raise FixtureError(f"{path}: step {number} {problem}")
    return document


# -- replaying ------------------------------------------------------------------------------------


@dataclass
class Bindings:
    """Placeholder -> value in one replay, one to one for the numbered kinds."""

    values: dict[str, str] = field(default_factory=dict)
    fresh: Callable[[str], str] = lambda kind: str(uuid.uuid4())

    def owner_of(self, value: str) -> str | None:
        """The numbered placeholder already bound to ``value``."""
        return next((p for p, v in self.values.items() if v == value and p.split(":")[0][1:] in _NUMBERED), None)

    def fill(self, template: Any) -> Any:
        """A request value: each placeholder replaced by its binding, or by a fresh value it is bound to."""
        if isinstance(template, dict):
            return {self.fill(k): self.fill(v) for k, v in template.items()}
        if isinstance(template, list):
            return [self.fill(v) for v in template]
        if not isinstance(template, str):
            return template

        def value(m: re.Match[str]) -> str:
            placeholder = m.group(0)
            if placeholder not in self.values:
                fresh = self.fresh(m.group(1))
                if m.group(2) is None:
                    return fresh  # unnumbered (a date): no identity to keep
                self.values[placeholder] = fresh
            return self.values[placeholder]

        return PLACEHOLDER.sub(value, template)

    def match_text(self, template: str, actual: str) -> str | None:
        """Match one string against a template; bind new placeholders. None, or why it does not match."""
        parts: list[str] = []
        groups: dict[str, str] = {}
        at = 0
        for m in PLACEHOLDER.finditer(template):
            parts.append(re.escape(template[at : m.start()]))
            at = m.end()
            placeholder, kind = m.group(0), m.group(1)
            if placeholder in self.values:
                parts.append(re.escape(self.values[placeholder]))
            elif m.group(2) is None:
                parts.append(f"(?:{_KIND_PATTERNS[kind]})")
            elif placeholder in groups:
                parts.append(f"(?P={groups[placeholder]})")
            else:
                groups[placeholder] = f"g{len(groups)}"
                parts.append(f"(?P<{groups[placeholder]}>{_KIND_PATTERNS[kind]})")
        parts.append(re.escape(template[at:]))
        found = re.fullmatch("".join(parts), actual)
        if found is None:
            bound = PLACEHOLDER.sub(lambda m: self.values.get(m.group(0), m.group(0)), template)
            return f"{actual!r} does not match {template!r}" + (f" (here {bound!r})" if bound != template else "")
        for placeholder, group in groups.items():
            value = found.group(group)
            owner = self.owner_of(value)
            if owner is not None:
                return f"{actual!r}: {placeholder} is {value!r}, the value {owner} already stands for"
            self.values[placeholder] = value
        return None


def match(expected: Any, actual: Any, bindings: Bindings, *, subset: bool = False, path: str = "$") -> list[str]:
    """Every difference between a fixture's value and an actual one, as readable reasons."""
    actual = _plain(actual)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        problems = []
        missing = [k for k in expected if k not in actual]
        extra = [] if subset else [k for k in actual if k not in expected]
        if missing:
            problems.append(f"{path}: missing {sorted(missing)}")
        if extra:
            problems.append(f"{path}: not in the fixture: {sorted(extra)}")
        for key in expected:
            if key in actual:
                problems += match(expected[key], actual[key], bindings, subset=subset, path=f"{path}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [
            p
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for p in match(e, a, bindings, subset=subset, path=f"{path}[{i}]")
        ]
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return [f"{path}: expected text {expected!r}, got {actual!r}"]
        reason = bindings.match_text(expected, actual)
        return [f"{path}: {reason}"] if reason else []
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def _compare_answer(step: dict[str, Any], client: ContractClient, bindings: Bindings) -> list[str]:
    operation = step["call"]
    params = bindings.fill(step["params"])
    expected = step["response"]
    subset = step.get("match") == "subset"
    where = f"{operation}"
    try:
        response = client.call(operation, params)
    except ClientError as error:
        got = error.response
        status = got["ResponseMetadata"]["HTTPStatusCode"]
        if "error" not in expected:
            return [f"{where}: expected {expected['status']}, got {got['Error']['Code']} ({status})"]
        problems = []
        if (got["Error"]["Code"], status) != (expected["error"]["code"], expected["status"]):
            problems.append(
                f"{where}: expected {expected['error']['code']} ({expected['status']}), "
                f"got {got['Error']['Code']} ({status})"
            )
        pattern = expected.get("messagePattern")
        if pattern and not re.search(pattern, got["Error"].get("Message", "")):
            problems.append(f"{where}: message {got['Error'].get('Message')!r} does not match {pattern!r}")
        if "requestId" in expected:
            problems += match(expected["requestId"], got["ResponseMetadata"].get("RequestId"), bindings, path=where)
        return problems
    if "error" in expected:
        return [f"{where}: expected {expected['error']['code']} ({expected['status']}), the call succeeded"]
    problems = []
    if response["ResponseMetadata"]["HTTPStatusCode"] != expected["status"]:
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        problems.append(f"{where}: status {status}, expected {expected['status']}")
    if "requestId" in expected:
        request_id = response["ResponseMetadata"].get("RequestId")
        problems += match(expected["requestId"], request_id, bindings, path=f"{where} requestId")
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    return problems + match(expected["body"], body, bindings, subset=subset, path=where)


def replay(document: dict[str, Any], workspace: Workspace) -> list[str]:
    """Run a fixture's steps against the workspace's target; every difference found, in order."""
    target = workspace.target
    bindings = Bindings(
        values={
            "<account>": target.account,
            "<region>": target.region,
            "<run>": workspace.names.run_id,
            "<infrastructure>": target.infrastructure_arn,
        },
        fresh=lambda kind: workspace.names.new("replay") if kind == "name" else _fresh(kind),
    )
    client = workspace.client
    problems: list[str] = []
    for number, step in enumerate(document["steps"], 1):
        if "given" in step:  # load_fixture checked each step's members
            recipe = workspace.recipe(name=bindings.fill(step["recipe"]), version=step.get("version", "1.0.0"))
            workspace.pipeline(recipe, name=bindings.fill(step["pipeline"]), image_tests=step.get("imageTests", False))
        elif "wait" in step:
            arn = bindings.fill(step["wait"]["imageBuildVersionArn"])
            status = step["wait"]["status"]
            seen = workspace.wait_for_image(arn, {status}).status
            if seen != status:
                problems.append(f"step {number}: waited for {status}, the build is {seen}")
        else:
            problems += [f"step {number}: {p}" for p in _compare_answer(step, client, bindings)]
    return problems


def _fresh(kind: str) -> str:
    if kind == "date":
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(uuid.uuid4())
