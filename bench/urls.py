"""The portal's URLs plus the bare endpoints the benchmarks compare against (B4, B5, B6): plain
Django views without authentication, serializers or the read door. Only bench/settings.py and
the bench harness use this URLconf; it is never served by the portal."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template import Context, Template
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ppsportal.urls import urlpatterns as portal

PAGE = 50


def bare_contacts(request, organisation_id: int):
    """The limit of B4: count and the first page of one organisation's contact-log entries,
    filtered on the organisation column, as JSON."""
    from partnerships.models import ContactEntry

    rows = ContactEntry.objects.filter(owner_organisation_id=organisation_id).order_by("-pk")
    page = list(rows.values("id", "occurred_on", "kind", "summary", "tlp")[:PAGE])
    return JsonResponse({"count": rows.count(), "results": page})


def drf_contacts():
    """The second limit of B4: a plain DRF list of one organisation's contact-log entries (the
    organisation column filter), with the API's own serializer, related rows and page of 50, but
    no authentication, sharing filter or read door: what the list costs without them."""
    from rest_framework import generics, permissions

    from partnerships.api.contacts import ContactSerializer
    from partnerships.models import ContactEntry
    from ppsportal.api.pagination import PortalPagination

    class PlainContactList(generics.ListAPIView):
        serializer_class = ContactSerializer
        pagination_class = PortalPagination
        authentication_classes: list = []
        permission_classes = [permissions.AllowAny]
        throttle_classes: list = []

        def get_queryset(self):
            return (
                ContactEntry.objects.filter(owner_organisation_id=self.kwargs["organisation_id"])
                .order_by("-occurred_on")
                .select_related("partnership", "owner_organisation", "created_by")
            )  # the serializer's list reads participants and actions (two queries), as the API's

    return PlainContactList.as_view()


@csrf_exempt
def bare_acknowledge(request):
    """The limit of B5: insert one acknowledgement row from the posted ids, nothing checked."""
    from alerts.models import Acknowledgement

    ack = Acknowledgement.objects.create(
        alert_id=int(request.POST["alert"]),
        organisation_id=int(request.POST["organisation"]),
        user_id=int(request.POST["user"]),
    )
    return JsonResponse({"id": ack.pk}, status=201)


BARE_PAGE = Template(
    '<!doctype html><html lang="nl"><head><title>Locaties</title></head><body><main>'
    "<p>{{ count }} locaties</p><table><thead><tr><th>Naam</th><th>Categorie</th>"
    "<th>Beheerder</th><th>Gemeente</th><th>Capaciteit</th></tr></thead><tbody>"
    '{% for t in rows %}<tr><td><a href="/soft-targets/{{ t.public_id }}/">{{ t.name }}</a>'
    "</td><td>{{ t.category.name }}</td><td>{{ t.operator.name }}</td>"
    "<td>{{ t.municipality }}</td><td>{{ t.capacity }}</td></tr>{% endfor %}"
    "</tbody></table></main></body></html>"
)


def bare_page(request):
    """The limit of B6: a count and the first page (50 rows) of soft targets with their category
    and operator (one join), rendered by a Django template, without authentication,
    middleware of the portal's own, base template or menus."""
    from threats.models import SoftTarget

    rows = SoftTarget.objects.select_related("category", "operator").order_by("name", "pk")
    context = Context({"count": rows.count(), "rows": rows[:PAGE]})
    return HttpResponse(BARE_PAGE.render(context))


urlpatterns = [
    path("bench/page/", bare_page),
    path("bench/contacts/<int:organisation_id>/", bare_contacts),
    path("bench/drf-contacts/<int:organisation_id>/", drf_contacts()),
    path("bench/acknowledge/", bare_acknowledge),
    *portal,
]
