"""The Atom feeds of publications and changes (RFC 4287): well-formed, their required elements,
stable ids, updated dates, newest first; overall and per collectivité; linked from the pages with
<link rel="alternate">; public entries only."""

import xml.etree.ElementTree as ET
from datetime import datetime

from tests.registry.open_data_cases import hidden_use_cases, republish, restrict, rich_use_case

ATOM = "{http://www.w3.org/2005/Atom}"
OVERALL = "/flux/publications.atom"


def _feed(client, path=OVERALL):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def _moment(element, name) -> datetime:
    return datetime.fromisoformat(element.find(ATOM + name).text)


def _entries(feed) -> list[dict]:
    return [
        {
            "id": entry.find(ATOM + "id").text,
            "title": entry.find(ATOM + "title").text,
            "updated": _moment(entry, "updated"),
            "link": entry.find(ATOM + "link[@rel='alternate']").get("href"),
            "summary": entry.find(ATOM + "summary").text or "",
            "author": entry.find(ATOM + "author/" + ATOM + "name").text,
            "rights": entry.find(ATOM + "rights").text,
        }
        for entry in feed.findall(ATOM + "entry")
    ]


def test_the_feed_has_what_rfc_4287_requires(client_for):
    feed = _feed(client_for(None))
    assert feed.tag == ATOM + "feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    for name in ("id", "title", "updated"):
        assert feed.find(ATOM + name).text, name
    assert feed.find(ATOM + "id").text.startswith("urn:uuid:")
    assert feed.find(ATOM + "author/" + ATOM + "name").text
    assert feed.find(ATOM + "link[@rel='self']").get("href").endswith(OVERALL)
    assert "Licence Ouverte" in feed.find(ATOM + "rights").text
    entries = _entries(feed)
    assert len(entries) == 7  # the guide's seven publications
    for entry in entries:
        assert entry["id"].startswith("urn:uuid:") and entry["title"] and entry["author"]
        assert "/cas-d-usage/" in entry["link"]
        assert entry["rights"].startswith("Licence Ouverte") and "CDG74" in entry["rights"]
    assert len({entry["id"] for entry in entries}) == 7
    updated = [entry["updated"] for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert _moment(feed, "updated") == updated[0]


def test_publications_and_new_versions_come_first_with_stable_ids(client_for, annecy):
    client = client_for(None)
    before = {entry["id"]: entry for entry in _entries(_feed(client))}
    use_case = rich_use_case(annecy, title="Tri des demandes d'urbanisme")
    republish(use_case, annecy, summary="Un assistant trie les demandes d'urbanisme reçues.")
    entries = _entries(_feed(client))
    newest, published = entries[0], entries[1]
    assert newest["title"] == f"Nouvelle version : Tri des demandes d'urbanisme ({annecy.name})"
    assert "Champs modifiés : résumé." in newest["summary"]
    assert "Un assistant trie les demandes d'urbanisme reçues." in newest["summary"]
    assert published["title"].startswith("Publication : Tri des demandes d'urbanisme")
    assert newest["link"] == published["link"] and newest["link"].endswith(
        f"/cas-d-usage/{use_case.public_id}/"
    )
    assert newest["author"] == annecy.name
    # The earlier entries keep their ids and dates.
    for entry in entries[2:]:
        assert before[entry["id"]]["updated"] == entry["updated"]
    assert {entry["id"] for entry in entries[2:]} == set(before)


def test_each_collectivite_has_its_feed_linked_from_its_page(client_for, annecy, cdg74):
    rich_use_case(annecy, title="Cas du Grand Annecy")
    client = client_for(None)
    feed = _feed(client, "/flux/collectivites/grand-annecy.atom")
    entries = _entries(feed)
    assert entries and all(entry["author"] == annecy.name for entry in entries)
    assert {e["link"].rsplit("/", 2)[-2] for e in entries} == {
        "74-GRAND-ANNECY-0001",
        "74-GRAND-ANNECY-0002",
    }
    assert feed.find(ATOM + "id").text != _feed(client).find(ATOM + "id").text
    assert client.get("/flux/collectivites/inconnue.atom").status_code == 404
    page = client.get("/collectivites/grand-annecy/").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="'
        f'{annecy.name} : publications (flux Atom)" href="/flux/collectivites/grand-annecy.atom">'
    ).replace("'", "&#x27;") in page
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert "flux/publications.atom" in home


def test_the_feeds_carry_public_entries_only(client_for, people, annecy, cdg74):
    network, private = hidden_use_cases(cdg74, annecy)
    shown = rich_use_case(annecy, title="Public puis restreint")
    for who in (None, people["curator"]):
        client = client_for(None, who)
        for path in (
            OVERALL,
            "/flux/collectivites/cdg74.atom",
            "/flux/collectivites/grand-annecy.atom",
        ):
            text = client.get(path).content.decode()
            for hidden in (network, private):
                assert hidden.public_id not in text and hidden.title not in text
    client = client_for(None)
    assert shown.title in client.get(OVERALL).content.decode()
    # Taken back to the network: gone from the feeds at once (the cache follows the version).
    restrict(shown, annecy)
    assert shown.title not in client.get(OVERALL).content.decode()
    assert shown.title not in client.get("/flux/collectivites/grand-annecy.atom").content.decode()
