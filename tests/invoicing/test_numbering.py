"""Gapless numbers: 32 issuers at once, some of whose transactions roll back, leave contiguous series."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.core.rls import tenant_scope
from apps.gst.periods import FinancialYear
from apps.invoicing import services
from apps.invoicing.models import DocumentSeries, Invoice
from apps.invoicing.services.series import number_format_check, number_render

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _draft(tenant, actor, n):
    invoice = services.invoice_draft_create(tenant=tenant, actor=actor)
    services.invoice_line_add_free(
        tenant=tenant, actor=actor, invoice=invoice, description=f"Repair {n}", hsn_code="9987", amount="100"
    )
    return invoice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_32_concurrent_issuers_with_rollbacks_leave_contiguous_numbers_per_series(
    shop, owner, other_shop, other_owner
):
    jobs = [(shop, owner, n) for n in range(24)] + [(other_shop, other_owner, n) for n in range(8)]
    drafts = [(tenant, actor, _draft(tenant, actor, n), n % 5 == 0) for tenant, actor, n in jobs]
    start = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def issue(tenant, actor, invoice, roll_back):
        try:
            start.wait(30)
            with tenant_scope(tenant.pk), transaction.atomic():
                services.invoice_issue(tenant=tenant, actor=actor, invoice=invoice)
                if roll_back:
                    raise Rollback  # after the number was taken: it must come back
        except Rollback:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=job) for job in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    fy = FinancialYear.of(Invoice.objects.filter(status="issued").first().issued_on)
    for tenant, expected in ((shop, 24 - 5), (other_shop, 8 - 2)):
        issued = Invoice.objects.for_tenant(tenant).filter(status=Invoice.Status.ISSUED)
        numbers = sorted(issued.values_list("number", flat=True))
        assert numbers == [
            number_render("{CODE}/{FY}/{NNNN}", code="INV", fy=fy, n=n) for n in range(1, expected + 1)
        ]
        assert (
            Invoice.objects.for_tenant(tenant).filter(status=Invoice.Status.DRAFT).count() == 24 - expected
            if tenant == shop
            else 8 - expected
        )
        series = DocumentSeries.objects.for_tenant(tenant).get()
        assert series.next_number == expected + 1


def test_a_series_starts_again_each_financial_year_in_last_years_format(shop, owner):
    last_year = DocumentSeries.objects.create(
        tenant=shop, doc_type="invoice", code="INV", gstin=shop.gstin, fy_start_year=2000, number_format="{CODE}-{FY}-{NNNNN}",
        next_number=40,
    )  # fmt: skip
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=_draft(shop, owner, 1))
    fy = FinancialYear.of(invoice.issued_on)
    assert invoice.number == f"INV-{fy.short}-00001"
    assert invoice.series.fy_start_year == fy.start_year and invoice.series_id != last_year.pk


@pytest.mark.parametrize(
    ("number_format", "code", "message"),
    [
        ("{CODE}/{FY}", "INV", "counter"),
        ("{CODE}/{FY}/{NNNN}/{NN}", "INV", "counter"),
        ("{CODE}/{YEAR}/{NNNN}", "INV", "knows only"),
        ("{CODE}/{FY}/{NNNNNNNNN}", "INV", "at most 16"),
        ("0/{NNNN}", "INV", "not starting with 0"),
        ("{CODE}_{NNNN}", "INV", "letters, digits"),
        ("{CODE}/{NNNN}}", "INV", "knows only"),
        ("{CODE}/{{NNNN}", "INV", "knows only"),
        ("{CODE}/{FY}/{NNNN}", "ABCDEFG", "at most 16"),
        ("{CODE}/{NNNN}", "inv-1", "capital letters"),
    ],
)
def test_a_number_format_that_could_give_an_invalid_gst_number_is_refused(number_format, code, message):
    with pytest.raises(ValidationError, match=message):
        number_format_check(number_format, code=code)


def test_the_shops_own_format_gives_its_numbers(shop, owner):
    services.series_create(
        tenant=shop, actor=owner, doc_type="invoice", code="LJ", number_format="{CODE}/{FY}/{NNNN}"
    )
    invoice = services.invoice_draft_create(tenant=shop, actor=owner, series_code="LJ")
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=invoice, description="Polish", hsn_code="9987", amount="10"
    )
    invoice = services.invoice_issue(tenant=shop, actor=owner, invoice=invoice)
    assert invoice.number == f"LJ/{FinancialYear.of(invoice.issued_on).short}/0001"


def test_numbers_follow_one_another_without_gaps(shop, owner):
    numbers = [
        services.invoice_issue(tenant=shop, actor=owner, invoice=_draft(shop, owner, n)).number
        for n in range(3)
    ]
    fy = FinancialYear.of(Invoice.objects.for_tenant(shop).first().issued_on)
    assert numbers == [f"INV/{fy.short}/{n:04d}" for n in (1, 2, 3)]
    assert DocumentSeries.objects.for_tenant(shop).get().next_number == 4


def test_a_counter_that_outgrows_sixteen_characters_stops_the_series_not_the_shop(shop, owner):
    fy = FinancialYear.of(timezone.localdate())
    DocumentSeries.objects.create(
        tenant=shop, doc_type="invoice", code="LONGCODE", gstin=shop.gstin, fy_start_year=fy.start_year,
        number_format="{CODE}/{FY}/{N}", next_number=9,
    )  # fmt: skip
    first = services.invoice_draft_create(tenant=shop, actor=owner, series_code="LONGCODE")
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=first, description="x", hsn_code="9987", amount="1"
    )
    assert (
        services.invoice_issue(tenant=shop, actor=owner, invoice=first).number == f"LONGCODE/{fy.short}/9"
    )  # 16
    second = services.invoice_draft_create(tenant=shop, actor=owner, series_code="LONGCODE")
    services.invoice_line_add_free(
        tenant=shop, actor=owner, invoice=second, description="x", hsn_code="9987", amount="1"
    )
    with pytest.raises(ValidationError, match="no number left"):
        services.invoice_issue(tenant=shop, actor=owner, invoice=second)
    assert DocumentSeries.objects.get(code="LONGCODE").next_number == 10
    assert Invoice.objects.get(pk=second.pk).status == "draft"


def test_a_sixteen_character_format_is_accepted():
    number_format_check("{CODE}/{FY}/{NNNN}", code="ABCDE")  # ABCDE/25-26/0001: 16 characters


@pytest.mark.parametrize("code", ["inv", "1NV", "TOOLONGCODE", "", "IN V"])
def test_a_draft_names_a_series_code_that_can_number_a_gst_invoice(shop, owner, code):
    with pytest.raises(ValidationError) as caught:
        services.invoice_draft_create(tenant=shop, actor=owner, series_code=code or " ")
    assert "series_code" in caught.value.message_dict
    assert not Invoice.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_issuers_opening_a_new_series_at_once_share_it_and_number_one_after_the_other(shop):
    from apps.invoicing.services.series import series_number_take
    from tests.races import overlap

    fy = FinancialYear.of(timezone.localdate())

    def take():
        with transaction.atomic():
            return series_number_take(tenant=shop, doc_type="invoice", code="NEW", gstin=shop.gstin, fy=fy)[1]

    race = overlap(shop, take, take)
    assert race.second_waited  # on the new series' unique index, while the first had not committed
    assert (race.first, race.second) == (f"NEW/{fy.short}/0001", f"NEW/{fy.short}/0002")
    assert DocumentSeries.objects.filter(code="NEW").count() == 1
