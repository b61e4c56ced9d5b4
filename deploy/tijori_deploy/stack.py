"""One environment of Tijori: network, data, files, processes and alarms, from one config."""

from __future__ import annotations

from aws_cdk import CfnOutput, CfnParameter, Environment, RemovalPolicy, Stack, Tags
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from tijori_deploy.alarms import Alarms
from tijori_deploy.config import EnvironmentConfig
from tijori_deploy.data import Cache, Database, Secrets
from tijori_deploy.files import Files
from tijori_deploy.services import Services


class TijoriStack(Stack):
    def __init__(self, scope: Construct, config: EnvironmentConfig) -> None:
        super().__init__(
            scope,
            config.stack_name,
            # No account: nothing is ever looked up (availability zones resolve at deploy time with
            # Fn::GetAZs), so the template is the same in CI, without credentials, and when deployed.
            env=Environment(region=config.region),
            description=f"Tijori {config.name}: ECS Fargate, RDS PostgreSQL, ElastiCache Redis, S3",
            termination_protection=config.database.deletion_protection,
        )
        for name, value in config.tags.items():
            Tags.of(self).add(name, value)
        image_tag = CfnParameter(
            self,
            "ImageTag",
            type="String",
            description="Tag of the image in the ECR repository to run (web, workers, beat, migrations)",
            allowed_pattern=r"[A-Za-z0-9_.-]{1,128}",
        ).value_as_string

        vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(config.vpc_cidr),
            max_azs=2,
            nat_gateways=config.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name="tasks", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
                ec2.SubnetConfiguration(
                    name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
            # S3 traffic stays off the NAT gateways (and their per-GB charge).
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
        )
        balancer_group = ec2.SecurityGroup(
            self, "BalancerSg", vpc=vpc, description="Tijori load balancer: HTTPS and HTTP from anywhere"
        )
        balancer_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS")
        balancer_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(80), "HTTP, redirected to HTTPS")
        web_group = ec2.SecurityGroup(
            self, "WebSg", vpc=vpc, description="Tijori web tasks: from the load balancer"
        )
        web_group.add_ingress_rule(balancer_group, ec2.Port.tcp(8000), "gunicorn, from the load balancer")
        tasks_group = ec2.SecurityGroup(
            self, "TasksSg", vpc=vpc, description="Tijori workers, beat and migrations: no inbound traffic"
        )
        database_group = ec2.SecurityGroup(
            self,
            "DatabaseSg",
            vpc=vpc,
            description="Tijori PostgreSQL: from the tasks only",
            allow_all_outbound=False,
        )
        cache_group = ec2.SecurityGroup(
            self,
            "CacheSg",
            vpc=vpc,
            description="Tijori Redis: from the tasks only",
            allow_all_outbound=False,
        )
        for group in (web_group, tasks_group):
            database_group.add_ingress_rule(group, ec2.Port.tcp(5432), "PostgreSQL")
            cache_group.add_ingress_rule(group, ec2.Port.tcp(6379), "Redis (TLS)")

        key = kms.Key(
            self,
            "DataKey",
            description=f"Tijori {config.name}: database, cache, secrets, alarm topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch alarms publish to the encrypted topic.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        secrets = Secrets(self, "Secrets", key=key)
        database = Database(self, "Database", config=config, vpc=vpc, security_group=database_group, key=key)
        cache = Cache(self, "Cache", config=config, vpc=vpc, security_group=cache_group, key=key)
        files = Files(self, "Files", config=config)
        services = Services(
            self,
            "Services",
            config=config,
            vpc=vpc,
            tasks_group=tasks_group,
            web_group=web_group,
            balancer_group=balancer_group,
            database=database,
            cache=cache,
            files=files,
            secrets=secrets,
            image_tag=image_tag,
        )
        Alarms(self, "Alarms", config=config, key=key, services=services, database=database, cache=cache)

        outputs = {
            "SiteUrl": f"https://{config.domain_name}",
            "LoadBalancerDns": services.balancer.load_balancer_dns_name,
            "PublicFilesDomain": files.cdn.distribution_domain_name,
            "ClusterName": services.cluster.cluster_name,
            "MigrateTaskDefinition": services.migrate_task.task_definition_arn,
            "TaskSubnets": ",".join(subnet.subnet_id for subnet in services.subnets),
            "TaskSecurityGroup": tasks_group.security_group_id,
            "WorkerRoleArn": services.worker_role.role_arn,
            "WebRoleArn": services.web_role.role_arn,
            "DatabaseEndpoint": database.instance.db_instance_endpoint_address,
            "ReplicaEndpoint": database.replica.db_instance_endpoint_address,
            "RazorpaySecretArn": secrets.razorpay.secret_arn,
            "ExternalIdSecretArn": secrets.external_id.secret_arn,
            "BackupsBucket": files.buckets["backups"].bucket_name,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
