"""The published format of a use case is declared once (registry.snapshot): a field's label and
vocabulary come from that declaration in every output."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils.text import capfirst
from django_tenants.utils import tenant_context

from casestudies import admin as collectivite_admin_module
from casestudies import forms, imports
from casestudies.models import ApproachStep, Cost, ImpactAssessment, Lesson, Metric, UseCase
from casestudies.serializers import UseCaseSerializer, UseCaseWriteSerializer
from registry import exports, snapshot
from registry.models import BenchmarkEntry
from registry.serializers import UseCaseSnapshotSerializer

ROWS = {
    "steps": ApproachStep,
    "lessons": Lesson,
    "metrics": Metric,
    "costs": Cost,
    "impact_assessments": ImpactAssessment,
}


def test_every_field_of_the_model_is_declared_with_its_label_and_vocabulary():
    model_fields = {
        f.name: f
        for f in [*UseCase._meta.concrete_fields, *UseCase._meta.many_to_many]
        if (f.name != "id" and f.editable) or f.name in ("public_id", "uuid", "created_at")
    }
    undeclared = sorted(set(model_fields) - set(snapshot.BY_NAME))
    assert undeclared == []
    for name, model_field in model_fields.items():
        declared = snapshot.get(name)
        assert str(model_field.verbose_name) == str(declared.label), name
        base = getattr(model_field, "base_field", model_field)
        if declared.vocabulary is not None:
            assert list(base.choices) == list(declared.vocabulary.choices), name


@pytest.mark.parametrize("row", sorted(ROWS))
def test_every_field_of_a_row_is_declared_with_its_label(row):
    declared = snapshot.get(row)
    for child in declared.children:
        model_field = ROWS[row]._meta.get_field(child.name)
        assert str(model_field.verbose_name) == str(child.label), (row, child.name)
        if child.vocabulary is not None:
            assert list(model_field.choices) == list(child.vocabulary.choices)


def test_the_form_steps_ask_the_declared_fields_with_their_labels():
    asked = {}
    for _slug, _title, form_class in forms.STEPS:
        if form_class is not None:
            for name, field in form_class.base_fields.items():
                asked[name] = field.label
    writable = {f.name for f in snapshot.FIELDS if f.writable and f.form}
    assert writable - {f.name for f in snapshot.FIELDS if f.kind == snapshot.CHILDREN} == set(asked)
    for name, label in asked.items():
        assert str(label) == capfirst(str(snapshot.get(name).label)), name


def test_the_admin_shows_every_declared_field_in_its_section():
    fieldsets = collectivite_admin_module.UseCaseAdmin.fieldsets
    shown = [name for _label, options in fieldsets for name in options["fields"]]
    expected = [
        f.name
        for section in snapshot.SECTIONS
        for f in snapshot.FIELDS
        if f.section == section.name
        and f.kind != snapshot.CHILDREN
        and f.name not in ("uuid", "collectivite")
    ]
    assert shown == expected
    assert [str(label) for label, _o in fieldsets] == [
        str(s.label)
        for s in snapshot.SECTIONS
        if any(f.section == s.name and f.kind != snapshot.CHILDREN for f in snapshot.FIELDS)
    ]


def test_the_api_fields_carry_the_declared_labels_and_vocabularies():
    read = UseCaseSnapshotSerializer()
    # The benchmark's own: where an entry comes from (declared or a public source) and, for a
    # public source's record, its provenance.
    origin = {"origin", "provenance"}
    assert set(read.fields) == {f.name for f in snapshot.published_fields()} | origin
    members = UseCaseSerializer()
    assert set(members.fields) == {f.name for f in snapshot.FIELDS} | {"completeness", "missing"}
    for name, field in read.fields.items():
        if name not in origin:
            assert field.label == snapshot.get(name).title
    status = read.fields["status"]
    assert dict(status.choices) == dict(snapshot.get("status").vocabulary.choices)
    write = UseCaseWriteSerializer()
    assert set(write.fields) == {f.name for f in snapshot.writable_fields()}


def test_the_snapshot_has_the_declared_fields_and_no_private_one(annecy):
    with tenant_context(annecy):
        use_case = UseCase.objects.first()
        payload = snapshot.build(use_case, connection.tenant)
        members = snapshot.build(use_case, connection.tenant, for_members=True)
    assert list(payload) == [f.name for f in snapshot.published_fields()]
    assert "publication_state" not in payload and "publication_state" in members
    if not use_case.peer_contact_ok:
        assert payload["contact_email"] == ""


def test_exports_use_the_declared_columns_and_labels():
    payload = BenchmarkEntry.objects.order_by("public_id").first().payload
    rows = list(
        csv.DictReader(io.StringIO(exports.to_csv([payload]).decode("utf-8-sig")), delimiter=";")
    )
    assert list(rows[0]) == [column.name for column in snapshot.EXPORT_COLUMNS]
    assert rows[0]["status_label"] == snapshot.get("status").label_of(payload["status"])
    # Every exported column is known to the import (derived ones are read and ignored).
    assert set(imports.COLUMNS) == {column.name for column in snapshot.EXPORT_COLUMNS}


def test_the_public_page_and_the_diff_use_the_declared_labels(client_for):
    entry = BenchmarkEntry.objects.order_by("public_id").first()
    page = client_for(None).get(f"/cas-d-usage/{entry.public_id}/").content.decode()
    for section in snapshot.page_sections(entry.payload):
        assert str(section["section"].label) in page.replace("&#x27;", "'")
        for fact in section["facts"]:
            assert fact["field"].title in page.replace("&#x27;", "'")
    changed = {
        **entry.payload,
        "ai_family": "other" if entry.payload["ai_family"] != "other" else "generative",
    }
    [row] = snapshot.diff(entry.payload, changed)
    assert row["label"] == str(snapshot.get("ai_family").label)
    _score, missing = snapshot.completeness({**entry.payload, "context": ""})
    assert {"field": "context", "label": str(snapshot.get("context").label), "weight": 5} in missing


def test_completeness_weights_add_up_to_100():
    assert sum(f.weight for f in snapshot.FIELDS) == 100
    empty = {
        f.name: [] if f.kind in (snapshot.CHILDREN, snapshot.TOOLS, snapshot.TERMS) else ""
        for f in snapshot.FIELDS
    }
    empty.update(ai_act_risk="to_assess", hosting="unknown")
    assert snapshot.completeness(empty)[0] == 0


def test_one_word_for_lessons_everywhere_enseignements():
    """Issue 11: « enseignements » (docs/architecture.md, « Vocabulaire »), never « leçons
    apprises » nor « leçons », in the declaration, the pages, the forms, the admin and the docs."""
    assert str(snapshot.field_label("lessons")).lower() == "enseignements"
    assert str(Lesson._meta.verbose_name_plural) == "enseignements"
    root = Path(settings.BASE_DIR)
    sources = [
        *root.glob("templates/**/*.html"),
        *root.glob("docs/*.md"),
        root / "README.md",
        *(root / app / name for app in ("registry", "casestudies", "knowledge", "config")
          for name in ("snapshot.py", "forms.py", "admin.py", "api.py", "serializers.py")
          if (root / app / name).exists()),
    ]  # fmt: skip

    def text(path):
        # docs/architecture.md names the word it rules out, in its « Vocabulaire » section.
        return path.read_text(encoding="utf-8").split("## Vocabulaire")[0]

    said = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in sources
        for match in re.finditer(r"le[çc]ons?\b[^.\n]{0,12}", text(path), re.I)
    ]
    assert said == [], said
    assert "## Vocabulaire" in (root / "docs" / "architecture.md").read_text(encoding="utf-8")
