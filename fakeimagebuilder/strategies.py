"""Hypothesis strategies for Image Builder's ``StartImagePipelineExecution`` inputs.

For property tests of code that starts pipelines, and of the fake itself::

    from hypothesis import given
    from fakeimagebuilder import strategies as ibst

    @given(request=ibst.start_requests(pipeline_arns=st.just(my_pipeline_arn)))
    def test_my_wrapper_accepts_every_valid_request(request): ...

    @given(bad=ibst.invalid_start_requests())
    def test_my_wrapper_surfaces_validation_errors(bad):
        ...  # bad.params breaks exactly one rule, named by bad.rule

Every limit (token length, tag map size, key and value length) is read from
the installed botocore's Image Builder model, so the strategies follow the
model the fake enforces.

Valid values are *conservative*: where the model allows something AWS might
still reject, or where the model's regex dialect is ambiguous (``\\s`` in a
tag key matches more characters in Python than in Java), the valid strategies
avoid it and the invalid ones do not rely on it. A value drawn from a valid
strategy is accepted by the fake and, as far as anything is known, by AWS.

Strategies, all returning :class:`hypothesis.strategies.SearchStrategy`:

- :func:`regions`, :func:`account_ids`: the parts of an ARN (:func:`partition_of` gives a region's partition).
- :func:`resource_names`: names a pipeline or recipe may have (``ResourceName``).
- :func:`arn_names`: the name part of an Image Builder ARN (``[a-z0-9-_]+``).
- :func:`pipeline_arns`: valid ``imagePipelineArn`` values.
- :func:`client_tokens`: valid ``clientToken`` values (1 to the model's maximum: 64, 36 in botocore 1.40.41).
- :func:`tag_keys`, :func:`tag_values`, :func:`tag_maps`: valid ``tags``.
- :func:`start_requests`: whole valid StartImagePipelineExecution parameter dicts.
- :func:`invalid_pipeline_arns`: ARNs that break the model's pattern, with the way they break it.
- :func:`invalid_start_requests`: :class:`InvalidRequest` values, each breaking exactly one rule.
- :func:`model_members`: any operation's named input members, each present or not, valid by the model.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import UnknownRegionError

from .extras import missing_extra
from .model import endpoint_resolver, service_model
from .validation import java_pattern

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:
    raise missing_extra(missing, "hypothesis", "fakeimagebuilder.strategies") from None

__all__ = [
    "CLIENT_RULES",
    "SERVER_RULES",
    "InvalidRequest",
    "account_ids",
    "arn_names",
    "client_tokens",
    "invalid_pipeline_arns",
    "invalid_start_requests",
    "matches_pipeline_arn_pattern",
    "model_members",
    "partition_of",
    "pipeline_arns",
    "regions",
    "resource_names",
    "start_requests",
    "tag_keys",
    "tag_maps",
    "tag_values",
]

SearchStrategy = st.SearchStrategy

# -- limits, from the model ----------------------------------------------------------------------


@functools.cache
def _limits() -> dict[str, Any]:
    model = service_model()
    request = model.operation_model("StartImagePipelineExecution").input_shape
    token = request.members["clientToken"].metadata
    tags = request.members["tags"]
    return {
        "arn_pattern": request.members["imagePipelineArn"].metadata["pattern"],
        "token_min": token.get("min", 1),
        "token_max": token["max"],
        "tags_min": tags.metadata.get("min", 0),
        "tags_max": tags.metadata["max"],
        "key_min": tags.key.metadata.get("min", 1),
        "key_max": tags.key.metadata["max"],
        "key_pattern": tags.key.metadata["pattern"],
        "value_max": tags.value.metadata["max"],
        "name_pattern": model.shape_for("ResourceName").metadata["pattern"],
    }


@functools.cache
def _matcher(pattern: str) -> re.Pattern[str]:
    # Matched as AWS matches it (validation.java_pattern): use fullmatch.
    return java_pattern(pattern)


def matches_pipeline_arn_pattern(value: str) -> bool:
    """Whether ``value`` matches the model's ``ImagePipelineArn`` pattern."""
    return _matcher(_limits()["arn_pattern"]).fullmatch(value) is not None


# -- ARN parts -------------------------------------------------------------------------------------


@functools.cache
def partition_of(region: str) -> str:
    """The partition of ``region``, from botocore's endpoint data (``aws`` for a region botocore does not know,
    as botocore's endpoint resolver assumes)."""
    try:
        partition: str = endpoint_resolver().get_partition_for_region(region)
    except UnknownRegionError:
        return "aws"
    return partition


@functools.cache
def _imagebuilder_regions() -> tuple[str, ...]:
    resolver = endpoint_resolver()
    found: list[str] = []
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        found.extend(resolver.get_available_endpoints("imagebuilder", partition_name=partition))
    return tuple(sorted(found)) or ("us-east-1",)


def regions() -> SearchStrategy[str]:
    """Regions where Image Builder is offered (from botocore's endpoint data), ``us-east-1`` first."""
    names = _imagebuilder_regions()
    return st.sampled_from(("us-east-1", *(n for n in names if n != "us-east-1")))


def account_ids() -> SearchStrategy[str]:
    """Twelve-digit account ids (leading zeros included)."""
    return st.text(string.digits, min_size=12, max_size=12)


_NAME_EDGE = string.ascii_letters + string.digits + "-_"


def resource_names(*, max_size: int = 128) -> SearchStrategy[str]:
    """Names a pipeline, recipe or infrastructure configuration may have (the model's ``ResourceName``).

    3 to ``max_size`` characters: letters, digits, ``-`` and ``_``, with
    spaces allowed inside. Image Builder lower-cases such names and turns
    spaces and underscores into hyphens in the ARN only.
    """
    if max_size < 3:
        raise ValueError("resource names have at least 3 characters")
    return st.builds(
        lambda first, middle, last: first + middle + last,
        st.sampled_from(_NAME_EDGE),
        st.text(_NAME_EDGE + " ", min_size=1, max_size=max_size - 2),
        st.sampled_from(_NAME_EDGE),
    )


def arn_names(*, min_size: int = 1, max_size: int = 128) -> SearchStrategy[str]:
    """The name part of an Image Builder ARN: ``[a-z0-9-_]`` characters."""
    return st.text(string.ascii_lowercase + string.digits + "-_", min_size=min_size, max_size=max_size)


def pipeline_arns(
    *,
    region: str | SearchStrategy[str] | None = None,
    account: str | SearchStrategy[str] | None = None,
    names: SearchStrategy[str] | None = None,
) -> SearchStrategy[str]:
    """Valid ``imagePipelineArn`` values: ``arn:PARTITION:imagebuilder:REGION:ACCOUNT:image-pipeline/NAME``.

    ``region`` and ``account`` may be fixed strings (the caller's, to aim at
    pipelines that could exist) or strategies; by default both are drawn. The
    partition always matches the region. ``names`` defaults to
    :func:`arn_names`. A valid ARN need not name an existing pipeline: the
    fake answers ResourceNotFoundException (404) for one that does not exist.
    """
    region_st = regions() if region is None else st.just(region) if isinstance(region, str) else region
    account_st = account_ids() if account is None else st.just(account) if isinstance(account, str) else account
    return st.builds(
        lambda r, a, n: f"arn:{partition_of(r)}:imagebuilder:{r}:{a}:image-pipeline/{n}",
        region_st,
        account_st,
        arn_names() if names is None else names,
    )


# -- client tokens and tags ----------------------------------------------------------------------

_TOKEN_ALPHABET = "".join(chr(c) for c in range(0x21, 0x7F))


def client_tokens(*, min_size: int | None = None, max_size: int | None = None) -> SearchStrategy[str]:
    """Valid ``clientToken`` values: 1 to 64 printable ASCII characters (no spaces); 36 in botocore 1.40.41.

    The model allows any 1 to 64 (36) characters; EC2's idempotency rules (which
    Image Builder points to) speak of ASCII, so the strategy stays there.
    Remember that a token is remembered by the service: on a shared endpoint
    or a real account, add something unique to each drawn token.
    """
    limits = _limits()
    low = limits["token_min"] if min_size is None else min_size
    high = limits["token_max"] if max_size is None else max_size
    if not limits["token_min"] <= low <= high <= limits["token_max"]:
        raise ValueError(
            f"token sizes must satisfy {limits['token_min']} <= min_size <= max_size <= {limits['token_max']}"
        )
    return st.text(_TOKEN_ALPHABET, min_size=low, max_size=high)


# What AWS's tag key pattern (^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$ in current models) allows, with only a
# space standing in for \s: Python's \s also matches Unicode spaces, Java's only ASCII ones, and AWS's
# answer to a tab is unknown. Older models have another pattern; the installed one narrows this further.
_SAFE_TAG_CHARACTERS = string.ascii_letters + string.digits + " _.:/=+-@"


@functools.cache
def _tag_alphabet() -> str:
    """The safe tag characters the installed model's key pattern accepts."""
    pattern = _matcher(_limits()["key_pattern"])
    return "".join(c for c in _SAFE_TAG_CHARACTERS if pattern.fullmatch(c))


def tag_keys(*, max_size: int | None = None) -> SearchStrategy[str]:
    """Valid tag keys: 1 to 128 characters of ``[a-zA-Z0-9 _.:/=+-@]`` (those of them the installed model's
    pattern allows), never starting with ``aws:``."""
    limits = _limits()
    high = limits["key_max"] if max_size is None else min(max_size, limits["key_max"])
    return st.text(_tag_alphabet(), min_size=limits["key_min"], max_size=high).filter(
        lambda k: not k.startswith("aws:")
    )


def tag_values(*, max_size: int | None = None) -> SearchStrategy[str]:
    """Valid tag values: up to 256 characters (empty included) of the tag key alphabet.

    The model puts no pattern on values; the alphabet is AWS's general tagging
    rule, the conservative choice.
    """
    limits = _limits()
    high = limits["value_max"] if max_size is None else min(max_size, limits["value_max"])
    return st.text(_tag_alphabet(), max_size=high)


def tag_maps(*, min_size: int | None = None, max_size: int | None = None) -> SearchStrategy[dict[str, str]]:
    """Valid ``tags`` maps: 1 to 50 entries of :func:`tag_keys` to :func:`tag_values`.

    Keys and values are kept short (up to 32 characters) so maps of 50 entries
    stay cheap; use :func:`tag_keys` and :func:`tag_values` directly to reach
    the length limits.
    """
    limits = _limits()
    low = max(limits["tags_min"], 1) if min_size is None else min_size
    high = limits["tags_max"] if max_size is None else max_size
    if not max(limits["tags_min"], 1) <= low <= high <= limits["tags_max"]:
        raise ValueError(f"tag map sizes must satisfy 1 <= min_size <= max_size <= {limits['tags_max']}")
    return st.dictionaries(tag_keys(max_size=32), tag_values(max_size=32), min_size=low, max_size=high)


# The request strategies take parameters named like these functions.
_any_pipeline_arn = pipeline_arns
_any_client_token = client_tokens


def start_requests(
    *,
    pipeline_arns: SearchStrategy[str] | None = None,
    client_tokens: SearchStrategy[str] | None = None,
    tags: SearchStrategy[dict[str, str]] | None = None,
    with_tags: bool | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Whole valid StartImagePipelineExecution parameter dicts, as a client call takes them.

    ``{"imagePipelineArn": ..., "clientToken": ..., "tags": {...}}``; ``tags``
    is present or absent at random (``with_tags`` fixes it). Give
    ``pipeline_arns=st.just(arn)`` to aim at a pipeline you created.
    """
    arn_st = pipeline_arns if pipeline_arns is not None else _any_pipeline_arn()
    token_st = client_tokens if client_tokens is not None else _any_client_token()
    tags_st = tags if tags is not None else tag_maps()
    include = st.booleans() if with_tags is None else st.just(with_tags)

    def build(arn: str, token: str, include_tags: bool, tag_map: dict[str, str]) -> dict[str, Any]:
        request: dict[str, Any] = {"imagePipelineArn": arn, "clientToken": token}
        if include_tags:
            request["tags"] = tag_map
        return request

    return st.builds(build, arn_st, token_st, include, tags_st)


# -- invalid inputs ----------------------------------------------------------------------------------

SERVER_RULES: Mapping[str, str] = {
    "imagePipelineArn.pattern": "imagePipelineArn does not match the model's ImagePipelineArn pattern",
    "clientToken.max": "clientToken is longer than the model's maximum",
    "tags.size.min": "tags is an empty map (the model asks for at least one entry)",
    "tags.size.max": "tags has more entries than the model's maximum",
    "tags.key.pattern": "a tag key has a character the model's key pattern refuses",
    "tags.key.reserved": "a tag key starts with the reserved prefix 'aws:'",
    "tags.key.max": "a tag key is longer than the model's maximum",
    "tags.value.max": "a tag value is longer than the model's maximum",
}
"""Rules botocore does not check before sending: the service must refuse them (400). Each
:class:`InvalidRequest`'s ``detail`` gives the installed model's limit (64 characters for clientToken, 36 in
botocore 1.40.41)."""

CLIENT_RULES: Mapping[str, str] = {
    "imagePipelineArn.required": "imagePipelineArn is missing",
    "imagePipelineArn.type": "imagePipelineArn is not a string",
    "clientToken.min": "clientToken is empty",
    "tags.key.min": "a tag key is empty",
    "tags.value.type": "a tag value is not a string",
}
"""Rules botocore checks itself: the call raises ``ParamValidationError`` and nothing is sent."""

VALIDATION_CODE = "InvalidParameterValueException"
"""What the fake answers to a broken server rule (ledger row ``validation-code``; likely on AWS)."""


@dataclass(frozen=True, slots=True)
class InvalidRequest:
    """A StartImagePipelineExecution request that breaks exactly one rule.

    - ``params``: keyword arguments for ``client.start_image_pipeline_execution``.
    - ``rule``: the rule broken, a key of :data:`SERVER_RULES` or :data:`CLIENT_RULES`.
    - ``member``: the top-level parameter at fault (``imagePipelineArn``, ``clientToken``, ``tags``).
    - ``where``: ``"server"`` (sent; the service answers ``code`` with HTTP 400) or
      ``"client"`` (botocore raises ``ParamValidationError``; nothing is sent).
    - ``code``: the error code expected: :data:`VALIDATION_CODE` or ``"ParamValidationError"``.
    - ``detail``: how the value was broken, for humans.
    """

    params: dict[str, Any]
    rule: str
    member: str
    where: Literal["server", "client"]
    code: str
    detail: str


def _arn_breakers(valid: str) -> list[tuple[str, str]]:
    """Ways to break a valid pipeline ARN, each certain to miss the model's pattern."""
    prefix, _, name = valid.rpartition("/")
    head = prefix[: -len("image-pipeline")]
    parts = valid.split(":")
    return [
        (f"{prefix}/{name.upper()}X", "upper-case letters in the name"),
        (f"{prefix}/{name}.v2", "a dot in the name"),
        (f"{prefix}/{name} x", "a space in the name"),
        (f"{prefix}/", "an empty name"),
        (f"{head}image-recipe/{name}", "another resource type (image-recipe)"),
        (f"{head}image-pipeline/{name}/1.0.0", "a version after the name"),
        (":".join([*parts[:2], "ec2", *parts[3:]]), "another service (ec2)"),
        (":".join([*parts[:4], parts[4][:-1], *parts[5:]]), "an 11-digit account"),
        (":".join([*parts[:3], "", *parts[4:]]), "an empty region"),
        (valid.replace("arn:", "ARN:", 1), "an upper-case 'ARN:' prefix"),
        (valid[len("arn:") :], "no 'arn:' prefix"),
        ("", "an empty string"),
    ]


def invalid_pipeline_arns(valid: SearchStrategy[str] | None = None) -> SearchStrategy[tuple[str, str]]:
    """``(arn, how)`` pairs: a valid ARN from ``valid`` (default :func:`pipeline_arns`) broken one way.

    Every value misses the model's pattern (checked); ``how`` says what was
    changed. Breaking a given ARN keeps its name, so a test on a real account
    can only ever point at its own resources.
    """
    source = valid if valid is not None else pipeline_arns(names=arn_names(max_size=32))

    @st.composite
    def broken(draw: st.DrawFn) -> tuple[str, str]:
        base = draw(source)
        arn, how = draw(st.sampled_from(_arn_breakers(base)))
        if matches_pipeline_arn_pattern(arn):  # e.g. an account id that was not 12 digits to begin with
            raise ValueError(f"breaking {base!r} by {how} still matches the pattern")
        return arn, how

    return broken()


_SURELY_BAD_KEY_CHARACTERS = "#!$%&*(),;<>?[]{}|~^`\"'\\é中"


@functools.cache
def _bad_key_characters() -> str:
    """Characters the installed model's tag key pattern refuses (older models allow ',', ';' and '<')."""
    pattern = _matcher(_limits()["key_pattern"])
    return "".join(c for c in _SURELY_BAD_KEY_CHARACTERS if not pattern.fullmatch(c))


def invalid_start_requests(
    *,
    pipeline_arns: SearchStrategy[str] | None = None,
    client_tokens: SearchStrategy[str] | None = None,
    where: Literal["server", "client"] | None = None,
    rules: tuple[str, ...] | None = None,
) -> SearchStrategy[InvalidRequest]:
    """Requests that break exactly one rule; see :class:`InvalidRequest`.

    ``pipeline_arns`` and ``client_tokens`` supply the valid parts (and the
    ARN to break); ``where`` keeps only server- or client-side rules; ``rules``
    keeps only the named ones.
    """
    arn_st = pipeline_arns if pipeline_arns is not None else _any_pipeline_arn(names=arn_names(max_size=32))
    limits = _limits()
    # Short valid tokens keep failing examples readable; no longer than the installed model allows (36 in 1.40).
    token_st = client_tokens if client_tokens is not None else _any_client_token(max_size=min(40, limits["token_max"]))
    chosen = [
        (rule, side)
        for side, table in (("server", SERVER_RULES), ("client", CLIENT_RULES))
        for rule in table
        if where in (None, side) and (rules is None or rule in rules)
    ]
    if not chosen:
        raise ValueError(f"no rule left to break: where={where!r}, rules={rules!r}")

    @st.composite
    def invalid(draw: st.DrawFn) -> InvalidRequest:
        arn = draw(arn_st)
        token = draw(token_st)
        rule, side = draw(st.sampled_from(chosen))
        params: dict[str, Any] = {"imagePipelineArn": arn, "clientToken": token}
        member = rule.split(".", 1)[0]
        detail = SERVER_RULES.get(rule) or CLIENT_RULES[rule]
        if rule == "imagePipelineArn.pattern":
            params["imagePipelineArn"], detail = draw(invalid_pipeline_arns(st.just(arn)))
        elif rule == "clientToken.max":
            extra = draw(st.integers(1, 64))
            params["clientToken"] = (token * (limits["token_max"] // len(token) + 2))[: limits["token_max"] + extra]
            detail = f"clientToken is longer than {limits['token_max']} characters"
        elif rule == "tags.size.min":
            params["tags"] = {}
        elif rule == "tags.size.max":
            count = draw(st.integers(limits["tags_max"] + 1, limits["tags_max"] + 10))
            params["tags"] = {f"key-{i}": f"value-{i}" for i in range(count)}
            detail = f"tags has more than {limits['tags_max']} entries"
        elif rule == "tags.key.pattern":
            key = draw(tag_keys(max_size=16))
            bad = draw(st.sampled_from(_bad_key_characters()))
            at = draw(st.integers(0, len(key)))
            params["tags"] = {key[:at] + bad + key[at:]: draw(tag_values(max_size=16))}
            detail = f"a tag key has {bad!r}, which the model's key pattern refuses"
        elif rule == "tags.key.reserved":
            params["tags"] = {"aws:" + draw(tag_keys(max_size=16)): draw(tag_values(max_size=16))}
        elif rule == "tags.key.max":
            size = draw(st.integers(limits["key_max"] + 1, limits["key_max"] + 64))
            params["tags"] = {("k" * size): "v"}
            detail = f"a tag key is longer than {limits['key_max']} characters"
        elif rule == "tags.value.max":
            size = draw(st.integers(limits["value_max"] + 1, limits["value_max"] + 64))
            params["tags"] = {draw(tag_keys(max_size=16)): "v" * size}
            detail = f"a tag value is longer than {limits['value_max']} characters"
        elif rule == "imagePipelineArn.required":
            del params["imagePipelineArn"]
        elif rule == "imagePipelineArn.type":
            params["imagePipelineArn"] = draw(st.integers())
        elif rule == "clientToken.min":
            params["clientToken"] = ""
        elif rule == "tags.key.min":
            params["tags"] = {"": draw(tag_values(max_size=16))}
        elif rule == "tags.value.type":
            params["tags"] = {draw(tag_keys(max_size=16)): draw(st.integers())}
        if side == "server":
            return InvalidRequest(params, rule, member, "server", VALIDATION_CODE, detail)
        return InvalidRequest(params, rule, member, "client", "ParamValidationError", detail)

    return invalid()


# -- any operation's members, from the model ---------------------------------------------------------------------

_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))


def _string(shape: Any) -> SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    low = shape.metadata.get("min", 0)
    high = min(shape.metadata.get("max", 64), 64)
    pattern = shape.metadata.get("pattern")
    if pattern is None:
        return st.text(_PRINTABLE, min_size=low, max_size=max(high, low))
    matcher = _matcher(pattern)
    # Drawn from the pattern as Python reads it, then kept only where Java's reading (the fake's) agrees.
    return (
        st.from_regex(matcher, fullmatch=True)
        .filter(lambda text: low <= len(text) <= max(high, low, 64))
        .filter(lambda text: matcher.fullmatch(text) is not None)
    )


def _shape_values(shape: Any, max_items: int) -> SearchStrategy[Any]:
    if shape.name == "TagMap":
        return tag_maps(max_size=max_items)
    kind = shape.type_name
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return st.integers(shape.metadata.get("min", 0), shape.metadata.get("max", 10_000))
    if kind == "boolean":
        return st.booleans()
    low = shape.metadata.get("min", 0)
    high = min(shape.metadata.get("max", max_items), max(low, max_items))
    if kind == "list":
        return st.lists(_shape_values(shape.member, max_items), min_size=low, max_size=high)
    if kind == "map":
        return st.dictionaries(
            _shape_values(shape.key, max_items), _shape_values(shape.value, max_items), min_size=low, max_size=high
        )
    if kind == "structure":
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {name: _shape_values(member, max_items) for name, member in shape.members.items() if name in required},
            optional={
                name: _shape_values(member, max_items) for name, member in shape.members.items() if name not in required
            },
        )
    raise ValueError(f"no strategy for {shape.name} ({kind})")


def model_members(operation: str, names: tuple[str, ...], *, max_items: int = 3) -> SearchStrategy[dict[str, Any]]:
    """The input members ``names`` of ``operation``, each present or absent, drawn from the installed model.

    Values follow the model's constraints: enums, lengths, numeric ranges,
    patterns (read as AWS reads them), required members of structures, and
    :func:`tag_maps` for tag maps; lists and maps hold at most ``max_items``
    entries. What the model does not say (that a KMS key exists, that an
    instance type is offered) is not known: such values satisfy the model, not
    necessarily AWS. A name the operation does not take raises ValueError.
    """
    members = service_model().operation_model(operation).input_shape.members
    unknown = [name for name in names if name not in members]
    if unknown:
        raise ValueError(f"{operation} takes no {', '.join(unknown)}")
    return st.fixed_dictionaries({}, optional={name: _shape_values(members[name], max_items) for name in names})
