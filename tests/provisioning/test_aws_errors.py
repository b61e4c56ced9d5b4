"""Sorting botocore's errors at the AWS boundary: retry later, gone already, or say plainly what failed."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
    WaiterError,
)

from apps.provisioning import aws
from apps.provisioning.aws import errors
from apps.provisioning.exceptions import AwsTerminalError, AwsTransientError
from tests.provisioning.conftest import AWS_TEST_REGION

pytestmark = pytest.mark.django_db

REGION = AWS_TEST_REGION


def client_error(
    code: str, status: int = 400, operation: str = "CreateBucket", message: str = ""
) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message or f"{code} happened"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


@pytest.mark.parametrize("code", sorted(errors.THROTTLING_CODES))
def test_throttling_is_transient_and_said_plainly(code):
    exc = client_error(code, status=429 if code == "TooManyRequestsException" else 400)
    assert aws.is_transient(exc)
    assert not aws.is_not_found(exc)
    assert aws.plain_error(exc) == "AWS is busy (throttling)."
    assert aws.error_code(exc) == code


@pytest.mark.parametrize(
    "exc",
    [
        EndpointConnectionError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ConnectionClosedError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
        ConnectTimeoutError(endpoint_url="https://s3.ap-south-1.amazonaws.com"),
    ],
)
def test_network_failures_are_transient(exc):
    assert aws.is_transient(exc)
    assert aws.error_code(exc) == type(exc).__name__
    assert aws.plain_error(exc) == "AWS could not be reached (network or timeout)."


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_aws_server_errors_are_transient(status):
    exc = client_error("InternalError" if status == 500 else "ServiceUnavailable", status=status)
    assert aws.is_transient(exc)
    assert aws.plain_error(exc) == "AWS had an internal error."


@pytest.mark.parametrize(
    "exc",
    [
        client_error("AccessDeniedException", operation="CreateFunction"),
        client_error("BucketAlreadyExists", status=409),
        client_error("ValidationException"),
        client_error("ResourceNotFoundException", status=404),
        NoCredentialsError(),
        ParamValidationError(report="Missing required parameter"),
        KeyError("x"),
        ValueError("bad"),
    ],
)
def test_terminal_errors_are_not_transient(exc):
    assert not aws.is_transient(exc)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("NoSuchBucket", 404),
        ("ResourceNotFoundException", 400),
        ("NotFoundException", 404),
        ("NoSuchEntity", 404),
        ("404", 404),
        ("SomethingElse", 404),
    ],
)
def test_not_found_codes_and_404s_count_as_gone(code, status):
    assert aws.is_not_found(client_error(code, status=status, operation="DeleteBucket"))


@pytest.mark.parametrize("code", ["AccessDenied", "BucketNotEmpty", "ResourceInUseException", "Throttling"])
def test_other_errors_are_not_gone(code):
    assert not aws.is_not_found(client_error(code, status=409))


def test_not_found_answers_of_moto_for_each_service(tenant, aws_env):
    def raised(call):
        try:
            call()
        except Exception as exc:
            return exc
        raise AssertionError("expected an error")

    clients = {
        s: aws.aws_client(s, tenant=tenant, region=REGION, role=aws.platform_role())
        for s in ("s3", "iam", "lambda", "dynamodb")
    }
    for exc in [
        raised(lambda: clients["s3"].head_bucket(Bucket="tijori-test-missing")),
        raised(lambda: clients["s3"].delete_bucket(Bucket="tijori-test-missing")),
        raised(lambda: clients["iam"].get_role(RoleName="tijori-test-missing")),
        raised(lambda: clients["iam"].delete_role(RoleName="tijori-test-missing")),
        raised(lambda: clients["lambda"].delete_function(FunctionName="tijori-test-missing")),
        raised(lambda: clients["dynamodb"].describe_table(TableName="tijori-test-missing")),
        raised(lambda: clients["dynamodb"].delete_table(TableName="tijori-test-missing")),
    ]:
        assert aws.is_not_found(exc), repr(exc)
        assert not aws.is_transient(exc)


def test_moto_keyerror_on_a_second_rest_api_delete_counts_as_gone(tenant, aws_env):
    apigateway = aws.aws_client("apigateway", tenant=tenant, region=REGION, role=aws.platform_role())
    api_id = apigateway.create_rest_api(name="tijori-test-api")["id"]
    apigateway.delete_rest_api(restApiId=api_id)
    with pytest.raises(KeyError) as raised:
        apigateway.delete_rest_api(restApiId=api_id)
    assert aws.is_not_found(raised.value)
    assert aws.error_code(raised.value) == "KeyError"


def test_a_keyerror_of_our_own_is_not_taken_for_gone():
    try:
        {}["missing"]
    except KeyError as exc:
        assert not aws.is_not_found(exc)


def test_emulator_500_on_api_delete_counts_as_gone_only_with_an_emulator(settings):
    exc = client_error("500", status=500, operation="DeleteRestApi", message="<!doctype html>...")
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:5000"
    assert aws.is_not_found(exc)
    assert not aws.is_not_found(client_error("500", status=500, operation="DeleteTable"))

    settings.AWS_ENDPOINT_URL = ""
    assert not aws.is_not_found(exc)  # on real AWS a 500 is a server error, retried
    assert aws.is_transient(exc)


def test_bucket_name_taken_by_another_account_is_said_plainly(tenant, aws_env):
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="tijori-test-taken", CreateBucketConfiguration={"LocationConstraint": REGION}
    )  # moto's default account, not the tenant's assumed role
    s3 = aws.aws_client("s3", tenant=tenant, region=REGION, role=aws.platform_role())
    with pytest.raises(ClientError) as raised:
        s3.create_bucket(Bucket="tijori-test-taken", CreateBucketConfiguration={"LocationConstraint": REGION})
    assert aws.error_code(raised.value) == "BucketAlreadyExists"
    assert aws.plain_error(raised.value) == "The bucket name is taken by another AWS account."


def test_plain_error_says_what_aws_refused():
    exc = client_error("AccessDeniedException", operation="CreateFunction", message="not allowed\n  here")
    assert aws.plain_error(exc) == "AWS refused: AccessDeniedException: not allowed here"


def test_plain_error_on_a_refused_assume_role_points_at_trust_policy_and_external_id():
    exc = client_error(
        "AccessDenied", status=403, operation="AssumeRole", message="User: x is not authorized"
    )
    message = aws.plain_error(exc)
    assert "trust policy" in message and "ExternalId" in message


def test_plain_error_never_shows_credentials_or_tracebacks():
    leaky = client_error(
        "InvalidParameterValueException",
        message="Key ASIAQWERTYUIOPASDFGH with secret wJalrXUtnFEMI/K7MDENG was rejected",
    )
    assert "ASIAQWERTYUIOPASDFGH" not in aws.plain_error(leaky)
    assert "[access key]" in aws.plain_error(leaky)
    assert aws.plain_error(
        client_error("SignatureDoesNotMatch", status=403, message="StringToSign secret")
    ) == ("AWS did not accept Tijori's credentials; a platform administrator must check them.")
    unexpected = aws.plain_error(RuntimeError("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG"))
    assert unexpected == "Something unexpected went wrong (RuntimeError)."
    assert "Traceback" not in aws.plain_error(client_error("ValidationException", message="x" * 5000))
    assert len(aws.plain_error(client_error("ValidationException", message="x" * 5000))) < 400


def test_plain_error_for_missing_credentials_and_bad_requests():
    assert "no AWS credentials" in aws.plain_error(NoCredentialsError())
    assert "Tijori's side" in aws.plain_error(ParamValidationError(report="Missing required parameter"))


def test_error_code_of_a_client_error_without_code_falls_back_to_the_status():
    exc = ClientError({"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 404}}, "HeadBucket")
    assert aws.error_code(exc) == "404"
    assert aws.is_not_found(exc)


# --- one vocabulary at the boundary ----------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        client_error("Throttling"),
        client_error("InternalError", status=500),
        EndpointConnectionError(endpoint_url="x"),
    ],
)
def test_translated_turns_what_can_recover_into_a_transient_error_with_its_words(exc):
    with pytest.raises(AwsTransientError) as raised, aws.translated():
        raise exc
    assert raised.value.message == aws.plain_error(exc) and raised.value.__cause__ is exc


@pytest.mark.parametrize(
    "exc",
    [
        client_error("AccessDeniedException", operation="CreateFunction"),
        NoCredentialsError(),
        WaiterError(name="TableExists", reason="Max attempts exceeded", last_response={}),
    ],
)
def test_translated_turns_the_rest_of_botocore_into_a_terminal_error(exc):
    with pytest.raises(AwsTerminalError) as raised, aws.translated():
        raise exc
    assert str(raised.value) == aws.plain_error(exc) and not isinstance(raised.value, AwsTransientError)


def test_translated_lets_a_bug_of_ours_through_as_it_is():
    with pytest.raises(KeyError), aws.translated():
        {}["missing"]


def test_ignore_not_found_takes_gone_as_done_and_lets_anything_else_through():
    with aws.ignore_not_found():
        raise client_error("NoSuchBucket", status=404, operation="DeleteBucket")
    with pytest.raises(ClientError), aws.ignore_not_found():
        raise client_error("AccessDenied", status=403, operation="DeleteBucket")
    with pytest.raises(KeyError), aws.ignore_not_found():
        {}["missing"]


def test_the_retry_ceiling_doubles_from_the_first_wait_up_to_the_most():
    ceilings = [aws.retry_ceiling(attempt) for attempt in range(1, 10)]
    assert ceilings == [15, 30, 60, 120, 240, 300, 300, 300, 300]
    assert (aws.RETRY_FIRST_SECONDS, aws.RETRY_MAX_SECONDS) == (15, 300)
