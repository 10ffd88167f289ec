"""Lifecycle policies: what Create accepts Get echoes; rules checked as AWS checks them; Update replaces."""

from __future__ import annotations

from typing import Any

import pytest

ARN_PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/"
AGE_RULE = {
    "action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
    "filter": {"type": "AGE", "value": 6, "unit": "MONTHS", "retainAtLeast": 2},
    "exclusionRules": {
        "tagMap": {"keep": "yes"},
        "amis": {"isPublic": True, "regions": ["us-west-2"], "lastLaunched": {"value": 7, "unit": "DAYS"}},
    },
}
COUNT_RULE = {"action": {"type": "DEPRECATE"}, "filter": {"type": "COUNT", "value": 3}}


def _policy(**members: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "name": "Old_Images 1",
        "executionRole": "arn:aws:iam::123456789012:role/lifecycle",
        "resourceType": "AMI_IMAGE",
        "policyDetails": [AGE_RULE, COUNT_RULE],
        "resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]},
    }
    policy.update(members)
    return policy


def test_get_echoes_what_create_sent_and_fills_in_the_default_status(fake: Any, client: Any):
    sent = _policy(description="images older than six months go", tags={"team": "web"})

    arn = client.create_lifecycle_policy(**sent)["lifecyclePolicyArn"]

    assert arn == ARN_PREFIX + "old-images-1"
    policy = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert {k: policy[k] for k in sent} == sent
    assert policy["status"] == "ENABLED"  # not sent: AWS's default (Terraform: Optional, Computed, ENABLED)
    [summary] = client.list_lifecycle_policies()["lifecyclePolicySummaryList"]
    assert summary["status"] == "ENABLED"
    enabled = client.list_lifecycle_policies(filters=[{"name": "Status", "values": ["ENABLED"]}])
    assert [s["arn"] for s in enabled["lifecyclePolicySummaryList"]] == [arn]
    assert "dateUpdated" not in policy
    assert policy["arn"] == arn
    assert policy["dateCreated"].timestamp() == pytest.approx(fake.clock.now(), abs=0.01)
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "web"}
    assert fake.state()["123456789012"]["us-east-1"]["lifecyclePolicies"][0]["arn"] == arn


@pytest.mark.parametrize(
    ("members", "mentioned"),
    [
        (
            {"resourceSelection": {"recipes": [{"name": "web", "semanticVersion": "1.0.0"}], "tagMap": {"k": "v"}}},
            "exactly one of 'recipes' and 'tagMap'",
        ),
        ({"resourceSelection": {}}, "exactly one of 'recipes' and 'tagMap'"),
        (
            {"policyDetails": [COUNT_RULE, {**COUNT_RULE, "filter": {"type": "COUNT", "value": 9}}]},
            "only one rule with action DEPRECATE",
        ),
        (
            {"policyDetails": [{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 6}}]},
            "an AGE filter needs a 'unit'",
        ),
        (
            {"policyDetails": [{**COUNT_RULE, "action": {"type": "DISABLE", "includeResources": {"snapshots": True}}}]},
            "AMIs only",
        ),
        (
            {"policyDetails": [{**COUNT_RULE, "action": {"type": "DELETE", "includeResources": {"snapshots": True}}}]},
            "together with AMIs",
        ),
        (
            {"policyDetails": [{**COUNT_RULE, "action": {"type": "DELETE", "includeResources": {"containers": True}}}]},
            "containers do not apply to AMI_IMAGE",
        ),
        ({"resourceType": "CONTAINER_IMAGE", "policyDetails": [COUNT_RULE]}, "only have DELETE rules"),
        (
            {
                "resourceType": "CONTAINER_IMAGE",
                "policyDetails": [{"action": AGE_RULE["action"], "filter": AGE_RULE["filter"]}],
            },
            "amis, snapshots do not apply to CONTAINER_IMAGE",
        ),
        (
            {
                "resourceType": "CONTAINER_IMAGE",
                "policyDetails": [
                    {**COUNT_RULE, "action": {"type": "DELETE"}, "exclusionRules": {"amis": {"isPublic": True}}}
                ],
            },
            "AMI exclusion rules",
        ),
    ],
)
def test_rules_are_checked_as_aws_checks_them(
    fake: Any, client: Any, expect_error: Any, members: dict[str, Any], mentioned: str
):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.create_lifecycle_policy(**_policy(**members))

    expect_error(caught.value, "InvalidRequestException", 400)
    assert mentioned in caught.value.response["message"]
    assert client.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []


def test_a_container_policy_deletes_with_its_containers(client: Any):
    rule = {
        "action": {"type": "DELETE", "includeResources": {"containers": True}},
        "filter": {"type": "COUNT", "value": 2},
    }
    arn = client.create_lifecycle_policy(
        **_policy(resourceType="CONTAINER_IMAGE", policyDetails=[rule], resourceSelection={"tagMap": {"k": "v"}})
    )["lifecyclePolicyArn"]

    assert client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["policyDetails"] == [rule]


def test_update_replaces_every_setting_and_keeps_name_tags_and_creation(fake: Any, client: Any, expect_error: Any):
    arn = client.create_lifecycle_policy(**_policy(description="first", status="ENABLED", tags={"team": "web"}))[
        "lifecyclePolicyArn"
    ]
    before = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    fake.advance(60)

    client.update_lifecycle_policy(
        lifecyclePolicyArn=arn,
        executionRole="other-role",
        resourceType="AMI_IMAGE",
        policyDetails=[COUNT_RULE],
        resourceSelection={"tagMap": {"team": "web"}},
    )

    after = client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert "description" not in after  # left out: gone, as the whole policy is replaced
    assert after["status"] == "ENABLED"  # left out: the default again
    assert after["policyDetails"] == [COUNT_RULE]
    assert after["resourceSelection"] == {"tagMap": {"team": "web"}}
    assert after["executionRole"] == "other-role"
    assert (after["name"], after["tags"], after["dateCreated"]) == (
        before["name"],
        {"team": "web"},
        before["dateCreated"],
    )
    assert (after["dateUpdated"] - before["dateCreated"]).total_seconds() == pytest.approx(60, abs=0.01)
    # An update's rules are checked as a create's are; a refused update changes nothing.
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        client.update_lifecycle_policy(
            lifecyclePolicyArn=arn,
            executionRole="other-role",
            resourceType="CONTAINER_IMAGE",
            policyDetails=[COUNT_RULE],
            resourceSelection={"tagMap": {"team": "web"}},
        )
    expect_error(caught.value, "InvalidRequestException", 400)
    assert client.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"] == after


def test_names_are_unique_and_lists_filter_by_name_and_status(client: Any, expect_error: Any):
    first = client.create_lifecycle_policy(**_policy(name="first", status="DISABLED"))["lifecyclePolicyArn"]
    second = client.create_lifecycle_policy(**_policy(name="second"))["lifecyclePolicyArn"]
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as caught:
        client.create_lifecycle_policy(**_policy(name="FIRST"))
    expect_error(caught.value, "ResourceAlreadyExistsException", 400)

    def listed(**params: Any) -> list[str]:
        return [s["arn"] for s in client.list_lifecycle_policies(**params)["lifecyclePolicySummaryList"]]

    assert listed() == [first, second]
    assert listed(filters=[{"name": "Status", "values": ["DISABLED"]}]) == [first]
    assert listed(filters=[{"name": "Name", "values": ["second"]}]) == [second]
    page = client.list_lifecycle_policies(maxResults=1)
    assert [s["arn"] for s in page["lifecyclePolicySummaryList"]] == [first]
    assert listed(nextToken=page["nextToken"]) == [second]
    client.delete_lifecycle_policy(lifecyclePolicyArn=first)
    assert listed() == [second]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_lifecycle_policy(lifecyclePolicyArn=first)


def test_lists_filter_by_the_names_either_model_documents(client: Any):
    ami = client.create_lifecycle_policy(**_policy(name="ami", status="DISABLED"))["lifecyclePolicyArn"]
    container = client.create_lifecycle_policy(
        **_policy(
            name="box", resourceType="CONTAINER_IMAGE", policyDetails=[{**COUNT_RULE, "action": {"type": "DELETE"}}]
        )
    )["lifecyclePolicyArn"]

    def listed(name: str, value: str) -> list[str]:
        found = client.list_lifecycle_policies(filters=[{"name": name, "values": [value]}])
        return [s["arn"] for s in found["lifecyclePolicySummaryList"]]

    # botocore 1.44's doc: name, resourceType and status, "matched exactly as shown"; 1.40.41's: Name, Status.
    assert listed("name", "box") == listed("Name", "box") == [container]
    assert listed("resourceType", "CONTAINER_IMAGE") == [container]
    assert listed("resourceType", "AMI_IMAGE") == [ami]
    assert listed("status", "DISABLED") == listed("Status", "DISABLED") == [ami]
    assert listed("status", "ENABLED") == [container]


def test_a_client_token_replays_the_create(client: Any, expect_error: Any):
    first = client.create_lifecycle_policy(clientToken="policy-1", **_policy())
    replay = client.create_lifecycle_policy(clientToken="policy-1", **_policy())

    assert replay["lifecyclePolicyArn"] == first["lifecyclePolicyArn"]
    assert replay["clientToken"] == "policy-1"
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException) as caught:
        client.create_lifecycle_policy(clientToken="policy-1", **_policy(description="other"))
    expect_error(caught.value, "IdempotentParameterMismatchException", 400)
    assert len(client.list_lifecycle_policies()["lifecyclePolicySummaryList"]) == 1
