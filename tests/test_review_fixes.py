"""Defects found in review, each pinned by a test."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.test import override_settings
from django_tenants.utils import tenant_context

from accounts.models import User
from casestudies.models import UseCase
from registry.models import Tool

QUEUE = "/api/v1/benchmark/review-queue/"


def test_a_curator_cannot_take_over_an_operator_account(client_for, people, make_user):
    operator = make_user("ops@plateforme.test", superuser=True)
    client = client_for(None, people["curator"])
    page = client.get(f"/admin/accounts/user/{operator.pk}/change/").content.decode()
    assert 'name="email"' not in page  # read-only for a curator
    response = client.post(f"/admin/accounts/user/{operator.pk}/password/",
                           {"password1": "Taken-over-4242", "password2": "Taken-over-4242"})  # fmt: skip
    assert response.status_code == 403
    operator.refresh_from_db()
    assert not operator.check_password("Taken-over-4242")
    assert client.get(f"/admin/accounts/user/{people['reader'].pk}/delete/").status_code == 403


def test_a_curator_cannot_make_a_cdg_account_member_of_a_collectivite(client_for, people, annecy):
    client = client_for(None, people["curator"])
    response = client.post("/admin/accounts/membership/add/", {
        "user": people["curator"].pk, "collectivite": annecy.pk, "role": "admin",
    })  # fmt: skip
    assert response.status_code == 200  # the form refuses the choice
    assert not people["curator"].memberships.exists()


@pytest.mark.parametrize("path", ["/admin/registry/tool/{tool}/delete/",
                                  "/admin/registry/term/{term}/delete/"])  # fmt: skip
def test_catalogue_entries_linked_from_schemas_cannot_be_deleted(client_for, people, path):
    from registry.models import Term

    url = path.format(tool=Tool.objects.first().pk, term=Term.objects.first().pk)
    assert client_for(None, people["curator"]).get(url).status_code == 403


def test_knowledge_entries_cannot_be_deleted_through_the_api(api_for, people):
    response = api_for(None, people["curator"]).delete("/api/v1/knowledge/risks/bias_halo/")
    assert response.status_code == 405


def test_the_collectivite_admin_writes_no_shared_log_and_shows_its_own_history(client_for, people,
                                                                              annecy):  # fmt: skip
    client = client_for("grand-annecy", people["admin"])
    with tenant_context(annecy):
        pk = UseCase.objects.get().pk
    before = LogEntry.objects.count()
    response = client.get(f"/admin/casestudies/usecase/{pk}/history/")
    assert response.status_code == 302
    assert response["Location"] == "/cas-d-usage/74-GRAND-ANNECY-0001/#historique"
    client.post(f"/admin/casestudies/usecase/{pk}/change/", {})  # invalid, but no log either
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize("query", ["domain=zzz", "tool=abc", "tool=9223372036854775808",
                                   "domain=%00", "collectivite=%00", "departement=%00"])  # fmt: skip
def test_bad_filters_are_400_on_the_explorer_and_the_api(client_for, api_for, query):
    assert client_for(None).get(f"/cas-d-usage/?{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/use-cases/?{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/stats/?by=status&{query}").status_code == 400
    assert api_for(None).get(f"/api/v1/benchmark/export.csv?{query}").status_code == 400


def test_a_nul_character_in_a_search_is_harmless(client_for):
    assert client_for(None).get("/connaissances/recherche/?q=a%00b").status_code == 200


@override_settings(EMAIL_BACKEND="tests.failing_email.EmailBackend")
def test_an_unreachable_mail_server_does_not_undo_or_break_a_transition(
    api_for, people, annecy, django_capture_on_commit_callbacks
):
    client = api_for("grand-annecy", people["admin"])
    client.patch("/api/v1/use-cases/74-GRAND-ANNECY-0001/", {"purpose": "Veille"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/use-cases/74-GRAND-ANNECY-0001/submit/",
                               {"message": "Svp"}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["publication_state"] == "submitted"


def test_exported_text_never_runs_as_a_formula(api_for, people, annecy):
    client = api_for("grand-annecy", people["admin"])
    client.patch("/api/v1/use-cases/74-GRAND-ANNECY-0001/",
                 {"summary": '=HYPERLINK("http://evil.example","clic")'}, format="json")  # fmt: skip
    client.post("/api/v1/use-cases/74-GRAND-ANNECY-0001/submit/", {"message": "x"}, format="json")
    api_for(None, people["curator"]).post(f"{QUEUE}74-GRAND-ANNECY-0001/approve/", {},
                                          format="json")  # fmt: skip
    raw = api_for(None).get("/api/v1/benchmark/export.csv?collectivite=grand-annecy").content
    row = next(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert row["summary"].startswith("'=")
    from openpyxl import load_workbook

    xlsx = api_for(None).get("/api/v1/benchmark/export.xlsx?collectivite=grand-annecy").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("summary") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_the_web_form_keeps_what_it_does_not_show(client_for, api_for, people, annecy):
    client = api_for("grand-annecy", people["contributor"])
    client.patch("/api/v1/use-cases/74-GRAND-ANNECY-0001/", {
        "metrics": [{"name": "Temps gagné", "value": "2", "method": "Chronométrage sur 10 actes"}],
    }, format="json")  # fmt: skip
    web = client_for("grand-annecy", people["contributor"])
    page = web.get("/cas-d-usage/74-GRAND-ANNECY-0001/modifier/resultats/")
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
    assert (
        web.post("/cas-d-usage/74-GRAND-ANNECY-0001/modifier/resultats/", form_data).status_code
        == 302
    )
    with tenant_context(annecy):
        metric = UseCase.objects.get().metrics.get()
    assert metric.method == "Chronométrage sur 10 actes"


def test_the_web_form_keeps_a_deprecated_tool_already_linked(client_for, people, annecy):
    lexis = Tool.objects.get(slug="lexisnexis")
    lexis.deprecated = True
    lexis.save()
    page = client_for("grand-annecy", people["contributor"]).get(
        "/cas-d-usage/74-GRAND-ANNECY-0001/modifier/classification/"
    )
    import re

    assert re.search(rf'name="tools" value="{lexis.pk}"[^>]*checked', page.content.decode())


def test_quality_flag_filter_in_the_benchmark_admin(client_for, people):
    client = client_for(None, people["curator"])
    assert client.get("/admin/registry/benchmarkentry/?quality_flag=incomplete").status_code == 200
    assert client.get("/admin/registry/benchmarkentry/?quality_flags=%5B%5D").status_code == 400


def test_a_huge_csv_field_is_a_clear_import_error(annecy):
    from casestudies.imports import ImportFileError, read_rows

    with pytest.raises(ImportFileError, match="illisible"):
        read_rows(("title;summary\n" + "x" * 200_000 + ";y\n").encode(), "big.csv")


def test_repeated_failed_sign_ins_pause_the_account_on_that_address(client_for, people):
    client = client_for("grand-annecy")
    for _attempt in range(10):
        client.post("/compte/connexion/", {"username": "lecteur@annecy.test", "password": "non"})
    from tests.conftest import PASSWORD

    response = client.post("/compte/connexion/", {"username": "lecteur@annecy.test",
                                                   "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert User.objects.get(email="lecteur@annecy.test").last_login is None


def test_a_started_row_without_its_main_field_is_an_error_not_a_silent_loss(client_for, people):
    client = client_for("grand-annecy", people["contributor"])
    url = "/cas-d-usage/74-GRAND-ANNECY-0001/modifier/resultats/"
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


def test_a_malformed_token_is_a_401_not_a_500(api_for):
    client = api_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token \x00abc")
    assert client.get("/api/v1/benchmark/use-cases/").status_code == 401


def test_the_home_page_counts_a_new_collectivite_at_once(client_for, db):
    from registry.services import collectivite_create

    assert "<strong>7</strong>" in client_for(None).get("/").content.decode()
    collectivite_create(slug="thones", name="Commune de Thônes", kind="commune")
    assert "<strong>8</strong>" in client_for(None).get("/").content.decode()


@pytest.mark.parametrize("path", ["/api/v1/benchmark/use-cases/NOPE/",
                                  "/api/v1/benchmark/review-queue/nope/"])  # fmt: skip
def test_unknown_ids_on_the_api_are_json_404s(api_for, people, path):
    response = api_for(None, people["curator"]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_maturity_answer_that_is_not_a_score_is_called_invalid(client_for, people):
    from knowledge.models import MaturityQuestion

    data = {code: "2" for code in MaturityQuestion.objects.values_list("code", flat=True)}
    first = next(iter(data))
    data[first] = "abc"
    html = (
        client_for("grand-annecy", people["contributor"]).post("/maturite/", data).content.decode()
    )
    assert "Réponse invalide." in html


def test_dates_before_the_start_are_refused(api_for, people):
    response = api_for("grand-annecy", people["contributor"]).patch(
        "/api/v1/use-cases/74-GRAND-ANNECY-0001/",
        {"started_on": "2024-01-01", "production_on": "2023-01-01"}, format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "production_on" in response.json()
