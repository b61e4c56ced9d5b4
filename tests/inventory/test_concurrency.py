"""Two people doing the same thing at the same moment get a clear answer, never a server error.

The first write is held open in its transaction until the second has started (and, for a unique
key, is waiting on it), so the second cannot see the first's row in its checks: the database's
unique constraint is what stops it, and the service must turn that into a message.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.core.rls import tenant_scope
from apps.inventory.models import HallmarkBatch, MetalRate, Purity
from apps.inventory.services import hallmark_batch_send, metal_rate_set, stock_item_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _overlap(tenant, first, second) -> list[str]:
    """Run `first` in a transaction kept open until `second` is under way; return both outcomes.

    Each runs in its own thread and connection, acting for `tenant` as a request would."""
    written, outcomes = threading.Event(), {}

    def run(name, call, hold):
        try:
            with tenant_scope(tenant.pk), transaction.atomic():
                call()
                if hold:
                    written.set()
                    time.sleep(0.5)  # the second is now blocked on this transaction's row
            outcomes[name] = "saved"
        except ValidationError as exc:
            outcomes[name] = " ".join(exc.messages)
        finally:
            written.set()
            connection.close()

    a = threading.Thread(target=run, args=("first", first, True))
    b = threading.Thread(target=lambda: (written.wait(5), run("second", second, False)))
    a.start(), b.start()
    a.join(), b.join()
    return [outcomes.get("first", "crashed"), outcomes.get("second", "crashed")]


def test_two_batches_with_one_request_number_at_once(tenant, owner):
    purity = Purity.objects.get(karat="22K")
    items = [
        stock_item_create(tenant=tenant, actor=owner, name=f"Ring {n}", purity=purity, gross_weight="4")
        for n in range(2)
    ]

    def send(item):
        return lambda: hallmark_batch_send(
            tenant=tenant, actor=owner, centre_name="AHC", request_number="SAME-1",
            sent_on=timezone.localdate(), item_ids=[item.pk],
        )  # fmt: skip

    assert _overlap(tenant, send(items[0]), send(items[1])) == [
        "saved",
        "This request number is already used by another batch.",
    ]
    assert HallmarkBatch.objects.for_tenant(tenant).count() == 1


def test_two_rates_for_one_purity_and_day_at_once(tenant, owner):
    purity = Purity.objects.get(karat="22K")

    def rate(value):
        return lambda: metal_rate_set(tenant=tenant, actor=owner, purity=purity, rate_per_gram=value)

    outcomes = _overlap(tenant, rate("6500"), rate("6510"))
    assert outcomes[0] == "saved"
    assert "just recorded by someone else" in outcomes[1]
    assert list(MetalRate.objects.for_tenant(tenant).values_list("rate_per_gram", flat=True)) == [6500]
