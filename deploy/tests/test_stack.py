"""The properties of the deployment that matter, checked on the synthesized templates of both environments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tijori_deploy.config import ENVIRONMENTS, QUEUES

from tests.conftest import props, resources

SENSITIVE = ("iam:", "sts:", "kms:", "secretsmanager:", "s3:", "rds:", "ssm:", "ecs:", "lambda:")


def _logical(template: dict, kind: str, fragment: str) -> tuple[str, dict]:
    matches = [(n, r) for n, r in resources(template, kind).items() if fragment in n]
    assert len(matches) == 1, f"{kind} with {fragment!r}: {[n for n, _ in matches]}"
    return matches[0]


def _ref_names(value) -> set[str]:
    """Logical ids a property refers to (Ref and Fn::GetAtt, anywhere inside it)."""
    found = set()
    if isinstance(value, dict):
        if "Ref" in value:
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for inner in value.values():
            found |= _ref_names(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _ref_names(inner)
    return found


def _containers(template: dict, fragment: str) -> list[dict]:
    _name, task = _logical(template, "AWS::ECS::TaskDefinition", fragment)
    return task["Properties"]["ContainerDefinitions"]


def _env(container: dict) -> dict:
    return {item["Name"]: item["Value"] for item in container.get("Environment", [])}


def _secret_names(container: dict) -> set[str]:
    return {item["Name"] for item in container.get("Secrets", [])}


# --- Offline ---------------------------------------------------------------------------------------------


def test_synthesis_needs_no_account_network_or_lookup(assembly):
    manifest = json.loads(Path(assembly.directory, "manifest.json").read_text())
    assert not manifest.get("missing")  # no context lookup was needed (or made)
    for config in ENVIRONMENTS.values():
        environment = manifest["artifacts"][config.stack_name]["environment"]
        assert environment == f"aws://unknown-account/{config.region}"  # deploys into whichever account
    for name in ENVIRONMENTS:
        assets = json.loads(Path(assembly.directory, f"Tijori-{name}.assets.json").read_text())
        assert not assets.get("dockerImages")  # nothing to build with Docker
        # The only file asset is the template itself: no Lambda bundles, no custom-resource framework.
        assert all(a["source"]["path"].endswith(".template.json") for a in assets.get("files", {}).values())


# --- Network: nothing of the data is reachable from outside --------------------------------------------


def test_database_and_cache_are_private(template):
    for db in props(template, "AWS::RDS::DBInstance"):
        assert db["PubliclyAccessible"] is False
    for group in props(template, "AWS::RDS::DBSubnetGroup") + props(
        template, "AWS::ElastiCache::SubnetGroup"
    ):
        subnets = _ref_names(group["SubnetIds"])
        assert subnets and all("dataSubnet" in s for s in subnets)  # the isolated subnets: no route out
    for name, rule in resources(template, "AWS::EC2::SecurityGroupIngress").items():
        port = rule["Properties"]["FromPort"]
        if port in (5432, 6379, 8000):
            assert "SourceSecurityGroupId" in rule["Properties"] and "CidrIp" not in rule["Properties"], name
    for group in props(template, "AWS::EC2::SecurityGroup"):
        for rule in group.get("SecurityGroupIngress", []):
            assert rule["FromPort"] in (80, 443), group["GroupDescription"]  # only the load balancer's


def test_tasks_run_in_private_subnets_without_public_addresses(template):
    for service in props(template, "AWS::ECS::Service"):
        network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network["AssignPublicIp"] == "DISABLED"
        assert all("tasksSubnet" in s for s in _ref_names(network["Subnets"]))


# --- Encryption at rest and TLS in transit --------------------------------------------------------------


def test_everything_is_encrypted_at_rest(template):
    for bucket in props(template, "AWS::S3::Bucket"):
        rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    instances = resources(template, "AWS::RDS::DBInstance")
    primary = next(
        r["Properties"] for r in instances.values() if "SourceDBInstanceIdentifier" not in r["Properties"]
    )
    assert primary["StorageEncrypted"] is True and primary["KmsKeyId"]
    for replica in (
        r["Properties"] for r in instances.values() if "SourceDBInstanceIdentifier" in r["Properties"]
    ):
        # A replica is encrypted with its source's key; it must be a replica of the encrypted primary.
        assert _ref_names(replica["SourceDBInstanceIdentifier"]) & set(instances)
    (cache,) = props(template, "AWS::ElastiCache::ReplicationGroup")
    assert cache["AtRestEncryptionEnabled"] is True and cache["KmsKeyId"]
    for secret in props(template, "AWS::SecretsManager::Secret"):
        assert secret["KmsKeyId"]
    for topic in props(template, "AWS::SNS::Topic"):
        assert topic["KmsMasterKeyId"]
    (key,) = props(template, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True


def test_tls_only(template):
    buckets = set(resources(template, "AWS::S3::Bucket"))
    denied = set()
    for policy in props(template, "AWS::S3::BucketPolicy"):
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                denied |= _ref_names(policy["Bucket"])
    assert denied == buckets
    for group in props(template, "AWS::RDS::DBParameterGroup"):
        assert group["Parameters"]["rds.force_ssl"] == "1"
    (cache,) = props(template, "AWS::ElastiCache::ReplicationGroup")
    assert cache["TransitEncryptionEnabled"] is True and cache["TransitEncryptionMode"] == "required"
    listeners = {x["Port"]: x for x in props(template, "AWS::ElasticLoadBalancingV2::Listener")}
    assert set(listeners) == {80, 443}
    assert listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"]
    assert listeners[443]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    (cdn,) = props(template, "AWS::CloudFront::Distribution")
    assert cdn["DistributionConfig"]["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    for container in _containers(template, "WebTask"):
        assert _env(container)["PGSSLMODE"] == "verify-full"
        assert _env(container)["REDIS_URL"]["Fn::Join"][1][0] == "rediss://"


# --- Files ------------------------------------------------------------------------------------------------


def test_invoices_are_locked_in_compliance_mode(template, env_name):
    _name, bucket = _logical(template, "AWS::S3::Bucket", "FilesInvoices")
    bucket = bucket["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    retention = bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] == "COMPLIANCE"
    assert retention["Days"] == ENVIRONMENTS[env_name].invoice_lock_days
    if env_name == "production":
        assert retention["Days"] >= 8 * 365  # manage.py check --deploy's floor


def test_exports_expire_after_seven_days_and_backups_have_a_lifecycle(template, env_name):
    _name, exports = _logical(template, "AWS::S3::Bucket", "FilesExports")
    (rule,) = exports["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == 7
    _name, backups = _logical(template, "AWS::S3::Bucket", "FilesBackups")
    (rule,) = backups["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == ENVIRONMENTS[env_name].backups_keep_days
    assert backups["Properties"]["VersioningConfiguration"]["Status"] == "Enabled"


def test_every_storage_of_the_app_has_its_bucket_and_logos_go_through_cloudfront(template):
    env = _env(_containers(template, "WebTask")[0])
    for alias in ("DEFAULT", "PUBLIC", "CERTIFICATES", "INVOICES", "EXPORTS", "BACKUPS"):
        assert _ref_names(env[f"S3_BUCKET_{alias}"]) <= set(resources(template, "AWS::S3::Bucket"))
    assert _ref_names(env["S3_PUBLIC_DOMAIN"]) == set(resources(template, "AWS::CloudFront::Distribution"))
    for bucket in props(template, "AWS::S3::Bucket"):
        # The public bucket too: only CloudFront reads it.
        assert all(bucket["PublicAccessBlockConfiguration"].values())


# --- Processes ----------------------------------------------------------------------------------------------


def _service_of(template: dict, fragment: str) -> tuple[str, dict]:
    return _logical(template, "AWS::ECS::Service", fragment)


def test_exactly_one_beat_also_during_a_deployment(template):
    beats = [
        n
        for n, task in resources(template, "AWS::ECS::TaskDefinition").items()
        for c in task["Properties"]["ContainerDefinitions"]
        if "beat" in c.get("Command", [])
    ]
    assert len(beats) == 1
    services = [s for s in props(template, "AWS::ECS::Service") if s["TaskDefinition"] == {"Ref": beats[0]}]
    assert len(services) == 1
    (beat,) = services
    assert beat["DesiredCount"] == 1
    assert beat["DeploymentConfiguration"]["MaximumPercent"] == 100  # the old one stops first
    beat_name, _ = _service_of(template, "BeatService")
    for target in props(template, "AWS::ApplicationAutoScaling::ScalableTarget"):
        assert beat_name not in _ref_names(target["ResourceId"])  # never scaled


def test_a_worker_service_per_queue_scaled_on_its_queue_depth(template, env_name):
    policies = props(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    for queue in QUEUES:
        (container,) = _containers(template, f"Worker{queue.title()}Task")
        assert f"--queues={queue}" in container["Command"]
        name, _service = _service_of(template, f"Worker{queue.title()}Service")
        _target_name, target = next(
            (n, t) for n, t in resources(template, "AWS::ApplicationAutoScaling::ScalableTarget").items()
            if name in _ref_names(t["Properties"]["ResourceId"])
        )  # fmt: skip
        assert target["Properties"]["MaxCapacity"] == ENVIRONMENTS[env_name].workers[queue].max_tasks
    alarms = {
        a["Dimensions"][1]["Value"]
        for a in props(template, "AWS::CloudWatch::Alarm")
        if a.get("MetricName") == "QueueDepth" and a.get("Period") == 60
    }
    assert alarms == set(QUEUES)  # the step-scaling alarms, one per queue
    assert sum(p["PolicyType"] == "StepScaling" for p in policies) == 2 * len(QUEUES)  # up and down


def test_web_is_behind_the_balancer_with_the_health_check_and_scales_on_cpu_and_requests(template, env_name):
    (group,) = props(template, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["HealthCheckPath"] == "/api/health/live" and group["Port"] == 8000
    _name, web = _service_of(template, "WebService")
    assert web["Properties"]["LoadBalancers"][0]["ContainerPort"] == 8000
    tracking = [
        p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]
        for p in props(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
        if p["PolicyType"] == "TargetTrackingScaling"
    ]
    assert sorted(tracking) == ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]


def test_migrations_run_as_the_owner_before_any_service_and_services_run_as_the_app_role(template):
    run, _ = _logical(template, "Custom::TijoriMigrations", "Migrations")
    (migrate,) = _containers(template, "MigrateTask")
    assert "migrate" in " ".join(migrate["Command"])
    assert _env(migrate)["DATABASE_OWNER_USER"] == "tijori_owner"
    assert {"DATABASE_OWNER_PASSWORD", "DATABASE_SUPERUSER_PASSWORD"} <= _secret_names(migrate)
    for name, service in resources(template, "AWS::ECS::Service").items():
        assert run in service.get("DependsOn", []), name
        task = template["Resources"][service["Properties"]["TaskDefinition"]["Ref"]]
        for container in task["Properties"]["ContainerDefinitions"]:
            env, secrets = _env(container), _secret_names(container)
            assert env["DATABASE_USER"] == "tijori_app" and env["DATABASE_PLATFORM_ROLE"] == "tijori_platform"
            assert not {n for n in (*env, *secrets) if "OWNER" in n or "SUPERUSER" in n}, name
            assert "DATABASE_READ_HOST" in env


# --- Safety of production ----------------------------------------------------------------------------------


def test_deletion_protection_in_production(templates):
    production, staging = templates["production"], templates["staging"]
    for db in props(production, "AWS::RDS::DBInstance"):
        assert db["DeletionProtection"] is True
    primary = next(
        r for r in resources(production, "AWS::RDS::DBInstance").values() if "MultiAZ" in r["Properties"]
    )
    assert primary["Properties"]["MultiAZ"] is True and primary["DeletionPolicy"] == "Snapshot"
    assert primary["Properties"]["BackupRetentionPeriod"] >= 7
    for bucket in resources(production, "AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Retain"
    (balancer,) = props(production, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in balancer["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == "true"
    assert len(resources(production, "AWS::EC2::NatGateway")) == 2  # one per AZ
    (cache,) = props(production, "AWS::ElastiCache::ReplicationGroup")
    assert cache["MultiAZEnabled"] is True and cache["AutomaticFailoverEnabled"] is True
    for db in props(staging, "AWS::RDS::DBInstance"):
        assert db["DeletionProtection"] is False  # staging can be torn down


def test_a_read_replica_of_the_primary(template):
    instances = resources(template, "AWS::RDS::DBInstance")
    replicas = [r for r in instances.values() if "SourceDBInstanceIdentifier" in r["Properties"]]
    assert len(instances) == 2 and len(replicas) == 1


# --- Least privilege -----------------------------------------------------------------------------------------


def _task_role_statements(template: dict) -> list[tuple[str, dict]]:
    task_roles = {
        ref
        for task in props(template, "AWS::ECS::TaskDefinition")
        for ref in _ref_names(task.get("TaskRoleArn", {}))
    }
    assert task_roles
    found = []
    for name, policy in resources(template, "AWS::IAM::Policy").items():
        if _ref_names(policy["Properties"]["Roles"]) & task_roles:
            found += [(name, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    for role in task_roles:
        assert not template["Resources"][role]["Properties"].get("ManagedPolicyArns"), role
    return found


def test_task_roles_have_no_wildcard_on_sensitive_services(template):
    for name, statement in _task_role_statements(template):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in action for action in actions), (name, actions)
        resources_ = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        if any(action.startswith(SENSITIVE) for action in actions):
            assert "*" not in resources_, (name, actions)


def test_web_and_workers_may_assume_the_provisioning_role_and_nothing_broader(template, env_name):
    assumed = [s for _n, s in _task_role_statements(template) if "sts:AssumeRole" in s["Action"]]
    assert len(assumed) == 2  # web and workers
    for statement in assumed:
        assert statement["Resource"] == ENVIRONMENTS[env_name].provisioning_role_arn
        assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]


# --- Alarms ----------------------------------------------------------------------------------------------------


def test_alarms_reach_the_topic(template):
    alarms = props(template, "AWS::CloudWatch::Alarm")
    (topic,) = resources(template, "AWS::SNS::Topic")
    named = {a.get("AlarmName", ""): a for a in alarms}
    for suffix in (
        "Web5xxRate", "WebLatencyP95", "QueueDepth-default", "QueueDepth-aws", "QueueDepth-reports",
        "DatabaseCpu", "DatabaseFreeStorage", "ReplicaLag", "BackupMissing",
    ):  # fmt: skip
        (alarm,) = [a for n, a in named.items() if n.endswith(suffix)]
        assert alarm["AlarmActions"] == [{"Ref": topic}], suffix
    (latency,) = [a for n, a in named.items() if n.endswith("WebLatencyP95")]
    assert latency["ExtendedStatistic"] == "p95"


@pytest.mark.parametrize("kind", ["AWS::Logs::LogGroup"])
def test_logs_are_kept_for_the_configured_time(template, env_name, kind):
    for group in props(template, kind):
        assert group["RetentionInDays"] == ENVIRONMENTS[env_name].log_retention_days


def test_the_image_carries_what_the_stack_expects(template):
    """The Dockerfile installs a pg_dump of the server's major version and the CA bundle libpq checks RDS with."""
    dockerfile = (Path(__file__).resolve().parents[2] / "docker" / "Dockerfile").read_text()
    versions = {
        db["EngineVersion"] for db in props(template, "AWS::RDS::DBInstance") if "EngineVersion" in db
    }
    (version,) = versions
    assert f"postgresql-client-{version.split('.')[0]}" in dockerfile
    (web,) = _containers(template, "WebTask")
    assert _env(web)["PGSSLROOTCERT"] in dockerfile
