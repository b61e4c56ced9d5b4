"""Shops' AMC histories told through the real services, each step on the day it happens (`today=`,
`paid_on=`): for the revenue figures' tests and the dashboard's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.billing import services
from apps.billing.models import Plan, PlatformInvoice
from apps.tenants.models import Tenant
from tests.billing.conftest import contract_of


class History:
    """The shops' lives, told in order: each service runs on the day it happens."""

    DUE = {"amc": Decimal("11800.00"), "plus": Decimal("17700.00")}  # the price + 18% GST

    def __init__(self, root):
        self.root = root
        self.shops: dict[str, Tenant] = {}

    def signs_up(self, name: str, day: date, plan: Plan | None = None) -> Tenant:
        """A shop made on `day` (its signup month), starting its plan's trial that day."""
        shop = Tenant.objects.create(
            kind="shop", name=f"Shop {name}", slug=f"shop-{name.lower()}", state_code="27"
        )
        services.contract_start_trial(tenant=shop, plan=plan, caused_by="test", today=day)
        signed_up = timezone.make_aware(datetime.combine(day, time(11)))
        Tenant.objects.filter(pk=shop.pk).update(created_at=signed_up)
        self.shops[name] = shop
        return shop

    def pays(self, name: str, day: date) -> None:
        contract = contract_of(self.shops[name])
        services.billing_payment_record(
            contract=contract, actor=self.root, method="bank", reference=f"UTR-{name}-{day:%Y%m%d}", paid_on=day,
            amount=self.DUE[contract.plan.code], today=day,
        )  # fmt: skip

    def refunded(self, name: str, day: date) -> None:
        invoice = PlatformInvoice.objects.get(tenant=self.shops[name], doc_type="invoice")
        services.platform_credit_note_issue(
            invoice=invoice, actor=self.root, reason="Refund asked for", today=day
        )

    def comped(self, name: str, day: date, months: int) -> None:
        services.contract_comp(
            contract=contract_of(self.shops[name]),
            reason="Festival offer",
            actor=self.root,
            months=months,
            today=day,
        )

    @staticmethod
    def job(day: date) -> None:
        services.contracts_lifecycle_advance(today=day)


def revenue_story(root, *, shops: int, prefix: str = "") -> History:
    """`shops` shops over the last 100 days: the first pays, the second's trial ended a week ago (in
    grace), then a mix: paid, paid and refunded, comped, lapsed, some on the Plus plan."""
    today = services.today_local()
    plus = Plan.objects.filter(code="plus").first() or services.plan_save(
        actor=root, plan=None, code="plus", name="Plus", for_kind="shop", yearly_price=Decimal("15000"),
        trial_days=30, grace_days=20, includes="", is_default=False, is_active=True,
    )  # fmt: skip
    story = History(root)
    start = today - timedelta(days=100)
    story.signs_up(f"{prefix}Paid", start)
    story.pays(f"{prefix}Paid", start + timedelta(days=5))  # a year from start + 14 days: paying today
    story.signs_up(f"{prefix}Late", today - timedelta(days=20))  # trial ended 7 days ago: in grace
    for n in range(shops - 2):
        name = f"{prefix}More{n}"
        story.signs_up(name, start + timedelta(days=n), plus if n % 3 == 0 else None)
        if n % 4 == 0:
            story.pays(name, start + timedelta(days=n + 3))
        elif n % 4 == 1:
            story.pays(name, start + timedelta(days=n + 3))
            story.refunded(name, start + timedelta(days=n + 10))
        elif n % 4 == 2:
            story.comped(name, start + timedelta(days=n + 1), months=1)
    story.job(today)
    return story
