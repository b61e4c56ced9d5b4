"""Two shops' documents, hand-worked, for the registers' tests: what each register must show is written
out beside the data that makes it (October 2026, with a September before it and a November after).

Shop A (Maharashtra) keeps four 22K rings of 10 g gross, 9.5 g net (R1-R4) and a silver anklet:

| day        | what happens                                                                       |
|------------|------------------------------------------------------------------------------------|
| 20 Sep     | R1, R2, R3 and the anklet entered                                                  |
| 25 Sep     | invoice I0 sells R1 to Meera (unregistered): 67,700 + 3% = 69,731                  |
| 5 Oct      | R4 entered                                                                         |
| 6 Oct      | invoice I1 to Ratna Traders (registered): R2 (67,700 at 3%) and a repair (1,000 at |
|            | 18%) = 70,911; paid 20,000 cash and 30,911 UPI                                     |
| 10 Oct     | invoice I2 sells R3 to Meera, cancelled the same day                                |
| 12 Oct     | advance AD1 of 5,000 by bank transfer from Meera (receipt voucher)                 |
| 15 Oct     | credit note CN1 returns R1 on I0: -67,700, -1,015.50 CGST and SGST, -69,731         |
| 18 Oct     | old gold OG1 from Ratna: 12.000 g less 0.500 g, 91.60% → 10.534 g fine at 6,000 =  |
|            | 63,204; 20,000 of it pays I1                                                       |
| 20 Oct     | debit note DN1 adds 100 (at 18%) on I1's repair: 118, paid by card                 |
| 2 Nov      | invoice I3 sells R4 to Meera, 5,000 of it by the advance AD1                        |

Shop B (Tamil Nadu) sells its own ring on 7 Oct; it must never show in shop A's registers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.inventory import services as inventory_services
from apps.inventory.models import Purity, StockItem
from apps.invoicing import services
from apps.invoicing.models import Customer, Invoice, OldGoldVoucher, ReceiptVoucher
from tests.invoicing.conftest import article, buyer, draft_with  # noqa: F401 - buyer: a fixture `book` needs
from tests.tenants.factories import gstin_for

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
RING_NET, RING_GROSS = Decimal("9.500"), Decimal("10.000")


@dataclass
class Shop:
    tenant: object
    owner: object
    meera: Customer
    ratna: Customer | None = None
    rings: list[StockItem] | None = None
    anklet: StockItem | None = None
    documents: dict[str, Invoice] | None = None
    old_gold: OldGoldVoucher | None = None
    advance: ReceiptVoucher | None = None


class Clock:
    """`clock(day)` runs the next calls at noon (IST) of `day`: issue dates, payment days and the moment
    an article is entered all follow the shop's clock, as every service reads it. `clock.reset()`
    goes back to the real time."""

    def __init__(self) -> None:
        self._patch = pytest.MonkeyPatch()

    def __call__(self, day: date) -> None:
        noon = timezone.make_aware(datetime.combine(day, time(12, 0)))
        self._patch.setattr("django.utils.timezone.now", lambda: noon)

    def reset(self) -> None:
        self._patch.undo()


@pytest.fixture
def on_day():
    clock = Clock()
    yield clock
    clock.reset()


def rate_on(tenant, owner, day: date, rate: str = "6500") -> None:
    inventory_services.metal_rate_set(
        tenant=tenant, actor=owner, purity=Purity.objects.get(metal="gold", fineness=916), rate_per_gram=rate,
        effective_on=day,
    )  # fmt: skip


def sell(tenant, owner, day: date, *items, customer=None, repair: str = "") -> Invoice:
    rate_on(tenant, owner, day)
    invoice = draft_with(tenant, owner, *items, customer=customer)
    if repair:
        services.invoice_line_add_free(
            tenant=tenant,
            actor=owner,
            invoice=invoice,
            description="Chain repair",
            hsn_code="9987",
            amount=repair,
        )
    return services.invoice_issue(tenant=tenant, actor=owner, invoice=invoice)


@pytest.fixture
def book(shop, owner, buyer, other_shop, other_owner, on_day) -> Shop:  # noqa: F811 - fixtures
    """Shop A's September to November, and shop B's October sale (see the module's table)."""
    a = Shop(tenant=shop, owner=owner, meera=buyer, documents={})
    on_day(date(2026, 9, 20))
    a.ratna = services.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Ratna Traders", gstin=gstin_for("27", pan="AAFCR1234K"),
        state_code="27",
    )  # fmt: skip
    a.rings = [article(shop, owner, name=f"Ring R{n}") for n in (1, 2, 3)]
    a.anklet = article(
        shop, owner, name="Silver anklet", category="other", purity=Purity.objects.get(metal="silver", fineness=925),
        gross_weight="50.000", stone_weight="0", making_charge_value="0", stone_value="0",
        hallmark_status="pending", huid="",
    )  # fmt: skip
    on_day(date(2026, 9, 25))
    a.documents["I0"] = sell(shop, owner, date(2026, 9, 25), a.rings[0], customer=buyer)
    on_day(date(2026, 10, 5))
    a.rings.append(article(shop, owner, name="Ring R4"))
    on_day(date(2026, 10, 6))
    i1 = a.documents["I1"] = sell(shop, owner, date(2026, 10, 6), a.rings[1], customer=a.ratna, repair="1000")
    services.payment_record(tenant=shop, actor=owner, invoice=i1, mode="cash", amount="20000")
    services.payment_record(
        tenant=shop, actor=owner, invoice=i1, mode="upi", amount="30911", reference="UPI 4471"
    )
    on_day(date(2026, 10, 10))
    i2 = a.documents["I2"] = sell(shop, owner, date(2026, 10, 10), a.rings[2], customer=buyer)
    services.invoice_cancel(tenant=shop, actor=owner, invoice=i2, reason="Buyer changed her mind")
    on_day(date(2026, 10, 12))
    a.advance = services.receipt_voucher_create(
        tenant=shop, actor=owner, customer=buyer, mode="bank", amount="5000", description="Bangles to order"
    )
    on_day(date(2026, 10, 15))
    note = services.credit_note_draft_create(
        tenant=shop, actor=owner, original=a.documents["I0"], reason="sales_return"
    )
    services.credit_note_line_return(
        tenant=shop, actor=owner, note=note, original_line=a.documents["I0"].lines.get()
    )
    a.documents["CN1"] = services.invoice_issue(tenant=shop, actor=owner, invoice=note)
    on_day(date(2026, 10, 18))
    a.old_gold = services.old_gold_voucher_create(
        tenant=shop, actor=owner, customer=a.ratna, gross_weight="12.000", deduction_weight="0.500",
        purity_percent="91.60", rate_per_gram="6000", description="Old bangle",
    )  # fmt: skip
    services.payment_record(
        tenant=shop, actor=owner, invoice=i1, mode="old_gold", amount="20000", old_gold_voucher=a.old_gold
    )
    on_day(date(2026, 10, 20))
    debit = services.debit_note_draft_create(tenant=shop, actor=owner, original=i1, reason="price_increase")
    services.note_line_add_amount(
        tenant=shop, actor=owner, note=debit, original_line=i1.lines.get(kind="free"), amount="100"
    )
    a.documents["DN1"] = services.invoice_issue(tenant=shop, actor=owner, invoice=debit)
    services.payment_record(tenant=shop, actor=owner, invoice=a.documents["DN1"], mode="card", amount="118")
    on_day(date(2026, 11, 2))
    i3 = a.documents["I3"] = sell(shop, owner, date(2026, 11, 2), a.rings[3], customer=buyer)
    services.payment_record(
        tenant=shop, actor=owner, invoice=i3, mode="advance", amount="5000", receipt_voucher=a.advance
    )

    on_day(date(2026, 10, 7))
    rate_on(other_shop, other_owner, date(2026, 10, 7), rate="7000")
    theirs = services.customer_create(
        tenant=other_shop,
        actor=other_owner,
        name="Kavya",
        state_code="33",
        address="2 Temple Street, Chennai",
    )
    ring = article(other_shop, other_owner, name="Their ring")
    sell(other_shop, other_owner, date(2026, 10, 7), ring, customer=theirs)
    on_day(date(2026, 10, 8))
    services.old_gold_voucher_create(
        tenant=other_shop,
        actor=other_owner,
        customer=theirs,
        gross_weight="5",
        purity_percent="75",
        rate_per_gram="5000",
    )
    services.receipt_voucher_create(
        tenant=other_shop, actor=other_owner, customer=theirs, mode="cash", amount="900", description="Chain"
    )
    on_day.reset()
    return a
