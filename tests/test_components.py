"""Components: what Create accepts Get echoes, the document checks, versions, references, AWS's own."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeimagebuilder import FakeImageBuilder
from fakeimagebuilder.model import service_model
from fakeimagebuilder.service.documents import DocumentError, Unsupported, read_yaml

PREFIX = "arn:aws:imagebuilder:us-east-1:123456789012"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENTS = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}]
DOCUMENT = """# a comment
name: hello
description: says hello
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: hello
      description: what to say
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo "{{ Greeting }}"
            - |
              cat <<EOF
                indented
              EOF
"""
TEST_ONLY = "schemaVersion: 1.0\nphases:\n  - name: test\n    steps:\n      - name: T\n        action: ExecuteBash\n"


def _outputs(operation: str) -> set[str]:
    return set(service_model().operation_model(operation).output_shape.members)


def _create(client: Any, name: str = "hello", version: str = "1.0.0", data: str = DOCUMENT, **extra: Any) -> str:
    arn: str = client.create_component(name=name, semanticVersion=version, platform="Linux", data=data, **extra)[
        "componentBuildVersionArn"
    ]
    return arn


def test_get_echoes_what_create_accepted(fake: Any, client: Any):
    answer = client.create_component(
        name="Hello World",
        semanticVersion="1.2.3",
        platform="Linux",
        data=DOCUMENT,
        description="greets",
        changeDescription="first",
        supportedOsVersions=["Amazon Linux 2023"],
        kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/abc",
        tags={"team": "web"},
        clientToken="c-1",
    )

    arn = answer["componentBuildVersionArn"]
    assert arn == f"{PREFIX}:component/hello-world/1.2.3/1"
    assert answer["clientToken"] == "c-1"
    component = client.get_component(componentBuildVersionArn=arn)["component"]
    expected = {
        "arn": arn,
        "name": "Hello World",
        "version": "1.2.3",
        "description": "greets",
        "changeDescription": "first",
        "type": "BUILD",
        "platform": "Linux",
        "supportedOsVersions": ["Amazon Linux 2023"],
        "state": {"status": "ACTIVE"},
        "parameters": [{"name": "Greeting", "type": "String", "defaultValue": ["hello"], "description": "what to say"}],
        "owner": "123456789012",
        "data": DOCUMENT,
        "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/abc",
        "encrypted": True,
        "tags": {"team": "web"},
    }
    assert {k: v for k, v in component.items() if k != "dateCreated"} == expected
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "web"}


@pytest.mark.parametrize(("version", "major", "minor"), [("1.2.3", "1", "1.2"), ("2019.12.03", "2019", "2019.12")])
def test_latest_version_references_name_the_wildcards(client: Any, version: str, major: str, minor: str):
    """The patch reference names the very version: with leading zeros, as written (1.0.3 is not 1.0.03)."""
    answer = client.create_component(name="hello", semanticVersion=version, platform="Linux", data=DOCUMENT)

    base = f"{PREFIX}:component/hello/"
    expected = {
        "latestVersionArn": base + "x.x.x",
        "latestMajorVersionArn": base + f"{major}.x.x",
        "latestMinorVersionArn": base + f"{minor}.x",
        "latestPatchVersionArn": base + version,
    }
    got = client.get_component(componentBuildVersionArn=answer["componentBuildVersionArn"])
    if "latestVersionReferences" in _outputs("CreateComponent"):
        assert answer["latestVersionReferences"] == got["latestVersionReferences"] == expected
        for reference in expected.values():  # each selects the component made
            found = client.get_component(componentBuildVersionArn=reference)["component"]["arn"]
            assert found == answer["componentBuildVersionArn"]
    else:  # botocore 1.40.41's model has no such member: the wire leaves it out
        assert "latestVersionReferences" not in answer and "latestVersionReferences" not in got


def test_the_same_version_again_is_its_next_build_and_wildcards_pick_the_highest(client: Any):
    first = _create(client, version="1.7.8")
    second = _create(client, version="1.7.8")
    _create(client, version="1.6.8")  # newest, but not highest

    assert (first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]) == ("1", "2")
    for wildcard, expected in (("x.x.x", second), ("1.x.x", second), ("1.7.8", second), ("1.6.x", None)):
        found = client.get_component(componentBuildVersionArn=f"{PREFIX}:component/hello/{wildcard}")["component"]
        if expected is not None:
            assert found["arn"] == expected
        else:
            assert found["version"] == "1.6.8"
    builds = client.list_component_build_versions(componentVersionArn=f"{PREFIX}:component/hello/1.7.8")
    assert [s["arn"] for s in builds["componentSummaryList"]] == [second, first]
    listed = client.list_components()["componentVersionList"]
    assert [(v["arn"], v["version"]) for v in listed] == [
        (f"{PREFIX}:component/hello/1.7.8", "1.7.8"),
        (f"{PREFIX}:component/hello/1.6.8", "1.6.8"),
    ]
    assert [v["version"] for v in client.list_components(byName=True)["componentVersionList"]] == ["1.7.8"]


def test_a_version_with_leading_zeros_is_not_the_same_numbers_without(client: Any):
    padded = [_create(client, version="1.0.03"), _create(client, version="1.0.03")]
    plain = _create(client, version="1.0.3")
    version = f"{PREFIX}:component/hello/1.0.3"

    # A concrete version selects only builds written exactly so (ledger version-leading-zeros).
    assert client.get_component(componentBuildVersionArn=version)["component"]["arn"] == plain
    assert client.get_component(componentBuildVersionArn=version[:-1] + "03")["component"]["arn"] == padded[1]
    # A wildcard compares numbers: the two rank alike, so the higher build (1.0.03/2) wins.
    wildcard = f"{PREFIX}:component/hello/1.0.x"
    assert client.get_component(componentBuildVersionArn=wildcard)["component"]["arn"] == padded[1]
    # A recipe naming 1.0.3 keeps 1.0.3's build, not 1.0.03's, from being deleted.
    client.create_image_recipe(
        name="web", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": version}]
    )
    with pytest.raises(client.exceptions.ResourceDependencyException):
        client.delete_component(componentBuildVersionArn=plain)
    client.delete_component(componentBuildVersionArn=padded[1])


@pytest.mark.parametrize("order", [("1.0.03", "1.0.3", "1.0.3", "1.0.03"), ("1.0.3", "1.0.03", "1.0.03")])
def test_by_name_lists_the_version_x_x_x_selects(client: Any, order: tuple[str, ...]):
    """1.0.03 and 1.0.3 rank alike: the higher build wins, then the build made first, for byName as for x.x.x."""
    for version in order:
        _create(client, version=version)
    selected = client.get_component(componentBuildVersionArn=f"{PREFIX}:component/hello/x.x.x")["component"]
    (listed,) = client.list_components(byName=True)["componentVersionList"]
    assert listed["arn"] == selected["arn"].rsplit("/", 1)[0]


def test_component_build_versions_without_a_version_list_every_build_of_the_caller_s(client: Any):
    builds = [_create(client), _create(client, name="other"), _create(client)]

    # Model doc (botocore 1.44): "If you don't specify an ARN, Image Builder returns build versions for the
    # components that your account owns."
    listed = client.list_component_build_versions()["componentSummaryList"]
    assert [summary["arn"] for summary in listed] == builds[::-1]


def test_list_filters(client: Any):
    _create(client, name="build-one", supportedOsVersions=["Amazon Linux 2023"])
    _create(client, name="test-one", data=TEST_ONLY)

    def names(*filters: dict[str, Any]) -> list[str]:
        return [c["name"] for c in client.list_components(filters=list(filters))["componentVersionList"]]

    assert names({"name": "type", "values": ["TEST"]}) == ["test-one"]
    assert names({"name": "supportedOsVersion", "values": ["Amazon Linux 2023"]}) == ["build-one"]
    assert names({"name": "platform", "values": ["Linux"]}, {"name": "version", "values": ["1.0.0"]}) == [
        "build-one",
        "test-one",
    ]
    assert client.list_components(owner="Shared")["componentVersionList"] == []


def test_list_filters_on_status_and_product_codes(client: Any):
    _create(client)

    def listed(name: str, value: str) -> list[dict[str, Any]]:
        found = client.list_components(filters=[{"name": name, "values": [value]}])["componentVersionList"]
        return list(found)

    # ListComponents' doc: "To list deprecated components, use the status filter with the value DEPRECATED."
    [active] = listed("status", "ACTIVE")
    assert active["status"] == "ACTIVE"  # ComponentVersion.status: the version's current status
    assert listed("status", "DEPRECATED") == []
    # productCodes are Marketplace components' billing codes: the caller's own have none.
    assert listed("productCodes", "prod-abc") == []


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        ("- just\n- a list\n", "it must be a YAML mapping"),
        ("phases: []\n", "'schemaVersion' is required"),
        ("schemaVersion: 2.0\nphases: []\n", "'schemaVersion' must be 1.0"),
        ("schemaVersion: 1.0\n", "'phases' must list at least one phase"),
        ("schemaVersion: 1.0\nphases:\n  - name: deploy\n    steps: []\n", "phase name 'deploy' is not one of"),
        ("schemaVersion: 1.0\nphases:\n  - name: build\n", "phase 'build' must list at least one step"),
        (
            "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - action: Reboot\n",
            "step 1 of phase 'build' has no 'name'",
        ),
        (
            "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n",
            "step 'A' of phase 'build' has no 'action'",
        ),
        (
            "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: Reboot\n"
            "      - name: A\n        action: Reboot\n",
            "more than one step named 'A'",
        ),
        ("schemaVersion: 1.0\nphases:\n\t- name: build\n", "tabs are not allowed"),
        # JSON within the model's 16,000 characters that nests past Python's stack (it once answered 500).
        ("[" * 7999 + "]" * 7999, "nested too deeply"),
        # Text that is not YAML at all (PyYAML: ParserError, ScannerError).
        ("{", "it is not valid YAML (line 1: the document ends inside a flow collection)"),
        (
            "schemaVersion: 1.0\nphases: [\n",
            "it is not valid YAML (line 2: the document ends inside a flow collection)",
        ),
        ('schemaVersion: 1.0\nphases: ["build"\n', "it is not valid YAML"),
        ('schemaVersion: "1.0\n', "it is not valid YAML (line 1: a quoted scalar that is never closed)"),
        ("schemaVersion: 1.0\nphases: [] x\n", "it is not valid YAML (line 2: unexpected 'x' after a value)"),
    ],
)
def test_an_invalid_document_is_refused_and_nothing_is_made(
    fake: Any, client: Any, expect_error: Any, document: str, detail: str
):
    with pytest.raises(client.exceptions.InvalidRequestException) as caught:
        _create(client, data=document)

    expect_error(caught.value, "InvalidRequestException", 400)
    assert detail in caught.value.response["Error"]["Message"]
    assert client.list_components()["componentVersionList"] == []
    assert _create(client).endswith("/hello/1.0.0/1")  # the refused call used no build number


@pytest.mark.parametrize("sources", [{}, {"data": DOCUMENT, "uri": "s3://bucket/hello.yaml"}])
def test_data_or_uri_exactly_one(client: Any, expect_error: Any, sources: dict[str, str]):
    with pytest.raises(ClientError) as caught:
        client.create_component(name="hello", semanticVersion="1.0.0", platform="Linux", **sources)

    expect_error(caught.value, "InvalidParameterCombinationException", 400)
    by_uri = client.create_component(
        name="hello", semanticVersion="1.0.0", platform="Linux", uri="s3://bucket/hello.yaml"
    )
    assert "data" not in client.get_component(componentBuildVersionArn=by_uri["componentBuildVersionArn"])["component"]


def test_a_component_a_recipe_uses_cannot_be_deleted(client: Any, expect_error: Any):
    first = _create(client, version="1.0.0")
    pinned = _create(client, name="pinned")
    recipe = client.create_image_recipe(
        name="web",
        semanticVersion="1.0.0",
        parentImage=PARENT,
        components=[{"componentArn": f"{PREFIX}:component/hello/x.x.x"}, {"componentArn": pinned}],
    )["imageRecipeArn"]
    newer = _create(client, version="2.0.0")

    client.delete_component(componentBuildVersionArn=first)  # x.x.x selects 2.0.0 now
    for used in (newer, pinned):
        with pytest.raises(client.exceptions.ResourceDependencyException) as caught:
            client.delete_component(componentBuildVersionArn=used)
        expect_error(caught.value, "ResourceDependencyException", 400)
        assert caught.value.response["Error"]["Message"] == (
            f"Resource dependency error: The resource ARN '{used}' has other resources depended on it."
        )
    client.delete_image_recipe(imageRecipeArn=recipe)
    client.delete_component(componentBuildVersionArn=newer)
    with pytest.raises(ClientError) as gone:
        client.get_component(componentBuildVersionArn=newer)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _imported_step(client: Any, script: str, **fields: str) -> dict[str, Any]:
    """The one step of the document ImportComponent made of ``script``, read with PyYAML and the fake alike."""
    sent = {"name": "script", "semanticVersion": "1.0.0", "type": "BUILD", "platform": "Linux", **fields}
    arn = client.import_component(format="SHELL", data=script, **sent)["componentBuildVersionArn"]
    data = client.get_component(componentBuildVersionArn=arn)["component"]["data"]
    document = yaml.safe_load(data)
    assert read_yaml(data)["phases"] == document["phases"]  # the fake's own reader reads it alike
    [phase] = document["phases"]
    [step] = phase["steps"]
    return {"phase": phase["name"], **step}


def test_import_component_makes_a_document_of_the_script(client: Any):
    arn = client.import_component(
        name="script", semanticVersion="1.0.0", type="TEST", format="SHELL", platform="Linux", data="echo one\necho two"
    )["componentBuildVersionArn"]

    component = client.get_component(componentBuildVersionArn=arn)["component"]
    assert component["type"] == "TEST"
    assert _imported_step(client, "echo one\necho two", type="TEST") == {
        "phase": "test",
        "name": "ImportedScript",
        "action": "ExecuteBash",
        "inputs": {"commands": ["echo one\necho two"]},
    }
    assert _imported_step(client, "Write-Host hi", platform="Windows")["action"] == "ExecutePowerShell"


@pytest.mark.parametrize(
    "script",
    [
        'echo "a            b"\n',  # twelve spaces, the document's own indentation
        "if true; then\n            echo deep\nfi\n",
        "  echo first\necho second\n",  # a first line indented
        "\techo tab\n\tdone",
        "echo no final newline",
        "echo two final newlines\n\n",
        "\n\necho after empty lines\n",
        "echo one\n\necho after an empty line\n",
        "echo trailing spaces   \n   \n",
        "key: value\n- item\n|\n> folded\n{a: b}\n",  # lines that look like YAML
        "# a comment line\necho '#not a comment'\n",
        "echo a\n---\necho b\n...\n",  # document markers
        "echo one\r\necho two\r\n",  # CRLF
        "echo caf\u00e9 \u2603 \U0001f600\n",
        "echo nel\x85 ls\u2028 bom\ufeff del\x7f nul\x00\n",  # what YAML refuses raw or reads as line breaks
        "\n",
        " ",
    ],
)
def test_an_imported_script_is_run_unchanged(client: Any, script: str):
    step = _imported_step(client, script)

    assert step["inputs"] == {"commands": [script]}


@pytest.mark.parametrize("name", ["true", "100", "- a"])  # names ResourceName admits that YAML reads otherwise
def test_an_imported_component_document_names_it_as_sent(client: Any, name: str):
    arn = client.import_component(
        name=name, semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux", data="echo hi"
    )["componentBuildVersionArn"]

    assert yaml.safe_load(client.get_component(componentBuildVersionArn=arn)["component"]["data"])["name"] == name


_DATA = service_model().operation_model("ImportComponent").input_shape.members["data"].metadata
# Any text the model's data member accepts (cut to its length; no lone surrogates, which are not Unicode text and
# the wire refuses), with what YAML treats specially mixed in often.
_SPECIAL = [" ", "  ", "\t", "\n", "\r\n", "\r", "\x85", "\u2028", "\ufeff", "#", "- ", ": ", "|", "---"]
_SCRIPTS = (
    st.lists(
        st.characters(exclude_categories=["Cs"]) | st.sampled_from(_SPECIAL),
        min_size=_DATA["min"],
        max_size=_DATA["max"],
    )
    .map("".join)
    .map(lambda text: text[: _DATA["max"]])
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=_SCRIPTS)
def test_any_script_the_model_accepts_imports_as_a_document_that_runs_it(client: Any, script: str):
    assert _imported_step(client, script)["inputs"] == {"commands": [script]}


def test_aws_managed_components_resolve_and_list_under_amazon(fake: Any, client: Any, expect_error: Any):
    managed = client.get_component(
        componentBuildVersionArn="arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
    )["component"]

    assert managed["owner"] == "Amazon" and managed["platform"] == "Linux"
    assert managed["arn"].startswith("arn:aws:imagebuilder:us-east-1:aws:component/update-linux/")
    assert read_yaml(managed["data"])["phases"][0]["name"] == "build"
    listed = client.list_components(owner="Amazon", filters=[{"name": "platform", "values": ["Windows"]}])
    names = {c["name"] for c in listed["componentVersionList"]}
    assert {"update-windows", "reboot-test-windows"} <= names
    assert all(c["owner"] == "Amazon" for c in listed["componentVersionList"])
    assert client.list_components()["componentVersionList"] == []  # not the caller's own
    with pytest.raises(ClientError) as caught:
        client.delete_component(componentBuildVersionArn=managed["arn"])
    expect_error(caught.value, "ForbiddenException", 403)
    west = fake.client("us-west-2").get_component(
        componentBuildVersionArn="arn:aws:imagebuilder:us-west-2:aws:component/update-linux/x.x.x"
    )
    assert ":us-west-2:aws:" in west["component"]["arn"]


def test_pages_of_components_neither_skip_nor_repeat(client: Any):
    arns = [_create(client, name=f"comp{i}") for i in range(5)]
    first = client.list_components(maxResults=2)
    client.delete_component(componentBuildVersionArn=arns[0])
    _create(client, name="comp1")  # a new build of a listed version keeps that version's place

    rest = client.list_components(maxResults=10, nextToken=first["nextToken"])

    shown = [c["name"] for c in first["componentVersionList"] + rest["componentVersionList"]]
    assert shown == ["comp0", "comp1", "comp2", "comp3", "comp4"]


# -- the YAML reader -------------------------------------------------------------


def test_the_reader_reads_json_and_block_yaml_alike():
    assert read_yaml('{"a": [1, "b"]}') == {"a": ["1", "b"]}  # numbers stay their text, as in YAML
    assert read_yaml("a:\n- 1\n- 'it''s'\nb: {x: y}\nc: >-\n  folded\n  text\n") == {
        "a": ["1", "it's"],
        "b": {"x": "y"},
        "c": "folded text",
    }
    assert read_yaml("key: value # comment\nother: 'a # not a comment'\n") == {
        "key": "value",
        "other": "a # not a comment",
    }


@pytest.mark.parametrize("text", ["a: &anchor 1\nb: *anchor\n", "a: !tag x\n", "a: one\n  two\n"])
def test_yaml_beyond_the_subset_is_unsupported_not_an_error(text: str):
    with pytest.raises(Unsupported):
        read_yaml(text)


def _parameters(client: Any, data: str) -> Any:
    return client.get_component(componentBuildVersionArn=_create(client, data=data))["component"].get("parameters")


def test_the_same_document_in_block_flow_or_json_makes_the_same_component(client: Any):
    # The commands as a flow list whose quoted items hold braces and escapes, as a JSON-minded writer puts them.
    flow = DOCUMENT[: DOCUMENT.index("          commands:")]
    flow += '          commands: ["echo \\"{{ Greeting }}\\"", "cat <<EOF\\n  indented\\nEOF\\n"]\n'
    as_json = json.dumps(yaml.safe_load(DOCUMENT))
    assert yaml.safe_load(flow) == yaml.safe_load(as_json) == yaml.safe_load(DOCUMENT)
    greeting = {"name": "Greeting", "type": "String", "defaultValue": ["hello"], "description": "what to say"}

    shown = [_parameters(client, data) for data in (DOCUMENT, flow, as_json)]

    assert shown == [[greeting]] * 3


def test_a_parameter_default_keeps_its_block_indentation_and_unicode_spaces(client: Any):
    data = (
        "schemaVersion: 1.0\nparameters:\n"
        "  - Script:\n      type: string\n      default: |2-\n          indented\n        then not\n"
        "  - Folded:\n      type: string\n      default: >1+\n        one\n       two\n\n"
        "  - Spaced:\n      type: string\n      default: no\u00a0break\u00a0\n"
        "  - Ems:\n      type: string\n      default: |\n        \u2003\n        x\u2003\n"
        "phases:\n  - name: build\n    steps:\n      - name: A\n        action: Reboot\n"
    )

    defaults = {p["name"]: p["defaultValue"] for p in _parameters(client, data)}

    assert defaults == {
        "Script": ["  indented\nthen not"],
        "Folded": [" one\ntwo\n\n"],
        "Spaced": ["no\u00a0break\u00a0"],
        "Ems": ["\u2003\nx\u2003\n"],
    }
    assert defaults == {
        name: [p[name]["default"]] for p in yaml.safe_load(data)["parameters"] for name in p
    }  # as any YAML parser reads it


def test_an_unsupported_document_is_accepted_unchecked(client: Any):
    arn = _create(client, data="schemaVersion: &v 1.0\nphases: *v\n")
    assert client.get_component(componentBuildVersionArn=arn)["component"]["type"] == "BUILD"


def test_duplicate_keys_are_an_error():
    with pytest.raises(DocumentError):
        read_yaml("a: 1\na: 2\n")


@pytest.mark.parametrize("version", ["1.0.0", "1.0.0/1", "2.x.x"])
def test_a_recipe_naming_a_component_that_does_not_exist_is_refused(client: Any, expect_error: Any, version: str):
    _create(client, version="1.0.0")
    # 1.0.0 exists but not in this name; 2.x.x selects nothing of "hello"; AWS's own unknown name neither.
    missing = [f"{PREFIX}:component/absent/{version}", f"{PREFIX}:component/hello/2.x.x"]
    missing.append("arn:aws:imagebuilder:us-east-1:aws:component/no-such-aws-component/x.x.x")
    for arn in missing:
        for create, extra in (
            (client.create_image_recipe, {"parentImage": PARENT}),
            (
                client.create_container_recipe,
                {
                    "containerType": "DOCKER",
                    "parentImage": "amazonlinux:latest",
                    "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}",
                    "targetRepository": {"service": "ECR", "repositoryName": "web"},
                },
            ),
        ):
            with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
                create(name="web", semanticVersion="1.0.0", components=[{"componentArn": arn}], **extra)
            expect_error(caught.value, "ResourceNotFoundException", 404)
            assert arn in caught.value.response["Error"]["Message"]
    assert client.list_image_recipes()["imageRecipeSummaryList"] == []
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []
    # What exists is taken: by exact build, by version, by wildcard; another account's (shared) as given.
    for arn in (f"{PREFIX}:component/hello/1.0.0/1", f"{PREFIX}:component/hello/1.x.x"):
        client.create_image_recipe(
            name=f"web-{len(arn)}", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": arn}]
        )
    shared = "arn:aws:imagebuilder:us-east-1:111122223333:component/theirs/1.0.0/1"
    client.create_image_recipe(
        name="shared", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": shared}]
    )


@pytest.mark.parametrize(
    "fake",
    [
        {"missing_reference_error": "InvalidRequestException"},
        {"missing_reference_error": "InvalidParameterValueException"},
    ],
    indirect=True,
)
def test_the_missing_reference_error_is_switchable_to_aws_s_parameter_wording(
    fake: Any, client: Any, make_stack: Any, expect_error: Any
):
    code = fake.settings.missing_reference_error
    component = f"{PREFIX}:component/absent/1.0.0"
    with pytest.raises(ClientError) as caught:
        client.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": component}]
        )
    expect_error(caught.value, code, 400)
    assert caught.value.response["Error"]["Message"] == (
        f"The value supplied for parameter 'components' is not valid. The resource '{component}' does not exist."
    )
    stack = make_stack()
    workflow = f"{PREFIX}:workflow/build/absent/x.x.x"
    with pytest.raises(ClientError) as caught:
        client.create_image(
            imageRecipeArn=stack.recipe_arn,
            infrastructureConfigurationArn=stack.infrastructure_arn,
            workflows=[{"workflowArn": workflow}],
        )
    expect_error(caught.value, code, 400)
    assert "parameter 'workflows' is not valid" in caught.value.response["Error"]["Message"]
    fake.configure(missing_reference_error="ResourceNotFoundException")
    with pytest.raises(ClientError) as caught:
        client.create_image_recipe(
            name="web", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": component}]
        )
    expect_error(caught.value, "ResourceNotFoundException", 404)


def test_the_missing_reference_error_knob_takes_only_its_codes():
    with pytest.raises(ValueError, match="missing_reference_error must be one of"):
        FakeImageBuilder(missing_reference_error="ForbiddenException")
    fake = FakeImageBuilder()
    with pytest.raises(ValueError, match="missing_reference_error must be one of"):
        fake.configure(missing_reference_error="NotACode")
    assert fake.settings.missing_reference_error == "ResourceNotFoundException"


@pytest.mark.parametrize("version", ["9.9.9", "9.9.9/1", "x.x.x"])
def test_a_recipe_whose_own_parent_image_does_not_exist_is_refused_like_a_missing_component(
    client: Any, expect_error: Any, version: str
):
    parent = f"{PREFIX}:image/never-built/{version}"
    for create, extra in (
        (client.create_image_recipe, {}),
        (
            client.create_container_recipe,
            {
                "containerType": "DOCKER",
                "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}",
                "targetRepository": {"service": "ECR", "repositoryName": "web"},
            },
        ),
    ):
        with pytest.raises(ClientError) as caught:
            create(name="web", semanticVersion="1.0.0", parentImage=parent, components=COMPONENTS, **extra)
        expect_error(caught.value, "ResourceNotFoundException", 404)
        assert parent in caught.value.response["Error"]["Message"]
    assert client.list_image_recipes()["imageRecipeSummaryList"] == []


def test_a_recipe_may_build_on_an_image_of_the_caller_s_own(fake: Any, client: Any, make_stack: Any):
    stack = make_stack()
    built = client.start_image_pipeline_execution(imagePipelineArn=stack.pipeline_arn)["imageBuildVersionArn"]
    fake.advance(4 * 3600)
    for parent in (built, built.rsplit("/", 1)[0], built.rsplit("/", 2)[0] + "/x.x.x"):
        name = f"child-{len(client.list_image_recipes()['imageRecipeSummaryList'])}"
        client.create_image_recipe(name=name, semanticVersion="1.0.0", parentImage=parent, components=COMPONENTS)
    assert len(client.list_image_recipes()["imageRecipeSummaryList"]) == 4


_CONTAINER_FIELDS = {
    "containerType": "DOCKER",
    "dockerfileTemplateData": "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}",
    "targetRepository": {"service": "ECR", "repositoryName": "web"},
}


def _refused_parent(caught: Any, parent: str, expect_error: Any) -> None:
    expect_error(caught.value, "InvalidRequestException", 400)
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("The value supplied for parameter 'parentImage' is not valid. ")
    assert parent in message


def test_a_parent_image_arn_must_name_an_image(client: Any, make_stack: Any, expect_error: Any):
    stack = make_stack()
    component = client.create_component(name="hello", semanticVersion="1.0.0", platform="Linux", data=DOCUMENT)
    not_images = (
        component["componentBuildVersionArn"],
        stack.recipe_arn,
        stack.pipeline_arn,
        stack.infrastructure_arn,
        "arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0",
        "arn:",
    )
    recipe = {"semanticVersion": "1.0.0", "components": COMPONENTS}
    for index, parent in enumerate(not_images):
        for create, extra in ((client.create_image_recipe, {}), (client.create_container_recipe, _CONTAINER_FIELDS)):
            # The parentImage docs list the forms: an AMI ID, an Image Builder image ARN, ssm:<parameter>, a
            # Marketplace product ID (image recipes); an Image Builder image ARN or a container image URI.
            with pytest.raises(ClientError) as caught:
                create(name=f"child{index}", parentImage=parent, **recipe, **extra)
            _refused_parent(caught, parent, expect_error)
    assert [r["name"] for r in client.list_image_recipes()["imageRecipeSummaryList"]] == ["web"]
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []
    for index, parent in enumerate(("ami-0123456789abcdef0", "ssm:/aws/service/ami-amazon-linux-latest/al2023")):
        client.create_image_recipe(name=f"other{index}", parentImage=parent, **recipe)


def test_a_recipe_builds_on_an_own_image_of_its_own_type(fake: Any, client: Any, make_stack: Any, expect_error: Any):
    stack = make_stack()
    recipe = {"semanticVersion": "1.0.0", "components": COMPONENTS}
    box = client.create_container_recipe(name="box", parentImage="amazonlinux:latest", **recipe, **_CONTAINER_FIELDS)
    ami = client.create_image(imageRecipeArn=stack.recipe_arn, infrastructureConfigurationArn=stack.infrastructure_arn)
    docker = client.create_image(
        containerRecipeArn=box["containerRecipeArn"], infrastructureConfigurationArn=stack.infrastructure_arn
    )
    ami, docker = ami["imageBuildVersionArn"], docker["imageBuildVersionArn"]
    fake.advance(4 * 3600)

    # An AMI recipe on a container image, or a container recipe (FROM its parent) on an AMI, is refused, through
    # the image's version and wildcard ARNs too.
    for parent, create, extra in (
        (docker, client.create_image_recipe, {}),
        (docker.rsplit("/", 2)[0] + "/x.x.x", client.create_image_recipe, {}),
        (ami, client.create_container_recipe, _CONTAINER_FIELDS),
        (ami.rsplit("/", 1)[0], client.create_container_recipe, _CONTAINER_FIELDS),
    ):
        with pytest.raises(ClientError) as caught:
            create(name="child", parentImage=parent, **recipe, **extra)
        _refused_parent(caught, parent, expect_error)

    client.create_image_recipe(name="child", parentImage=ami, **recipe)
    client.create_container_recipe(name="child", parentImage=docker, **recipe, **_CONTAINER_FIELDS)


def test_a_recipe_sets_only_parameters_its_component_defines(client: Any, expect_error: Any):
    hello = _create(client)  # DOCUMENT defines Greeting
    greeting = {"name": "Greeting", "value": ["hi"]}
    bucket = {"name": "S3BucketName", "value": ["bucket"]}
    defined = [{"componentArn": hello, "parameters": [greeting]}]
    client.create_image_recipe(name="defined", semanticVersion="1.0.0", parentImage=PARENT, components=defined)
    components = [*COMPONENTS, {"componentArn": hello, "parameters": [greeting, bucket]}]
    for create, extra in (
        (client.create_image_recipe, {"parentImage": PARENT}),
        (client.create_container_recipe, {**_CONTAINER_FIELDS, "parentImage": "amazonlinux:latest"}),
    ):
        with pytest.raises(ClientError) as caught:
            create(name="undefined", semanticVersion="1.0.0", components=components, **extra)
        # AWS's answer (CloudTrail in aws-ia/terraform-aws-ec2-image-builder#106), though neither model lists the code.
        expect_error(caught.value, "InvalidParameterCombinationException", 400)
        assert caught.value.response["Error"]["Message"] == (
            "The value supplied for parameter 'components[1].parameters' is not valid. The following parameters are "
            "not defined in the provided component: S3BucketName"
        )
    assert [r["name"] for r in client.list_image_recipes()["imageRecipeSummaryList"]] == ["defined"]
    assert client.list_container_recipes()["containerRecipeSummaryList"] == []

    # Components the fake cannot read are taken as given: a document beyond its reader, one in S3, AWS's own
    # (the fake's documents for them are stand-ins, not AWS's).
    unread = "schemaVersion: 1.0\nparameters: &p\n  - Greeting:\n      type: string\nphases: *p\n"
    with pytest.raises(Unsupported):
        read_yaml(unread)
    from_s3 = client.create_component(name="from-s3", semanticVersion="1.0.0", platform="Linux", uri="s3://b/c.yaml")
    unread_arn = _create(client, name="unread", data=unread)
    unchecked = (unread_arn, from_s3["componentBuildVersionArn"], COMPONENTS[0]["componentArn"])
    for index, arn in enumerate(unchecked):
        given = [{"componentArn": arn, "parameters": [bucket]}]
        client.create_image_recipe(name=f"given{index}", semanticVersion="1.0.0", parentImage=PARENT, components=given)
