"""A read-only TAXII 2.1 server over the caller's STIX feed.

- ``/taxii2/``: discovery; ``/taxii2/api/``: the one API root;
- ``/taxii2/api/collections/``: one collection per TLP level the caller may see (CLEAR and
  GREEN for every member; AMBER, AMBER+STRICT, RED while the caller sees an object at that
  level, so a lapsed covenant takes the AMBER collection away on the next request);
- ``.../collections/<id>/objects/``: an envelope, ``added_after``, ``limit``, ``next`` and
  ``match[type]``/``match[id]``; ``.../objects/<stix id>/``: one object.

Authentication and visibility are the API's: the same tokens, the same read doors. A collection
the caller may not see answers 404, like one that does not exist. Every AMBER+ read is audited.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC

from django.http import Http404
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from interop import stix
from interop.selectors import audit_entries, feed_for, feed_objects, levels_visible_to
from partnerships.selectors import actor_for
from ppsportal.sensitivity import TLP

MEDIA_TYPE = "application/taxii+json;version=2.1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def collection_id(level: str) -> str:
    return str(uuid.uuid5(stix.NAMESPACE, f"taxii-collection:{level}"))


LEVEL_OF_COLLECTION = {collection_id(level): level for level in TLP.values}


class TaxiiRenderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "taxii"
    charset = None


def _acceptable(part: str) -> bool:
    media, *params = (p.strip() for p in part.split(";"))
    if media not in {"application/taxii+json", "application/*", "*/*"}:
        return False
    versions = [p.split("=", 1)[1] for p in params if p.startswith("version=")]
    return not versions or versions == ["2.1"]


class TaxiiNegotiation(BaseContentNegotiation):
    """TAXII 2.1 answers in one media type; an Accept header that excludes it is 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "") or "*/*"
        if any(_acceptable(part) for part in accept.split(",")):
            return renderers[0], MEDIA_TYPE
        raise exceptions.NotAcceptable(_("Ask for %(media)s.") % {"media": MEDIA_TYPE})


def taxii_exception_handler(exc, context):
    """Errors as TAXII error messages: ``title`` and ``http_status``."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        title = str(detail) if detail else json.dumps(response.data)
        response.data = {"title": title, "http_status": str(response.status_code)}
    return response


class TaxiiView(APIView):
    schema = None  # TAXII 2.1 is its own specification, not part of the portal's OpenAPI
    permission_classes = [IsAuthenticated]
    renderer_classes = [TaxiiRenderer]
    content_negotiation_class = TaxiiNegotiation

    def get_exception_handler(self):
        return taxii_exception_handler

    def _api_root_url(self):
        return self.request.build_absolute_uri(reverse("taxii-api-root"))

    def _level(self, collection: str) -> str:
        """The collection's TLP level, if the caller may see it; else 404."""
        level = LEVEL_OF_COLLECTION.get(str(collection))
        if level is None or level not in levels_visible_to(actor_for(self.request.user)):
            raise exceptions.NotFound(_("No such collection."))
        return level


class DiscoveryView(TaxiiView):
    def get(self, request):
        root = self._api_root_url()
        return Response(
            {
                "title": "PPS Portal TAXII",
                "description": _("The threat picture of the PPS Portal, as you may see it."),
                "default": root,
                "api_roots": [root],
            }
        )


class ApiRootView(TaxiiView):
    def get(self, request):
        return Response(
            {
                "title": "PPS Portal",
                "description": _("Threat assessments and alerts as STIX 2.1."),
                "versions": [MEDIA_TYPE],
                "max_content_length": 0,  # read-only: nothing may be posted
            }
        )


def _collection(level: str) -> dict:
    label = str(TLP(level).label)
    return {
        "id": collection_id(level),
        "title": label,
        "description": _("Threat assessments and alerts at %(level)s.") % {"level": label},
        "can_read": True,
        "can_write": False,
        "media_types": [MEDIA_TYPE],
    }


class CollectionsView(TaxiiView):
    def get(self, request):
        levels = levels_visible_to(actor_for(request.user))
        return Response({"collections": [_collection(level) for level in levels]})


class CollectionView(TaxiiView):
    def get(self, request, collection):
        return Response(_collection(self._level(collection)))


def _added_after(request):
    raw = request.query_params.get("added_after")
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        message = _("added_after must be a timestamp with a time zone, such as %(example)s.")
        raise exceptions.ValidationError({"detail": message % {"example": "2026-05-01T10:00:00Z"}})
    return value


def _whole_number(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError(
            {"detail": _("%(name)s must be a whole number.") % {"name": name}}
        ) from None
    if value < 0:
        raise exceptions.ValidationError(
            {"detail": _("%(name)s must not be negative.") % {"name": name}}
        )
    return value


def _timestamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _matches(request, obj) -> bool:
    types = {t for v in request.query_params.getlist("match[type]") for t in v.split(",")}
    ids = {i for v in request.query_params.getlist("match[id]") for i in v.split(",")}
    return (not types or obj["type"] in types) and (not ids or obj["id"] in ids)


class ObjectsView(TaxiiView):
    def get(self, request, collection, object_id=None):
        level = self._level(collection)
        actor = actor_for(request.user)
        entries = feed_for(
            actor, level=level, added_after=_added_after(request), request=request, audit=False
        )
        rows = [(added, json.loads(obj.serialize())) for added, obj in feed_objects(entries)]
        rows = [(added, obj) for added, obj in rows if _matches(request, obj)]
        if object_id is not None:
            rows = [(added, obj) for added, obj in rows if obj["id"] == object_id]
            if not rows:
                raise exceptions.NotFound(_("No such object."))
        limit = min(_whole_number(request, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
        start = _whole_number(request, "next", 0)
        page = rows[start : start + limit]
        body: dict = {"more": start + limit < len(rows)}
        if body["more"]:
            body["next"] = str(start + limit)
        if page:
            body["objects"] = [obj for _added, obj in page]
        shown = {obj["id"] for _added, obj in page}
        audit_entries(
            actor,
            [e for e in entries if stix.report_id(e.record.public_id) in shown],
            request=request,
            purpose="taxii",
        )
        response = Response(body)
        if page:
            response["X-TAXII-Date-Added-First"] = _timestamp(page[0][0])
            response["X-TAXII-Date-Added-Last"] = _timestamp(page[-1][0])
        return response
