"""Bulk import of use cases into one collectivité, from the columns of the benchmark export.

All or nothing: every row is checked, every error is reported with its row and column, and
nothing is written unless there is none. A dry run reports what would be created or updated.
Rows are matched by `public_id` (in this collectivité) or else by exact title, so importing
the same file twice changes nothing the second time.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context
from openpyxl import Workbook, load_workbook

from casestudies import services
from casestudies.models import UseCase
from casestudies.serializers import UseCaseWriteSerializer
from registry import exports, snapshot
from registry import vocabularies as v
from registry.models import Collectivite, Term, Tool

# The columns are the export's (registry.snapshot.EXPORT_COLUMNS): derived ones (the collectivité,
# labels, crosswalks) are read, never imported; every other column is read by its field's kind.
COLUMNS = snapshot.COLUMNS_BY_NAME
# Columns an import cannot do without: the core fields members must give (those with a default,
# such as the risk "to assess" or the visibility "private", may be left out).
REQUIRED = {
    f.name for f in snapshot.core_fields() if not UseCase._meta.get_field(f.name).has_default()
}
TRUE_WORDS = {"oui", "true", "1", "vrai", "yes"}
FALSE_WORDS = {"non", "false", "0", "faux", "no", ""}
SEPARATOR = re.compile(r"\s*\|\s*")


class ImportFileError(Exception):
    """The file cannot be read at all (format, header)."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("%(n)s erreur(s) : rien n'a été importé.") % {"n": len(self.errors)}
        verb = _("seraient") if self.dry_run else _("ont été")
        return _(
            "%(created)s cas %(verb)s créés, %(updated)s %(verb)s mis à jour, "
            "%(unchanged)s inchangés."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "verb": verb,
        }


# --- reading the file --------------------------------------------------------------------------


def read_rows(content: bytes, filename: str) -> list[tuple[int, dict]]:
    """(line number, {column: text}) for every non-empty row; line 1 is the header."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as error:
            raise ImportFileError(_("Fichier XLSX illisible : %s") % error) from None
        table = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("Le fichier CSV doit être enregistré en UTF-8 (format « CSV UTF-8 » du tableur).")
            ) from None
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        try:
            table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as error:
            raise ImportFileError(_("Fichier CSV illisible : %s") % error) from None
    if not table:
        raise ImportFileError(_("Le fichier est vide."))
    header = [name.strip() for name in table[0]]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _(
                "Colonne(s) inconnue(s) : %s. Téléchargez le modèle pour avoir les bons noms de "
                "colonnes."
            )
            % ", ".join(unknown)
        )
    missing = sorted(REQUIRED - set(header))
    if missing:
        raise ImportFileError(_("Colonne(s) obligatoire(s) absente(s) : %s.") % ", ".join(missing))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {
            name: (values[i].strip() if i < len(values) and values[i] else "")
            for i, name in enumerate(header)
            if name
        }
        if any(row.values()):
            rows.append((number, row))
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- turning a row into the API's input ----------------------------------------------------------


class _Lookups:
    """Catalogue lookups done once per import, not once per row."""

    def __init__(self):
        self.domains = {}
        for term in Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN, active=True):
            self.domains[term.code] = term.code
            self.domains[term.label_fr.lower()] = term.code
        self.tools = {}
        for tool in Tool.objects.select_related("merged_into"):
            canonical = tool.merged_into or tool
            for name in (tool.name, *tool.aliases):
                self.tools[name.lower()] = canonical.pk
            self.tools[str(tool.pk)] = canonical.pk


def _choice(column: str, f: snapshot.Field, value: str, errors: list) -> str:
    if value in f.vocabulary.values:
        return value
    by_label = {str(label).lower(): code for code, label in f.choices()}
    if value.lower() in by_label:
        return by_label[value.lower()]
    errors.append(
        (
            column,
            _("« %(value)s » n'est pas une valeur permise (%(allowed)s).")
            % {"value": value, "allowed": ", ".join(f.vocabulary.values)},
        )
    )
    return value


def _date(column: str, value: str, errors: list) -> str | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    errors.append((column, _("date « %s » non reconnue (AAAA-MM-JJ ou JJ/MM/AAAA).") % value))
    return None


def _bool(column: str, value: str, errors: list) -> bool:
    word = value.strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        errors.append((column, _("« %s » : oui ou non attendu.") % value))
    return word in TRUE_WORDS


def _int(column: str, value: str, errors: list) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        errors.append((column, _("« %s » : nombre entier attendu.") % value))
        return None


def _items(value: str) -> list[str]:
    return [item for item in SEPARATOR.split(value) if item] if value else []


def row_to_input(row: dict, lookups: _Lookups, errors: list) -> dict:
    """A row's columns as the API's input, each read by the kind of its declared field."""
    data = {}
    for column, value in row.items():
        declared = COLUMNS[column]
        f = declared.field
        if declared.derived or column == "public_id":
            continue
        if f.kind == snapshot.TERMS:
            codes = []
            for item in _items(value):
                code = lookups.domains.get(item.lower()) or lookups.domains.get(item)
                if code is None:
                    errors.append((column, _("domaine inconnu « %s ».") % item))
                else:
                    codes.append(code)
            data[f.name] = codes
        elif f.kind == snapshot.TOOLS:
            ids = []
            for item in _items(value):
                tool = lookups.tools.get(item.lower())
                if tool is None:
                    errors.append((column, _("outil inconnu « %s » (identifiant ou nom).") % item))
                else:
                    ids.append(tool)
            data[f.name] = list(dict.fromkeys(ids))
        elif f.kind == snapshot.CHILDREN:
            data[f.name] = [{"text": text} for text in _items(value)]
        elif f.kind == snapshot.CHOICES:
            data[f.name] = [_choice(column, f, item, errors) for item in _items(value)]
        elif f.kind == snapshot.COLLECTIVITES:
            data[f.name] = _items(value)
        elif f.kind == snapshot.DATE:
            data[f.name] = _date(column, value, errors)
        elif f.kind == snapshot.BOOL:
            if value:
                data[f.name] = _bool(column, value, errors)
        elif f.kind == snapshot.INT:
            data[f.name] = _int(column, value, errors)
        elif f.kind == snapshot.CHOICE:
            if value:
                data[f.name] = _choice(column, f, value, errors)
        else:
            data[f.name] = value
    if "tool_names" in row and "tool_ids" not in row:
        data["tools"] = [
            lookups.tools[name.lower()]
            for name in _items(row["tool_names"])
            if name.lower() in lookups.tools
        ]
    return data


# --- the import itself -------------------------------------------------------------------------


def import_use_cases(
    *,
    collectivite: Collectivite,
    rows: list[tuple[int, dict]],
    actor,
    dry_run: bool = False,
    progress=None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    lookups = _Lookups()
    with tenant_context(collectivite):
        try:
            with transaction.atomic():
                existing = {uc.public_id: uc for uc in UseCase.objects.all()}
                by_title = {uc.title: uc for uc in existing.values()}
                for index, (number, row) in enumerate(rows, start=1):
                    _import_row(
                        number, row, collectivite, actor, lookups, existing, by_title, report
                    )
                    if progress:
                        progress(index, len(rows))
                if report.errors or dry_run:
                    raise _Rollback
        except _Rollback:
            pass
    return report


class _Rollback(Exception):
    pass


def _import_row(number, row, collectivite, actor, lookups, existing, by_title, report):
    errors: list[tuple[str, str]] = []
    data = row_to_input(row, lookups, errors)
    public_id = row.get("public_id", "")
    target = None
    if public_id:
        target = existing.get(public_id)
        if target is None:
            errors.append(
                (
                    "public_id",
                    _("« %(id)s » n'existe pas dans %(name)s.")
                    % {"id": public_id, "name": collectivite.name},
                )
            )
    elif data.get("title") in by_title:
        target = by_title[data["title"]]
    status_inferred = data.pop("status_inferred", None)
    inferred_fields = data.pop("inferred_fields", None)
    serializer = UseCaseWriteSerializer(target, data=data, partial=target is not None)
    if not serializer.is_valid():
        for column, messages in serializer.errors.items():
            column = {"tools": "tool_ids"}.get(column, column)
            for message in _flatten(messages):
                errors.append((column, message))
    if errors:
        report.errors.extend(_row_error(number, column, message) for column, message in errors)
        return
    values = dict(serializer.validated_data)
    if status_inferred is not None:
        values["status_inferred"] = status_inferred
    if inferred_fields is not None:
        values["inferred_fields"] = inferred_fields
    try:
        with transaction.atomic():
            if target is None:
                use_case = services.usecase_create(actor=actor, **values)
                existing[use_case.public_id] = use_case
                by_title[use_case.title] = use_case
                report.created.append(use_case.public_id)
                return
            before = services.snapshot(target)
            services.usecase_update(use_case=target, actor=actor, **values)
            if snapshot.diff(before, services.snapshot(target)):
                report.updated.append(target.public_id)
            else:
                report.unchanged.append(target.public_id)
                raise _Rollback  # not even updated_at moves
    except _Rollback:
        pass
    except ValidationError as error:  # a service rule (state, visibility…): name the row
        for column, messages in getattr(error, "message_dict", {"ligne": error.messages}).items():
            for message in messages:
                report.errors.append(_row_error(number, column, message))


def _row_error(number: int, column: str, message: str) -> str:
    return _("Ligne %(row)s, colonne %(column)s : %(message)s") % {
        "row": number,
        "column": column,
        "message": message,
    }


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{key} : {m}" for key, value in messages.items() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for item in messages for m in _flatten(item)]
    return [str(messages)]


# --- the template --------------------------------------------------------------------------------


def template_csv() -> bytes:
    return ("\ufeff" + ";".join(exports.COLUMNS) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "cas_d_usage"
    sheet.append(exports.COLUMNS)
    help_sheet = workbook.create_sheet("valeurs_permises")
    help_sheet.append(["colonne", "code", "libellé"])
    for column in snapshot.EXPORT_COLUMNS:
        if column.derived or column.field.vocabulary is None:
            continue
        for code, label in column.field.choices():
            help_sheet.append([column.name, code, str(label)])
    for term in Term.objects.filter(vocabulary=v.TermVocabulary.DOMAIN, active=True):
        help_sheet.append(["domains", term.code, term.label_fr])
    for tool in Tool.objects.filter(merged_into__isnull=True, deprecated=False):
        help_sheet.append(["tool_ids", tool.pk, tool.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
