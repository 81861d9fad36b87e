"""Exports of the benchmark: one row per published use case, with stable ids everywhere
(public id, the collectivité's slug, SIREN and INSEE code, tool ids) and the status crosswalk
to the Dutch, UK, US and EU registers. The columns are the published format's
(registry.snapshot.EXPORT_COLUMNS).

Beside our own CSV, XLSX and JSON, three other registers' formats (registry/registers.py): the
Dutch Algoritmeregister's publication standard 1.0 (JSON), the UK ATRS (CSV) and the EU Public
Sector Tech Watch's columns (CSV). Every format but XLSX is written as it is read, a few hundred
records at a time (`chunks`): a response streams it, never holding the whole file.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from registry import registers, snapshot
from registry import vocabularies as v

# Every format, by the extension of its address (…/export.<extension>), and its media type.
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "algoritmeregister.json": "application/json",
    "atrs.csv": "text/csv; charset=utf-8",
    "pstw.csv": "text/csv; charset=utf-8",
}
# The other registers' formats: always in French (their labels), whatever the reader's language.
FOREIGN = ("algoritmeregister.json", "atrs.csv", "pstw.csv")
# Records written between two chunks of a streamed file.
CHUNK_ROWS = 200

COLUMNS = [column.name for column in snapshot.EXPORT_COLUMNS]
_BOOLEANS = {
    column.name for column in snapshot.EXPORT_COLUMNS if column.field.kind == snapshot.BOOL
}
_KINDS = {column.name: column.field.kind for column in snapshot.EXPORT_COLUMNS}

# « En-têtes lisibles » (?entetes=lisibles): French headers and labels instead of the stable codes.
READABLE = "lisibles"
# The headers of the columns whose field's label alone would not say what they hold.
HEADERS = {
    "public_id": gettext_lazy("Identifiant public"),
    "uuid": gettext_lazy("Identifiant universel"),
    "collectivite_slug": gettext_lazy("Collectivité (identifiant)"),
    "collectivite_name": gettext_lazy("Collectivité"),
    "siren": gettext_lazy("SIREN"),
    "insee_code": gettext_lazy("Code INSEE"),
    "departement": gettext_lazy("Département"),
    "collectivite_kind": gettext_lazy("Type de collectivité"),
    "population_band": gettext_lazy("Tranche de population"),
    "tool_ids": gettext_lazy("Outils (identifiants)"),
    "tool_names": gettext_lazy("Outils"),
    "status_label": gettext_lazy("État d'avancement (libellé)"),
    "status_nl": gettext_lazy("État, registre néerlandais"),
    "status_uk": gettext_lazy("État, registre britannique"),
    "status_us": gettext_lazy("État, registre américain"),
    "status_eu": gettext_lazy("État, registre européen"),
    "origin": gettext_lazy("Origine"),
    "source_name": gettext_lazy("Source publique"),
    "source_licence": gettext_lazy("Licence de la source"),
    "source_attribution": gettext_lazy("Attribution de la source"),
    "source_original_id": gettext_lazy("Identifiant dans la source"),
    "source_original_url": gettext_lazy("Adresse dans la source"),
}
# In the readable variant, these columns are left out: they repeat another in codes.
_CODES_ONLY = {"status_label"}
_IDENTITY_LABELS = {
    "origin": dict(v.Origin.choices),
    "collectivite_kind": dict(v.CollectiviteKind.choices),
    "population_band": dict(v.PopulationBand.choices),
}


def row_of(payload: dict) -> dict:
    return snapshot.export_row(payload)


def header_of(name: str) -> str:
    if name in HEADERS:
        return str(HEADERS[name])
    label = str(snapshot.COLUMNS_BY_NAME[name].field.label)
    return label[:1].upper() + label[1:]


def readable_columns() -> list[str]:
    return [name for name in COLUMNS if name not in _CODES_ONLY]


def readable_row(payload: dict) -> dict:
    """A row with French labels: vocabulary codes become their labels, booleans « oui »/« non »,
    domains their names; identifiers stay as they are."""
    row = row_of(payload)
    for name in COLUMNS:
        column = snapshot.COLUMNS_BY_NAME[name]
        f, value = column.field, row[name]
        if name in _IDENTITY_LABELS:
            row[name] = str(_IDENTITY_LABELS[name].get(value, value or ""))
        elif column.name != f.name or value in (None, ""):
            continue
        elif f.kind == snapshot.CHOICE:
            row[name] = str(f.label_of(value))
        elif f.kind == snapshot.CHOICES:
            row[name] = snapshot.LIST_SEPARATOR.join(
                str(f.label_of(code)) for code in payload[f.name]
            )
        elif f.kind == snapshot.TERMS:
            row[name] = snapshot.LIST_SEPARATOR.join(term["label"] for term in payload[f.name])
    return row


def _table(payloads: Iterable[dict], readable: bool):
    """The header row, then one row (a dict by column name) per record."""
    if readable:
        names = readable_columns()
        return names, [header_of(name) for name in names], (readable_row(p) for p in payloads)
    return COLUMNS, COLUMNS, (row_of(p) for p in payloads)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @…) is prefixed with an apostrophe."""
    if value and value.__class__ is str and value[0] in _FORMULA_FIRST:
        return "'" + value
    return value


def _csv_chunks(
    header: list[str], rows: Iterable[list], delimiter: str, lineterminator: str = "\r\n"
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, formulas made inert, CHUNK_ROWS rows a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_inert(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def iter_csv(
    payloads: Iterable[dict], delimiter: str = ";", readable: bool = False
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so French spreadsheets read the accents right. `readable`:
    French headers and labels (« En-têtes lisibles »), dates as « 01/12/2026 »."""
    names, headers, rows = _table(payloads, readable)

    def cells():
        for row in rows:
            for name in _BOOLEANS:
                row[name] = _yes_no(row[name], readable)
            if readable:
                for name in names:
                    row[name] = _french_date(row[name], _KINDS[name])
            yield [row[name] for name in names]

    yield from _csv_chunks(headers, cells(), delimiter)


def to_csv(payloads: Iterable[dict], delimiter: str = ";", readable: bool = False) -> bytes:
    return b"".join(iter_csv(payloads, delimiter=delimiter, readable=readable))


def _yes_no(value, readable: bool) -> str:
    """« oui »/« non »: always French in the stable codes variant, translated in the readable."""
    if readable:
        return _("oui") if value else _("non")
    return "oui" if value else "non"


def _typed(value, kind):
    """A date or a moment of the snapshot (ISO text) as a date or a naive local datetime."""
    if not value:
        return None
    if kind == snapshot.DATE:
        return parse_date(value) if isinstance(value, str) else value
    if kind == snapshot.DATETIME:
        moment = parse_datetime(value) if isinstance(value, str) else value
        if moment is not None and timezone.is_aware(moment):
            moment = timezone.make_naive(moment)
        return moment
    return value


def _french_date(value, kind):
    typed = _typed(value, kind) if kind in (snapshot.DATE, snapshot.DATETIME) else value
    if isinstance(typed, datetime):
        return typed.strftime("%d/%m/%Y %H:%M")
    if isinstance(typed, date):
        return typed.strftime("%d/%m/%Y")
    return value


def rows_to_csv(rows: Iterable[list], delimiter: str = ";") -> bytes:
    """A table (its first row the headers) as the exports' CSV: UTF-8 with a byte-order mark,
    formulas made inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([_inert(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Column widths of the XLSX, in characters: long texts wide, codes and dates narrow.
_WIDTHS = {snapshot.TEXT: 40, snapshot.DATE: 12, snapshot.DATETIME: 17, snapshot.BOOL: 10}
_NARROW = {"public_id", "siren", "insee_code", "departement", "satisfaction"}


def to_xlsx(payloads: Iterable[dict], readable: bool = False) -> bytes:
    """One sheet: the header row frozen and bold, an autofilter, widths by kind of column, real
    dates (typed cells, shown « 01/12/2026 »); booleans are booleans, « oui »/« non » when
    `readable`."""
    names, headers, rows = _table(payloads, readable)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cas_d_usage")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(names, start=1):
        width = 10 if name in _NARROW else _WIDTHS.get(_KINDS[name], 22)
        width = max(width, min(len(headers[index - 1]) + 2, 40))
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        count += 1
        cells = []
        for name in names:
            kind, value = _KINDS[name], row[name]
            if name in _BOOLEANS and readable:
                value = _yes_no(value, readable)
            if kind in (snapshot.DATE, snapshot.DATETIME):
                # Only dates are cells of their own (their format, kept on an empty cell for
                # what is typed there later); the rest are plain values, written faster.
                cell = WriteOnlyCell(sheet, value=_typed(value, kind))
                cell.number_format = "DD/MM/YYYY" if kind == snapshot.DATE else "DD/MM/YYYY HH:MM"
                cells.append(cell)
            else:
                cells.append(_inert(value))
        sheet.append(cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json_chunks(records: Iterable[dict]) -> Iterator[bytes]:
    """A JSON list, CHUNK_ROWS records a chunk."""
    parts = ["["]
    for count, record in enumerate(records, start=1):
        parts.append(("\n" if count == 1 else ",\n") + json.dumps(record, ensure_ascii=False))
        if count % CHUNK_ROWS == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def iter_json(payloads: Iterable[dict]) -> Iterator[bytes]:
    """The published records, each as the API's detail gives it."""
    return _json_chunks(payloads)


def to_json(payloads: Iterable[dict]) -> bytes:
    return b"".join(iter_json(payloads))


def iter_algoritmeregister(payloads: Iterable[dict]) -> Iterator[bytes]:
    """The Algoritmeregister's publication standard 1.0: a JSON list of its records."""
    links = registers.Links()
    return _json_chunks(registers.algoritmeregister_record(p, links) for p in payloads)


def iter_atrs(payloads: Iterable[dict]) -> Iterator[bytes]:
    """The UK ATRS's title and tier 1 attributes (and its finder's metadata), one row a record;
    commas, UTF-8 with a byte-order mark."""
    links = registers.Links()
    columns = registers.ATRS_COLUMNS
    rows = (registers.atrs_row(p, links) for p in payloads)
    return _csv_chunks(columns, ([row[name] for name in columns] for row in rows), ",")


def iter_pstw(payloads: Iterable[dict]) -> Iterator[bytes]:
    """The EU Public Sector Tech Watch's 57 columns, written as its CSV is (commas, UTF-8 with a
    byte-order mark, line feeds)."""
    links = registers.Links()
    columns = registers.PSTW_COLUMNS
    rows = (registers.pstw_row(p, links) for p in payloads)
    return _csv_chunks(columns, ([row[name] for name in columns] for row in rows), ",", "\n")


def _one_chunk(write, *args, **kwargs) -> Iterator[bytes]:
    """A file written whole, when its first chunk is asked for."""
    yield write(*args, **kwargs)


def in_language(chunks: Iterator[bytes], language: str) -> Iterator[bytes]:
    """The chunks written with `language` active (labels), however late they are read."""
    with translation.override(language):
        yield from chunks


def chunks(
    fmt: str, payloads: Iterable[dict], *, delimiter: str = ";", readable: bool = False
) -> Iterator[bytes]:
    """The file of a format (an EXPORT_TYPES extension), chunk by chunk; XLSX in one chunk."""
    if fmt == "csv":
        return iter_csv(payloads, delimiter=delimiter, readable=readable)
    if fmt == "xlsx":
        return _one_chunk(to_xlsx, payloads, readable=readable)
    if fmt == "json":
        return iter_json(payloads)
    foreign = {
        "algoritmeregister.json": iter_algoritmeregister,
        "atrs.csv": iter_atrs,
        "pstw.csv": iter_pstw,
    }
    return in_language(foreign[fmt](payloads), "fr")
