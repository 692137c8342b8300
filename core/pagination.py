from django.conf import settings
from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    """Fetches a page as its ids first, then the rows with those ids (a "deferred join").

    With OFFSET, PostgreSQL reads and throws away every row before the page: on the last page of
    100,000 retirees that is 100,000 rows with their joins. The ids come from a narrow query that
    an index on (filter, sort key, id) answers from the index alone; the full rows, joins and
    annotations are then read for the page's ids only. One query more than a plain page, always.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = list(self.object_list.filter(pk__in=ids)) if ids else []
        return self._get_page(rows, number, self)


def paginate(request, queryset, per_page: int | None = None, *, ids_first: bool = False):
    """The requested page of `queryset` (two queries: a count and the page; three with `ids_first`)."""
    paginator_class = IdsFirstPaginator if ids_first else Paginator
    paginator = paginator_class(queryset, per_page or settings.OUTREACH_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
