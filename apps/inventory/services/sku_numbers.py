"""SKUs for articles added without one: the shop's tag prefix and next number, as jewellers number tags.

A shop sets its prefix, the next number and how many digits to pad it to (`LJ-` 42 4 → LJ-0042) in its
settings. Numbers are taken inside the transaction that adds the articles: the first one with an
UPDATE ... RETURNING, which locks the shop's row to commit, so two people adding articles at once wait
for each other instead of sharing a number, and an add that rolls back gives its numbers back. A
number already typed as another article's SKU is passed over (and used up).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from apps.inventory.models import StockItem
from apps.tenants.models import Tenant, sku_format

_TAKE = f"""
    UPDATE {Tenant._meta.db_table} SET sku_next_number = sku_next_number + 1
    WHERE id = %s RETURNING sku_prefix, sku_digits, sku_next_number - 1
"""  # noqa: S608 - the table name is the model's own, not input


class SkuNumbers:
    """The next SKUs of one shop, for one add or one import.

    Taken (`take=True`), the first SKU moves the shop's counter on in the database and locks it; the
    following ones (an import's rows) are counted on in memory under that lock, and `save()` writes
    the counter past the last. Should it not be written, the numbers already used are only passed
    over again, never handed out twice: every number is checked against the stock. Foreseen
    (`take=False`, an import's check that writes nothing), they are counted on from the shop's
    counter, which stays where it was.
    """

    def __init__(self, *, tenant: Tenant, take: bool) -> None:
        self.tenant = tenant
        self.take = take
        self._counter: tuple[str, int, int] | None = None  # prefix, digits, next number
        self._written = 0  # the next number as the database holds it (taken numbers only)

    def next(self, *, is_taken: Callable[[str], bool]) -> str:
        """The next SKU that `is_taken` says is free."""
        while True:
            if self._counter is None:
                self._counter = self._take_first() if self.take else self._read()
            prefix, digits, number = self._counter
            self._counter = (prefix, digits, number + 1)
            sku = sku_format(prefix=prefix, digits=digits, number=number)
            if not is_taken(sku):
                return sku

    def save(self) -> None:
        """Write the shop's counter past the last number taken (nothing to do after one, or foreseen)."""
        if self.take and self._counter is not None and self._counter[2] != self._written:
            Tenant.objects.filter(pk=self.tenant.pk).update(sku_next_number=self._counter[2])
            self._written = self._counter[2]

    def _take_first(self) -> tuple[str, int, int]:
        assert transaction.get_connection().in_atomic_block, "take SKUs inside the adding transaction"
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(_TAKE, [self.tenant.pk])
            prefix, digits, number = cursor.fetchone()
        self._written = number + 1
        return prefix, digits, number

    def _read(self) -> tuple[str, int, int]:
        return (
            Tenant.objects.filter(pk=self.tenant.pk)
            .values_list("sku_prefix", "sku_digits", "sku_next_number")
            .get()
        )


def sku_foresee(*, tenant: Tenant) -> str:
    """The SKU an article added now without one would get, for the add form to show. Takes nothing."""
    stock = StockItem.objects.for_tenant(tenant)
    return SkuNumbers(tenant=tenant, take=False).next(is_taken=lambda sku: stock.filter(sku=sku).exists())
