"""The tenant API's paths send a bounded number of SQL queries, whatever the number of rows a use
case holds (steps, lessons, metrics…): list, detail, create, update, submit, and the curator's
approval. Counted without django-tenants' `SET search_path` (tests.conftest.data_queries)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Tool
from tests.conftest import data_queries

BASE = "/api/v1/use-cases/"
QUEUE = "/api/v1/benchmark/review-queue/"
# The most each path may send (issue 14: ≤ 25 for a creation with 10 steps, 5 lessons, 5 metrics).
# Before issue 14, with 10 steps, 5 lessons and 5 metrics: list 13, detail 22, create 154,
# update 180, submit 42, approve 28 (docs/performance.md says where they went).
MAX_QUERIES = {
    "list": 14,  # a first call; the same list again is 3 (test_the_same_list_again_is_kept)
    "detail": 12,
    "create": 25,
    "update": 42,  # the snapshot before, then one read for the diff of the history and the answer
    "submit": 33,
    "approve": 28,
}


def _payload(children: int) -> dict:
    return {
        "title": "Assistant de rédaction des comptes rendus",
        "summary": "Un assistant propose un premier jet des comptes rendus de réunion.",
        "ai_family": "generalist",
        "domains": ["administration-generale-et-assemblees"],
        "automation_level": "assistance",
        "status": "pilot",
        "personal_data": "no",
        "visibility": "public",
        "ai_act_risk": "minimal",
        "tools": [Tool.objects.get(slug="mistral").pk],
        "steps": [{"text": f"Étape {n}", "phase": "planning"} for n in range(children)],
        "lessons": [
            {"category": "quality", "polarity": "difficulty", "text": f"Leçon {n}."}
            for n in range(children // 2 or 1)
        ],
        "metrics": [
            {"name": f"Indicateur {n}", "unit": "h/semaine", "value": "3.5"}
            for n in range(children // 2 or 1)
        ],
    }


def _count(call) -> tuple[int, object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    queries = data_queries(captured)
    return len(queries), response, queries


def _measure(api_for, people, children: int) -> dict[str, tuple[int, list[str]]]:
    member = api_for("grand-annecy", people["contributor"])
    curator = api_for(None, people["curator"])
    counts = {}

    body = _payload(children)
    n, response, queries = _count(lambda: member.post(BASE, body, format="json"))
    assert response.status_code == 201, response.content
    counts["create"] = (n, queries)
    public_id = response.json()["public_id"]

    n, response, queries = _count(lambda: member.get(f"{BASE}{public_id}/"))
    assert response.status_code == 200
    counts["detail"] = (n, queries)

    n, response, queries = _count(lambda: member.get(BASE))
    assert response.status_code == 200
    counts["list"] = (n, queries)

    body["title"] = "Assistant de rédaction des procès-verbaux"
    n, response, queries = _count(lambda: member.put(f"{BASE}{public_id}/", body, format="json"))
    assert response.status_code == 200, response.content
    counts["update"] = (n, queries)

    n, response, queries = _count(
        lambda: member.post(f"{BASE}{public_id}/submit/", {"message": "À relire"}, format="json")
    )
    assert response.status_code == 200, response.content
    counts["submit"] = (n, queries)

    n, response, queries = _count(
        lambda: curator.post(f"{QUEUE}{public_id}/approve/", {"comment": "Merci"}, format="json")
    )
    assert response.status_code == 200, response.content
    counts["approve"] = (n, queries)
    return counts


@pytest.fixture
def counts(api_for, people):
    return {children: _measure(api_for, people, children) for children in (2, 10)}


@pytest.mark.parametrize("path", list(MAX_QUERIES))
def test_a_path_sends_few_queries_whatever_the_number_of_rows(counts, path):
    few, many = counts[2][path], counts[10][path]
    assert many[0] <= MAX_QUERIES[path], "\n".join(many[1])
    assert few[0] == many[0], "\n".join(sorted(set(many[1]) - set(few[1])))


def test_report(counts, capsys):
    """Prints the counts (pytest -s): the figures of docs/performance.md."""
    with capsys.disabled():
        for path in MAX_QUERIES:
            print(f"{path}: {counts[2][path][0]} queries (2 rows), {counts[10][path][0]} (10 rows)")


def test_the_same_list_again_is_kept_until_a_write(api_for, people):
    """A member's list is kept (registry.page_cache.kept_for_members): asked again, it costs the
    host, the membership and the collectivité's data version; a colleague's write shows at once."""
    member = api_for("grand-annecy", people["contributor"])
    colleague = api_for("grand-annecy", people["admin"])
    first = member.get(BASE)
    assert first.status_code == 200
    n, again, queries = _count(lambda: member.get(BASE))
    assert again.status_code == 200 and again.json() == first.json()
    assert n <= 3, "\n".join(queries)
    created = colleague.post(BASE, _payload(2), format="json")
    assert created.status_code == 201, created.content
    listed = [row["public_id"] for row in member.get(BASE).json()["results"]]
    assert created.json()["public_id"] in listed
