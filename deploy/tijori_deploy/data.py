"""PostgreSQL (Multi-AZ primary and a read replica), Redis, and the secrets the processes log in with."""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from tijori_deploy.config import EnvironmentConfig

DATABASE_NAME = "tijori"
# The roles of `manage.py db_roles`: the owner runs migrations, the app role owns nothing and is held
# by row-level security, the platform role (no login, BYPASSRLS) is what the app switches to for
# platform-wide work.
OWNER_ROLE, APP_ROLE, PLATFORM_ROLE = "tijori_owner", "tijori_app", "tijori_platform"
MASTER_USER = "postgres"
# Libpq reads these: TLS to RDS, the server's certificate checked against Amazon's CA bundle, which the
# image carries (docker/Dockerfile).
RDS_CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem"


def _login_secret(scope: Construct, id: str, *, username: str, key: kms.IKey, description: str):
    return secretsmanager.Secret(
        scope,
        id,
        description=description,
        encryption_key=key,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps({"username": username}),
            generate_string_key="password",
            exclude_punctuation=True,  # goes into a URL: letters and digits only
            password_length=40,
        ),
    )


class Secrets(Construct):
    """Django's secret key, the app and owner logins, Razorpay's keys and the provisioning ExternalId."""

    def __init__(self, scope: Construct, id: str, *, key: kms.IKey) -> None:
        super().__init__(scope, id)
        self.django = secretsmanager.Secret(
            self,
            "DjangoSecretKey",
            description="DJANGO_SECRET_KEY",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_characters="\"'`\\$ "
            ),
        )
        self.app_login = _login_secret(
            self,
            "DatabaseAppLogin",
            username=APP_ROLE,
            key=key,
            description="PostgreSQL app role (web, workers, beat)",
        )
        self.owner_login = _login_secret(
            self,
            "DatabaseOwnerLogin",
            username=OWNER_ROLE,
            key=key,
            description="PostgreSQL owner role (migrations)",
        )
        # Real keys are put in by hand (docs/deploy.md); the webhook secret is generated here.
        self.razorpay = secretsmanager.Secret(
            self,
            "Razorpay",
            description="Razorpay key id, key secret and webhook secret",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"key_id": "set-me", "key_secret": "set-me"}),
                generate_string_key="webhook_secret",
                exclude_punctuation=True,
                password_length=32,
            ),
        )
        self.external_id = secretsmanager.Secret(
            self,
            "ProvisioningExternalId",
            description="AWS_EXTERNAL_ID: the ExternalId the platform provisioning role's trust policy requires",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=43, exclude_punctuation=True
            ),
        )


class Database(Construct):
    """RDS PostgreSQL 16: encrypted, TLS only, private, backed up, with a streaming read replica."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id)
        sizes = config.database
        engine = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16_13)
        shared = {
            "rds.force_ssl": "1",  # TLS only
            "log_min_duration_statement": "1000",  # statements slower than 1 s reach the logs
            "shared_preload_libraries": "pg_stat_statements",
        }
        primary_parameters = rds.ParameterGroup(
            self, "Parameters", engine=engine, description="Tijori primary", parameters=shared
        )
        replica_parameters = rds.ParameterGroup(
            self,
            "ReplicaParameters",
            engine=engine,
            description="Tijori read replica",
            # A long report is not cancelled by the primary's vacuum (at the price of some bloat there).
            parameters={**shared, "hot_standby_feedback": "1"},
        )
        identifier = f"tijori-{config.name}"
        # Created here (with a retention) before RDS would create it without one.
        log_group = logs.LogGroup(
            self,
            "PostgresLogs",
            log_group_name=f"/aws/rds/instance/{identifier}/postgresql",
            retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.instance = rds.DatabaseInstance(
            self,
            "Primary",
            instance_identifier=identifier,
            engine=engine,
            instance_type=ec2.InstanceType(sizes.instance_class),
            vpc=vpc,
            vpc_subnets=private,
            security_groups=[security_group],
            publicly_accessible=False,
            credentials=rds.Credentials.from_generated_secret(
                MASTER_USER, encryption_key=key, exclude_characters="\"@/\\' %:?#&"
            ),
            database_name=DATABASE_NAME,
            multi_az=sizes.multi_az,
            storage_type=rds.StorageType.GP3,
            allocated_storage=sizes.allocated_gb,
            max_allocated_storage=sizes.max_allocated_gb,
            storage_encrypted=True,
            storage_encryption_key=key,
            backup_retention=Duration.days(sizes.backup_retention_days),
            preferred_backup_window="19:00-20:00",  # 00:30 to 01:30 in India
            preferred_maintenance_window="sun:21:00-sun:22:00",
            copy_tags_to_snapshot=True,
            deletion_protection=sizes.deletion_protection,
            removal_policy=RemovalPolicy.SNAPSHOT,
            parameter_group=primary_parameters,
            cloudwatch_logs_exports=["postgresql"],
            enable_performance_insights=sizes.performance_insights,
            performance_insight_encryption_key=key if sizes.performance_insights else None,
            monitoring_interval=Duration.seconds(60),
            auto_minor_version_upgrade=True,
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
        )
        self.instance.node.add_dependency(log_group)
        self.replica = rds.DatabaseInstanceReadReplica(
            self,
            "Replica",
            instance_identifier=f"{identifier}-replica",
            source_database_instance=self.instance,
            instance_type=ec2.InstanceType(sizes.replica_instance_class),
            vpc=vpc,
            vpc_subnets=private,
            security_groups=[security_group],
            publicly_accessible=False,
            # Encrypted like its source, with the same key: RDS refuses StorageEncrypted on a replica.
            parameter_group=replica_parameters,
            deletion_protection=sizes.deletion_protection,
            removal_policy=RemovalPolicy.DESTROY,  # holds nothing the primary does not
            enable_performance_insights=sizes.performance_insights,
            performance_insight_encryption_key=key if sizes.performance_insights else None,
            monitoring_interval=Duration.seconds(60),
            auto_minor_version_upgrade=True,
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
        )
        self.master_secret = self.instance.secret


class Cache(Construct):
    """ElastiCache Redis: the cache and the Celery broker. Private, encrypted at rest and in transit."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id)
        subnets = elasticache.CfnSubnetGroup(
            self,
            "Subnets",
            description="Tijori Redis: the data subnets",
            subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
        )
        self.replication_group_id = f"tijori-{config.name}"
        failover = config.cache.nodes > 1
        self.group = elasticache.CfnReplicationGroup(
            self,
            "Redis",
            replication_group_id=self.replication_group_id,
            replication_group_description="Tijori cache and Celery broker",
            engine="redis",
            engine_version="7.1",
            cache_node_type=config.cache.node_type,
            num_cache_clusters=config.cache.nodes,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[security_group.security_group_id],
            port=6379,
            at_rest_encryption_enabled=True,
            kms_key_id=key.key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            snapshot_retention_limit=7 if failover else 1,
            snapshot_window="18:00-19:00",
            preferred_maintenance_window="sun:22:00-sun:23:00",
            auto_minor_version_upgrade=True,
        )

    @property
    def url(self) -> str:
        """REDIS_URL: TLS (rediss) with the server's certificate checked."""
        return (
            f"rediss://{self.group.attr_primary_end_point_address}:{self.group.attr_primary_end_point_port}/0"
            "?ssl_cert_reqs=required"
        )


_RETENTIONS = {
    1: logs.RetentionDays.ONE_DAY,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def retention(days: int) -> logs.RetentionDays:
    """CloudWatch Logs accepts only some retentions; the config names one of them."""
    try:
        return _RETENTIONS[days]
    except KeyError:
        raise ValueError(f"log retention of {days} days: choose one of {sorted(_RETENTIONS)}") from None
