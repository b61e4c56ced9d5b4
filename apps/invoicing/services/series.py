"""Document series and their gapless counters.

A number is taken inside the transaction that issues the document: the series row is locked, the
counter read and moved on, and the lock held to commit. A rolled-back issue therefore gives its
number back, and two issuers of one series wait for each other instead of sharing a number. The
issuing services take the number as their last step, so the lock is held for as short as possible.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.gst.numbering import MAX_LENGTH, document_number_validate
from apps.gst.periods import FinancialYear
from apps.invoicing import rules
from apps.invoicing.models import DocumentSeries, DocumentType

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Tenant

_COUNTER = re.compile(r"\{(N+)\}")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")


def number_render(number_format: str, *, code: str, fy: FinancialYear, n: int) -> str:
    width = len(_COUNTER.search(number_format).group(1))
    text = number_format.replace("{CODE}", code).replace("{FY}", fy.short)
    return _COUNTER.sub(str(n).zfill(width), text)


def series_code_check(code: str) -> None:
    if not _CODE.match(code or ""):
        raise ValidationError(
            {
                "series_code": [
                    "A series code is 1 to 8 capital letters or digits, starting with a letter, like LJ."
                ]
            }
        )


def number_format_check(number_format: str, *, code: str) -> None:
    """The format gives valid GST numbers for as long as its counter keeps its padding.

    Zero-padding makes every number up to 10**width - 1 as long as the first one, so checking the
    first is checking them all (the year is always 5 characters, 25-26).
    """
    errors = []
    if not _CODE.match(code):
        errors.append("The series code is 1 to 8 capital letters or digits, starting with a letter, like LJ.")
    counters = _COUNTER.findall(number_format)
    if len(counters) != 1:
        errors.append("Put the counter in the format once, as {NNNN} (one N per digit).")
    leftover = _COUNTER.sub("", number_format).replace("{CODE}", "").replace("{FY}", "")
    if "{" in leftover or "}" in leftover:
        errors.append("The format knows only {CODE}, {FY} and {NNNN}.")
    if errors:
        raise ValidationError({"number_format": errors})
    try:
        document_number_validate(number_render(number_format, code=code, fy=FinancialYear(2025), n=1))
    except ValidationError as exc:
        raise ValidationError({"number_format": exc.messages}) from None


_TAKE = """
    UPDATE invoicing_documentseries SET next_number = next_number + 1, updated_at = %s
    WHERE tenant_id = %s AND doc_type = %s AND code = %s AND gstin = %s AND fy_start_year = %s
    RETURNING id, number_format, next_number
"""


def _counter_take(
    *, tenant: Tenant, doc_type: str, code: str, gstin: str, fy: FinancialYear
) -> DocumentSeries | None:
    """Move the series' counter on and return the series as it now is, in one statement.

    The UPDATE takes the row lock (held to commit) and reads the counter at once: one round trip
    while other issuers of the series wait, instead of a SELECT ... FOR UPDATE and then an UPDATE.
    """
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_TAKE, [timezone.now(), tenant.pk, doc_type, code, gstin, fy.start_year])
        row = cursor.fetchone()
    if row is None:
        return None
    series_id, number_format, next_number = row
    series = DocumentSeries(
        id=series_id, tenant=tenant, doc_type=doc_type, code=code, gstin=gstin, fy_start_year=fy.start_year,
        number_format=number_format, next_number=next_number,
    )  # fmt: skip
    series._state.adding, series._state.db = False, transaction.get_connection().alias
    return series


def _series_create(*, tenant: Tenant, doc_type: str, code: str, gstin: str, fy: FinancialYear) -> None:
    """The year's first document of a series makes the series."""
    # A new financial year starts a new series in the format the shop chose last year.
    previous = (
        DocumentSeries.objects.for_tenant(tenant)
        .filter(doc_type=doc_type, code=code)
        .order_by("-fy_start_year")
        .first()
    )
    number_format = previous.number_format if previous else rules.DEFAULT_NUMBER_FORMAT
    try:
        with transaction.atomic():
            DocumentSeries.objects.create(
                tenant=tenant, doc_type=doc_type, code=code, gstin=gstin, fy_start_year=fy.start_year,
                number_format=number_format,
            )  # fmt: skip
    except IntegrityError:  # another issuer created it first
        pass


def series_number_take(
    *, tenant: Tenant, doc_type: str, code: str, gstin: str, fy: FinancialYear
) -> tuple[DocumentSeries, str]:
    """The next number of the series, taken under the series' row lock (held to commit)."""
    assert transaction.get_connection().in_atomic_block, "take a number inside the issuing transaction"
    key = {"tenant": tenant, "doc_type": doc_type, "code": code, "gstin": gstin, "fy": fy}
    series = _counter_take(**key)
    if series is None:
        _series_create(**key)
        series = _counter_take(**key)
    number = number_render(series.number_format, code=series.code, fy=fy, n=series.next_number - 1)
    if len(number) > MAX_LENGTH:  # the counter outgrew its padding
        raise ValidationError(
            f"Series {series.code} has no number left this year within GST's {MAX_LENGTH} characters: "
            "add a series with a shorter format and issue under it."
        )
    document_number_validate(number)  # a refusal rolls the issue back, and the counter with it
    return series, number


@transaction.atomic
def series_create(
    *, tenant: Tenant, actor: User | None, doc_type: str, code: str, number_format: str
) -> DocumentSeries:
    """A further series for the current financial year (a second counter, a branch's own prefix)."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": ["Choose a document type."]})
    if not tenant.gstin:
        raise ValidationError("Add the shop's GSTIN in the shop profile before setting up GST series.")
    code = (code or "").strip().upper()
    number_format_check(number_format, code=code)
    fy = FinancialYear.of(timezone.localdate())
    if (
        DocumentSeries.objects.for_tenant(tenant)
        .filter(doc_type=doc_type, code=code, gstin=tenant.gstin, fy_start_year=fy.start_year)
        .exists()
    ):
        raise ValidationError({"code": [f"There is already a series {code} for {fy}."]})
    series = DocumentSeries(
        tenant=tenant, doc_type=doc_type, code=code, gstin=tenant.gstin, fy_start_year=fy.start_year,
        number_format=number_format,
    )  # fmt: skip
    series.full_clean()
    series.save(force_insert=True)
    audit_record(
        tenant=tenant, actor=actor, action="series.create",
        summary=f"Added the {series.get_doc_type_display().lower()} series {code} for {fy}", target=series,
    )  # fmt: skip
    return series
