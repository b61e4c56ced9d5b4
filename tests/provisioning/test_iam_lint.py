"""`manage.py iam_lint` (run by `make lint`, so by CI): parliament on the IAM policies, with an allow-list."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.provisioning import aws


def lint(policies=None) -> str:
    out = StringIO()
    call_command("iam_lint", *(["--policies", str(policies)] if policies else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def policies(tmp_path):
    """A copy of the policy folder, to plant a change in."""
    folder = tmp_path / "iam"
    shutil.copytree(aws.POLICY_DIR, folder)
    return folder


def _edit(path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, indent=2))


def test_the_policies_have_only_the_two_allow_listed_findings():
    output = lint()
    assert "execution-boundary.json, permission-policy.json: 2 finding(s), all allow-listed" in output
    assert (
        "allowed      HIGH - Privilege escalation" in output
        and "EditExistingLambdaFunctionWithRole" in output
    )
    assert "allowed      MEDIUM - Permissions management actions" in output
    assert "NOT ALLOWED" not in output


def test_a_new_finding_fails_the_lint(policies):
    statement = {"Sid": "Widen", "Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}
    _edit(policies / "permission-policy.json", lambda p: p["Statement"].append(statement))
    out = StringIO()
    with pytest.raises(CommandError, match=r"not in lint-allowlist\.json"):
        call_command("iam_lint", "--policies", str(policies), stdout=out)
    assert "NOT ALLOWED  HIGH - Privilege escalation" in out.getvalue()
    assert "CreateAccessKey" in out.getvalue()


def test_a_finding_in_a_new_policy_file_fails_the_lint(policies):
    wide = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}],
    }
    (policies / "another-policy.json").write_text(json.dumps(wide))
    with pytest.raises(CommandError, match=r"another-policy\.json"):
        lint(policies)


def test_an_allow_list_entry_that_matches_nothing_fails_the_lint(policies):
    def add_entry(allowlist):
        allowlist["findings"].append(
            {"policy": "permission-policy.json", "issue": "CREDENTIALS_EXPOSURE", "reason": "no longer true"}
        )

    _edit(policies / "lint-allowlist.json", add_entry)
    with pytest.raises(CommandError, match=r"match no finding \(remove them\).*CREDENTIALS_EXPOSURE"):
        lint(policies)
