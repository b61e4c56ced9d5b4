"""Usage tiers and AWS list prices kept as data, and the shape of a project's monthly cost estimate.

The estimate is an upper bound, not a forecast. Each tier sets hard caps when the stack is
provisioned: the Lambda function's reserved concurrency and memory, the HTTP API stage's throttling
rate, and the DynamoDB table's on-demand maximum read and write units a second. The estimate is what
a project costs if every cap is used every second of a 730-hour month (2,628,000 seconds), at list
prices with no free tier. A project lives at most a few hours (its TTL), so what it really spends is
a small fraction of this figure.

Per resource kind:

- function: Lambda bills requests and GB-seconds. Requests reach the function only through the
  HTTP API, so they are at most `api_rate_limit_rps` x seconds. Reserved concurrency c means at most
  c copies run at once, so at most c x seconds of run time; Lambda rounds each request's duration up
  to the next millisecond, which adds at most 1 ms per request. GB-seconds = that time x memory GB.
- http_api: at most `api_rate_limit_rps` x seconds requests.
- table: at most `dynamodb_max_read_units` and `dynamodb_max_write_units` a second. Storage is bounded
  by what those writes can store: one write unit writes at most 1 KB, plus DynamoDB's 100 bytes of
  overhead per item, so the table holds at most write units x 1,124 bytes (counted in 10^9-byte GB,
  which over-counts AWS's 2^30-byte GB), and a month's average storage is no more than its peak.
- bucket: `s3_max_gb` stored (the application deploy must keep the bucket within it), plus an
  allowance of requests: S3 has no request cap to set, so the PUT and GET requests a month are
  budgeted, not enforced.
- role: IAM is free.

Not counted: data transfer out to the internet, CloudWatch Logs written by the function, HTTP API
requests over 512 KB (metered as several), the one-off `api_burst_limit` requests the throttle's token
bucket lets through above its rate (a fraction of a cent), and API Gateway throttling being
best-effort at high rates.

The lines are worked out by each resource kind of the blueprint (`estimate_line` of its
`ResourceSpec`) and summed by `services.blueprint.estimate`; tests/provisioning/test_pricing.py works
the small and medium tiers through by hand. Where the prices come from: docs/pricing.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import usd
from apps.provisioning.models import Resource, Tier

SECONDS_PER_MONTH = 2_628_000  # 730 hours: the month AWS prices by
MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)
GB_BYTES = Decimal(10**9)


@dataclass(frozen=True)
class TierCaps:
    """The hard limits a tier sets on a stack when it is provisioned; the estimate is worked out from them."""

    label: str
    lambda_memory_mb: int
    lambda_timeout_s: int
    lambda_reserved_concurrency: int
    api_rate_limit_rps: int
    api_burst_limit: int
    dynamodb_max_read_units: int
    dynamodb_max_write_units: int
    s3_max_gb: Decimal
    description: str


TIERS: dict[str, TierCaps] = {
    Tier.SMALL.value: TierCaps(
        label="Small",
        lambda_memory_mb=128,
        lambda_timeout_s=10,
        lambda_reserved_concurrency=1,
        api_rate_limit_rps=2,
        api_burst_limit=5,
        dynamodb_max_read_units=5,
        dynamodb_max_write_units=1,
        s3_max_gb=Decimal("1"),
        description=(
            "For trying an idea: 2 API requests a second, one 128 MB function run at a time, "
            "5 table reads and 1 write a second, 1 GB of site files."
        ),
    ),
    Tier.MEDIUM.value: TierCaps(
        label="Medium",
        lambda_memory_mb=256,
        lambda_timeout_s=20,
        lambda_reserved_concurrency=2,
        api_rate_limit_rps=5,
        api_burst_limit=10,
        dynamodb_max_read_units=10,
        dynamodb_max_write_units=2,
        s3_max_gb=Decimal("5"),
        description=(
            "For a demo with real visitors: 5 API requests a second, two 256 MB function runs at a time, "
            "10 table reads and 2 writes a second, 5 GB of site files."
        ),
    ),
}

# USD list prices, on demand, without free tiers or tax. Lambda is x86 (the functions are created
# without an architecture, so x86_64). Confidence, with the sources in docs/pricing.md:
# P = AWS Price List API offer file, A = AWS pricing page or doc, S = secondary source,
# U = unverified (read it from the Price List API before relying on it).
PRICES: dict[str, dict[str, Decimal]] = {
    "ap-south-1": {
        "lambda_requests_per_1m": Decimal("0.20"),  # P
        "lambda_gb_second": Decimal("0.0000166667"),  # S (x86; Arm is 0.0000133334, P)
        "http_api_requests_per_1m": Decimal("1.05"),  # P, first 300M
        "dynamodb_write_units_per_1m": Decimal("0.71"),  # P
        "dynamodb_read_units_per_1m": Decimal("0.1425"),  # P
        "dynamodb_storage_gb_month": Decimal("0.285"),  # P, beyond the first 25 GB (free tier ignored)
        "s3_storage_gb_month": Decimal("0.025"),  # P, first 50 TB
        "s3_put_per_1k": Decimal("0.005"),  # U
        "s3_get_per_1k": Decimal("0.0004"),  # U
    },
    "us-east-1": {
        "lambda_requests_per_1m": Decimal("0.20"),  # A
        "lambda_gb_second": Decimal("0.0000166667"),  # A/S, first 6B GB-s
        "http_api_requests_per_1m": Decimal("1.00"),  # A, first 300M
        "dynamodb_write_units_per_1m": Decimal("0.625"),  # A/S, after the November 2024 cut
        "dynamodb_read_units_per_1m": Decimal("0.125"),  # A/S
        "dynamodb_storage_gb_month": Decimal("0.25"),  # S
        "s3_storage_gb_month": Decimal("0.023"),  # A/S, first 50 TB
        "s3_put_per_1k": Decimal("0.005"),  # S
        "s3_get_per_1k": Decimal("0.0004"),  # S
    },
    # Europe (Ireland): the Price List API offer files for eu-west-1, catalogue of September 2026.
    "eu-west-1": {
        "lambda_requests_per_1m": Decimal("0.20"),  # P
        "lambda_gb_second": Decimal("0.0000166667"),  # P, first 6B GB-s
        "http_api_requests_per_1m": Decimal("1.11"),  # P, first 300M
        "dynamodb_write_units_per_1m": Decimal("0.705"),  # P
        "dynamodb_read_units_per_1m": Decimal("0.1415"),  # P
        "dynamodb_storage_gb_month": Decimal("0.283"),  # P, beyond the first 25 GB (free tier ignored)
        "s3_storage_gb_month": Decimal("0.023"),  # P, first 50 TB
        "s3_put_per_1k": Decimal("0.005"),  # P
        "s3_get_per_1k": Decimal("0.0004"),  # P
    },
    # US West (Oregon): every figure unverified (U), taken to equal us-east-1's.
    "us-west-2": {
        "lambda_requests_per_1m": Decimal("0.20"),  # U
        "lambda_gb_second": Decimal("0.0000166667"),  # U
        "http_api_requests_per_1m": Decimal("1.00"),  # U
        "dynamodb_write_units_per_1m": Decimal("0.625"),  # U
        "dynamodb_read_units_per_1m": Decimal("0.125"),  # U
        "dynamodb_storage_gb_month": Decimal("0.25"),  # U
        "s3_storage_gb_month": Decimal("0.023"),  # U
        "s3_put_per_1k": Decimal("0.005"),  # U
        "s3_get_per_1k": Decimal("0.0004"),  # U
    },
}


@dataclass(frozen=True)
class EstimateLine:
    """One resource's share of the upper bound; `basis` says in one sentence how it was worked out."""

    kind: str
    label: str
    usd_month: Decimal
    basis: str


@dataclass(frozen=True)
class Estimate:
    """The monthly upper bound of a project, line by line; `total` is the sum of the rounded lines."""

    lines: list[EstimateLine]
    total: Decimal


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def line(kind: str, amount: Decimal, basis: str) -> EstimateLine:
    """One resource kind's line, rounded to the cent."""
    kind = Resource.Kind(kind)
    return EstimateLine(kind=kind.value, label=kind.label, usd_month=usd(amount), basis=basis)
