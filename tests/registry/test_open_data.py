"""Open data that validates (issue 13): the CSV described by its TableSchema and checked with
frictionless, the DCAT-AP catalogue, the « Données ouvertes » page, and what never leaves: a use
case seen by the network only, or a private one, is in no open-data output, whoever asks."""

import csv
import html
import io
import json
from datetime import datetime

import pytest
from frictionless import Dialect, Resource, Schema, formats
from openpyxl import load_workbook

from registry import exports, open_data, snapshot
from tests.registry.open_data_cases import hidden_use_cases, republish, rich_use_case

# Importing frictionless raises the csv module's field size limit for the whole process
# (frictionless/formats/csv/parser.py); the registry's importer relies on Python's default, which
# makes a huge field a clear error (tests/casestudies/test_import.py): put it back.
csv.field_size_limit(131_072)

SCHEMA = "/donnees-ouvertes/schema.json"
CATALOGUE = "/donnees-ouvertes/catalogue.jsonld"
PAGE = "/donnees-ouvertes/"
FILES = [f"/donnees-ouvertes/{d.filename}" for d in open_data.DISTRIBUTIONS]
FEEDS = ["/flux/publications.atom", "/flux/collectivites/cdg74.atom"]


def _validate(csv_bytes: bytes, schema: dict, tmp_path):
    """frictionless's report on a CSV of the export (semicolons, UTF-8 with a BOM)."""
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes)
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(schema),
        encoding="utf-8-sig",
        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]),
    )
    return resource.validate()


def _xlsx_text(body: bytes) -> bytes:
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return json.dumps(list(sheet.iter_rows(values_only=True)), default=str).encode()


def _errors(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


# --- the TableSchema ---------------------------------------------------------------------------


def test_the_schema_describes_every_column_in_french_with_the_vocabularies(client_for):
    response = client_for(None).get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    fields = {field["name"]: field for field in schema["fields"]}
    assert list(fields) == exports.COLUMNS
    assert schema["primaryKey"] == "public_id"
    assert schema["countryCode"] == "FR" and schema["licenses"][0]["name"] == "etalab-2.0"
    assert schema["path"].endswith(SCHEMA) and schema["missingValues"] == [""]
    for field in schema["fields"]:
        assert field["title"] and field["description"], field["name"]
    assert fields["status"]["title"] == "État d'avancement"
    assert fields["status"]["constraints"]["enum"][:2] == ["idea", "design"]
    assert "pilot (Expérimentation)" in fields["status"]["description"]
    assert fields["status_uk"]["constraints"]["enum"] == [
        "Pre-deployment", "Beta/Pilot", "Production", "Retired"
    ]  # fmt: skip
    assert (fields["started_on"]["type"], fields["started_on"]["format"]) == ("date", "%Y-%m-%d")
    assert fields["published_at"]["type"] == "datetime"
    assert fields["public_contact_email"]["format"] == "email"
    assert fields["uuid"]["format"] == "uuid"
    assert fields["documentation_url"]["constraints"]["pattern"].startswith("^(?:https?://")
    assert fields["individual_decision"]["trueValues"] == ["oui"]
    assert "juridique" in fields["domains"]["constraints"]["pattern"]
    assert fields["public_id"]["constraints"] == {"required": True, "unique": True}
    # The schema is generated from the declaration: every CHOICE field has its vocabulary.
    for column in snapshot.EXPORT_COLUMNS:
        if column.name == column.field.name and column.field.kind == snapshot.CHOICE:
            assert fields[column.name]["constraints"]["enum"] == list(
                column.field.vocabulary.values
            )


def test_the_real_csv_export_validates_against_the_schema(client_for, api_for, annecy, cdg74,
                                                          tmp_path):  # fmt: skip
    rich_use_case(annecy)
    rich_use_case(cdg74, title="Sans lien ni date", documentation_url="", legal_basis_links="",
                  started_on=None, public_contact_email="", impact_assessments=[])  # fmt: skip
    schema = client_for(None).get(SCHEMA).json()
    for path in ("/api/v1/benchmark/export.csv", "/donnees-ouvertes/cas-d-usage.csv"):
        raw = client_for(None).get(path).getvalue()
        report = _validate(raw, schema, tmp_path)
        assert report.valid, _errors(report)
        assert report.tasks[0].stats["rows"] == 9


def test_the_validation_refuses_what_the_schema_forbids(client_for, tmp_path):
    schema = client_for(None).get(SCHEMA).json()
    text = client_for(None).get("/donnees-ouvertes/cas-d-usage.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    rows[0]["status"] = "finished"
    rows[1]["started_on"] = "01/03/2024"
    rows[2]["public_id"] = rows[3]["public_id"]
    rows[4]["techniques"] = "nlp | telepathy"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    report = _validate(("\ufeff" + buffer.getvalue()).encode(), schema, tmp_path)
    found = {(error[1], error[2]) for error in _errors(report)}
    assert ("status", "constraint-error") in found
    assert ("started_on", "type-error") in found
    assert ("public_id", "primary-key") in found or ("public_id", "unique-error") in found
    assert ("techniques", "constraint-error") in found


# --- the DCAT-AP catalogue ----------------------------------------------------------------------

NAMESPACES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The terms the catalogue may use: DCAT 2 / DCAT-AP, Dublin Core terms, FOAF, vCard, RDFS, XSD.
TERMS = {
    "dcat": {"Catalog", "Dataset", "Distribution", "dataset", "distribution", "accessURL",
             "downloadURL", "mediaType", "keyword", "theme", "contactPoint", "landingPage"},
    "dcterms": {"title", "description", "publisher", "language", "license", "modified",
                "identifier", "spatial", "accrualPeriodicity", "conformsTo", "rights", "format",
                "LicenseDocument", "RightsStatement"},
    "foaf": {"Agent", "name", "homepage"},
    "vcard": {"Organization", "fn", "hasEmail"},
    "rdfs": {"label"},
    "xsd": {"dateTime"},
}  # fmt: skip
KEYWORDS = {"@context", "@id", "@type", "@value", "@language"}


def _walk(node, path="$"):
    """Every (path, key, value) of a JSON-LD document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")


def _term_errors(document: dict) -> list[str]:
    errors = []
    for path, key, value in _walk(document):
        if path.startswith("$.@context"):
            continue
        names = [key] if key not in KEYWORDS else []
        if key == "@type":
            names = [value] if isinstance(value, str) else value
        for name in names:
            prefix, _, local = name.partition(":")
            if local not in TERMS.get(prefix, ()):
                errors.append(f"{path}: {name}")
        if key == "@value" and isinstance(value, str) and not value:
            errors.append(f"{path}: empty value")
    return errors


def test_the_catalogue_is_well_formed_dcat_ap(client_for, annecy):
    rich_use_case(annecy)
    response = client_for(None).get(CATALOGUE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    catalogue = json.loads(response.content)
    assert catalogue["@context"] == NAMESPACES
    assert _term_errors(catalogue) == []
    assert _term_errors({"dcat:datasets": [], "@type": "dcat:Katalog"}) == [
        "$: dcat:datasets", "$: dcat:Katalog"
    ]  # fmt: skip
    assert catalogue["@type"] == "dcat:Catalog" and catalogue["@id"].endswith(CATALOGUE)
    (dataset,) = catalogue["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dcterms:license"]["@id"] == open_data.OPEN_LICENCE_URL
    assert "source publique" in dataset["dcterms:rights"]["rdfs:label"]["@value"]
    assert dataset["dcterms:description"]["@value"].startswith("8 cas d'usage")
    assert dataset["dcterms:conformsTo"]["@id"].endswith(SCHEMA)
    datetime.fromisoformat(dataset["dcterms:modified"]["@value"])
    distributions = dataset["dcat:distribution"]
    described = {d["@id"].split("/", 3)[-1] for d in distributions}
    assert {f.lstrip("/") for f in [*FILES, SCHEMA, FEEDS[0]]} == described
    client = client_for(None)
    for distribution in distributions:
        assert distribution["@type"] == "dcat:Distribution"
        assert distribution["dcterms:license"]["@id"] == open_data.OPEN_LICENCE_URL
        assert distribution["dcterms:title"]["@language"] == "fr"
        url = distribution["dcat:accessURL"]["@id"]
        media_type = distribution["dcat:mediaType"]["@id"].split("/media-types/")[1]
        answer = client.get("/" + url.split("/", 3)[-1])
        assert answer.status_code == 200, url
        assert answer["Content-Type"].startswith(media_type), (url, answer["Content-Type"])
        assert distribution["dcterms:format"]["@id"].startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )


# --- the page, the footer and the licence page -----------------------------------------------


def test_the_open_data_page_links_every_file_with_its_licence(client_for):
    response = client_for(None).get(PAGE)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "<h1>Données ouvertes</h1>" in page
    assert "7 cas d'usage publiés avec la visibilité « public »" in page
    for path in [*FILES, SCHEMA, CATALOGUE, FEEDS[0]]:
        assert f'{path}"' in page, path
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "gardent la licence et l'attribution de leur source" in page
    assert 'rel="alternate" type="application/ld+json"' in page
    home = client_for(None).get("/").content.decode()
    assert 'href="//localhost/donnees-ouvertes/"' in home or "/donnees-ouvertes/" in home
    licence = html.unescape(client_for(None).get("/licence/").content.decode())
    assert f'href="{PAGE}"' in licence
    for name in ("Algoritmeregister", "ATRS", "Public Sector Tech Watch", "DCAT-AP", "Atom"):
        assert name in licence


# --- isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "reader", "curator"])
def test_network_and_private_use_cases_are_in_no_open_data_output(client_for, people, annecy,
                                                                  cdg74, who):  # fmt: skip
    network, private = hidden_use_cases(cdg74, annecy)
    client = client_for(None, None if who == "anonymous" else people[who])
    for path in [*FILES, CATALOGUE, *FEEDS, PAGE]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.getvalue()
        if path.endswith(".xlsx"):
            body = _xlsx_text(body)
        text = html.unescape(body.decode("utf-8-sig"))
        for hidden in (network, private):
            assert hidden.public_id not in text, (path, who)
            assert hidden.title not in text, (path, who)
        if path in FILES:
            assert "74-CDG74-0001" in text, path
    # The figures say so too: seven public records, whoever counts.
    assert "7 cas d'usage" in html.unescape(client.get(PAGE).content.decode())


# --- caching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [FILES[0], FILES[1], CATALOGUE, FEEDS[0], SCHEMA])
def test_a_reader_with_the_current_version_gets_a_304_and_a_new_publication_changes_it(
    client_for, annecy, path
):
    client = client_for(None)
    first = client.get(path)
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    published = rich_use_case(annecy, title="Cas tout neuf")
    after = client.get(path, HTTP_IF_NONE_MATCH=etag)
    if path == SCHEMA:  # the schema follows the vocabularies, not the records
        assert after.status_code == 304
        return
    assert after.status_code == 200 and after["ETag"] != etag
    body = after.getvalue()
    if path.endswith(".xlsx"):
        body = _xlsx_text(body)
    expected = "8 cas d'usage" if path == CATALOGUE else published.public_id
    assert expected in body.decode("utf-8-sig")
    republish(published, annecy, summary="Une version corrigée du résumé de ce cas d'usage.")
    assert client.get(path, HTTP_IF_NONE_MATCH=after["ETag"]).status_code == 200


def test_a_public_source_record_keeps_its_own_licence_and_attribution():
    declared = open_data.record_licence({"collectivite": {"name": "Grand Annecy"}})
    assert declared.identifier == "etalab-2.0" and "Grand Annecy" in declared.attribution
    source = open_data.record_licence(
        {
            "origin": "public_source",
            "collectivite": {"name": "Ville de Lyon"},
            "provenance": {
                "licence": "CC BY 4.0",
                "licence_url": "https://creativecommons.org/licenses/by/4.0/",
                "attribution": "Public Sector Tech Watch, European Commission JRC",
            },
        }
    )
    assert (source.title, source.identifier) == ("CC BY 4.0", "CC-BY-4.0")
    assert source.attribution == "Public Sector Tech Watch, European Commission JRC"
