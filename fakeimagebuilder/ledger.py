"""The behaviour ledger: every behaviour the fake commits to, where it comes from, and what checks it.

Provenance is ``confirmed`` (a primary source says so), ``likely`` (strong
indirect evidence) or ``assumed`` (a design choice where AWS is silent). Each
row names the test that checks it; a live contract run reports which rows AWS
confirmed. README's "Known and assumed behaviour" table is rendered from
this data (``python -m fakeimagebuilder ledger``) and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LEDGER", "Behaviour", "by_id", "differences_markdown", "markdown_table", "with_readme_blocks"]

Provenance = Literal["confirmed", "likely", "assumed"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """One committed behaviour: ``id``, what it says, provenance, source, and the checking test."""

    id: str
    behaviour: str
    provenance: Provenance
    source: str
    test: str


LEDGER: tuple[Behaviour, ...] = (
    Behaviour(
        "start-answer",
        "StartImagePipelineExecution answers 200 with requestId, the clientToken sent, and imageBuildVersionArn.",
        "confirmed",
        "botocore model; aws-cli example start-image-pipeline-execution.rst",
        "tests/test_start.py::test_start_answers_token_and_build_arn",
    ),
    Behaviour(
        "request-id",
        "Every response carries a UUID x-amzn-RequestId, equal to the body's requestId where the shape has one.",
        "likely",
        "rest-json convention; botocore reads RequestId only from the header",
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
        "aws-cli example start-image-pipeline-execution.rst",
        "tests/test_lifecycle.py::test_build_arn_uses_recipe_name_and_version",
    ),
    Behaviour(
        "name-normalisation",
        "Names are lower-cased, spaces and underscores turned to hyphens, in ARNs only; the name itself is kept.",
        "likely",
        "aws-cdk image-pipeline.ts fromImagePipelineName; aws/aws-cdk#35882",
        "tests/test_lifecycle.py::test_names_are_normalised_only_in_arns",
    ),
    Behaviour(
        "build-numbers",
        "Build numbers count per (account, region, recipe, version), shared by pipelines, never reused.",
        "likely",
        "model doc ('assigns the build number to the fourth node'); user-guide list-image-build-versions example",
        "tests/test_lifecycle.py::test_build_numbers_are_shared_and_never_reused",
    ),
    Behaviour(
        "lifecycle-order",
        "A build moves PENDING, CREATING, BUILDING, TESTING, DISTRIBUTING, INTEGRATING, then AVAILABLE.",
        "likely",
        "ImageStatus enum; terraform waitImageStatusAvailable pending list",
        "tests/test_lifecycle.py::test_statuses_follow_the_lifecycle_order",
    ),
    Behaviour(
        "testing-skipped",
        "TESTING is skipped when the pipeline's imageTestsEnabled is false.",
        "assumed",
        "design choice",
        "tests/test_lifecycle.py::test_testing_is_skipped_when_tests_are_off",
    ),
    Behaviour(
        "failed-reason",
        "A failed build ends FAILED with state.reason.",
        "confirmed",
        "aws-samples/immutable-server-pipeline#12",
        "tests/test_lifecycle.py::test_failed_build_carries_a_reason",
    ),
    Behaviour(
        "cancel",
        "CancelImageCreation ends a build in progress as CANCELLED ('Image creation is cancelled.').",
        "likely",
        "model doc; CloudFormation imagebuilder image CreateHandler",
        "tests/test_lifecycle.py::test_cancel_ends_a_build_as_cancelled",
    ),
    Behaviour(
        "cancel-terminal",
        "Cancelling a finished build answers InvalidRequestException (400).",
        "assumed",
        "model doc: 'can only be used on images in a non-terminal state'; the code is a choice",
        "tests/test_lifecycle.py::test_cancel_of_a_finished_build_is_refused",
    ),
    Behaviour(
        "build-type",
        "A started build has buildType USER_INITIATED.",
        "confirmed",
        "model doc of BuildType",
        "tests/test_lifecycle.py::test_started_build_is_user_initiated",
    ),
    Behaviour(
        "last-run-status",
        "The pipeline's lastRunStatus follows its newest build; dateLastRun stays unset.",
        "confirmed",
        "model doc of ImagePipeline.lastRunStatus and dateLastRun",
        "tests/test_lifecycle.py::test_last_run_status_follows_newest_build",
    ),
    Behaviour(
        "image-tags",
        "Tags given to the start land on the image, over the pipeline's imageTags.",
        "likely",
        "model doc of StartImagePipelineExecution.tags; the merge order is assumed",
        "tests/test_lifecycle.py::test_start_tags_land_on_the_image",
    ),
    Behaviour(
        "image-version",
        "Image and ImageSummary version read 'x.y.z/n' (unlike the model's x.y.z pattern).",
        "likely",
        "aws-cli examples get-image.rst, list-image-pipeline-images.rst",
        "tests/test_lifecycle.py::test_image_version_includes_build_number",
    ),
    Behaviour(
        "empty-tags",
        "An untagged resource shows tags {} (unlike the model's TagMap minimum of 1).",
        "likely",
        "aws-cli examples get-image.rst, get-image-pipeline.rst, list-image-pipeline-images.rst",
        "tests/test_operations.py::test_untagged_resources_show_empty_tags",
    ),
    Behaviour(
        "idempotent-replay",
        "The same clientToken with the same parameters returns the first answer and creates nothing.",
        "confirmed",
        "EC2 API Reference, Ensuring idempotency (linked from the model)",
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
        "design choice",
        "tests/test_idempotency.py::test_replay_has_a_fresh_request_id",
    ),
    Behaviour(
        "retries-one-build",
        "botocore's retries of an injected error reuse the token and make exactly one build: legacy retries "
        "(the default before botocore 1.44) retry 429/500/503; standard retries (the default from 1.44) retry "
        "500/503 but not the modeled 429 CallRateLimitExceededException.",
        "confirmed",
        "botocore handlers.py generate_idempotent_uuid; retries/_retry.json; retries/standard.py",
        "tests/test_idempotency.py::test_retries_after_injected_errors_make_one_build",
    ),
    Behaviour(
        "not-found",
        "Starting a pipeline that does not exist (or was deleted) answers ResourceNotFoundException (404).",
        "likely",
        "terraform-provider-aws imagebuilder errors.go",
        "tests/test_start_errors.py::test_missing_or_deleted_pipeline_is_not_found",
    ),
    Behaviour(
        "disabled-pipeline",
        "Starting a DISABLED pipeline answers InvalidRequestException (400); switchable off.",
        "assumed",
        "design choice (AWS only says DISABLED stops scheduled runs)",
        "tests/test_start_errors.py::test_disabled_pipeline_is_refused_unless_switched_off",
    ),
    Behaviour(
        "in-use",
        "A pipeline at its max_concurrent_builds answers ResourceInUseException (400).",
        "assumed",
        "design choice (knob; default unlimited)",
        "tests/test_start_errors.py::test_busy_pipeline_is_in_use",
    ),
    Behaviour(
        "forbidden",
        "An ARN of another account, or a deny rule, answers ForbiddenException (403).",
        "assumed",
        "design choice",
        "tests/test_start_errors.py::test_other_account_is_forbidden",
    ),
    Behaviour(
        "client-exception",
        "An ARN of another region or partition than the endpoint's answers ClientException (400).",
        "assumed",
        "design choice",
        "tests/test_start_errors.py::test_other_region_is_a_client_exception",
    ),
    Behaviour(
        "throttling",
        "A configured token bucket, when empty, answers CallRateLimitExceededException (429).",
        "likely",
        "status from the model; limits are not published",
        "tests/test_start_errors.py::test_rate_limit_throttles",
    ),
    Behaviour(
        "injected-faults",
        "fail_next injects any modeled error into any operation, with its modeled status.",
        "confirmed",
        "statuses from the botocore model",
        "tests/test_start_errors.py::test_fail_next_injects_any_modeled_error",
    ),
    Behaviour(
        "validation-code",
        "Constraint violations botocore lets through answer InvalidParameterValueException (400), "
        "'The value supplied for parameter ... is not valid.'",
        "likely",
        "messages seen on other Image Builder operations (boto/boto3#2224, terraform-provider-aws#17409)",
        "tests/test_wire.py::test_bad_start_input_is_rejected_without_a_build",
    ),
    Behaviour(
        "validation-tagging",
        "The tagging operations answer constraint violations with InvalidParameterException (what they model).",
        "assumed",
        "botocore model error lists",
        "tests/test_wire.py::test_tagging_validation_uses_its_modeled_code",
    ),
    Behaviour(
        "malformed-body",
        "A body that is not JSON, not UTF-8, not an object, or has wrongly typed members answers "
        "SerializationException (400); a wrongly typed member wins over broken constraints elsewhere "
        "(the body is read before it is checked).",
        "assumed",
        "AWS JSON protocol convention",
        "tests/test_wire.py::test_malformed_bodies_are_serialization_errors",
    ),
    Behaviour(
        "unknown-route",
        "An unknown path or wrong method answers UnknownOperationException (404) naming what is served.",
        "assumed",
        "design choice",
        "tests/test_wire.py::test_unknown_routes_are_4xx",
    ),
    Behaviour(
        "unknown-members",
        "Members the model does not have are ignored.",
        "assumed",
        "AWS JSON protocol convention",
        "tests/test_wire.py::test_unknown_members_are_ignored",
    ),
    Behaviour(
        "already-exists",
        "Creating a resource whose name (and version) exists answers ResourceAlreadyExistsException.",
        "confirmed",
        "ministryofjustice/modernisation-platform-ami-builds#549",
        "tests/test_operations.py::test_duplicate_resources_already_exist",
    ),
    Behaviour(
        "dependency",
        "Deleting a recipe or configuration a pipeline uses answers ResourceDependencyException.",
        "confirmed",
        "hashicorp/terraform-provider-aws#40128, #40037",
        "tests/test_operations.py::test_delete_of_used_resource_is_a_dependency_error",
    ),
    Behaviour(
        "recipe-version",
        "CreateImageRecipe with a wildcard version answers InvalidVersionNumberException (where the installed "
        "model's pattern admits wildcards; older models refuse them by pattern, InvalidParameterValueException).",
        "assumed",
        "design choice (the error is modeled for the operation)",
        "tests/test_operations.py::test_recipe_version_must_be_concrete",
    ),
    Behaviour(
        "aws-managed",
        "AWS-managed components and parent images (account 'aws') are accepted in recipes.",
        "confirmed",
        "common usage, e.g. arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x",
        "tests/test_operations.py::test_aws_managed_references_are_accepted",
    ),
    Behaviour(
        "get-not-found",
        "Get and Delete of a resource that does not exist answer ResourceNotFoundException (404).",
        "likely",
        "terraform-provider-aws treats it as 'gone' for GetImagePipeline, GetImage",
        "tests/test_operations.py::test_get_and_delete_of_missing_resources_are_not_found",
    ),
    Behaviour(
        "images-outlive-pipeline",
        "Deleting a pipeline leaves the images it built: GetImage still finds them.",
        "assumed",
        "design choice (images are resources of their own, with their own DeleteImage)",
        "contract_tests/test_scenarios.py::test_missing_or_deleted_pipeline_is_not_found",
    ),
    Behaviour(
        "list-images",
        "ListImagePipelineImages lists builds in progress too, newest first, in pages.",
        "likely",
        "aws-cli list-image-pipeline-images example (BUILDING shown); order assumed",
        "tests/test_operations.py::test_list_pipeline_images_pages_newest_first",
    ),
    Behaviour(
        "pagination-token",
        "A nextToken the fake did not issue for that query answers InvalidPaginationTokenException.",
        "assumed",
        "the error is modeled; what AWS checks is not known",
        "tests/test_operations.py::test_bad_pagination_token_is_refused",
    ),
    Behaviour(
        "page-position",
        "A nextToken resumes after the last item it showed, for its operation, filters, account and region: "
        "items deleted or added between pages never make the next page skip or repeat another, and a token "
        "stays valid however the list shrinks.",
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
        "A number right of a wildcard (x.2.x, 1.x.8) is refused with InvalidRequestException (400).",
        "assumed",
        "the user guide (Semantic versioning) says these are errors; the code (modeled for Get) and wording are "
        "a choice",
        "tests/test_pages_and_versions.py::test_a_wildcard_followed_by_a_number_is_refused",
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
        "assumed",
        "design choice (AWS docs require the full configuration)",
        "tests/test_operations.py::test_update_replaces_pipeline_settings",
    ),
    Behaviour(
        "body-limit",
        "The HTTP server refuses a body over 1 MiB with 413 RequestEntityTooLargeException (JSON body).",
        "assumed",
        "fake only (a bound, so a bad client cannot exhaust the server)",
        "tests/server/test_server_http.py::test_oversized_body_is_refused_with_413",
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
        "delete-running-image",
        "DeleteImage of a build still in progress answers InvalidRequestException (400); cancel it first.",
        "assumed",
        "design choice (InvalidRequestException is modeled for DeleteImage)",
        "tests/test_operations.py::test_every_operation_answers_a_modeled_error",
    ),
    Behaviour(
        "deleted-newest-build",
        "After DeleteImage of a pipeline's newest build, lastRunStatus follows the newest build left.",
        "assumed",
        "design choice (the model says lastRunStatus is the status of the last image the pipeline built)",
        "tests/test_lifecycle.py::test_deleting_the_newest_build_hands_last_run_status_to_the_one_before",
    ),
    Behaviour(
        "filter-names",
        "A list filter with a name the operation does not support answers InvalidRequestException (400), "
        "whatever the account holds.",
        "assumed",
        "design choice (the supported names are those the API reference lists per operation)",
        "tests/test_operations.py::test_a_bad_filter_name_is_refused_even_with_nothing_to_list",
    ),
    Behaviour(
        "filter-values",
        "A filter passes an item whose member equals one of its values; an item without the member passes none.",
        "likely",
        "API reference of Filter ('values' are matched exactly)",
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
        "higher version of its own component; AWS-managed ARNs and AMI ids never get newer.",
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
        "An operation the fake does not implement answers 501 NotImplementedException naming it.",
        "assumed",
        "fake only",
        "tests/test_wire.py::test_unimplemented_operation_names_itself",
    ),
)


def by_id(behaviour_id: str) -> Behaviour:
    """The ledger row with this id."""
    for row in LEDGER:
        if row.id == behaviour_id:
            return row
    raise KeyError(behaviour_id)


def markdown_table() -> str:
    """The ledger as the Markdown table README shows."""
    lines = [
        "| id | behaviour | provenance | source | checked by |",
        "|---|---|---|---|---|",
    ]
    for row in LEDGER:
        cells = (row.id, row.behaviour, row.provenance, row.source, f"`{row.test}`")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


_UNCONFIRMED: tuple[tuple[Provenance, str], ...] = (
    ("assumed", "Assumed: design choices where AWS is silent"),
    ("likely", "Likely: strong indirect evidence, not confirmed by a primary source"),
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
