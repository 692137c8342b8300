"""Kept page anchors: a page far down a long list, by its number, without reading every row before it.

Page 37,599 of a million retirees is `OFFSET 939,975`: even read from an index alone, PostgreSQL
walks 940,000 entries to throw them away (~150 ms). Here the sort keys of every EVERY-th row of
the list's ids query are computed once, in one statement (a window over the same index), and kept
in a cache under that query's SQL and parameters. A far page then starts from the anchor before
it: `WHERE (sort keys) >= anchor ... OFFSET (less than EVERY)`.

Exact, not approximate: the anchors are kept with the version of the rows they were read from
(an expression the caller gives, read in the same statement, so the same snapshot), and every
anchored page reads the version again in its own statement. A page whose version differs from its
anchors' is not used: the anchors are made again, once, and otherwise the page is read by OFFSET.
Which writes move the version is the caller's (for the registry: `retirees.models.RegistryChange`),
so only lists whose query reads the tables it watches are anchored: sorted by columns without
NULLs (of the list's table or, ordered by a foreign key, of the related table), ending on a unique
one, no subquery. Anything else, SQLite, a missing
cache: None, and the caller pages by OFFSET.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Q, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

logger = logging.getLogger(__name__)

CACHE = "anchors"
PLACE = "anchor_place"
VERSION = "anchor_version"


class PageAnchors:
    """Anchors for the lists read from `tables`. `version_sql`: a scalar SQL expression (no
    parameters) that changes, transactionally, whenever a row of these tables is written, and is
    NULL in a transaction that has written some itself. `before_build`: called before anchors are
    made (to keep the version cheap to read; see `retirees.services.registry_changes_fold`).

    Pages before `from_place` are left to OFFSET: it is as cheap there as the anchors' own page.
    """

    EVERY = 1_000
    FROM_PLACE = 10_000
    TIMEOUT = 24 * 3600

    def __init__(self, *, version_sql: str, tables: set[str], before_build: Callable[[], None] | None = None):
        self.version_sql = version_sql
        self.tables = tables
        self.before_build = before_build
        self.every = self.EVERY
        self.from_place = self.FROM_PLACE

    def ids(self, queryset, bottom: int, limit: int) -> list | None:
        """The primary keys of the rows at places bottom .. bottom + limit - 1 of `queryset` in its
        order, exactly as OFFSET gives them; None where anchors cannot say (then use OFFSET).
        Usually one query; the first far page after a change two more (make the anchors, then the
        page), or three with `before_build`'s."""
        if bottom < self.from_place or connections[queryset.db].vendor != "postgresql":
            return None
        keys = sort_keys(queryset)
        if keys is None:
            return None
        key = self._cache_key(queryset)
        if key is None:
            return None
        try:
            kept = caches[CACHE].get(key)
        except Exception:  # noqa: BLE001 - a cache down costs the anchors, never the page
            logger.warning("Page anchors: the cache could not be read.", exc_info=True)
            return None
        made = False
        while True:
            if kept is None:
                kept = self._build(queryset, keys)
                if kept is None:
                    return None
                made = True
                try:
                    caches[CACHE].set(key, kept, self.TIMEOUT)
                except Exception:  # noqa: BLE001
                    logger.warning("Page anchors: the cache could not be written.", exc_info=True)
            version, anchors = kept
            place = min(bottom // self.every, len(anchors))
            if place == 0:
                return None
            anchor = anchors[place - 1]
            skip = bottom - place * self.every
            rows = list(
                queryset.filter(at_or_after(keys, anchor))
                .annotate(**{VERSION: RawSQL(self.version_sql, [])})
                .values_list("pk", VERSION)[skip : skip + limit]
            )
            if not rows or rows[0][1] is None:
                # Past the anchors' end (the list got shorter, or the number is past its end), or
                # this transaction has written rows itself: OFFSET knows.
                return None
            if rows[0][1] == version:
                return [pk for pk, _ in rows]
            if made:
                return None
            kept = None

    def _cache_key(self, queryset) -> str | None:
        """The key of the anchors of `queryset`'s ids query: its SQL and parameters. None unless
        that query reads only the tables the version watches, with no subquery."""
        narrow = queryset.values_list("pk", flat=True)
        sql, params = narrow.query.get_compiler(using=queryset.db).as_sql()
        # Joins a filter set up and then trimmed (branch=...: the column is the retiree's) count none.
        query = narrow.query
        tables = {join.table_name for alias, join in query.alias_map.items() if query.alias_refcount[alias]}
        if not tables <= self.tables or sql.count("SELECT") != 1:
            return None
        # The database's own name, not only its alias: processes of other databases (test workers,
        # another installation) may share the cache, and run the same SQL over other rows.
        database = connections[queryset.db].settings_dict["NAME"]
        digest = hashlib.sha256(f"{database}\x00{self.every}\x00{sql}\x00{params!r}".encode()).hexdigest()
        return f"anchors:{digest}"

    def _build(self, queryset, keys) -> tuple | None:
        """(version, [sort keys of places every, 2 × every, ...]) in one statement, so from one
        snapshot; None for a list too short to need anchors, or read in a transaction that has
        written rows of the tables (the version is NULL there)."""
        if self.before_build is not None:
            self.before_build()
        names = [name for name, _ in keys]
        order = [F(name).desc() if descending else F(name).asc() for name, descending in keys]
        places = queryset.order_by().annotate(**{PLACE: Window(RowNumber(), order_by=order)}).values_list(*names, PLACE)
        sql, params = places.query.get_compiler(using=queryset.db).as_sql()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(
                f'SELECT ({self.version_sql}), w.* FROM ({sql}) w WHERE w."{PLACE}" %% %s = 1 AND w."{PLACE}" > 1 '
                f'ORDER BY w."{PLACE}"',
                [*params, self.every],
            )
            rows = cursor.fetchall()
        if not rows or rows[0][0] is None:
            return None
        return rows[0][0], [tuple(row[1:-1]) for row in rows]


def sort_keys(queryset) -> list[tuple[str, bool]] | None:
    """`queryset`'s order as (field path, descending) up to its first unique field, when every key
    is a column that cannot be NULL, of its own table or of a row a non-null foreign key leads to
    (ordered by "branch": the branch's own ordering, as Django does), and the order is total; None
    otherwise."""
    query = queryset.query
    if query.combinator or query.distinct or query.is_sliced or query.extra_order_by or query.extra:
        return None
    meta = queryset.model._meta
    ordering = list(query.order_by) or (list(meta.ordering) if query.default_ordering else [])
    keys = []
    for item in ordering:
        if not isinstance(item, str):
            return None
        descending = item.startswith("-")
        name = item.removeprefix("-")
        if name == "pk":
            name = meta.pk.name
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.null or name in query.annotations:
            return None
        if field.is_relation:
            related = _related_keys(field, descending)
            if related is None:
                return None
            keys += related
            continue
        keys.append((field.name, descending))
        if field.unique:
            return keys
    return None


def _related_keys(field, descending: bool) -> list[tuple[str, bool]] | None:
    """The keys a foreign key orders by: the related model's ordering, one level deep."""
    if not field.many_to_one:
        return None
    ordering = field.related_model._meta.ordering
    if not ordering:
        return [(field.attname, descending)]
    keys = []
    for item in ordering:
        if not isinstance(item, str):
            return None
        name = item.removeprefix("-")
        try:
            related = field.related_model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not related.concrete or related.is_relation or related.null:
            return None
        keys.append((f"{field.name}__{related.name}", descending != item.startswith("-")))
    return keys


def at_or_after(keys: list[tuple[str, bool]], anchor: tuple) -> Q:
    """The rows at or after `anchor` in the order `keys` (directions may differ): (k1, k2, ...) past
    (a1, a2, ...) written out, with k1's own bound first so that an index on k1 is range-scanned."""
    (last, descending), value = keys[-1], anchor[-1]
    condition = Q(**{f"{last}__{'lte' if descending else 'gte'}": value})
    for (name, descending), value in reversed(list(zip(keys[:-1], anchor[:-1], strict=True))):
        condition = Q(**{f"{name}__{'lt' if descending else 'gt'}": value}) | (Q(**{name: value}) & condition)
    if len(keys) > 1:
        first, descending = keys[0]
        condition = Q(**{f"{first}__{'lte' if descending else 'gte'}": anchor[0]}) & condition
    return condition
