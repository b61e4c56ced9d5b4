"""The `einvoice_json` export: a month's B2B documents ready for the IRP, as the portal's bulk upload
takes them, built by the export machinery like any other kind."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.gst.einvoice import einvoice_schema_problems
from apps.gst.periods import ReturnPeriod
from apps.invoicing import services as invoicing
from apps.reports.kinds import export_kind_get
from apps.reports.models import Export
from apps.reports.services import export_build, export_request
from apps.tenants.services import tenant_gst_settings_update
from tests.gst.fake_irp import FakeIrp
from tests.invoicing.conftest import TRADER_GSTIN, answer_for, b2b_sale, b2b_sale_declared_late

pytestmark = pytest.mark.django_db


def _einvoicing_shop(shop, owner):
    shop = tenant_gst_settings_update(
        tenant=shop, actor=owner, gstr1_frequency="monthly",
        einvoice_from=timezone.localdate() - timedelta(days=60), turnover_ten_crore=False,
    )  # fmt: skip
    trader = invoicing.customer_create(
        tenant=shop, actor=owner, kind="registered", name="Meera Gems Pvt Ltd", gstin=TRADER_GSTIN,
        state_code="27", address="4 Hill Road, Bandra West, Mumbai", pincode="400050",
    )  # fmt: skip
    return shop, trader


def _month() -> ReturnPeriod:
    today = timezone.localdate()
    return ReturnPeriod.month(today.year, today.month)


def test_the_bulk_file_holds_the_months_ready_documents_and_counts_the_rest(shop, owner, exports_in_tmp):
    shop, trader = _einvoicing_shop(shop, owner)
    ready = b2b_sale(shop, owner, trader)
    registered = b2b_sale(shop, owner, trader)
    invoicing.einvoice_answers_import(
        tenant=shop, actor=owner, answers=[answer_for(shop, registered, FakeIrp())]
    )
    b2b_sale_declared_late(shop, owner, trader, hsn="7113")

    export = export_request(tenant=shop, actor=owner, kind_code="einvoice_json", period=_month())
    export = export_build(export_id=export.pk)

    assert export.status == Export.Status.DONE, (export.error, export.problems)
    assert export.document_count == 1
    assert export.counts == {"ready": 1, "registered": 1, "to_fix": 1, "parts": 1}
    with export.file.open("rb") as file:
        documents = json.loads(file.read())
    assert [d["DocDtls"]["No"] for d in documents] == [ready.number]
    assert einvoice_schema_problems(documents[0]) == []
    assert export.file_name == f"einvoice-json-{shop.gstin}-{_month().code}.json"


def test_a_month_with_nothing_ready_is_refused_with_what_to_fix(shop, owner, exports_in_tmp):
    shop, trader = _einvoicing_shop(shop, owner)
    blocked = b2b_sale_declared_late(shop, owner, trader, hsn="7113")

    export = export_request(tenant=shop, actor=owner, kind_code="einvoice_json", period=_month())
    export = export_build(export_id=export.pk)

    assert export.status == Export.Status.REFUSED and not export.file
    assert export.problems == [
        f"{blocked.number}: Line 1 (Lakshmi ring): HSN 7113 has 4 digits; the IRP needs 6 or 8 (like 711319 for "
        "gold jewellery)."
    ]


def test_the_part_option_is_a_whole_number_of_the_files(shop):
    clean = export_kind_get("einvoice_json").options_clean
    assert clean(shop, _month(), {}) == {} and clean(shop, _month(), {"part": 2}) == {"part": 2}
    for bad in (0, -1, "2", True, 1000):
        with pytest.raises(ValidationError):
            clean(shop, _month(), {"part": bad})
