"""The collectivité's site: its pages by role, and the step-by-step form of a use case."""

import re

import pytest
from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from registry.models import Term, Tool
from tests.factories import PublishedUseCaseFactory, next_public_id

TENANT_PAGES = ["/", "/cas-d-usage/{public_id}/", "/cas-d-usage/nouveau/",
                "/cas-d-usage/{public_id}/modifier/classification/"]  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "other", "curator", "reader", "contributor", "admin"])
def test_collectivite_pages_by_role(client_for, people, published_use_case, who):
    client = client_for("grand-annecy", None if who == "anonymous" else people[who])
    expected = {
        "anonymous": [302] * 4,
        "other": [404] * 4,
        "curator": [404] * 4,
        "reader": [200, 200, 403, 403],
        "contributor": [200] * 4,
        "admin": [200] * 4,
    }[who]
    for page, status in zip(TENANT_PAGES, expected, strict=True):
        path = page.format(public_id=published_use_case.public_id)
        assert client.get(path).status_code == status, (who, path)


def test_contributor_declares_a_use_case_step_by_step(client_for, people, annecy):
    public_id = next_public_id(annecy)
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
    assert created["Location"] == f"/cas-d-usage/{public_id}/modifier/classification/"
    mistral = Tool.objects.get(slug="mistral")
    domain = Term.objects.get(code="enfance-jeunesse-scolaire")
    step2 = client.post(f"/cas-d-usage/{public_id}/modifier/classification/", {
        "tools": [mistral.pk], "ai_family": "generalist", "domains": [domain.pk],
        "techniques": ["generative_text"], "automation_level": "information", "status": "pilot",
        "ai_act_risk": "limited", "personal_data": "no", "hosting": "saas_eu",
    })  # fmt: skip
    assert step2["Location"].endswith("/modifier/demarche/")
    step3 = client.post(f"/cas-d-usage/{public_id}/modifier/demarche/", {
        "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0",
        "steps-0-text": "Recenser les questions fréquentes", "steps-1-text": "Tester avec 20 familles",
        "steps-2-text": "",
    })  # fmt: skip
    assert step3["Location"].endswith("/modifier/resultats/")
    step5 = client.post(f"/cas-d-usage/{public_id}/modifier/visibilite/",
                        {"visibility": "public"})  # fmt: skip
    assert step5["Location"] == f"/cas-d-usage/{public_id}/"
    with tenant_context(annecy):
        use_case = UseCase.objects.get(public_id=public_id)
        assert list(use_case.steps.values_list("text", flat=True)) == [
            "Recenser les questions fréquentes",
            "Tester avec 20 familles",
        ]
        assert use_case.techniques == ["generative_text"] and use_case.visibility == "public"
        assert use_case.publication_state == "draft"
    detail = client.get(f"/cas-d-usage/{public_id}/").content.decode()
    assert "Soumettre au CDG74" in detail and "Complétude" in detail
    submitted = client.post(f"/cas-d-usage/{public_id}/submit/", {"message": "Prêt"},
                            follow=True)  # fmt: skip
    assert "Soumis au CDG74." in submitted.content.decode()
    with tenant_context(annecy):
        assert UseCase.objects.get(public_id=public_id).publication_state == "submitted"


def test_submitting_an_incomplete_draft_explains_what_is_missing(client_for, people, annecy):
    public_id = next_public_id(annecy)
    client = client_for("grand-annecy", people["contributor"])
    client.post("/cas-d-usage/nouveau/", {"title": "Idée", "summary": "À creuser."})
    client.post(f"/cas-d-usage/{public_id}/modifier/visibilite/", {"visibility": "public"})
    page = client.post(f"/cas-d-usage/{public_id}/submit/", {"message": "Svp"},
                       follow=True).content.decode()  # fmt: skip
    assert "famille d&#x27;IA : À renseigner avant de soumettre au CDG." in page
    assert "niveau d&#x27;automatisation : À renseigner avant de soumettre au CDG." in page
    assert "état d&#x27;avancement : À renseigner avant de soumettre au CDG." in page
    assert "données personnelles : À renseigner avant de soumettre au CDG." in page
    assert "Choisissez au moins un domaine avant de soumettre au CDG." in page
    with tenant_context(annecy):
        assert UseCase.objects.get(public_id=public_id).publication_state == "draft"


def test_reader_sees_no_action_and_cannot_post_one(client_for, people, annecy,
                                                   published_use_case):  # fmt: skip
    public_id = published_use_case.public_id
    # the admin sees the actions on this page: their absence for the reader means something
    admin_page = client_for("grand-annecy", people["admin"]).get(f"/cas-d-usage/{public_id}/")
    assert "Archiver" in admin_page.content.decode() and "Modifier" in admin_page.content.decode()
    client = client_for("grand-annecy", people["reader"])
    page = client.get(f"/cas-d-usage/{public_id}/").content.decode()
    assert "Archiver" not in page and "Modifier" not in page
    response = client.post(f"/cas-d-usage/{public_id}/archive/", {}, follow=True)
    assert "Action refusée" in response.content.decode()
    with tenant_context(annecy):
        assert UseCase.objects.get(public_id=public_id).publication_state == "published"


def test_admin_archives_from_the_page(client_for, people, annecy, published_use_case):
    public_id = published_use_case.public_id
    explorer = "/cas-d-usage/?collectivite=grand-annecy"
    assert public_id in client_for(None).get(explorer).content.decode()
    client = client_for("grand-annecy", people["admin"])
    response = client.post(f"/cas-d-usage/{public_id}/archive/", {}, follow=True)
    assert "Archivé." in response.content.decode()
    assert public_id not in client_for(None).get(explorer).content.decode()
    with tenant_context(annecy):
        assert UseCase.objects.get(public_id=public_id).publication_state == "archived"


def test_the_web_form_keeps_what_it_does_not_show(
    client_for, api_for, people, annecy, published_use_case
):
    public_id = published_use_case.public_id
    client = api_for("grand-annecy", people["contributor"])
    client.patch(f"/api/v1/use-cases/{public_id}/", {
        "metrics": [{"name": "Temps gagné", "value": "2", "method": "Chronométrage sur 10 actes"}],
    }, format="json")  # fmt: skip
    web = client_for("grand-annecy", people["contributor"])
    page = web.get(f"/cas-d-usage/{public_id}/modifier/resultats/")
    form_data = {}
    for formset in page.context["formsets"].values():
        form_data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        for index, subform in enumerate(formset.forms):
            for name, field in subform.fields.items():
                value = subform.initial.get(name, field.initial)
                if value not in (None, ""):
                    form_data[f"{formset.prefix}-{index}-{name}"] = getattr(value, "pk", value)
    assert web.post(f"/cas-d-usage/{public_id}/modifier/resultats/", form_data).status_code == 302
    with tenant_context(annecy):
        metric = UseCase.objects.get(public_id=public_id).metrics.get()
    assert metric.method == "Chronométrage sur 10 actes"


def test_the_web_form_keeps_a_deprecated_tool_already_linked(client_for, people, annecy):
    linked = PublishedUseCaseFactory(collectivite=annecy, tool_slugs=["lexisnexis"])
    lexis = Tool.objects.get(slug="lexisnexis")
    lexis.deprecated = True
    lexis.save()
    page = client_for("grand-annecy", people["contributor"]).get(
        f"/cas-d-usage/{linked.public_id}/modifier/classification/"
    )
    assert re.search(rf'name="tools" value="{lexis.pk}"[^>]*checked', page.content.decode())


def test_a_started_row_without_its_main_field_is_an_error_not_a_silent_loss(
    client_for, people, published_use_case
):
    public_id = published_use_case.public_id
    client = client_for("grand-annecy", people["contributor"])
    url = f"/cas-d-usage/{public_id}/modifier/resultats/"
    data = {}
    for prefix in ("lessons", "metrics", "risks", "costs", "impact_assessments"):
        data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"})
    data.update({"metrics-0-value": "12", "costs-0-amount": "5000",
                 "lessons-0-category": "other", "lessons-0-polarity": "recommendation",
                 "impact_assessments-0-status": "done"})  # fmt: skip
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nommez l&#x27;indicateur" in html and "Choisissez la nature de ce coût" in html
    assert 'role="alert"' in html and "(erreurs)" in html
