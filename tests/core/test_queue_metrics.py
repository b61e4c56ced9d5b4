"""The queue depths each queue's workers scale on reach CloudWatch, one figure per queue."""

from __future__ import annotations

import boto3
import pytest
from django.core.management import call_command
from moto import mock_aws

from apps.core import broker
from config.celery import app

pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")


@pytest.fixture
def waiting_reports():
    """Two tasks sent to the reports queue with no worker to take them; gone afterwards."""
    for _ in range(2):
        app.send_task("apps.nothing.tasks.waiting_report_task", queue="reports")
    yield
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("reports")


def test_depths_count_what_waits_in_each_queue(waiting_reports):
    depths = broker.queue_depths()
    assert set(depths) == {"default", "aws", "reports"}
    assert depths["reports"] == 2


def test_the_depths_are_published_per_queue_and_environment(waiting_reports, settings, monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    settings.TIJORI_ENVIRONMENT = "production"
    with mock_aws():
        call_command("queue_metrics", "--publish")
        cloudwatch = boto3.client("cloudwatch", region_name="ap-south-1")
        metrics = cloudwatch.list_metrics(Namespace="Tijori", MetricName="QueueDepth")["Metrics"]
        published = {
            tuple(sorted((d["Name"], d["Value"]) for d in metric["Dimensions"])) for metric in metrics
        }
        assert published == {
            (("Environment", "production"), ("Queue", queue)) for queue in ("default", "aws", "reports")
        }
        stats = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "reports",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "Tijori",
                            "MetricName": "QueueDepth",
                            "Dimensions": [
                                {"Name": "Environment", "Value": "production"},
                                {"Name": "Queue", "Value": "reports"},
                            ],
                        },
                        "Period": 60,
                        "Stat": "Maximum",
                    },
                }
            ],
            StartTime="2000-01-01T00:00:00Z",
            EndTime="2100-01-01T00:00:00Z",
        )
        assert stats["MetricDataResults"][0]["Values"] == [2.0]
    assert "reports=2" in capsys.readouterr().out
