"""Reading a source's file into raw rows, exactly as published: CSV (UTF-8, with or without its
byte-order mark, comma or semicolon) or XLSX (its first sheet). Cells keep their text untouched
(leading spaces, line breaks); an XLSX cell that holds a number or a date keeps it as the
spreadsheet gives it (a number, a date as ISO text), so that the raw row can be stored as JSON."""

import csv
import gzip
import io
import lzma
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from registry.sources.base import RawRow, SourceAdapter, SourceFileError

# csv's default limit (128 KiB a field) is kept: enough for any register's description; a larger
# field is a broken file, reported (« illisible ») rather than read.


def is_xlsx(content: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04"


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Spreadsheets on Windows save « CSV » in cp1252 by default.
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise SourceFileError(
                _("Le fichier CSV doit être enregistré en UTF-8 (format « CSV UTF-8 » du tableur).")
            ) from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _header(cells: list) -> list[str]:
    """Column names as written (a blank name is kept: the PSTW's trailing column is one)."""
    header = ["" if cell is None else str(cell) for cell in cells]
    if not any(name.strip() for name in header):
        raise SourceFileError(_("La première ligne du fichier doit donner le nom des colonnes."))
    return header


def _row(header: list[str], cells: list, number: int) -> RawRow:
    values = {}
    for i, name in enumerate(header):
        value = cells[i] if i < len(cells) else ""
        # Two columns of the same name: the second is kept under « name (2) ».
        key, n = name, 2
        while key in values:
            key, n = f"{name} ({n})", n + 1
        values[key] = value
    # Cells beyond the header (a row longer than it) are kept too, under their position.
    for i in range(len(header), len(cells)):
        if cells[i] not in ("", None):
            values[f"(colonne {i + 1})"] = cells[i]
    return RawRow(number=number, values=values)


def _xlsx_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def header_of(header: list[str]) -> list[str]:
    """The keys `read_rows` gives the header's columns (duplicates numbered)."""
    return list(_row(header, [], 1).values)


def read_rows(content: bytes, file_name: str, columns: list[str]) -> Iterator[RawRow]:
    """Every row after the header whose cells are not all empty, numbered as a spreadsheet
    numbers them (header: 1). `columns` receives the header's keys once it is read."""
    if is_xlsx(content, file_name):
        yield from _xlsx_rows(content, columns)
    else:
        yield from _csv_rows(content, columns)


def _csv_rows(content: bytes, columns: list[str]) -> Iterator[RawRow]:
    text = _text(content)
    if not text.strip():
        raise SourceFileError(_("Le fichier est vide."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = _header(next(reader))
        columns[:] = header_of(header)
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                yield _row(header, cells, number)
    except csv.Error as error:
        raise SourceFileError(
            _("Fichier CSV illisible à la ligne %(line)s : %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None


def _xlsx_rows(content: bytes, columns: list[str]) -> Iterator[RawRow]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise SourceFileError(_("Fichier XLSX illisible : %s") % error) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise SourceFileError(_("Le fichier est vide."))
        header = _header(list(first))
        # A sheet's last columns are often empty cells, not columns.
        while header and header[-1] == "" and len(header) > 1:
            header.pop()
        columns[:] = header_of(header)
        for number, cells in enumerate(rows, start=2):
            values = [_xlsx_cell(cell) for cell in cells]
            if any(str(value).strip() for value in values):
                yield _row(header, values, number)
    finally:
        workbook.close()


def count_rows(content: bytes, file_name: str) -> int:
    """How many rows `read_rows` yields, read quickly (for the progress of a long import)."""
    return sum(1 for _row in read_rows(content, file_name, []))


def read_file(path) -> tuple[bytes, str]:
    """The bytes of a file and its name, uncompressed if it ends in .xz or .gz (the seed ships
    the PSTW dataset compressed): « pstw_2025-11.csv.xz » → (its CSV, « pstw_2025-11.csv »)."""
    path = Path(path)
    try:
        if path.suffix == ".xz":
            return lzma.decompress(path.read_bytes()), path.stem
        if path.suffix == ".gz":
            return gzip.decompress(path.read_bytes()), path.stem
        return path.read_bytes(), path.name
    except FileNotFoundError:
        raise SourceFileError(_("Fichier introuvable : %s") % path) from None
    except (lzma.LZMAError, OSError) as error:
        raise SourceFileError(
            _("Fichier illisible : %(path)s (%(error)s)") % {"path": path, "error": error}
        ) from None


def quoted(columns) -> str:
    return ", ".join(f"« {column} »" for column in columns)


class FileAdapter(SourceAdapter):
    """An adapter of a CSV or XLSX file (`read_rows`) whose header must hold some columns: a file
    that lacks one is refused as a whole, before any row is mapped."""

    def required_columns(self) -> list[str]:
        return []

    def missing_columns_message(self, missing: list[str]) -> str:
        """The French refusal of a file without `missing` (the file's header: `self.columns`)."""
        raise NotImplementedError

    def read(self, content: bytes, file_name: str) -> Iterator[RawRow]:
        rows = read_rows(content, file_name, self.columns)
        first = next(rows, None)  # reads the header into self.columns
        missing = [column for column in self.required_columns() if column not in self.columns]
        if missing:
            raise SourceFileError(self.missing_columns_message(missing))
        if first is not None:
            yield first
            yield from rows

    def count_rows(self, content: bytes, file_name: str) -> int | None:
        return count_rows(content, file_name)
