"""API contract (issue 10, defect 5): 503 while PostgreSQL is down, 413 for a body over the limit,
private caching of token answers, host names in any case or with the root's dot."""

import json

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import host_of


def _down(*args, **kwargs):
    raise OperationalError("connection refused")


def test_the_api_answers_json_503_with_retry_after_while_the_database_is_down(monkeypatch):
    monkeypatch.setattr("registry.selectors.benchmark_version", _down)
    client = APIClient(HTTP_HOST=host_of(None), raise_request_exception=False)
    response = client.get("/api/v1/benchmark/use-cases/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "indisponible" in response.json()["detail"]
    assert response["Retry-After"] == "30"


def test_pages_answer_a_french_503_while_the_database_is_down(monkeypatch):
    monkeypatch.setattr("registry.selectors.benchmark_version", _down)
    response = Client(HTTP_HOST=host_of(None), raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_a_tenant_host_answers_503_when_routing_cannot_reach_the_database(monkeypatch):
    monkeypatch.setattr("registry.middleware.CollectiviteMiddleware.get_tenant", _down)
    client = Client(HTTP_HOST=host_of("grand-annecy"), raise_request_exception=False)
    api = client.get("/api/v1/use-cases/")
    assert api.status_code == 503
    assert "indisponible" in api.json()["detail"]
    page = client.get("/")
    assert page.status_code == 503
    assert "Service momentanément indisponible" in page.content.decode()


def test_an_api_body_over_the_limit_is_a_french_json_413(api_for, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"title": "Cas", "context": "x" * 2000})
    response = api_for("grand-annecy", people["contributor"]).post(
        "/api/v1/use-cases/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.json()["detail"]


def test_a_form_body_over_the_limit_is_a_french_413_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(HTTP_HOST=host_of(None), raise_request_exception=False)
    response = client.post("/compte/connexion/", {"username": "a@b.test", "password": "x" * 2000})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.content.decode()


@pytest.mark.parametrize(
    "slug, path", [(None, "/api/v1/tools/"), ("grand-annecy", "/api/v1/use-cases/")]
)
def test_token_authenticated_answers_are_private_and_vary_on_authorization(people, slug, path):
    token = Token.objects.create(user=people["reader"])
    client = APIClient(HTTP_HOST=host_of(slug))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_anonymous_api_answers_vary_on_authorization_too(api_for):
    response = api_for(None).get("/api/v1/tools/")
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize(
    "host", ["GRAND-ANNECY.LOCALHOST", "grand-annecy.localhost.", "Grand-Annecy.Localhost.:8000"]
)
def test_host_names_in_upper_case_or_with_a_trailing_dot_route_like_their_normal_form(host):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


@pytest.mark.parametrize("host", ["LOCALHOST", "localhost."])
def test_the_public_host_in_upper_case_or_with_a_trailing_dot_is_the_public_site(host):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 200
    assert "collectivit" in response.content.decode()


# --- the schema documents what every operation can answer (found by tests/reliability/fuzz.py) --


def _schema(api_for, slug, user=None):
    response = api_for(slug, user).get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("slug", [None, "grand-annecy"])
def test_every_operation_documents_its_error_answers(api_for, people, slug):
    schema = _schema(api_for, slug, people["contributor"] if slug else None)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert operations
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert {"400", "401", "403", "404", "429", "503"} <= codes, (method, path)
        if method in {"post", "put", "patch", "delete"}:
            assert {"412", "413", "415"} <= codes, (method, path)
        for code in ("429", "503"):
            assert "Retry-After" in operation["responses"][code]["headers"]
    assert schema["components"]["schemas"]["ErreurAPI"]["required"] == ["detail"]


def test_the_json_export_is_documented_as_the_list_of_records(api_for):
    schema = _schema(api_for, None)
    answer = schema["paths"]["/api/v1/benchmark/export.{fmt}"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert answer["content"]["application/json"]["schema"]["type"] == "array"
    body = api_for(None).get("/api/v1/benchmark/export.json")
    assert body.status_code == 200
    assert isinstance(json.loads(body.getvalue()), list)


@pytest.mark.parametrize("slug", [None, "grand-annecy"])
def test_an_empty_optional_query_parameter_is_absent_and_the_schema_says_so(api_for, people, slug):
    """allowEmptyValue is a promise: each optional parameter, sent empty, answers 200; a required
    one (the statistics' `by`, the directory's `q`) sent empty is a 400."""
    user = people["contributor"] if slug else people["curator"]
    client = api_for(slug, user)
    schema = _schema(api_for, slug, user)
    tried = 0
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        # Required parameters get their first documented value, or a word (the directory's q).
        required = {
            p["name"]: (p["schema"].get("items") or p["schema"]).get("enum", ["annecy"])[0]
            for p in query
            if p.get("required")
        }
        for parameter in query:
            name = parameter["name"]
            others = "".join(f"&{key}={value}" for key, value in required.items() if key != name)
            response = client.get(f"{path}?{name}={others}")
            if name in required:
                assert not parameter.get("allowEmptyValue")
                assert response.status_code == 400, (path, name)
            else:
                assert parameter.get("allowEmptyValue"), (path, name)
                assert response.status_code == 200, (path, name, response.content)
            tried += 1
    assert tried > 10


@pytest.mark.parametrize("slug", [None, "grand-annecy"])
def test_an_api_address_no_route_knows_is_a_json_404(slug):
    client = Client(HTTP_HOST=host_of(slug), raise_request_exception=False)
    for path in ("/api/v1/benchmark/export.AAA", "/api/v1/knowledge/phases/0.5/", "/api/v1/nope/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"] == "Introuvable."
    page = client.get("/pas-une-page/")
    assert page.status_code == 404
    assert "text/html" in page["Content-Type"]


@pytest.mark.parametrize("slug", [None, "grand-annecy"])
def test_the_api_root_answers_an_index_not_a_404(slug):
    response = Client(HTTP_HOST=host_of(slug)).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["documentation"].endswith("/api/docs/")
    assert "/api/v1/auth/token/" in body["authentication"]


def test_an_unknown_address_is_the_french_404_page_under_debug_too(settings):
    settings.DEBUG = True
    # The middleware is chosen when the handler loads it: a fresh client's handler does.
    response = Client(HTTP_HOST=host_of(None), raise_request_exception=False).get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Using the URLconf" not in response.content.decode()
    api = Client(HTTP_HOST=host_of(None), raise_request_exception=False).get("/api/v1/nulle/")
    assert api.json()["detail"] == "Introuvable."
