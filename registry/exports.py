"""Exports of the benchmark: one row per published use case, with stable ids everywhere
(public id, the collectivité's slug, SIREN and INSEE code, tool ids) and the status crosswalk
to the Dutch, UK, US and EU registers. The columns are the published format's
(registry.snapshot.EXPORT_COLUMNS)."""

import csv
import io
import json
from collections.abc import Iterable

from openpyxl import Workbook

from registry import snapshot

COLUMNS = [column.name for column in snapshot.EXPORT_COLUMNS]
_BOOLEANS = {
    column.name for column in snapshot.EXPORT_COLUMNS if column.field.kind == snapshot.BOOL
}


def row_of(payload: dict) -> dict:
    return snapshot.export_row(payload)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @…) is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(payloads: Iterable[dict], delimiter: str = ";") -> bytes:
    """UTF-8 with a byte-order mark, so French spreadsheets read the accents right."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for payload in payloads:
        row = {key: _inert(value) for key, value in row_of(payload).items()}
        for name in _BOOLEANS:
            row[name] = "oui" if row[name] else "non"
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_csv(rows: Iterable[list], delimiter: str = ";") -> bytes:
    """A table (its first row the headers) as the exports' CSV: UTF-8 with a byte-order mark,
    formulas made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([_inert(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(payloads: Iterable[dict]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cas_d_usage")
    sheet.append(COLUMNS)
    for payload in payloads:
        row = row_of(payload)
        sheet.append([_inert(row[column]) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(payloads: Iterable[dict]) -> bytes:
    return json.dumps(list(payloads), ensure_ascii=False, indent=1).encode("utf-8")
