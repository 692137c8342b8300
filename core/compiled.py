"""A queryset built once and kept between requests whose SQL is compiled once too.

Turning a queryset into SQL is the ORM's work on every evaluation: for the call list, with the
schedule's expressions and four subqueries, it cost as much time as PostgreSQL spends running the
query. A selector that keeps a built queryset (see `checkins.selectors.call_list`) can wrap it with
`compiled_once`: then `.all()` and slices of it (a paginator's pages) are compiled once for each
slice and the SQL reused. Any other operation (`filter`, `order_by`, `values`, `count`, a use as a
subquery…) gives an ordinary queryset compiled as usual, so nothing built on top of the kept one
can be served a query that is not its own.
"""

from collections.abc import Callable

from django.db.models import Lookup, QuerySet
from django.db.models.sql import Query
from django.http import Http404

# Slices kept for each queryset (a page each); past that, the oldest go.
SLICES_KEPT = 64

# Stands for a value given at each evaluation, e.g. `.filter(pk=PARAMETER)` then `.bound(pk)`: an
# integer no id, count or number of days in this application comes near.
PARAMETER = -7_355_608_131_072_026
# Stands for the branch of whoever asks, given with `.bound(scope=…)`: one kept queryset serves
# every branch's workers (`accounts.access.kept_for`).
SCOPE_PARAMETER = -7_355_608_131_072_027
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

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


class AnyOf(Lookup):
    """`lhs = ANY(%s)` with one array parameter (PostgreSQL): the SQL is the same however many
    values, so a kept queryset built with `AnyOf(F("pk"), PARAMETER)` is bound to a list of ids."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


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
            bound = getattr(self.query, "bound", None)
            if bound:
                params = tuple(bound.get(param, param) if type(param) is int else param for param in params)
            return sql, params

        _compiler_classes[base] = type(f"CompiledOnce{base.__name__}", (base,), {"as_sql": as_sql})
    return _compiler_classes[base]


class _CompiledOnceQuery(Query):
    """A SELECT of a `compiled_once` queryset; a clone of it (for any further operation) is a plain Query."""

    def clone(self):
        if self.bound and not self.__dict__.get("marking"):
            # The plain clone would still say PARAMETER where the value was bound: a count or a
            # filter of it would be about no row, silently. Slices and reads are what it is for.
            raise TypeError("A bound kept queryset can only be sliced and read.")
        obj = super().clone()
        obj.__class__ = Query
        for name in ("compiled_store", "bound", "marking"):
            obj.__dict__.pop(name, None)
        return obj

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.__class__ = _compiled_once_compiler(type(compiler))
        return compiler


_UNSET = object()


class CompiledOnceQuerySet(QuerySet):
    _compiled_store = None
    _bound: dict = {}

    def _marked(self, clone, bound=None):
        if self._compiled_store is not None and isinstance(clone, QuerySet):
            clone._compiled_store = self._compiled_store
            clone._bound = self._bound if bound is None else bound
            clone.query.__class__ = _CompiledOnceQuery
            clone.query.compiled_store = self._compiled_store
            clone.query.bound = clone._bound
        return clone

    def bound(self, value=_UNSET, *, scope: int | None = None):
        """This queryset with `value` where it was built with `PARAMETER` (same SQL, compiled once):
        an integer, or a list of them where it was built with `AnyOf` (PostgreSQL); and `scope`
        where it was built with `SCOPE_PARAMETER`. It can then be sliced and read, nothing else
        (anything else raises TypeError)."""
        bound = dict(self._bound)
        for marker, given in ((PARAMETER, value), (SCOPE_PARAMETER, _UNSET if scope is None else scope)):
            if given is _UNSET:
                continue
            if type(given) is list:
                if not all(type(item) is int for item in given):
                    raise TypeError("A bound list holds integers.")
                given = [item for item in given if BIGINT_MIN <= item <= BIGINT_MAX]
                if not given:
                    return self._cloned(QuerySet.none)
            elif type(given) is not int:
                raise TypeError("A bound value is an integer, or a list of them.")
            elif not BIGINT_MIN <= given <= BIGINT_MAX:
                # No row has it, and PostgreSQL would refuse the parameter (an id typed into a URL).
                return self._cloned(QuerySet.none)
            bound[marker] = given
        return self._marked(self._cloned(QuerySet.all), bound=bound)

    def all(self):
        return self._marked(self._cloned(QuerySet.all))

    def __getitem__(self, k):
        if not isinstance(k, slice):
            found = list(self[k : k + 1])
            if not found:
                raise IndexError("queryset index out of range")
            return found[0]
        return self._marked(self._cloned(QuerySet.__getitem__, k))

    def _cloned(self, operation, *args):
        """QuerySet's `operation`, whose clone of a bound query is allowed: it is marked again at once."""
        marking = isinstance(self.query, _CompiledOnceQuery)
        if marking:
            self.query.marking = True
        try:
            return operation(self, *args)
        finally:
            if marking:
                del self.query.marking


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


# Querysets kept per process by `kept`, under everything their SQL depends on.
_kept_querysets: dict[tuple, QuerySet] = {}
QUERYSETS_KEPT = 512


def kept(key: tuple, build: Callable[[], QuerySet]) -> QuerySet:
    """The queryset `build()` gives, built once per process for `key` and compiled once (`compiled_once`).

    `key` names the selector and holds everything the SQL depends on: who asks (for a queryset
    scoped by `visible_to`, `accounts.access.kept_for` does that part), the day, the rules… A value
    that changes with each request (the retiree shown) is built as `PARAMETER` and given with
    `.bound(value)`. The kept queryset itself is shared: use it through `.all()`, `.bound()` or a
    slice, which give a clone, so that no rows are ever kept."""
    queryset = _kept_querysets.get(key)
    if queryset is None:
        if len(_kept_querysets) >= QUERYSETS_KEPT:
            _kept_querysets.clear()
        queryset = _kept_querysets[key] = compiled_once(build())
    return queryset


def kept_first(queryset: QuerySet, value: int):
    """The first row of a kept `queryset` bound to `value` (`PARAMETER`), or None: `.first()` for
    a kept queryset (which orders itself: `first()` would order by pk, another query)."""
    found = list(queryset.bound(value)[:1])
    return found[0] if found else None


def kept_get(queryset: QuerySet, value):
    """The row of a kept `queryset` (built with `.filter(pk=PARAMETER)`) bound to `value`, or
    Http404: `get_object_or_404` for a kept queryset."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Http404("No such row.") from None
    row = kept_first(queryset, value)
    if row is None:
        raise Http404("No such row in scope.")
    return row
