import json

import pytest


def test_public_site_answers_on_base_domain(client_for):
    response = client_for(None).get("/")
    assert response.status_code == 200
    assert "Registre IA des collectivités" in response.content.decode()
    assert "du Grand Annecy" in response.content.decode()


def test_unknown_host_gets_a_clear_404_page(client_for):
    response = client_for("inconnue").get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Aucune collectivité à cette adresse" in body
    assert "inconnue.localhost" in body


def test_host_outside_allowed_hosts_gets_404_not_500(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "host", ["localhost", "grand-annecy.localhost", "inconnue.localhost", "127.0.0.1"]
)
def test_healthz_answers_on_every_host(client, host):
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_host_with_port_routes_to_the_collectivite(client, make_user, annecy):
    user = make_user("agent@annecy.example", collectivite=annecy)
    client.force_login(user)
    response = client.get("/", HTTP_HOST="grand-annecy.localhost:8000")
    assert response.status_code == 200
    assert "Accompagnement de l&#x27;expertise juridique" in response.content.decode()


def test_collectivite_site_sends_anonymous_visitors_to_sign_in(client_for):
    response = client_for("grand-annecy").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/")


def test_sign_in_page_of_a_collectivite_names_it(client_for):
    response = client_for("grand-annecy").get("/compte/connexion/")
    assert response.status_code == 200
    assert (
        "Espace réservé aux agents : Communauté d&#x27;agglomération du Grand Annecy"
        in response.content.decode()
    )


def test_host_cache_saves_the_domain_query_and_forgets_on_change(client_for, annecy, settings):
    """TENANT_HOST_CACHE_SECONDS: a process keeps a host's collectivité (one query saved per
    request); saving the collectivité empties the cache, so the next request reads it again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry import middleware

    settings.TENANT_HOST_CACHE_SECONDS = 30
    middleware.forget_hosts()
    client = client_for("grand-annecy")

    def domain_queries():
        with CaptureQueriesContext(connection) as queries:
            client.get("/compte/connexion/")
        return sum('FROM "registry_domain"' in query["sql"] for query in queries)

    try:
        assert domain_queries() == 1
        assert domain_queries() == 0
        annecy.name = "Grand Annecy (renommé)"
        annecy.save()
        assert domain_queries() == 1
        assert "Grand Annecy (renommé)" in client.get("/compte/connexion/").content.decode()
    finally:
        middleware.forget_hosts()
