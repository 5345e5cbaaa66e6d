"""Pagination of every list, dashboard and API alike: the count and the page from one query.

A list that can grow is shown a page at a time. Dashboard views call ``paginate`` and render
``ppsportal/includes/pagination.html`` with ``page``; the page links keep the request's other
query parameters (filters, ordering) through Django's ``{% querystring %}``. The API's
``PortalPagination`` pages with the same ``CountedPaginator``.

A queryset's count and page were two queries, and behind a read door the door ran twice
(docs/benchmarks.md, B3). ``CountedPaginator`` asks for the page with ``COUNT(*) OVER ()`` on
each row, so one query answers both; only a page that comes back empty (past the end) needs a
plain ``COUNT`` to know where the end is. A queryset the window would miscount, and a list, is
counted and sliced as Django does (``counted_in_page``).
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable, ValuesIterable

PAGE_SIZE = 50

# The annotation that carries the count on each row of the page; taken off before the rows go out.
TOTAL = "pagination_total"

# The largest OFFSET and LIMIT a database takes (a 64-bit integer on PostgreSQL and SQLite): a
# page number beyond it (``?page=`` is the caller's) is counted first, as Django does, and found
# past the end without a page query the database would refuse.
LARGEST_OFFSET = 2**63 - 1


def counted_in_page(rows) -> bool:
    """May the count of ``rows`` come from ``COUNT(*) OVER ()`` on its page? Not for a list, nor
    where the window would count other rows than the result holds (``DISTINCT``: the window is
    taken before duplicates go; a union, a slice already taken), nor for rows other than model
    instances or dicts (the extra column would change their shape), nor with ``FOR UPDATE``
    (PostgreSQL refuses it beside a window), nor on a database without window functions. Those
    are counted and paged by two queries, as Django does."""
    if not isinstance(rows, QuerySet):
        return False
    query = rows.query
    return (
        not query.distinct
        and not query.combinator
        and not query.is_sliced
        and not query.select_for_update
        and rows._iterable_class in (ModelIterable, ValuesIterable)
        and connections[rows.db].features.supports_over_clause
    )


class CountedPaginator(Paginator):
    """Django's ``Paginator`` with the same answers (pages, count, ``EmptyPage`` and
    ``PageNotAnInteger`` for the same numbers, ``get_page``'s fallbacks), the count taken from
    the page's own query where it can be (``counted_in_page``)."""

    def page(self, number):
        if "count" in self.__dict__ or not counted_in_page(self.object_list):
            return super().page(number)
        number = self._whole_number(number)
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page + self.orphans > LARGEST_OFFSET:
            return super().page(number)
        # the orphans a last page would take in: fetched too, so its end needs no second query
        fetched = list(
            self.object_list.annotate(**{TOTAL: Window(Count("*"))})[
                bottom : bottom + self.per_page + self.orphans
            ]
        )
        for row in fetched:
            if isinstance(row, dict):
                total = row.pop(TOTAL)
            else:
                total = getattr(row, TOTAL)
                delattr(row, TOTAL)
        if fetched:
            self.count = total
        elif bottom == 0:
            self.count = 0  # the first page is empty: so is the whole list
        # else: past the end, or a page an orphan went to the one before: ``count`` asks
        number = self.validate_number(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(fetched[: top - bottom], number, self)

    def _whole_number(self, number) -> int:
        """The page number as Django's ``validate_number`` takes it, short of the last page's
        check (which needs the count): ``PageNotAnInteger``, or ``EmptyPage`` below 1."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def get_page(self, number):
        """As Django's: a page number that is not a whole number gives the first page, one out of
        range the last. Past the end that is three queries (the empty page, the count, the last
        page: two before); below 1 two (the count, the last page), as before."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


def paginate(request, rows, *, per_page: int | None = None):
    """The requested page of ``rows`` (a queryset or a list); a missing, malformed or too high
    page number gives the first or the last page, never an error; ``PAGE_SIZE`` rows a page
    unless ``per_page`` says otherwise. ``page.numbers`` is the elided range of page numbers
    for the navigation (``Paginator.ELLIPSIS`` between runs)."""
    paginator = CountedPaginator(rows, per_page or PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
