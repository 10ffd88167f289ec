"""The rest-json wire protocol: HTTP request -> :class:`Call`; result or error -> HTTP response.

Driven entirely by botocore's service model: the route comes from each
operation's ``http`` binding, members are read from their ``location`` (URI
label, query string, header, JSON body), inputs are checked against every
constraint of the input shape, and outputs are serialized from the output
shape. Errors carry the status of their modeled shape, ``x-amzn-ErrorType``
and a JSON body ``{"message": ...}`` (lowercase key: botocore copies it into
``e.response["message"]`` only under that name). Every response carries a
UUID ``x-amzn-RequestId``, equal to the body's ``requestId`` where the output
shape has one.

Transports build an :class:`HttpRequest`, call :meth:`RestJsonWire.handle`
and send back the :class:`HttpResponse`; they know nothing else.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from botocore.model import OperationModel, ServiceModel, Shape

from .jsontext import compact_encoder
from .model import Route, RouteTable, error_statuses, error_statuses_of, known_regions, routes, service_model
from .service.calls import Call
from .service.errors import ImageBuilderError
from .timestamps import TimestampError, reader
from .validation import Violation, checker, type_violation

__all__ = ["Backend", "HttpRequest", "HttpResponse", "RestJsonWire", "caller_of"]

log = logging.getLogger(__name__)

Backend = Callable[[Call], dict[str, Any]]

# Errors the protocol itself answers, with no shape in the model.
_PROTOCOL_STATUS = {
    "SerializationException": 400,
    "UnknownOperationException": 404,
    "NotImplementedException": 501,
    # What AWS answers a request signed for a region it does not have (see RestJsonWire.allow_unknown_regions).
    "InvalidSignatureException": 403,
}

# Request ids are random version 4 UUIDs, as AWS's are; drawn from a generator of the wire's own (seeded
# from the OS, again in a forked child) rather than uuid.uuid4(), which reads the OS's entropy on every call
# and costs about as much as the rest of a small call's parsing. Nothing secret rides on them.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)
_UUID4_MASK = ~((0xF << 76) | (0x3 << 62))
_UUID4_BITS = (0x4 << 76) | (0x2 << 62)


def _request_id() -> str:
    """A new random (version 4) UUID, as text."""
    h = ((_ids.getrandbits(128) & _UUID4_MASK) | _UUID4_BITS).to_bytes(16, "big").hex()  # faster than a format
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/")
_HOST_REGION = re.compile(r"^imagebuilder(?:-fips)?\.([a-z0-9-]+)\.")
# The query parameter that carries a presigned request's credential scope.
_QUERY_CREDENTIAL = "X-Amz-Credential"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as the wire layer sees it: raw path, query and body bytes.

    ``headers`` keys are lower case.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def from_url(cls, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None) -> HttpRequest:
        """Build from a full URL and any header mapping (keys are lower-cased here)."""
        parts = urlsplit(url)
        if isinstance(body, str):
            body = body.encode("utf-8")
        lowered = {k.lower(): v if isinstance(v, str) else v.decode("latin-1") for k, v in headers.items()}
        if "host" not in lowered and parts.netloc:
            lowered["host"] = parts.netloc
        return cls(method.upper(), parts.path or "/", parts.query, lowered, body or b"")


@dataclass(slots=True)
class HttpResponse:
    """What the wire layer answers: status, headers and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def caller_of(headers: Mapping[str, str], query: str = "") -> tuple[str | None, str | None]:
    """Access key and region of a request: SigV4 credential scope first, then the host name.

    The scope is the Authorization header's, or without that header a presigned request's ``X-Amz-Credential``
    query parameter (``access_key/YYYYMMDD/region/service/aws4_request``, AWS's Common Parameters).
    """
    authorization = headers.get("authorization", "")
    # The usual header (an alphanumeric key id, then date/region/service) is split without the regex, in half
    # its time; anything else is left to the regex, whose reading this is (a test holds them to each other).
    start = authorization.find("Credential=")
    if start >= 0:
        scope = authorization[start + 11 :].split("/", 3)
        if len(scope) == 4 and scope[0].isalnum() and scope[1] and scope[2]:
            return scope[0], scope[2]
    match = _CREDENTIAL.search(authorization)
    if match:
        return match.group(1), match.group(2)
    if not authorization and _QUERY_CREDENTIAL in query:
        credential = _query_values(query).get(_QUERY_CREDENTIAL)
        match = _CREDENTIAL.match(f"Credential={credential[0]}") if credential else None
        if match:
            return match.group(1), match.group(2)
    host = _HOST_REGION.match(headers.get("host", "").lower())  # host names ignore case
    return None, host.group(1) if host else None


class _ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every request: json.loads given options builds a new one at each call, which costs about as
# much as reading a small body.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


_compact = compact_encoder()


def _serializer(shape: Shape, building: dict[str, Callable[[Any], Any]] | None = None) -> Callable[[Any], Any]:
    """Serialize a service value through ``shape``: model members only, timestamps as epoch seconds."""
    building = {} if building is None else building
    kind = shape.type_name
    if kind == "structure":
        # A recursive shape resolves to the serializer being built (botocore makes a new
        # Shape object for every reference, so only the name tells it is the same shape).
        if shape.name in building:
            return building[shape.name]
        # Members a plain JSON dump writes right are copied, not called through: most of a document's are.
        plain: set[str] = set()
        walked: dict[str, Callable[[Any], Any]] = {}

        def structure(value: Mapping[str, Any]) -> dict[str, Any]:
            out = {}
            for k, v in value.items():
                if v is not None:
                    if k in plain:
                        out[k] = v
                    else:
                        walk = walked.get(k)
                        if walk is not None:
                            out[k] = walk(v)
            return out

        building[shape.name] = structure
        for name, member in shape.members.items():
            if member.serialization.get("location") is None:
                if _needs_walk(member):
                    walked[name] = _serializer(member, building)
                else:
                    plain.add(name)
        return structure
    if kind == "list":
        item = _serializer(shape.member, building)
        return lambda value: [item(v) for v in value]
    if kind == "map":
        val = _serializer(shape.value, building)
        return lambda value: {k: val(v) for k, v in value.items()}
    if kind == "timestamp":
        return lambda value: value.timestamp() if isinstance(value, datetime) else value
    if _is_versionless(shape):
        return _versionless
    return _identity


def _is_versionless(shape: Shape) -> bool:
    # Older models declare some summary ARNs versionless (WorkflowSummary.arn was WorkflowNameArn,
    # ``.../x.x.x``, until botocore 1.44 made it the build version's ARN): the service answers as the
    # newest model does, and an older model gets the versionless form its pattern promises.
    return shape.type_name == "string" and shape.metadata.get("pattern", "").endswith("/x\\.x\\.x$")


# The input member that asks a call only to be checked ("Validates the required permissions and request
# parameters without performing the operation", the model's documentation of it): a boolean of this name.
_DRY_RUN = "dryRun"

_VERSION_TAIL = re.compile(r"/[0-9]+\.[0-9]+\.[0-9]+(?:/[0-9]+)?$")


def _versionless(value: Any) -> Any:
    return _VERSION_TAIL.sub("/x.x.x", value) if isinstance(value, str) else value


def _identity(value: Any) -> Any:
    return value


def _needs_walk(shape: Shape, seen: frozenset[str] = frozenset()) -> bool:
    """Whether values of ``shape`` may hold anything a plain JSON dump would get wrong."""
    if shape.name in seen:
        return True
    seen = seen | {shape.name}
    kind = shape.type_name
    if kind in ("structure", "timestamp") or _is_versionless(shape):
        return True
    if kind == "list":
        return _needs_walk(shape.member, seen)
    if kind == "map":
        return _needs_walk(shape.value, seen)
    return False


class _OperationPlan:
    """What the wire needs of one operation, read from the model once."""

    def __init__(self, op: OperationModel) -> None:
        self.name = op.name
        inp = op.input_shape
        self.input_shape = inp
        self.input_check = checker(inp) if inp is not None else None
        self.read_timestamps = reader(inp) if inp is not None else None
        self.body_members: dict[str, Shape] = {}
        self.query_members: dict[str, tuple[str, Shape]] = {}
        self.header_members: dict[str, tuple[str, Shape]] = {}
        self.label_to_member: dict[str, str] = {}
        self.token_member: str | None = None
        # Taken out of the parameters into Call.dry_run: to the operation and to an idempotency fingerprint, a
        # dry run is the request it checks, and dryRun false is the request without it.
        self.dry_run_member: str | None = None
        for name, member in inp.members.items() if inp is not None else ():
            where = member.serialization.get("location")
            wire_name = member.serialization.get("name", name)
            if where == "uri":
                self.label_to_member[wire_name] = name
            elif where == "querystring":
                self.query_members[name] = (wire_name, member)
            elif where == "header":
                self.header_members[name] = (wire_name.lower(), member)
            else:
                self.body_members[name] = member
            if member.metadata.get("idempotencyToken"):
                self.token_member = name
            if name == _DRY_RUN and member.type_name == "boolean":
                self.dry_run_member = name
        # Body members that can hold a structure: the ones that may carry members the model does not know.
        self.nested = tuple((name, member) for name, member in self.body_members.items() if _holds_structure(member))
        out = op.output_shape
        self.output = _serializer(out) if out is not None else None
        self.output_headers = {
            name: member.serialization.get("name", name)
            for name, member in (out.members.items() if out is not None else ())
            if member.serialization.get("location") == "header"
        }
        self.has_request_id = out is not None and "requestId" in out.members
        # The output member that echoes the request's idempotency token (the same name in the model's
        # output shape): filled from the request when the service leaves it out.
        self.echoed_token = (
            self.token_member if self.token_member is not None and out is not None and self.token_member in out.members
            else None
        )
        errors = {shape.name for shape in op.error_shapes}
        self.errors = frozenset(errors)
        # ImportVmImage and ImportDiskImage model no 400 but ClientException: every refusal of the fake's own
        # is answered so (ledger import-validation), where other operations answer the codes the ledger grants.
        self.only_client_exception = {
            shape.name for shape in op.error_shapes if shape.metadata.get("error", {}).get("httpStatusCode") == 400
        } == {"ClientException"}
        # Constraint violations: InvalidParameterValueException (Image Builder's
        # observed answer on other operations), or InvalidParameterException
        # where that is what the operation models instead (the tagging API).
        if self.only_client_exception:
            self.validation_code = "ClientException"
        elif "InvalidParameterException" in errors and "InvalidParameterValueException" not in errors:
            self.validation_code = "InvalidParameterException"
        else:
            self.validation_code = "InvalidParameterValueException"
        # A timestamp that names no instant the fake can hold: the operation's "invalid request", where it
        # models one (StartResourceStateUpdate's updateAt, the one timestamp input today).
        self.timestamp_code = "InvalidRequestException" if "InvalidRequestException" in errors else self.validation_code

    def refusal_code(self, error: ImageBuilderError, status: int) -> str:
        """The code ``error`` (of ``status``) is answered with: an unmodeled client refusal of the service's own
        becomes ClientException where that is the operation's only 400."""
        if self.only_client_exception and not error.chosen and error.code not in self.errors and status < 500:
            return "ClientException"
        return error.code

    def parse(self, request: HttpRequest, route: Route) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.body_members and request.body:
            try:
                text = request.body.decode("utf-8")
                if text.startswith("\ufeff"):  # refused in json.loads's words, as json.loads would
                    raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
                document = _DECODER.decode(text)
            except UnicodeDecodeError as exc:
                raise _ProtocolError(
                    "SerializationException", f"The request body is not valid UTF-8: {exc.reason} at byte {exc.start}."
                ) from None
            except RecursionError:
                raise _ProtocolError("SerializationException", "The request body is nested too deeply.") from None
            except ValueError as exc:
                raise _ProtocolError("SerializationException", f"The request body is not valid JSON: {exc}.") from None
            if not isinstance(document, dict):
                raise _ProtocolError("SerializationException", "The request body must be a JSON object.")
            # A null member is an absent one (as in AWS's JSON protocols), at any depth, so it never reaches the
            # service or an idempotency fingerprint. Only a body with a null token can hold one to drop.
            may_hold_null = b"null" in request.body
            try:
                for name, member in self.body_members.items():
                    value = document.get(name)
                    if value is not None:
                        params[name] = _without_null_members(member, value) if may_hold_null else value
            except RecursionError:  # a walk takes more frames per level than the decoder did
                raise _ProtocolError("SerializationException", "The request body is nested too deeply.") from None
        if route.pattern is not None:
            match = route.pattern.match(request.path)
            assert match is not None
            for group, label in route.labels:
                params[self.label_to_member.get(label, label)] = unquote(match.group(group))
        if self.query_members:
            query = _query_values(request.query)
            for name, (wire_name, shape) in self.query_members.items():
                if wire_name in query:
                    params[name] = _from_text(query[wire_name], shape, name)
        for name, (wire_name, shape) in self.header_members.items():
            if wire_name in request.headers:
                params[name] = _from_text([request.headers[wire_name]], shape, name)
        return params

    def success(self, output: dict[str, Any], request_id: str, params: dict[str, Any]) -> HttpResponse:
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
        if self.output is None:
            return HttpResponse(200, headers, b"{}")
        token = self.echoed_token
        if token is not None and output.get(token) is None and params.get(token) is not None:
            output = {**output, token: params[token]}
        body = self.output(output)
        for name, header in self.output_headers.items():
            if output.get(name) is not None:
                headers[header] = str(output[name])
        if self.has_request_id:
            body["requestId"] = request_id
        return HttpResponse(200, headers, _compact(body).encode("utf-8"))


def _query_values(query: str) -> dict[str, list[str]]:
    """``parse_qs(query, keep_blank_values=True)``, to the character, in a third of its time: a small call's
    query (one percent-encoded ARN) cost as much to read as the rest of the wire's parsing."""
    found: dict[str, list[str]] = {}
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            found.setdefault(_unquote_plus(name), []).append(_unquote_plus(value))
    return found


def _unquote_plus(text: str) -> str:
    if "%" not in text:
        return text.replace("+", " ")
    # The same few values (ARNs a test reads again and again) come back: each short one is decoded once.
    return _percent_decoded(text) if len(text) <= 2048 else _percent_decode(text)


def _percent_decode(text: str) -> str:
    text = text.replace("+", " ")
    # For ASCII text, unquote decodes the one run of it exactly so (it splits only around non-ASCII).
    return unquote_to_bytes(text).decode("utf-8", "replace") if text.isascii() else unquote(text)


_percent_decoded = functools.lru_cache(maxsize=1024)(_percent_decode)


def _from_text(values: list[str], shape: Shape, name: str) -> Any:
    """Query-string and header values are text; give them their shape's JSON type."""
    if shape.type_name == "list":
        return [_from_text([v], shape.member, name) for v in values]
    text = values[0]
    kind = shape.type_name
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise Violation("type", name, f"expected an integer, got '{text}'") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise Violation("type", name, f"expected true or false, got '{text}'")
        return text == "true"
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise Violation("type", name, f"expected a number, got '{text}'") from None
    return text


def _without_null_members(shape: Shape | None, value: Any) -> Any:
    """``value`` with every null member of a structure in it dropped, at any depth.

    A null in a list, or as a map's value, stays: a dense list or map holding one is malformed, and is
    refused as such (smithy-aws-protocol-tests RestJsonBodyMalformedListNullItem, ...MapNullValue).
    """
    kind = shape.type_name if shape is not None else None
    if isinstance(value, dict):
        if kind == "map":
            assert shape is not None
            return {key: _without_null_members(shape.value, item) for key, item in value.items()}
        # A member the model does not know is ignored anyway; a null one is dropped with the rest.
        members = shape.members if shape is not None and kind == "structure" else {}
        return {key: _without_null_members(members.get(key), item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        inner = shape.member if shape is not None and kind == "list" else None
        return [_without_null_members(inner, item) for item in value]
    return value


def _holds_structure(shape: Shape, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a value of ``shape`` can hold a structure, at any depth."""
    kind = shape.type_name
    if kind == "structure":
        return True
    if shape.name in seen:
        return False
    inner = shape.member if kind == "list" else shape.value if kind == "map" else None
    return inner is not None and _holds_structure(inner, seen | {shape.name})


def _modeled_only(shape: Shape, value: Any) -> Any:
    """A valid ``value`` of ``shape`` without the structure members the model does not know, at any depth.

    AWS's JSON services ignore such members (a top-level one never leaves :meth:`_OperationPlan.parse`), so
    they must reach neither the service nor an idempotency fingerprint: two requests that differ only in
    them are the same request. They are dropped only once checked, so text in them that is not Unicode is
    still refused (:func:`_require_unicode`).
    """
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {key: _modeled_only(members[key], item) for key, item in value.items() if key in members}
    if kind == "list":
        return [_modeled_only(shape.member, item) for item in value]
    if kind == "map":
        return {key: _modeled_only(shape.value, item) for key, item in value.items()}
    return value


# JSON may escape a lone UTF-16 surrogate ("\ud800"); raw bytes of one are not UTF-8 and fail decoding.
_MAY_HOLD_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _require_unicode(shape: Shape | None, value: Any, path: str) -> None:
    """Refuse a string anywhere in ``value`` (map keys and members the model does not know included)
    that is not valid Unicode: it could never be stored, journaled or answered faithfully."""
    if isinstance(value, str):
        if not value.isascii() and not _is_unicode(value):
            raise Violation("unicode", path, "must be valid Unicode text (it holds a lone surrogate)")
    elif isinstance(value, dict):
        is_map = shape is not None and shape.type_name == "map"
        members = shape.members if shape is not None and shape.type_name == "structure" else {}
        for key, item in value.items():
            if not key.isascii() and not _is_unicode(key):
                raise Violation("unicode", path, "has a key that is not valid Unicode text (it holds a lone surrogate)")
            if is_map:
                assert shape is not None
                _require_unicode(shape.value, item, f"{path}['{key}']")
            else:
                _require_unicode(members.get(key), item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        inner = shape.member if shape is not None and shape.type_name == "list" else None
        for index, item in enumerate(value):
            _require_unicode(inner, item, f"{path}[{index}]")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RestJsonWire:
    """Turns HTTP requests into :class:`Call` values for ``backend`` and answers in rest-json.

    ``account_for`` maps a request's access key (None when unsigned) to an
    account id; ``default_region`` serves requests that name no region.
    ``check_operation`` (the backend's) raises for an operation it does not
    implement; it is asked before the input is read, so a missing operation
    says so whatever the request holds. A region the installed botocore's
    endpoint data does not know (a typo such as ``us-east-one``) is refused
    unless ``allow_unknown_regions``.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        account_for: Callable[[str | None], str],
        default_region: str,
        model: ServiceModel | None = None,
        check_operation: Callable[[str], None] | None = None,
        allow_unknown_regions: bool = False,
    ) -> None:
        self._backend = backend
        self._check_operation = check_operation
        self.allow_unknown_regions = allow_unknown_regions
        self._account_for = account_for
        self._default_region = default_region
        self._model = model or service_model()
        self._routes = routes() if model is None else RouteTable(self._model)
        self._plans: dict[str, _OperationPlan] = {}
        modeled = error_statuses() if model is None else error_statuses_of(self._model)
        self._status: dict[str, int] = {**_PROTOCOL_STATUS, **modeled}

    def status_of(self, code: str) -> int:
        """The HTTP status an error code is answered with."""
        return self._status.get(code, 400)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one HTTP request; never raises."""
        request_id = _request_id()
        plan: _OperationPlan | None = None
        try:
            access_key, region = caller_of(request.headers, request.query)
            region = region or self._default_region
            self._check_region(region)
            route, allowed = self._routes.find(request.method, request.path)
            if route is None:
                if allowed:
                    methods = " or ".join(sorted(set(allowed)))
                    raise _ProtocolError(
                        "UnknownOperationException",
                        f"{request.method} is not supported on {request.path}; use {methods}.",
                    )
                raise _ProtocolError(
                    "UnknownOperationException", f"No operation is served at {request.method} {request.path}."
                )
            if self._check_operation is not None:
                self._check_operation(route.operation.name)  # before any check of the input: one generic rule
            plan = self._plans.get(route.operation.name)
            if plan is None:
                plan = self._plans.setdefault(route.operation.name, _OperationPlan(route.operation))
            try:
                params = plan.parse(request, route)
            except Violation as violation:
                return self._violation(plan, violation, request_id)
            try:
                # Text is read before it is checked: a lone surrogate is refused as such, whatever else is wrong.
                if _MAY_HOLD_SURROGATE.search(request.body):
                    _require_unicode(plan.input_shape, params, "")
                if plan.input_check is not None:
                    plan.input_check(params, "")
            except Violation as violation:
                return self._violation(plan, violation, request_id, params)
            if plan.read_timestamps is not None:
                try:
                    params = plan.read_timestamps(params, "")
                except TimestampError as bad:
                    return self.error(plan.timestamp_code, str(bad), request_id)
            for name, member in plan.nested:
                if name in params:
                    params[name] = _modeled_only(member, params[name])
            dry_run = plan.dry_run_member is not None and bool(params.pop(plan.dry_run_member, False))
            call = Call(
                operation=plan.name,
                params=params,
                account=self._account_for(access_key),
                region=region,
                token_member=plan.token_member,
                dry_run=dry_run,
            )
            return plan.success(self._backend(call), request_id, params)
        except ImageBuilderError as error:
            code = error.code if plan is None else plan.refusal_code(error, self.status_of(error.code))
            return self.error(code, error.message, request_id)
        except _ProtocolError as error:
            return self.error(error.code, error.message, request_id)
        except Exception:
            # A bug in the fake must still answer in protocol, never with a trace.
            log.exception("fakeimagebuilder failed on %s %s", request.method, request.path)
            return self.error("ServiceException", "The fake failed unexpectedly; see its log.", request_id)

    def _check_region(self, region: str) -> None:
        known = known_regions()
        if self.allow_unknown_regions or not known or region in known:
            return
        # AWS's words for a request signed for a region it lacks (SDK issues quote them: aws/aws-sdk-java#1097,
        # aws/aws-sdk-ruby#508); a typo would never reach AWS at all (no such host), so the fake says why.
        raise _ProtocolError(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{region}'. (fakeimagebuilder: '{region}' is not "
            "a region of the installed botocore's endpoint data; allow_unknown_regions=True, or serve "
            "--allow-unknown-regions, accepts it.)",
        )

    def _violation(
        self, plan: _OperationPlan, violation: Violation, request_id: str, params: dict[str, Any] | None = None
    ) -> HttpResponse:
        if violation.rule != "type" and params is not None and plan.input_shape is not None:
            # Reading the body comes before checking it: a wrongly typed member anywhere wins.
            violation = type_violation(plan.input_shape, params) or violation
        if violation.rule == "type":
            return self.error(
                "SerializationException",
                f"Cannot read parameter '{violation.path}': {violation.detail}.",
                request_id,
            )
        return self.error(
            plan.validation_code,
            f"The value supplied for parameter '{violation.path}' is not valid. '{violation.path}' {violation.detail}.",
            request_id,
        )

    def error(self, code: str, message: str, request_id: str | None = None) -> HttpResponse:
        """An error response for ``code``, with its modeled status."""
        return HttpResponse(
            self.status_of(code),
            {
                "Content-Type": "application/json",
                "x-amzn-RequestId": request_id or _request_id(),
                "x-amzn-ErrorType": code,
            },
            _compact({"message": message}).encode("utf-8"),
        )
