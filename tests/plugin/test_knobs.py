"""The ``imagebuilder`` marker and the ``imagebuilder_*`` ini options reach the fake."""

from __future__ import annotations

import pytest


def test_marker_knobs(project: pytest.Pytester):
    project.makepyfile(
        """
        import os
        import pytest
        from pipelines import make_pipeline, status

        @pytest.mark.imagebuilder(account_id="111122223333", region="eu-central-1")
        def test_account_and_region(imagebuilder_client):
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
            assert imagebuilder_client.meta.region_name == "eu-central-1"
            assert make_pipeline(imagebuilder_client).startswith("arn:aws:imagebuilder:eu-central-1:111122223333:")

        @pytest.mark.imagebuilder(build_seconds=60)
        def test_build_seconds(imagebuilder_fake, imagebuilder_client):
            image = imagebuilder_client.start_image_pipeline_execution(
                imagePipelineArn=make_pipeline(imagebuilder_client))["imageBuildVersionArn"]
            imagebuilder_fake.advance(59)
            assert status(imagebuilder_client, image) == "INTEGRATING"
            imagebuilder_fake.advance(1)
            assert status(imagebuilder_client, image) == "AVAILABLE"

        @pytest.mark.imagebuilder(outcome="FAILED")
        def test_outcome(imagebuilder_fake, imagebuilder_client):
            image = imagebuilder_client.start_image_pipeline_execution(
                imagePipelineArn=make_pipeline(imagebuilder_client))["imageBuildVersionArn"]
            imagebuilder_fake.advance(24 * 3600)
            assert status(imagebuilder_client, image) == "FAILED"

        @pytest.mark.parametrize("code", [
            pytest.param(code, marks=pytest.mark.imagebuilder(disabled_pipeline_error=code))
            for code in (None, "ResourceInUseException")
        ])
        def test_disabled_pipeline_error(imagebuilder_client, code):
            arn = make_pipeline(imagebuilder_client)
            pipeline = imagebuilder_client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
            imagebuilder_client.update_image_pipeline(
                imagePipelineArn=arn, imageRecipeArn=pipeline["imageRecipeArn"],
                infrastructureConfigurationArn=pipeline["infrastructureConfigurationArn"], status="DISABLED")
            if code is None:
                imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            else:
                with pytest.raises(imagebuilder_client.exceptions.ResourceInUseException):
                    imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)

        def test_disabled_pipeline_error_default(imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            pipeline = imagebuilder_client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
            imagebuilder_client.update_image_pipeline(
                imagePipelineArn=arn, imageRecipeArn=pipeline["imageRecipeArn"],
                infrastructureConfigurationArn=pipeline["infrastructureConfigurationArn"], status="DISABLED")
            with pytest.raises(imagebuilder_client.exceptions.InvalidRequestException):
                imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)

        @pytest.mark.imagebuilder(max_concurrent_builds=1)
        def test_max_concurrent_builds(imagebuilder_fake, imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            with pytest.raises(imagebuilder_client.exceptions.ResourceInUseException):
                imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            imagebuilder_fake.advance(24 * 3600)
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)

        def test_unmarked_defaults(imagebuilder_fake, imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            assert arn.startswith("arn:aws:imagebuilder:us-east-1:123456789012:")
            image = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            imagebuilder_fake.advance(1000)
            assert status(imagebuilder_client, image) != "AVAILABLE"
            imagebuilder_fake.advance(1000)
            assert status(imagebuilder_client, image) == "AVAILABLE"
        """
    )

    project.runpytest("--strict-markers").assert_outcomes(passed=8)


def test_closest_marker_wins_per_knob(project: pytest.Pytester):
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline, status

        pytestmark = pytest.mark.imagebuilder(region="eu-west-1", build_seconds=10)

        @pytest.mark.imagebuilder(build_seconds=100)
        class TestNested:
            @pytest.mark.imagebuilder(outcome="FAILED")
            def test_merged(self, imagebuilder_fake, imagebuilder_client):
                assert imagebuilder_client.meta.region_name == "eu-west-1"   # module
                image = imagebuilder_client.start_image_pipeline_execution(
                    imagePipelineArn=make_pipeline(imagebuilder_client))["imageBuildVersionArn"]
                imagebuilder_fake.advance(20)
                assert status(imagebuilder_client, image) not in ("AVAILABLE", "FAILED")  # class: 100 s
                imagebuilder_fake.advance(80)
                assert status(imagebuilder_client, image) == "FAILED"   # function
        """
    )

    project.runpytest().assert_outcomes(passed=1)


def test_ini_options_set_the_defaults_and_the_marker_overrides_them(project: pytest.Pytester):
    project.makeini(
        """
        [pytest]
        imagebuilder_account_id = 444455556666
        imagebuilder_region = ap-southeast-2
        imagebuilder_build_seconds = 30
        imagebuilder_outcome = FAILED
        imagebuilder_disabled_pipeline_error = none
        imagebuilder_max_concurrent_builds = 2
        """
    )
    project.makepyfile(
        """
        import pytest
        from pipelines import make_pipeline, status

        def test_ini(imagebuilder_fake, imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            assert arn.startswith("arn:aws:imagebuilder:ap-southeast-2:444455556666:")
            pipeline = imagebuilder_client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
            imagebuilder_client.update_image_pipeline(
                imagePipelineArn=arn, imageRecipeArn=pipeline["imageRecipeArn"],
                infrastructureConfigurationArn=pipeline["infrastructureConfigurationArn"], status="DISABLED")
            first = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
            imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            with pytest.raises(imagebuilder_client.exceptions.ResourceInUseException):
                imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)
            imagebuilder_fake.advance(30)
            assert status(imagebuilder_client, first) == "FAILED"

        @pytest.mark.imagebuilder(region="us-west-2", outcome="AVAILABLE")
        def test_marker_over_ini(imagebuilder_fake, imagebuilder_client):
            arn = make_pipeline(imagebuilder_client)
            assert arn.startswith("arn:aws:imagebuilder:us-west-2:444455556666:")
            image = imagebuilder_client.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
            imagebuilder_fake.advance(30)
            assert status(imagebuilder_client, image) == "AVAILABLE"
        """
    )

    result = project.runpytest()

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["fakeimagebuilder *: account 444455556666, region ap-southeast-2"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("bogus=1", "*@pytest.mark.imagebuilder has no knob bogus; it takes: account_id, region, *"),
        ('"eu-west-1"', "*@pytest.mark.imagebuilder takes keywords only*"),
        ('account_id="42"', "*account_id must be a 12-digit string, not '42'*"),
        ('outcome="BROKEN"', "*outcome must be AVAILABLE or FAILED, not 'BROKEN'*"),
        ("build_seconds=-1", "*build_seconds must be a finite number >= 0, not -1*"),
        ('build_seconds=float("nan")', "*build_seconds must be a finite number >= 0, not nan*"),
        ('build_seconds=float("inf")', "*build_seconds must be a finite number >= 0, not inf*"),
        ('disabled_pipeline_error="Nope"', "*disabled_pipeline_error must be None or one of *, not 'Nope'*"),
        ("max_concurrent_builds=0", "*max_concurrent_builds must be None or an int >= 1, not 0*"),
        ('allow_unknown_regions="yes"', "*allow_unknown_regions must be True or False, not 'yes'*"),
        ('region="us-east-one"', "*region 'us-east-one' is not in the installed botocore's endpoint data*"),
    ],
)
def test_bad_marker_is_a_clear_error(pytester: pytest.Pytester, marker: str, message: str):
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.imagebuilder({marker})
        def test_marked(imagebuilder_fake):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])
    # A usage error, not a stack trace through the plugin, nor the knob's ValueError shown as its context.
    assert "pytest_plugin.py" not in result.stdout.str()
    assert "During handling of the above exception" not in result.stdout.str()


def test_a_nan_build_on_the_server_fixture_is_a_clear_error(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.imagebuilder(build_seconds=float("nan"))
        def test_marked(imagebuilder_server):
            pass
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*build_seconds must be a finite number >= 0, not nan*"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("max_concurrent_builds = lots", "invalid literal for int()*"),
        ("build_seconds = nan", "build_seconds must be a finite number >= 0, not nan*"),
        ("build_seconds = inf", "build_seconds must be a finite number >= 0, not inf*"),
        ("outcome = DONE", "*"),
        ("region = us-east-one", "region 'us-east-one' is not in the installed botocore's endpoint data*"),
        ("allow_unknown_regions = sometimes", "allow_unknown_regions must be true or false, not 'sometimes'"),
        ("auto_version_first = 2", "auto_version_first must be 0 or 1, not 2"),
        ("auto_version_first = one", "invalid literal for int()*"),
        ("missing_component_policy = none", "missing_component_policy must be one of *, not 'none'"),
    ],
)
def test_bad_ini_option_is_a_usage_error_naming_it(pytester: pytest.Pytester, option: str, message: str):
    pytester.makeini(
        f"""
        [pytest]
        imagebuilder_{option}
        """
    )
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    name, value = (part.strip() for part in option.split("="))
    result.stderr.fnmatch_lines([f"ERROR: ini option imagebuilder_{name} = {value!r}: {message}"])


def test_missing_reference_error_from_ini_and_marker(project: pytest.Pytester):
    project.makeini(
        """
        [pytest]
        imagebuilder_missing_reference_error = InvalidRequestException
        """
    )
    project.makepyfile(
        """
        import pytest

        PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
        ABSENT = [{"componentArn": "arn:aws:imagebuilder:us-east-1:123456789012:component/absent/1.0.0"}]

        def refused(client):
            with pytest.raises(client.exceptions.ClientError) as caught:
                client.create_image_recipe(name="web", semanticVersion="1.0.0", parentImage=PARENT, components=ABSENT)
            return caught.value.response["Error"]["Code"]

        def test_ini(imagebuilder_client):
            assert refused(imagebuilder_client) == "InvalidRequestException"

        @pytest.mark.imagebuilder(missing_reference_error="ResourceNotFoundException")
        def test_marker(imagebuilder_client):
            assert refused(imagebuilder_client) == "ResourceNotFoundException"
        """
    )

    project.runpytest("--strict-markers").assert_outcomes(passed=2)


def test_auto_version_first_and_missing_component_policy_from_ini_and_marker(project: pytest.Pytester):
    project.makeini(
        """
        [pytest]
        imagebuilder_auto_version_first = 1
        imagebuilder_missing_component_policy = ResourceNotFoundException
        """
    )
    project.makepyfile(
        """
        import pytest

        DOCUMENT = "\\n".join([
            "name: hello", "schemaVersion: 1.0", "phases:", "  - name: build", "    steps:", "      - name: Hello",
            "        action: ExecuteBash", "        inputs:", "          commands: [echo hello]",
        ])

        def policy(client):
            arn = client.create_component(
                name="hello", semanticVersion="1.0.0", platform="Linux", data=DOCUMENT
            )["componentBuildVersionArn"]
            try:
                return client.get_component_policy(componentArn=arn)["policy"]
            except client.exceptions.ResourceNotFoundException:
                return "ResourceNotFoundException"

        def test_ini(imagebuilder_fake, imagebuilder_client):
            assert imagebuilder_fake.settings.auto_version_first == 1
            assert policy(imagebuilder_client) == "ResourceNotFoundException"

        @pytest.mark.imagebuilder(auto_version_first=0, missing_component_policy="{}")
        def test_marker(imagebuilder_fake, imagebuilder_client):
            assert imagebuilder_fake.settings.auto_version_first == 0
            assert policy(imagebuilder_client) == "{}"

        @pytest.mark.imagebuilder(auto_version_first=0, missing_component_policy="{}")
        def test_server(imagebuilder_server):
            settings = imagebuilder_server.fake.settings
            assert (settings.auto_version_first, settings.missing_component_policy) == (0, "{}")
        """
    )

    project.runpytest("--strict-markers").assert_outcomes(passed=3)


def test_allow_unknown_regions_from_marker_and_ini(project: pytest.Pytester):
    project.makeini(
        """
        [pytest]
        imagebuilder_allow_unknown_regions = true
        imagebuilder_region = xx-local-1
        """
    )
    project.makepyfile(
        """
        import boto3
        import pytest
        from botocore.config import Config
        from pipelines import make_pipeline

        ONCE = Config(retries={"total_max_attempts": 1})

        def test_ini(imagebuilder_client):
            assert make_pipeline(imagebuilder_client).startswith("arn:aws:imagebuilder:xx-local-1:")

        @pytest.mark.imagebuilder(region="us-east-1", allow_unknown_regions=False)
        def test_marker_refuses_again(imagebuilder_fake):
            client = imagebuilder_fake.client(region="us-east-one", config=ONCE)
            with pytest.raises(client.exceptions.ClientError, match="InvalidSignatureException"):
                client.list_image_pipelines()

        @pytest.mark.imagebuilder(region="us-east-1", allow_unknown_regions=False)
        def test_server_refuses(imagebuilder_server):
            client = boto3.client(
                "imagebuilder", region_name="us-east-one", endpoint_url=str(imagebuilder_server), config=ONCE
            )
            with pytest.raises(client.exceptions.ClientError, match="InvalidSignatureException"):
                client.list_image_pipelines()

        def test_server_accepts(imagebuilder_server):
            client = boto3.client("imagebuilder", region_name="us-east-one", endpoint_url=str(imagebuilder_server))
            assert client.list_image_pipelines()["imagePipelineList"] == []
        """
    )

    project.runpytest("--strict-markers").assert_outcomes(passed=4)
