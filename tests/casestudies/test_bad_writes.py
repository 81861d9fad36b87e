"""The bad-input catalogue for writes (issue 10): every bad write through both APIs is a 4xx that
names what is wrong, and changes nothing at all — read as a fingerprint of every table it could
touch, in the collectivité's schema and in the public one, before and after."""

import json

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from casestudies.models import UseCase
from tests.casestudies.test_api_usecases import BASE, _payload
from tests.factories import DraftUseCaseFactory

TENANT_TABLES = [
    "casestudies_usecase",
    "casestudies_approachstep",
    "casestudies_lesson",
    "casestudies_metric",
    "casestudies_cost",
    "casestudies_usecaserisk",
    "casestudies_usecaseevent",
]
PUBLIC_TABLES = ["registry_benchmarkentry", "registry_submission", "knowledge_glossaryterm"]


def _fingerprint(annecy) -> dict:
    """Row count and a hash of every row of each table: a changed value shows, not only a count."""
    tables = {}
    with tenant_context(annecy), connection.cursor() as cursor:
        for table in TENANT_TABLES + PUBLIC_TABLES:
            cursor.execute(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                f" FROM {table} t"
            )
            tables[table] = cursor.fetchone()
    return tables


def _steps(n):
    return [{"text": f"Étape {i}"} for i in range(n)]


# (description, method, path (with {id}), body (or a function giving it: the payloads read the
# catalogue of tools), expected status, field named in the answer)
TENANT_WRITES = [
    ("titre trop long", "post", BASE, lambda: _payload(title="x" * 121), 400, "title"),
    ("statut inconnu", "post", BASE, lambda: _payload(status="finished"), 400, "status"),
    ("domaine inconnu", "post", BASE, lambda: _payload(domains=["inconnu"]), 400, "domains"),
    ("outil inexistant", "post", BASE, lambda: _payload(tools=[999999]), 400, "tools"),
    ("adresse invalide", "post", BASE, lambda: _payload(contact_email="pas-une-adresse"), 400,
     "contact_email"),
    ("date au format français", "post", BASE, lambda: _payload(started_on="26/11/2026"), 400,
     "started_on"),
    ("101 étapes", "post", BASE, lambda: _payload(steps=_steps(101)), 400, "steps"),
    ("une étape vide parmi de bonnes", "post", BASE,
     lambda: _payload(steps=[{"text": "Bonne"}, {"text": ""}]), 400, "steps"),
    ("leçon sans catégorie", "post", BASE,
     lambda: _payload(lessons=[{"polarity": "success", "text": "x"}]), 400, "lessons"),
    ("indicateur non numérique", "post", BASE,
     lambda: _payload(metrics=[{"name": "Temps", "value": "beaucoup"}]), 400, "metrics"),
    ("risque inconnu", "post", BASE, lambda: _payload(risks=[{"code": "inconnu"}]), 400, "risks"),
    ("caractère nul", "post", BASE, lambda: _payload(title="Ca\x00s"), 400, "title"),
    ("liste attendue", "post", BASE, lambda: _payload(steps="pas une liste"), 400, "steps"),
    ("mise à jour : 101 étapes", "patch", BASE + "{id}/", {"steps": _steps(101)}, 400, "steps"),
    ("mise à jour : titre vide", "patch", BASE + "{id}/", {"title": ""}, 400, "title"),
    ("mise à jour : étapes et titre invalides", "patch", BASE + "{id}/",
     {"steps": _steps(3), "title": "x" * 121}, 400, "title"),
    ("remplacement incomplet", "put", BASE + "{id}/", {"title": "Sans le reste"}, 400, "summary"),
    ("message de soumission trop long", "post", BASE + "{id}/submit/", {"message": "x" * 2001},
     400, "message"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [case[1:] for case in TENANT_WRITES],
    ids=[case[0] for case in TENANT_WRITES],
)
def test_a_bad_write_to_the_tenant_api_changes_nothing(
    api_for, people, annecy, method, path, body, status, field
):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    client = api_for("grand-annecy", people["contributor"])
    body = body() if callable(body) else body
    before = _fingerprint(annecy)
    response = getattr(client, method)(
        path.format(id=use_case.public_id), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == status, response.content
    if field:
        assert field in response.json(), response.json()
    assert _fingerprint(annecy) == before


def test_a_stale_write_and_an_oversized_body_change_nothing(api_for, people, annecy, settings):
    use_case = DraftUseCaseFactory(collectivite=annecy)
    client = api_for("grand-annecy", people["contributor"])
    url = f"{BASE}{use_case.public_id}/"
    before = _fingerprint(annecy)
    stale = client.patch(url, {"title": "Nouveau"}, format="json", HTTP_IF_MATCH='"ancienne"')
    assert stale.status_code == 412
    deep = client.post(BASE, "[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert deep.status_code == 400
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    big = client.patch(url, json.dumps({"context": "x" * 5000}), content_type="application/json")
    assert big.status_code == 413
    assert _fingerprint(annecy) == before
    with tenant_context(annecy):
        assert UseCase.objects.get(pk=use_case.pk).title == use_case.title


PUBLIC_WRITES = [
    ("terme sans définition", "post", "/api/v1/knowledge/terms/", {"term": "IA", "slug": "ia-x"},
     400, "definition"),
    ("terme au nom nul", "post", "/api/v1/knowledge/terms/",
     {"term": "IA\x00", "slug": "ia-y", "definition": "x"}, 400, "term"),
    ("annotation : domaine inconnu", "patch",
     "/api/v1/benchmark/use-cases/{id}/annotations/", {"curated_domains": ["inconnu"]}, 400,
     "curated_domains"),
    ("décision sans commentaire", "post", "/api/v1/benchmark/review-queue/{id}/request-changes/",
     {}, 400, "comment"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [case[1:] for case in PUBLIC_WRITES],
    ids=[case[0] for case in PUBLIC_WRITES],
)
def test_a_bad_write_to_the_public_api_changes_nothing(
    api_for, people, annecy, published_use_case, submitted_use_case, method, path, body, status,
    field,
):  # fmt: skip
    target = submitted_use_case if "review-queue" in path else published_use_case
    client = api_for(None, people["curator"])
    before = _fingerprint(annecy)
    response = getattr(client, method)(
        path.format(id=target.public_id), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()
    assert _fingerprint(annecy) == before
