"""Claiming (issue 13): the administrators of a collectivité see the public sources' records that
the directory matched to it, take one into their space as a draft (pre-filled, provenance kept),
complete and submit it; once published, their case replaces the record in the benchmark (API,
explorer, the record's page) in the publication's transaction, and links back to its source.
A contributor cannot claim; another collectivité neither sees nor claims the record."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import tenant_context

from casestudies.models import UseCase, UseCaseEvent
from casestudies.services import usecase_approve, usecase_claim, usecase_submit, usecase_update
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, MappingProfile, SourceRecord
from tests.registry.test_mapping import ROWS, french_csv, load_directory, run_import, save_profile

pytestmark = pytest.mark.django_db

LIST = "/sources-publiques/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def imported(db, annecy, people) -> SourceRecord:
    """The French list imported: its row 2 is the Grand Annecy's, matched by its SIRET."""
    load_directory(annecy)
    profile = save_profile(people["curator"])
    run_import(profile)
    record = SourceRecord.objects.get(source=profile.source, original_id="1")
    assert record.directory_entry.key == "epci:200066793"
    return record


def _claim_url(record) -> str:
    return f"{LIST}{record.pk}/reprendre/"


def test_the_admins_of_the_matched_collectivite_see_its_records(client_for, people, imported):
    response = client_for("grand-annecy", people["admin"]).get(LIST)
    assert response.status_code == 200
    text = _text(response)
    assert "Tri des courriers entrants" in text and "Réseau IA Savoie" in text
    assert "rapprochée de votre collectivité (règle : SIRET, confiance 100 %)" in text
    # The Annecy commune's record (matched to the commune, not the agglomeration) is not its.
    assert "Analyse des demandes de subvention" not in text
    home = _text(client_for("grand-annecy", people["admin"]).get("/"))
    assert "Une fiche d'une source publique parle d'un projet de votre collectivité." in home


@pytest.mark.parametrize(("who", "status"), [("reader", 403), ("contributor", 403)])
def test_readers_and_contributors_neither_see_nor_claim(client_for, people, imported, who, status):
    client = client_for("grand-annecy", people[who])
    assert client.get(LIST).status_code == status
    assert client.get(_claim_url(imported)).status_code == status
    assert client.post(_claim_url(imported)).status_code == status
    assert "Tri des courriers" not in _text(client.get("/"))
    imported.refresh_from_db()
    assert imported.claimed_by is None


def test_another_collectivite_neither_sees_nor_claims_it(client_for, people, imported, cdg74):
    other = people["other"]  # an administrator of the CDG74
    # On the Grand Annecy's site: not a member, nothing revealed.
    assert client_for("grand-annecy", other).get(LIST).status_code == 404
    assert client_for("grand-annecy", other).post(_claim_url(imported)).status_code == 404
    # On its own site: the record is not its (the directory matched it elsewhere).
    own = client_for("cdg74", other)
    assert "Tri des courriers" not in _text(own.get(LIST))
    assert own.get(_claim_url(imported)).status_code == 404
    assert own.post(_claim_url(imported)).status_code == 404
    with tenant_context(cdg74), pytest.raises(PermissionDenied):
        usecase_claim(record=imported, actor=other)
    imported.refresh_from_db()
    assert imported.claimed_by is None
    with tenant_context(cdg74):
        assert not UseCase.objects.filter(claimed_from="RIAS-1").exists()


def test_the_service_refuses_a_contributor(people, imported, annecy):
    with tenant_context(annecy), pytest.raises(PermissionDenied, match="administrateurs"):
        usecase_claim(record=imported, actor=people["contributor"])


def test_an_admin_claims_completes_and_publishes_and_the_case_replaces_the_record(
    client_for, api_for, people, imported, annecy
):
    admin = client_for("grand-annecy", people["admin"])
    page = _text(admin.get(_claim_url(imported)))
    assert "Ce qui sera pré-rempli" in page and "Licence Ouverte 2.0" in page
    assert "mars 2023" in page and "1er mars 2023" not in page  # known to the month
    response = admin.post(_claim_url(imported))
    imported.refresh_from_db()
    assert imported.claimed_by == annecy and imported.claimed_at is not None
    public_id = imported.claimed_public_id
    assert response.status_code == 302 and response["Location"] == f"/cas-d-usage/{public_id}/"
    with tenant_context(annecy):
        use_case = UseCase.objects.get(public_id=public_id)
        assert use_case.publication_state == "draft"
        assert use_case.title == "Tri des courriers entrants"
        assert use_case.summary == ROWS[0][6]
        assert use_case.status == "production"
        assert use_case.started_on.isoformat() == "2023-03-01"
        assert sorted(use_case.domains.values_list("code", flat=True)) == [
            "environnement",
            "mobilite",
        ]
        assert use_case.context == "Partenaires : Université Savoie Mont Blanc"
        assert use_case.claimed_from == "RIAS-1"
        assert use_case.external_ref == "reseau-ia-savoie:1"
        assert "Réseau IA Savoie, liste des projets 2025" in use_case.source
        assert "Licence Ouverte 2.0" in use_case.source
        assert UseCaseEvent.objects.filter(use_case=use_case, action="claimed").exists()
    detail = _text(admin.get(response["Location"]))
    assert "Reprise d'une source publique" in detail
    assert "Une fois publiée, elle le remplacera dans le registre commun." in detail
    # Until it is published, the record stays in the benchmark.
    assert BenchmarkEntry.objects.filter(public_id="RIAS-1", origin="public_source").exists()
    # A second claim (a second tab) finds the draft.
    again = admin.post(_claim_url(imported))
    assert again["Location"] == f"/cas-d-usage/{public_id}/"
    with tenant_context(annecy):
        assert UseCase.objects.filter(claimed_from="RIAS-1").count() == 1

    # Completed, submitted by the admin, approved by a curator.
    with tenant_context(annecy):
        use_case = usecase_update(
            use_case=use_case,
            actor=people["admin"],
            ai_family="business",
            automation_level="recommendation",
            personal_data="yes",
        )
        usecase_submit(use_case=use_case, actor=people["admin"], message="Notre fiche complète.")
        assert BenchmarkEntry.objects.filter(public_id="RIAS-1").exists()
        usecase_approve(use_case=use_case, actor=people["curator"])

    # The record left the benchmark in the same transaction; the declared case links back.
    assert not BenchmarkEntry.objects.filter(public_id="RIAS-1").exists()
    imported.refresh_from_db()
    assert imported.superseded_at is not None
    event = BenchmarkEntryEvent.objects.get(public_id="RIAS-1", action="superseded")
    assert event.changes == {"superseded_by": {"before": "", "after": public_id}}
    declared = BenchmarkEntry.objects.get(public_id=public_id)
    assert declared.origin == "declared" and declared.payload["claimed_from"] == "RIAS-1"

    api = api_for(None)
    listed = api.get("/api/v1/benchmark/use-cases/", {"page_size": 100}).json()["results"]
    ids = {item["public_id"]: item for item in listed}
    assert "RIAS-1" not in ids and ids[public_id]["claimed_from"] == "RIAS-1"
    sources = api.get("/api/v1/benchmark/use-cases/", {"origin": "public_source"}).json()
    assert "RIAS-1" not in {item["public_id"] for item in sources["results"]}
    assert sources["count"] == 1  # the other record of the list (row 4)

    visitor = client_for(None)
    explorer = _text(visitor.get("/cas-d-usage/", {"origin": "public_source"}))
    assert "RIAS-1" not in explorer and "Analyse des demandes de subvention" in explorer
    assert "Tri des courriers entrants" in _text(visitor.get("/cas-d-usage/", {"q": "courriers"}))
    # The record's old page is the declared case's now.
    moved = visitor.get("/cas-d-usage/RIAS-1/")
    assert moved.status_code == 301 and moved["Location"] == f"/cas-d-usage/{public_id}/"
    page = _text(visitor.get(moved["Location"]))
    assert "Reprise d'une source publique" in page
    assert "Cette fiche reprend et complète l'enregistrement « 1 » de Réseau IA Savoie" in page
    assert "Depuis sa publication, elle le remplace dans le registre commun." in page

    # A new edition of the list keeps the record up to date, never its entry.
    rows = [list(row) for row in ROWS]
    rows[0][6] = "Un outil lit les courriers, propose le service destinataire et le délai."
    run = run_import(MappingProfile.objects.get(), french_csv(rows))
    assert run.counts["updated"] == 1
    imported.refresh_from_db()
    assert imported.raw["Description"] == rows[0][6]
    assert not BenchmarkEntry.objects.filter(source_record=imported).exists()
    assert not BenchmarkEntry.objects.filter(public_id="RIAS-1").exists()
    # Nothing left to claim on the collectivité's list; the taken one points to its case.
    text = _text(admin.get(LIST))
    assert "Aucune fiche d'une source publique" in text
