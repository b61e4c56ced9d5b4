"""Migrations as a step of the deployment: a one-off Fargate task, run to the end before services roll.

A custom resource starts the migration task (as the owner role) whenever the image tag or the task
definition changes, waits for it to stop and fails the deployment, which CloudFormation then rolls
back, if it did not exit 0. The services depend on it, so a new image only reaches them on a schema
that is ready for it. The handler is inline code: nothing to build or upload.
"""

from __future__ import annotations

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

HANDLER = """
import time

import boto3
import cfnresponse

ecs = boto3.client("ecs")


def handler(event, context):
    physical = event.get("PhysicalResourceId", "migrations")
    if event["RequestType"] == "Delete":
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, physical)
        return
    props = event["ResourceProperties"]
    try:
        started = ecs.run_task(
            cluster=props["Cluster"],
            taskDefinition=props["TaskDefinition"],
            launchType="FARGATE",
            count=1,
            startedBy="tijori-migrations",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": props["Subnets"],
                    "securityGroups": props["SecurityGroups"],
                    "assignPublicIp": "DISABLED",
                }
            },
        )
        if started["failures"]:
            raise RuntimeError(f"the migration task did not start: {started['failures']}")
        arn = started["tasks"][0]["taskArn"]
        while context.get_remaining_time_in_millis() > 30000:
            time.sleep(15)
            task = ecs.describe_tasks(cluster=props["Cluster"], tasks=[arn])["tasks"][0]
            if task["lastStatus"] == "STOPPED":
                code = task["containers"][0].get("exitCode")
                if code == 0:
                    cfnresponse.send(event, context, cfnresponse.SUCCESS, {"TaskArn": arn}, arn)
                    return
                raise RuntimeError(
                    f"migrations failed (exit code {code}, {task.get('stoppedReason', '')}): see the log "
                    f"stream of task {arn.rsplit('/', 1)[-1]} in {props['LogGroup']}"
                )
        raise RuntimeError(f"migrations still running after 15 minutes (task {arn}): run them by hand")
    except Exception as exc:  # every failure must reach CloudFormation, or it waits an hour
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, physical, reason=str(exc)[:900])
"""


class Migrations(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cluster: ecs.ICluster,
        task_definition: ecs.FargateTaskDefinition,
        subnets: list[ec2.ISubnet],
        security_group: ec2.ISecurityGroup,
        log_group: logs.ILogGroup,
        image_tag: str,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        runner_logs = logs.LogGroup(
            self, "RunnerLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        runner = lambda_.Function(
            self,
            "Runner",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_inline(HANDLER),
            timeout=Duration.minutes(15),
            description="Runs Tijori's migration task and waits for it (CloudFormation custom resource)",
            log_group=runner_logs,
        )
        runner.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:RunTask"],
                resources=[task_definition.task_definition_arn],
                conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}},
            )
        )
        runner.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:DescribeTasks"],
                resources=[
                    stack.format_arn(
                        service="ecs", resource="task", resource_name=f"{cluster.cluster_name}/*"
                    )
                ],
            )
        )
        passed = [task_definition.execution_role, task_definition.task_role]
        runner.add_to_role_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[role.role_arn for role in passed if role is not None],
                conditions={"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            )
        )
        self.resource = CustomResource(
            self,
            "Run",
            service_token=runner.function_arn,
            resource_type="Custom::TijoriMigrations",
            properties={
                "Cluster": cluster.cluster_arn,
                "TaskDefinition": task_definition.task_definition_arn,
                "Subnets": [subnet.subnet_id for subnet in subnets],
                "SecurityGroups": [security_group.security_group_id],
                "LogGroup": log_group.log_group_name,
                "ImageTag": image_tag,  # a new image runs the migrations again, even with the same task definition
            },
        )
