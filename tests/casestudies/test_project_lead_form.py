"""The project lead's form (issue 11): nothing typed is lost without a word, French labels for
empty choices and for the history, a stopped project says why."""

import pytest
from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from registry.models import Tool
from tests.casestudies.test_api_usecases import BASE
from tests.factories import DraftUseCaseFactory


def test_title_and_summary_have_a_counter_not_a_truncating_maxlength(client_for, people):
    html = client_for("grand-annecy", people["contributor"]).get("/cas-d-usage/nouveau/")
    html = html.content.decode()
    assert " maxlength=" not in html
    assert 'data-maxlength="120"' in html and 'data-maxlength="400"' in html
    assert "js/usecase-form.js" in html


def test_a_title_over_the_limit_is_a_french_error_and_keeps_what_was_typed(client_for, people):
    client = client_for("grand-annecy", people["contributor"])
    title = "Un titre bien trop long " * 6
    response = client.post("/cas-d-usage/nouveau/", {"title": title, "summary": "Résumé"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "au plus 120 caractères" in html
    assert title.strip() in html  # what was typed comes back whole, to be shortened by the person
    assert 'id="erreurs" tabindex="-1"' in html


def test_a_step_with_only_its_phase_is_an_error_not_dropped(client_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    client = client_for("grand-annecy", people["contributor"])
    with tenant_context(annecy):
        before = list(use_case.steps.values_list("text", flat=True))
    response = client.post(f"/cas-d-usage/{use_case.public_id}/modifier/demarche/", {
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
        "steps-0-text": "Former les agents", "steps-1-phase": "planning",
    })  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Décrivez l&#x27;étape, ou videz la ligne." in html
    assert 'value="Former les agents"' in html  # the good row is kept on the page
    with tenant_context(annecy):
        assert list(use_case.steps.values_list("text", flat=True)) == before


def test_empty_choices_read_choisir_and_long_lists_are_filterable_checkboxes(
    client_for, people, annecy
):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    client = client_for("grand-annecy", people["contributor"])
    html = client.get(f"/cas-d-usage/{use_case.public_id}/modifier/classification/")
    html = html.content.decode()
    assert "---------" not in html
    assert "Choisir…" in html
    assert '<select name="partner_collectivites"' not in html
    assert 'type="checkbox" name="partner_collectivites"' in html
    assert html.count('class="field filterable"') == 3  # tools, domains, partners
    steps = client.get(f"/cas-d-usage/{use_case.public_id}/modifier/demarche/").content.decode()
    assert "Ajouter une ligne" in steps and "<template>" in steps
    assert "steps-__prefix__-text" in steps
    assert "(obligatoire)" not in steps.split('<fieldset class="formset"')[1]


@pytest.mark.parametrize("status", ["retired", "abandoned"])
def test_a_stopped_project_requires_its_reason_in_the_api_and_the_form(
    api_for, client_for, people, annecy, status
):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    api = api_for("grand-annecy", people["contributor"])
    url = f"{BASE}{use_case.public_id}/"
    refused = api.patch(url, {"status": status}, format="json")
    assert refused.status_code == 400
    assert "motif d'arrêt" in refused.json()["status_reason"][0]
    with tenant_context(annecy):
        assert UseCase.objects.get(pk=use_case.pk).status == use_case.status
    accepted = api.patch(url, {"status": status, "status_reason": "cost"}, format="json")
    assert accepted.status_code == 200


def test_the_history_speaks_french(client_for, api_for, people, annecy):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    api = api_for("grand-annecy", people["contributor"])
    api.patch(f"{BASE}{use_case.public_id}/", {"title": "Nouveau titre", "status": "production"},
              format="json")  # fmt: skip
    html = (
        client_for("grand-annecy", people["contributor"])
        .get(f"/cas-d-usage/{use_case.public_id}/")
        .content.decode()
    )
    assert "Création de la fiche" in html and "Modification" in html
    assert "Champs modifiés : titre" in html
    assert ">created<" not in html and ">updated<" not in html
    history = api.get(f"{BASE}{use_case.public_id}/history/").json()
    assert {row["action_label"] for row in history} >= {"Création de la fiche", "Modification"}


def test_the_lists_offer_neither_the_collectivite_itself_nor_a_retired_tool(
    client_for, people, annecy
):
    """The form narrows the lists after building them: « Choisir… » must not freeze them first
    (a partner of itself is refused on saving; a deprecated tool may not be newly linked)."""
    Tool.objects.filter(slug="gemini").update(deprecated=True)
    use_case = DraftUseCaseFactory(collectivite=annecy)
    client = client_for("grand-annecy", people["contributor"])
    form = client.get(f"/cas-d-usage/{use_case.public_id}/modifier/classification/").context["form"]
    partners = [str(label) for _value, label in form.fields["partner_collectivites"].widget.choices]
    assert annecy.name not in partners and "Commune de Fillière" in partners
    tools = [str(label) for _value, label in form.fields["tools"].widget.choices]
    assert "Gemini" not in tools and "Mistral" in tools
