"""Writes of the official directory: a millésime loaded or refreshed (one transaction, bulk
upserts, only what changed), and the bodies the curators add by hand.

The official data is the npm package @etalab/decoupage-administratif (see
fixtures/directory/*/README.md): communes.json, epci.json, departements.json, regions.json, read
as they are published, `.json`, `.json.xz` or `.json.gz`, from a folder or from the npm tarball.
"""

import gzip
import json
import lzma
import tarfile
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record, field_changes
from registry.directory import (
    SHIPPED_DIRECTORY,
    DirectoryEntry,
    DirectoryRelease,
    search_name,
    trigrams,
)
from registry.validators import validate_siren
from registry.vocabularies import DirectoryKind, DirectorySource

SHIPPED_MILLESIME = 2026
FILES = ("regions", "departements", "epci", "communes")

COMMUNE_KINDS = {
    "commune-actuelle": DirectoryKind.COMMUNE,
    "commune-deleguee": DirectoryKind.COMMUNE_DELEGUEE,
    "commune-associee": DirectoryKind.COMMUNE_ASSOCIEE,
    "arrondissement-municipal": DirectoryKind.ARRONDISSEMENT,
}
EPCI_KINDS = {
    "CC": DirectoryKind.CC,
    "CA": DirectoryKind.CA,
    "CU": DirectoryKind.CU,
    "METRO": DirectoryKind.METROPOLE,
    # The Métropole de Lyon, a collectivité with a status of its own, listed with the EPCI.
    "MET69": DirectoryKind.METROPOLE,
}
# The columns the official data sets, compared to tell what changed. The SIREN of a département
# or a région is not in the data: the curators may enter it, and a load never erases it.
DATA_FIELDS = [
    "kind",
    "name",
    "insee_code",
    "siren",
    "departement",
    "region",
    "postcodes",
    "population",
    "former_codes",
    "parent_epci_id",
    "parent_id",
    "is_current",
]
NO_SIREN_KINDS = (DirectoryKind.DEPARTEMENT, DirectoryKind.REGION)
BATCH_SIZE = 2000
# Lists longer than this are summed up in the command's report.
REPORT_DETAIL_LIMIT = 30

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass
class DirectoryLoadReport:
    millesime: int
    source: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    retired: Counter = field(default_factory=Counter)
    unchanged: int = 0
    first_load: bool = False
    # (INSEE code, name) of the communes this millésime adds.
    new_communes: list[tuple[str, str]] = field(default_factory=list)
    # (INSEE code, name, [(former code, former name)]) of the communes that absorbed others.
    merged_communes: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any((self.created.total(), self.updated.total(), self.retired.total()))

    def summary(self) -> dict:
        return {
            "millesime": self.millesime,
            "source": self.source,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "retired": dict(self.retired),
            "unchanged": self.unchanged,
            "new_communes": [code for code, _name in self.new_communes][:REPORT_DETAIL_LIMIT],
            "merged_communes": {
                code: [former for former, _name in formers]
                for code, _name, formers in self.merged_communes[:REPORT_DETAIL_LIMIT]
            },
        }


# --- reading -------------------------------------------------------------------------------------


def read_directory(path: Path | str) -> dict[str, list[dict]]:
    """The four files of a millésime, from a folder (.json, .json.xz, .json.gz) or an npm
    tarball (.tgz, as `npm pack` brings it)."""
    path = Path(path)
    if path.is_file() and path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as archive:
            return {
                name: json.load(archive.extractfile(f"package/data/{name}.json"))  # type: ignore[arg-type]
                for name in FILES
            }
    if not path.is_dir():
        raise ValidationError(_("Annuaire introuvable : %(path)s.") % {"path": path})
    data = {}
    for name in FILES:
        for suffix, opener in ((".json.xz", lzma.open), (".json.gz", gzip.open), (".json", open)):
            candidate = path / f"{name}{suffix}"
            if candidate.exists():
                with opener(candidate, "rt", encoding="utf-8") as handle:
                    data[name] = json.load(handle)
                break
        else:
            raise ValidationError(
                _("Fichier %(name)s.json(.xz|.gz) absent de %(path)s.")
                % {"name": name, "path": path}
            )
    return data


def _official_rows(data: dict[str, list[dict]]) -> list[dict]:
    """Every entry of a millésime as the values of its row, bodies before the parts of a commune
    (their `parent_key` and `parent_epci_key` point to rows listed before them)."""
    communes = data["communes"]
    epci_of = {
        member["code"]: f"epci:{epci['code']}"
        for epci in data["epci"]
        for member in epci["membres"]
    }
    current = [row for row in communes if row["type"] == "commune-actuelle"]
    population_of_dep = Counter()
    population_of_region = Counter()
    departement_of = {}
    for row in current:
        population_of_dep[row["departement"]] += row.get("population") or 0
        population_of_region[row["region"]] += row.get("population") or 0
        departement_of[row["code"]] = (row["departement"], row.get("population") or 0)
    region_of_dep = {row["code"]: row["region"] for row in data["departements"]}
    rows = []
    for row in data["regions"]:
        rows.append(
            _row(
                f"region:{row['code']}",
                DirectoryKind.REGION,
                row["nom"],
                insee_code=row["code"],
                region=row["code"],
                population=population_of_region.get(row["code"]),
            )
        )
    for row in data["departements"]:
        rows.append(
            _row(
                f"departement:{row['code']}",
                DirectoryKind.DEPARTEMENT,
                row["nom"],
                insee_code=row["code"],
                departement=row["code"],
                region=row["region"],
                population=population_of_dep.get(row["code"]),
            )
        )
    for row in data["epci"]:
        # An EPCI may reach over two départements: the one most of its communes are in.
        weights = Counter()
        for member in row["membres"]:
            departement, population = departement_of.get(member["code"], ("", 0))
            weights[departement] += 1_000_000_000 + population
        departement = weights.most_common(1)[0][0] if weights else ""
        rows.append(
            _row(
                f"epci:{row['code']}",
                EPCI_KINDS[row["type"]],
                row["nom"],
                siren=row["code"],
                departement=departement,
                region=region_of_dep.get(departement, ""),
                population=row.get("populationMunicipale"),
            )
        )
    for row in current:
        rows.append(
            _row(
                f"commune:{row['code']}",
                DirectoryKind.COMMUNE,
                row["nom"],
                insee_code=row["code"],
                siren=row.get("siren", ""),
                departement=row["departement"],
                region=row["region"],
                postcodes=sorted(row.get("codesPostaux", [])),
                population=row.get("population"),
                former_codes=sorted(row.get("anciensCodes", [])),
                parent_epci_key=epci_of.get(row["code"]),
            )
        )
    for row in communes:
        kind = COMMUNE_KINDS[row["type"]]
        if kind == DirectoryKind.COMMUNE:
            continue
        parent = row.get("chefLieu") or row.get("commune")
        rows.append(
            _row(
                f"{kind}:{row['code']}",
                kind,
                row["nom"],
                insee_code=row["code"],
                departement=row["departement"],
                region=row["region"],
                postcodes=sorted(row.get("codesPostaux", [])),
                population=row.get("population"),
                parent_key=f"commune:{parent}" if parent else None,
            )
        )
    return rows


def _row(key: str, kind: str, name: str, **values) -> dict:
    row = {
        "key": key,
        "kind": str(kind),
        "name": name,
        "insee_code": "",
        "siren": "",
        "departement": "",
        "region": "",
        "postcodes": [],
        "population": None,
        "former_codes": [],
        "parent_epci_key": None,
        "parent_key": None,
        "is_current": True,
    }
    row.update(values)
    return row


# --- loading -------------------------------------------------------------------------------------


@transaction.atomic
def directory_load(
    path: Path | str = SHIPPED_DIRECTORY,
    *,
    millesime: int = SHIPPED_MILLESIME,
    source: str = "",
    actor=None,
    progress: Progress = _no_progress,
) -> DirectoryLoadReport:
    """Load a millésime, or refresh it: rows created or updated only where the data differ,
    rows the millésime no longer lists kept (for the collectivités that point to them) but no
    longer current, merged communes pointing to the commune that absorbed them. Loading the
    same millésime again writes nothing."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # Two loads at once would each see the other's rows as missing: one at a time.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registry.directory_load'))")
    latest = DirectoryRelease.objects.order_by("-millesime").first()
    if latest is not None and millesime < latest.millesime:
        raise ValidationError(
            _("Le millésime %(millesime)s est plus ancien que celui chargé (%(latest)s).")
            % {"millesime": millesime, "latest": latest.millesime}
        )
    progress(_("Lecture"), 0, 1)
    data = read_directory(path)
    rows = _official_rows(data)
    progress(_("Lecture"), 1, 1)
    report = DirectoryLoadReport(
        millesime=millesime,
        source=source or str(Path(path).name),
        first_load=latest is None,
        counts=_counts(data),
    )
    existing = {
        row["key"]: row
        for row in DirectoryEntry.objects.filter(source=DirectorySource.OFFICIAL).values(
            "id", "key", *DATA_FIELDS
        )
    }
    ids = {key: row["id"] for key, row in existing.items()}
    # Bodies first, then the communes (pointing to their EPCI), then the parts of a commune.
    phases = [
        [row for row in rows if row["parent_epci_key"] is None and row["parent_key"] is None],
        [row for row in rows if row["parent_epci_key"] is not None],
        [row for row in rows if row["parent_key"] is not None],
    ]
    done = 0
    for phase in phases:
        changed = []
        for row in phase:
            row["parent_epci_id"] = ids.get(row.pop("parent_epci_key"))
            row["parent_id"] = ids.get(row.pop("parent_key"))
            before = existing.get(row["key"])
            if before is None:
                report.created[row["kind"]] += 1
                changed.append(row)
            elif _differs(before, row):
                report.updated[row["kind"]] += 1
                changed.append(row)
            else:
                report.unchanged += 1
        _upsert(changed, millesime)
        done += len(phase)
        progress(_("Écriture"), done, len(rows))
        if changed:
            ids.update(
                DirectoryEntry.objects.filter(key__in=[row["key"] for row in changed]).values_list(
                    "key", "id"
                )
            )
    listed = {row["key"] for row in rows}
    _retire(existing, listed, rows, report)
    # Entries listed again get the new millésime (one statement; none when it is the same).
    DirectoryEntry.objects.filter(source=DirectorySource.OFFICIAL, is_current=True).exclude(
        millesime=millesime
    ).update(millesime=millesime)
    _report_communes(existing, rows, report)
    if report.changed or latest is None or latest.millesime != millesime:
        release, _created = DirectoryRelease.objects.update_or_create(
            millesime=millesime, defaults={"source": report.source, "counts": report.counts}
        )
        audit_record(
            actor=actor, action="directory_loaded", target=release, changes=report.summary()
        )
    return report


def _differs(before: dict, row: dict) -> bool:
    for name in DATA_FIELDS:
        if name == "siren" and row["kind"] in NO_SIREN_KINDS:
            continue
        if before[name] != row[name]:
            return True
    return False


COPY_COLUMNS = [
    "key",
    "source",
    *(name for name in DATA_FIELDS),
    "millesime",
    "search_name",
    "search_trigrams",
    "updated_at",
    "successor_id",
]


def _upsert(rows: list[dict], millesime: int) -> None:
    """COPY into a temporary table, then one INSERT … ON CONFLICT: the ORM's bulk_create spends
    most of a first load building its SQL (20 s against 2 s)."""
    if not rows:
        return
    table = DirectoryEntry._meta.db_table
    columns = ", ".join(COPY_COLUMNS)
    now = timezone.now()
    updates = ", ".join(
        f"{name} = EXCLUDED.{name}"
        if name != "siren"
        else (
            f"siren = CASE WHEN EXCLUDED.kind IN ({', '.join(['%s'] * len(NO_SIREN_KINDS))}) "
            f"THEN {table}.siren ELSE EXCLUDED.siren END"
        )
        for name in COPY_COLUMNS
        if name != "key"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS directory_load_rows")
        cursor.execute(
            f"CREATE TEMPORARY TABLE directory_load_rows AS SELECT {columns} FROM {table} "  # noqa: S608
            "WITH NO DATA"
        )
        with cursor.copy(f"COPY directory_load_rows ({columns}) FROM STDIN") as copy:
            for row in rows:
                normalised = search_name(row["name"])
                copy.write_row(
                    [
                        row["key"],
                        DirectorySource.OFFICIAL.value,
                        *(row[name] for name in DATA_FIELDS),
                        millesime,
                        normalised,
                        trigrams(normalised),
                        now,
                        None,
                    ]
                )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM directory_load_rows "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET {updates}",
            [str(kind) for kind in NO_SIREN_KINDS],
        )
        cursor.execute("DROP TABLE directory_load_rows")


def _retire(existing: dict, listed: set[str], rows: list[dict], report: DirectoryLoadReport):
    """Entries this millésime no longer lists: kept, no longer current; a merged commune points
    to the commune that lists its code among its former ones."""
    gone = [key for key, row in existing.items() if key not in listed and row["is_current"]]
    if not gone:
        return
    absorbed_by = {
        code: f"commune:{row['insee_code']}" for row in rows for code in row["former_codes"]
    }
    successors = dict(
        DirectoryEntry.objects.filter(key__in=set(absorbed_by.values())).values_list("key", "id")
    )
    entries = list(DirectoryEntry.objects.filter(key__in=gone))
    for entry in entries:
        entry.is_current = False
        if entry.kind == DirectoryKind.COMMUNE:
            entry.successor_id = successors.get(absorbed_by.get(entry.insee_code, ""))
        report.retired[entry.kind] += 1
    DirectoryEntry.objects.bulk_update(entries, ["is_current", "successor"], batch_size=BATCH_SIZE)


def _report_communes(existing: dict, rows: list[dict], report: DirectoryLoadReport) -> None:
    communes_before = {
        row["insee_code"]: row["name"]
        for row in existing.values()
        if row["kind"] == DirectoryKind.COMMUNE
    }
    current_before = {
        row["insee_code"]
        for row in existing.values()
        if row["kind"] == DirectoryKind.COMMUNE and row["is_current"]
    }
    for row in rows:
        if row["kind"] != DirectoryKind.COMMUNE:
            continue
        code = row["insee_code"]
        if code not in current_before:
            report.new_communes.append((code, row["name"]))
        absorbed = [
            (former, communes_before.get(former, ""))
            for former in row["former_codes"]
            if former in current_before
        ]
        if absorbed:
            report.merged_communes.append((code, row["name"], absorbed))


def _counts(data: dict[str, list[dict]]) -> dict[str, int]:
    kinds = Counter(COMMUNE_KINDS[row["type"]] for row in data["communes"])
    return {
        "communes_file": len(data["communes"]),
        **{str(kind): count for kind, count in kinds.items()},
        "epci": len(data["epci"]),
        "departements": len(data["departements"]),
        "regions": len(data["regions"]),
    }


def directory_loaded(millesime: int = SHIPPED_MILLESIME) -> bool:
    return DirectoryRelease.objects.filter(millesime__gte=millesime).exists()


# --- the curators' bodies ------------------------------------------------------------------------

CURATOR_FIELDS = {"kind", "name", "siren", "insee_code", "departement", "region", "population"}
CURATOR_KINDS = (
    DirectoryKind.CDG,
    DirectoryKind.SYNDICAT,
    DirectoryKind.CCAS,
    DirectoryKind.SDIS,
    DirectoryKind.DEPARTEMENT,
    DirectoryKind.REGION,
    DirectoryKind.EPCI_OTHER,
    DirectoryKind.OTHER,
)


def _check_curator_body(entry: DirectoryEntry) -> None:
    if entry.kind not in CURATOR_KINDS:
        raise ValidationError(
            {"kind": _("Les communes et les EPCI viennent des données officielles.")}
        )
    if entry.siren:
        validate_siren(entry.siren)
    entry.refresh_search()
    entry.full_clean(exclude=["key"])


@transaction.atomic
def directory_body_create(*, actor=None, **fields) -> DirectoryEntry:
    """A body the official data does not list (centre de gestion, syndicat, CCAS…)."""
    unknown = set(fields) - CURATOR_FIELDS
    if unknown:
        raise TypeError(f"directory_body_create() got unexpected fields: {sorted(unknown)}")
    entry = DirectoryEntry(
        key=f"curators:{uuid.uuid4().hex}", source=DirectorySource.CURATORS, **fields
    )
    _check_curator_body(entry)
    connection.set_schema_to_public()
    entry.save()
    audit_record(actor=actor, action="directory_body_created", target=entry)
    return entry


@transaction.atomic
def directory_body_update(entry: DirectoryEntry, *, actor=None, **fields) -> DirectoryEntry:
    """A curators' body changed; of an official entry, only what the data do not hold (the
    SIREN of a département or a région)."""
    allowed = CURATOR_FIELDS if entry.managed_by_curators else {"siren"}
    if not entry.managed_by_curators and entry.kind not in NO_SIREN_KINDS:
        allowed = set()
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {
                name: _("Donnée officielle : elle change avec le millésime chargé.")
                for name in sorted(unknown)
            }
        )
    changes = field_changes(entry, fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    if entry.managed_by_curators:
        _check_curator_body(entry)
    elif entry.siren:
        validate_siren(entry.siren)
    connection.set_schema_to_public()
    entry.save()
    if changes:
        audit_record(actor=actor, action="directory_body_changed", target=entry, changes=changes)
    return entry
