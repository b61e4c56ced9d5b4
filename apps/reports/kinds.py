"""The kinds of export a shop can ask for, each a writer that streams one file.

A writer gets an `ExportContext` (the tenant, the period, the options, a binary file to write into and
a progress callback) and returns an `ExportResult`; it refuses with `ExportRefused(problems)` when a
document must be fixed first. Writers read in chunks and write as they go, so memory stays flat
however many documents the period holds. Each module that writes a kind registers it here with
`export_kind_register`, at import from its app's `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from apps.core.exceptions import ApplicationError
from apps.gst.periods import ReturnPeriod

if TYPE_CHECKING:
    from apps.tenants.models import Tenant


class ExportRefused(ApplicationError):
    """The period holds documents that cannot be exported as they are; `problems` lists each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} thing(s) to fix before this can be exported.",
            code="export_refused",
            extra={"problems": problems},
        )


@dataclass
class ExportContext:
    tenant: Tenant
    period: ReturnPeriod
    options: dict[str, Any]
    out: IO[bytes]
    progress: Callable[[int, int | None], None]  # (documents done, documents in all or None)


@dataclass
class ExportResult:
    document_count: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportKind:
    code: str  # gstr1_json, gstr1_csv, gstr3b, register_sales, ...
    label: str  # what the page and the audit trail call it
    extension: str  # json, csv, zip
    content_type: str
    write: Callable[[ExportContext], ExportResult]
    # Checks the options a request carries, returning them cleaned; ValidationError keyed by option.
    options_clean: Callable[[Tenant, ReturnPeriod, dict[str, Any]], dict[str, Any]] = (
        lambda tenant, period, o: {}
    )

    def file_name(self, *, tenant: Tenant, covers: str) -> str:
        """gstr1-json-27AAAPL1234C1Z5-2026-10.json: the kind, the shop and what it covers (a period's code)."""
        who = tenant.gstin or tenant.slug
        return f"{self.code.replace('_', '-')}-{who}-{covers}.{self.extension}"


_KINDS: dict[str, ExportKind] = {}


def export_kind_register(kind: ExportKind) -> ExportKind:
    if kind.code in _KINDS and _KINDS[kind.code] != kind:
        raise ValueError(f"Export kind {kind.code} is registered twice.")
    _KINDS[kind.code] = kind
    return kind


def export_kind_get(code: str) -> ExportKind | None:
    return _KINDS.get(code)


def export_kinds() -> list[ExportKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)
