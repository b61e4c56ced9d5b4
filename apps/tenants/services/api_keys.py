"""API keys: made by owners and admins, shown once, stored hashed, revocable."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.db.rows import ModelRow, table_name
from apps.core.validators import date_check
from apps.tenants.exceptions import ApiKeyInvalid
from apps.tenants.models import ApiKey, Membership, Role, Tenant
from apps.tenants.services.roles import role_grant_refusal

KEY_PREFIX = "tj"
# last_used_at is a hint for humans; writing it on every request would cost a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_day_end(expires_on: date) -> datetime:
    """A key chosen to expire on day D works through D in local time (India) and stops at its end.

    Shop owners think in days, not instants: a key "until 31 March" must still work on the evening
    of 31 March, whichever channel chose the day.
    """
    return datetime.combine(expires_on, time.max, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def api_key_create(
    *,
    tenant: Tenant,
    actor: User,
    actor_membership: Membership,
    name: str,
    role: str,
    expires_at: datetime | None = None,
    expires_on: date | None = None,
) -> tuple[ApiKey, str]:
    """Make a key; returns it with its secret, which is never stored and can't be shown again.

    The expiry is an instant (`expires_at`) or a day (`expires_on`, see `api_key_day_end`), not both;
    errors are keyed by the one given.
    """
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the key a name, such as the tool that will use it."]
    if role not in Role.values:
        errors["role"] = ["Choose owner, admin or staff."]
    expiry_field = "expires_at"
    if expires_on is not None:
        if expires_at is not None:
            raise ValidationError({"expires_on": ["Give the expiry as a day or as a time, not both."]})
        expiry_field = "expires_on"
        date_check(expires_on, field=expiry_field, label="expiry", errors=errors)
        if expiry_field not in errors:
            expires_at = api_key_day_end(expires_on)
    if expires_at is not None and expires_at <= timezone.now():
        errors.setdefault(expiry_field, []).append("The expiry must be in the future.")
    if expires_on is None:
        date_check(expires_at, field=expiry_field, label="expiry", errors=errors)
    if errors:
        raise ValidationError(errors)
    refusal = role_grant_refusal(actor_membership=actor_membership, role=role, what="a key")
    if refusal is not None:
        raise refusal
    prefix = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        tenant=tenant,
        name=name[:80],
        prefix=prefix,
        key_hash=_hash(secret),
        role=role,
        created_by=actor,
        expires_at=expires_at,
    )
    key.full_clean()
    key.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="api_key.create",
        target=key,
        summary=f"Created API key “{key.name}” ({prefix}…) with the {key.get_role_display()} role",
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, tenant: Tenant, actor: User | None, api_key: ApiKey, reason: str = "") -> ApiKey:
    assert api_key.tenant_id == tenant.id
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="api_key.revoke",
        target=api_key,
        summary=f"Revoked API key “{api_key.name}” ({api_key.prefix}…){': ' + reason if reason else ''}"[
            :300
        ],
    )
    return api_key


_KEY_ROW = ModelRow((ApiKey, "k"), (Tenant, "t"), (User, "u"))


@functools.cache
def _key_lookup_sql() -> str:
    membership = table_name(Membership)
    # Table and column names are the models' own, not input.
    return (
        f"SELECT {_KEY_ROW.select_list()}, "  # noqa: S608
        f"(SELECT m.role FROM {membership} m WHERE m.tenant_id = k.tenant_id AND m.user_id = k.created_by_id) "
        f"FROM {table_name(ApiKey)} k JOIN {table_name(Tenant)} t ON t.id = k.tenant_id "
        f"LEFT JOIN {table_name(User)} u ON u.id = k.created_by_id WHERE k.prefix = %s"
    )


def _key_lookup(prefix: str) -> tuple[ApiKey, User | None, str | None] | None:
    """The key with this prefix (its tenant and creator loaded), its creator and the creator's current
    role in the tenant (None when they left it), in one statement: the ORM's query for the same took 4 times as long to
    build as to run, on every API request (apps/core/db/rows.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_key_lookup_sql(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    key, tenant, creator = _KEY_ROW.instances(row)
    key.tenant, key.created_by = tenant, creator
    return key, creator, row[_KEY_ROW.width]


def api_key_authenticate(secret: str) -> tuple[ApiKey, Membership]:
    """The key a bearer secret names and the role it acts with; ApiKeyInvalid says why not.

    A key acts with its own role, capped by its creator's current role in the tenant; a creator who
    left the tenant takes their keys' rights along (their keys are also revoked on removal).
    """
    parts = (secret or "").split("_", 2)  # the random part may itself contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise ApiKeyInvalid("This is not a Tijori API key. It should look like tj_1a2b3c4d_….")
    key, creator, creator_role = _key_lookup(parts[1]) or (None, None, None)
    if key is None or not hmac.compare_digest(key.key_hash, _hash(secret)):
        raise ApiKeyInvalid("This API key is not valid. Check that it was copied whole.")
    if key.revoked_at is not None:
        raise ApiKeyInvalid("This API key has been revoked. Ask an owner or admin for a new one.")
    if key.expires_at is not None and key.expires_at <= timezone.now():
        raise ApiKeyInvalid("This API key has expired. Ask an owner or admin for a new one.")
    if creator is None or not creator.is_active or creator_role is None:
        raise ApiKeyInvalid("The person who made this API key no longer belongs to this workspace.")
    membership = Membership(tenant=key.tenant, user=creator, role=creator_role)
    role = key.role if Role.rank(key.role) <= Role.rank(membership.role) else membership.role
    acting = Membership(tenant=key.tenant, user=creator, role=role)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key, acting
