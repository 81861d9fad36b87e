"""Validation of identifiers: slugs and schema names, SIREN, SIRET, INSEE and département
codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SCHEMA_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,62}$")
# Names PostgreSQL or the application keep for themselves, and host labels we may need later.
RESERVED_SCHEMA_NAMES = {
    "public",
    "information_schema",
    "template",
    "template0",
    "template1",
    "postgres",
    # The template every collectivité's schema is cloned from (settings.TENANT_BASE_SCHEMA).
    "modele_collectivite",
}
RESERVED_SLUGS = {"www", "api", "admin", "static", "media", "mail", "smtp", "ftp", "public"}
SIREN_RE = re.compile(r"^\d{9}$")
SIRET_RE = re.compile(r"^\d{14}$")
# La Poste's establishments (but its head office): their SIRET's check is the sum of its digits,
# a multiple of 5 (INSEE's rule), not Luhn's.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")


def validate_slug(value: str) -> None:
    if not 3 <= len(value) <= 63:
        raise ValidationError(
            _("L'identifiant doit compter entre 3 et 63 caractères."), code="slug_length"
        )
    if not SLUG_RE.match(value):
        raise ValidationError(
            _(
                "L'identifiant ne peut contenir que des lettres minuscules sans accent, des "
                "chiffres et des tirets simples, et doit commencer par une lettre "
                "(exemple : grand-annecy)."
            ),
            code="slug_format",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("L'identifiant « %(value)s » est réservé, choisissez-en un autre."),
            code="slug_reserved",
            params={"value": value},
        )
    validate_schema_name(schema_name_for_slug(value))


def schema_name_for_slug(slug: str) -> str:
    """The PostgreSQL schema of a collectivité, derived from its slug, never typed by anyone."""
    return slug.replace("-", "_")


def validate_schema_name(value: str) -> None:
    if not SCHEMA_NAME_RE.match(value):
        raise ValidationError(
            _("Nom de schéma invalide : « %(value)s »."),
            code="schema_format",
            params={"value": value},
        )
    if value in RESERVED_SCHEMA_NAMES or value.startswith("pg_"):
        raise ValidationError(
            _("Le nom « %(value)s » est réservé par la base de données."),
            code="schema_reserved",
            params={"value": value},
        )


def validate_siren(value: str) -> None:
    if not SIREN_RE.match(value):
        raise ValidationError(_("Le SIREN compte exactement 9 chiffres."), code="siren_format")
    if not _luhn_ok(value):
        raise ValidationError(
            _("Ce SIREN n'est pas valide (clé de contrôle incorrecte)."), code="siren_checksum"
        )


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """14 digits (spaces removed by the caller), the SIREN of its first 9 and the key of all 14
    right (Luhn's algorithm; La Poste's: the sum of the digits, a multiple of 5)."""
    if not SIRET_RE.match(value):
        raise ValidationError(
            _("Le SIRET compte exactement 14 chiffres (le SIREN et 5 chiffres d'établissement)."),
            code="siret_format",
        )
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        valid = sum(int(char) for char in value) % 5 == 0
    else:
        valid = _luhn_ok(value[:9]) and _luhn_ok(value)
    if not valid:
        raise ValidationError(
            _("Ce SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez ses chiffres."),
            code="siret_checksum",
        )


def validate_insee_code(value: str) -> None:
    if not INSEE_RE.match(value):
        raise ValidationError(
            _("Le code INSEE compte 5 caractères (exemple : 74010, ou 2A004 en Corse)."),
            code="insee_format",
        )


def validate_departement(value: str) -> None:
    if not DEPARTEMENT_RE.match(value):
        raise ValidationError(
            _("Code de département inconnu (exemples : 74, 2A, 974)."), code="departement_format"
        )
