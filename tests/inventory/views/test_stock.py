"""The stock pages (`views/stock.py`): the list, an article, its form, deletion and certificates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.inventory.api.stock import StockItemFilter
from apps.inventory.forms import StockFilterForm
from apps.inventory.models import Certificate, Purity, StockItem
from apps.inventory.selectors import STOCK_ORDERINGS
from tests.inventory.conftest import PDF
from tests.inventory.factories import MetalRateFactory, StockItemFactory, item_post

pytestmark = pytest.mark.django_db


def p22():
    return Purity.objects.get(metal="gold", karat="22K")


def make_item(tenant, actor, **values) -> StockItem:
    return StockItemFactory(tenant=tenant, actor=actor, **values)


def test_stock_list_values_each_article_at_the_latest_rate(owner_client, tenant, owner):
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6500")
    make_item(tenant, owner, sku="CH-1", gross_weight="10.000", stone_weight="0.500")
    response = owner_client.get(reverse("inventory:stock_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "CH-1" in html and "9.500 g" in html
    assert "₹61,750.00" in html  # 9.5 g at ₹6,500 a gram, with Indian digit grouping
    assert "Today's metal rates are not entered yet" not in html


def test_stock_list_reminds_when_todays_rate_is_missing(owner_client, tenant, owner):
    yesterday = timezone.localdate() - timedelta(days=1)
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6500", effective_on=yesterday)
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
    MetalRateFactory(tenant=tenant, actor=owner, rate_per_gram="6500")
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


def test_the_page_and_the_api_sort_the_stock_by_one_list(owner_client, api):
    page = [value for value, _label in StockFilterForm.base_fields["ordering"].choices]
    api_choices = [value for value, _label in StockItemFilter.base_filters["ordering"].extra["choices"]]
    assert page == api_choices == list(STOCK_ORDERINGS)
    assert owner_client.get(reverse("inventory:stock_list"), {"ordering": "-sku"}).status_code == 200
    assert api.get("/api/v1/stock-items", {"ordering": "-sku"}).status_code == 200


def test_help_text_is_the_one_its_box_is_described_by(owner_client):
    html = owner_client.get(reverse("inventory:stock_create")).content.decode()
    assert 'aria-describedby="id_sku_helptext"' in html and 'id="id_sku_helptext"' in html
