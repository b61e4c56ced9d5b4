"""The audit trail page speaks a shop owner's words: labels for action codes, amounts grouped the Indian way."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.audit.actions import ACTION_GROUP_LABELS, ACTION_LABELS, action_label
from apps.inventory.models import Purity
from apps.inventory.services import metal_rate_set
from apps.invoicing.models import Invoice
from apps.provisioning.models import Operation

pytestmark = pytest.mark.django_db


def test_every_action_code_the_code_writes_has_a_label():
    written = set()
    for source in (Path(settings.BASE_DIR) / "apps").rglob("*.py"):
        written |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source.read_text()))
    written |= {f"project.{a}" for a in Operation.Action.values} | {"operation.succeeded", "operation.failed"}
    written |= {"stock.hallmark_status", "stock.stock_status", "tenant.deactivate"}
    written |= {f"{kind}.{verb}" for kind in Invoice.Kind.values for verb in ("issue", "cancel")}
    assert written - set(ACTION_LABELS) == set()
    assert {code.split(".")[0] for code in ACTION_LABELS} <= set(ACTION_GROUP_LABELS)


def test_an_unknown_code_is_shown_as_it_is():
    assert action_label("stock.hallmark_status") == "Hallmark status changed"
    assert action_label("something.new") == "something.new"


def test_audit_page_shows_labels_and_indian_grouped_amounts(owner_client, tenant, owner):
    purity = Purity.objects.get(metal="gold", karat="22K")
    metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram="6735.50")
    metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram="7012.25")

    page = owner_client.get(reverse("audit:list")).content.decode()

    assert ">Metal rate set</span>" in page
    assert ">rate.set<" not in page
    assert "corrected from ₹6,735.50 to ₹7,012.25/g" in page
    assert '<option value="rate">Metal rates</option>' in page
