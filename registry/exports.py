"""Exports of the benchmark: one row per published use case, with stable ids everywhere
(public id, the collectivité's slug, SIREN and INSEE code, tool ids) and the status crosswalk
to the Dutch, UK, US and EU registers. The columns are the published format's
(registry.snapshot.EXPORT_COLUMNS)."""

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from registry import snapshot
from registry import vocabularies as v

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


def _inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @…) is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(payloads: Iterable[dict], delimiter: str = ";", readable: bool = False) -> bytes:
    """UTF-8 with a byte-order mark, so French spreadsheets read the accents right. `readable`:
    French headers and labels (« En-têtes lisibles »), dates as « 01/12/2026 »."""
    names, headers, rows = _table(payloads, readable)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        for name in _BOOLEANS:
            row[name] = _yes_no(row[name], readable)
        if readable:
            for name in names:
                row[name] = _french_date(row[name], _KINDS[name])
        writer.writerow([_inert(row[name]) for name in names])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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
                cell = WriteOnlyCell(sheet, value=_typed(value, kind))
                cell.number_format = "DD/MM/YYYY" if kind == snapshot.DATE else "DD/MM/YYYY HH:MM"
            else:
                cell = WriteOnlyCell(sheet, value=_inert(value))
            cells.append(cell)
        sheet.append(cells)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(payloads: Iterable[dict]) -> bytes:
    return json.dumps(list(payloads), ensure_ascii=False, indent=1).encode("utf-8")
