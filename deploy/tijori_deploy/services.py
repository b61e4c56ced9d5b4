"""ECS Fargate: web behind the load balancer, a worker service per Celery queue, exactly one beat, and
the migration task, all from one image in ECR. Each process gets only the secrets and AWS rights it uses.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from constructs import Construct

from tijori_deploy.config import QUEUES, EnvironmentConfig, TaskSize
from tijori_deploy.data import (
    APP_ROLE,
    DATABASE_NAME,
    MASTER_USER,
    OWNER_ROLE,
    PLATFORM_ROLE,
    RDS_CA_BUNDLE,
    Cache,
    Database,
    Secrets,
    retention,
)
from tijori_deploy.files import Files
from tijori_deploy.migrations import Migrations

HEALTH_PATH = "/api/health/live"
METRICS_NAMESPACE = "Tijori"  # apps/core/management/commands/queue_metrics.py


def queue_depth_metric(
    config: EnvironmentConfig, queue: str, period: Duration | None = None
) -> cloudwatch.Metric:
    """Messages waiting in a Celery queue, published every minute by the beat task's sidecar."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name="QueueDepth",
        dimensions_map={"Environment": config.name, "Queue": queue},
        statistic="Maximum",
        period=period or Duration.minutes(1),
    )


class Services(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        tasks_group: ec2.ISecurityGroup,
        web_group: ec2.ISecurityGroup,
        balancer_group: ec2.ISecurityGroup,
        database: Database,
        cache: Cache,
        files: Files,
        secrets: Secrets,
        image_tag: str,
    ) -> None:
        super().__init__(scope, id)
        self.config = config
        stack = Stack.of(self)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            cluster_name=f"tijori-{config.name}",
            container_insights_v2=ecs.ContainerInsights.ENABLED
            if config.container_insights
            else ecs.ContainerInsights.DISABLED,
        )
        repository = ecr.Repository.from_repository_name(self, "Images", config.image_repository)
        self.image = ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag)
        self.subnets = vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnets
        self.log_groups: dict[str, logs.LogGroup] = {}

        self.environment = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_ALLOWED_HOSTS": config.domain_name,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{config.domain_name}",
            "TIJORI_SITE_URL": f"https://{config.domain_name}",
            "TIJORI_ENVIRONMENT": config.name,
            "NUM_PROXIES": "1",  # the load balancer
            "DATABASE_HOST": database.instance.db_instance_endpoint_address,
            "DATABASE_PORT": database.instance.db_instance_endpoint_port,
            "DATABASE_NAME": DATABASE_NAME,
            "DATABASE_USER": APP_ROLE,
            "DATABASE_PLATFORM_ROLE": PLATFORM_ROLE,
            "DATABASE_READ_HOST": database.replica.db_instance_endpoint_address,
            "PGSSLMODE": "verify-full",
            "PGSSLROOTCERT": RDS_CA_BUNDLE,
            "REDIS_URL": cache.url,
            "AWS_DEFAULT_REGION": stack.region,
            "AWS_S3_REGION_NAME": stack.region,
            "AWS_ROLE_ARN": config.provisioning_role_arn,
            **files.environment(),
        }
        self.secrets = {
            "DJANGO_SECRET_KEY": ecs.Secret.from_secrets_manager(secrets.django),
            "DATABASE_PASSWORD": ecs.Secret.from_secrets_manager(secrets.app_login, "password"),
            "AWS_EXTERNAL_ID": ecs.Secret.from_secrets_manager(secrets.external_id),
            "RAZORPAY_KEY_ID": ecs.Secret.from_secrets_manager(secrets.razorpay, "key_id"),
            "RAZORPAY_KEY_SECRET": ecs.Secret.from_secrets_manager(secrets.razorpay, "key_secret"),
            "RAZORPAY_WEBHOOK_SECRET": ecs.Secret.from_secrets_manager(secrets.razorpay, "webhook_secret"),
        }

        # --- Roles: what each process may do in AWS ---------------------------------------------------
        self.execution_role = self._role("ExecutionRole", "Pulls the image and reads the services' secrets")
        self.web_role = self._role("WebRole", "Tijori web: files, and the platform provisioning role")
        self.worker_role = self._role("WorkerRole", "Tijori workers: files, backups, the provisioning role")
        self.beat_role = self._role("BeatRole", "Tijori beat: publishes the queue depths")
        files.grant_app(self.web_role, backups=False)
        files.grant_app(self.worker_role, backups=True)
        assumable = [config.provisioning_role_arn, *config.extra_assumable_role_arns]
        for role in (self.web_role, self.worker_role):
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["sts:AssumeRole", "sts:TagSession"], resources=assumable)
            )
        self.beat_role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],  # PutMetricData has no resource; the namespace condition confines it
                conditions={"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
            )
        )

        # --- Web --------------------------------------------------------------------------------------
        web_task = self._task_definition("Web", config.web, self.web_role)
        vcpus = max(config.web.cpu // 1024, 1)
        web_task.add_container(
            "web",
            image=self.image,
            environment={**self.environment, "GUNICORN_WORKERS": str(vcpus), "GUNICORN_THREADS": "4"},
            secrets=self.secrets,
            logging=self._logs("web"),
            port_mappings=[ecs.PortMapping(container_port=8000)],
            stop_timeout=Duration.seconds(35),  # gunicorn's graceful timeout is 30 s
        )
        self.web = self._service("Web", web_task, config.web, web_group)

        # --- Workers, one service per queue, and the one beat -------------------------------------------
        self.workers: dict[str, ecs.FargateService] = {}
        for queue in QUEUES:
            size = config.workers[queue]
            task = self._task_definition(f"Worker{queue.title()}", size, self.worker_role)
            task.add_container(
                "worker",
                image=self.image,
                command=[
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    f"--queues={queue}",
                    f"--concurrency={size.concurrency}",
                    f"--hostname={queue}@%h",
                ],
                environment=self.environment,
                secrets=self.secrets,
                logging=self._logs(f"worker-{queue}"),
                stop_timeout=Duration.seconds(120),  # the most Fargate allows; late acks redeliver the rest
            )
            service = self._service(f"Worker{queue.title()}", task, size, tasks_group)
            self._scale_on_queue(service, size, queue)
            self.workers[queue] = service

        beat_task = self._task_definition("Beat", config.beat, self.beat_role)
        beat_task.add_container(
            "beat",
            image=self.image,
            command=[
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=INFO",
                "--schedule=/app/var/celerybeat-schedule",
            ],
            environment=self.environment,
            secrets=self.secrets,
            logging=self._logs("beat"),
        )
        beat_task.add_container(
            "queue-metrics",
            image=self.image,
            command=["python", "manage.py", "queue_metrics", "--publish", "--every", "60"],
            environment=self.environment,
            secrets=self.secrets,
            logging=self._logs("queue-metrics"),
            essential=False,  # metrics stop, beat goes on (the queue-depth alarm treats silence as trouble)
        )
        # Exactly one scheduler, also during a deployment: the old task stops before the new one starts.
        self.beat = self._service("Beat", beat_task, config.beat, tasks_group, min_healthy=0, max_healthy=100)

        # --- Migrations: the owner role, before the services roll ----------------------------------------
        migrate_execution = self._role(
            "MigrateExecutionRole", "Pulls the image and reads the owner's secrets"
        )
        migrate_role = self._role("MigrateRole", "Tijori migrations and restores: reads the backups")
        files.grant_backups(migrate_role)
        migrate_task = ecs.FargateTaskDefinition(
            self,
            "MigrateTask",
            cpu=512,
            memory_limit_mib=1024,
            execution_role=migrate_execution,
            task_role=migrate_role,
            runtime_platform=self._platform(),
        )
        migrate_task.add_container(
            "migrate",
            image=self.image,
            command=[
                "sh",
                "-c",
                "python manage.py db_roles && python manage.py migrate --noinput && python manage.py createcachetable",
            ],
            environment={
                **self.environment,
                "DATABASE_OWNER_USER": OWNER_ROLE,
                "DATABASE_SUPERUSER_USER": MASTER_USER,
            },
            secrets={
                **self.secrets,
                "DATABASE_OWNER_PASSWORD": ecs.Secret.from_secrets_manager(secrets.owner_login, "password"),
                "DATABASE_SUPERUSER_PASSWORD": ecs.Secret.from_secrets_manager(
                    database.master_secret, "password"
                ),
            },
            logging=self._logs("migrate"),
        )
        self.migrate_task = migrate_task
        self.migrations = Migrations(
            self,
            "Migrations",
            cluster=self.cluster,
            task_definition=migrate_task,
            subnets=self.subnets,
            security_group=tasks_group,
            log_group=self.log_groups["migrate"],
            image_tag=image_tag,
            log_retention=retention(config.log_retention_days),
        )
        self.migrations.node.add_dependency(database.instance, database.replica, cache.group)
        for service in (self.web, self.beat, *self.workers.values()):
            service.node.add_dependency(self.migrations)

        # --- Load balancer, certificate, DNS --------------------------------------------------------------
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
        )
        certificate = acm.Certificate(
            self,
            "Certificate",
            domain_name=config.domain_name,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        self.balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=True,
            security_group=balancer_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
            drop_invalid_header_fields=True,
            deletion_protection=config.database.deletion_protection,
            idle_timeout=Duration.seconds(60),  # gunicorn keeps connections 75 s, longer than this
        )
        https = self.balancer.add_listener(
            "Https",
            port=443,
            protocol=elbv2.ApplicationProtocol.HTTPS,
            certificates=[certificate],
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
            open=False,
        )
        self.target_group = https.add_targets(
            "Web",
            port=8000,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[self.web],
            health_check=elbv2.HealthCheck(
                path=HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
            deregistration_delay=Duration.seconds(30),
        )
        self.balancer.add_listener(
            "Http",
            port=80,
            open=False,
            default_action=elbv2.ListenerAction.redirect(protocol="HTTPS", port="443", permanent=True),
        )
        route53.ARecord(
            self,
            "Address",
            zone=zone,
            record_name=config.domain_name,
            target=route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(self.balancer)),
        )
        scaling = self.web.auto_scale_task_count(
            min_capacity=config.web.min_tasks, max_capacity=config.web.max_tasks
        )
        scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=60)
        scaling.scale_on_request_count("Requests", requests_per_target=1500, target_group=self.target_group)

    # --- helpers -------------------------------------------------------------------------------------------

    def _role(self, id: str, description: str) -> iam.Role:
        return iam.Role(
            self, id, assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"), description=description
        )

    def _platform(self) -> ecs.RuntimePlatform:
        return ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.ARM64 if self.config.arm64 else ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        )

    def _task_definition(self, id: str, size: TaskSize, role: iam.IRole) -> ecs.FargateTaskDefinition:
        return ecs.FargateTaskDefinition(
            self,
            f"{id}Task",
            cpu=size.cpu,
            memory_limit_mib=size.memory,
            execution_role=self.execution_role,
            task_role=role,
            runtime_platform=self._platform(),
        )

    def _logs(self, process: str) -> ecs.LogDriver:
        group = logs.LogGroup(
            self,
            f"Logs-{process}",
            log_group_name=f"/tijori/{self.config.name}/{process}",
            retention=retention(self.config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.log_groups[process] = group
        return ecs.LogDrivers.aws_logs(stream_prefix=process, log_group=group)

    def _service(
        self,
        id: str,
        task: ecs.FargateTaskDefinition,
        size: TaskSize,
        group: ec2.ISecurityGroup,
        *,
        min_healthy: int = 100,
        max_healthy: int = 200,
    ) -> ecs.FargateService:
        return ecs.FargateService(
            self,
            id,
            cluster=self.cluster,
            task_definition=task,
            desired_count=size.min_tasks,
            security_groups=[group],
            vpc_subnets=ec2.SubnetSelection(subnets=self.subnets),
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=min_healthy,
            max_healthy_percent=max_healthy,
            enable_execute_command=False,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )

    def _scale_on_queue(self, service: ecs.FargateService, size: TaskSize, queue: str) -> None:
        scaling = service.auto_scale_task_count(min_capacity=size.min_tasks, max_capacity=size.max_tasks)
        scaling.scale_on_metric(
            "QueueDepth",
            metric=queue_depth_metric(self.config, queue),
            scaling_steps=[
                appscaling.ScalingInterval(upper=0, change=-1),  # nothing waiting: one fewer
                appscaling.ScalingInterval(lower=20, change=+1),
                appscaling.ScalingInterval(lower=200, change=+2),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=Duration.minutes(3),
        )
