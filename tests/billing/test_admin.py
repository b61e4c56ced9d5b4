"""Super admins in Django admin: plans edited through the service, and each action on a contract asked
with a reason, carried out by its service, recorded in the history and the audit trail as theirs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.billing.models import Contract, ContractEvent, Plan
from tests.accounts.factories import UserFactory
from tests.billing.conftest import A, S, contract_of, events_of

pytestmark = pytest.mark.django_db


def _manage(contract: Contract) -> str:
    return reverse("admin:billing_contract_manage", args=[contract.pk])


def _post(client, contract, action: str, **fields):
    return client.post(
        _manage(contract), {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    )


def test_the_manage_page_offers_what_the_state_allows(root_client, tenant):
    page = root_client.get(_manage(contract_of(tenant)))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Trial" in html and "Shop A Jewellers" in html
    for heading in (
        "Record a renewal paid offline",
        "Extend the current period",
        "Give a complimentary period",
        "Suspend",
    ):
        assert f'value="{heading}"' in html
    assert 'value="Resume"' not in html  # nothing to resume
    assert 'value="Change the plan"' not in html  # no other shop plan is offered


def test_a_super_admin_extends_with_a_reason_and_the_trail_names_them(root_client, root, tenant):
    contract = contract_of(tenant)
    end = contract.period_end

    response = _post(root_client, contract, "extend", days="10", reason="Slow onboarding: GSTIN came late")

    assert response.status_code == 302
    contract = contract_of(tenant)
    assert (contract.state, contract.period_end) == (S.TRIALING, end + timedelta(days=10))
    event = ContractEvent.objects.filter(tenant=tenant).latest("id")
    assert (event.action, event.actor, event.caused_by, event.reason) == (
        A.EXTENDED,
        root,
        "super admin root@tijori.in",
        "Slow onboarding: GSTIN came late",
    )
    audit = AuditEvent.objects.filter(tenant=tenant, action="contract.extend").get()
    assert audit.actor == root and audit.summary.endswith(": Slow onboarding: GSTIN came late")


def test_an_action_without_a_reason_is_refused_on_its_form_and_changes_nothing(root_client, tenant):
    contract = contract_of(tenant)

    response = _post(root_client, contract, "suspend", reason="  ")

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert contract_of(tenant).state == S.TRIALING and len(events_of(tenant)) == 1


def test_an_action_the_state_refuses_is_shown_on_its_form(root_client, tenant):
    contract = contract_of(tenant)

    response = _post(root_client, contract, "resume", reason="nothing to resume")

    assert response.status_code == 422
    assert "An AMC that is on trial can&#x27;t be resumed." in response.content.decode()
    assert len(events_of(tenant)) == 1


def test_suspend_and_resume_from_admin_return_the_contract_to_where_it_was(root_client, tenant):
    contract = contract_of(tenant)

    assert _post(root_client, contract, "suspend", reason="Chargeback on the card").status_code == 302
    assert contract_of(tenant).state == S.SUSPENDED
    page = root_client.get(_manage(contract)).content.decode()
    assert 'value="Resume"' in page and 'value="Suspend"' not in page
    assert _post(root_client, contract, "resume", reason="Chargeback withdrawn").status_code == 302

    assert contract_of(tenant).state == S.TRIALING
    assert [e[0] for e in events_of(tenant)] == [A.TRIAL_STARTED, A.SUSPENDED, A.RESUMED]


def test_a_renewal_paid_by_bank_transfer_is_recorded_with_its_reference(root_client, root, tenant):
    contract = contract_of(tenant)
    day = contract.period_start

    response = _post(
        root_client, contract, "renew", method="bank", paid_on=day.isoformat(), amount="11,800",
        reference="UTR 4471", reason="Paid by NEFT",
    )  # fmt: skip

    assert response.status_code == 302
    contract = contract_of(tenant)
    assert (contract.state, contract.period_price) == (S.ACTIVE, Decimal("10000.00"))
    event = ContractEvent.objects.filter(tenant=tenant).latest("id")
    assert (event.actor, event.caused_by) == (
        root,
        "payment recorded by super admin root@tijori.in: UTR 4471",
    )


def test_an_underpaid_renewal_is_refused_with_the_price(root_client, tenant):
    contract = contract_of(tenant)

    response = _post(
        root_client,
        contract,
        "renew",
        method="bank",
        paid_on=contract.period_start.isoformat(),
        amount="5000",
        reference="UTR 1",
        reason="Paid by NEFT",
    )

    assert response.status_code == 422
    assert "₹5,000.00 was paid, but a year of AMC costs ₹10,000.00 before GST." in response.content.decode()
    assert contract_of(tenant).state == S.TRIALING


def test_a_complimentary_period_and_a_plan_change_from_admin(root_client, tenant, root):
    plus = Plan.objects.create(code="amc-plus", name="AMC Plus", for_kind="shop", yearly_price=Decimal("15000"),
                               trial_days=30, grace_days=20)  # fmt: skip
    contract = contract_of(tenant)
    until = contract.period_end + timedelta(days=60)

    assert (
        _post(root_client, contract, "comp", until=until.isoformat(), reason="Launch partner").status_code
        == 302
    )
    assert (
        _post(root_client, contract, "plan", plan=str(plus.pk), reason="Wants e-invoicing").status_code == 302
    )

    contract = contract_of(tenant)
    assert (contract.state, contract.period_kind, contract.period_end, contract.plan) == (
        S.ACTIVE,
        "comp",
        until,
        plus,
    )


def test_only_a_super_admin_manages_a_contract(tenant):
    staff = UserFactory(email="desk@tijori.in", is_staff=True)
    client = Client()
    client.force_login(staff)

    assert client.get(_manage(contract_of(tenant))).status_code == 403
    assert (
        client.post(_manage(contract_of(tenant)), {"action": "suspend", "suspend-reason": "x"}).status_code
        == 403
    )
    assert contract_of(tenant).state == S.TRIALING


def test_an_unknown_action_or_contract_is_404(root_client, tenant):
    contract = contract_of(tenant)

    assert root_client.post(_manage(contract), {"action": "delete"}).status_code == 404
    assert (
        root_client.get(reverse("admin:billing_contract_manage", args=[contract.pk + 999])).status_code == 404
    )


def test_the_contract_page_is_read_only_with_its_history(root_client, tenant):
    contract = contract_of(tenant)

    page = root_client.get(reverse("admin:billing_contract_change", args=[contract.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Trial started" in html and "jewellery shop created" in html and "Manage" in html
    assert 'name="_save"' not in html
    listing = root_client.get(reverse("admin:billing_contract_changelist") + "?state__exact=trialing")
    assert listing.status_code == 200 and "Shop A Jewellers" in listing.content.decode()


def _plan_form(plan: Plan | None = None, **changes) -> dict:
    data = {
        "code": "amc-plus", "name": "AMC Plus", "for_kind": "shop", "yearly_price": "15000", "trial_days": "30",
        "grace_days": "20", "includes": "Everything in AMC", "is_active": "on",
    }  # fmt: skip
    if plan is not None:
        data = {
            "name": plan.name, "for_kind": plan.for_kind, "yearly_price": str(plan.yearly_price),
            "trial_days": str(plan.trial_days), "grace_days": str(plan.grace_days), "includes": plan.includes,
            **({"is_default": "on"} if plan.is_default else {}), **({"is_active": "on"} if plan.is_active else {}),
        }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_super_admin_adds_a_plan_and_makes_it_the_default(root_client, root):
    response = root_client.post(reverse("admin:billing_plan_add"), _plan_form(is_default="on"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    plus = Plan.objects.get(code="amc-plus")
    assert plus.is_default and not Plan.objects.get(code="amc").is_default
    assert AuditEvent.objects.filter(tenant=None, action="plan.create", actor=root).exists()


def test_unticking_the_default_in_admin_is_refused(root_client):
    amc = Plan.objects.get(code="amc")

    response = root_client.post(
        reverse("admin:billing_plan_change", args=[amc.pk]), _plan_form(amc, is_default=None)
    )

    assert response.status_code == 200
    assert "make another plan of this kind the default" in response.content.decode()
    assert Plan.objects.get(code="amc").is_default


def test_a_price_change_in_admin_is_saved_and_audited(root_client, root):
    amc = Plan.objects.get(code="amc")

    response = root_client.post(
        reverse("admin:billing_plan_change", args=[amc.pk]), _plan_form(amc, yearly_price="12000")
    )

    assert response.status_code == 302
    assert Plan.objects.get(code="amc").yearly_price == Decimal("12000.00")
    audit = AuditEvent.objects.filter(tenant=None, action="plan.update").get()
    assert audit.actor == root and audit.summary == "AMC plan AMC changed: yearly price (₹12,000.00 a year)"
    assert root_client.get(reverse("admin:billing_plan_changelist")).status_code == 200
