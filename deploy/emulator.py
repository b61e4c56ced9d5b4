"""Create a synthesized stack on the local AWS emulator's CloudFormation (moto server) and report, by
resource type, what it created and what it could not.

    .venv/bin/python deploy/emulator.py deploy/cdk.out/Tijori-production.template.json

Run with the app's virtualenv (moto is one of its development tools). moto implements CloudFormation
for some resource types only, and refuses a whole template whose outputs name an attribute of a
type it does not know. So resources of unsupported types are taken out first, and every reference
to one (Ref, Fn::GetAtt, DependsOn, an output) is replaced by a placeholder string; everything else
is created as written. The custom resource that runs migrations is taken out too: it would start an
ECS task, which the emulator cannot run. Exits 1 if the stack does not reach CREATE_COMPLETE or if a
resource of a supported type was not created.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import sys
import time
from pathlib import Path

import boto3
from moto.cloudformation.parsing import get_model_map
from moto.server import ThreadedMotoServer

# The CDK bootstrap version check every synthesized template carries.
BOOTSTRAP_PARAMETER = "/cdk-bootstrap/hnb659fds/version"


# Types moto lists as supported but fails to create from these templates (moto 5.2.5): left out too.
EMULATOR_FAILS = {
    "AWS::KMS::Key": "moto fails on the key's Tags (it expects TagKey/TagValue, CloudFormation sends Key/Value)",
    "AWS::RDS::DBParameterGroup": "moto passes the group itself, not its name, to a DB instance that refers to it",
    "Custom::TijoriMigrations": "it starts the migration task on ECS, which the emulator cannot run",
}


def supported(resource_type: str) -> bool:
    return resource_type in get_model_map() and resource_type not in EMULATOR_FAILS


def read_back(template: dict, physical: dict[str, str], clients: dict) -> dict[str, bool]:
    """Which of the properties that matter the emulator applied to what it created (it ignores some)."""
    s3 = boto3.client("s3", **clients)
    rds = boto3.client("rds", **clients)
    applied: dict[str, bool] = {}

    def ask(label: str, call) -> None:
        try:
            applied[label] = applied.get(label, True) and bool(call())
        except s3.exceptions.ClientError:
            applied[label] = False

    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::S3::Bucket":
            bucket = physical[name]
            ask("bucket encryption", lambda b=bucket: s3.get_bucket_encryption(Bucket=b))
            if properties.get("ObjectLockEnabled"):
                ask(
                    "Object Lock in compliance mode (invoices)",
                    lambda b=bucket: (
                        s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]["Rule"][
                            "DefaultRetention"
                        ]["Mode"]
                        == "COMPLIANCE"
                    ),
                )
            if "LifecycleConfiguration" in properties:
                ask(
                    "bucket lifecycle rules",
                    lambda b=bucket: s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"],
                )
            if "VersioningConfiguration" in properties:
                ask(
                    "bucket versioning",
                    lambda b=bucket: s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled",
                )
            ask(
                "public access block",
                lambda b=bucket: s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"],
            )
        if resource["Type"] == "AWS::RDS::DBInstance":
            (instance,) = rds.describe_db_instances(DBInstanceIdentifier=physical[name])["DBInstances"]
            applied["databases not publicly accessible"] = (
                applied.get("databases not publicly accessible", True) and not instance["PubliclyAccessible"]
            )
    return applied


# Properties the emulator checks against what exists: left out (they are optional) when they name a
# resource that was left out, instead of getting a placeholder.
DROP_WHEN_MISSING = frozenset({"DBParameterGroupName", "KmsKeyId", "PerformanceInsightsKMSKeyId"})


# Shaped like an ARN, since most references in IAM policies and task definitions are checked as ARNs.
PLACEHOLDER = "arn:aws:emulator:::missing-"


def _missing(value, replacements: dict[str, str]) -> bool:
    return isinstance(value, dict) and (
        (value.keys() == {"Ref"} and value["Ref"] in replacements)
        or (value.keys() == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in replacements)
    )


def _replace(value, replacements: dict[str, str]):
    """The value with every reference to a left-out resource replaced by its stand-in."""
    if isinstance(value, dict):
        if value.keys() == {"Ref"} and value["Ref"] in replacements:
            return replacements[value["Ref"]]
        if value.keys() == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in replacements:
            return f"{replacements[value['Fn::GetAtt'][0]]}-{value['Fn::GetAtt'][1]}"
        return {
            key: _replace(inner, replacements)
            for key, inner in value.items()
            if not (key in DROP_WHEN_MISSING and _missing(inner, replacements))
        }
    if isinstance(value, list):
        return [_replace(inner, replacements) for inner in value]
    return value


# Left-out resources that others cannot do without, made through the emulator's own API instead.
def _certificate(clients: dict, resource: dict) -> str:
    acm = boto3.client("acm", **clients)
    return acm.request_certificate(DomainName=resource["Properties"]["DomainName"])["CertificateArn"]


STAND_INS = {"AWS::CertificateManager::Certificate": _certificate}


def imported_zones(template: dict, clients: dict) -> dict:
    """The stack imports its Route 53 zone (made once by hand): make one in the emulator and use its id."""
    route53 = boto3.client("route53", **clients)
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Route53::RecordSet":
            continue
        properties = resource["Properties"]
        zone_name = properties["Name"].split(".", 1)[1]
        zone = route53.create_hosted_zone(Name=zone_name, CallerReference=f"emulator-{time.time()}")
        properties["HostedZoneId"] = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    return template


def prune(template: dict, clients: dict) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The template without the resources the emulator cannot create; their types; and the stand-ins made."""
    removed = {name: r["Type"] for name, r in template["Resources"].items() if not supported(r["Type"])}
    replacements = {name: f"{PLACEHOLDER}{name}" for name in removed}
    stood_in = {}
    for name, kind in removed.items():
        if kind in STAND_INS:
            replacements[name] = stood_in[name] = STAND_INS[kind](clients, template["Resources"][name])
    kept = {}
    for name, resource in template["Resources"].items():
        if name in removed:
            continue
        resource = _replace(resource, replacements)
        depends = resource.get("DependsOn")
        if depends:
            depends = [depends] if isinstance(depends, str) else depends
            resource["DependsOn"] = [d for d in depends if d not in removed]
        kept[name] = resource
    pruned = {**template, "Resources": kept}
    pruned["Outputs"] = _replace(template.get("Outputs", {}), replacements)
    return pruned, removed, stood_in


def create(template_path: Path, endpoint: str, region: str) -> int:
    template = json.loads(template_path.read_text())
    clients = {"region_name": region, "endpoint_url": endpoint}
    pruned, removed, _stood_in = prune(imported_zones(template, clients), clients)
    boto3.client("ssm", **clients).put_parameter(
        Name=BOOTSTRAP_PARAMETER, Value="30", Type="String", Overwrite=True
    )
    cloudformation = boto3.client("cloudformation", **clients)
    name = template_path.name.removesuffix(".template.json")
    parameters = [{"ParameterKey": "ImageTag", "ParameterValue": "emulator"}]
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=json.dumps(pruned),
        Parameters=parameters if "ImageTag" in template.get("Parameters", {}) else [],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    deadline = time.monotonic() + 300
    while True:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(1)
    summaries = cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]
    done = [s for s in summaries if s["ResourceStatus"] == "CREATE_COMPLETE"]
    created = collections.Counter(summary["ResourceType"] for summary in done)
    physical = {summary["LogicalResourceId"]: summary["PhysicalResourceId"] for summary in done}
    wanted = collections.Counter(r["Type"] for r in template["Resources"].values())
    print(f"{name} on the emulator: {stack['StackStatus']} {stack.get('StackStatusReason') or ''}".rstrip())
    print(f"{'resource type':52} {'in template':>11} {'created':>8}")
    missing = []
    for kind in sorted(wanted):
        note = ""
        if kind in EMULATOR_FAILS:
            note = f"  (left out: {EMULATOR_FAILS[kind]})"
        elif not supported(kind):
            note = "  (no CloudFormation support in the emulator)"
        if kind in STAND_INS:
            note += "; made through the emulator's API instead, for the resources that use it"
        print(f"{kind:52} {wanted[kind]:>11} {created[kind]:>8}{note}")
        if supported(kind) and created[kind] != wanted[kind]:
            missing.append(kind)
    print(
        f"created {sum(created.values())} of {sum(wanted.values())} resources; left out "
        f"{len(removed)} resources of {len(set(removed.values()))} types"
    )
    if stack["StackStatus"] != "CREATE_COMPLETE" or missing:
        print(f"not created although supported: {missing or 'the stack itself'}", file=sys.stderr)
        return 1
    for label, done in read_back(pruned, physical, clients).items():
        print(f"read back: {label}: {'as written' if done else 'not applied by the emulator'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="+", type=Path)
    parser.add_argument("--endpoint", help="a running emulator (default: start one on a free port)")
    parser.add_argument("--region", default="ap-south-1")
    options = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log
    server = None
    endpoint = options.endpoint
    if not endpoint:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
    try:
        return max(create(path, endpoint, options.region) for path in options.templates)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
