import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists

from registry.models import Collectivite, Domain
from registry.services import collectivite_create, collectivite_update
from registry.validators import schema_name_for_slug, validate_siren, validate_slug


@pytest.mark.parametrize(
    "slug",
    [
        "public",
        "pg-catalog",
        "pg",
        "Grand-Annecy",
        "grand_annecy",
        "1commune",
        "a--b",
        "-abc",
        "abc-",
        "x" * 64,
        "ab",
        "information-schema",
        "www",
        "api",
        "grand annecy",
        "annecy;drop",
    ],
)
def test_bad_slugs_are_refused_with_a_message(slug):
    with pytest.raises(ValidationError) as error:
        validate_slug(slug)
    assert error.value.messages[0]


def test_information_schema_slug_is_refused_because_of_its_schema():
    with pytest.raises(ValidationError, match="réservé"):
        validate_slug("information-schema")


def test_schema_name_is_derived_from_the_slug():
    assert schema_name_for_slug("grand-annecy") == "grand_annecy"


def test_siren_checksum_is_verified():
    validate_siren("732829320")  # a valid Luhn SIREN
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siren("732829321")
    with pytest.raises(ValidationError, match="9 chiffres"):
        validate_siren("12345")


def test_create_collectivite_makes_schema_and_host(db):
    collectivite = collectivite_create(
        slug="thones", name="Commune de Thônes", kind="commune", population=6500, insee_code="74280"
    )
    assert collectivite.schema_name == "thones"
    assert schema_exists("thones")
    assert Domain.objects.get(tenant=collectivite).domain == "thones.localhost"
    assert collectivite.population_band == "3500-9999"


def test_create_refuses_a_bad_slug_naming_the_field(db):
    with pytest.raises(ValidationError) as error:
        collectivite_create(slug="Public", name="X", kind="commune")
    assert "slug" in error.value.message_dict
    assert not Collectivite.objects.filter(name="X").exists()


def test_create_refuses_an_unknown_kind_and_writes_nothing(db):
    with pytest.raises(ValidationError) as error:
        collectivite_create(slug="nouvelle", name="Nouvelle", kind="village")
    assert "kind" in error.value.message_dict
    assert not schema_exists("nouvelle")
    assert not Collectivite.objects.filter(slug="nouvelle").exists()


def test_create_refuses_a_taken_slug(db):
    with pytest.raises(ValidationError) as error:
        collectivite_create(slug="grand-annecy", name="Autre", kind="ca")
    assert "slug" in error.value.message_dict


def test_slug_cannot_be_changed(db, annecy):
    with pytest.raises(ValidationError) as error:
        collectivite_update(annecy, slug="annecy")
    assert "slug" in error.value.message_dict


def test_command_creates_a_collectivite(db, capsys):
    call_command(
        "create_collectivite",
        "saint-jorioz",
        "Commune de Saint-Jorioz",
        "--kind",
        "commune",
        "--insee",
        "74242",
        "--population",
        "6000",
    )
    assert "saint_jorioz" in capsys.readouterr().out
    assert Collectivite.objects.get(slug="saint-jorioz").insee_code == "74242"
    connection.set_schema_to_public()


def test_command_names_each_bad_field(db):
    with pytest.raises(CommandError) as error:
        call_command(
            "create_collectivite",
            "ok-slug",
            "Nom",
            "--kind",
            "village",
            "--siren",
            "123",
            "--insee",
            "7",
            "--departement",
            "99",
        )
    message = str(error.value)
    for field in ("kind", "siren", "insee_code", "departement"):
        assert f"{field} :" in message, message
    assert not Collectivite.objects.filter(slug="ok-slug").exists()


def test_command_refuses_a_reserved_slug(db):
    with pytest.raises(CommandError, match=r"slug : .*réservé"):
        call_command("create_collectivite", "www", "Nom", "--kind", "commune")


def test_updating_a_collectivite_updates_its_published_snapshots(db, annecy, client_for):
    from registry.models import BenchmarkEntry

    collectivite_update(annecy, population=210000, siren="200066793", kind="ca")
    entry = BenchmarkEntry.objects.get(collectivite=annecy)
    assert entry.population_band == ">=200000"
    assert entry.payload["collectivite"]["siren"] == "200066793"
    assert entry.payload["collectivite"]["population_band"] == ">=200000"
