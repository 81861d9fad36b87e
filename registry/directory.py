"""The official directory of French bodies (public schema): every commune, EPCI, département and
région of a millésime of the Code officiel géographique, plus the bodies it does not list
(centres de gestion, syndicats, CCAS/CIAS, SDIS…) entered by the curators.

Loaded by registry.services.directory (`manage.py load_directory`); read by the directory API and,
later, by the onboarding pickers. Search is accent-insensitive and typo-tolerant without any
PostgreSQL extension (the embedded server has neither unaccent nor pg_trgm): the folded name and
its trigrams are computed in Python when an entry is written, and indexed (B-tree prefix, GIN).
"""

import functools
import json
import lzma
import math
import re
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from registry.search import fold
from registry.vocabularies import (
    DIRECTORY_SUBDIVISIONS,
    DirectoryKind,
    DirectorySource,
    check_constraint_values,
)

# The official data shipped with the code (fixtures/directory/*/README.md).
SHIPPED_DIRECTORY = (
    Path(settings.BASE_DIR) / "fixtures" / "directory" / "decoupage-administratif-6.0.0"
)
CODE_QUERY_RE = re.compile(r"^(?:\d|2[AB])[\dAB]{0,8}$")
# Abbreviations people type for the words of French place names.
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# Share of the query's trigrams a name must hold to be a match (pg_trgm's word similarity is 0.6).
MIN_TRIGRAM_SHARE = 0.5
# How many of the query's trigrams (the parameter) a name holds.
# (Qualified: a query may join the table to itself, for the parent EPCI.)
TRIGRAMS_COLUMN = "registry_directoryentry.search_trigrams"
SHARED_TRIGRAMS_SQL = (
    f"cardinality(ARRAY(SELECT unnest({TRIGRAMS_COLUMN}) INTERSECT SELECT unnest(%s::text[])))"
)


def search_name(text: str) -> str:
    """Lower-case, unaccented, words separated by one space: « Saint-Félix » → « saint felix »."""
    words = re.sub(r"[^0-9a-z]+", " ", fold(text).replace("œ", "oe").replace("æ", "ae")).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def trigrams(normalised: str) -> list[str]:
    """pg_trgm's trigrams of a normalised text: each word padded with two spaces before, one
    after (« annecy » → "  a", " an", "ann", … "cy ")."""
    grams = set()
    for word in normalised.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return sorted(grams)


class DirectoryQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def search(self, query: str):
        """Current entries matching a name (typos and accents forgiven), an INSEE code (also a
        former one), a SIREN or a postcode. Best first: for a name, the exact names, then the
        names starting with it, the bodies before the parts of a commune, the names sharing most
        trigrams, the most populous; for a code, the bodies first, exact codes, former codes."""
        raw = query.strip().upper().replace(" ", "")
        subdivision = Case(
            When(kind__in=DIRECTORY_SUBDIVISIONS, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        entries = self.current().annotate(subdivision=subdivision)
        if CODE_QUERY_RE.match(raw):
            return self._search_code(entries, raw)
        return self._search_name(entries, search_name(query))

    def _search_code(self, entries, code: str):
        matches = Q(insee_code__startswith=code) | Q(siren__startswith=code)
        if len(code) == 5:
            matches |= Q(former_codes__contains=[code]) | Q(postcodes__contains=[code])
        exact = Case(
            When(Q(insee_code=code) | Q(siren=code), then=Value(2)),
            When(former_codes__contains=[code], then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        return (
            entries.filter(matches)
            .annotate(exact=exact)
            .order_by("subdivision", "-exact", F("population").desc(nulls_last=True), "name", "key")
        )

    def _search_name(self, entries, normalised: str):
        if not normalised:
            return entries.none()
        prefix = Q(search_name__startswith=normalised) | Q(search_name__contains=" " + normalised)
        exact = Case(
            When(search_name=normalised, then=Value(2)),
            When(prefix, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        grams = trigrams(normalised)
        if len(normalised) < 3 or not grams:
            # Too short for trigrams to mean anything: names starting with it (indexed).
            matches = entries.filter(search_name__startswith=normalised)
            return matches.annotate(exact=exact).order_by(
                "-exact", "subdivision", F("population").desc(nulls_last=True), "name", "key"
            )
        # Constant SQL, the query bound as a parameter.
        shared = RawSQL(SHARED_TRIGRAMS_SQL, (grams,), output_field=IntegerField())  # noqa: S611
        needed = math.ceil(len(grams) * MIN_TRIGRAM_SHARE)
        return (
            entries.filter(search_trigrams__overlap=grams)
            .annotate(shared=shared, exact=exact)
            .filter(Q(shared__gte=needed) | prefix)
            .annotate(
                # pg_trgm's similarity: shared / (|query| + |name| - shared), as an integer ‰.
                similarity=RawSQL(  # noqa: S611
                    f"1000 * {SHARED_TRIGRAMS_SQL} / "
                    f"(%s + cardinality({TRIGRAMS_COLUMN}) - {SHARED_TRIGRAMS_SQL})",
                    (grams, len(grams), grams),
                    output_field=IntegerField(),
                )
            )
            .order_by(
                "-exact",
                "subdivision",
                "-similarity",
                F("population").desc(nulls_last=True),
                "name",
                "key",
            )
        )


class DirectoryEntry(models.Model):
    """A body of the directory (or a part of a commune the official data lists)."""

    key = models.CharField(
        _("clé"),
        max_length=50,
        unique=True,
        editable=False,
        help_text=_("Identifiant stable d'un millésime à l'autre, ex. commune:74010, epci:…"),
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=DirectorySource.choices,
        default=DirectorySource.CURATORS,
        editable=False,
    )
    kind = models.CharField(_("type"), max_length=20, choices=DirectoryKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    region = models.CharField(_("région"), max_length=3, blank=True)
    postcodes = ArrayField(
        models.CharField(max_length=5), verbose_name=_("codes postaux"), default=list, blank=True
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    parent_epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI de rattachement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_communes",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("commune de rattachement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subdivisions",
        help_text=_("Pour une commune déléguée ou associée, un arrondissement municipal."),
    )
    former_codes = ArrayField(
        models.CharField(max_length=5),
        verbose_name=_("anciens codes INSEE"),
        default=list,
        blank=True,
        help_text=_("Codes des communes fusionnées dans celle-ci : elle reste trouvable par eux."),
    )
    millesime = models.PositiveSmallIntegerField(
        _("millésime"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Dernier millésime officiel qui la liste (vide : saisie des curateurs)."),
    )
    is_current = models.BooleanField(
        _("en vigueur"),
        default=True,
        editable=False,
        help_text=_("Faux quand le dernier millésime chargé ne la liste plus (fusion…)."),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("remplacée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="predecessors",
    )
    search_name = models.CharField(max_length=200, editable=False, default="")
    search_trigrams = ArrayField(models.TextField(), editable=False, default=list)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée de l'annuaire")
        verbose_name_plural = _("annuaire des collectivités")
        ordering = ["name", "key"]
        indexes = [
            models.Index(
                fields=["search_name"],
                name="directory_name_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            GinIndex(fields=["search_trigrams"], name="directory_trigrams_gin"),
            models.Index(
                fields=["insee_code"],
                name="directory_insee_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["siren"],
                name="directory_siren_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            GinIndex(fields=["postcodes"], name="directory_postcodes_gin"),
            GinIndex(fields=["former_codes"], name="directory_former_codes_gin"),
            models.Index(fields=["kind", "departement"], name="directory_kind_dep_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=check_constraint_values(DirectoryKind)),
                name="directory_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=check_constraint_values(DirectorySource)),
                name="directory_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^\d{9}$"),
                name="directory_siren_format",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def managed_by_curators(self) -> bool:
        return self.source == DirectorySource.CURATORS

    def refresh_search(self) -> None:
        self.search_name = search_name(self.name)
        self.search_trigrams = trigrams(self.search_name)


class DirectoryRelease(models.Model):
    """A millésime of the official data, as loaded: where from, when, what it holds."""

    millesime = models.PositiveSmallIntegerField(_("millésime"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    counts = models.JSONField(_("effectifs"), default=dict)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now=True)

    class Meta:
        verbose_name = _("millésime de l'annuaire")
        verbose_name_plural = _("millésimes de l'annuaire")
        ordering = ["-millesime"]

    def __str__(self):
        return str(self.millesime)


@functools.cache
def departement_names() -> dict[str, str]:
    """The départements' names by code (« 74 » → « Haute-Savoie »), from the shipped official
    data: read once per process (a département's name does not change with the millésime), and
    there even when no directory is loaded."""
    with lzma.open(SHIPPED_DIRECTORY / "departements.json.xz", "rt", encoding="utf-8") as handle:
        return {row["code"]: row["nom"] for row in json.load(handle)}
