"""How much of France the registry covers: for each région and département, how many of its
communes and EPCI à fiscalité propre are in the registry, and how many of them have published a
case, over the official directory's totals.

Read from the public schema only (the directory, the collectivités, the published cases), in
two queries whatever the number of départements (four when the directory's totals, cached per
loaded millésime, are not yet). A collectivité counts where its directory entry is (one without
an entry, or whose entry a newer millésime no longer lists, is not placed); an EPCI counts in
the département of most of its communes (registry.services.directory).
"""

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, Q, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registry.models import Collectivite, DirectoryEntry, DirectoryRelease
from registry.search import fold
from registry.vocabularies import DIRECTORY_EPCI, DirectoryKind, DirectorySource

COMMUNE, EPCI = "commune", "epci"
# The directory's totals change only with a load (a new key then): kept a day at most.
COVERAGE_CACHE_SECONDS = 24 * 3600
KINDS = (COMMUNE, EPCI)
# The map of metropolitan France's départements (CC BY 4.0, see its README next to it).
MAP_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "svg-maps-france-departments"
MAP_FILE = MAP_DIR / "france.departments.svg"
# The overseas départements, drawn as labelled squares in an inset (not to scale).
OVERSEAS = ("971", "972", "973", "974", "976")
# Map classes: how many of a département's communes and EPCI are in the registry.
MAP_CLASSES = [
    # (lowest count, css class, legend)
    (20, "cov-4", _("20 collectivités ou plus")),
    (5, "cov-3", _("5 à 19 collectivités")),
    (2, "cov-2", _("2 à 4 collectivités")),
    (1, "cov-1", _("1 collectivité")),
    (0, "cov-0", _("aucune collectivité")),
]


@dataclass
class Tally:
    """Communes (or EPCI) of an area: in the registry, of which with a published case, total."""

    members: int = 0
    publishing: int = 0
    total: int = 0

    def add(self, other: "Tally") -> None:
        self.members += other.members
        self.publishing += other.publishing
        self.total += other.total


@dataclass
class Area:
    level: str  # "region" or "departement"
    code: str
    name: str
    region: str = ""
    communes: Tally = field(default_factory=Tally)
    epci: Tally = field(default_factory=Tally)
    departements: list["Area"] = field(default_factory=list)

    @property
    def members(self) -> int:
        return self.communes.members + self.epci.members

    @property
    def map_class(self) -> str:
        return next(css for floor, css, _legend in MAP_CLASSES if self.members >= floor)

    @property
    def anchor(self) -> str:
        return f"{self.level}-{self.code}"

    @property
    def tallies(self) -> tuple[Tally, Tally]:
        return (self.communes, self.epci)

    def count(self, kind: str) -> Tally:
        return self.communes if kind == COMMUNE else self.epci


@dataclass
class Coverage:
    millesime: int | None
    france: Area
    regions: list[Area]

    @property
    def departements(self) -> list[Area]:
        return [dep for region in self.regions for dep in region.departements]


def departement_sort_key(code: str) -> str:
    """INSEE order: 2A and 2B between 19 and 21, the overseas ones (three digits) last."""
    return {"2A": "20A", "2B": "20B"}.get(code, code)


def _region_group(code: str) -> int:
    """Metropolitan régions first, then the overseas régions, then the overseas collectivités."""
    if len(code) == 3:
        return 2
    return 1 if code < "10" else 0


def _kind_group(prefix: str = ""):
    return Case(
        When(**{f"{prefix}kind": DirectoryKind.COMMUNE}, then=Value(COMMUNE)), default=Value(EPCI)
    )


def _directory_totals() -> dict:
    """The official directory's side, which only a new load changes: the names of the régions
    and départements and their communes and EPCI (two queries)."""
    totals = (
        DirectoryEntry.objects.current()
        .filter(source=DirectorySource.OFFICIAL)
        .filter(Q(kind=DirectoryKind.COMMUNE) | Q(kind__in=DIRECTORY_EPCI))
        .order_by()
        .values("departement", group=_kind_group())
        .annotate(n=Count("id"))
    )
    areas = (
        DirectoryEntry.objects.current()
        .filter(kind__in=[DirectoryKind.DEPARTEMENT, DirectoryKind.REGION])
        .values_list("kind", "insee_code", "region", "name")
    )
    return {
        "totals": [(row["departement"], row["group"], row["n"]) for row in totals],
        "areas": list(areas),
    }


def coverage(scope: list[str]) -> Coverage:
    """The figures of every région and département: two queries (the directory's side is cached
    per loaded millésime), four after a load. `scope`: the visibilities of the published cases
    the viewer may see (accounts.policy.visibility_scope)."""
    release = DirectoryRelease.objects.values_list("millesime", "loaded_at").first()
    key = (
        f"coverage:directory:{release[0]}:{release[1].timestamp()}"
        if release
        else "coverage:directory:none"
    )
    directory = cache.get_or_set(key, _directory_totals, COVERAGE_CACHE_SECONDS)
    # The registry's members placed by their entry, and those with a published case.
    members = (
        Collectivite.objects.filter(directory_entry__is_current=True)
        .filter(
            Q(directory_entry__kind=DirectoryKind.COMMUNE)
            | Q(directory_entry__kind__in=DIRECTORY_EPCI)
        )
        .order_by()
        .values(
            departement_code=F("directory_entry__departement"),
            group=_kind_group("directory_entry__"),
        )
        .annotate(
            members=Count("id", distinct=True),
            publishing=Count(
                "id", distinct=True, filter=Q(benchmark_entries__visibility__in=scope)
            ),
        )
    )
    regions: dict[str, Area] = {}
    departements: dict[str, Area] = {}
    for kind, code, region, name in directory["areas"]:
        if kind == DirectoryKind.REGION:
            regions[code] = Area("region", code, name)
        else:
            departements[code] = Area("departement", code, name, region=region)
    for code, group, n in directory["totals"]:
        if dep := departements.get(code):
            dep.count(group).total += n
    for row in members:
        if dep := departements.get(row["departement_code"]):
            count = dep.count(row["group"])
            count.members += row["members"]
            count.publishing += row["publishing"]
    france = Area("france", "FR", str(_("France")))
    for dep in sorted(departements.values(), key=lambda d: departement_sort_key(d.code)):
        region = regions.get(dep.region)
        if region is None:
            continue
        # An overseas collectivité is its own région: one row, not two.
        if dep.code != region.code:
            region.departements.append(dep)
        region.communes.add(dep.communes)
        region.epci.add(dep.epci)
        france.communes.add(dep.communes)
        france.epci.add(dep.epci)
    ordered = sorted(
        (region for region in regions.values() if region.communes.total),
        key=lambda r: (_region_group(r.code), fold(r.name)),
    )
    return Coverage(millesime=release[0] if release else None, france=france, regions=ordered)


@functools.cache
def map_shapes() -> tuple[tuple[str, str], ...]:
    """(code, path) of each metropolitan département, read once from the vendored SVG."""
    tree = ET.parse(MAP_FILE)  # noqa: S314 - our own vendored file, not user input
    return tuple(
        (path.get("id"), path.get("d"))
        for path in tree.getroot().iter("{http://www.w3.org/2000/svg}path")
    )


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def tally_sentence(kind: str, tally: Tally) -> str:
    """« 12 communes sur 279 », « 3 EPCI sur 16 »."""
    values = {"n": _n(tally.members), "total": _n(tally.total)}
    if kind == COMMUNE:
        return (
            ngettext("%(n)s commune sur %(total)s", "%(n)s communes sur %(total)s", tally.members)
            % values
        )
    return ngettext("%(n)s EPCI sur %(total)s", "%(n)s EPCI sur %(total)s", tally.members) % values


def publishing_sentence(tally: Tally) -> str:
    """« dont 2 avec un cas publié »."""
    return ngettext(
        "dont %(n)s avec un cas publié", "dont %(n)s avec un cas publié", tally.publishing
    ) % {"n": _n(tally.publishing)}


def area_sentence(area: Area, with_code: bool = False) -> str:
    """« Haute-Savoie : 12 communes sur 279, 3 EPCI sur 16 » (the map's titles); with its code,
    « Guadeloupe (971) : … », where the map shows the code."""
    name = f"{area.name} ({area.code})" if with_code else area.name
    return gettext("%(name)s : %(communes)s, %(epci)s") % {
        "name": name,
        "communes": tally_sentence(COMMUNE, area.communes),
        "epci": tally_sentence(EPCI, area.epci),
    }


CSV_HEADERS = [
    _("Niveau"),
    _("Code"),
    _("Nom"),
    _("Région"),
    _("Communes dans le registre"),
    _("Communes ayant publié un cas"),
    _("Communes de l'annuaire"),
    _("EPCI dans le registre"),
    _("EPCI ayant publié un cas"),
    _("EPCI de l'annuaire"),
]
LEVELS = {"france": _("France"), "region": _("Région"), "departement": _("Département")}


def csv_rows(figures: Coverage) -> list[list]:
    """The CSV's rows, France first, then each région followed by its départements."""

    def row(area: Area, region: str = "") -> list:
        return [
            str(LEVELS[area.level]),
            area.code,
            area.name,
            region,
            area.communes.members,
            area.communes.publishing,
            area.communes.total,
            area.epci.members,
            area.epci.publishing,
            area.epci.total,
        ]

    rows = [[str(header) for header in CSV_HEADERS], row(figures.france)]
    for region in figures.regions:
        rows.append(row(region, region.name))
        rows.extend(row(dep, region.name) for dep in region.departements)
    return rows
