"""Pagination of the dashboard's lists: one helper and one template include for every page.

A list that can grow is shown a page at a time. Views call ``paginate`` and render
``ppsportal/includes/pagination.html`` with ``page``; the page links keep the request's other
query parameters (filters, ordering) through Django's ``{% querystring %}``.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def paginate(request, rows, *, per_page: int | None = None) -> Page:
    """The requested page of ``rows`` (a queryset or a list); a missing, malformed or too high
    page number gives the first or the last page, never an error; ``PAGE_SIZE`` rows a page
    unless ``per_page`` says otherwise. ``page.numbers`` is the elided range of page numbers
    for the navigation (``Paginator.ELLIPSIS`` between runs)."""
    paginator = Paginator(rows, per_page or PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
