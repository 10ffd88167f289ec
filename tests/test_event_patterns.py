"""EventBridge event patterns, as the fake's subscribers use them (the user guide's "Event patterns" rules)."""

from __future__ import annotations

from typing import Any

import pytest

from fakeimagebuilder.event_patterns import compile_pattern, matches

EVENT: dict[str, Any] = {
    "source": "aws.imagebuilder",
    "detail-type": "EC2 Image Builder Image State Change",
    "account": "123456789012",
    "resources": ["arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/3"],
    "detail": {
        "previous-state": {"status": "INTEGRATING"},
        "state": {"status": "AVAILABLE"},
        "count": 5,
        "flag": True,
        "nothing": None,
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (None, True),
        ({}, True),
        ({"source": ["aws.imagebuilder"]}, True),
        ({"source": ["aws.ec2"]}, False),
        ({"source": ["aws.ec2", "aws.imagebuilder"]}, True),
        ({"detail": {"state": {"status": ["AVAILABLE"]}}}, True),
        ({"detail": {"state": {"status": ["FAILED"]}}}, False),
        ({"detail": {"state": ["AVAILABLE"]}}, False),  # an object is not a value
        ({"detail": {"state": {"status": ["AVAILABLE"]}}, "source": ["aws.ec2"]}, False),  # every field must match
        ({"resources": [{"prefix": "arn:aws:imagebuilder:us-east-1:123456789012:image/web/"}]}, True),
        ({"resources": [{"prefix": "arn:aws:imagebuilder:us-east-1:123456789012:image/app/"}]}, False),
        ({"detail-type": [{"prefix": {"equals-ignore-case": "ec2 image builder"}}]}, True),
        ({"resources": [{"suffix": "/3"}]}, True),
        ({"detail-type": [{"equals-ignore-case": "ec2 IMAGE builder image state change"}]}, True),
        ({"resources": [{"wildcard": "arn:aws:imagebuilder:*:image/web/*"}]}, True),
        ({"resources": [{"wildcard": "*:image/app/*"}]}, False),
        ({"detail": {"state": {"status": [{"anything-but": "FAILED"}]}}}, True),
        ({"detail": {"state": {"status": [{"anything-but": ["FAILED", "AVAILABLE"]}]}}}, False),
        ({"detail": {"state": {"status": [{"anything-but": {"prefix": "AVAIL"}}]}}}, False),
        ({"detail": {"state": {"reason": [{"anything-but": "x"}]}}}, False),  # absent: anything-but does not match
        ({"detail": {"state": {"reason": [{"exists": False}]}}}, True),
        ({"detail": {"state": {"reason": [{"exists": True}]}}}, False),
        ({"detail": {"state": {"status": [{"exists": True}]}}}, True),
        ({"detail": {"count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
        ({"detail": {"count": [{"numeric": ["<", 5]}]}}, False),
        ({"detail": {"count": [{"numeric": ["=", 5]}]}}, True),
        ({"detail": {"state": {"status": [{"numeric": [">", 0]}]}}}, False),  # a string is not a number
        ({"detail": {"count": [5]}}, True),
        ({"detail": {"count": ["5"]}}, False),
        ({"detail": {"flag": [True]}}, True),
        ({"detail": {"flag": [1]}}, False),
        ({"detail": {"nothing": [None]}}, True),
        ({"$or": [{"source": ["aws.ec2"]}, {"detail": {"state": {"status": ["AVAILABLE"]}}}]}, True),
        ({"$or": [{"source": ["aws.ec2"]}, {"detail": {"state": {"status": ["FAILED"]}}}]}, False),
    ],
)
def test_patterns_match_as_eventbridge_matches(pattern: Any, expected: bool):
    assert matches(pattern, EVENT) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        [],
        {"source": "aws.imagebuilder"},
        {"source": []},
        {"source": [{"prefix": 3}]},
        {"source": [{"unknown": "x"}]},
        {"source": [{"prefix": "a", "suffix": "b"}]},
        {"detail": {"count": [{"numeric": [">"]}]}},
        {"detail": {"count": [{"numeric": ["~", 1]}]}},
        {"detail": {"count": [{"exists": "yes"}]}},
        {"detail": {"count": [{"anything-but": {"numeric": [">", 1]}}]}},
        {"$or": [{"source": ["a"]}]},
    ],
)
def test_malformed_patterns_are_refused(pattern: Any):
    with pytest.raises(ValueError):
        compile_pattern(pattern)


# The examples of "Exists matching" (EventBridge user guide eb-create-pattern-operators.html#eb-filtering-exists-
# matching; aws/event-ruler README.md "Exists matching"): it only works on leaf nodes, so a field whose value is an
# object is no field for it: `exists: true` does not match it, and `exists: false` does.
_RULER_EVENT = {
    "detail-type": ["EC2 Instance State-change Notification"],
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {"state": ["initializing", "running"]},
}
_WITH_OBJECT = {**_RULER_EVENT, "detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}}


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"detail": {"state": [{"exists": True}]}}, _RULER_EVENT, True),  # an array of values is a leaf
        ({"detail": {"c-count": [{"exists": True}]}}, _RULER_EVENT, False),
        ({"detail": {"c-count": [{"exists": False}]}}, _RULER_EVENT, True),
        ({"detail": {"c-count": [{"exists": False}]}}, _WITH_OBJECT, True),  # not a leaf node
        ({"detail": {"c-count": [{"exists": True}]}}, _WITH_OBJECT, False),
        ({"detail": {"c-count": [{"exists": True}]}}, {"detail": {"c-count": 5}}, True),
        ({"detail": {"c-count": [{"exists": False}]}}, {"detail": {"c-count": 5}}, False),
        ({"detail": {"c-count": [{"exists": True}]}}, {"detail": {"c-count": None}}, True),  # null is a value
        ({"detail": {"c-count": [{"exists": True}]}}, {"detail": {"c-count": [{"c1": 1}]}}, False),
        ({"detail": {"c-count": [{"exists": False}]}}, {"detail": {"c-count": [{"c1": 1}]}}, True),
        # The object's leaves are still there for a pattern that goes into it.
        ({"detail": {"c-count": {"c1": [{"exists": True}]}}}, _WITH_OBJECT, True),
        # No other matcher takes an object for a value either, anything-but included.
        ({"detail": {"c-count": [{"anything-but": "x"}]}}, _WITH_OBJECT, False),
        ({"detail": {"c-count": [{"anything-but": "x"}]}}, {"detail": {"c-count": "y"}}, True),
    ],
)
def test_exists_works_on_leaf_nodes_only(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


# aws/event-ruler README, "JSON Array Matching": an array of objects is "crushed out", its objects matched as if each
# were the field's value; fields matched together must come from one element (rulesForJSONEvent).
_EMPLOYEES = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}
_NESTED_EMPLOYEES = {
    "employees": [
        [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}],
        [{"firstName": "Peter", "lastName": "Jones"}],
    ]
}


@pytest.mark.parametrize("event", [_EMPLOYEES, _NESTED_EMPLOYEES])
@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"employees": {"firstName": ["Anna"]}}, True),
        ({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, True),
        ({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, False),  # two different elements
        ({"employees": {"firstName": ["Zoe"]}}, False),
        ({"employees": {"middleName": [{"exists": True}]}}, False),
    ],
)
def test_arrays_of_objects_are_crushed_out(event: dict[str, Any], pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


@pytest.mark.parametrize(
    ("wildcard", "value", "expected"),
    [
        ("Simple*Service", "Simple Queue Service", True),
        ("a\\*b", "a*b", True),  # \* is a literal star
        ("a\\*b", "axb", False),
        ("a\\\\*", "a\\xyz", True),  # \\ is a backslash, and the star after it is live
        ("a\\\\*", "axyz", False),
        ("*", "", True),
    ],
)
def test_wildcard_escapes(wildcard: str, value: str, expected: bool) -> None:
    assert matches({"f": [{"wildcard": wildcard}]}, {"f": value}) is expected


@pytest.mark.parametrize(
    ("cidr", "value", "expected"),
    [
        ("10.0.0.0/24", "10.0.0.33", True),
        ("10.0.0.0/24", "10.0.1.33", False),
        ("10.0.0.0/8", "10.200.0.1", True),
        ("2001:db8::/32", "2001:db8::1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("10.0.0.0/24", "not an address", False),
        ("10.0.0.0/24", 10, False),
        ("::/0", "10.0.0.1", False),  # an IPv4 address is in no IPv6 network
    ],
)
def test_cidr_matches_ip_addresses(cidr: str, value: Any, expected: bool) -> None:
    assert matches({"detail": {"source-ip": [{"cidr": cidr}]}}, {"detail": {"source-ip": value}}) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": [["aws.imagebuilder"]]},  # a nested array among the matchers
        {"source": [{"wildcard": "a**b"}]},  # consecutive stars
        {"source": [{"wildcard": "a\\b"}]},  # a backslash escaping something else
        {"source": [{"wildcard": "ab\\"}]},  # a backslash escaping nothing
        {"source": [{"wildcard": "a\\\\**"}]},  # \\ then two live stars
        {"source": [{"anything-but": []}]},
        {"source": [{"anything-but": ["a", 1]}]},  # strings and numbers mixed
        {"source": [{"anything-but": [True]}]},
        {"source": [{"anything-but": {"prefix": []}}]},
        {"detail": {"count": [{"numeric": [">", 1, ">", 2]}]}},  # two lower bounds
        {"detail": {"count": [{"numeric": ["<", 1, "<=", 2]}]}},  # two upper bounds
        {"detail": {"count": [{"numeric": ["=", 1, "<", 2]}]}},
        {"detail": {"count": [{"numeric": ["<", 5, ">", 1]}]}},  # the upper bound first
        {"detail": {"count": [{"numeric": [">", 1, "<"]}]}},
        {"detail": {"count": [{"numeric": [">", "1"]}]}},
        {"detail": {"ip": [{"cidr": "10.0.0.0"}]}},
        {"detail": {"ip": [{"cidr": "10.0.0.0/33"}]}},
        {"detail": {"ip": [{"cidr": 10}]}},
    ],
)
def test_malformed_patterns_ruler_refuses_are_refused(pattern: Any) -> None:
    with pytest.raises(ValueError):
        compile_pattern(pattern)
