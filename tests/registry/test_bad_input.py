"""Server errors reachable without signing in (issue 10, defect 2): each is now a 400 with a French
message naming the parameter or field, or a 404."""

import json

import pytest

LIST = "/api/v1/benchmark/use-cases/"
STATS = "/api/v1/benchmark/stats/"
EXPORT = "/api/v1/benchmark/export.csv"


@pytest.mark.parametrize("path", [LIST, STATS + "?by=status", EXPORT])
def test_a_percent_in_a_domain_value_is_a_400_naming_the_parameter(api_for, path):
    sep = "&" if "?" in path else "?"
    response = api_for(None).get(f"{path}{sep}domain=%25s")
    assert response.status_code == 400
    body = response.json()
    assert "domain" in body
    assert "Domaine inconnu : %s." in body["domain"][0]


@pytest.mark.parametrize("param", ["page_size", "page", "tool"])
def test_superscript_digits_are_a_400_naming_the_parameter(api_for, param):
    response = api_for(None).get(f"{LIST}?{param}=%C2%B2")
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize("query", ["tool=%C2%B2", "page=%C2%B2", "tool=%00", "domain=%25s"])
def test_the_explorer_page_survives_bad_parameters(client_for, query):
    response = client_for(None).get(f"/cas-d-usage/?{query}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "path", ["/cas-d-usage/%00/", LIST + "%00/", "/cas-d-usage/a%00b/", "/collectivites/%00/"]
)
def test_a_nul_byte_in_a_public_path_is_not_a_server_error(client_for, path):
    response = client_for(None).get(path)
    assert response.status_code in (400, 404)


def test_a_nul_byte_in_a_tenant_api_path_is_not_a_server_error(api_for, people):
    response = api_for("grand-annecy", people["reader"]).get("/api/v1/use-cases/%00/")
    assert response.status_code in (400, 404)


def test_a_nul_byte_in_the_review_queue_path_is_not_a_server_error(api_for, people):
    response = api_for(None, people["curator"]).get("/api/v1/benchmark/review-queue/%00/")
    assert response.status_code in (400, 404)


def _create(api, body):
    return api.post("/api/v1/use-cases/", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "Cas", "domains": ["finan\x00ces"]}, "domains"),
        ({"title": "Cas", "partner_collectivites": ["cdg\x0074"]}, "partner_collectivites"),
        ({"title": "Cas", "risks": [{"code": "bi\x00ais"}]}, "risks"),
        ({"title": "Ca\x00s"}, "title"),
    ],
)
def test_nul_characters_in_a_tenant_api_body_are_a_400_naming_the_field(
    api_for, people, body, field
):
    api = api_for("grand-annecy", people["contributor"])
    response = _create(api, body)
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json())
    assert "Caractère nul interdit" in json.dumps(response.json(), ensure_ascii=False)


def test_nul_characters_in_a_knowledge_api_body_are_a_400(api_for, people):
    api = api_for(None, people["curator"])
    response = api.post(
        "/api/v1/knowledge/terms/",
        json.dumps({"term": "IA\x00", "slug": "ia\x00x", "definition": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "term" in response.json() or "slug" in response.json()


def test_json_nested_50000_deep_is_a_400(api_for, people):
    api = api_for("grand-annecy", people["contributor"])
    response = api.post(
        "/api/v1/use-cases/", "[" * 50_000 + "]" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize("answer", ["--1", "²", "-²", "1e3"])
def test_the_maturity_form_refuses_odd_answers_with_a_french_error(client_for, people, answer):
    from knowledge.models import MaturityQuestion

    codes = list(MaturityQuestion.objects.values_list("code", flat=True))
    data = dict.fromkeys(codes, "1")
    data[codes[0]] = answer
    response = client_for("grand-annecy", people["contributor"]).post("/maturite/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="{codes[0]}-error">Réponse invalide.' in page
