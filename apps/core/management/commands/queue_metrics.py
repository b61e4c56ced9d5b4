"""Publish how many tasks wait in each Celery queue as the CloudWatch metric Tijori/QueueDepth.

Runs beside beat (one process for the whole installation) in production: each queue's workers scale
on the figure, and the queue-depth alarm fires on it, or on its absence.
"""

from __future__ import annotations

import logging
import time

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand
from kombu.exceptions import OperationalError

from apps.core import broker

logger = logging.getLogger(__name__)

NAMESPACE = "Tijori"


def queue_depths_publish(depths: dict[str, int]) -> None:
    client = boto3.client("cloudwatch")
    client.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "QueueDepth",
                "Dimensions": [
                    {"Name": "Environment", "Value": settings.TIJORI_ENVIRONMENT},
                    {"Name": "Queue", "Value": queue},
                ],
                "Value": depth,
                "Unit": "Count",
            }
            for queue, depth in depths.items()
        ],
    )


class Command(BaseCommand):
    help = "Print, or publish to CloudWatch (--publish), the number of tasks waiting in each Celery queue."

    def add_arguments(self, parser):
        parser.add_argument("--publish", action="store_true", help="send the figures to CloudWatch")
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (default: once)")

    def handle(self, *args, **options):
        while True:
            started = time.monotonic()
            try:
                depths = broker.queue_depths()
                if options["publish"]:
                    queue_depths_publish(depths)
                self.stdout.write(" ".join(f"{queue}={depth}" for queue, depth in depths.items()))
            except (OperationalError, BotoCoreError, ClientError) as exc:
                if not options["every"]:
                    raise
                # A missed minute is visible as a gap in the metric; the next round tries again.
                logger.warning("queue depths not published: %s", exc)
            if not options["every"]:
                return
            time.sleep(max(options["every"] - (time.monotonic() - started), 1))
