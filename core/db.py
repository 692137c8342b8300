"""Small helpers for model definitions shared by every app."""

import logging
from contextlib import nullcontext

from django.core.exceptions import EmptyResultSet, FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Count, F, Q, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger(__name__)


def choices_check(field: str, choices, name: str, message) -> models.CheckConstraint:
    """A named CHECK constraint that keeps `field` to the values of `choices` in the database."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [value for value, _label in choices]}),
        name=name,
        violation_error_message=message,
    )


class ChecksInOneQuery:
    """A model mixin: `full_clean()` checks all the model's CHECK constraints in one query.

    Django checks each CheckConstraint with a query of its own, in a savepoint of its own inside a
    transaction: a contact log's nine constraints were 27 of the 52 queries of logging a call.
    Here their conditions are the columns of one SELECT over the instance's values, with the
    same messages, codes and skipping (a condition on an excluded field is not checked) as
    Django's; other constraints (unique ones) are validated by Django as before.
    """

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            checks = [constraint for constraint in constraints if isinstance(constraint, models.CheckConstraint)]
            for constraint in _failed_checks(self, model_class, checks, exclude, using):
                error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                errors = error.update_error_dict(errors)
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def _failed_checks(instance, model_class, checks: list, exclude, using: str) -> list:
    """The CheckConstraints among `checks` that the instance's values break (one query, as Q.check)."""
    if not checks:
        return []
    query = Query(None)
    for name, value in instance._get_field_expression_map(meta=model_class._meta, exclude=exclude).items():
        query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    checked = []
    for constraint in checks:
        try:
            # Unknown (NULL) passes, as in the database and in Q.check.
            query.add_annotation(
                Coalesce(Q(constraint.condition), True, output_field=BooleanField()), f"_check_{len(checked)}"
            )
        except FieldError:  # a condition on a field left out of the check: not checked, as Django does
            continue
        checked.append(constraint)
    if not checked:
        return []
    connection = connections[using]
    try:
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError as error:
        logger.warning("Got a database error checking %s's constraints: %s", model_class.__name__, error)
        return []
    return [constraint for constraint, passed in zip(checked, row, strict=True) if not passed]


def first_per_group(queryset, *, group: list, order_by: list, limit: int):
    """The first `limit` rows of each group of `queryset` in one query (for lists that show the
    first few of many groups at once, such as a wave of digests).

    `group` are the expressions (field names or F()) whose values make a group, `order_by` the
    order inside each group. Each row comes annotated with `group_place` (1, 2, … in that order)
    and `group_size` (the whole group's size, however many rows are returned), ordered by group
    and place. The filter on the window functions makes Django wrap the query in a subquery.
    """
    group = [F(item) if isinstance(item, str) else item for item in group]
    return (
        queryset.annotate(
            group_place=Window(RowNumber(), partition_by=group, order_by=order_by),
            group_size=Window(Count("*"), partition_by=group),
        )
        .filter(group_place__lte=limit)
        .order_by(*group, "group_place")
    )


def counts(**querysets) -> dict[str, int]:
    """How many rows each queryset has, in one query: SELECT (SELECT count(*) FROM …), … .

    Each count keeps its own plan (one that starts from a small table stays so), where counting
    them all as FILTERs of one aggregate would visit every row of the largest for each of them."""
    parts, params = [], []
    using = None
    for queryset in querysets.values():
        try:
            sql, more = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # .none(), e.g. the scope of somebody who sees nothing
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(more)
        using = using or queryset.db
    with connections[using or "default"].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))
