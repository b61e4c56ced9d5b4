"""API key rules at their edges: the key's shape, expiry (inclusive), use recorded once a minute, a
maker whose account is switched off, and the audit line of a revocation."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.tenants.exceptions import ApiKeyInvalid
from apps.tenants.models import ApiKey, Membership, Role
from apps.tenants.services import api_key_authenticate, api_key_create, api_key_revoke
from apps.tenants.services.api_keys import api_key_day_end

pytestmark = pytest.mark.django_db


def _owner_key(tenant, owner, **kwargs) -> tuple[ApiKey, str]:
    membership = Membership.objects.get(tenant=tenant, user=owner)
    return api_key_create(
        tenant=tenant, actor=owner, actor_membership=membership, name="Tally sync", role=Role.STAFF, **kwargs
    )


@pytest.fixture
def frozen_now(monkeypatch):
    """Django's clock stopped at one instant, so an expiry can fall exactly on "now"."""
    instant = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    return instant


def test_a_key_cannot_be_made_to_expire_at_this_very_instant(tenant, owner, frozen_now):
    with pytest.raises(ValidationError) as caught:
        _owner_key(tenant, owner, expires_at=frozen_now)

    assert caught.value.message_dict == {"expires_at": ["The expiry must be in the future."]}
    assert not ApiKey.objects.exists()


def test_a_key_is_expired_at_the_instant_of_its_expiry(tenant, owner, frozen_now):
    key, secret = _owner_key(tenant, owner, expires_at=frozen_now + timedelta(seconds=1))
    ApiKey.objects.filter(pk=key.pk).update(expires_at=frozen_now)

    with pytest.raises(ApiKeyInvalid, match="has expired"):
        api_key_authenticate(secret)
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None


def test_use_within_a_minute_does_not_rewrite_last_used(tenant, owner):
    key, secret = _owner_key(tenant, owner)
    api_key_authenticate(secret)
    first_use = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first_use is not None

    api_key_authenticate(secret)

    assert ApiKey.objects.get(pk=key.pk).last_used_at == first_use


def test_use_a_minute_later_moves_last_used(tenant, owner):
    key, secret = _owner_key(tenant, owner)
    just_over_a_minute_ago = timezone.now() - timedelta(seconds=61)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=just_over_a_minute_ago)

    api_key_authenticate(secret)

    assert ApiKey.objects.get(pk=key.pk).last_used_at > just_over_a_minute_ago


def test_revoking_records_the_reason_only_when_given(tenant, owner):
    with_reason, _ = _owner_key(tenant, owner)
    without_reason, _ = _owner_key(tenant, owner)

    api_key_revoke(tenant=tenant, actor=owner, api_key=with_reason, reason="Laptop stolen")
    api_key_revoke(tenant=tenant, actor=owner, api_key=without_reason)

    summaries = dict(AuditEvent.objects.filter(action="api_key.revoke").values_list("target_id", "summary"))
    assert summaries[str(with_reason.pk)].endswith("…): Laptop stolen")
    assert summaries[str(without_reason.pk)].endswith("…)")


def test_a_secret_is_tj_then_8_hex_characters_then_43_random_ones(tenant, owner):
    key, secret = _owner_key(tenant, owner)

    assert re.fullmatch(r"tj_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret), secret
    assert secret.split("_", 2)[1] == key.prefix


def test_a_long_key_name_is_kept_to_its_first_80_characters(tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)
    name = "Tally sync for the Zaveri Bazaar branch " * 3

    key, _ = api_key_create(tenant=tenant, actor=owner, actor_membership=membership, name=name, role="staff")

    assert ApiKey.objects.get(pk=key.pk).name == name[:80]


def test_a_secret_of_another_scheme_is_told_it_is_not_a_tijori_key(tenant, owner):
    key, secret = _owner_key(tenant, owner)
    other_scheme = "sk" + secret[2:]  # the right prefix and secret, under another product's scheme

    with pytest.raises(ApiKeyInvalid, match="not a Tijori API key"):
        api_key_authenticate(other_scheme)
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None


def test_a_key_whose_makers_account_is_switched_off_is_refused(tenant, owner):
    key, secret = _owner_key(tenant, owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    with pytest.raises(ApiKeyInvalid, match="no longer belongs to this workspace"):
        api_key_authenticate(secret)
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None


def test_a_long_revocation_reason_is_cut_to_the_audit_lines_300_characters(tenant, owner):
    key, _ = _owner_key(tenant, owner)

    api_key_revoke(tenant=tenant, actor=owner, api_key=key, reason="Left the shop. " * 40)

    summary = AuditEvent.objects.get(action="api_key.revoke").summary
    assert len(summary) == 300
    assert summary.startswith("Revoked API key “Tally sync”") and ": Left the shop. Left" in summary


# --- an expiry chosen as a day ---------------------------------------------------------------------


def test_a_key_chosen_to_expire_on_a_day_works_to_the_end_of_that_day_india_time(tenant, owner):
    key, _ = _owner_key(tenant, owner, expires_on=date(2030, 3, 31))

    assert key.expires_at == datetime(2030, 3, 31, 23, 59, 59, 999999, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert api_key_day_end(date(2030, 3, 31)) == key.expires_at


def test_a_day_already_past_is_refused_under_its_own_field(tenant, owner):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        _owner_key(tenant, owner, expires_on=yesterday)
    assert caught.value.message_dict == {"expires_on": ["The expiry must be in the future."]}
    assert not ApiKey.objects.exists()


def test_today_is_a_valid_last_day(tenant, owner):
    key, _ = _owner_key(tenant, owner, expires_on=timezone.localdate())
    assert key.status == ApiKey.Status.ACTIVE


def test_an_expiry_as_a_day_and_a_time_at_once_is_refused(tenant, owner):
    with pytest.raises(ValidationError) as caught:
        _owner_key(tenant, owner, expires_on=date(2030, 3, 31), expires_at=timezone.now() + timedelta(days=1))
    assert "not both" in caught.value.message_dict["expires_on"][0]
    assert not ApiKey.objects.exists()


def test_a_day_outside_the_dates_kept_is_refused(tenant, owner):
    with pytest.raises(ValidationError) as caught:
        _owner_key(tenant, owner, expires_on=date(2150, 1, 1))
    assert caught.value.message_dict == {"expires_on": ["The expiry can't be after 31 December 2099."]}


def test_an_expiry_time_past_2099_is_refused_like_an_expiry_day(tenant, owner):
    membership = Membership.objects.get(tenant=tenant, user=owner)
    for expiry in (
        {"expires_at": datetime(2150, 1, 1, tzinfo=ZoneInfo("Asia/Kolkata"))},
        {"expires_on": date(2150, 1, 1)},
    ):
        with pytest.raises(ValidationError, match="can't be after 31 December 2099"):
            api_key_create(
                tenant=tenant, actor=owner, actor_membership=membership, name="far", role=Role.STAFF, **expiry
            )
    assert not ApiKey.objects.filter(name="far").exists()
