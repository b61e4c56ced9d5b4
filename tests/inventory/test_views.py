"""The Stock & HUID pages: list, article, batches, rates, compliance and the dashboard's stock figures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.models import Certificate, HallmarkBatch, MetalRate, Purity, StockImport, StockItem
from apps.inventory.services import CSV_COLUMNS, hallmark_batch_send, metal_rate_set, stock_item_create
from tests.inventory.conftest import PDF

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def make_item(tenant, actor, **values):
    values = {"name": "Chain", "category": "chain", "purity": p22(), "gross_weight": "10", **values}
    return stock_item_create(tenant=tenant, actor=actor, **values)


def item_post(**overrides):
    data = {
        "name": "Temple necklace",
        "sku": "",
        "category": "necklace",
        "purity": str(p22().pk),
        "gross_weight": "24.500",
        "stone_weight": "1.250",
        "making_charge_type": "per_gram",
        "making_charge_value": "450",
        "stone_value": "3000",
        "hsn_code": "",
        "huid": "",
        "hallmark_status": "pending",
        "exemption": "",
        "stock_status": "in_stock",
    }
    data.update(overrides)
    return data


# --- the stock list -------------------------------------------------------------------------------


def test_stock_list_values_each_article_at_the_latest_rate(owner_client, tenant, owner):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500")
    make_item(tenant, owner, sku="CH-1", gross_weight="10.000", stone_weight="0.500")
    response = owner_client.get(reverse("inventory:stock_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CH-1" in html and "9.500 g" in html
    assert "₹61,750.00" in html  # 9.5 g at ₹6,500 a gram, with Indian digit grouping
    assert "Today's metal rates are not entered yet" not in html


def test_stock_list_reminds_when_todays_rate_is_missing(owner_client, tenant, owner):
    yesterday = timezone.localdate() - timedelta(days=1)
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500", effective_on=yesterday)
    make_item(tenant, owner)
    html = owner_client.get(reverse("inventory:stock_list")).content.decode()
    assert "Today's metal rates are not entered yet" in html


def test_stock_list_filters_search_and_sorts(owner_client, tenant, owner):
    make_item(tenant, owner, sku="A-1", name="Plain band", gross_weight="5")
    make_item(tenant, owner, sku="A-2", name="Heavy bangle", gross_weight="30", huid="ab12cd")
    make_item(
        tenant, owner, sku="S-1", name="Anklet", purity=Purity.objects.get(metal="silver", fineness=925)
    )
    url = reverse("inventory:stock_list")

    def skus(**params):
        response = owner_client.get(url, params)
        assert response.status_code == 200
        return [item.sku for item, _ in response.context["rows"]]

    assert skus(missing_huid="on") == ["A-1"]
    assert skus(q="AB12CD") == ["A-2"]
    assert skus(q="bangle") == ["A-2"]
    assert skus(metal="silver") == ["S-1"]
    assert skus(hallmark_status="hallmarked") == ["A-2"]
    assert skus(ordering="-net_weight")[0] == "A-2"
    assert skus(ordering="sku") == ["A-1", "A-2", "S-1"]
    assert skus(stock_status="sold") == []
    # A bad filter value is ignored, not an error page.
    assert len(skus(stock_status="stolen")) == 3


def test_stock_list_htmx_returns_only_the_rows(owner_client, tenant, owner):
    make_item(tenant, owner, sku="H-1")
    response = owner_client.get(reverse("inventory:stock_list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "H-1" in html and "<html" not in html


def test_stock_list_paginates_by_fifty(owner_client, tenant, owner):
    purity = p22()
    for n in range(55):
        make_item(tenant, owner, sku=f"P-{n:03}", purity=purity, gross_weight="1")
    first = owner_client.get(reverse("inventory:stock_list"), {"ordering": "sku"})
    assert len(first.context["rows"]) == 50
    second = owner_client.get(reverse("inventory:stock_list"), {"ordering": "sku", "page": 2})
    assert [i.sku for i, _ in second.context["rows"]] == [f"P-{n:03}" for n in range(50, 55)]


def test_stock_list_query_count_does_not_grow_with_the_stock(
    owner_client, tenant, owner, django_assert_num_queries, django_assert_max_num_queries
):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6500")
    for n in range(3):
        make_item(tenant, owner, sku=f"Q-{n}")
    url = reverse("inventory:stock_list")
    with django_assert_max_num_queries(14) as few:
        owner_client.get(url, {"missing_huid": "on"})
    silver = Purity.objects.get(metal="silver", fineness=925)
    for n in range(60):
        make_item(tenant, owner, sku=f"R-{n}", purity=silver if n % 2 else p22())
    with django_assert_num_queries(len(few.captured_queries)):
        response = owner_client.get(url, {"missing_huid": "on"})
    assert len(response.context["rows"]) == 33  # 3 + the 30 gold of the 60


# --- one article ----------------------------------------------------------------------------------


def test_add_an_article_through_the_page(owner_client, tenant):
    response = owner_client.post(reverse("inventory:stock_create"), item_post(huid="hm4k2p"))
    item = StockItem.objects.for_tenant(tenant).get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inventory:stock_detail", args=[item.pk]
    )
    assert item.huid == "HM4K2P" and item.net_weight == Decimal("23.250") and item.hsn_code == "7113"
    assert item.sku.startswith("TJ-")
    assert item.hallmark_status == StockItem.HallmarkStatus.HALLMARKED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"huid": "AB12"}, "huid", "exactly 6 letters or digits"),
        ({"huid": "AB-12C"}, "huid", "exactly 6 letters or digits"),
        ({"stone_weight": "30"}, "stone_weight", "can't be more than the gross weight"),
        ({"gross_weight": "ten"}, "gross_weight", "as a number"),
        ({"ready_for_sale": "on"}, "huid", "needs its HUID before it can be sold"),
        ({"hallmark_status": "exempt"}, "exemption", "Say why the article is exempt"),
        ({"hallmark_status": "exempt", "exemption": "under_2g"}, "exemption", "does not apply"),
    ],
)
def test_bad_article_input_is_shown_by_its_field_and_nothing_is_saved(
    owner_client, tenant, overrides, field, message
):
    events = AuditEvent.objects.count()
    response = owner_client.post(reverse("inventory:stock_create"), item_post(**overrides))
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not StockItem.objects.for_tenant(tenant).exists()
    assert AuditEvent.objects.count() == events


def test_exempt_article_can_be_sold_without_huid(owner_client, tenant):
    response = owner_client.post(
        reverse("inventory:stock_create"),
        item_post(hallmark_status="exempt", exemption="kundan_polki_jadau", ready_for_sale="on"),
    )
    assert response.status_code == 302
    item = StockItem.objects.for_tenant(tenant).get()
    assert item.ready_for_sale and item.exemption == "kundan_polki_jadau"


def test_edit_assigns_a_huid_and_the_trail_shows_it(owner_client, tenant, owner):
    item = make_item(tenant, owner, sku="E-1")
    data = item_post(sku="", name=item.name, gross_weight="10", stone_weight="0", huid="zx81qa")
    response = owner_client.post(reverse("inventory:stock_edit", args=[item.pk]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.sku == "E-1" and item.huid == "ZX81QA"
    detail = owner_client.get(reverse("inventory:stock_detail", args=[item.pk])).content.decode()
    assert "E-1: HUID ZX81QA assigned" in detail


def test_edit_with_another_articles_huid_is_refused(owner_client, tenant, owner):
    make_item(tenant, owner, sku="D-1", huid="DUP123")
    item = make_item(tenant, owner, sku="D-2")
    response = owner_client.post(
        reverse("inventory:stock_edit", args=[item.pk]), item_post(sku="D-2", huid="dup123")
    )
    assert response.status_code == 422
    assert "already on another article" in response.content.decode()
    item.refresh_from_db()
    assert item.huid == ""


def test_only_admins_delete_and_sold_articles_stay(make_client, owner_client, staff_user, tenant, owner):
    item = make_item(tenant, owner, sku="X-1")
    staff = make_client(staff_user, tenant)
    assert staff.post(reverse("inventory:stock_delete", args=[item.pk])).status_code == 403
    sold = make_item(tenant, owner, sku="X-2", huid="SOLD01", stock_status="sold")
    response = owner_client.post(reverse("inventory:stock_delete", args=[sold.pk]), follow=True)
    assert "A sold article can&#x27;t be deleted" in response.content.decode()
    assert owner_client.post(reverse("inventory:stock_delete", args=[item.pk])).status_code == 302
    assert list(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == ["X-2"]


@pytest.mark.usefixtures("certificates_in_tmp")
def test_stone_certificate_is_attached_and_downloaded_by_link(owner_client, tenant, owner):
    item = make_item(tenant, owner)
    upload = SimpleUploadedFile("igi-report.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(reverse("inventory:stock_certificate", args=[item.pk]), {"file": upload})
    assert response.status_code == 302
    certificate = Certificate.objects.for_tenant(tenant).get(item=item)
    detail = owner_client.get(reverse("inventory:stock_detail", args=[item.pk])).content.decode()
    assert "igi-report.pdf" in detail
    link = owner_client.get(reverse("inventory:certificate_download", args=[certificate.pk]))
    assert link.status_code == 302
    served = owner_client.get(link["Location"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF


@pytest.mark.usefixtures("certificates_in_tmp")
@pytest.mark.parametrize(
    "content, message",
    [
        (b"MZ\x90\x00 not a pdf", "must be a PDF, PNG or JPEG"),
        (b"%PDF-1.7\n<script>alert(1)</script>", "starts like a PDF but can&#x27;t be read as one"),
    ],
)
def test_a_certificate_that_is_not_pdf_or_image_is_refused(owner_client, tenant, owner, content, message):
    item = make_item(tenant, owner)
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    response = owner_client.post(
        reverse("inventory:stock_certificate", args=[item.pk]), {"file": upload}, follow=True
    )
    assert message in response.content.decode()
    assert not Certificate.objects.exists()


# --- hallmarking batches --------------------------------------------------------------------------


@pytest.mark.usefixtures("certificates_in_tmp")
def test_batch_round_trip_through_the_pages(owner_client, tenant, owner):
    a = make_item(tenant, owner, sku="B-1")
    b = make_item(tenant, owner, sku="B-2")
    c = make_item(tenant, owner, sku="B-3")
    form = owner_client.get(reverse("inventory:batch_create"))
    assert {i.sku for i in form.context["pending"]} == {"B-1", "B-2", "B-3"}
    today = timezone.localdate()
    response = owner_client.post(
        reverse("inventory:batch_create"),
        {"centre_name": "Zaveri AHC", "request_number": "REQ-77", "sent_on": today, "item_ids": [a.pk, b.pk]},
    )
    batch = HallmarkBatch.objects.for_tenant(tenant).get()
    assert response.status_code == 302
    assert set(batch.items.values_list("hallmark_status", flat=True)) == {"at_centre"}
    compliance = owner_client.get(reverse("inventory:compliance")).context["c"]
    assert compliance["at_centre_count"] == 2 and compliance["needs_huid_count"] == 3

    report = SimpleUploadedFile("ahc.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(
        reverse("inventory:batch_receive", args=[batch.pk]),
        {"received_on": today, f"huid_{a.pk}": "aa11bb", f"huid_{b.pk}": "", "report": report},
    )
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), batch.refresh_from_db()
    assert (a.hallmark_status, a.huid) == ("hallmarked", "AA11BB")
    assert b.hallmark_status == "pending" and c.hallmark_status == "pending"
    assert batch.status == "received"
    assert Certificate.objects.for_tenant(tenant).filter(batch=batch, kind="ahc_report").count() == 1
    compliance = owner_client.get(reverse("inventory:compliance")).context["c"]
    assert compliance["at_centre_count"] == 0 and compliance["unreported_count"] == 0


def test_receiving_with_a_bad_huid_changes_nothing(owner_client, tenant, owner):
    a = make_item(tenant, owner, sku="B-1")
    b = make_item(tenant, owner, sku="B-2")
    make_item(tenant, owner, sku="B-9", huid="TAKEN1")
    batch = hallmark_batch_send(
        tenant=tenant, actor=owner, centre_name="AHC", request_number="R1",
        sent_on=timezone.localdate(), item_ids=[a.pk, b.pk],
    )  # fmt: skip
    events = AuditEvent.objects.count()
    response = owner_client.post(
        reverse("inventory:batch_receive", args=[batch.pk]),
        {"received_on": timezone.localdate(), f"huid_{a.pk}": "GOOD11", f"huid_{b.pk}": "taken1"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "B-2: HUID TAKEN1 is already on another article" in html
    a.refresh_from_db(), batch.refresh_from_db()
    assert a.huid == "" and a.hallmark_status == "at_centre" and batch.status == "sent"
    assert AuditEvent.objects.count() == events


def test_sending_with_nothing_chosen_explains(owner_client, tenant, owner):
    make_item(tenant, owner)
    response = owner_client.post(
        reverse("inventory:batch_create"),
        {"centre_name": "AHC", "request_number": "R1", "sent_on": timezone.localdate()},
    )
    assert response.status_code == 422
    assert "Choose the articles to send." in response.content.decode()
    assert not HallmarkBatch.objects.exists()


def test_batch_list_query_count_is_flat(
    owner_client, tenant, owner, django_assert_num_queries, django_assert_max_num_queries
):
    def send(n):
        item = make_item(tenant, owner, sku=f"L-{n}")
        hallmark_batch_send(
            tenant=tenant, actor=owner, centre_name="AHC", request_number=f"R{n}",
            sent_on=timezone.localdate(), item_ids=[item.pk],
        )  # fmt: skip

    send(0)
    url = reverse("inventory:batch_list")
    with django_assert_max_num_queries(7) as few:
        owner_client.get(url)
    for n in range(1, 20):
        send(n)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(owner_client.get(url).context["page"].object_list) == 20


# --- rates, compliance, dashboard -----------------------------------------------------------------


def test_rates_page_saves_several_rates_and_keeps_history(owner_client, tenant):
    p18 = Purity.objects.get(metal="gold", karat="18K")
    response = owner_client.post(
        reverse("inventory:rates"),
        {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "6,612.50", f"rate_{p18.pk}": "5400"},
    )
    assert response.status_code == 302
    rates = dict(MetalRate.objects.for_tenant(tenant).values_list("purity__karat", "rate_per_gram"))
    assert rates == {"22K": Decimal("6612.50"), "18K": Decimal("5400.00")}
    page = owner_client.get(reverse("inventory:rates")).content.decode()
    assert "₹6,612.50" in page


def test_one_bad_rate_saves_none(owner_client, tenant):
    p18 = Purity.objects.get(metal="gold", karat="18K")
    response = owner_client.post(
        reverse("inventory:rates"),
        {"effective_on": timezone.localdate(), f"rate_{p22().pk}": "6600", f"rate_{p18.pk}": "-5"},
    )
    assert response.status_code == 422
    assert "more than zero" in " ".join(response.context["form"].errors[f"rate_{p18.pk}"])
    assert not MetalRate.objects.exists()


def test_a_rate_for_tomorrow_is_refused(owner_client, tenant):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = owner_client.post(
        reverse("inventory:rates"), {"effective_on": tomorrow, f"rate_{p22().pk}": "1"}
    )
    assert response.status_code == 422 and not MetalRate.objects.exists()


@pytest.mark.parametrize(
    ("days_left", "expected", "shown"),
    [(None, "missing", "not recorded"), (-1, "expired", "It has expired"),
     (59, "expiring", "It expires in 59 days"), (61, "valid", "valid until")],
)  # fmt: skip
def test_compliance_warns_sixty_days_before_the_registration_expires(
    owner_client, tenant, days_left, expected, shown
):
    if days_left is not None:
        tenant.bis_registration_number = "HM/C-1234567890"
        tenant.bis_registration_valid_until = timezone.localdate() + timedelta(days=days_left)
        tenant.save()
    response = owner_client.get(reverse("inventory:compliance"))
    assert response.context["c"]["registration"] == expected
    assert shown in response.content.decode()


@pytest.mark.usefixtures("certificates_in_tmp")
def test_admin_records_the_bis_registration_with_its_certificate(
    owner_client, make_client, staff_user, tenant
):
    valid_until = timezone.localdate() + timedelta(days=400)
    upload = SimpleUploadedFile("bis.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(
        reverse("inventory:bis_registration"),
        {"number": "hm/c-5190012345", "valid_until": valid_until, "certificate": upload},
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.bis_registration_number == "HM/C-5190012345"
    assert tenant.bis_registration_valid_until == valid_until
    assert Certificate.objects.for_tenant(tenant).filter(kind="bis_registration").count() == 1
    assert "HM/C-5190012345" in owner_client.get(reverse("tenants:settings_profile")).content.decode()
    staff = make_client(staff_user, tenant)
    assert (
        staff.post(
            reverse("inventory:bis_registration"), {"number": "X", "valid_until": valid_until}
        ).status_code
        == 403
    )
    assert "Save registration" not in staff.get(reverse("inventory:compliance")).content.decode()


def test_compliance_lists_exempt_by_reason_and_articles_needing_huid(owner_client, tenant, owner):
    make_item(tenant, owner, sku="N-1")
    make_item(tenant, owner, sku="N-2", gross_weight="1.5")  # under 2 g: no HUID needed
    make_item(tenant, owner, sku="K-1", hallmark_status="exempt", exemption="kundan_polki_jadau")
    make_item(tenant, owner, sku="K-2", hallmark_status="exempt", exemption="kundan_polki_jadau")
    make_item(tenant, owner, sku="U-1", gross_weight="1", hallmark_status="exempt", exemption="under_2g")
    c = owner_client.get(reverse("inventory:compliance")).context["c"]
    assert [i.sku for i in c["needs_huid"]] == ["N-1"]
    assert [(e["reason"], e["count"]) for e in c["exempt_by_reason"]] == [
        ("under_2g", 1),
        ("kundan_polki_jadau", 2),
    ]


def test_dashboard_shows_stock_value_and_compliance(owner_client, tenant, owner):
    metal_rate_set(tenant=tenant, actor=owner, purity=p22(), rate_per_gram="6000")
    make_item(tenant, owner, gross_weight="10")
    make_item(tenant, owner, gross_weight="5", huid="RSV001", stock_status="reserved")
    make_item(tenant, owner, gross_weight="50", huid="GONE01", stock_status="sold")
    response = owner_client.get(reverse("tenants:dashboard"))
    html = response.content.decode()
    assert response.context["valuation"]["total"] == Decimal("90000.00")
    assert "₹90,000.00" in html and "Stock in hand" in html
    assert response.context["compliance"]["needs_huid_count"] == 1


def test_personal_workspace_has_no_stock_pages_in_nav(make_client, owner):
    from apps.tenants.services import tenant_create

    workspace = tenant_create(owner=owner, kind="personal", name="Side project")
    html = make_client(owner, workspace).get(reverse("tenants:dashboard")).content.decode()
    assert "Stock &amp; HUID" not in html and "Stock in hand" not in html


# --- import and export ----------------------------------------------------------------------------


def _csv(*rows: str) -> SimpleUploadedFile:
    header = ",".join(CSV_COLUMNS)
    return SimpleUploadedFile("stock.csv", "\n".join([header, *rows]).encode(), "text/csv")


def _row(sku, name="Ring", purity="22K916", gross="4.000", huid=""):
    values = {"sku": sku, "name": name, "purity": purity, "gross_weight": gross, "huid": huid}
    return ",".join(values.get(column, "") for column in CSV_COLUMNS)


@pytest.mark.usefixtures("imports_in_tmp")
def test_a_clean_file_is_imported_at_once(owner_client, tenant):
    response = owner_client.post(reverse("inventory:import"), {"file": _csv(_row("I-1"), _row("I-2"))})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert response["Location"] == reverse("inventory:import_detail", args=[stock_import.pk])
    assert stock_import.status == "imported"
    assert set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == {"I-1", "I-2"}
    page = owner_client.get(response["Location"]).content.decode()
    assert "2 articles added to stock" in page


@pytest.mark.usefixtures("imports_in_tmp")
def test_a_file_with_mistakes_imports_nothing_until_the_good_rows_are_chosen(owner_client, tenant):
    data = _csv(_row("G-1"), _row("B-1", huid="AB1"), _row("G-2"), _row("B-2", purity="21K"))
    response = owner_client.post(reverse("inventory:import"), {"file": data})
    stock_import = StockImport.objects.for_tenant(tenant).get()
    assert stock_import.status == "checked" and not StockItem.objects.for_tenant(tenant).exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Nothing has been imported yet" in page and "Import the 2 good rows" in page
    problems = {(e["row"], e["column"]) for e in stock_import.errors}
    assert problems == {(3, "huid"), (5, "purity")}
    assert '<td data-label="Row" class="num">3</td>' in page

    response = owner_client.post(reverse("inventory:import_detail", args=[stock_import.pk]))
    assert response.status_code == 302
    assert set(StockItem.objects.for_tenant(tenant).values_list("sku", flat=True)) == {"G-1", "G-2"}
    # Running it again is refused with a message, not an error page.
    again = owner_client.post(reverse("inventory:import_detail", args=[stock_import.pk]), follow=True)
    assert again.status_code == 200 and StockItem.objects.for_tenant(tenant).count() == 2


@pytest.mark.usefixtures("imports_in_tmp")
def test_an_unreadable_file_is_explained(owner_client, tenant):
    bad = SimpleUploadedFile("stock.csv", b"name;purity\nRing;22K916\n", "text/csv")
    response = owner_client.post(reverse("inventory:import"), {"file": bad}, follow=True)
    assert "commas" in response.content.decode()
    assert not StockItem.objects.exists()


def test_template_and_export_are_csv_that_spreadsheets_read_as_utf8(owner_client, tenant, owner):
    template = owner_client.get(reverse("inventory:import_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert template.content.decode().startswith("\ufeff" + ",".join(CSV_COLUMNS))
    make_item(tenant, owner, sku="EX-1", name="Ring", gross_weight="5")
    make_item(tenant, owner, sku="EX-2", name="Bangle", gross_weight="25", huid="EXP001")
    export = owner_client.get(reverse("inventory:stock_export"), {"hallmark_status": "hallmarked"})
    assert "attachment" in export["Content-Disposition"]
    lines = b"".join(export.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    assert len(lines) == 2 and lines[1].startswith("EX-2,Bangle,")
