"""GSTR-1 as the portal's JSON, streamed: the return object written member by member, a per-document
section entry by entry as the builder (`gstr1`) hands them out, amounts as JSON numbers written from
their decimals. Every part is checked against the schema before it is written, so a file that fails
stops half-written and is never offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from io import BytesIO
from typing import IO, Any

from apps.gst.jsontext import dumps
from apps.gst.periods import ReturnPeriod
from apps.gst.returns.gstr1 import Gstr1Builder, Gstr1Summary, SourceOrderError
from apps.gst.returns.gstr1_sections import B2B, B2CL, CDNR, Entry
from apps.gst.returns.records import DocumentRecord, Gstr1Source, SeriesCount
from apps.gst.returns.schema import gstr1_check, gstr1_parse

# Optional in the portal's API; the offline tool reads them.
OFFLINE_TOOL_VERSION = "GST3.2.4"
# (section) -> (group key, list key) of a grouped per-document section
GROUPED = {B2B: ("ctin", "inv"), B2CL: ("pos", "inv"), CDNR: ("ctin", "nt")}
GROUP_DEFINITIONS = {B2B: "/$defs/gstin", B2CL: "/$defs/pos", CDNR: "/$defs/gstin"}


class _JsonWriter:
    """Writes the return object member by member, a per-document section entry by entry."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.section: str | None = None
        self.group: str | None = None
        self.closed: set[str] = set()
        self.groups_seen: set[str] = set()
        self.first_in_list = True

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def begin(self, envelope: dict[str, Any]) -> None:
        self.write(dumps(envelope)[:-1])  # the object stays open for the sections

    def member(self, key: str, value: Any) -> None:
        self.write(f",{dumps(key)}:{dumps(value)}")

    def entry(self, entry: Entry) -> None:
        if entry.section != self.section:
            self.close_section()
            if entry.section in self.closed:
                raise SourceOrderError(
                    f"{entry.document.number}: section {entry.section} came back after it closed."
                )
            self.write(f",{dumps(entry.section)}:[")
            self.section, self.group, self.groups_seen, self.first_in_list = entry.section, None, set(), True
        if entry.section in GROUPED and entry.group != self.group:
            if entry.group in self.groups_seen:
                raise SourceOrderError(
                    f"{entry.document.number}: {entry.group} came back in {entry.section}."
                )
            gstr1_check(
                entry.group,
                GROUP_DEFINITIONS[entry.section],
                where=f"{entry.section} {entry.document.number}",
            )
            key, items = GROUPED[entry.section]
            self.write(
                ("]}," if self.group is not None else "") + f'{{"{key}":{dumps(entry.group)},"{items}":['
            )
            self.group = entry.group
            self.groups_seen.add(entry.group)
            self.first_in_list = True
        self.write(("" if self.first_in_list else ",") + dumps(entry.payload))
        self.first_in_list = False

    def close_section(self) -> None:
        if self.section is None:
            return
        self.write("]}]" if self.section in GROUPED else "]")
        self.closed.add(self.section)
        self.section = None

    def end(self) -> None:
        self.write("}")


def gstr1_json_write(
    source: Gstr1Source, out: IO[bytes], *, period: ReturnPeriod, gstin: str,
    progress: Callable[[int, int | None], None] | None = None,
) -> Gstr1Summary:  # fmt: skip
    """Write the period's GSTR-1 JSON to `out` as the source streams; every part is checked against the
    schema before it is written, so a file that fails stops half-written and is never offered."""
    builder = Gstr1Builder(
        gstin=gstin, period=period, furnished_months=source.furnished_months,
        hsn_descriptions=source.hsn_descriptions,
    )  # fmt: skip
    envelope = {"gstin": gstin, "fp": period.fp, "version": OFFLINE_TOOL_VERSION, "hash": "hash"}
    gstr1_check(envelope)
    writer = _JsonWriter(out)
    writer.begin(envelope)
    for entry in builder.run(source, progress):
        writer.entry(entry)
    writer.close_section()
    for key, value in builder.finish(source.series).items():
        writer.member(key, value)
    writer.end()
    return builder.summary


def gstr1_build(
    documents: Iterable[DocumentRecord], *, period: ReturnPeriod, gstin: str, series: Iterable[SeriesCount] = (),
    furnished_months: Iterable[date] = (), hsn_descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The return as a dict (amounts as decimals), through the same writer: for small periods and tests."""
    buffer = BytesIO()
    gstr1_json_write(
        Gstr1Source(documents=documents, series=series, furnished_months=furnished_months,
                    hsn_descriptions=hsn_descriptions or {}),
        buffer, period=period, gstin=gstin,
    )  # fmt: skip
    return gstr1_parse(buffer.getvalue())
