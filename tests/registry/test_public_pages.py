"""Server-rendered pages: what each visitor sees, forms and their French errors."""

import re

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from casestudies.services import usecase_approve, usecase_create, usecase_submit
from registry.models import Term, Tool

PUBLIC_PAGES = ["/", "/cas-d-usage/", "/cas-d-usage/74-CDG74-0001/", "/collectivites/",
                "/collectivites/cdg74/", "/outils/", "/outils/delibia/", "/tableau-de-bord/",
                "/mentions-legales/", "/accessibilite/", "/donnees-personnelles/", "/licence/",
                "/compte/connexion/", "/compte/mot-de-passe/oubli/"]  # fmt: skip


def _publish(collectivite, **values):
    with tenant_context(collectivite):
        use_case = usecase_create(actor=None, **{
            "summary": "Un cas de test publié.", "ai_family": "generalist",
            "automation_level": "assistance", "status": "pilot", "personal_data": "no",
            "domains": list(Term.objects.filter(code="juridique")), "visibility": "public",
            **values,
        })  # fmt: skip
        usecase_submit(use_case=use_case, actor=None, message="Test")
        usecase_approve(use_case=use_case, actor=None)
        return use_case.public_id


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_french_and_load_nothing_from_outside(client_for, path):
    response = client_for(None).get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert re.search(r"<title>[^<]+— Registre IA des collectivités</title>", html)
    assert 'href="#contenu"' in html  # skip link
    loads = re.findall(
        r"""<(?:script|img|link|iframe)[^>]+(?:src|href)=["']((?:https?:)?//[^"']+)""", html
    )
    assert loads == [], loads


def test_explorer_filters_live_in_the_url_and_count(client_for):
    client = client_for(None)
    html = client.get("/cas-d-usage/?status=idea&status=design").content.decode()
    assert "3 cas d&#x27;usage" in html or "3 cas d'usage" in html
    assert "Initiation d&#x27;une dynamique intercommunale" in html
    assert "Modernisation de la gestion des arrêtés de carrière" not in html
    assert 'value="idea" checked' in html
    assert "/api/v1/benchmark/export.csv?status=idea&amp;status=design" in html


def test_explorer_search_is_accent_insensitive(client_for):
    html = client_for(None).get("/cas-d-usage/?q=arretes+de+carriere").content.decode()
    assert "Modernisation de la gestion des arrêtés de carrière" in html
    assert "1 cas d" in html


def test_explorer_paginates(client_for, annecy):
    for index in range(21):
        _publish(annecy, title=f"Cas numéro {index}")
    client = client_for(None)
    first = client.get("/cas-d-usage/").content.decode()
    assert "Page 1 sur 2" in first and "page=2" in first
    assert "Page 2 sur 2" in client.get("/cas-d-usage/?page=2").content.decode()


def test_explorer_explains_a_bad_address(client_for):
    response = client_for(None).get("/cas-d-usage/?status=termine")
    assert response.status_code == 400
    assert "valeurs inconnues" in response.content.decode()


def test_network_use_cases_show_to_members_only(client_for, people, cdg74):
    public_id = _publish(cdg74, title="Cas réservé au réseau", visibility="network")
    assert client_for(None).get(f"/cas-d-usage/{public_id}/").status_code == 404
    assert "Cas réservé au réseau" not in client_for(None).get("/cas-d-usage/").content.decode()
    for who in ("reader", "curator"):
        response = client_for(None, people[who]).get(f"/cas-d-usage/{public_id}/")
        assert response.status_code == 200, who


def test_use_case_page_shows_steps_tools_and_similar_cases_peers_first(client_for, annecy, cdg74):
    same_kind = _publish(annecy, title="Autre cas juridique d'agglomération")
    other_kind = _publish(cdg74, title="Cas juridique d'un centre de gestion")
    html = client_for(None).get("/cas-d-usage/74-GRAND-ANNECY-0001/").content.decode()
    assert 'href="/outils/lexisnexis/"' in html
    similar = html[html.index('id="similaires"') :]
    assert similar.index(same_kind) < similar.index(other_kind)
    steps = client_for(None).get("/cas-d-usage/74-CDG74-0001/").content.decode()
    assert steps.index("Formation des agents") < steps.index("Création du circuit de contrôle")


def test_tool_page_lists_who_uses_it_and_at_what_stage(client_for):
    html = client_for(None).get("/outils/delibia/").content.decode()
    assert "Collectivité expérimentant l&#x27;outil" in html
    assert "Expérimentation" in html


def test_dashboard_has_a_table_for_every_chart(client_for):
    html = client_for(None).get("/tableau-de-bord/").content.decode()
    assert html.count("<canvas") == 3
    assert html.count("<table") == 3
    assert 'id="chart-data" type="application/json"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html


def test_password_reset_sends_a_link_that_works(client_for, people):
    client = client_for(None)
    response = client.post("/compte/mot-de-passe/oubli/", {"email": "lecteur@annecy.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^\s]+/compte/mot-de-passe/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("localhost", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    final = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "Un-nouveau-mot-de-passe-74", "new_password2": "Un-nouveau-mot-de-passe-74",
    })  # fmt: skip
    assert final.status_code == 302
    people["reader"].refresh_from_db()
    assert people["reader"].check_password("Un-nouveau-mot-de-passe-74")


# --- the collectivité's site --------------------------------------------------------------------

TENANT_PAGES = ["/", "/cas-d-usage/74-GRAND-ANNECY-0001/", "/cas-d-usage/nouveau/",
                "/cas-d-usage/74-GRAND-ANNECY-0001/modifier/classification/"]  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "other", "curator", "reader", "contributor", "admin"])
def test_collectivite_pages_by_role(client_for, people, who):
    client = client_for("grand-annecy", None if who == "anonymous" else people[who])
    expected = {
        "anonymous": [302] * 4,
        "other": [404] * 4,
        "curator": [404] * 4,
        "reader": [200, 200, 403, 403],
        "contributor": [200] * 4,
        "admin": [200] * 4,
    }[who]
    for path, status in zip(TENANT_PAGES, expected, strict=True):
        assert client.get(path).status_code == status, (who, path)


def test_contributor_declares_a_use_case_step_by_step(client_for, people, annecy):
    client = client_for("grand-annecy", people["contributor"])
    error = client.post("/cas-d-usage/nouveau/", {"title": "", "summary": "Résumé"})
    html = error.content.decode()
    assert error.status_code == 200
    assert 'id="id_title-error"' in html and "Ce champ est obligatoire." in html
    assert 'aria-describedby="id_title-help id_title-error"' in html
    assert 'aria-invalid="true"' in html
    created = client.post("/cas-d-usage/nouveau/", {
        "title": "Chatbot des inscriptions scolaires",
        "summary": "Un assistant répond aux familles sur les inscriptions.",
    })  # fmt: skip
    assert created.status_code == 302
    assert created["Location"] == "/cas-d-usage/74-GRAND-ANNECY-0002/modifier/classification/"
    mistral = Tool.objects.get(slug="mistral")
    domain = Term.objects.get(code="enfance-jeunesse-scolaire")
    step2 = client.post("/cas-d-usage/74-GRAND-ANNECY-0002/modifier/classification/", {
        "tools": [mistral.pk], "ai_family": "generalist", "domains": [domain.pk],
        "techniques": ["generative_text"], "automation_level": "information", "status": "pilot",
        "ai_act_risk": "limited", "personal_data": "no", "hosting": "saas_eu",
    })  # fmt: skip
    assert step2["Location"].endswith("/modifier/demarche/")
    step3 = client.post("/cas-d-usage/74-GRAND-ANNECY-0002/modifier/demarche/", {
        "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0",
        "steps-0-text": "Recenser les questions fréquentes", "steps-1-text": "Tester avec 20 familles",
        "steps-2-text": "",
    })  # fmt: skip
    assert step3["Location"].endswith("/modifier/resultats/")
    step5 = client.post("/cas-d-usage/74-GRAND-ANNECY-0002/modifier/visibilite/",
                        {"visibility": "public"})  # fmt: skip
    assert step5["Location"] == "/cas-d-usage/74-GRAND-ANNECY-0002/"
    with tenant_context(annecy):
        use_case = UseCase.objects.get(public_id="74-GRAND-ANNECY-0002")
        assert list(use_case.steps.values_list("text", flat=True)) == [
            "Recenser les questions fréquentes",
            "Tester avec 20 familles",
        ]
        assert use_case.techniques == ["generative_text"] and use_case.visibility == "public"
        assert use_case.publication_state == "draft"
    detail = client.get("/cas-d-usage/74-GRAND-ANNECY-0002/").content.decode()
    assert "Soumettre au CDG74" in detail and "Complétude" in detail
    submitted = client.post("/cas-d-usage/74-GRAND-ANNECY-0002/submit/", {"message": "Prêt"},
                            follow=True)  # fmt: skip
    assert "Soumis au CDG74." in submitted.content.decode()
    with tenant_context(annecy):
        assert (
            UseCase.objects.get(public_id="74-GRAND-ANNECY-0002").publication_state == "submitted"
        )


def test_submitting_an_incomplete_draft_explains_what_is_missing(client_for, people):
    client = client_for("grand-annecy", people["contributor"])
    client.post("/cas-d-usage/nouveau/", {"title": "Idée", "summary": "À creuser."})
    client.post("/cas-d-usage/74-GRAND-ANNECY-0002/modifier/visibilite/", {"visibility": "public"})
    page = client.post("/cas-d-usage/74-GRAND-ANNECY-0002/submit/", {"message": "Svp"},
                       follow=True).content.decode()  # fmt: skip
    assert "famille d&#x27;IA : À renseigner avant de soumettre au CDG." in page
    assert "Domaines" in page or "domains" in page


def test_reader_sees_no_action_and_cannot_post_one(client_for, people, annecy):
    client = client_for("grand-annecy", people["reader"])
    page = client.get("/cas-d-usage/74-GRAND-ANNECY-0001/").content.decode()
    assert "Archiver" not in page and "Modifier" not in page
    response = client.post("/cas-d-usage/74-GRAND-ANNECY-0001/archive/", {}, follow=True)
    assert "Action refusée" in response.content.decode()
    with tenant_context(annecy):
        assert (
            UseCase.objects.get(public_id="74-GRAND-ANNECY-0001").publication_state == "published"
        )


def test_admin_archives_from_the_page(client_for, people, annecy):
    client = client_for("grand-annecy", people["admin"])
    response = client.post("/cas-d-usage/74-GRAND-ANNECY-0001/archive/", {}, follow=True)
    assert "Archivé." in response.content.decode()
    assert "74-GRAND-ANNECY-0001" not in client_for(None).get("/cas-d-usage/").content.decode()


def test_a_visitor_can_switch_to_english_and_back(client_for):
    client = client_for(None)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cas-d-usage/"})
    assert response.status_code == 302 and response["Location"] == "/cas-d-usage/"
    html = client.get("/cas-d-usage/").content.decode()
    assert '<html lang="en"' in html
    assert "Se connecter" not in html
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr"' in client.get("/").content.decode()
