"""Customers: GST-registered businesses (their state read from the GSTIN) and walk-in buyers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.audit.services import audit_record
from apps.gst.validators import gstin_validate
from apps.invoicing.models import Customer

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

FIELDS = ["kind", "name", "trade_name", "gstin", "state_code", "phone", "email", "address", "pincode", "pan",
          "form_60_given"]  # fmt: skip


def _clean(customer: Customer) -> None:
    """Normalise what people type, then let the model's validators and constraints speak."""
    customer.name = " ".join((customer.name or "").split())
    customer.trade_name = " ".join((customer.trade_name or "").split())
    customer.pan = (customer.pan or "").strip().upper()
    customer.phone = " ".join((customer.phone or "").split())
    if customer.kind == Customer.Kind.REGISTERED:
        if not customer.gstin:
            raise ValidationError({"gstin": ["A GST-registered customer needs their GSTIN."]})
        try:
            customer.gstin = gstin_validate(customer.gstin)
        except ValidationError as exc:
            raise ValidationError({"gstin": exc.messages}) from None
        customer.state_code = customer.gstin[:2]  # a registered buyer's state is their GSTIN's
    else:
        if customer.gstin:
            raise ValidationError(
                {"gstin": ["An unregistered customer has no GSTIN: choose 'GST-registered business'."]}
            )
    if customer.pan and customer.form_60_given:
        customer.form_60_given = False  # Form 60 stands in for a PAN the buyer does not have
    customer.full_clean()


@transaction.atomic
def customer_create(*, tenant: Tenant, actor: User | None, **values) -> Customer:
    unknown = set(values) - set(FIELDS)
    assert not unknown, f"unknown customer fields: {unknown}"
    customer = Customer(tenant=tenant, created_by=actor, **values)
    _clean(customer)
    customer.save(force_insert=True)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="customer.create",
        summary=f"Added customer {customer}",
        target=customer,
    )
    return customer


@transaction.atomic
def customer_update(*, tenant: Tenant, actor: User | None, customer: Customer, **values) -> Customer:
    assert customer.tenant_id == tenant.id
    unknown = set(values) - set(FIELDS)
    assert not unknown, f"unknown customer fields: {unknown}"
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {name: getattr(customer, name) for name in FIELDS}
    for name, value in values.items():
        setattr(customer, name, value)
    _clean(customer)
    changed = [name for name in FIELDS if getattr(customer, name) != before[name]]
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="customer.update",
            summary=f"Changed {', '.join(changed)} of customer {customer}",
            target=customer,
        )
    return customer
