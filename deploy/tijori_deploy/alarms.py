"""CloudWatch alarms, all to one SNS topic: what a person on call must hear about."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from tijori_deploy.config import QUEUES, EnvironmentConfig
from tijori_deploy.data import Cache, Database
from tijori_deploy.services import METRICS_NAMESPACE, Services, queue_depth_metric

GIB = 1024**3


class Alarms(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: EnvironmentConfig,
        key: kms.IKey,
        services: Services,
        database: Database,
        cache: Cache,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "Topic", display_name=f"Tijori {config.name} alarms", master_key=key)
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.config = config
        five = Duration.minutes(5)
        lb = services.balancer.metrics

        errors = cloudwatch.MathExpression(
            expression="IF(requests > 0, 100 * (target5xx + lb5xx) / requests, 0)",
            using_metrics={
                "target5xx": lb.http_code_target(
                    elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=five, statistic="Sum"
                ),
                "lb5xx": lb.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=five, statistic="Sum"),
                "requests": lb.request_count(period=five, statistic="Sum"),
            },
            period=five,
            label="5xx responses, % of requests",
        )
        self._alarm("Web5xxRate", errors, threshold=2, periods=2, what="More than 2% of requests answer 5xx")
        self._alarm(
            "WebLatencyP95",
            lb.target_response_time(period=five, statistic="p95"),
            threshold=1.5,
            periods=3,
            what="95th percentile of response time above 1.5 s",
        )
        for queue in QUEUES:
            self._alarm(
                f"QueueDepth-{queue}",
                queue_depth_metric(config, queue, period=five),
                threshold=500,
                periods=3,
                what=f"More than 500 tasks waiting on the {queue} queue for 15 minutes",
                # No figures at all means the publisher (beat's sidecar) is down: that is trouble too.
                missing=cloudwatch.TreatMissingData.BREACHING,
            )
        primary, replica = database.instance, database.replica
        self._alarm(
            "DatabaseCpu",
            primary.metric_cpu_utilization(period=five),
            threshold=80,
            periods=3,
            what="Database CPU above 80% for 15 minutes",
        )
        free_floor = max(2, config.database.allocated_gb // 10)
        self._alarm(
            "DatabaseFreeStorage",
            primary.metric_free_storage_space(period=five),
            threshold=free_floor * GIB,
            periods=2,
            what=f"Less than {free_floor} GiB of database storage free",
            below=True,
        )
        self._alarm(
            "ReplicaLag",
            replica.metric("ReplicaLag", period=Duration.minutes(1), statistic="Maximum"),
            threshold=60,
            periods=5,
            what="The read replica is more than 60 s behind for 5 minutes (reports show old figures)",
        )
        self._alarm(
            "ReplicaCpu",
            replica.metric_cpu_utilization(period=five),
            threshold=80,
            periods=3,
            what="Read replica CPU above 80% for 15 minutes",
        )
        self._alarm(
            "CacheCpu",
            cloudwatch.Metric(
                namespace="AWS/ElastiCache",
                metric_name="EngineCPUUtilization",
                dimensions_map={"CacheClusterId": f"{cache.replication_group_id}-001"},
                period=five,
            ),
            threshold=80,
            periods=3,
            what="Redis CPU above 80% for 15 minutes",
        )
        self._alarm(
            "CacheMemory",
            cloudwatch.Metric(
                namespace="AWS/ElastiCache",
                metric_name="DatabaseMemoryUsagePercentage",
                dimensions_map={"CacheClusterId": f"{cache.replication_group_id}-001"},
                period=five,
            ),
            threshold=80,
            periods=3,
            what="Redis memory above 80% (the broker's queues live there)",
        )
        # The daily dump logs one line from apps.core.backups; a day without one is an alarm.
        backups_taken = logs.MetricFilter(
            self,
            "BackupsTaken",
            log_group=services.log_groups["worker-default"],
            metric_namespace=f"{METRICS_NAMESPACE}/{config.name}",
            metric_name="BackupsTaken",
            filter_pattern=logs.FilterPattern.literal(
                '{ ($.logger = "apps.core.backups") && ($.message = "backup *") }'
            ),
            metric_value="1",
        )
        self._alarm(
            "BackupMissing",
            backups_taken.metric(statistic="Sum", period=Duration.days(1)),
            threshold=1,
            periods=1,
            what="No database dump was stored in the backups bucket in the last day",
            below=True,
            missing=cloudwatch.TreatMissingData.BREACHING,
        )

    def _alarm(
        self,
        id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        periods: int,
        what: str,
        below: bool = False,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            id,
            alarm_name=f"tijori-{self.config.name}-{id}",
            alarm_description=what,
            metric=metric,
            threshold=threshold,
            evaluation_periods=periods,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
            if below
            else cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        return alarm
