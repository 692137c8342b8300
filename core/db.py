"""Small helpers for model definitions shared by every app."""

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber


def choices_check(field: str, choices, name: str, message) -> models.CheckConstraint:
    """A named CHECK constraint that keeps `field` to the values of `choices` in the database."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [value for value, _label in choices]}),
        name=name,
        violation_error_message=message,
    )


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
