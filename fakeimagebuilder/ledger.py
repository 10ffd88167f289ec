"""The behaviour ledger: every behaviour the fake commits to, where it comes from, and what checks it.

Provenance is ``confirmed`` (an AWS-authored source says so: the API reference,
the user guide, the aws-cli examples, AWS's CloudFormation resource providers,
the botocore model), ``likely`` (a third-party observation of real AWS:
Terraform, Pulumi, issue threads quoting real responses) or ``assumed`` (a
choice where AWS is silent; the source says why it was chosen). Each
row names the test that checks it; a live contract run reports which rows AWS
confirmed. README's "Known and assumed behaviour" table is rendered from
this data (``python -m fakeimagebuilder ledger``) and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LEDGER", "Behaviour", "by_id", "counts", "differences_markdown", "markdown_table", "with_readme_blocks"]

Provenance = Literal["confirmed", "likely", "assumed"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One committed behaviour: ``id``, what it says, provenance, source, and the checking test."""

    id: str
    behaviour: str
    provenance: Provenance
    source: str
    test: str


# Sources cited by more than one row.
_CLI = "aws/aws-cli awscli/examples/imagebuilder/"
_CFN = "aws-cloudformation/aws-cloudformation-resource-providers-imagebuilder "
_CFN_IMAGE_DELETE = _CFN + "image/src/main/java/software/amazon/imagebuilder/image/DeleteHandler.java"
_API = "https://docs.aws.amazon.com/imagebuilder/latest/APIReference/"
_REAL_RUN = "iainelder/backups image-builder/README.md (real responses, 2023)"
_EVENTS_GUIDE = "https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html"
_LIFECYCLE_GUIDE = "https://docs.aws.amazon.com/imagebuilder/latest/userguide/lifecycle-policy-execution.html"
# The botocore service model: the contract the fake is driven by, and its documentation of each member.
_MODEL = "boto/botocore botocore/data/imagebuilder/2019-12-02/service-2.json"

LEDGER: tuple[Behaviour, ...] = (
    Behaviour(
        "start-answer",
        "StartImagePipelineExecution answers 200 with requestId, the clientToken sent, and imageBuildVersionArn.",
        "confirmed",
        f"botocore model; {_CLI}start-image-pipeline-execution.rst",
        "tests/test_start.py::test_start_answers_token_and_build_arn",
    ),
    Behaviour(
        "request-id",
        "Every response carries a UUID x-amzn-RequestId, equal to the body's requestId where the shape has one.",
        "likely",
        f"{_REAL_RUN} (UUID requestIds); the header: rest-json convention (botocore reads RequestId from it)",
        "tests/test_wire.py::test_request_id_header_equals_body",
    ),
    Behaviour(
        "error-wire-shape",
        'Errors: the modeled HTTP status, x-amzn-ErrorType: <Code>, JSON body {"message": ...} (lowercase key).',
        "likely",
        "botocore parsers.py (message copied to e.response['message'] only from 'message')",
        "tests/test_start_errors.py::test_each_modeled_error_reaches_boto3",
    ),
    Behaviour(
        "build-arn",
        "A build's ARN is image/<recipe name, normalised>/<recipe version>/<n>: the recipe's, not the pipeline's.",
        "confirmed",
        f"{_CLI}start-image-pipeline-execution.rst, get-image.rst",
        "tests/test_lifecycle.py::test_build_arn_uses_recipe_name_and_version",
    ),
    Behaviour(
        "name-normalisation",
        "Names are lower-cased, spaces and underscores turned to hyphens, in ARNs only; the name itself is kept.",
        "likely",
        f"lower-casing: {_CLI}get-image.rst (MyBasicRecipe -> mybasicrecipe), get-image-pipeline.rst; "
        "hyphens: aws/aws-cdk packages/@aws-cdk/aws-imagebuilder-alpha/lib/image-pipeline.ts, aws/aws-cdk#35882",
        "tests/test_lifecycle.py::test_names_are_normalised_only_in_arns",
    ),
    Behaviour(
        "build-numbers",
        "Build numbers count per (account, region, recipe, version), shared by pipelines, never reused.",
        "likely",
        f"model doc ('assigns the build number to the fourth node'); {_REAL_RUN} (a CloudFormation image /1, "
        "then a pipeline's /2 of the same recipe version); never reused: assumed",
        "tests/test_lifecycle.py::test_build_numbers_are_shared_and_never_reused",
    ),
    Behaviour(
        "lifecycle-order",
        "A build moves PENDING, CREATING, BUILDING, TESTING, DISTRIBUTING, INTEGRATING, then AVAILABLE.",
        "likely",
        f"{_API}API_ImageState.html ('moves through build, test, and distribution statuses'); "
        "hashicorp/terraform-provider-aws internal/service/imagebuilder (waitImageStatusAvailable pending list)",
        "tests/test_lifecycle.py::test_statuses_follow_the_lifecycle_order",
    ),
    Behaviour(
        "testing-skipped",
        "TESTING is skipped when the pipeline's imageTestsEnabled is false.",
        "assumed",
        "chosen because the test workflow is a run of its own (aws-cli list-workflow-executions.rst) that tests "
        "off leaves out; whether AWS still shows TESTING is not documented",
        "tests/test_lifecycle.py::test_testing_is_skipped_when_tests_are_off",
    ),
    Behaviour(
        "failed-reason",
        "A failed build ends FAILED with state.reason in AWS's workflow wording: \"Workflow Execution ID: "
        "'wf-...' failed with reason: Document <component build version ARN> failed!\" (the build version the "
        "recipe's first component ran as: row failure-component-build-version; BuildPlan.failure_reason "
        "switches it), when a workflow step failed.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-failure-context.html (the ids are the "
        "failed workflow execution's)",
        "tests/test_lifecycle.py::test_failed_build_has_a_default_reason",
    ),
    Behaviour(
        "failed-reason-outside-workflows",
        "A build failing where no workflow step failed (PENDING, CREATING, DISTRIBUTING, INTEGRATING) names no "
        "workflow execution: state.reason \"The image build failed while it was <STATUS>; no workflow step "
        "failed.\" (a plan's own failure_reason is kept, except for a fail_step the build does not run: "
        "fail-step-not-run).",
        "assumed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-failure-context.html shows AWS's wording "
        "only for a failed workflow step, naming that execution; outside one there is no execution to name, and "
        "the wording is the fake's",
        "tests/test_lifecycle.py::test_a_failure_outside_every_workflow_step_names_no_workflow_execution",
    ),
    Behaviour(
        "failure-context",
        "A failed build's state.failureContext names imageStatus and, failing while BUILDING or TESTING, the "
        "workflow execution, the AWS-managed workflow, failedStep and componentFailure; only the status when "
        "it failed in another status. Sent only where the installed model has the member (not botocore 1.43).",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-failure-context.html; "
        f"{_API}API_ImageFailureContext.html (the ids are those of the build's workflow executions)",
        "tests/test_documents.py::test_a_failed_build_names_its_workflow_and_component",
    ),
    Behaviour(
        "failure-component-build-version",
        "A failure's componentFailure.componentArn, and the component its state.reason names, is the component "
        "build version (.../component/<name>/<x.y.z>/<n>) the recipe's first component resolved to when the "
        "build started (the caller's own as they were then, AWS-managed ones from the catalogue), a retry "
        "included. A component shared from another account, whose builds the fake cannot know, leaves "
        "componentArn out (the reason names it as the recipe writes it); a recipe without components shows no "
        "componentFailure.",
        "confirmed",
        f"{_API}API_ComponentFailureContext.html ('The ARN of the component build version that failed', pattern "
        "ending /x.y.z/n; the model's ComponentBuildVersionArn); "
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-failure-context.html (the example's reason "
        "and componentArn both name component/my-example-component/1.0.0/1; 'Properties appear in the failure "
        "context when the related information is available'); which component fails is the fake's choice",
        "tests/test_documents.py::"
        "test_a_failure_names_the_component_build_version_the_build_resolved_when_it_started",
    ),
    Behaviour(
        "cancel",
        "CancelImageCreation ends a build in progress as CANCELLED.",
        "confirmed",
        f"{_CLI}cancel-image-creation.rst; {_CFN_IMAGE_DELETE} (cancels, then waits for CANCELLED)",
        "tests/test_lifecycle.py::test_cancel_ends_a_build_as_cancelled",
    ),
    Behaviour(
        "cancel-reason",
        "A cancelled build shows no state.reason and no failureContext.",
        "assumed",
        "no AWS source quotes a reason for CANCELLED ('Image creation is cancelled.' is CloudFormation's own "
        f"message: {_CFN}image/.../image/CreateHandler.java); no failureContext: user guide "
        "image-failure-context.html",
        "tests/test_documents.py::test_a_cancelled_build_has_neither_reason_nor_failure_context",
    ),
    Behaviour(
        "cancel-terminal",
        "Cancelling a build that has ended (AVAILABLE, FAILED or CANCELLED) answers InvalidParameterValueException "
        "(400), a code botocore does not list for the operation.",
        "confirmed",
        f"{_CFN_IMAGE_DELETE} (catches it when the image 'has been in terminal state')",
        "tests/test_lifecycle.py::test_cancel_of_a_finished_build_is_refused",
    ),
    Behaviour(
        "cancel-probe",
        "CancelImageCreation of a well-formed build ARN that does not exist answers ResourceNotFoundException "
        "(404), to a caller allowed to cancel; a caller without the permission gets 403 first. The live run's "
        "up-front probe relies on it: any answer but 403 (AccessDenied) means the credentials may cancel.",
        "assumed",
        "IAM evaluates a request before the service looks the resource up (IAM user guide, 'Policy evaluation "
        "logic'); ResourceNotFoundException is not among the operation's modeled errors, so the code is a choice",
        "tests/contract_kit/test_kit_live_guard.py::test_the_cancel_probe_changes_nothing_and_tells_who_may_cancel",
    ),
    Behaviour(
        "build-type",
        "A started build has buildType USER_INITIATED.",
        "confirmed",
        f"model doc of BuildType; {_CLI}list-image-pipeline-images.rst",
        "tests/test_lifecycle.py::test_started_build_is_user_initiated",
    ),
    Behaviour(
        "last-run-status",
        "The pipeline's lastRunStatus follows its newest build; dateLastRun stays unset.",
        "confirmed",
        "model doc of ImagePipeline.lastRunStatus and dateLastRun ('no longer supported, and does not return a value')",
        "tests/test_lifecycle.py::test_last_run_status_follows_newest_build",
    ),
    Behaviour(
        "pipeline-date-updated",
        "A new pipeline shows dateUpdated, equal to its dateCreated; an update sets it anew.",
        "confirmed",
        f"{_CLI}get-image-pipeline.rst, list-image-pipelines.rst; {_REAL_RUN}",
        "tests/test_documents.py::test_a_new_pipeline_shows_date_updated_equal_to_date_created",
    ),
    Behaviour(
        "image-tags",
        "Tags given to the start land on the image, over the pipeline's imageTags.",
        "likely",
        "model doc of StartImagePipelineExecution.tags; the merge order is assumed (start's tags win, as the "
        "more specific)",
        "tests/test_lifecycle.py::test_start_tags_land_on_the_image",
    ),
    Behaviour(
        "image-tags-limit",
        "A start whose tags, merged over the pipeline's imageTags, would give the image more than 50 tags "
        "answers InvalidRequestException (400) before a build number is spent.",
        "assumed",
        "design choice: each map is within the model's 50 and AWS's per-resource limit is 50, so the image "
        "could not hold them; InvalidRequestException is modeled for the start (InvalidParameterValueException "
        "is not)",
        "tests/test_lifecycle.py::test_an_image_cannot_get_more_than_50_tags_from_pipeline_and_start",
    ),
    Behaviour(
        "aws-prefix-case",
        "Only the lower-case 'aws:' tag key prefix is refused; 'AWS:' and 'Aws:' keys are accepted.",
        "likely",
        "Image Builder's own model pattern ^(?!aws:) is case-sensitive; services that reserve every case say so "
        "in their pattern (EFS API_Tag: ^(?![aA]{1}[wW]{1}[sS]{1}:), "
        "https://docs.aws.amazon.com/efs/latest/ug/API_Tag.html)",
        "tests/test_wire.py::test_only_the_lower_case_aws_prefix_is_reserved",
    ),
    Behaviour(
        "image-version",
        "Image and ImageSummary version read 'x.y.z/n' (unlike the model's x.y.z pattern).",
        "confirmed",
        f"{_CLI}get-image.rst, list-image-pipeline-images.rst, list-image-build-versions.rst",
        "tests/test_lifecycle.py::test_image_version_includes_build_number",
    ),
    Behaviour(
        "build-versions-without-image-version",
        "ListImageBuildVersions without imageVersionArn (optional in models from botocore 1.43) lists every "
        "image build version of the caller's account and region, newest first, with the filters applied; "
        "where the installed model requires it, botocore refuses the call client-side.",
        "assumed",
        f"{_API}API_ListImageBuildVersions.html says imageVersionArn is 'Required: No' but not what is listed "
        "without it; all the caller's builds, as the operation's description ('Returns a list of image build "
        "versions') reads, is the choice",
        "tests/test_pages_and_versions.py::test_list_image_build_versions_without_an_image_version_follows_the_installed_model",
    ),
    Behaviour(
        "build-versions-without-version",
        "ListComponentBuildVersions and ListWorkflowBuildVersions without a version ARN (optional in every "
        "supported model) list every build of the caller's own components or workflows, newest first.",
        "confirmed",
        f"{_MODEL}; "
        "botocore 1.44 model docs of componentVersionArn ('If you don't specify an ARN, Image Builder returns "
        "build versions for the components that your account owns') and workflowVersionArn ('the response lists "
        "build versions for all of the workflows in your account'); the order is the fake's, as for one version",
        "tests/test_components.py::test_component_build_versions_without_a_version_list_every_build_of_the_caller_s",
    ),
    Behaviour(
        "component-build-versions-own",
        "ListComponentBuildVersions of an AWS-managed component version answers an empty list: only the caller's "
        "own component builds are listed.",
        "assumed",
        f"{_MODEL}; "
        "botocore 1.44 model doc of ListComponentBuildVersions ('You can only list build versions for components "
        "that your account owns') and of componentVersionArn (a version that selects nothing answers an empty "
        "list, not ResourceNotFoundException); what AWS answers for AWS's own is not documented: empty is the "
        "choice",
        "tests/test_managed_resources.py::test_a_managed_wildcard_selects_the_highest_of_several_versions",
    ),
    Behaviour(
        "workflow-build-versions-wildcard",
        "ListWorkflowBuildVersions with a wildcard version ARN (x.x.x, 1.x.x, 1.2.x: the input shape "
        "WorkflowWildcardVersionArn) lists the builds of every version the wildcard selects, newest first, for "
        "the caller's own and AWS-managed workflows; a number right of a wildcard is InvalidRequestException, as "
        "GetWorkflow answers.",
        "assumed",
        f"{_MODEL}; "
        "the botocore 1.44 model doc says the version segments 'can contain wildcards (x) to match multiple "
        "versions of the workflow' but not which builds are listed: every build of the matching versions, the "
        "set GetWorkflow picks its highest from, is the choice",
        "tests/test_workflows.py::test_a_wildcard_version_lists_the_builds_of_every_version_it_selects",
    ),
    Behaviour(
        "os-version",
        "An image that is AVAILABLE (the fake: any image past BUILDING) shows osVersion named from the parent "
        "image (amazon-linux-2023-* -> 'Amazon Linux 2023', ubuntu-server-20-* -> 'Ubuntu 20', ...), and so "
        "does its image version on ListImages, so the osVersion filters match; one still BUILDING shows none, "
        "nor does one of a pipeline with "
        "enhancedImageMetadataEnabled false, or of a parent the fake cannot name.",
        "confirmed",
        f"{_CLI}list-image-build-versions.rst (AVAILABLE: shown), list-image-pipeline-images.rst (BUILDING: "
        "none); names: aws/aws-cdk packages/@aws-cdk/aws-imagebuilder-alpha/lib/os-version.ts; "
        f"{_REAL_RUN} (Ubuntu 20); model doc of enhancedImageMetadataEnabled ('collects ... the operating "
        "system (OS) version'); from TESTING to INTEGRATING: assumed",
        "tests/test_documents.py::test_images_and_summaries_show_the_parent_images_os_version",
    ),
    Behaviour(
        "output-amis",
        "An AVAILABLE build's outputResources.amis[] holds region, image, name and accountId, nothing more.",
        "confirmed",
        f"{_CLI}list-image-build-versions.rst; {_REAL_RUN}",
        "tests/test_documents.py::test_output_ami_and_embedded_recipe_carry_what_aws_shows",
    ),
    Behaviour(
        "multi-region-amis",
        "An AVAILABLE AMI build outputs one AMI in its own region, then one in each other region its distribution "
        "configuration names, in that order (region, image, name from that region's amiDistributionConfiguration."
        "name, accountId): in GetImage and the lists, the SNS message, and each region's EC2 under moto.",
        "likely",
        "API reference Ami.region ('The Amazon Web Services Region of the Amazon EC2 AMI') and OutputResources.amis "
        "('The Amazon EC2 AMIs created by this image'); aws-cli create-distribution-configuration.rst (the example "
        "'Copies AMI to eu-west-1'); the build region first is the fake's choice",
        "tests/test_events.py::test_a_multi_region_distribution_outputs_one_ami_per_region",
    ),
    Behaviour(
        "target-account-amis",
        "Each region's amiDistributionConfiguration.targetAccountIds adds, after that region's AMI, one copy per "
        "target account (the build's own account named there adds none), listed with accountId the target "
        "account, registered in that account's EC2 under moto; lifecycle actions and launch templates act on the "
        "build account's AMIs only.",
        "assumed",
        "user guide manage-distribution-settings.html ('Create a copy of the output AMI for each of the specified "
        "target accounts ... in the destination Region. The target accounts ... own their AMI copies'); model "
        "doc of Ami.accountId ('The account ID of the owner of the AMI'); that the copies are listed among the "
        "image's outputResources, and their order, are the fake's (no response showing them was found)",
        "tests/test_events.py::test_each_target_account_owns_a_copy_of_the_ami_in_each_region",
    ),
    Behaviour(
        "ami-ids",
        "Output AMI ids (and the SNS message's internalId and job ids) are made up per produced build: from the "
        "fake, the build's launch number in it (which a reset does not restart) and the region, so a build made "
        "again under a freed ARN, or by another fake, gets AMIs of its own; stable across a --state-file restart, "
        "whatever path the file was copied or moved to (the file names its fake).",
        "assumed",
        "no source gives how AWS picks AMI ids; EC2 never reuses one (an AMI id names one image)",
        "tests/test_events.py::test_a_build_made_again_after_a_reset_or_by_another_fake_has_amis_and_ids_of_its_own",
    ),
    Behaviour(
        "workflow-execution-ids",
        "Workflow and step execution ids (wf-<uuid>, step-<uuid>; and the Workflow Step Waiting event's id) are "
        "made up per produced build as its AMI ids are (the fake, the build's launch number, then the ARN, "
        "attempt and position), so a build made again under a freed ARN has executions of its own and a step id "
        "from before a reset names nothing; stable across a --state-file restart, wherever the file went.",
        "assumed",
        "aws-cli get-workflow-execution.rst and list-waiting-workflow-steps.rst show the forms; no source gives "
        "how AWS makes them; an execution id names one run",
        "tests/test_workflow_executions.py::test_a_build_made_again_after_a_reset_has_workflow_and_step_ids_of_its_own",
    ),
    Behaviour(
        "ami-name",
        "The output AMI's name (GetImage and list outputResources.amis[].name, the SNS message, moto's EC2) is the "
        "distribution's amiDistributionConfiguration.name for the build's region with {{imagebuilder:buildDate}} "
        "(the build's dateCreated with '-' for ':') and {{imagebuilder:buildVersion}} (the build number) filled "
        "in, spaces inside the braces allowed, other text kept; without a name, '<recipe name> <that date>'.",
        "likely",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/tag-resources.html (the two variables: 'the "
        "build date/time at build time', 'the number at the end of the ARN'); the default and the date form from "
        f"{_REAL_RUN} ('Ubuntu-2004-with-latest-SSM-Agent 2023-05-17T21-17-23.099935Z'); the fake's date is the "
        "build's dateCreated (AWS's is a moment later, with microseconds)",
        "tests/test_events.py::test_the_ami_name_follows_the_distributions_name_template",
    ),
    Behaviour(
        "embedded-recipe",
        "GetImage's imageRecipe is the recipe without the owner and type that GetImageRecipe shows.",
        "confirmed",
        f"{_CLI}get-image.rst (2020 version), get-image-recipe.rst; {_REAL_RUN}",
        "tests/test_documents.py::test_output_ami_and_embedded_recipe_carry_what_aws_shows",
    ),
    Behaviour(
        "empty-tags",
        "An untagged resource shows tags {} (unlike the model's TagMap minimum of 1).",
        "confirmed",
        f"{_CLI}get-image.rst, get-image-pipeline.rst, list-image-pipeline-images.rst",
        "tests/test_operations.py::test_untagged_resources_show_empty_tags",
    ),
    Behaviour(
        "idempotent-replay",
        "The same clientToken with the same parameters returns the first answer and creates nothing.",
        "confirmed",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Run_Instance_Idempotency.html (linked from the model)",
        "tests/test_idempotency.py::test_replay_returns_the_same_build",
    ),
    Behaviour(
        "idempotent-mismatch",
        "The same clientToken with another imagePipelineArn or tags answers IdempotentParameterMismatchException.",
        "confirmed",
        "model doc of IdempotentParameterMismatchException",
        "tests/test_idempotency.py::test_mismatched_replay_is_refused",
    ),
    Behaviour(
        "idempotent-request-id",
        "A replay gets a fresh requestId; tokens are kept per account, region and operation; failures are not kept.",
        "assumed",
        "chosen because each call is a request of its own, and EC2's idempotency guide scopes tokens to an "
        "account and region; what AWS keeps of a failed call is not documented",
        "tests/test_idempotency.py::test_replay_has_a_fresh_request_id",
    ),
    Behaviour(
        "retries-one-build",
        "botocore's retries of an injected error reuse the token and make exactly one build: legacy retries "
        "(the default before botocore 1.44) retry 429/500/503; standard retries (the default from 1.44) retry "
        "500/503 but not the modeled 429 CallRateLimitExceededException.",
        "confirmed",
        "boto/botocore botocore/handlers.py generate_idempotent_uuid; botocore/data/_retry.json; "
        "botocore/retries/standard.py",
        "tests/test_idempotency.py::test_retries_after_injected_errors_make_one_build",
    ),
    Behaviour(
        "not-found",
        "Starting a pipeline that does not exist (or was deleted) answers ResourceNotFoundException (404).",
        "likely",
        "hashicorp/terraform-provider-aws internal/service/imagebuilder/errors.go; the code is what AWS's "
        f"handlers catch for the pipeline's other operations ({_CFN}image-pipeline/.../DeleteHandler.java)",
        "tests/test_start_errors.py::test_missing_or_deleted_pipeline_is_not_found",
    ),
    Behaviour(
        "disabled-pipeline",
        "Starting a DISABLED pipeline answers InvalidRequestException (400); switchable off.",
        "assumed",
        "chosen as the modeled code for a request the resource's state refuses; AWS only says DISABLED stops "
        "scheduled runs (switch: disabled_pipeline_error)",
        "tests/test_start_errors.py::test_disabled_pipeline_is_refused_unless_switched_off",
    ),
    Behaviour(
        "in-use",
        "A pipeline at its max_concurrent_builds answers ResourceInUseException (400) to a start, and to a "
        "RetryImage of one of its builds.",
        "assumed",
        f"{_MODEL}; "
        "chosen as the modeled code for a busy resource (StartImagePipelineExecution and RetryImage model it; knob "
        "max_concurrent_builds; default unlimited)",
        "tests/test_start_errors.py::test_busy_pipeline_is_in_use",
    ),
    Behaviour(
        "forbidden",
        "An ARN of another account, or a deny rule, answers ForbiddenException (403).",
        "assumed",
        "chosen as the modeled 403; what AWS answers for another account's ARN is not documented",
        "tests/test_start_errors.py::test_other_account_is_forbidden",
    ),
    Behaviour(
        "client-exception",
        "An ARN of another region or partition than the endpoint's answers ClientException (400).",
        "assumed",
        "chosen as the modeled code for a caller's mistake; not documented",
        "tests/test_start_errors.py::test_other_region_is_a_client_exception",
    ),
    Behaviour(
        "throttling",
        "A configured token bucket, when empty, answers CallRateLimitExceededException (429).",
        "confirmed",
        f"code and status: botocore model; {_API}API_StartImagePipelineExecution.html (the limits are not "
        "published: the bucket is the fake's)",
        "tests/test_start_errors.py::test_rate_limit_throttles",
    ),
    Behaviour(
        "injected-faults",
        "fail_next injects any modeled error into any operation, with its modeled status.",
        "confirmed",
        "statuses from the botocore model (injecting is the fake's)",
        "tests/test_start_errors.py::test_fail_next_injects_any_modeled_error",
    ),
    Behaviour(
        "validation-code",
        "Constraint violations botocore lets through answer InvalidParameterValueException (400), "
        "'The value supplied for parameter ... is not valid.'",
        "likely",
        "boto/boto3#2224, hashicorp/terraform-provider-aws#17409 (messages on other operations); AWS's "
        f"CloudFormation create handlers catch InvalidParameterException as well ({_CFN}image-recipe/.../"
        "CreateHandler.java)",
        "tests/test_wire.py::test_bad_start_input_is_rejected_without_a_build",
    ),
    Behaviour(
        "validation-tagging",
        "The tagging operations answer constraint violations with InvalidParameterException (what they model).",
        "assumed",
        "chosen because the tagging operations model InvalidParameterException, not InvalidParameterValueException",
        "tests/test_wire.py::test_tagging_validation_uses_its_modeled_code",
    ),
    Behaviour(
        "pattern-dialect",
        "Model patterns are matched as java.util.regex matches them, against the whole value: \\s is "
        "[ \\t\\n\\x0B\\f\\r] only, \\d [0-9], \\w [a-zA-Z0-9_], '.' stops at line terminators "
        "(translation: fakeimagebuilder/validation.py java_pattern).",
        "likely",
        "AWS's validation message 'Member must satisfy regular expression pattern: [\\w+=,.@-]+' refuses "
        "names with a space (whole-value match; e.g. https://viralsfire.com/post/failed-to-satisfy-constraint-"
        "member-must-satisfy-regular); AWS's services are Java; Smithy's own pattern trait is ECMA 262, which "
        "agrees on \\x1c-\\x1f and \\x85",
        "tests/test_validation.py::test_patterns_mean_what_they_mean_in_java",
    ),
    Behaviour(
        "not-unicode",
        "A string anywhere in the body (member, map key or value, any depth) holding a lone UTF-16 surrogate "
        "(a valid JSON escape such as \\ud800) answers the operation's validation error (400) before "
        "anything is applied.",
        "assumed",
        "design choice (such text is not Unicode, so it can be neither stored nor answered faithfully)",
        "tests/test_wire.py::test_text_that_is_not_unicode_is_refused_before_anything_is_applied",
    ),
    Behaviour(
        "malformed-body",
        "A body that is not JSON, not UTF-8, not an object, or has wrongly typed members answers "
        "SerializationException (400); a wrongly typed member wins over broken constraints elsewhere "
        "(the body is read before it is checked).",
        "assumed",
        "chosen as the AWS JSON protocols' code for an unreadable body; not observed on Image Builder",
        "tests/test_wire.py::test_malformed_bodies_are_serialization_errors",
    ),
    Behaviour(
        "integer-range",
        "A model integer member takes a 32-bit signed value, a long a 64-bit one, whatever range the model states "
        "(FastLaunchConfiguration.maxParallelLaunches states no max): a number outside answers "
        "SerializationException (400) naming the member, as a wrongly typed one does, and nothing is stored.",
        "likely",
        "Smithy 2.0 spec, Simple types (integer: 32-bit signed, long: 64-bit signed): "
        "https://smithy.io/2.0/spec/simple-types.html; smithy-lang/smithy smithy-aws-protocol-tests "
        "restJson1/malformedRequests/malformed-integer.smithy (RestJsonBodyIntegerUnderflowOverflow: 'Underflow "
        "or overflow should result in SerializationException'); a protocol test for Smithy servers, not Image "
        "Builder's own answer, so the code is likely",
        "tests/test_wire.py::test_an_integer_beyond_32_bits_is_refused_as_unreadable",
    ),
    Behaviour(
        "null-members",
        "A null member of a structure is an absent one, at any depth of the body (in a structure in a list too): "
        "it reaches neither the service nor an idempotency fingerprint, so a retry that leaves it out replays. A "
        "null item of a list or null value of a map is malformed: SerializationException (400).",
        "likely",
        "smithy-lang/smithy smithy-aws-protocol-tests: awsJson1_1/null.smithy (AwsJson11ServersDontDeserialize"
        "NullStructureValues, 'Null structure values are dropped'), restJson1/malformedRequests/malformed-list."
        "smithy and malformed-map.smithy (RestJsonBodyMalformedListNullItem, RestJsonBodyMalformedMapNullValue); "
        "AWS-authored, but the structure rule is stated for awsJson1_1, not restJson1",
        "tests/test_wire.py::test_nested_null_members_are_absent",
    ),
    Behaviour(
        "timestamp-input",
        "A timestamp member of any request (StartResourceStateUpdate's updateAt today) takes epoch seconds (a JSON "
        "number, or ASCII digits as text) or an ISO 8601 date-time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM] (no "
        "offset: UTC) from 1970-01-01 to 9999-12-31T23:59:59Z; anything else (a date alone, a week date, spaces, "
        "other digits) answers "
        "InvalidRequestException (400): \"The value '...' of updateAt is not a valid timestamp: ...\".",
        "assumed",
        "botocore serialize.py sends body timestamps as epoch seconds and query strings' as ISO 8601 "
        "date-times, and cannot parse a date past 9999 back; numeric text, the range, the code and the wording "
        "are the fake's",
        "tests/test_wire.py::test_a_timestamp_no_date_can_hold_is_refused_at_the_wire",
    ),
    Behaviour(
        "unknown-route",
        "An unknown path or wrong method answers UnknownOperationException (404) naming what is served.",
        "assumed",
        "chosen as the AWS JSON protocols' code for an unknown operation; not observed on Image Builder",
        "tests/test_wire.py::test_unknown_routes_are_4xx",
    ),
    Behaviour(
        "unknown-members",
        "Members the model does not have are ignored, at any depth: they reach neither the service nor an "
        "idempotency fingerprint (text in them that is not Unicode is still refused).",
        "assumed",
        "chosen so that clients with newer models keep working, as AWS JSON services do",
        "tests/test_wire.py::test_nested_members_the_model_does_not_know_are_ignored",
    ),
    Behaviour(
        "already-exists",
        "Creating a resource whose name (and version) exists answers ResourceAlreadyExistsException.",
        "confirmed",
        f"{_CFN}image-recipe/.../CreateHandler.java, image/.../CreateHandler.java (catch it); "
        "ministryofjustice/modernisation-platform-ami-builds#549",
        "tests/test_operations.py::test_duplicate_resources_already_exist",
    ),
    Behaviour(
        "dry-run",
        "dryRun true, on every operation whose installed model has the member (the eight Create operations of "
        "components, workflows, image and container recipes, infrastructure and distribution configurations, "
        "pipelines and lifecycle policies from botocore 1.44; none in 1.40.41's model, where the wire never reads "
        "it), answers DryRunOperationException (412) once the call's checks pass, and changes nothing: no "
        "resource, tag or build number.",
        "confirmed",
        f"{_MODEL}; "
        "botocore model doc of each Create's dryRun ('Validates the required permissions and request parameters "
        "without performing the operation. If validation succeeds, the operation returns a "
        "DryRunOperationException error response.') and of DryRunOperationException (412: 'no resources or "
        "mutations were actually performed')",
        "tests/test_dry_run.py::test_a_dry_run_answers_412_and_makes_nothing",
    ),
    Behaviour(
        "dry-run-validates",
        "A dry run whose parameters the real call refuses (a component or workflow document, a region, a "
        "lifecycle rule, a template given twice) answers that refusal, not 412; so does one the caller is denied "
        "(ForbiddenException).",
        "confirmed",
        f"{_MODEL}; "
        "botocore model doc of dryRun: it validates 'the required permissions and request parameters', and "
        "answers DryRunOperationException only 'if validation succeeds'",
        "tests/test_dry_run.py::test_a_dry_run_the_real_call_would_refuse_answers_the_refusal",
    ),
    Behaviour(
        "dry-run-state-checks",
        "A dry run also makes the real call's checks against what exists, in the real call's order: a taken name "
        "answers ResourceAlreadyExistsException, a missing reference its not-found answer; a component or "
        "workflow version that exists passes (the real call makes its next build) and spends no build number.",
        "assumed",
        f"{_MODEL}; "
        "the model's 'validates ... request parameters' does not say whether validation reads existing "
        "resources; chosen so that a dry run that passes means the real call would (the fake runs the real "
        "call on a copy of the state and drops it)",
        "tests/test_dry_run.py::test_a_dry_run_of_a_taken_name_answers_that_it_exists",
    ),
    Behaviour(
        "dry-run-token",
        "A dry run leaves no client token behind: the same token then makes the resource for real. With a token "
        "a real call already used, a dry run answers what that call's retry would: 412 for the same parameters, "
        "IdempotentParameterMismatchException for others. dryRun false is the request without it (the same "
        "fingerprint, and not kept on the resource).",
        "assumed",
        f"{_MODEL}; "
        "AWS does not document dryRun with clientToken; EC2's idempotency guide (linked from the model) replays "
        "only a request that completed successfully, and a dry run performs nothing and answers an error, so "
        "there is nothing to replay",
        "tests/test_dry_run.py::test_a_dry_run_with_a_used_token_answers_as_its_replay_would",
    ),
    Behaviour(
        "dependency",
        "Deleting a recipe or configuration a pipeline uses answers ResourceDependencyException.",
        "likely",
        "hashicorp/terraform-provider-aws#40128, #40037 (real responses)",
        "tests/test_operations.py::test_delete_of_used_resource_is_a_dependency_error",
    ),
    Behaviour(
        "recipe-auto-version",
        "CreateImageRecipe and CreateContainerRecipe take a semanticVersion with one x, in any node (1.0.x, 1.x.0, "
        "x.0.0): the x becomes one more than the highest value that node has among the recipe name's versions "
        "whose other nodes equal the given ones (with 1.0.4 and 1.2.0: 1.0.x makes 1.0.5, 1.x.0 makes 1.3.0). The "
        "answer's ARN and latestVersionReferences, and the recipe Get reads, are the version made; a replay of "
        "the clientToken answers the same ARN. Where the installed model's semanticVersion pattern has no x "
        "(botocore 1.40.41) the wire refuses it (InvalidParameterValueException).",
        "likely",
        "AWS's user guide https://docs.aws.amazon.com/imagebuilder/latest/userguide/create-image-recipes.html "
        "('When you create a recipe with a wildcard version such as 1.0.x, Image Builder automatically increments "
        "the version (for example, 1.0.1, 1.0.2, 1.0.3, and so on)'); AWS's What's New of November 2025 'EC2 Image "
        "Builder now supports auto-versioning and enhances Infrastructure as Code experience', quoted in "
        "hashicorp/terraform-provider-aws#45285 ('include a single x in your recipe version'); an x in another "
        "node: hashicorp/terraform-provider-aws#45288 ('1.x.0 (unresolved version input) and 1.2.0 (resolved "
        "version)'); botocore model (WildcardVersionNumber)",
        "tests/test_auto_versioning.py::"
        "test_one_x_node_becomes_one_more_than_the_highest_that_node_has_among_the_matching_versions",
    ),
    Behaviour(
        "recipe-auto-version-first",
        "A recipe version's x node is 0 when no version of the name has the other nodes given (1.0.x of a new "
        "name makes 1.0.0, then 1.0.1). The auto_version_first knob switches the first value to 1 (1.0.x of a new "
        "name makes 1.0.1, x.0.0 makes 1.0.0).",
        "assumed",
        "no source gives the first value (the user guide's example lists only increments: 1.0.1, 1.0.2, 1.0.3); 0 "
        "is the lowest a node can take (user guide Semantic versioning: 'any positive integer value, including "
        "zero'); switchable, as the guide's list starting at 1.0.1 fits a first value of 1 as well "
        "(switch: auto_version_first)",
        "tests/test_auto_versioning.py::test_with_no_matching_version_the_x_node_is_zero",
    ),
    Behaviour(
        "recipe-version-wildcards",
        "A recipe semanticVersion with more than one x (x.x.x, 1.x.x, x.0.x) answers InvalidVersionNumberException "
        "(400) and makes nothing; so does one whose x would pass 2^30-1. Where the installed model's pattern has "
        "no x (botocore 1.40.41), the wire refuses any x first (InvalidParameterValueException).",
        "assumed",
        f"{_MODEL}; "
        "AWS's announcement allows 'a single x' (quoted in hashicorp/terraform-provider-aws#45285); the code is "
        "the one the model gives Create*Recipe for a bad version; AWS's answer is not observed",
        "tests/test_operations.py::test_a_recipe_version_with_more_than_one_wildcard_is_refused",
    ),
    Behaviour(
        "version-leading-zeros",
        "A semantic version keeps its leading zeros (2019.12.03 in ARNs and documents); 2019.12.03 and "
        "2019.12.3 are different versions: a version ARN without a build number (Get, references a delete checks, "
        "recipe parents, lifecycle selections) selects only builds of exactly its text, while a wildcard "
        "(2019.12.x) compares numbers, so the two rank alike and the higher build number wins (then the build "
        "made first); byName lists show the version x.x.x selects.",
        "assumed",
        "leading zeros are accepted and kept (aws-cli example list-images.rst: image/mybasicrecipe/2019.12.03; "
        "user guide Semantic versioning suggests dates such as 2021.01.01); that they are distinct from the "
        "same numbers without zeros is assumed, as the versions are distinct strings in their ARNs; that "
        "wildcards compare numbers follows the user guide, which describes wildcard selection by node values",
        "tests/test_components.py::test_a_version_with_leading_zeros_is_not_the_same_numbers_without",
    ),
    Behaviour(
        "aws-managed",
        "AWS-managed components and parent images (account 'aws') are accepted in recipes.",
        "confirmed",
        f"{_CLI}get-image-recipe.rst (parentImage ...:aws:image/amazon-linux-2023-x86/x.x.x); {_REAL_RUN} "
        "(component ...:aws:component/update-linux/1.0.2/1)",
        "tests/test_operations.py::test_aws_managed_references_are_accepted",
    ),
    Behaviour(
        "get-not-found",
        "Get and Delete of a resource that does not exist answer ResourceNotFoundException (404).",
        "confirmed",
        f"{_CFN_IMAGE_DELETE} (GetImage, DeleteImage, CancelImageCreation); "
        f"{_CFN}image-pipeline/.../DeleteHandler.java; status from the model",
        "tests/test_operations.py::test_get_and_delete_of_missing_resources_are_not_found",
    ),
    Behaviour(
        "images-outlive-pipeline",
        "Deleting a pipeline leaves the images it built: GetImage still finds them.",
        "assumed",
        "chosen because images are resources of their own, with their own DeleteImage (AWS's CloudFormation "
        "Image resource is made without a pipeline)",
        "contract_tests/test_scenarios.py::test_missing_or_deleted_pipeline_is_not_found",
    ),
    Behaviour(
        "recreated-pipeline-images",
        "A pipeline made again under a deleted one's name (so the same ARN) lists only the images it built "
        "itself; FakeImageBuilder(recreated_pipeline_lists_old_images=True) lists the deleted one's too. Until "
        "it is made again, the ARN lists nothing either way (row list-pipeline-images-missing).",
        "assumed",
        "design choice, switchable: the new pipeline is a new resource (no lastRunStatus of its own yet), but "
        "AWS may list images by their sourcePipelineArn",
        "tests/test_lifecycle.py::"
        "test_a_pipeline_made_again_under_a_deleted_ones_name_lists_the_old_images_only_if_switched",
    ),
    Behaviour(
        "list-pipeline-images-missing",
        "ListImagePipelineImages of a pipeline ARN that does not exist (never made, or deleted; with "
        "recreated_pipeline_lists_old_images too, which only concerns a pipeline made again) answers an empty "
        "list, not ResourceNotFoundException, on any installed model; its filters and nextToken are still "
        "checked, and another account's or region's ARN is refused as everywhere (rows forbidden, "
        "client-exception).",
        "confirmed",
        "botocore 1.44 model doc of ListImagePipelineImages.imagePipelineArn ('If the ARN that you specify "
        "doesn't exist, Image Builder returns an empty list rather than a ResourceNotFoundException error'; "
        "older models say nothing, AWS answers alike); that a deleted pipeline's ARN no longer exists is the "
        "fake's reading",
        "tests/test_operations.py::test_pipeline_images_of_a_pipeline_that_does_not_exist_are_an_empty_list",
    ),
    Behaviour(
        "list-images",
        "ListImagePipelineImages lists builds in progress too, newest first, in pages.",
        "likely",
        f"in progress: {_CLI}list-image-pipeline-images.rst (BUILDING shown); newest first: {_REAL_RUN} "
        "(list-image-build-versions); for this list the order is assumed",
        "tests/test_operations.py::test_list_pipeline_images_pages_newest_first",
    ),
    Behaviour(
        "filter-version",
        "A 'version' filter on ListImagePipelineImages and ListImageBuildVersions compares the semantic version "
        "x.y.z, not the 'x.y.z/n' a summary shows: '1.0.4' matches every build of 1.0.4, '1.0.4/3' none.",
        "likely",
        "aws/aws-cli#7853 (real AWS: values=1.0.4 lists the pipeline's images, values=1.0.4/3 none); the "
        "filter names are the API reference's (botocore model documentation of each operation)",
        "tests/test_operations.py::test_version_filters_compare_the_semantic_version_not_the_build",
    ),
    Behaviour(
        "pagination-token",
        "A nextToken the fake did not issue for that query answers InvalidPaginationTokenException.",
        "assumed",
        "chosen because the error is modeled; what AWS checks of a token is not documented",
        "tests/test_operations.py::test_bad_pagination_token_is_refused",
    ),
    Behaviour(
        "page-position",
        "A nextToken resumes after the last item it showed, for its operation, filters, account and region: "
        "items deleted or added between pages (or steps actioned between pages of ListWaitingWorkflowSteps) "
        "never make the next page skip or repeat another, and a token stays valid however the list shrinks.",
        "assumed",
        "design choice (AWS documents tokens only as opaque; an offset would skip and repeat)",
        "tests/test_pages_and_versions.py::test_deleting_between_pages_skips_nothing",
    ),
    Behaviour(
        "wildcard-highest",
        "A version with x wildcards selects the highest matching version, not the newest created (with 2.2.4, "
        "1.7.8, 1.6.8: x.x.x = 2.2.4, 1.x.x = 1.7.8, 1.6.x = 1.6.8); an image version, its highest AVAILABLE build.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/ibhow-semantic-versioning.html",
        "tests/test_pages_and_versions.py::test_image_wildcards_select_the_highest_version",
    ),
    Behaviour(
        "wildcard-shape",
        "A number right of a wildcard (x.2.x, 1.x.8), or a node past 2^30-1, is refused with "
        "InvalidRequestException (400) by Get and wherever a versioned ARN is accepted as a reference "
        "(a recipe's parentImage and components, a pipeline's or CreateImage's recipe and workflows), "
        "with the same wording.",
        "assumed",
        "the user guide (Semantic versioning) says these are errors; the code (modeled for Get) and wording are "
        "a choice",
        "tests/test_pages_and_versions.py::test_a_recipe_reference_whose_version_get_refuses_is_refused_as_get_refuses_it",
    ),
    Behaviour(
        "pipeline-recipe-wildcard",
        "CreateImagePipeline and UpdateImagePipeline take an image or container recipe ARN with x wildcards "
        "(1.x.x, x.x.x; shaped as wildcard-shape says) that selects a version, else ResourceNotFoundException (404) "
        "as for a recipe that does not exist. Each start, manual or scheduled, builds the version the wildcard "
        "selects at that instant (the highest: wildcard-highest), so a version made later is built by the next "
        "start. Under EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE a newly selected version is an update only "
        "if it names other dependencies, as a pipeline switched to another recipe (schedule-dependency-updates).",
        "likely",
        f"{_MODEL}; "
        "AWS's November 2025 announcement, quoted in hashicorp/terraform-provider-aws#45285 ('wildcard recipe "
        "versions (such as 1.x.x, x.x.x, etc.) are now allowed to be passed into the image pipeline'); botocore "
        "model (the pipelines' ImageRecipeArn and ContainerRecipeArn patterns admit x); that each start selects "
        "anew is assumed from the release's purpose (building auto-versioned recipes without updating the "
        "pipeline)",
        "tests/test_auto_versioning.py::test_each_start_of_a_pipeline_builds_the_version_its_wildcard_selects_then",
    ),
    Behaviour(
        "pipeline-recipe-wildcard-shown",
        "GetImagePipeline and ListImagePipelines show a pipeline's wildcard recipe ARN as it was given (1.x.x), "
        "not the version it selects; its platform is that of the version it selects now (what the next start "
        "builds).",
        "assumed",
        "hashicorp/terraform-provider-aws#45288 relaxes only the pipeline's validation, adding no diff "
        "suppression for its recipe ARN as it does for recipe versions, which suggests AWS echoes it; not observed",
        "tests/test_auto_versioning.py::test_update_image_pipeline_takes_a_wildcard_that_selects_a_version",
    ),
    Behaviour(
        "image-recipe-wildcard",
        "CreateImage takes an image or container recipe ARN with x wildcards and builds the version it selects "
        "at create (image/<name>/<that version>/<n>; GetImage shows that recipe version); one that selects "
        "nothing answers ResourceNotFoundException (404).",
        "likely",
        f"{_MODEL}; "
        "botocore model (CreateImage's ImageRecipeArn and ContainerRecipeArn patterns admit x); AWS's November "
        "2025 announcement (hashicorp/terraform-provider-aws#45285); selecting as a pipeline start does is assumed",
        "tests/test_auto_versioning.py::test_create_image_builds_the_version_its_wildcard_selects_at_create",
    ),
    Behaviour(
        "recipe-wildcard-dependency",
        "Deleting the recipe version a pipeline's wildcard recipe ARN selects now answers "
        "ResourceDependencyException (400), as deleting one it names exactly does; the recipe's other versions "
        "can be deleted.",
        "assumed",
        "as component-dependency's wildcard case (the version a start would build cannot go); not observed",
        "tests/test_auto_versioning.py::test_the_version_a_pipeline_wildcard_selects_now_cannot_be_deleted",
    ),
    Behaviour(
        "version-node-limit",
        "Each node of a semantic version is at most 2^30-1 (1073741823); a larger one answers "
        "InvalidVersionNumberException.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/ibhow-semantic-versioning.html "
        "(the code is the one the model gives Create operations)",
        "tests/test_pages_and_versions.py::test_each_version_node_is_at_most_two_to_the_thirty_minus_one",
    ),
    Behaviour(
        "update-replaces",
        "UpdateImagePipeline replaces every settable member; members left out are reset.",
        "confirmed",
        f"{_API}API_UpdateImagePipeline.html and model doc ('does not support selective updates for the pipeline')",
        "tests/test_operations.py::test_update_replaces_pipeline_settings",
    ),
    Behaviour(
        "update-replaces-configuration",
        "UpdateInfrastructureConfiguration and UpdateDistributionConfiguration replace every setting (members "
        "left out are gone); name, tags, dateCreated and a distribution's timeoutMinutes stay; dateUpdated is set.",
        "assumed",
        "design choice, as for pipelines (the Update inputs require the full configuration, as Create does)",
        "tests/test_operations.py::test_update_replaces_configuration_settings",
    ),
    Behaviour(
        "distribution-outputs",
        "A distribution whose region has no output answers InvalidParameterValueException: 'The value supplied "
        "for parameter 'distributions[N]' is not valid. One or more outputs should be provided for each region "
        "in a distribution configuration.' (region and licenseConfigurationArns alone are not outputs; an output "
        "block given empty, such as amiDistributionConfiguration {}, is one).",
        "likely",
        "hashicorp/terraform-provider-aws#17409, pulumi/pulumi-aws#2065 (the message quoted from AWS); "
        "which members count as outputs is assumed",
        "tests/test_operations.py::test_a_region_without_outputs_is_refused",
    ),
    Behaviour(
        "distribution-regions",
        "CreateDistributionConfiguration and UpdateDistributionConfiguration refuse a distribution whose region is "
        "not a region of the caller's partition (mars-1; cn-north-1 from aws), or a region named twice, with "
        "InvalidRequestException (400) 'The value supplied for parameter 'distributions[N].region' is not "
        "valid. ...'; nothing is made or changed.",
        "assumed",
        "a distribution is per region (API reference Distribution.region; aws/aws-cdk aws-imagebuilder-alpha "
        "distribution-configuration.ts merges its outputs into one entry per region); no AWS wording found, so "
        "the wording follows AWS's 'The value supplied for parameter' family and the code is the operation's "
        "modeled InvalidRequestException",
        "tests/test_operations.py::test_each_region_is_a_real_one_named_once",
    ),
    Behaviour(
        "working-directory",
        "An image recipe created without workingDirectory reads back where AWS runs its build: '/tmp' for Linux "
        "and macOS, 'C:/' for Windows (whichever model the caller has).",
        "likely",
        f"{_MODEL}: botocore 1.44's doc of ImageRecipe.workingDirectory and CreateImageRecipe.workingDirectory "
        "('If you don't specify a working directory, Image Builder uses /tmp for Linux and macOS build "
        "instances, and C:/ for Windows build instances'; 1.40.41's doc names no default, but the default is "
        "AWS's, not the model's); aws/aws-parallelcluster#7515 (sets workingDirectory 'to avoid executing in "
        "/tmp'); that Get shows the default rather than leaving it out is not observed",
        "tests/test_operations.py::test_a_recipe_without_working_directory_reads_its_platforms_default",
    ),
    Behaviour(
        "resource-policy",
        "Put*Policy stores the policy text on an existing resource and Get*Policy returns it as put; a policy "
        "that is not a JSON object (NaN or Infinity in it, or nested past what the fake can read, included) "
        "answers InvalidParameterValueException; deleting the resource deletes its policy.",
        "assumed",
        "design choice (the errors are modeled; what AWS checks beyond JSON is not published)",
        "tests/test_operations.py::test_resource_policies_are_kept_per_resource",
    ),
    Behaviour(
        "resource-policy-none",
        "GetImagePolicy, GetImageRecipePolicy and GetContainerRecipePolicy of a resource that has no policy "
        "answer 200 with policy '{}'.",
        "confirmed",
        f"{_MODEL} (1.44), docs of the three outputs' "
        "policy member: 'If no policy has been applied, the response contains an empty JSON object ({})'",
        "tests/test_operations.py::test_a_resource_without_a_policy_answers_an_empty_one",
    ),
    Behaviour(
        "component-policy-none",
        "GetComponentPolicy of a component that has no policy answers 200 with policy '{}', as the other three do. "
        "The missing_component_policy knob switches it to ResourceNotFoundException (404) 'The Component '<arn>' "
        "has no resource policy.'",
        "assumed",
        f"{_MODEL} (1.44): GetComponentPolicy's policy "
        "doc says nothing of it; the same service answering alike is assumed (resource-policy-none); switchable, "
        "as the model gives GetComponentPolicy ResourceNotFoundException, the other three's '{}' doc is not in "
        "botocore 1.40.41's model, and other AWS services answer a missing resource policy with a 404 "
        "(switch: missing_component_policy)",
        "tests/test_operations.py::test_a_resource_without_a_policy_answers_an_empty_one",
    ),
    Behaviour(
        "delete-recipe-wildcard",
        "DeleteImageRecipe and DeleteContainerRecipe with a wildcard version (x.x.x, 1.x.x, 1.2.x) answer "
        "InvalidParameterValueException (400) 'The value supplied for parameter '<imageRecipeArn|"
        "containerRecipeArn>' is not valid. ...' and delete nothing, whichever version the wildcard selects.",
        "assumed",
        f"{_MODEL}: botocore 1.44's ImageRecipeArn and ContainerRecipeArn patterns admit wildcards (Get and "
        "Put*Policy resolve them: wildcard-highest, resource-policy-wildcard), while DeleteComponent's and "
        "DeleteWorkflow's patterns, and 1.40.41's recipe patterns, admit none, so the fake refuses one as those "
        "do, with the same code; "
        f"{_CFN}image-recipe/src/main/java/software/amazon/imagebuilder/imagerecipe/RequestUtil.java deletes by "
        "the recipe's own ARN; what AWS answers for a wildcard is not published",
        "tests/test_operations.py::test_a_recipe_is_not_deleted_through_a_wildcard",
    ),
    Behaviour(
        "resource-policy-wildcard",
        "Put*Policy through a wildcard version (x.x.x, which later models' ImageRecipeArn and ContainerRecipeArn "
        "patterns admit) applies the policy to the version the wildcard selects and answers that version's ARN; "
        "Get*Policy through a wildcard reads the policy of the version it selects now.",
        "assumed",
        f"{_MODEL}; "
        "botocore model (the wildcard patterns; Put*Policy answers 'the ARN of the image recipe that this policy "
        "was applied to'); a policy belongs to a resource, and a wildcard selects the highest version as "
        "everywhere else (wildcard-highest): what AWS does with one here is not published",
        "tests/test_operations.py::test_a_policy_put_through_a_wildcard_belongs_to_the_recipe_it_selects",
    ),
    Behaviour(
        "component-builds",
        "CreateComponent with a name and version that exist makes that version's next build (/2, /3...); build "
        "numbers are never reused.",
        "likely",
        "AWS's November 2025 announcement of auto-versioning, quoted in "
        "aws-cloudformation/cloudformation-coverage-roadmap#2439; the model's CreateComponent lists no "
        "ResourceAlreadyExistsException",
        "tests/test_components.py::test_the_same_version_again_is_its_next_build_and_wildcards_pick_the_highest",
    ),
    Behaviour(
        "component-document",
        "A component document must be a mapping with schemaVersion 1.0 and phases named build, validate or test, "
        "each with steps that have a unique name and an action; else InvalidRequestException (400) saying what "
        "is wrong (JSON nested past what the fake can read too). Parameters become the component's parameters; "
        "a document with only a test phase is a TEST component, any other BUILD.",
        "assumed",
        "the structure is the user guide's component document schema (AWSTOE); the code (modeled) and wording "
        "are a choice",
        "tests/test_components.py::test_an_invalid_document_is_refused_and_nothing_is_made",
    ),
    Behaviour(
        "component-yaml",
        "Component and workflow documents are read as YAML 1.2 (JSON included; a tab is a blank where YAML 1.1 "
        "refuses one) in this subset: block mappings and "
        "sequences indented with spaces, keys plain or quoted on one line; flow sequences and mappings, nested, over "
        "any number of lines; plain, single- and double-quoted scalars (every escape) on one line; literal and folded "
        "block scalars with chomping and indentation indicators (|2-, >+); comments; a leading ---. Only null and "
        "true/false are resolved: numbers (JSON's too) and keys stay the text written, so a document reads the same "
        "in block, flow or JSON spelling. A document using YAML beyond the subset (anchors, aliases, tags, "
        "directives, several documents, a node on the --- line, complex keys, scalars over several lines, the few "
        "texts YAML 1.1 and 1.2 read differently) is accepted unchecked: a "
        "component BUILD with no parameters, a workflow whose builds run the default workflow's steps.",
        "assumed",
        "user guide toe-use-documents.html ('you must provide a YAML-based document'); the YAML 1.2.2 "
        "specification (https://yaml.org/spec/1.2.2/), with PyYAML as the tests' oracle; the subset and accepting "
        "the rest unchecked are the fake's (no YAML dependency; never refuse a document AWS would take)",
        "tests/test_yaml_reader.py::test_a_document_in_the_subset_reads_as_yaml_reads_it",
    ),
    Behaviour(
        "document-not-yaml",
        "A component or workflow document that is not YAML (an unclosed flow collection or quote, an unknown "
        "escape, content after a complete value, a stray indentation, 'a: b: c', tab indentation, a key given twice, "
        "a character YAML forbids) answers InvalidRequestException (400) 'The component|workflow document is not "
        "valid: it is not valid YAML (line N: <what>).', and nothing is made.",
        "assumed",
        "YAML 1.2.2 specification (what is not YAML; PyYAML refuses the same texts, but a key given twice, which "
        "YAML forbids and PyYAML keeps the last of); the code and wording are component-document's",
        "tests/test_components.py::test_an_invalid_document_is_refused_and_nothing_is_made",
    ),
    Behaviour(
        "component-source",
        "CreateComponent and ImportComponent take exactly one of data and uri, else "
        "InvalidParameterCombinationException (400); a component made from a uri shows no data.",
        "assumed",
        "model doc of data and uri; the error is modeled; the fake cannot read S3",
        "tests/test_components.py::test_data_or_uri_exactly_one",
    ),
    Behaviour(
        "component-import",
        "ImportComponent makes a component document of the script: one ExecuteBash (ExecutePowerShell on "
        "Windows) step in a build phase, or a test phase for type TEST, whose one command is the script "
        "unchanged (a YAML literal block, or a double-quoted string when the script holds CR or characters "
        "YAML cannot hold raw), so any YAML parser gives the script back exactly.",
        "confirmed",
        f"{_MODEL}; "
        "botocore model doc of ImportComponent (1.44: 'Image Builder wraps your script in a component document "
        "with a single step that runs the script'); the step's name and the YAML form are the fake's",
        "tests/test_components.py::test_any_script_the_model_accepts_imports_as_a_document_that_runs_it",
    ),
    Behaviour(
        "component-dependency",
        "Deleting a component a recipe references, exactly or through the wildcard version that now selects it, "
        "answers ResourceDependencyException (400): 'Resource dependency error: The resource ARN '...' has other "
        "resources depended on it.'",
        "likely",
        "pulumi/pulumi#6919 (a real DeleteComponent of a component a recipe uses, with that message; the error is "
        "modeled for DeleteComponent); the wildcard case is assumed",
        "tests/test_components.py::test_a_component_a_recipe_uses_cannot_be_deleted",
    ),
    Behaviour(
        "component-parameters-defined",
        "CreateImageRecipe and CreateContainerRecipe setting a parameter its component does not define answer "
        "InvalidParameterCombinationException (400) 'The value supplied for parameter 'components[<i>].parameters' "
        "is not valid. The following parameters are not defined in the provided component: <names>', and nothing "
        "is made. Checked for the caller's own components whose document the fake read; AWS's (the fake's "
        "documents for them are stand-ins), other accounts', ones made from an S3 uri and ones whose YAML the "
        "fake's reader does not read are taken as given.",
        "likely",
        "aws-ia/terraform-aws-ec2-image-builder#106 (CloudTrail of a real CreateImageRecipe: errorCode "
        "InvalidParameterCombinationException, message 'The value supplied for parameter 'components[0].parameters' "
        "is not valid. The following parameters are not defined in the provided component: S3BucketName'); "
        f"{_MODEL}: botocore 1.44's doc of ComponentConfiguration.parameters ('you can only supply parameters that "
        "the component defines'). Neither 1.40.41's nor 1.44's model lists the code for these operations; the "
        "wire answers it with the model's status for it, 400, and botocore raises it by its code. The status is "
        "not in the record; names are compared exactly and several are joined with ', ' (assumed)",
        "tests/test_components.py::test_a_recipe_sets_only_parameters_its_component_defines",
    ),
    Behaviour(
        "parent-image-forms",
        "CreateImageRecipe and CreateContainerRecipe with a parentImage that is an ARN but not an Image Builder "
        "image's (a component, recipe, pipeline or configuration, or another service's ARN) answer "
        "InvalidRequestException (400) 'The value supplied for parameter 'parentImage' is not valid. '<arn>' is "
        "not the ARN of an Image Builder image; specify <the forms the parameter takes>.', and nothing is made. "
        "Other text (an AMI ID, ssm:<parameter>, a Marketplace product ID, a container image URI) is taken as given.",
        "assumed",
        f"{_MODEL}: the docs of CreateImageRecipe.parentImage (botocore 1.40.41 and 1.44: 'AMI ID', 'Image Builder "
        "image Amazon Resource Name (ARN)', 'Systems Manager (SSM) Parameter Store Parameter, prefixed by ssm:', "
        "'Marketplace product ID') and CreateContainerRecipe.parentImage (1.44: 'an Image Builder image resource "
        "ARN or a container image URI'); the code and the wording are those the fake answers for a malformed "
        "parentImage (wildcard-shape, container-recipe-ecr-parent); AWS's answer is not published",
        "tests/test_components.py::test_a_parent_image_arn_must_name_an_image",
    ),
    Behaviour(
        "parent-image-type",
        "An image recipe whose parentImage selects a container (DOCKER) image of the caller's own, or a container "
        "recipe whose parentImage selects an own AMI image, answers InvalidRequestException (400) 'The value "
        "supplied for parameter 'parentImage' is not valid. The image '<arn>' is ...'; other accounts' and AWS's "
        "images are taken as given (the fake cannot tell their type).",
        "assumed",
        f"{_MODEL}: ImageRecipe.parentImage is 'the base image for customizations' of an AMI recipe, "
        "ContainerRecipe.parentImage 'the base image for customizations specified in the container recipe', "
        "which its Dockerfile template starts FROM; the code and wording as parent-image-forms",
        "tests/test_components.py::test_a_recipe_builds_on_an_own_image_of_its_own_type",
    ),
    Behaviour(
        "reference-exists",
        "An image or container recipe naming a component or an own-account parent image (image/<name>/<version>"
        "[/<n>], wildcards included), or a pipeline (Create, Update) or CreateImage naming a workflow, that selects "
        "nothing (no such name, type or version; a wildcard no version matches; an unknown AWS-managed component "
        "or workflow) answers ResourceNotFoundException (404) naming the ARN, and nothing is made. The "
        "missing_reference_error knob switches it to InvalidRequestException or InvalidParameterValueException "
        "(400) 'The value supplied for parameter '<components|parentImage|workflows>' is not valid. The resource "
        "'<arn>' does not exist.' References to another account (shared with the caller) or region, and "
        "AWS-managed parent images, are taken as given.",
        "assumed",
        "AWS reads a recipe's components at create (aws-ia/terraform-aws-ec2-image-builder#106: CloudTrail of a "
        "CreateImageRecipe refused for parameters the component lacks) and a pipeline's workflows (aws/aws-cdk#29910: "
        "'The value supplied for parameter 'workflows' is not valid...'); the code for one that does not exist is "
        "a choice, the one the fake answers for a pipeline's missing recipe; switchable, as AWS's wording family "
        "for other refused references suggests a 400 (switch: missing_reference_error)",
        "tests/test_components.py::test_a_recipe_naming_a_component_that_does_not_exist_is_refused",
    ),
    Behaviour(
        "aws-managed-components",
        "AWS-managed components (account 'aws': update-linux, reboot-test-windows...) resolve in GetComponent, "
        "wildcards included, list under owner Amazon, and are ForbiddenException to delete.",
        "assumed",
        "names as AWS publishes them; versions, dates and documents are the fake's own",
        "tests/test_components.py::test_aws_managed_components_resolve_and_list_under_amazon",
    ),
    Behaviour(
        "aws-managed-component-versions",
        "Each AWS-managed component has a history of versions (every patch release from 1.0.0 to its newest), each "
        "one build /1: a pinned version (update-linux/1.0.0, update-windows/1.0.1/1) resolves, x.x.x selects the "
        "newest, ListComponents(owner Amazon) lists each version and byName the newest.",
        "likely",
        "hashicorp/terraform-provider-aws#23569 and its acceptance tests against real AWS pin update-linux/1.0.0 "
        f"and update-windows/1.0.1/1; {_REAL_RUN} uses update-linux/1.0.2/1; which versions exist is the fake's own",
        "tests/test_managed_resources.py::test_managed_components_keep_their_older_versions",
    ),
    Behaviour(
        "aws-managed-images",
        "GetImage of an AWS-managed image (account 'aws': image/amazon-linux-2-x86/x.x.x, or a version ARN "
        "ListImages(owner Amazon) shows) resolves to its highest build: name the display name ('Amazon Linux 2 "
        "x86'), osVersion, platform, version x.y.z/n, enhancedImageMetadataEnabled false, one AMI output; "
        "ListImageBuildVersions lists its builds; ListImages(owner Amazon) names it by its display name.",
        "likely",
        "hashicorp/terraform-provider-aws internal/service/imagebuilder/image_data_source_test.go "
        "TestAccImageBuilderImageDataSource_ARN_aws (real AWS: name 'Amazon Linux 2 x86', os_version 'Amazon Linux "
        "2', platform Linux, output_resources 1, enhanced_image_metadata_enabled false, version \\d+.\\d+.\\d+/\\d+); "
        "versions, dates and AMI ids are the fake's own",
        "tests/test_managed_resources.py::test_get_image_of_a_managed_image_resolves_to_its_highest_build",
    ),
    Behaviour(
        "aws-managed-tags",
        "ListTagsForResource of an AWS-managed component, workflow or image build reads its tags (none); "
        "TagResource and UntagResource of one answer InvalidParameterException (400) naming the ARN, and change "
        "nothing; an AWS-managed ARN the fake does not know is ResourceNotFoundException.",
        "assumed",
        "no source shows AWS's answer; Get shows these resources with empty tags, and the tagging operations "
        "model only InvalidParameterException and ResourceNotFoundException (no ForbiddenException, the 403 the "
        "fake answers elsewhere for a resource the caller does not own)",
        "tests/test_managed_resources.py::test_tags_of_an_aws_managed_resource_read_empty_and_cannot_change",
    ),
    Behaviour(
        "latest-version-references",
        "Create and Get of a versioned resource answer latestVersionReferences: the name with x.x.x, and with "
        "its major (1.x.x), minor (1.2.x) and patch (1.2.3) versions, the nodes as the version is written "
        "(2019.12.03 keeps its zero), where the model has the member.",
        "confirmed",
        f"{_API}API_LatestVersionReferences.html; user guide "
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/ibhow-semantic-versioning.html, 'Using version "
        "references'; keeping leading zeros follows version-leading-zeros (assumed)",
        "tests/test_components.py::test_latest_version_references_name_the_wildcards",
    ),
    Behaviour(
        "list-owners",
        "List operations with owner Shared, ThirdParty or AWSMarketplace list nothing (but ListWorkflows refuses "
        "Shared and ThirdParty: row workflow-owners); owner Amazon lists the "
        "AWS-managed resources the fake knows; a kind with build versions lists each version once (byName: each "
        "name's highest version).",
        "assumed",
        "fake only (it holds no resources shared with the caller)",
        "tests/test_components.py::test_the_same_version_again_is_its_next_build_and_wildcards_pick_the_highest",
    ),
    Behaviour(
        "workflow-document",
        "A workflow's ARN is workflow/<build|test|distribution>/<name>/<x.y.z>/<n>; its document must have "
        "schemaVersion 1.0 and steps with a unique name and an action, else InvalidRequestException (400); its "
        "parameters (name, type string|integer|boolean|stringList, default, description) become the workflow's.",
        "assumed",
        "ARN form from the model's patterns; the structure is the user guide's workflow document schema; the code "
        "(modeled) and wording are a choice",
        "tests/test_workflows.py::test_an_invalid_document_is_refused",
    ),
    Behaviour(
        "workflow-state",
        "A workflow shows no state (the model's WorkflowStatus has only DEPRECATED), and a build summary's arn "
        "is the build version's ARN (models before botocore 1.44 declare it versionless, x.x.x, and get that form).",
        "likely",
        "botocore model (WorkflowStatus enum; WorkflowSummary.arn is WorkflowBuildVersionArn from botocore 1.44, "
        "WorkflowNameArn before)",
        "tests/test_workflows.py::test_versions_builds_and_lists",
    ),
    Behaviour(
        "aws-managed-workflows",
        "AWS-managed workflows build-image, test-image and distribute-image resolve in GetWorkflow and list under "
        "owner Amazon; a workflow a pipeline uses cannot be deleted (ResourceDependencyException).",
        "assumed",
        "names as AWS's user guide gives them; build-image and test-image 1.0.3 and their step names as "
        f"{_CLI}list-workflow-executions.rst and list-workflow-step-executions.rst show them; the documents' "
        "other content is the fake's own",
        "tests/test_workflows.py::test_aws_managed_workflows_resolve_and_list_under_amazon",
    ),
    Behaviour(
        "aws-managed-workflow-latest",
        "A pipeline (Create, Update) or CreateImage naming an AWS-managed workflow at any version but x.x.x "
        "(build-image/1.0.3/1, 1.0.3, 1.x.x) answers InvalidRequestException (400) 'The value supplied for parameter "
        "'workflows' is not valid. AWS managed workflows must have latest version 'x.x.x' for '<arn>'', and nothing "
        "is made; GetWorkflow still reads any version.",
        "likely",
        "aws/aws-cdk#29910 and aws-cloudformation/cloudformation-coverage-roadmap#2016 (AWS's message through "
        "CloudFormation: Status Code 400, HandlerErrorCode InvalidRequest; AWS's template left '{workflow_arn_str}' "
        "unfilled, the fake fills in the ARN); the code is the operations' modeled InvalidRequestException",
        "tests/test_workflows.py::test_an_aws_managed_workflow_is_named_only_at_its_latest_version",
    ),
    Behaviour(
        "custom-distribution-workflows",
        "CreateWorkflow accepts type DISTRIBUTION (a custom distribution workflow), and a pipeline or CreateImage "
        "naming one runs it while DISTRIBUTING.",
        "likely",
        "aws-samples/amazon-ec2-image-builder-samples#106 (2026-09, AWS-authored and deployed: a custom "
        "DISTRIBUTION-type workflow with WaitForAction, DistributeImage, ModifyImageAttributes); AWS refused them "
        "in 2024 ('The value supplied for parameter 'type' is not valid. Custom distribution workflows are not "
        "supported.': hashicorp/terraform-provider-aws#39785, #39864), so the fake follows the newer behaviour",
        "tests/test_workflows.py::test_get_echoes_what_create_accepted",
    ),
    Behaviour(
        "workflow-executions",
        "Each build runs its BUILD workflow while BUILDING and its TEST workflows while TESTING (a DISTRIBUTION "
        "workflow, when named, while DISTRIBUTING): AWS's build-image/test-image 1.0.3 unless the pipeline or "
        "CreateImage names its own. ListWorkflowExecutions lists those that have started, in run order; an "
        "execution is RUNNING until its last step ends, then COMPLETED, FAILED or CANCELLED, with step counts "
        "that add up to totalStepCount; ListWorkflowStepExecutions lists every step of the document "
        "(PENDING until it starts), GetWorkflowStepExecution adds onFailure and timeoutSeconds.",
        "confirmed",
        f"{_CLI}list-workflow-executions.rst, get-workflow-execution.rst, list-workflow-step-executions.rst, "
        "get-workflow-step-execution.rst; botocore model (WorkflowExecutionMetadata, WorkflowStepMetadata)",
        "tests/test_workflow_executions.py::test_default_workflows_run_inside_the_statuses_getimage_shows",
    ),
    Behaviour(
        "workflow-timing",
        "A status's time (from the build plan) is shared evenly by the steps that run in it, so executions and "
        "steps start and end exactly where GetImage's statuses change; a skipped step takes no time. With no "
        "workflows named, a build runs no DISTRIBUTION workflow; a type the pipeline names none of runs AWS's "
        "default; a step's `if` is read (booleanEquals, stringEquals, numberEquals, and, or, not over "
        "$.parameters.* and $.imagebuilder.platform/collectImageScanFindings/collectImageMetadata), anything "
        "else runs the step.",
        "assumed",
        "AWS publishes no step durations; the aws-cli example builds show build and test executions only; "
        "conditions: user guide workflow-document.html",
        "tests/test_workflow_executions.py::test_a_false_condition_skips_the_wait",
    ),
    Behaviour(
        "wait-for-action",
        "A WaitForAction step holds its build in the status its workflow runs in until SendWorkflowStepAction: "
        "ListWaitingWorkflowSteps lists it (RUNNING in its execution, the later steps PENDING). With "
        "timeoutSeconds in its document it fails when they run out (onFailure decides, as for STOP; an action "
        "after that is refused); without, it waits until answered or cancelled (AWS's default timeout for the "
        "action is not modelled).",
        "confirmed",
        f"model docs of ListWaitingWorkflowSteps and SendWorkflowStepAction; {_CLI}list-waiting-workflow-steps.rst; "
        f"{_API}API_SendWorkflowStepAction.html ('fails if the step has already timed out'); user guide "
        "workflow-document.html (timeoutSeconds)",
        "tests/test_workflow_executions.py::test_a_wait_step_holds_the_build_until_resumed",
    ),
    Behaviour(
        "workflow-step-action",
        "RESUME completes the waiting step (outputs carry the reason sent) and the build goes on from that "
        "instant; STOP fails the step, and its onFailure decides: Abort fails the workflow and the build at once "
        "(later steps SKIPPED; state.reason \"Workflow Execution ID: 'wf-...' failed with reason: Step '<name>' "
        'failed: Stopped by SendWorkflowStepAction: <reason>"; failureContext names the step), Continue goes on.',
        "confirmed",
        f"{_API}API_SendWorkflowStepAction.html (RESUME completes the step; STOP fails it and onFailure decides); "
        f"{_CLI}send-workflow-step-action.rst; the reason's wording after 'failed with reason:' is the fake's",
        "tests/test_workflow_executions.py::test_stop_fails_the_build_at_once_with_a_workflow_reason",
    ),
    Behaviour(
        "workflow-step-action-refused",
        "An action to a step that is not waiting (not a WaitForAction step, not started, already actioned, its "
        "build ended) is InvalidRequestException (400); to a waiting step under another image's ARN, "
        "InvalidParameterValueException (400); to an unknown step, ResourceNotFoundException (404).",
        "assumed",
        f"{_API}API_SendWorkflowStepAction.html ('The request fails if the step has already timed out or been "
        "actioned'; which modeled code it answers is not documented)",
        "tests/test_workflow_executions.py::test_actions_only_reach_a_waiting_step",
    ),
    Behaviour(
        "workflow-execution-not-found",
        "Get/ListWorkflowStepExecutions and GetWorkflowExecution of an id that names no started execution, and "
        "ListWorkflowExecutions of a missing image, answer ResourceNotFoundException (404).",
        "assumed",
        "the model lists no not-found error for these operations; the fake answers as its other lookups do",
        "tests/test_workflow_executions.py::test_unknown_executions_are_not_found",
    ),
    Behaviour(
        "workflow-step-waiting-event",
        "When a WaitForAction step starts waiting, one 'EC2 Image Builder Workflow Step Waiting' event is sent at "
        "that instant: resources [image ARN, workflow ARN], detail workflow-execution-id, "
        "workflow-step-execution-id, workflow-step-name.",
        "confirmed",
        f"{_EVENTS_GUIDE}; aws/aws-cdk mixins-preview aws_imagebuilder.events.EC2ImageBuilderWorkflowStepWaiting "
        "(the detail fields)",
        "tests/test_workflow_executions.py::test_a_wait_step_holds_the_build_until_resumed",
    ),
    Behaviour(
        "retry-image",
        "RetryImage of a FAILED or CANCELLED AMI build runs the same build version again (same ARN, build type "
        "and number; no new version) from the status it ended in, under the build plan in force then; the "
        "workflow executions it re-runs show retried true. Any other status (a FAILED image a lifecycle action "
        "DELETED is DELETED), a container image, or an image no recipe built (an import, a DistributeImage copy) "
        "is InvalidRequestException (400).",
        "likely",
        f"model doc of RetryImage and WorkflowExecutionMetadata.retried (botocore 1.44); {_CLI}retry-image.rst "
        "(a cancelled build resumes in place); the error code is the fake's choice. Which statuses a retry "
        "resumes from is not settled: botocore 1.43's doc says it retries the distribution only, 1.44's that it "
        "returns to the test or distribution phase where it failed. Refusing imports and DistributeImage copies "
        "is the fake's choice: no source shows a retry of one, and they ran no workflow a retry could resume",
        "tests/test_workflow_executions.py::test_retry_runs_a_failed_build_again_in_place",
    ),
    Behaviour(
        "fail-step",
        "BuildPlan(outcome='FAILED') fails the step that runs the components of the status it fails in "
        "(ApplyBuildComponents, ApplyTestComponents), or the step fail_step names: that step ends FAILED at the "
        "end of the status; with onFailure Abort the rest of its workflow is SKIPPED, and the reason and "
        "failureContext name that execution and step.",
        "assumed",
        "fake only (a knob); the wording of a component failure is the user guide's image-failure-context.html",
        "tests/test_workflow_executions.py::test_a_failing_plan_fails_the_chosen_step_and_the_context_names_it",
    ),
    Behaviour(
        "fail-step-continue",
        "A fail_step whose onFailure is Continue (AWS's test-image runs TerminateTestInstance so) ends FAILED "
        "('Step '<name>' failed.') and its workflow goes on: the later steps run, the execution ends COMPLETED "
        "with totalStepsFailed 1, and the build ends as the rest of its workflows make it (AVAILABLE, with no "
        "reason or failureContext, at the instant a build that failed nothing would), as after a STOP of such "
        "a step.",
        "assumed",
        f"fake only (a knob); that the workflow goes on is {_API}API_SendWorkflowStepAction.html ('the step's "
        "onFailure setting determines whether the workflow continues or aborts') and aws/aws-cdk "
        "aws-imagebuilder-alpha WorkflowOnFailure (a step's onFailure; CONTINUE 'Continues with the image "
        "build'); no source shows the execution's or the image's status after a step that continued, so the "
        "fake reads them as it does after a STOP of a Continue step",
        "tests/test_workflow_executions.py::"
        "test_a_failing_plan_on_a_step_that_continues_lets_the_workflow_and_the_build_go_on",
    ),
    Behaviour(
        "fail-step-not-run",
        "A fail_step that is no workflow step name (the model's WorkflowStepName pattern) is refused when the plan "
        "is made (ValueError; a 400 from the control routes). One the build does not run (no step of its "
        "workflows in the statuses it runs, a step its if condition skips, a WaitForAction step) fails no other "
        "step: the build fails at the end of fail_during, failureContext has only imageStatus, and state.reason, "
        "whatever failure_reason says, is 'The image build failed while it was <status>; no workflow step "
        "failed: the build plan's fail_step '<name>' <why>.'",
        "assumed",
        f"fake only (a knob; {_MODEL} WorkflowStepName for the pattern). Which steps a build runs is known only "
        "at launch (a pipeline's own workflows); failing it still keeps the plan's outcome, and the reason tells "
        "the test that set it why no step failed, where a stand-in step would fail silently",
        "tests/test_workflow_executions.py::test_a_fail_step_the_build_does_not_run_fails_no_other_step",
    ),
    Behaviour(
        "container-recipe",
        "CreateContainerRecipe takes exactly one of dockerfileTemplateData and dockerfileTemplateUri (else "
        "InvalidRequestException); Get echoes what Create accepted, with platform (platformOverride, else the "
        "parent image's), owner, version and encrypted true.",
        "assumed",
        "model doc of CreateContainerRecipe; the defaults are the fake's choices",
        "tests/test_operations.py::test_a_container_recipe_reads_back_what_create_accepted",
    ),
    Behaviour(
        "container-recipe-ecr-parent",
        "CreateContainerRecipe with an ECR Public parent image (public.ecr.aws/...) and no platformOverride answers "
        "InvalidRequestException (400) 'The value supplied for parameter 'parentImage' is not valid. You must "
        "specify a platform override when using ECR Public Repositories as your parent image.'; a Windows recipe "
        "with an ECR parent (public or private) and no imageOsVersionOverride answers "
        "InvalidParameterCombinationException (400) '... You must specify an image OsVersion override when using "
        "ECR Repositories as your parent image for Windows Platform.'",
        "likely",
        "CloudSnorkel/cdk-github-runners#550 (AWS's message through CloudFormation: Status Code 400, "
        "HandlerErrorCode InvalidRequest; the API code is not shown, so the modeled InvalidRequestException); "
        "hashicorp/terraform-provider-aws#24712 (InvalidParameterCombinationException from real AWS, though the "
        "model lists it for other operations only)",
        "tests/test_container_recipes.py::test_an_ecr_parent_image_needs_its_overrides",
    ),
    Behaviour(
        "container-builds",
        "A pipeline (or CreateImage) may use a container recipe; its builds are image/<recipe name>/<version>/<n>, "
        "type DOCKER, show containerRecipe, and once AVAILABLE output containers [{region, imageUris: "
        "[<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<version>-<n>]}] instead of AMIs.",
        "assumed",
        "model (Image.containerRecipe, OutputResources.containers, Container.imageUris); ECR's registry URI form; "
        "the image tag is the fake's choice",
        "tests/test_container_recipes.py::test_a_pipeline_builds_a_container_recipe_into_an_ecr_image",
    ),
    Behaviour(
        "container-distribution",
        "A container build's outputResources.containers holds one entry per region: its own region first (the "
        "recipe's repository), then each region of its distribution in order, whose imageUris name that "
        "region's containerDistributionConfiguration.targetRepository once per containerTags entry (the "
        "<version>-<n> tag without any); a lifecycle action on its containers lists one resource per region.",
        "assumed",
        "model docs of Container ('Containers and container images are Region-specific'; imageUris 'for "
        "containers created in the context Region'); user guide manage-distribution-settings.html ('Specify the "
        "ECR repository where Image Builder stores the output image in the distribution Region'); the tags in "
        "the URIs and the order are the fake's",
        "tests/test_container_recipes.py::test_a_container_distribution_outputs_each_regions_repository_and_tags",
    ),
    Behaviour(
        "lifecycle-rules",
        "A lifecycle policy's refused rules answer InvalidRequestException (400) and nothing is created or changed; "
        "a COUNT filter takes no unit or retainAtLeast. Update replaces every setting; dates are timestamps.",
        "assumed",
        "model doc of LifecyclePolicyDetailFilter (retainAtLeast is for age-based filters); the code (the one Create "
        "and Update model for a request that is not valid) and the wording are a choice",
        "tests/test_operations.py::test_lifecycle_rules_are_checked",
    ),
    Behaviour(
        "lifecycle-rules-documented",
        "Lifecycle rules: an AGE filter needs a unit; DEPRECATE and DISABLE rules include AMIs only; snapshots only "
        "together with AMIs; a CONTAINER_IMAGE policy has DELETE rules only.",
        "confirmed",
        _API + "API_LifecyclePolicyDetailAction.html (includeResources), API_LifecyclePolicyDetailFilter.html (unit); "
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html",
        "tests/test_lifecycle_policies.py::test_rules_are_checked_as_aws_checks_them",
    ),
    Behaviour(
        "lifecycle-rules-selection",
        "Lifecycle policies select by exactly one of recipes and tagMap; no two rules share an action; a container "
        "policy includes no AMIs or snapshots and has no AMI exclusion rules, an AMI policy includes no containers.",
        "likely",
        "aws/aws-cdk packages/@aws-cdk/aws-imagebuilder-alpha/lib/lifecycle-policy.ts (AWS's construct checks these "
        "before it calls the service)",
        "tests/test_lifecycle_policies.py::test_rules_are_checked_as_aws_checks_them",
    ),
    Behaviour(
        "lifecycle-echo",
        "A lifecycle policy reads back as sent, with status ENABLED when Create (or Update, which replaces every "
        "setting) leaves it out; Get and List show it, and such a policy runs as an enabled one.",
        "likely",
        "hashicorp/terraform-provider-aws internal/service/imagebuilder/lifecycle_policy.go (status Optional, "
        "Computed, Default ENABLED) and lifecycle_policy_test.go (ImportStateVerify against real AWS)",
        "tests/test_lifecycle_policies.py::test_get_echoes_what_create_sent_and_fills_in_the_default_status",
    ),
    Behaviour(
        "list-image-versions",
        "ListImages shows each image version (image/<name>/<x.y.z>) once, with its first build's date, oldest "
        "first; byName keeps each name's highest version; owner Amazon lists AWS's managed parent images "
        "(imageSource AMAZON_MANAGED), the caller's own built ones show no imageSource (row image-source-agrees).",
        "assumed",
        "model doc of ListImages and ImageVersion; which date and order are the fake's choices",
        "tests/test_operations.py::test_list_images_shows_each_image_version_once",
    ),
    Behaviour(
        "image-source-agrees",
        "Every shape with imageSource shows the same for one image, from the moment it exists: GetImage, the "
        "summaries of ListImagePipelineImages and ListImageBuildVersions, and ListImages' version. IMPORTED for "
        "an import and its DistributeImage copies, AMAZON_MANAGED for AWS's own images, and none at all for "
        "what the caller built (a pipeline's or CreateImage's build, and its copies).",
        "likely",
        f"{_CLI}list-image-pipeline-images.rst (a complete summary of a pipeline's build, in a model that has the "
        "member: no imageSource; fixtures/documented/list-image-pipeline-images.json replays it); model docs of "
        "Image, ImageSummary and ImageVersion imageSource (one member, one enum); that ListImages leaves it out "
        "too, and for an AVAILABLE build, is assumed from that example",
        "tests/test_documents.py::test_every_shape_shows_the_same_image_source",
    ),
    Behaviour(
        "create-get-echo",
        "Get of every kind (components, workflows, image and container recipes, infrastructure and distribution "
        "configurations, pipelines, lifecycle policies) answers each member Create accepted exactly as sent, where "
        "its document has the member, and AWS's defaults for those left out (a pipeline's status ENABLED, "
        "enhancedImageMetadataEnabled true and image tests on for 720 minutes; an image recipe's workingDirectory "
        "/tmp, or C:/ on Windows; tags {}).",
        "likely",
        "hashicorp/terraform-provider-aws internal/service/imagebuilder/*_test.go (ImportStateVerify against real "
        "AWS: every attribute read back equals the configuration); the defaults: model docs and the rows "
        "working-directory and empty-tags",
        "tests/test_create_get_echo.py::test_get_echoes_what_create_accepted_with_awss_defaults",
    ),
    Behaviour(
        "list-images-container-type",
        "ListImages shows the image version of a container recipe's builds with type DOCKER (AMI otherwise), as "
        "GetImage shows its builds, and the type filter selects by it; its builds list with their containers.",
        "confirmed",
        "model doc of ImageVersion.type ('whether this image produces an AMI or a container image', AMI | DOCKER)",
        "tests/test_container_recipes.py::test_list_images_shows_a_container_build_as_a_docker_image",
    ),
    Behaviour(
        "body-limit",
        "The HTTP server refuses a body over 1 MiB with 413 RequestEntityTooLargeException (JSON body).",
        "assumed",
        "fake only: a bound, so a bad client cannot exhaust the server",
        "tests/server/test_server_http.py::test_oversized_body_is_refused_with_413",
    ),
    Behaviour(
        "request-head",
        "The HTTP server reads a request head by RFC 9112 with the Python standard library's limits: a line over "
        "65,536 bytes or more than 100 header lines (folded ones included) answers 431; a header line that is not "
        "'name: value' (no colon, whitespace before it, a bare CR), a Transfer-Encoding other than chunked "
        "(several fields read as one list), versions other than HTTP/1.0 and 1.1, an HTTP/1.1 request without a "
        "Host field and any request with more than one answer 400; one blank line before a request line is "
        "skipped; Connection is a list of options. Every refusal is a JSON error, then the connection closes.",
        "assumed",
        "https://www.rfc-editor.org/rfc/rfc9112 (sections 2.2, 3.2, 5, 6.1, 9.3); limits of CPython's http.client "
        "(_MAXLINE, _MAXHEADERS); refusing rather than guessing is the fake's choice",
        "tests/server/test_server_http.py::test_malformed_http_gets_a_4xx_json_answer",
    ),
    Behaviour(
        "requests-bodies",
        "fake.mock_requests() reads a request body in every form requests sends one (bytes or text, a file in "
        "binary or text mode, an iterable of bytes or text chunks such as a generator, text as UTF-8), as the HTTP "
        "server reads the bytes urllib3 writes for it; a body of any other form answers 400 "
        "SerializationException naming its type, and nothing is stored.",
        "assumed",
        "requests' prepare_body (a generator or file is streamed as it is) and urllib3's body_to_chunks (the forms "
        "it writes, text as UTF-8); the 400 is the fake's choice: requests itself raises before sending such a body",
        "tests/server/test_responses_transport.py::test_every_body_requests_sends_is_read",
    ),
    Behaviour(
        "requests-head",
        "fake.mock_requests() answers HEAD with the status and headers the HTTP server sends (Content-Length the "
        "length of the body a GET would get) and no body.",
        "assumed",
        "https://www.rfc-editor.org/rfc/rfc9110 section 9.3.2 (HEAD: the header fields of a GET, no content); "
        "the fake's two transports answer alike",
        "tests/server/test_responses_transport.py::test_head_gets_the_servers_status_and_headers_and_no_body",
    ),
    Behaviour(
        "clock-end",
        "The fake's clocks run from the epoch to 9999-12-31T23:59:59Z: a start outside it is refused, advance() "
        "past it is refused, and a scaled clock (the server's) stops there, so every date stays writable.",
        "assumed",
        "fake only: Image Builder's dates (ISO 8601 with a four-digit year) cannot be written past the year 9999",
        "tests/test_clock.py::test_a_fast_scaled_clock_stops_at_the_year_9999_and_the_fake_keeps_answering",
    ),
    Behaviour(
        "presigned-caller",
        "A presigned request (no Authorization header) is served in the account and region of its "
        "X-Amz-Credential query parameter's scope (access_key/YYYYMMDD/region/service/aws4_request), as a "
        "header-signed one is in its Credential's.",
        "confirmed",
        f"{_API}CommonParameters.html (X-Amz-Credential: 'access_key/YYYYMMDD/region/service/aws4_request', "
        "given 'when you include authentication information in a query string instead of in the HTTP "
        "authorization header')",
        "tests/test_wire.py::test_a_presigned_request_lands_in_its_credential_s_account_and_region",
    ),
    Behaviour(
        "signature-errors",
        "With --verify-signatures: an unknown access key answers 403 UnrecognizedClientException, a wrong "
        "signature 403 InvalidSignatureException, no signature 403 MissingAuthenticationTokenException.",
        "likely",
        "AWS's common errors for SigV4 services (the same codes and messages across AWS JSON APIs)",
        "tests/server/test_server_signatures.py::test_wrong_secret_is_an_invalid_signature",
    ),
    Behaviour(
        "payload-hash",
        "With --verify-signatures the payload hash is the SHA-256 of the body received, not what "
        "x-amz-content-sha256 claims: a body swapped under a signed hash answers 403 InvalidSignatureException.",
        "likely",
        "AWS SigV4 guide, Create a canonical request (HexEncode(Hash(RequestPayload))): "
        "https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html; only S3 reads "
        "x-amz-content-sha256 as the hash (400 XAmzContentSHA256Mismatch, aws/aws-sdk-go#148)",
        "tests/server/test_server_signatures.py::test_a_body_swapped_under_a_signed_payload_hash_is_refused",
    ),
    Behaviour(
        "signing-time",
        "With --verify-signatures a header-signed request's signing time is its X-Amz-Date header, else its "
        "Date header in ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z'); neither answers 400 "
        "IncompleteSignatureException 'Authorization header requires existence of either a 'X-Amz-Date' or a "
        "'Date' header.', one in another format (a Date in HTTP's RFC 1123 form with no X-Amz-Date) 400 "
        "IncompleteSignatureException 'Date must be in ISO-8601 'basic format'. ...'.",
        "likely",
        f"{_API}CommonParameters.html (X-Amz-Date: 'optional for all requests; it can be used to override the "
        "date used for signing requests. If the Date header is specified in the ISO 8601 basic format, X-Amz-Date "
        "is not required'); the refusals' codes and words as recorded from AWS's JSON services in mhart/dynalite "
        "index.js",
        "tests/server/test_server_signatures.py::test_the_signing_time_may_be_the_date_header_in_basic_format",
    ),
    Behaviour(
        "presigned-signature",
        "With --verify-signatures a presigned request (X-Amz-Algorithm in the query string, no Authorization "
        "header) is verified as botocore's presigner signs it: the canonical query is every parameter but "
        "X-Amz-Signature (X-Amz-Security-Token included), the payload hash that of the body received, or "
        "UNSIGNED-PAYLOAD. Missing X-Amz-Algorithm, -Credential, -Signature, -SignedHeaders or -Date answers 400 "
        "IncompleteSignatureException ('AWS query-string parameters must include ...'), as do another algorithm, "
        "an X-Amz-Date not in ISO 8601 basic format and a credential not of 5 parts; both an Authorization header "
        "and X-Amz-Algorithm 400 InvalidSignatureException; a mismatch 403 InvalidSignatureException.",
        "likely",
        f"{_API}CommonParameters.html (the query parameters); "
        "https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (canonical query without "
        "X-Amz-Signature; UNSIGNED-PAYLOAD); botocore auth.py SigV4QueryAuth (signs the body's members moved to "
        "the query and an empty payload); the refusals' codes and words as recorded from AWS's JSON services in "
        "mhart/dynalite index.js",
        "tests/server/test_server_signatures.py::test_a_presigned_request_is_verified_and_served_in_its_scope",
    ),
    Behaviour(
        "presigned-expiry",
        "With --verify-signatures a presigned request whose X-Amz-Date plus X-Amz-Expires is before the server's "
        "real clock answers 403 InvalidSignatureException 'Signature expired: <X-Amz-Date> is now earlier than "
        "<now - expires> (<now> - <expires> sec.)'; X-Amz-Expires other than 1 to 604800 seconds answers 400 "
        "IncompleteSignatureException; a presigned request without X-Amz-Expires does not expire (a header-signed "
        "request's time is not checked: the fake's time is virtual).",
        "assumed",
        "the range: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html ('The minimum "
        "value you can set is 1, and the maximum is 604800'); the code and form of the words: AWS's answer to a "
        "signature outside its time window ('Signature expired: ... is now earlier than ... (... - 15 min.)', "
        "InvalidSignatureException, recorded in mhart/dynalite index.js and aws/aws-sdk-js#254); AWS's answer to "
        "an expired presigned request on a JSON service is not documented",
        "tests/server/test_server_signatures.py::test_an_expired_presigned_request_is_refused",
    ),
    Behaviour(
        "control-auth",
        "With --verify-signatures or --control-token, /_fake/ control routes (but health) need a valid signature "
        "(or presigned query) of a known key or 'Authorization: Bearer TOKEN'; otherwise 403 with a JSON error, "
        "nothing changed.",
        "assumed",
        "fake only (anyone who can reach the port could otherwise wipe or steer the fake)",
        "tests/server/test_server_signatures.py::test_control_routes_need_a_signature_from_a_known_credential",
    ),
    Behaviour(
        "control-knobs",
        "Every knob of the Python API has a /_fake/ control route (configure, build_plan, rate_limit, deny, "
        "pending_faults; GET /_fake/configure and /_fake/build_plan read them back) that calls the same method, so "
        "--state-file keeps its change across a restart; a value the method refuses, a missing member or one the "
        "route does not take answers 400 InvalidControlRequestException naming it, and changes nothing (so do "
        "the older routes: advance, fail_next, reset, state, scan_findings, marketplace_components).",
        "assumed",
        "fake only (clients outside the Python process, the AWS CLI, Terraform, other SDKs, steer the fake "
        "through these routes; a misspelt knob ignored would leave the fake as it was while the caller believed "
        "it changed)",
        "tests/server/test_server_knobs.py::test_knobs_set_over_http_survive_a_restart",
    ),
    Behaviour(
        "state-file-durable",
        "With --state-file every acknowledged change, knob changes included, survives a kill -9; a change the "
        "file cannot take answers 503 ServiceUnavailableException and changes nothing.",
        "assumed",
        "fake only (ServiceUnavailableException is modeled on every operation)",
        "tests/server/test_server_durability.py::test_a_failed_sync_under_concurrent_load_rolls_back_exactly_what_was_not_acknowledged",
    ),
    Behaviour(
        "state-file-damage",
        "A --state-file whose last line has no newline loses only that line, with a notice, and only when it "
        "begins as the next appended entry would, after a whole header (and snapshot): a crash cuts nothing "
        "else, as the header and snapshot are renamed into place whole. A cut header or snapshot, a file that "
        "is not a journal (final newline or not) and any other damage stop the start with exit status 2 "
        "(StateFileError) naming the line, and nothing is written to the file.",
        "assumed",
        "fake only (what a crash can leave follows from how the file is written; anything else is a user's file "
        "or a damaged copy, which the fake must not overwrite)",
        "tests/server/test_server_persistence.py::test_a_cut_header_or_snapshot_stops_the_start_and_leaves_the_file_alone",
    ),
    Behaviour(
        "state-file-snapshot-code",
        "A --state-file snapshot names a digest of the fake's state code (the service package and the policy "
        "module); one of other code, or one naming none, stops the start with exit status 2 (StateFileError) "
        "naming its line, rather than loading as other state. A journal without a snapshot replays on any version.",
        "assumed",
        "fake only (pickle restores objects by field order, not meaning: https://docs.python.org/3/library/"
        "pickle.html#pickling-class-instances; a field added to a build would shift every later one)",
        "tests/server/test_server_persistence.py::test_a_snapshot_of_other_state_code_is_refused_not_misread",
    ),
    Behaviour(
        "state-file-clock",
        "With --state-file the virtual clock never goes back across a restart, whatever the speeds: it resumes "
        "at the last line's instant plus the real time since at the speed recorded with that line (the furthest "
        "a client can have seen, also after a kill -9), then runs at the new --speed; a start at another speed "
        "and a clean stop record the clock as a line (an advance of 0 seconds).",
        "assumed",
        "fake only (a build seen AVAILABLE must not read PENDING after a restart, nor an event cursor be refused)",
        "tests/server/test_server_persistence.py::test_a_restart_at_a_lower_speed_after_a_kill_never_moves_the_clock_back",
    ),
    Behaviour(
        "state-file-options",
        "At a --state-file restart --account and --allow-unknown-regions, when given (from Python: the options "
        "given to from_state_file that configure also changes), win over what the file holds, with or without "
        "a snapshot, and are recorded as a configure when they change it; options not given keep the file's. "
        "What was made before keeps its ARNs, in the account it was made in.",
        "assumed",
        "fake only (the command line says how the server runs; a compaction must not change the outcome)",
        "tests/server/test_server_persistence.py::test_options_given_at_a_restart_win_over_the_file_snapshot_or_not",
    ),
    Behaviour(
        "state-file-symlink",
        "A --state-file path that is a symbolic link stays one: the file it names is the one locked, compacted "
        "and renamed over, so a second server on either path is refused while the first runs.",
        "assumed",
        "fake only (renaming over the link would replace it with a copy and leave the named file stale and "
        "unlocked)",
        "tests/server/test_server_persistence.py::test_a_state_file_given_as_a_symbolic_link_stays_one_and_its_file_stays_locked",
    ),
    Behaviour(
        "delete-running-image",
        "DeleteImage of a build still in progress answers ResourceDependencyException (400); cancel it first.",
        "confirmed",
        f"{_CFN_IMAGE_DELETE} (catches it: the image 'is not in terminal state')",
        "tests/test_operations.py::test_every_operation_answers_a_modeled_error",
    ),
    Behaviour(
        "deleted-newest-build",
        "After DeleteImage of a pipeline's newest build, lastRunStatus follows the newest build left.",
        "assumed",
        "chosen from the model doc (lastRunStatus is the status of the last image the pipeline built); AWS may "
        "keep the deleted build's status",
        "tests/test_lifecycle.py::test_deleting_the_newest_build_hands_last_run_status_to_the_one_before",
    ),
    Behaviour(
        "filter-names",
        "A list filter with a name the operation does not support answers InvalidRequestException (400), "
        "whatever the account holds.",
        "assumed",
        f"the supported names are those the API reference lists per operation ({_API}API_ListImages.html); "
        "the code is chosen (InvalidRequestException is modeled for every list)",
        "tests/test_operations.py::test_a_bad_filter_name_is_refused_even_with_nothing_to_list",
    ),
    Behaviour(
        "filter-name-missing",
        "A list filter (or ListImageScanFindingAggregations' filter) sent without a name, or with a null one, "
        "answers InvalidRequestException (400) 'A filter must have a name; use one of: <the names it takes>.'",
        "assumed",
        f"{_MODEL} (Filter.name is not a required member, so a request may leave it out); the code as "
        "filter-names; the wording is the fake's",
        "tests/test_operations.py::test_a_filter_without_a_name_is_refused_in_words_not_python",
    ),
    Behaviour(
        "filter-names-documented",
        "Each List accepts the filter names the model's documentation of its filters lists: ListComponents "
        "description, name, platform, productCodes, status, supportedOsVersion, type, version; ListWorkflows "
        "description, name, type, version; ListLifecyclePolicies name, resourceType, status; and no others but "
        "the spellings of another supported model's docs (lifecycle-filter-spellings).",
        "confirmed",
        f"{_MODEL}; "
        "botocore models' filters docs (1.44.8: ListLifecyclePolicies 'name, resourceType, and status. Filter names "
        "are matched exactly as shown', ListWorkflows 'You can filter on name, version, description, and type', "
        "ListComponents' list with productCodes and status)",
        "tests/test_operations.py::test_each_list_accepts_exactly_the_filter_names_the_models_document",
    ),
    Behaviour(
        "lifecycle-filter-spellings",
        "ListLifecyclePolicies takes the filter names of both supported models' docs, whichever model the caller "
        "has: name or Name, status or Status, and resourceType (AMI_IMAGE, CONTAINER_IMAGE).",
        "assumed",
        f"{_MODEL}; "
        "botocore 1.40.41's doc lists 'Name, Status', 1.44.8's 'name, resourceType, and status', 'matched exactly "
        "as shown'; AWS answers one way whatever a caller's model says, and which is not observed, so both work",
        "tests/test_lifecycle_policies.py::test_lists_filter_by_the_names_either_model_documents",
    ),
    Behaviour(
        "component-status-filter",
        "ListComponents shows each version's status (its state: ACTIVE for every component the fake holds); the "
        "status filter compares it, and productCodes compares the ids of a component's Marketplace product codes "
        "(the caller's own components have none, so it matches none of them).",
        "assumed",
        f"{_MODEL}; "
        "ComponentVersion.status doc ('the current status of the component version') and ListComponents' doc ('To "
        "list deprecated components, use the status filter with the value DEPRECATED'), botocore 1.44; that "
        "productCodes compares productCodeId is assumed (ProductCodeListItem: 'the product code ID')",
        "tests/test_components.py::test_list_filters_on_status_and_product_codes",
    ),
    Behaviour(
        "workflow-owners",
        "ListWorkflows with owner Shared or ThirdParty answers InvalidRequestException (400); AWSMarketplace lists "
        "nothing.",
        "assumed",
        f"{_MODEL}; "
        "ListWorkflows' owner doc, botocore 1.44: 'Image Builder rejects the Shared and ThirdParty owner values "
        "for workflows, and AWSMarketplace returns no results'; the code is chosen (modeled for the operation)",
        "tests/test_workflows.py::test_lists_filter_on_description_and_refuse_the_owners_the_model_says",
    ),
    Behaviour(
        "by-name-version",
        "ListComponents, ListWorkflows and ListImages with byName and a version filter answer "
        "InvalidRequestException (400), whatever the account holds.",
        "assumed",
        f"{_MODEL}; "
        "byName docs of the three, botocore 1.44: 'You can't combine this option with the version filter'; the "
        "code is chosen (modeled for each)",
        "tests/test_operations.py::test_by_name_does_not_combine_with_the_version_filter",
    ),
    Behaviour(
        "filter-values",
        "A filter passes an item whose member equals one of its values; an item without the member passes none.",
        "assumed",
        f"exact, case-sensitive values: {_API}API_Filter.html; that an item lacking the member passes none is "
        "the plain reading, not documented",
        "tests/test_operations.py::test_a_filter_on_a_member_an_item_lacks_matches_nothing",
    ),
    Behaviour(
        "schedule-cron",
        "schedule.scheduleExpression takes AWS's six-field cron(minutes hours day-of-month month day-of-week year) "
        "with , - * / ? L W #, JAN-DEC and SUN-SAT (1-7 = SUN-SAT), years 1970-2199, exactly one day field '?'.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/cron-expressions.html; "
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html",
        "tests/test_schedule_expressions.py::test_cron_runs_match_the_brute_force_oracle_for_a_year",
    ),
    Behaviour(
        "schedule-cron-edges",
        "Cron edge cases AWS's pages leave open follow Quartz (whose 'Unexpected end of expression.' AWS answers): "
        "nW never leaves the month (1W on a Saturday is Monday the 3rd), a day past the month's end never "
        "matches, L alone in day-of-week is every Saturday, a backwards range (FRI-MON) wraps round.",
        "assumed",
        "Quartz CronExpression semantics; AWS's message quoted in hashicorp/terraform-provider-aws#17396",
        "tests/test_schedule_expressions.py::test_cron_runs_match_the_brute_force_oracle_for_a_year",
    ),
    Behaviour(
        "schedule-timezone",
        "Cron fields are read in schedule.timezone (IANA, UTC by default): a wall-clock minute the zone skips "
        "never runs; one it repeats runs once, at its first occurrence.",
        "likely",
        "model doc of Schedule.timezone (IANA, default UTC); the daylight-saving handling is assumed",
        "tests/test_schedule_expressions.py::test_the_oracle_sees_daylight_saving_gaps_and_folds",
    ),
    Behaviour(
        "schedule-rate",
        "rate(N unit) (minute, hour, day; singular for 1) runs every N units from when the schedule was set; an "
        "update that keeps the schedule and ENABLED status keeps its place.",
        "likely",
        "aws-cdk aws-imagebuilder-alpha ImagePipelineSchedule ('a cron expression or a rate expression'); "
        "the anchor is assumed",
        "tests/test_schedule_expressions.py::test_rate_runs_every_period_from_when_it_was_set",
    ),
    Behaviour(
        "schedule-rate-bound",
        "rate(N unit) takes N up to the period the fake's dates span (epoch to 9999-12-31: 2932896 days, "
        "70389527 hours, 4223371679 minutes); a larger N is refused as an invalid schedule expression. A run "
        "that would fall after 9999-12-31 is no run: the pipeline shows no dateNextRun.",
        "assumed",
        "AWS's rate expression pages (EventBridge eb-rate-expressions.html, Image Builder) name no upper bound; "
        "the bound is the fake's, so every next run can be dated",
        "tests/test_schedules.py::test_a_run_past_the_year_9999_is_no_next_run",
    ),
    Behaviour(
        "schedule-invalid",
        "A schedule expression AWS would refuse answers InvalidParameterValueException at create and update: "
        "'The value supplied for parameter 'schedule.scheduleExpression' is not valid. Invalid schedule "
        "expression. Details: Invalid CRON expression: error at position N, details: ...'.",
        "likely",
        "hashicorp/terraform-provider-aws#17396, buildkite/image-builder#7 (the five-field case, verbatim); "
        "details of other cases follow Quartz's wording (assumed)",
        "tests/test_schedules.py::test_an_invalid_expression_is_refused_with_aws_wording",
    ),
    Behaviour(
        "schedule-runs",
        "At each instant its schedule names, an ENABLED pipeline starts a build with buildType SCHEDULED, dated "
        "at that instant; dateNextRun shows the next one. Runs are derived from the virtual clock when the fake "
        "is next called, so they do not depend on when or how often the clock is read.",
        "confirmed",
        "model doc of BuildType (SCHEDULED) and ImagePipeline.dateNextRun; the derivation is the fake's",
        "tests/test_schedules.py::test_a_rate_schedule_starts_scheduled_builds_at_its_instants",
    ),
    Behaviour(
        "schedule-disabled",
        "A DISABLED pipeline runs no schedule and shows no dateNextRun; enabled again, it counts from then on.",
        "confirmed",
        "aws-cdk ImagePipelineStatus DISABLED: 'will not be triggered on the schedule'; no make-up runs is assumed",
        "tests/test_schedules.py::test_a_disabled_pipeline_runs_no_schedule",
    ),
    Behaviour(
        "schedule-dependency-updates",
        "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE (the default) builds only when the recipe's parent image "
        "or a component resolves to something newer than at the pipeline's newest build (its first run always "
        "builds). Newer means, in the fake: a higher AVAILABLE build of the account's own parent image, or a "
        "higher version of its own component, or one where there was none; AWS-managed ARNs and AMI ids never get "
        "newer, and a dependency that goes back to an older build (the newer one deleted) is no update. A pipeline "
        "switched to a recipe naming other dependencies builds at its next run; one naming the same does not. A "
        "build a lifecycle action DEPRECATED, DISABLED or DELETED is not AVAILABLE.",
        "assumed",
        "model doc of Schedule.pipelineExecutionStartCondition (semantics, default); what 'newer' can mean in a "
        "fake that cannot publish AWS-managed versions is a choice",
        "tests/test_schedules.py::test_by_default_a_schedule_builds_only_when_a_dependency_is_newer",
    ),
    Behaviour(
        "schedule-auto-disable",
        "When schedule.autoDisablePolicy.failureCount (5 without a policy) scheduled builds in a row have failed, "
        "the pipeline turns DISABLED at the instant the last failed; consecutiveFailures counts them, a successful "
        "build of any kind resets it, a failed manual build leaves it. Not with a model lacking autoDisablePolicy.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AutoDisablePolicy.html; model doc of "
        "ImagePipeline.consecutiveFailures",
        "tests/test_schedules.py::test_consecutive_failed_scheduled_builds_disable_the_pipeline",
    ),
    Behaviour(
        "create-image",
        "CreateImage builds from a recipe with no pipeline: its image shows no sourcePipelineArn, runs with the "
        "request's own tests, scanning, workflows, execution role and logging settings, and is not a build of any "
        "pipeline (not in ListImagePipelineImages, not lastRunStatus).",
        "confirmed",
        "model doc of CreateImage; aws-cloudformation-resource-providers-imagebuilder image CreateHandler",
        "tests/test_create_image.py::test_create_image_builds_without_a_pipeline",
    ),
    Behaviour(
        "create-image-numbers",
        "CreateImage shares build numbers with the pipeline builds of its recipe version: a CreateImage takes /1, "
        "a later pipeline start /2.",
        "likely",
        "DESIGN.md evidence (a CreateImage took /1, a later pipeline start /2); model doc of the build number",
        "tests/test_create_image.py::test_build_numbers_are_shared_with_pipeline_builds",
    ),
    Behaviour(
        "create-image-recipe",
        "CreateImage with both or neither of imageRecipeArn and containerRecipeArn answers InvalidRequestException; "
        "a recipe or configuration that does not exist answers ResourceNotFoundException (404).",
        "assumed",
        "design choice, as CreateImagePipeline answers (InvalidRequestException is modeled for CreateImage)",
        "tests/test_create_image.py::test_bad_references_are_refused_without_a_build",
    ),
    Behaviour(
        "not-implemented",
        "An operation the fake does not implement answers 501 NotImplementedException naming it, before its "
        "input is read or checked: no validation error can hide that it is missing.",
        "assumed",
        "fake only: says plainly what is missing",
        "tests/test_not_implemented_first.py::test_the_rule_is_asked_before_the_input_is_read",
    ),
    Behaviour(
        "unknown-region",
        "A request signed for (or addressed to) a region the installed botocore's endpoint data does not know "
        "answers 403 InvalidSignatureException 'Credential should be scoped to a valid region, not 'R'.', before "
        "anything else, and opens no state; allow_unknown_regions (serve --allow-unknown-regions) accepts any.",
        "likely",
        "AWS's words for a credential scoped to a region it lacks, quoted in aws/aws-sdk-java#1097, "
        "aws/aws-sdk-ruby#508 and aws/aws-sdk-js-v3#5576 (403 InvalidSignatureException); a typo'd region "
        "never reaches AWS (no such host), so the fake's answer is a choice",
        "tests/test_regions.py::test_a_request_for_an_unknown_region_answers_a_clear_403",
    ),
    Behaviour(
        "event-image-state-change",
        "Each change of a build's status sends an 'EC2 Image Builder Image State Change' event (source "
        "aws.imagebuilder, resources [image ARN], detail previous-state.status and state.status) timed at the "
        "virtual instant of the change; the statuses it names are BUILDING, TESTING, DISTRIBUTING, INTEGRATING, "
        "AVAILABLE, CANCELLED and FAILED (none for PENDING and CREATING).",
        "confirmed",
        f"{_EVENTS_GUIDE} (EC2 Image Builder Image State Change: example and 'the build-transition status values'); "
        "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html",
        "tests/test_events.py::test_a_build_sends_one_state_change_per_status_in_the_documented_shape",
    ),
    Behaviour(
        "event-failed-reason",
        "The Image State Change of a FAILED build carries state.reason, the image's reason; other events carry "
        "only the status.",
        "likely",
        "aws/aws-cdk @aws-cdk/mixins-preview aws_imagebuilder.events EC2ImageBuilderImageStateChange (state and "
        "previous-state have reason and status; "
        "https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_mixins-preview.aws_imagebuilder.events."
        "EC2ImageBuilderImageStateChange.EC2ImageBuilderImageStateChangeProps.html); the user guide's example "
        "shows status only",
        "tests/test_events.py::test_a_failed_build_names_its_reason_and_a_cancelled_one_ends_where_it_was",
    ),
    Behaviour(
        "event-order",
        "Events are made from the build timelines whenever the fake is observed (a call, advance, a read of the "
        "events), each exactly once: ordered by virtual instant, then the order they became known, then build "
        "creation and lifecycle order (an automatic disable after the state change that caused it), with ids "
        "of their own (row event-ids). A clock jump over many changes yields all of them, each at its own "
        "instant.",
        "assumed",
        "design choice: AWS delivers these events 'best effort' with no ordering guarantee "
        "(https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html, Delivery type), so "
        "tests get the strictest plausible delivery",
        "tests/test_events.py::test_events_of_many_builds_are_ordered_by_instant_then_creation",
    ),
    Behaviour(
        "event-ids",
        "Each event's id is a UUID made from its detail type, account, region, instant and what it is about: a "
        "state change's and a CVE Detected's from the build's origin (the fake and the build's launch number, as "
        "AMI ids) with the image ARN (and status), so a build made again under the same ARN at the same instant "
        "(after a reset, or by another fake) sends ids of its own; the same after a --state-file restart.",
        "assumed",
        "an EventBridge event's id is 'A version 4 UUID generated for every event' (EventBridge user guide, "
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html): one per event; how "
        "AWS makes it is not documented, and the fake's must be the same when a restart replays the log",
        "tests/test_events.py::test_a_build_made_again_after_a_reset_at_the_same_instant_sends_events_of_its_own_ids",
    ),
    Behaviour(
        "event-delivery",
        "Each subscriber gets each event once, in order, in a thread that observed the fake, one thread at a "
        "time; a thread delivers at most what there was when its delivery began (and what its callbacks' own "
        "calls make) and never waits for another's callback: what other threads observe meanwhile goes to the "
        "next delivery. subscribe(replay=True) returns once the events logged before it are delivered.",
        "assumed",
        "fake only (EventBridge delivers 'best effort', unordered: "
        "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html; the fake gives tests "
        "the strictest order without holding a call hostage to other threads' events)",
        "tests/test_events.py::test_a_thread_in_a_callback_delivers_only_what_there_was_when_it_began",
    ),
    Behaviour(
        "event-other-types",
        "'EC2 Image Builder Workflow Step Waiting' is sent when a WaitForAction step waits (row "
        "workflow-step-waiting-event), 'CVE Detected' when a scan finds something (row scan-cve-event) and 'Image "
        "Pipeline Automatically Disabled' when a pipeline is disabled (row event-pipeline-auto-disabled), each in "
        "its documented shape.",
        "confirmed",
        f"{_EVENTS_GUIDE} (#eb-event-wf-step-waiting, #eb-event-cve-detected: each event's example and detail "
        "fields)",
        "tests/test_events.py::test_the_other_event_types_have_their_documented_shapes",
    ),
    Behaviour(
        "event-pattern-exists",
        "Subscribers' EventBridge patterns match leaf values only: a field whose value is an object (or an array "
        "holding no value) is absent for them, so exists:true does not match it, exists:false does, and no "
        "other matcher (anything-but included) matches it; an array of values is a leaf, null is a value.",
        "confirmed",
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (Exists "
        "matching: 'only works on leaf nodes. It does not work on intermediate nodes'); aws/event-ruler README.md "
        "(Exists matching: exists:false matches an event whose c-count is an object, 'because c-count is not a "
        "leaf node')",
        "tests/test_event_patterns.py::test_exists_works_on_leaf_nodes_only",
    ),
    Behaviour(
        "event-pipeline-auto-disabled",
        "When consecutive failed scheduled builds disable a pipeline, an 'EC2 Image Builder Image Pipeline "
        "Automatically Disabled' event is sent at the instant of the disable (right after the FAILED state change "
        "of the build that reached the count): resources the pipeline ARN, detail consecutive-failures, the count "
        "as a string.",
        "confirmed",
        f"{_EVENTS_GUIDE} (#eb-event-pipeline-disabled: example with \"consecutive-failures\": \"5\" and the "
        "field table); the order after the FAILED change is a design choice",
        "tests/test_schedules.py::test_an_automatic_disable_sends_its_event_at_the_instant_of_the_disable",
    ),
    Behaviour(
        "sns-message",
        "When a build ends AVAILABLE or FAILED (not CANCELLED), the infrastructure configuration's snsTopicArn "
        "gets a message: the image as the user guide shows it (versionlessArn, semver, arn, name, version x.y.z, "
        "buildVersion, state, embedded recipe and configurations with accountId, Java-style dates such as "
        "'Jul 28, 2022 1:13:45 AM', internalId and resourceArn tags, the job ids of an AVAILABLE build).",
        "confirmed",
        "awsdocs/ec2-image-builder-user-guide doc_source/integ-sns.md (SNS message format: an AVAILABLE and a "
        "FAILED example); https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-sns.html",
        "tests/test_events.py::test_an_sns_message_in_the_documented_shape_when_a_build_ends",
    ),
    Behaviour(
        "sns-semver",
        "The SNS message's semver packs the version and build as major<<90 | minor<<60 | patch<<30 | build.",
        "assumed",
        "inferred: the user guide's examples give 2**90 + 3 for 1.0.0/3 and 2**90 + 7 for 1.0.0/7 "
        "(awsdocs/ec2-image-builder-user-guide doc_source/integ-sns.md); the widths of the other fields are a guess",
        "tests/test_events.py::test_an_sns_message_in_the_documented_shape_when_a_build_ends",
    ),
    Behaviour(
        "ami-tags",
        "The AMI of an AVAILABLE build carries the tags CreatedBy 'EC2 Image Builder' and Ec2ImageBuilderArn "
        "(the image ARN) plus the distribution's amiTags, and the distribution's AMI description (moto's EC2 "
        "shows it so).",
        "likely",
        "Terraform and scripts that find Image Builder AMIs by tag:Ec2ImageBuilderArn and tag:CreatedBy "
        "'EC2 Image Builder' (e.g. aws-samples and aws-parallelcluster code); the API reference lists both as "
        "keys reserved for Image Builder (InfrastructureConfiguration resourceTags)",
        "tests/moto/test_moto_events.py::test_the_ami_is_registered_in_moto_ec2_with_name_description_and_tags",
    ),
    Behaviour(
        "moto-events",
        "Where moto is active, each event goes on moto's default bus of the image's account and region (moto's "
        "rules and targets get it, with an id of moto's), the SNS message to moto's topic if it has it, and the "
        "AMI into moto's EC2.",
        "assumed",
        "fake only: moto's own put_events, SNS publish and EC2 AMI models, in-process",
        "tests/moto/test_moto_events.py::test_events_reach_a_moto_rules_sqs_target",
    ),
    Behaviour(
        "moto-lifecycle-delete",
        "Where moto is active, a lifecycle DELETE (StartResourceStateUpdate, or a policy's DELETE rule) that "
        "includes the AMIs deregisters the image's AMI in moto's EC2 of every region it output to once the "
        "action applies, and deletes its snapshot when snapshots are included; a fresh mock_aws never gets a "
        "deleted AMI. The associated AMIs ListLifecycleExecutionResources lists are those of every region.",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html (the Delete rule "
        "can 'deregister associated AMIs or delete the snapshots'); moto's DeregisterImage and DeleteSnapshot",
        "tests/moto/test_moto_events.py::test_a_lifecycle_delete_with_amis_deregisters_them_in_every_region",
    ),
    Behaviour(
        "moto-lifecycle-deprecate",
        "A lifecycle DEPRECATE or DISABLE that includes the AMIs leaves the AMI in moto's EC2 as it was "
        "(available, no DeprecationTime): moto (5.x) models neither EnableImageDeprecation's time nor "
        "DisableImage. On AWS the AMI would be deprecated or disabled.",
        "assumed",
        "a limit of moto's EC2 AMI model (no deprecation time, no disabled state); user guide "
        "image-lifecycle-rules.html describes the AWS side",
        "tests/moto/test_moto_events.py::test_a_delete_without_amis_and_deprecate_or_disable_leave_the_ami_in_moto",
    ),
    Behaviour(
        "launch-template-versions",
        "When a build is AVAILABLE, each launchTemplateConfigurations entry of a region's distribution gets a new "
        "version of that EC2 launch template with the region's output AMI as its ImageId, made the template's "
        "default unless setDefaultVersion is false (left out, it counts as true).",
        "confirmed",
        "https://docs.aws.amazon.com/imagebuilder/latest/userguide/dist-using-launch-template.html ('a new version "
        "of the launch template that includes all of the original settings from the template, and the new AMI ID'; "
        "'Set the default version'); CloudFormation template reference LaunchTemplateConfiguration SetDefaultVersion "
        "(\"If you don't set a value, Image Builder treats it as true\")",
        "tests/moto/test_moto_launch_templates.py::test_each_regions_ami_becomes_the_new_default_version_of_its_launch_template",
    ),
    Behaviour(
        "launch-template-record",
        "Image Builder's API shows no launch template update (OutputResources holds amis and containers only): the "
        "versions an AVAILABLE build makes (account, region, template id, AMI, default or not) are kept with its "
        "AVAILABLE event, for EC2; moto's, where it is active.",
        "confirmed",
        "botocore model (OutputResources, Image: no member names a launch template)",
        "tests/test_events.py::test_an_available_build_records_the_launch_template_versions_its_distribution_makes",
    ),
    Behaviour(
        "launch-template-source",
        "The new version copies the template's default version (its data and description) and changes only ImageId; "
        "a template of another account (the entry's accountId, else the build's account) gets the build account's "
        "AMI id, not a copy of its own.",
        "assumed",
        "'all of the original settings from the template' (user guide dist-using-launch-template.html) does not say "
        "which version: the default one is the fake's choice; the AMI of the source account: a cross-account "
        "distribution sample's 'Launch template gotcha' (instances launched from it in the target account fail "
        "with an AMI permission error) whose repository could not be traced, so not a citable source",
        "tests/moto/test_moto_launch_templates.py::test_a_template_in_another_account_gets_the_build_accounts_ami",
    ),
    Behaviour(
        "moto-launch-templates",
        "Under moto, a launch template moto's EC2 does not have is kept in fake.subscriber_errors (a LookupError "
        "naming it, consumer 'moto delivery') and never raised to the caller; the other templates, the event and "
        "the SNS message are still delivered, and the build stays AVAILABLE.",
        "assumed",
        "fake only: how AWS fails a distribution whose template is missing is not documented, and without moto the "
        "fake cannot know which templates exist; the versions are made once, as the events are sent once",
        "tests/moto/test_moto_launch_templates.py::test_an_unknown_template_is_recorded_not_raised_and_the_rest_is_delivered",
    ),
    Behaviour(
        "lifecycle-daily-runs",
        "An enabled lifecycle policy runs once a day, each run a lifecycle execution (GetLifecycleExecution, "
        "ListLifecycleExecutions of the policy) and the policy's dateLastRun; a DISABLED policy does not run; "
        "a policy whose last execution still runs starts no new one.",
        "confirmed",
        _LIFECYCLE_GUIDE + " (Execution schedule: once per day, one execution per policy at a time, disabled "
        "policies do not run)",
        "tests/test_lifecycle_executions.py::test_a_policy_runs_once_a_day_from_a_day_after_it_was_made",
    ),
    Behaviour(
        "lifecycle-run-time",
        "A policy's runs come every 24 hours from its creation, the first a day after it; runs are derived "
        "from the clock when read (no thread), each judging the images as they stood at its own instant, so "
        "the outcome is the same however often the clock is read.",
        "assumed",
        _LIFECYCLE_GUIDE + " says AWS manages the exact time; which time is the fake's choice",
        "tests/test_lifecycle_executions.py::test_runs_do_not_depend_on_when_the_clock_is_read",
    ),
    Behaviour(
        "lifecycle-rule-evaluation",
        "A run acts on the images of the policy's resource type that finished AVAILABLE and are not DELETED, "
        "selected by recipe name and version (wildcards allowed) or by any one of the tagMap's tags. Each rule "
        "picks, newest first and without images having one of its excluded tags: COUNT all but the newest "
        "value; AGE those at least value units old (months 30 days, years 365) but the newest retainAtLeast. "
        "An image takes the strongest action that picked it (DEPRECATE < DISABLE < DELETE) when that moves it "
        "on; images are acted on oldest first.",
        "assumed",
        "model docs of LifecyclePolicyDetailFilter (value, retainAtLeast), LifecyclePolicyResourceSelection and "
        "LifecyclePolicyDetailExclusionRules; https://docs.aws.amazon.com/imagebuilder/latest/userguide/"
        "image-lifecycle-rules.html; the counting, ordering and strongest-action choices are the fake's",
        "tests/test_lifecycle_executions.py::test_the_strongest_rule_that_picks_an_image_wins",
    ),
    Behaviour(
        "lifecycle-ami-exclusions",
        "AMI exclusion rules skip an image (its execution resource SKIPPED, with the reason): regions holding "
        "the scope's region, isPublic when the distribution's launch permission has group all, sharedAccounts "
        "among its userIds, tagMap against its amiTags; the fake's AMIs are never launched, so lastLaunched "
        "skips nothing.",
        "assumed",
        "model doc of LifecyclePolicyDetailExclusionRulesAmis; where the fake's AMIs get those properties is its "
        "own choice",
        "tests/test_lifecycle_executions.py::test_an_ami_exclusion_rule_skips_the_image",
    ),
    Behaviour(
        "lifecycle-execution-timeline",
        "A lifecycle execution is PENDING until it starts (a StartResourceStateUpdate's updateAt), IN_PROGRESS "
        "while its images are acted on one after another (30 virtual seconds each), then SUCCESS; each image "
        "changes status when its own action ends. resourcesImpactedSummary.hasImpactedResources is true when an "
        "action includes AMIs or containers.",
        "assumed",
        "model (LifecycleExecutionStatus, LifecycleExecutionResource start/endTime); durations are the fake's",
        "tests/test_lifecycle_executions.py::test_update_at_holds_the_execution_pending_until_then",
    ),
    Behaviour(
        "lifecycle-cancel",
        "CancelLifecycleExecution cancels only an execution that has not reached a terminal status; actions "
        "already completed stay (it moves through CANCELLING to CANCELLED; what had not run is SKIPPED).",
        "confirmed",
        _API + "API_CancelLifecycleExecution.html (\"You can only cancel an execution that hasn't reached a "
        "terminal state ... doesn't undo completed lifecycle actions\")",
        "tests/test_lifecycle_executions.py::test_a_cancelled_execution_changes_nothing_it_had_not_done",
    ),
    Behaviour(
        "lifecycle-cancel-resources",
        "ListLifecycleExecutionResources leaves out an action still waiting for its turn (the model's statuses "
        "have no queued one). After a cancel, an action it stopped is SKIPPED ('cancelled while this action "
        "ran'), its endTime the cancel; one that never began is SKIPPED ('cancelled before this action ran') "
        "with no startTime or endTime; no time is after the execution's endTime.",
        "assumed",
        "model (LifecycleExecutionResourceStatus: FAILED, IN_PROGRESS, SKIPPED, SUCCESS; startTime and endTime "
        "'from the lifecycle action that was applied'); the statuses, reasons and times are the fake's",
        "tests/test_lifecycle_executions.py::test_a_cancel_shows_what_ran_what_it_stopped_and_what_never_began",
    ),
    Behaviour(
        "lifecycle-cancel-error",
        "Cancelling an execution already CANCELLING, CANCELLED or SUCCESS answers InvalidRequestException (400) "
        "naming its status; CANCELLING lasts 10 virtual seconds.",
        "assumed",
        "the model lists InvalidRequestException and ResourceInUseException; the choice and wording are the "
        "fake's",
        "tests/test_lifecycle_executions.py::test_a_finished_execution_cannot_be_cancelled",
    ),
    Behaviour(
        "lifecycle-execution-missing",
        "An unknown lifecycle execution id answers ResourceNotFoundException (404), as a missing lifecycle "
        "policy does, though GetLifecycleExecution and its siblings do not model it.",
        "assumed",
        "fake only: the same code the fake answers for every missing resource",
        "tests/test_lifecycle_executions.py::test_an_unknown_execution_is_not_found",
    ),
    Behaviour(
        "state-update-execution",
        "StartResourceStateUpdate starts a lifecycle execution of the image (no lifecyclePolicyArn) and answers "
        "its lifecycleExecutionId and the resourceArn; ListLifecycleExecutions of the image lists it.",
        "confirmed",
        _API + "API_CancelLifecycleExecution.html (an execution \"that a lifecycle policy or a "
        "StartResourceStateUpdate request started\"); botocore model (StartResourceStateUpdateResponse)",
        "contract_tests/test_scenarios.py::test_a_state_update_deletes_the_run_s_own_cancelled_image",
    ),
    Behaviour(
        "state-update-transitions",
        "StartResourceStateUpdate needs an image that ended AVAILABLE, DEPRECATED, DISABLED, FAILED or CANCELLED; "
        "FAILED and CANCELLED images, and container images, can only go to DELETED; refusals answer "
        "InvalidRequestException (400). includeResources is checked as a policy rule's is.",
        "likely",
        "AWS's model documentation of StartResourceStateUpdate resourceArn and state, newer than botocore "
        "1.44.8, as generated into pub.dev aws_client 0.10.0 (imagebuilder startResourceStateUpdate); the code "
        "and wording are the fake's",
        "tests/test_lifecycle_executions.py::test_a_failed_or_cancelled_image_can_only_be_deleted",
    ),
    Behaviour(
        "state-update-in-use",
        "StartResourceStateUpdate on an image another lifecycle execution is still acting on answers "
        "ResourceInUseException (400) naming that execution; so does RetryImage of an image an execution acts on or "
        "waits (updateAt) to act on, which would otherwise change the retried build mid-flight.",
        "assumed",
        f"{_MODEL}; "
        "the model lists ResourceInUseException; the case is the fake's choice",
        "tests/test_lifecycle_executions.py::test_an_image_another_execution_acts_on_is_in_use",
    ),
    Behaviour(
        "image-managed-status",
        "Lifecycle actions move an image to DEPRECATED, DISABLED or DELETED (or back to AVAILABLE); GetImage and "
        "the lists show that status, the lifecycleExecutionId of the last execution that acted on it, and "
        "deprecationTime: when a DEPRECATE took effect, kept while DISABLED or DELETED, cleared by AVAILABLE.",
        "likely",
        _API + "API_ImageState.html (\"The DEPRECATED, DISABLED, and DELETED statuses come from later resource "
        "management actions\"); model docs of Image.lifecycleExecutionId and deprecationTime; which instant "
        "deprecationTime shows is the fake's choice",
        "tests/test_lifecycle_executions.py::test_a_state_update_deprecates_an_image_when_its_execution_ends",
    ),
    Behaviour(
        "deleted-images-hidden",
        "An image a lifecycle action DELETED leaves ListImagePipelineImages, ListImageBuildVersions and "
        "ListImages, while GetImage of its ARN still shows it DELETED; GetImage of an x.x.x version picks only "
        "AVAILABLE builds. (DEPRECATED and DISABLED images of one's own stay in ListImages: row "
        "own-deprecated-images-listed.)",
        "assumed",
        "the fake's choice: no source says what the lists show of a DELETED image, nor which builds a wildcard "
        "GetImage passes over",
        "tests/test_lifecycle_executions.py::test_deleted_images_leave_every_list_and_their_amis_go_with_them",
    ),
    Behaviour(
        "own-deprecated-images-listed",
        "ListImages lists the caller's own DEPRECATED images with or without includeDeprecated: the flag "
        "concerns AWS-managed images only (none of the fake's is deprecated). DISABLED own images are listed "
        "alike.",
        "confirmed",
        "botocore 1.44 model doc of ListImages.includeDeprecated ('Deprecated images that you own are always "
        "returned'; AWS's behaviour on any model: older models' doc says only 'Includes deprecated images in the "
        "response list'); DISABLED is the fake's reading (the flag is about Amazon-managed images only)",
        "tests/test_lifecycle_executions.py::"
        "test_own_deprecated_and_disabled_images_stay_in_list_images_but_leave_wildcard_gets",
    ),
    Behaviour(
        "moto-sessions",
        "Each mock_aws session that resets moto gets the events and SNS messages of what happens while it is "
        "active (from the fake's first call, advance or read in it); the AMIs of builds that finished earlier are "
        "registered in its EC2, but earlier events are not sent again.",
        "assumed",
        "design choice: a fresh mock_aws is a fresh AWS account for its rules and queues; the AMIs the fake's "
        "images name exist there as they would on AWS",
        "tests/moto/test_moto_events.py::test_a_fresh_mock_aws_sees_only_the_events_of_its_own_lifetime",
    ),
    Behaviour(
        "imports",
        "ImportVmImage and ImportDiskImage answer at once with an image in PENDING; it has buildType IMPORT (VM) "
        "or IMPORT_ISO (ISO), imageSource IMPORTED, no recipe, the osVersion the request names, and once "
        "AVAILABLE one AMI; an import of a name and version that exists is its next build version. ImportVmImage "
        "answers the build version ARN as imageArn.",
        "confirmed",
        f"{_API}API_ImportVmImage.html, API_ImportDiskImage.html, API_Image.html ('Imported images don't contain "
        "a recipe'); botocore 1.44 model docs of ImportVmImageRequest.name, ImportVmImageResponse.imageArn; enums "
        "BuildType, ImageSource",
        "tests/test_imports.py::test_imports_of_one_name_and_version_are_build_versions_of_one_image",
    ),
    Behaviour(
        "import-timing",
        "A VM import stays PENDING as long as a build without tests would take under the build plan, then is "
        "AVAILABLE (or FAILED, if the plan fails); an ISO import runs through the build statuses without TESTING. "
        "A failed import ran no workflow: under AWS's default wording its reason names the VM import task or the "
        "ISO file instead (\"The VM import task 'import-ami-...' failed.\").",
        "assumed",
        "AWS only says Image Builder 'monitors the import task' (VM) and converts the ISO 'on an EC2 instance' "
        f"({_API}API_ImportVmImage.html, API_ImportDiskImage.html); durations follow the build plan knob",
        "tests/test_imports.py::test_iso_import_runs_like_a_build_without_tests",
    ),
    Behaviour(
        "import-validation",
        "ImportDiskImage takes platform Windows, osVersion 'Microsoft Windows 11' and an s3://bucket/key.iso "
        "(.iso, .ISO, .Iso) only; a log group outside /aws/imagebuilder/ needs an executionRole (VM imports: "
        "refused). A VM import task id has EC2's form import-ami-<hex>. Every refusal of the fake's own, constraint "
        "violations the wire finds and a client token reused with other parameters included, is ClientException "
        "(the only 400 these operations model), with wording of the fake's; injected faults stay as asked.",
        "likely",
        "botocore 1.44 model docs of ImportDiskImageRequest platform, osVersion, uri, loggingConfiguration and "
        "ImportVmImageRequest.loggingConfiguration; aws-cli ec2 import-image.rst (task id form); wording assumed",
        "tests/test_imports.py::test_iso_import_refusals",
    ),
    Behaviour(
        "distribute-image",
        "DistributeImage makes a new image (the source's name and version, next build number) that is PENDING, "
        "then DISTRIBUTING, then AVAILABLE with one AMI per region of the distribution configuration; the source "
        "is an AVAILABLE image's build version ARN, a version ARN (its highest AVAILABLE build) or an AMI id; an "
        "image not AVAILABLE (a lifecycle action made it DEPRECATED, DISABLED or DELETED, too) is "
        "InvalidRequestException, and no AVAILABLE image behind a version ARN or AMI id ResourceNotFoundException.",
        "likely",
        "botocore 1.44 model docs of DistributeImageRequest.sourceImage, .tags ('the new Image Builder image "
        f"resource that this operation creates'), DistributeImageResponse; {_API}API_DistributeImage.html",
        "tests/test_imports.py::test_distribution_is_a_new_image_that_lists_a_copy_per_region",
    ),
    Behaviour(
        "distribute-image-choices",
        "A distribution run takes the build plan's PENDING and DISTRIBUTING durations and fails when the plan "
        "fails in either (under AWS's default wording, with the reason \"Distributing the AMI of the image "
        "'<source ARN>' failed while DISTRIBUTING.\": it ran no workflow); its buildType is USER_INITIATED; an AMI "
        "id is found only among the fake's own AMIs and an ssm: reference is not read (ResourceNotFoundException).",
        "assumed",
        "fake only: no source shows a DistributeImage image; the fake knows no EC2 AMI or SSM parameter",
        "tests/test_imports.py::test_distribution_refusals",
    ),
    Behaviour(
        "image-packages",
        "ListImagePackages lists a fixed inventory per OS family (Amazon Linux 2 and 2023, Ubuntu, Windows, "
        "macOS) by name, version-release, for an AVAILABLE image from an image recipe with enhanced metadata; "
        "none for an image in progress, a container image, an import, an unknown OS or an image a lifecycle action "
        "DELETED (DEPRECATED and DISABLED ones keep theirs); pages of up to 25.",
        "assumed",
        "the model doc ('as determined by Amazon Web Services Systems Manager Inventory at build time') and "
        "enhancedImageMetadataEnabled's doc (collects the package list); the package lists are the fake's",
        "tests/test_image_packages.py::test_packages_follow_the_os_family",
    ),
    Behaviour(
        "scan-findings",
        "A build with imageScanningEnabled and image tests reports the findings planted by set_scan_findings "
        "(when it started) once it leaves TESTING (a retry resuming after TESTING keeps them): "
        "ListImageScanFindings shows them with the account, image, pipeline and instant, filtered by "
        "imageBuildVersionArn, imagePipelineArn, vulnerabilityId or severity.",
        "assumed",
        "user guide image-security-findings.html (a snapshot of the test instance's findings; Inspector's "
        "severities); model docs of ListImageScanFindings filters and imageScanningEnabled (needs tests); the "
        "instant and the knob are the fake's",
        "tests/test_scan_findings.py::test_planted_findings_appear_when_the_scan_is_done",
    ),
    Behaviour(
        "scan-state",
        "GetImage of a build with imageScanningEnabled and image tests shows scanState: PENDING until TESTING, "
        "SCANNING for the first half of TESTING and COLLECTING for the second, COMPLETED from the instant it "
        "leaves TESTING (when its findings appear, kept by a retry resuming later); ABANDONED, with the reason "
        "'The image reached status <FAILED|CANCELLED> before the scan findings were collected.', if it ends "
        "first (a retry that tests again scans anew). No scanState without scanning or tests, for imports and "
        "DistributeImage copies, nor in the summaries (ImageSummary has no such member); never FAILED or "
        "TIMED_OUT.",
        "assumed",
        f"model docs of Image.scanState and ImageScanState.status (botocore 1.44; {_API}API_ImageScanState.html: "
        "'The scan starts as PENDING and moves through SCANNING and COLLECTING to COMPLETED. Image Builder sets "
        "the status to ABANDONED if the image reaches a terminal state before the scan finding collection "
        "completes'); the scan runs while testing (imageScanningEnabled's doc); the instants and the reason's "
        "wording are the fake's",
        "tests/test_scan_findings.py::test_scan_state_moves_from_pending_through_scanning_and_collecting_to_completed",
    ),
    Behaviour(
        "scan-aggregations",
        "ListImageScanFindingAggregations groups by the filter's name (accountId without a filter), counting "
        "all, critical, high and medium findings per key; keys without findings are left out.",
        "assumed",
        "model docs of ListImageScanFindingAggregations and aggregationType (type defaults to accountId; counts "
        "for medium and higher plus all)",
        "tests/test_scan_findings.py::test_aggregations_count_by_the_filters_type",
    ),
    Behaviour(
        "scan-cve-event",
        "A scan that found something sends one 'EC2 Image Builder CVE Detected' event at the instant the build "
        "leaves TESTING: resources the image and pipeline, detail resource-id (the test instance) and "
        "finding-severity-counts (all, critical, high, medium).",
        "confirmed",
        f"{_EVENTS_GUIDE} (CVE Detected example); the instant is the fake's",
        "tests/test_scan_findings.py::test_cve_detected_event_when_the_scan_is_done",
    ),
    Behaviour(
        "marketplace-resource",
        "GetMarketplaceResource answers base64 data (COMPONENT_DATA) or a presigned-looking S3 URL "
        "(COMPONENT_ARTIFACT, needs resourceLocation) for a component of account aws-marketplace that "
        "set_marketplace_components entitles; another is ForbiddenException, a non-Marketplace ARN "
        "InvalidRequestException.",
        "assumed",
        "model docs of GetMarketplaceResource ('The caller must be entitled to the resource'; 'obfuscated data "
        "that contains the YAML'; 'a time-limited presigned URL'); the ARN account and the wording are the fake's",
        "tests/test_image_packages.py::test_an_entitled_component_gives_its_data_and_artifacts",
    ),
)


def by_id(behaviour_id: str) -> Behaviour:
    """The ledger row with this id."""
    for row in LEDGER:
        if row.id == behaviour_id:
            return row
    raise KeyError(behaviour_id)


def counts() -> dict[Provenance, int]:
    """How many rows each provenance has, confirmed first."""
    found: dict[Provenance, int] = {"confirmed": 0, "likely": 0, "assumed": 0}
    for row in LEDGER:
        found[row.provenance] += 1
    return found


def markdown_table() -> str:
    """The ledger as the Markdown table README shows, then its counts by provenance."""
    lines = [
        "| id | behaviour | provenance | source | checked by |",
        "|---|---|---|---|---|",
    ]
    for row in LEDGER:
        cells = (row.id, row.behaviour, row.provenance, row.source, f"`{row.test}`")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    tally = ", ".join(f"{n} {provenance}" for provenance, n in counts().items())
    lines += ["", f"{len(LEDGER)} behaviours: {tally}."]
    return "\n".join(lines) + "\n"


_UNCONFIRMED: tuple[tuple[Provenance, str], ...] = (
    ("assumed", "Assumed: choices where AWS is silent"),
    ("likely", "Likely: seen on real AWS by third parties, not written down by AWS"),
)


def differences_markdown() -> str:
    """Where the fake may differ from AWS: every ``assumed`` and ``likely`` row, as README shows them."""
    lines: list[str] = []
    for provenance, heading in _UNCONFIRMED:
        rows = [row for row in LEDGER if row.provenance == provenance]
        lines += ["", f"### {heading} ({len(rows)})", ""]
        lines += [f"- **{row.id}**: {row.behaviour} *Basis:* {row.source}." for row in rows]
    return "\n".join(lines[1:]) + "\n"


def with_readme_blocks(readme: str) -> str:
    """``readme`` with its generated blocks (ledger table, differences) rendered from the ledger anew."""
    for name, render in (("ledger", markdown_table), ("differences", differences_markdown)):
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        head, found, rest = readme.partition(start)
        if not found or end not in rest:
            raise ValueError(f"README has no {start.strip()} ... {end} block")
        readme = head + start + render() + end + rest.split(end, 1)[1]
    return readme
