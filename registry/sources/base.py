"""What an adapter of a public source is: it reads a file into rows, and maps a raw row onto our
fields or says, in French and per column, why it cannot.

An adapter knows one format (the PSTW dataset of the JRC, the US federal inventory, a file read
through a column-mapping profile…) and nothing of the database. The import service
(registry.services.sources.source_import) drives it:

1. `read(content, file_name)` yields every row of the file as a `RawRow`: its number as a
   spreadsheet shows it (the header is row 1; a CSV cell spanning several lines is still one row)
   and `{column: value}` exactly as read — spaces, line breaks, empty cells and odd column names
   (the PSTW's " Status", its trailing unnamed column) untouched. The row is stored as it is
   (`SourceRecord.raw`) and hashed, so nothing may be cleaned here. A file that cannot be read at
   all raises `SourceFileError` with a French message (nothing is imported).
   `columns` is the header, in its order, once `read` has started.
2. `map(row)` turns one raw row into a `Mapped` record, or a `Rejected` (one or more
   `RowError(row, column, reason)`: a French reason a curator can act on, naming the column of
   the source), or a `Skipped` (out of scope for an AI register, with its reason and column: a
   blockchain project of the PSTW). It never raises for a bad value: it reports it.
   A value that does not map onto our vocabularies but does not make the row unusable is left
   out of the mapped fields (it stays in the raw row) and said in `Mapped.notes`.
   `Mapped.fields` are field names of the published format (registry.snapshot) with values in
   that format: codes of our vocabularies (registry.vocabularies), dates as ISO strings, domains
   as Term codes (vocabulary « domain »), text as the source gives it. Fields the source does not
   give are left out: the service fills the rest of the snapshot with empty values.
   `Mapped.identity` carries what matching to the directory of collectivités needs (SIRET,
   SIREN, INSEE code, name, départements), French records only.

Each adapter holds its crosswalks (source vocabulary → ours) in one table per source
(`registry/sources/<source>.py`) and bumps `version` whenever a crosswalk or the mapping changes:
the version is part of each row's content hash, so the next import maps every row again, while an
import of the same file with the same version changes nothing.

An adapter is found by its kind (`registry.sources.adapter_for("pstw")`); an adapter that needs a
column-mapping profile takes it in its constructor (`adapter_for("mapping", profile=…)`).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from django.utils.functional import Promise


class SourceFileError(Exception):
    """The file cannot be read at all (format, encoding, missing columns): a French message."""


@dataclass(frozen=True)
class RowError:
    """Why a row (or one of its values) did not land: the row's number, the source's column (""
    when it is the row as a whole) and a French reason."""

    row: int
    column: str
    reason: str

    def as_dict(self, original_id: str = "") -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "reason": str(self.reason),
            "original_id": original_id,
        }


@dataclass(frozen=True)
class RawRow:
    number: int
    values: dict


@dataclass(frozen=True)
class Identity:
    """What the directory match reads (registry.sources.matching), when the source gives it."""

    name: str = ""
    siret: str = ""
    siren: str = ""
    insee_code: str = ""
    # Départements the organisation may be in (codes); empty: anywhere in France.
    departements: tuple[str, ...] = ()
    # Its région (INSEE code), when the source places it in one.
    region: str = ""
    # Kinds of collectivité the name may stand for (registry.vocabularies.DirectoryKind), best
    # first; empty: any kind.
    kinds: tuple[str, ...] = ()
    # False: the source says it is a body of the State (a ministry…) or not a collectivité at
    # all; such records are not matched nor listed as unmatched.
    local: bool = True


@dataclass
class Mapped:
    original_id: str
    fields: dict
    original_url: str = ""
    organisation_name: str = ""
    # ISO 3166-1 alpha-2 code of the organisation's country ("" unknown).
    country: str = ""
    identity: Identity | None = None
    # Date the source last updated the record (ISO), shown as its publication date.
    updated_on: str | None = None
    # French remarks on values kept in the raw row only (outside the crosswalks…).
    notes: list[str] = field(default_factory=list)


@dataclass
class Rejected:
    errors: list[RowError]
    original_id: str = ""


@dataclass
class Skipped:
    error: RowError
    original_id: str = ""


MapResult = Mapped | Rejected | Skipped


@dataclass(frozen=True)
class SourceInfo:
    """The source an adapter reads, as first recorded (registry.Source); curators may edit it."""

    slug: str
    name: str
    publisher: str
    licence: str
    licence_url: str
    attribution: str
    url: str
    id_prefix: str
    description: str = ""


class SourceAdapter:
    """Base class of the adapters (see the module's docstring)."""

    # registry.vocabularies.SourceAdapterKind
    kind: ClassVar[str]
    label: ClassVar[Promise | str]
    # Part of each row's content hash: bump it when the mapping changes.
    version: ClassVar[str] = "1"
    source: ClassVar[SourceInfo]

    def __init__(self, profile=None):
        self.profile = profile
        self.columns: list[str] = []

    def source_info(self) -> SourceInfo:
        """The source this adapter reads (a profile may name its own)."""
        return self.source

    def millesime(self, file_name: str) -> str:
        """The millésime of a file (from its name, e.g. pstw_2025-11.csv → 2025-11), or ""."""
        return ""

    def read(self, content: bytes, file_name: str) -> Iterator[RawRow]:
        raise NotImplementedError

    def count_rows(self, content: bytes, file_name: str) -> int | None:
        """How many rows `read` will yield, when cheap to know (for the progress); else None."""
        return None

    def map(self, row: RawRow) -> MapResult:
        raise NotImplementedError
