"""The read door: every face reads shareable objects through here, and every read of AMBER and
above writes ``sensitive.viewed`` in the same call.

- ``read_one`` answers one object the actor may see, or raises ``Http404`` (missing and not
  visible alike), and records the read when the object is AMBER or above.
- ``read_many`` takes the rows a face is about to show (a list page, a feed, an export) and
  records the AMBER+ ones among them in one entry per kind (all in one INSERT), returning the
  rows.
- Each AMBER+ object read comes back with ``shared_under``: the covenant and its purpose when
  the reader sees it only by a grant (``partner.SharedUnder``), else ``None`` (its own, read as
  NCTV staff, or CLEAR/GREEN: open levels reach their audience without a covenant); the entry
  keeps them in ``detail["shared_under"]``, so the owner's access log shows the purpose. This
  holds for every shareable model: what partners share and what the NCTV shares (threat
  assessments, alerts) alike.

No face writes ``sensitive.viewed`` itself; the test that walks every dashboard, API, feed and
export path (``tests/partnerships/test_read_door.py``) finds exactly one entry per read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet
from django.http import Http404

from partnerships.selectors import Actor, actor_for
from partnerships.sharing.partner import PartnerShare, shared_under_map
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import is_sensitive, visible_to
from ppsportal.audit import SENSITIVE_READ, audit_event, audit_record_many


def _actor(actor_or_user) -> Actor:
    return actor_or_user if isinstance(actor_or_user, Actor) else actor_for(actor_or_user)


def read_one(
    actor,
    queryset_or_model: QuerySet | type[Model],
    *,
    request=None,
    purpose: str = "",
    **lookup,
):
    """The object matching ``lookup`` among those ``actor`` (an actor or a user) may see, with
    its AMBER+ read recorded; ``Http404`` when there is none (missing or not visible alike)."""
    actor = _actor(actor)
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        obj = visible_to(actor, queryset).get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned, ValueError):
        raise Http404 from None
    read_many(actor, [obj], request=request, purpose=purpose)
    return obj


def read_many(actor, objects: Iterable, *, request=None, purpose: str = "") -> list:
    """Record the read of ``objects`` (already filtered by visibility, as ``visible_to`` or a
    selector built on it returns them): one ``sensitive.viewed`` entry per kind of object naming
    its AMBER+ ones, all written in one INSERT, nothing when none is. Returns the objects as a
    list."""
    objects = list(objects)
    if not objects:
        return objects
    actor = _actor(actor)
    by_kind: dict = {}
    for obj in objects:
        spec = spec_for(obj)
        if is_sensitive(spec, obj):
            by_kind.setdefault(spec.label, (spec, []))[1].append(obj)
    events = []
    for spec, sensitive in by_kind.values():
        under = shared_under_map(actor, sensitive)
        for obj in sensitive:
            # the covenant and its purpose, shown with the object (``shared_under``)
            obj.shared_under = under.get(obj.pk)
        # a page may show one object twice (an inbox with two deliveries of one alert): each
        # instance carries ``shared_under``, the entry names the object once
        sensitive = list({o.pk: o for o in sensitive}.values())
        events.append(
            audit_event(
                action=SENSITIVE_READ,
                actor=actor.user,
                organisation=actor.organisation,
                object_type=spec.label,
                object_ids=[o.public_id for o in sensitive],
                owner_organisation_ids=[getattr(o, f"{spec.owner_field}_id") for o in sensitive],
                request=request,
                purpose=purpose or (request.path if request is not None else ""),
                detail=_shared_under_detail(sensitive, under),
            )
        )
    audit_record_many(events)
    return objects


def _shared_under_detail(objects, under) -> dict | None:
    """The covenant and its purpose for each object read under a grant (the access log shows
    them to the owner); nothing when the reader owns them or is NCTV staff."""
    rows = [
        {
            "object": str(o.public_id),
            "owner": str(under[o.pk].sharer.public_id),
            **under[o.pk].as_dict(),
        }
        for o in objects
        if o.pk in under
    ]
    return {"shared_under": rows} if rows else None


def record_reads(actor, rows: Iterable[PartnerShare], *, request=None, purpose: str = "") -> list:
    """A list of shares names AMBER+ objects: record their read through the read door, one
    entry per kind of object, one INSERT. Returns the rows."""
    rows = list(rows)
    read_many(actor, [row.obj for row in rows], request=request, purpose=purpose)
    return rows
