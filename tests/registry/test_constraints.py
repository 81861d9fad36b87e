"""registry.constraints decides the tenant models' check constraints in Python: on sample values
of every field they read, it agrees with PostgreSQL (Django's `Q.check`, one query each), and
it needs no query at all."""

import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from registry.constraints import PythonConstraints, evaluate

pytestmark = pytest.mark.django_db

MODELS = list(apps.get_app_config("casestudies").get_models())


def _fields_read(node) -> set[str]:
    if isinstance(node, Q):
        return set().union(*(_fields_read(child) for child in node.children))
    if isinstance(node, tuple):
        return {node[0].split("__")[0]}
    if isinstance(node, F):
        return {node.name}
    return set().union(*(_fields_read(e) for e in getattr(node, "get_source_expressions", list)()))


def _samples(field) -> list:
    if isinstance(field, ArrayField):
        allowed = [value for value, _label in field.base_field.choices or []][:2]
        return [[], allowed, [*allowed, "inconnu"]]
    values = [None] if field.null else []
    if field.choices:
        return [*values, "", "inconnu", *[value for value, _label in field.choices][:3]]
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        return [*values, -1, 0, 1, 3, 5, 6, Decimal("2.5")]
    if isinstance(field, models.CharField | models.TextField):
        return [*values, "", "x", "é" * 400, "é" * 401]
    if isinstance(field, models.BooleanField):
        return [*values, True, False]
    pytest.fail(f"no samples for {field}")


CONSTRAINTS = [
    pytest.param(model, constraint, id=f"{model.__name__}.{constraint.name}")
    for model in MODELS
    for constraint in model._meta.constraints
    if getattr(constraint, "condition", None) is not None
]


def test_every_tenant_model_decides_its_constraints_in_python():
    assert all(issubclass(model, PythonConstraints) for model in MODELS)
    assert len(CONSTRAINTS) > 20


@pytest.mark.parametrize(("model", "constraint"), CONSTRAINTS)
def test_python_and_postgresql_agree(model, constraint):
    names = sorted(_fields_read(constraint.condition))
    fields = [model._meta.get_field(name) for name in names]
    for values in itertools.islice(itertools.product(*map(_samples, fields)), 300):
        instance = model(
            **{field.attname: value for field, value in zip(fields, values, strict=True)}
        )
        python = evaluate(constraint.condition, instance) is not False
        against = instance._get_field_expression_map(meta=model._meta)
        sql = Q(constraint.condition).check(against, using=connection.alias)
        assert python == sql, (constraint.name, dict(zip(names, values, strict=True)))


def test_validating_a_use_case_sends_no_query(annecy, in_tenant):
    step_model = apps.get_model("casestudies", "ApproachStep")
    with in_tenant(annecy):
        use_case = apps.get_model("casestudies", "UseCase")(
            public_id="x", title="Titre", summary="Résumé", ai_family="generalist"
        )
        with CaptureQueriesContext(connection) as captured:
            use_case.validate_constraints(exclude={"public_id", "uuid"})
            step_model(position=1, text="Étape", phase="planning").validate_constraints(
                exclude={"use_case"}
            )
    assert [q["sql"] for q in captured.captured_queries] == []
