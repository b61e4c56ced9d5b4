"""Lint the IAM policies Tijori asks AWS accounts to hold, with parliament and its community auditors.

Each policy file of `apps/provisioning/iam/` is linted as an account will hold it: its placeholders
filled in by the same code that shows it to workspace owners (parliament reads a placeholder as a
malformed ARN and would stop there). Any finding fails, unless the allow-list file next to the
policies names it with its reason; an allow-list entry that matches no finding fails too, so the
list never outlives the finding it excuses.

Trust policies are not linted: parliament reads every policy as an identity policy and reports a
trust policy (which has a Principal and no Resource) as malformed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.provisioning import aws

ALLOWLIST_NAME = "lint-allowlist.json"
EXAMPLE_ACCOUNT = "123456789012"  # any 12 digits: findings do not depend on the account
EXAMPLE_ENVIRONMENT = "prod"


def _same(expected, found) -> bool:
    if isinstance(expected, list) and isinstance(found, list):
        return sorted(map(str, expected)) == sorted(map(str, found))
    return expected == found


def allowlist_entry(finding: dict, entries: list[dict]) -> dict | None:
    """The allow-list entry that excuses `finding`, or None."""
    location = finding.get("location") or {}
    policy = Path(str(location.get("filepath", ""))).name
    for entry in entries:
        same_place = entry["policy"] == policy and entry["issue"] == finding.get("issue")
        if same_place and all(_same(v, location.get(k)) for k, v in entry.get("location", {}).items()):
            return entry
    return None


def run_parliament(paths: list[Path]) -> list[dict]:
    """parliament's findings on the policy files, community auditors on (one JSON object a line)."""
    command = [sys.executable, "-m", "parliament.cli", "--include-community-auditors", "--json"]
    # No standard input: parliament reads stdin when it is not a terminal, and refuses --files then.
    done = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
        [*command, "--files", ",".join(str(p) for p in paths)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = []
    for line in done.stdout.splitlines():
        try:
            findings.append(json.loads(line))
        except json.JSONDecodeError:
            break
    if done.returncode not in (0, 1) or (done.returncode == 1 and not findings):
        raise CommandError(f"parliament did not run ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return findings


class Command(BaseCommand):
    help = "Lint the IAM policies with parliament (community auditors on); fail on findings not allow-listed."
    requires_system_checks = []  # reads policy files only: no models, no database

    def add_arguments(self, parser):
        parser.add_argument("--policies", type=Path, default=aws.POLICY_DIR, help="the folder of policies")

    def handle(self, *args, policies: Path, **options):
        files = sorted(p for p in policies.glob("*.json") if p.name != ALLOWLIST_NAME)
        if not files:
            raise CommandError(f"No policy files in {policies}.")
        entries = json.loads((policies / ALLOWLIST_NAME).read_text())["findings"]
        with tempfile.TemporaryDirectory() as folder:
            rendered = []
            for path in files:
                policy = aws.filled_policy(path, account_id=EXAMPLE_ACCOUNT, environment=EXAMPLE_ENVIRONMENT)
                rendered.append(Path(folder) / path.name)
                rendered[-1].write_text(json.dumps(policy, indent=2))
            findings = run_parliament(rendered)

        refused, used = [], set()
        for finding in findings:
            entry = allowlist_entry(finding, entries)
            location = {k: v for k, v in (finding.get("location") or {}).items() if k != "filepath"}
            policy = Path(str((finding.get("location") or {}).get("filepath", ""))).name
            detail = f" - {finding['detail']}" if finding.get("detail") else ""
            line = f"{finding.get('severity')} - {finding.get('title')}{detail} - {policy} - {location}"
            if entry is None:
                refused.append(line)
                self.stdout.write(f"NOT ALLOWED  {line}")
            else:
                used.add(id(entry))
                self.stdout.write(f"allowed      {line}")
        stale = [f"{e['policy']}: {e['issue']}" for e in entries if id(e) not in used]
        names = ", ".join(p.name for p in files)
        if refused or stale:
            problems = [f"{len(refused)} finding(s) not in {ALLOWLIST_NAME}"] if refused else []
            problems += [f"allow-list entries that match no finding (remove them): {stale}"] if stale else []
            raise CommandError(f"IAM policy lint failed on {names}: " + "; ".join(problems))
        self.stdout.write(f"IAM policy lint: {names}: {len(findings)} finding(s), all allow-listed.")
