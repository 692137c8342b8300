import json
from collections.abc import Callable

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

from .anchors import PageAnchors


class IdsFirstPaginator(Paginator):
    """Fetches a page as its ids first, then the rows with those ids (a "deferred join").

    With OFFSET, PostgreSQL reads and throws away every row before the page: on the last page of
    100,000 retirees that is 100,000 rows with their joins. The ids come from a narrow query that
    an index on (filter, sort key, id) answers from the index alone; the full rows, joins and
    annotations are then read for the page's ids only. One query more than a plain page, always.

    `ids`, when given, gives the ids of the places (bottom, top) of the list in its order instead
    (a copy of the list's order kept elsewhere: `checkins.call_order`). `rows`, when given, gives
    the rows of a page's ids in any order (a query compiled once, not the list's own with its
    filters, `.filter(pk__in=…)` compiled again for each page: the ids already passed the filters).
    """

    def __init__(
        self,
        *args,
        ids: Callable[[int, int], list] | None = None,
        rows: Callable[[list], list] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.ids = ids
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.ids is not None:
            ids = self.ids(bottom, top)
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(self._rows(ids), number, self)

    def _rows(self, ids) -> list:
        if not ids:
            return []
        if self.rows is None:
            return list(self.object_list.filter(pk__in=ids))
        found = {row.pk: row for row in self.rows(list(ids))}
        return [found[pk] for pk in ids if pk in found]


class EstimatedPage(Page):
    """A page of an EstimatedCountPaginator: whether a next page exists is known from the rows."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class EstimatedCountPaginator(IdsFirstPaginator):
    """An IdsFirstPaginator that counts only what it must, and exactly only while it is small.

    An exact COUNT(*) reads every matching row: ~15 ms for the 94,000 active retirees of a city,
    ten times that for a province, on every page. Here page 1's ids come first, one more than the
    page holds: a list that ends on it (most searches) gives its total without counting. Otherwise
    the rows are counted up to PROBE (cheap however broad the filter); past it PostgreSQL's
    estimate of the query's rows (EXPLAIN, no rows read) decides: at most EXACT_UP_TO, the rows
    are counted up to that; more, the estimate is the total, shown as approximate (`approximate`
    is true). Paging never relies on the estimate: the extra id says whether a next page exists,
    a page that ends the list makes the total exact, and a page number past the end shows the
    true last page.
    """

    PROBE = 2_000
    EXACT_UP_TO = 10_000

    def __init__(self, *args, anchors: PageAnchors | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.approximate = False
        self.anchors = anchors

    @cached_property
    def count(self):
        narrow = self.object_list.order_by().values("pk")
        counted = narrow[: self.PROBE + 1].count()
        if counted <= self.PROBE:
            return counted
        if connections[narrow.db].vendor != "postgresql":
            return self.object_list.count()
        estimate = _estimated_rows(narrow)
        if estimate <= self.EXACT_UP_TO:
            counted = narrow[: self.EXACT_UP_TO + 1].count()
            if counted <= self.EXACT_UP_TO:
                return counted
        self.approximate = True
        return max(estimate, counted)

    def get_page(self, number):
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        # Page 1 is fetched before anything is counted. Past it, a number beyond the pages an
        # estimated total allows is still tried (the estimate may be low), but no further than
        # twice those (a hand-made URL: ?page=99999999999).
        if number > 1 and number > self.num_pages:
            number = min(number, 2 * self.num_pages + 1) if self.approximate else max(self.num_pages, 1)
        return self.page(number)

    def page(self, number):
        bottom = (number - 1) * self.per_page
        ids = None
        if self.anchors is not None:
            # A far page from the kept anchors (core.anchors), exactly what OFFSET gives.
            ids = self.anchors.ids(self.object_list, bottom, self.per_page + 1)
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page + 1])
        more = len(ids) > self.per_page
        if not ids and number > 1:
            # Past the end: show the true last page.
            self._known_total(self.object_list.count())
            return super().page(self.num_pages)
        if not more:
            self._known_total(bottom + len(ids))
        elif number >= self.num_pages:
            # The estimate was low: there is at least one more page.
            self._known_total(bottom + self.per_page + 1, exact=False)
        return EstimatedPage(self._rows(ids[: self.per_page]), number, self, more=more)

    def _known_total(self, total: int, *, exact: bool = True):
        self.__dict__["count"] = total
        self.__dict__.pop("num_pages", None)
        self.approximate = not exact

    @property
    def rounded_count(self) -> int:
        """The approximate total to show: two significant figures (94,270 -> 94,000)."""
        if not self.approximate:
            return self.count
        step = 10 ** max(len(str(self.count)) - 2, 0)
        return round(self.count / step) * step


def _estimated_rows(queryset) -> int:
    """PostgreSQL's estimate of how many rows `queryset` returns (one EXPLAIN, no rows read)."""
    plan = queryset.explain(format="json")
    try:
        return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return 0


def paginate(
    request,
    queryset,
    per_page: int | None = None,
    *,
    ids_first: bool = False,
    estimate: bool = False,
    count: int | None = None,
    ids: Callable[[int, int], list] | None = None,
    rows: Callable[[list], list] | None = None,
    anchors: PageAnchors | None = None,
):
    """The requested page of `queryset` (two queries: a count and the page; three with `ids_first`).

    `estimate`: a large total is PostgreSQL's estimate (EstimatedCountPaginator; implies ids_first).
    `count`: the number of rows when the caller already knows it (no count query).
    `ids`: where the ids of a page come from, in the list's order (IdsFirstPaginator; implies
    ids_first, not with `estimate`).
    `rows`: the rows of a page's ids (IdsFirstPaginator), in any order.
    `anchors`: a far page from kept anchors instead of OFFSET (core.anchors; with `estimate` only).
    """
    kwargs = {}
    if estimate:
        paginator_class = EstimatedCountPaginator
        kwargs.update(rows=rows, anchors=anchors)
    elif ids_first or ids is not None:
        paginator_class = IdsFirstPaginator
        kwargs.update(ids=ids, rows=rows)
    else:
        paginator_class = Paginator
    paginator = paginator_class(queryset, per_page or settings.OUTREACH_PAGE_SIZE, **kwargs)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
