"""The monthly estimate: hand-worked figures per tier and region, and the upper-bound rule behind them."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from apps.provisioning import pricing
from apps.provisioning.models import Resource, Tier
from apps.provisioning.services import blueprint

SECONDS = Decimal(2_628_000)  # 730 hours

# Worked by hand from the caps (small: 128 MB, concurrency 1, 2 requests/s, 5 RRU/s, 1 WRU/s, 1 GB;
# medium: 256 MB, concurrency 2, 5 requests/s, 10 RRU/s, 2 WRU/s, 5 GB) and the list prices.
EXPECTED = {
    ("small", "ap-south-1"): {
        # 5,256,000 x 0.20/1M = 1.0512; (2,628,000 + 5,256) s x 0.125 GB = 329,157 GB-s x 0.0000166667
        # = 5.48596; 6.53716
        "function": "6.54",
        "http_api": "5.52",  # 5,256,000 x 1.05/1M = 5.5188
        # 13,140,000 x 0.1425/1M = 1.87245; 2,628,000 x 0.71/1M = 1.86588;
        # 2,628,000 x 1,124 B = 2.953872 GB x 0.285 = 0.84185; 4.58018
        "table": "4.58",
        "bucket": "0.93",  # 1 x 0.025 + 100 x 0.005 + 1,000 x 0.0004 = 0.925
        "role": "0.00",
        "total": "17.57",
    },
    ("medium", "ap-south-1"): {
        # 13,140,000 x 0.20/1M = 2.628; (5,256,000 + 13,140) s x 0.25 GB = 1,317,285 GB-s x 0.0000166667
        # = 21.95479; 24.58279
        "function": "24.58",
        "http_api": "13.80",  # 13,140,000 x 1.05/1M = 13.797
        # 26,280,000 x 0.1425/1M = 3.7449; 5,256,000 x 0.71/1M = 3.73176;
        # 5,256,000 x 1,124 B = 5.907744 GB x 0.285 = 1.68371; 9.16037
        "table": "9.16",
        "bucket": "1.03",  # 5 x 0.025 + 0.50 + 0.40 = 1.025
        "role": "0.00",
        "total": "48.57",
    },
    ("small", "us-east-1"): {
        "function": "6.54",  # Lambda's prices are the same as in Mumbai
        "http_api": "5.26",  # 5,256,000 x 1.00/1M = 5.256
        # 13,140,000 x 0.125/1M = 1.6425; 2,628,000 x 0.625/1M = 1.6425; 2.953872 GB x 0.25 = 0.73847;
        # 4.02347
        "table": "4.02",
        "bucket": "0.92",  # 1 x 0.023 + 0.50 + 0.40 = 0.923
        "role": "0.00",
        "total": "16.74",
    },
    ("medium", "us-east-1"): {
        "function": "24.58",
        "http_api": "13.14",  # 13,140,000 x 1.00/1M
        # 26,280,000 x 0.125/1M = 3.285; 5,256,000 x 0.625/1M = 3.285; 5.907744 GB x 0.25 = 1.47694;
        # 8.04694
        "table": "8.05",
        "bucket": "1.02",  # 5 x 0.023 + 0.50 + 0.40 = 1.015, half up
        "role": "0.00",
        "total": "46.79",
    },
}


@pytest.mark.parametrize(("tier", "region"), list(EXPECTED))
def test_estimate_lines_and_total_match_the_hand_worked_figures(tier, region):
    estimate = blueprint.estimate(tier=tier, region=region)
    expected = EXPECTED[(tier, region)]
    assert {line.kind: line.usd_month for line in estimate.lines} == {
        kind: Decimal(usd) for kind, usd in expected.items() if kind != "total"
    }
    assert estimate.total == Decimal(expected["total"])


def test_small_is_well_under_and_medium_just_under_the_default_project_limit(settings):
    limit = settings.PROVISIONING_MAX_PROJECT_USD_MONTH
    for region in ["ap-south-1", "us-east-1"]:
        assert blueprint.estimate(tier=Tier.SMALL, region=region).total < limit / 2
        assert limit - 5 < blueprint.estimate(tier=Tier.MEDIUM, region=region).total <= limit
    # Two medium projects ($97.14) fit the default workspace limit; so do five small ones ($87.85).
    assert 2 * blueprint.estimate(tier=Tier.MEDIUM, region="ap-south-1").total == Decimal("97.14")
    assert 5 * blueprint.estimate(tier=Tier.SMALL, region="ap-south-1").total == Decimal("87.85")
    assert Decimal("97.14") <= settings.PROVISIONING_MAX_TENANT_USD_MONTH


def test_every_default_region_and_every_tier_has_figures():
    assert set(pricing.TIERS) == set(Tier.values)
    assert {"ap-south-1", "us-east-1"} <= set(pricing.PRICES)
    meters = set(pricing.PRICES["ap-south-1"])
    assert len(meters) == 9
    for region, prices in pricing.PRICES.items():
        assert set(prices) == meters, region
        assert all(isinstance(p, Decimal) and p > 0 for p in prices.values()), region


def test_one_line_per_resource_kind_and_the_total_is_their_sum():
    for region in pricing.PRICES:
        for tier in pricing.TIERS:
            estimate = blueprint.estimate(tier=tier, region=region)
            assert sorted(line.kind for line in estimate.lines) == sorted(Resource.Kind.values)
            assert all(type(line.kind) is str and line.label and line.basis for line in estimate.lines)
            assert all(line.usd_month == line.usd_month.quantize(Decimal("0.01")) for line in estimate.lines)
            assert estimate.total == sum(line.usd_month for line in estimate.lines)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("region", sorted(pricing.PRICES))
@pytest.mark.parametrize("tier", sorted(pricing.TIERS))
def test_each_line_is_its_caps_used_every_second_of_the_month(tier, region):
    """The upper bound: each cap x 2,628,000 seconds x its price, no free tier."""
    caps, price = pricing.TIERS[tier], pricing.PRICES[region]
    requests = caps.api_rate_limit_rps * SECONDS
    run_seconds = caps.lambda_reserved_concurrency * SECONDS + requests * Decimal("0.001")
    gb_seconds = run_seconds * caps.lambda_memory_mb / 1024
    writes = caps.dynamodb_max_write_units * SECONDS
    expected = {
        "function": requests / 10**6 * price["lambda_requests_per_1m"]
        + gb_seconds * price["lambda_gb_second"],
        "http_api": requests / 10**6 * price["http_api_requests_per_1m"],
        "table": caps.dynamodb_max_read_units * SECONDS / 10**6 * price["dynamodb_read_units_per_1m"]
        + writes / 10**6 * price["dynamodb_write_units_per_1m"]
        + writes * 1124 / 10**9 * price["dynamodb_storage_gb_month"],
        "bucket": caps.s3_max_gb * price["s3_storage_gb_month"]
        + 100 * price["s3_put_per_1k"]
        + 1000 * price["s3_get_per_1k"],
        "role": Decimal(0),
    }
    lines = {line.kind: line.usd_month for line in blueprint.estimate(tier=tier, region=region).lines}
    assert lines == {kind: _cents(usd) for kind, usd in expected.items()}


def test_higher_caps_never_cost_less():
    small, medium = pricing.TIERS["small"], pricing.TIERS["medium"]
    for field in [
        "lambda_memory_mb", "lambda_reserved_concurrency", "api_rate_limit_rps", "api_burst_limit",
        "dynamodb_max_read_units", "dynamodb_max_write_units", "s3_max_gb",
    ]:  # fmt: skip
        assert getattr(small, field) <= getattr(medium, field), field
    for region in pricing.PRICES:
        low = blueprint.estimate(tier="small", region=region).lines
        high = blueprint.estimate(tier="medium", region=region).lines
        assert all(a.usd_month <= b.usd_month for a, b in zip(low, high, strict=True)), region


def test_unknown_tier_or_region_is_refused():
    with pytest.raises(ValueError, match="unknown tier 'large'"):
        blueprint.estimate(tier="large", region="ap-south-1")
    with pytest.raises(ValueError, match="no prices for region 'mars-north-1'"):
        blueprint.estimate(tier="small", region="mars-north-1")


def test_system_check_names_allowed_regions_without_prices_and_a_bad_role_arn(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from apps.provisioning.checks import provisioning_settings_check

    assert provisioning_settings_check() == []
    settings.AWS_ALLOWED_REGIONS = ["ap-south-1", "eu-west-3"]
    settings.AWS_ROLE_ARN = "TijoriProvisioner"
    errors = {e.id: e.msg for e in provisioning_settings_check()}
    assert "eu-west-3" in errors["provisioning.E002"] and "ap-south-1" not in errors["provisioning.E002"]
    assert "TijoriProvisioner" in errors["provisioning.E003"]
    with pytest.raises(SystemCheckError, match="eu-west-3"):
        call_command("check")
