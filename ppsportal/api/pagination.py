"""Pages of every API list: ``count``, ``next``, ``previous``, ``results``.

- ``page`` is a whole number from 1 (400 otherwise, never the 404 DRF gives); a page past the
  last one is empty, with ``previous`` pointing at the last page;
- ``page_size`` is a whole number (400 otherwise); below 1 it means the default (50), above the
  maximum (200) the maximum.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ppsportal.pagination import CountedPaginator


class PortalPagination(PageNumberPagination):
    django_paginator_class = CountedPaginator  # the count and the page from one query
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = _("A page number, from 1. A page past the last one is empty.")
    page_size_query_description = _(
        "Results per page: 50 unless given, at most 200 (a larger number gives 200)."
    )

    def _whole_number(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise ValidationError({name: [_("Give a whole number.")]}) from None

    def get_page_size(self, request):
        size = self._whole_number(request, self.page_size_query_param)
        if size is None or size < 1:
            return self.page_size
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = self._whole_number(request, self.page_query_param)
        if number is not None and number < 1:
            raise ValidationError({self.page_query_param: [_("Pages are numbered from 1.")]})
        paginator = self.django_paginator_class(queryset, page_size)
        number = number or 1
        try:
            self.page = paginator.page(number)
        except EmptyPage:
            self.page = Page([], number, paginator)  # past the end: nothing more
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def get_previous_link(self):
        last = self.page.paginator.num_pages
        if self.page.number > last:  # past the end: back to the last page there is
            url = self.request.build_absolute_uri()
            if last == 1:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, last)
        return super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
