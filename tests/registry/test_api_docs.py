import re

import pytest
from django.core.management import call_command


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenant"])
def test_openapi_schema_generates_without_warnings(urlconf, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", urlconf=urlconf, fail_on_warn=True, file=str(target))
    text = target.read_text()
    assert "openapi: 3" in text


def test_public_schema_documents_the_benchmark(client_for):
    response = client_for(None).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ["/api/v1/benchmark/use-cases/", "/api/v1/benchmark/stats/",
                 "/api/v1/collectivites/", "/api/v1/tools/", "/api/v1/auth/token/"]:  # fmt: skip
        assert path in paths, path


def test_collectivite_schema_documents_its_use_cases(client_for):
    response = client_for("grand-annecy").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/use-cases/{public_id}/publish/" in paths
    assert "/api/v1/benchmark/stats/" not in paths


@pytest.mark.parametrize("slug", [None, "grand-annecy"])
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_api_viewers_load_nothing_from_outside_the_app(client_for, slug, page):
    response = client_for(slug).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", html)
    assert external == [], external
    # Swagger UI from the sidecar package, Redoc from static/vendor/redoc (its CDN logo removed).
    assert re.search(r'src="/static/(drf_spectacular_sidecar|vendor/redoc)/', html)


def test_values_that_may_be_null_are_declared_nullable(client_for):
    """Issue 10, defect 5: the schema said string where the API answers null."""
    schema = client_for(None).get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["Tool"]["properties"]["vendor"].get("nullable") is True
    assert schema["ToolRef"]["properties"]["vendor"].get("nullable") is True
    assert schema["Collectivite"]["properties"]["parent_epci"].get("nullable") is True
    # The contact address is "" when the collectivité does not share it: not an e-mail format.
    assert schema["UseCaseSnapshot"]["properties"]["contact_email"].get("format") != "email"
