"""A queryset built once and kept between requests whose SQL is compiled once too.

Turning a queryset into SQL is the ORM's work on every evaluation: for the call list, with the
schedule's expressions and four subqueries, it cost as much time as PostgreSQL spends running the
query. A selector that keeps a built queryset (see `checkins.selectors.call_list`) can wrap it with
`compiled_once`: then `.all()` and slices of it (a paginator's pages) are compiled once for each
slice and the SQL reused. Any other operation (`filter`, `order_by`, `values`, `count`, a use as a
subquery…) gives an ordinary queryset compiled as usual, so nothing built on top of the kept one
can be served a query that is not its own.
"""

from django.db.models import QuerySet
from django.db.models.sql import Query

# Slices kept for each queryset (a page each); past that, the oldest go.
SLICES_KEPT = 64

# Stands for a value given at each evaluation, e.g. `.filter(pk=PARAMETER)` then `.bound(pk)`: an
# integer no id, count or number of days in this application comes near.
PARAMETER = -7_355_608_131_072_026

# What SQLCompiler.as_sql sets on itself and the model iterable reads afterwards.
_COMPILER_STATE = (
    "select",
    "klass_info",
    "annotation_col_map",
    "col_count",
    "where",
    "having",
    "qualify",
    "has_extra_select",
    "_meta_ordering",
)

_compiler_classes: dict[type, type] = {}


def _compiled_once_compiler(base: type) -> type:
    """The database's own compiler class, with `as_sql` answered from the queryset's store."""
    if base not in _compiler_classes:

        def as_sql(self, with_limits=True, with_col_aliases=False):
            store = self.query.compiled_store
            key = (
                self.using,
                self.elide_empty,
                with_limits,
                with_col_aliases,
                self.query.low_mark,
                self.query.high_mark,
            )
            kept = store.get(key)
            if kept is None:
                sql_params = base.as_sql(self, with_limits=with_limits, with_col_aliases=with_col_aliases)
                if len(store) >= SLICES_KEPT:
                    store.pop(next(iter(store)))
                kept = store[key] = (sql_params, {name: getattr(self, name) for name in _COMPILER_STATE})
            else:
                for name, value in kept[1].items():
                    setattr(self, name, value)
            sql, params = kept[0]
            bound = getattr(self.query, "bound", PARAMETER)
            if bound != PARAMETER:
                params = tuple(bound if _is_parameter(param) else param for param in params)
            return sql, params

        _compiler_classes[base] = type(f"CompiledOnce{base.__name__}", (base,), {"as_sql": as_sql})
    return _compiler_classes[base]


def _is_parameter(value) -> bool:
    return type(value) is int and value == PARAMETER


class _CompiledOnceQuery(Query):
    """A SELECT of a `compiled_once` queryset; a clone of it (for any further operation) is a plain Query."""

    def clone(self):
        obj = super().clone()
        obj.__class__ = Query
        obj.__dict__.pop("compiled_store", None)
        obj.__dict__.pop("bound", None)
        return obj

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.__class__ = _compiled_once_compiler(type(compiler))
        return compiler


class CompiledOnceQuerySet(QuerySet):
    _compiled_store = None
    _bound = PARAMETER

    def _marked(self, clone, bound=None):
        if self._compiled_store is not None and isinstance(clone, QuerySet):
            clone._compiled_store = self._compiled_store
            clone._bound = self._bound if bound is None else bound
            clone.query.__class__ = _CompiledOnceQuery
            clone.query.compiled_store = self._compiled_store
            clone.query.bound = clone._bound
        return clone

    def bound(self, value: int):
        """This queryset with `value` where it was built with `PARAMETER` (same SQL, compiled once)."""
        if type(value) is not int:
            raise TypeError("A bound value is an integer.")
        return self._marked(super().all(), bound=value)

    def all(self):
        return self._marked(super().all())

    def __getitem__(self, k):
        result = super().__getitem__(k)
        return self._marked(result) if isinstance(k, slice) else result


_queryset_classes: dict[type, type] = {}


def compiled_once(queryset: QuerySet) -> QuerySet:
    """`queryset`, whose `.all()` and slices are compiled once (see the module's docstring).

    Only for a queryset that is kept and never changed afterwards, whose SQL depends on nothing
    but itself (its parameters are fixed when it is built, e.g. the day)."""
    base = type(queryset)
    if base not in _queryset_classes:
        _queryset_classes[base] = type(f"CompiledOnce{base.__name__}", (CompiledOnceQuerySet, base), {})
    kept = queryset.all()
    kept.__class__ = _queryset_classes[base]
    kept._compiled_store = {}
    return kept
