"""The seed says what the guide says (issue 11, « Seed fidelity »): what it deduces is marked as
deduced (on the record, in plain French, and in the API payload), the anonymous bodies are not
placed in a département, the summaries keep to the guide's words, its spelling corrections are
written in the record's source, its cases are dated by the guide's data, and the catalogue has
every tool the guide names."""

import csv
import io
import re
from datetime import date

from django.utils import timezone
from django_tenants.utils import tenant_context

from casestudies import services
from casestudies.imports import import_use_cases
from casestudies.models import UseCase
from casestudies.seed import guide_date, load_guide, seed
from registry import snapshot
from registry.models import BenchmarkEntry, BenchmarkEntryEvent, Collectivite, Tool
from tests.casestudies.test_seed import ANONYMOUS, GUIDE, SLUGS

MARK = "déduit de la source, à confirmer par la collectivité"
# What the guide never states for any row: a core field needs a value, so it is deduced.
CLASSIFICATION = {"ai_family", "domains", "automation_level", "status", "method_phase"}
DEDUCED = {
    "cdg74": CLASSIFICATION | {"personal_data", "sourcing"},
    "filiere": CLASSIFICATION | {"personal_data", "title"},
    "grand-annecy": CLASSIFICATION | {"personal_data", "sourcing"},
    "collectivite-a": CLASSIFICATION | {"personal_data"},
    "epci-a": CLASSIFICATION | {"personal_data"},
    "collectivite-b": CLASSIFICATION | {"personal_data"},
    "epci-b": CLASSIFICATION | {"personal_data", "sourcing"},
}
# Words a summary may add to its row of the guide: links between the guide's own words.
LINKING_WORDS = {"avec", "pour", "sans", "puis", "vers", "dans", "guide", "cite", "décrire",
                 "démarche", "outil"}  # fmt: skip


def _use_case(slug):
    with tenant_context(Collectivite.objects.get(slug=slug)):
        return UseCase.objects.prefetch_related("domains", "tools").get()


def _entry(slug):
    return BenchmarkEntry.objects.get(collectivite__slug=slug)


def test_every_deduced_value_is_marked_and_nothing_else(db):
    for slug, deduced in DEDUCED.items():
        use_case = _use_case(slug)
        assert set(use_case.inferred_fields) == deduced, slug
        assert set(_entry(slug).payload["inferred_fields"]) == deduced, slug
        # Whatever is marked was filled in; a filled classification field is always marked.
        payload = _entry(slug).payload
        assert all(payload[name] for name in deduced), slug
        for name in CLASSIFICATION | {"personal_data", "sourcing"}:
            assert (name in deduced) == bool(payload[name]), (slug, name)


def test_no_invented_service_only_the_one_the_guide_names(db):
    services_named = {slug: _use_case(slug).department_service for slug in SLUGS}
    # « Une DRH qui projette… » (row 6) is the only service the guide names.
    assert services_named == {
        slug: "Direction des ressources humaines" if slug == "collectivite-b" else ""
        for slug in SLUGS
    }
    assert "department_service" not in _use_case("collectivite-b").inferred_fields


def test_the_anonymous_bodies_are_not_placed_in_a_departement(db):
    for slug in SLUGS:
        collectivite = Collectivite.objects.get(slug=slug)
        expected = "" if slug in ANONYMOUS else "74"
        assert collectivite.departement == expected, slug
        entry = _entry(slug)
        assert entry.departement == expected, slug
        assert entry.payload["collectivite"]["departement"] == expected, slug
        assert entry.public_id.startswith("74-") == (slug not in ANONYMOUS)


def _guide_rows() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("Liste des cas d'usages possibles* :") : text.index("*Pour celles")]
    return [line for line in table.splitlines() if line.startswith(("\t", "Valérie"))]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\wÀ-ÿ'-]+", text) if len(w) >= 4}


def test_summaries_keep_to_what_the_guide_says(db):
    if not GUIDE.exists():
        import pytest

        pytest.skip(f"guide not found at {GUIDE}")
    rows = _guide_rows()
    assert len(rows) == 7
    for slug, row in zip(SLUGS, rows, strict=True):
        use_case = _use_case(slug)
        said = _words(row) | _words(Collectivite.objects.get(slug=slug).name)
        said |= {tool.name.lower() for tool in use_case.tools.all()}
        stems = {word.split("'")[-1][:5] for word in said}
        added = {
            word
            for word in _words(use_case.summary)
            if word not in said
            and word.split("'")[-1] not in LINKING_WORDS
            and word.split("'")[-1][:5] not in stems
            and word not in ("d'un", "d'une")
        }
        assert not added, (slug, sorted(added))


def test_every_spelling_correction_is_written_in_the_source(db):
    notes = {
        "filiere": ["« Commune de Filière »", "Fillière"],
        "grand-annecy": ["« CA du Grand Anecy »", "« LEXIS NEXIS »", "Grand Annecy"],
        "collectivite-a": ["« méthode SCUM »", "Scrum", "« Délib-IA »", "Delibia"],
    }
    guide = GUIDE.read_text(encoding="utf-8") if GUIDE.exists() else None
    for slug, quoted in notes.items():
        source = _use_case(slug).source
        for text in quoted:
            assert text in source, (slug, text)
            if guide is not None and text.startswith("« "):
                # what the note quotes is what the guide writes
                assert text.strip("« »").split()[-1] in guide, text
    # The steps stay as the guide writes them.
    with tenant_context(Collectivite.objects.get(slug="collectivite-a")):
        steps = list(UseCase.objects.get().steps.values_list("text", flat=True))
    assert any("méthode SCUM" in step for step in steps)


def test_the_anonymous_records_say_the_guide_does_not_place_them(db):
    for slug in ANONYMOUS:
        assert "son département n'est pas indiqué" in _use_case(slug).source, slug


def test_the_guide_cases_are_dated_by_the_guide_data_not_by_the_seed_run(db):
    data = load_guide()
    when = guide_date(data)
    assert timezone.localtime(when).date() == date(2025, 1, 1)
    assert "2024, début 2025" in data["published_at_note"]
    for slug in SLUGS:
        entry = _entry(slug)
        assert entry.published_at == when, slug
        assert timezone.localtime(entry.published_at).date() != timezone.localdate()
        assert entry.payload["published_at"].startswith("2025-01-01"), slug
        event = BenchmarkEntryEvent.objects.get(uuid=entry.uuid, action="published")
        assert event.created_at == when, slug
        assert _use_case(slug).published_at == when
        assert "1er janvier 2025" in _use_case(slug).source


def test_the_catalogue_has_every_tool_the_guide_names(db):
    perplexity = Tool.objects.get(slug="perplexity")
    assert (perplexity.name, perplexity.kind, perplexity.vendor.name) == (
        "Perplexity",
        "generalist",
        "Perplexity AI",
    )
    lexia = Tool.objects.get(slug="lex-ia")
    assert (lexia.name, lexia.kind, lexia.vendor) == ("Lex-IA", "business", None)
    assert "chapitre 1" in lexia.description and "chapitre 1" in perplexity.description


def test_the_public_record_marks_each_deduced_value_in_plain_french(client_for):
    entry = _entry("cdg74")
    page = client_for(None).get(f"/cas-d-usage/{entry.public_id}/").content.decode()
    page = page.replace("&#x27;", "'")
    assert "Informations déduites, à confirmer" in page
    # each deduced fact carries the mark, right after its value
    for label in ("Famille d'IA", "Domaines", "Niveau d'automatisation", "Phase de la méthode",
                  "Données personnelles", "Mode d'acquisition"):  # fmt: skip
        fact = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.S)
        assert fact and MARK in fact.group(1), label
    # the referent comes from the guide: not marked
    fact = re.search(r"<dt>Référent</dt><dd>(.*?)</dd>", page, re.S)
    assert "Valérie BOUVIER" in fact.group(1) and MARK not in fact.group(1)
    # the notice lists the deduced fields by their labels
    notice = re.search(r'class="inferred-notice".*?</div>', page, re.S).group(0)
    assert "famille d'IA" in notice and "mode d'acquisition" in notice
    # Fillière's title is the registry's
    filiere = _entry("filiere")
    page = client_for(None).get(f"/cas-d-usage/{filiere.public_id}/").content.decode()
    assert "Titre donné par l" in page


def test_the_api_payload_lists_the_deduced_fields(api_for):
    entry = _entry("grand-annecy")
    body = api_for(None).get(f"/api/v1/benchmark/use-cases/{entry.public_id}/").json()
    assert sorted(body["inferred_fields"]) == sorted(DEDUCED["grand-annecy"])
    assert body["status_inferred"] is True
    assert body["department_service"] == ""
    schema = snapshot.get("inferred_fields").choices()
    assert {code for code, _label in schema} >= set(body["inferred_fields"])


def test_explorer_stats_and_exports_cope_with_an_unknown_departement(client_for, api_for):
    explorer = client_for(None).get("/cas-d-usage/?departement=74")
    assert explorer.status_code == 200
    assert "Collectivité A" not in explorer.content.decode()
    page = client_for(None).get("/cas-d-usage/")
    assert page.status_code == 200
    stats = api_for(None).get("/api/v1/benchmark/stats/?by=departement").json()
    counts = {row["departement"]: row["count"] for row in stats["results"]}
    assert counts.get("74", 0) >= 3 and counts.get("") == 4
    export = api_for(None).get("/api/v1/benchmark/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.getvalue().decode("utf-8-sig")), delimiter=";"))
    by_slug = {row["collectivite_slug"]: row for row in rows}
    assert by_slug["epci-a"]["departement"] == ""
    assert by_slug["cdg74"]["departement"] == "74"
    assert set(by_slug["cdg74"]["inferred_fields"].split(" | ")) == DEDUCED["cdg74"]
    listing = client_for(None).get("/collectivites/epci-a/").content.decode()
    assert "non indiqué par la source" in listing


def test_a_value_the_collectivite_writes_is_no_longer_marked(db):
    collectivite = Collectivite.objects.get(slug="grand-annecy")
    with tenant_context(collectivite):
        use_case = UseCase.objects.get()
        services.usecase_update(use_case=use_case, actor=None, ai_family="generalist")
        use_case.refresh_from_db()
        assert "ai_family" not in use_case.inferred_fields
        assert "status" in use_case.inferred_fields and use_case.status_inferred
        services.usecase_update(use_case=use_case, actor=None, status="production")
        use_case.refresh_from_db()
        assert "status" not in use_case.inferred_fields and not use_case.status_inferred
        # writing the same value again is not a confirmation: only a change or the check is
        services.usecase_update(use_case=use_case, actor=None, method_phase="business_rollout")
        use_case.refresh_from_db()
        assert "method_phase" in use_case.inferred_fields
        # who says what is deduced (an import of an export) is taken at its word
        services.usecase_update(
            use_case=use_case, actor=None, sourcing="in_house", inferred_fields=["sourcing"]
        )
        use_case.refresh_from_db()
        assert use_case.inferred_fields == ["sourcing"]


def test_an_import_keeps_the_deduced_fields_it_is_given(db):
    collectivite = Collectivite.objects.get(slug="epci-a")
    with tenant_context(collectivite):
        public_id = UseCase.objects.get().public_id
    rows = [
        (2, {"public_id": public_id, "status": "design", "inferred_fields": "status | domains"})
    ]
    with tenant_context(collectivite):
        report = import_use_cases(collectivite=collectivite, rows=rows, actor=None)
        assert not report.errors, report.errors
        assert sorted(UseCase.objects.get().inferred_fields) == ["domains", "status"]


def test_confirming_the_record_confirms_what_was_deduced(db, client_for):
    collectivite = Collectivite.objects.get(slug="epci-b")
    with tenant_context(collectivite):
        use_case = UseCase.objects.get()
        services.usecase_verify(use_case=use_case, actor=None)
        use_case.refresh_from_db()
        assert use_case.inferred_fields == [] and not use_case.status_inferred
    entry = _entry("epci-b")
    assert entry.payload["inferred_fields"] == [] and entry.payload["status_inferred"] is False
    page = client_for(None).get(f"/cas-d-usage/{entry.public_id}/").content.decode()
    assert MARK not in page and "Informations déduites" not in page


def test_seeding_again_changes_no_published_record(db, settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    before = {
        entry.public_id: (entry.payload, entry.published_at)
        for entry in BenchmarkEntry.objects.all()
    }
    events = BenchmarkEntryEvent.objects.count()
    # As the suite's database was seeded (tests/conftest.py): the guide's data, no public source.
    report, _c, _p = seed(directory=False, sources=False)
    assert not report.changed
    after = {
        entry.public_id: (entry.payload, entry.published_at)
        for entry in BenchmarkEntry.objects.all()
    }
    assert after == before
    assert BenchmarkEntryEvent.objects.count() == events
