"""What a caller receives over STIX and TAXII: exactly what the REST API shows them.

Every read goes through the apps' own read doors (``assessments_visible_to``,
``alerts_visible_to``), which call the sharing engine; nothing here restates who may see what.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts.selectors import alerts_visible_to
from interop import stix
from partnerships.selectors import Actor
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import group_grants_valid, user_grants_valid
from ppsportal.sensitivity import TLP
from threats.selectors import assessments_visible_to


@dataclass
class FeedEntry:
    """One portal record in the feed: when it was added and its STIX objects."""

    date_added: datetime
    record: object
    objects: list = field(default_factory=list)


def levels_visible_to(actor: Actor) -> list[str]:
    """The TLP levels of the caller's collections: CLEAR and GREEN for every member of an
    organisation, each higher level at which the caller sees at least one object now."""
    if actor.organisation is None and not actor.is_nctv_staff:
        return []
    levels = {TLP.CLEAR, TLP.GREEN}
    levels.update(assessments_visible_to(actor).values_list("tlp", flat=True).distinct())
    levels.update(alerts_visible_to(actor).values_list("tlp", flat=True).distinct())
    return [level for level in TLP.values if level in levels]


def _covenants_by_object(actor: Actor, model, object_ids: list[int]) -> dict[int, list]:
    """The covenants of the grants (valid today) that carry these objects to the caller; for
    NCTV staff every valid grant's covenant."""
    found: dict[int, dict] = defaultdict(dict)
    if not object_ids:
        return found
    spec = spec_for(model)
    today = timezone.localdate()
    groups = group_grants_valid(spec, today).filter(content_object_id__in=object_ids)
    users = user_grants_valid(spec, today).filter(content_object_id__in=object_ids)
    if not actor.is_nctv_staff:
        groups = groups.filter(organisation=actor.organisation)
        users = users.filter(user=actor.user)
    for grants in (groups, users):
        for grant in grants.select_related("covenant"):
            found[grant.content_object_id][grant.covenant_id] = grant.covenant
    return {pk: sorted(c.values(), key=lambda c: c.pk) for pk, c in found.items()}


def feed_for(
    actor: Actor,
    *,
    level: str | None = None,
    added_after: datetime | None = None,
    request=None,
    purpose: str = "stix",
    audit: bool = True,
) -> list[FeedEntry]:
    """The caller's visible assessments and alerts as STIX, oldest first (by date added), each
    AMBER+ read written to the audit log; ``audit=False`` for a caller that returns only part
    of the feed and records what it returns (``audit_entries``)."""
    assessments = assessments_visible_to(actor).annotate(date_added=F("created_at"))
    alerts = (
        alerts_visible_to(actor)
        .select_related("owner_organisation")
        .annotate(date_added=Coalesce("published_at", "created_at"))
    )
    if level is not None:
        assessments = assessments.filter(tlp=level)
        alerts = alerts.filter(tlp=level)
    if added_after is not None:
        assessments = assessments.filter(date_added__gt=added_after)
        alerts = alerts.filter(date_added__gt=added_after)
    assessments = list(assessments.order_by("date_added", "pk"))
    alerts = list(alerts.order_by("date_added", "pk"))
    if audit:
        _audit(actor, assessments, alerts, request=request, purpose=purpose)
    entries = []
    for records, build in ((assessments, stix.assessment_objects), (alerts, stix.alert_objects)):
        if not records:
            continue
        covenants = _covenants_by_object(actor, type(records[0]), [r.pk for r in records])
        for record in records:
            objects = build(record, covenants=covenants.get(record.pk, []))
            entries.append(FeedEntry(date_added=record.date_added, record=record, objects=objects))
    entries.sort(key=lambda e: (e.date_added, str(e.record.public_id)))
    return entries


def _audit(actor: Actor, *groups, request, purpose: str) -> None:
    for records in groups:
        # writes ``sensitive.viewed`` for AMBER+ and marks the response uncacheable
        read_many(actor=actor, objects=records, request=request, purpose=purpose)


def audit_entries(actor: Actor, entries: list[FeedEntry], *, request, purpose: str) -> None:
    """Record the reads of the records of ``entries`` (one entry per model, as ``feed_for``)."""
    records = [e.record for e in entries]
    _audit(
        actor,
        [r for r in records if r._meta.model_name == "threatassessment"],
        [r for r in records if r._meta.model_name == "alert"],
        request=request,
        purpose=purpose,
    )


def feed_objects(entries: list[FeedEntry]) -> list[tuple[datetime, object]]:
    """The entries' STIX objects, each once (first appearance), with its date added; the TLP
    marking definitions the reports use come along."""
    seen: set[str] = set()
    flat: list[tuple[datetime, object]] = []
    for entry in entries:
        objects = list(entry.objects)
        for marking in getattr(entry.objects[0], "object_marking_refs", []):
            level = stix.LEVEL_OF_MARKING.get(marking)
            if level is not None:
                objects.append(stix.tlp_marking(level))
        for obj in objects:
            if obj.id in seen:
                continue
            seen.add(obj.id)
            flat.append((entry.date_added, obj))
    return flat
