"""Check constraints validated in Python, not by one SQL query each.

Django's `Model.validate_constraints()` (called by `full_clean()`) sends one `SELECT … _check`
query, in its own savepoint, per CheckConstraint and per instance: a use case with its 24
constraints and 10 steps, 5 lessons and 5 metrics cost ~90 round trips for conditions that
Python can decide on the values at hand. `PythonConstraints.validate_constraints` evaluates the
conditions it understands (Q trees of exact / in / contained_by / isnull / range / lt / lte /
gt / gte on the model's own fields, and a comparison of a field's Length with a number) with
SQL's three-valued logic (a NULL condition passes, as in PostgreSQL) and leaves the others, and
every unique constraint whose condition holds, to Django. The database keeps the constraints:
this only decides the error message sooner (tests/registry/test_constraints.py compares both
evaluations on every constraint of the tenant models).
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models import F, Q, Value
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Length
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)


class Unsupported(Exception):
    """The condition uses something this evaluator does not know: Django's SQL decides."""


class _Excluded(Exception):
    """The condition reads a field excluded from the validation: skipped, as Django does."""


def _compare(operator: str, left, right):
    """SQL comparison: NULL (None) when either side is NULL."""
    if operator == "isnull":
        return (left is None) == bool(right)
    if left is None:
        return None
    if operator == "exact":
        return None if right is None else left == right
    if operator == "in":
        values = [value for value in right if value is not None]
        return left in values or (None if len(values) < len(right) else False)
    if operator == "contained_by":
        return set(left) <= set(right)
    if operator == "range":
        low, high = right
        return low <= left <= high
    if right is None:
        return None
    if operator == "lt":
        return left < right
    if operator == "lte":
        return left <= right
    if operator == "gt":
        return left > right
    if operator == "gte":
        return left >= right
    raise Unsupported(operator)


LOOKUPS = {
    Exact: "exact",
    LessThan: "lt",
    LessThanOrEqual: "lte",
    GreaterThan: "gt",
    GreaterThanOrEqual: "gte",
}


class _Evaluator:
    def __init__(self, instance: models.Model, exclude: set[str]):
        self.instance = instance
        self.exclude = exclude

    def value_of(self, name: str):
        if name in self.exclude:
            raise _Excluded(name)
        try:
            field = self.instance._meta.get_field(name)
        except FieldDoesNotExist:
            raise Unsupported(name) from None
        if not field.concrete or field.many_to_many:
            raise Unsupported(name)
        value = getattr(self.instance, field.attname)
        if hasattr(value, "resolve_expression"):
            raise Unsupported(name)
        return value

    def expression(self, expression):
        if isinstance(expression, F):
            return self.value_of(expression.name)
        if isinstance(expression, Value):
            return expression.value
        if type(expression) is Length:
            (source,) = expression.get_source_expressions()
            text = self.expression(source)
            return None if text is None else len(str(text))
        if hasattr(expression, "resolve_expression"):
            raise Unsupported(type(expression).__name__)
        return expression  # a plain Python value

    def node(self, node):
        if isinstance(node, Q):
            results = [self.node(child) for child in node.children]
            if node.connector == Q.AND:
                result = False if False in results else (None if None in results else True)
            else:
                result = True if True in results else (None if None in results else False)
            if node.negated:
                result = None if result is None else not result
            return result
        if isinstance(node, tuple):
            path, right = node
            if hasattr(right, "resolve_expression"):
                raise Unsupported(path)
            name, _sep, operator = path.partition(LOOKUP_SEP)
            operator = operator or "exact"
            if LOOKUP_SEP in operator:
                raise Unsupported(path)
            if operator == "exact" and right is None:
                operator, right = "isnull", True
            return _compare(operator, self.value_of(name), right)
        operator = LOOKUPS.get(type(node))
        if operator is not None:
            return _compare(operator, self.expression(node.lhs), self.expression(node.rhs))
        raise Unsupported(type(node).__name__)


def evaluate(condition, instance: models.Model, exclude=()) -> bool | None:
    """The condition on the instance's values: True, False or None (SQL NULL).

    Raises Unsupported when Python cannot decide, and _Excluded when it reads an excluded field.
    """
    return _Evaluator(instance, set(exclude or ())).node(condition)


class PythonConstraints:
    """Model mixin: `validate_constraints()` with the check conditions decided in Python."""

    def validate_constraints(self, exclude=None):
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    self._validate_constraint(model_class, constraint, exclude)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _validate_constraint(self, model_class, constraint, exclude) -> None:
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            try:
                holds = evaluate(condition, self, exclude)
            except _Excluded:
                return
            except Unsupported:
                holds = "unknown"
            if isinstance(constraint, models.CheckConstraint):
                if holds is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                if holds != "unknown":
                    return
            elif holds is not True and holds != "unknown":
                return  # a partial unique constraint that does not apply to this row
        using = router.db_for_write(self.__class__, instance=self)
        constraint.validate(model_class, self, exclude=exclude, using=using)
