"""Writing to the audit log. Every sensitive read and every change of access comes through here."""

from __future__ import annotations

from collections.abc import Iterable

from ppsportal.addresses import client_address
from ppsportal.models import AuditEvent
from ppsportal.sensitivity import mark_sensitive_response

# Reads of objects at TLP:AMBER and above: their responses are never cached (no-store).
SENSITIVE_READ = "sensitive.viewed"


def client_ip(request) -> str | None:
    """The client's address: the socket's, or the one our trusted proxies saw
    (``TRUSTED_PROXY_COUNT``); never what a client wrote into ``X-Forwarded-For`` itself."""
    return client_address(request)


def audit_record(**fields) -> AuditEvent:
    """Append one event: the one ``audit_event`` builds from the same keywords, saved.
    ``action`` is dotted: ``sharing.granted``, ``sensitive.viewed``, …"""
    event = audit_event(**fields)
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append the events ``audit_event`` built, in one INSERT (a page that shows several kinds
    of objects: one entry per kind, one round trip). One event, the usual page, is saved as
    ``audit_record`` saves it: ``bulk_create`` wraps its INSERT in a transaction of its own,
    which outside a request's transaction costs a ``BEGIN`` and a ``COMMIT`` round trip more
    (docs/benchmarks.md, B4); a single INSERT is atomic by itself."""
    if len(events) == 1:
        events[0].save(force_insert=True)
        return events
    return AuditEvent.objects.bulk_create(events) if events else []


def audit_event(
    *,
    action: str,
    actor=None,
    organisation=None,
    object_type: str = "",
    object_ids: Iterable = (),
    owner_organisation_ids: Iterable[int] = (),
    request=None,
    purpose: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """The event ``audit_record`` appends, not yet saved (``audit_record_many`` saves several)."""
    if "." not in action:
        raise ValueError(f"audit actions are dotted names, got {action!r}")
    if action == SENSITIVE_READ:
        mark_sensitive_response(request)
    owners = sorted({int(i) for i in owner_organisation_ids if i is not None})
    actor_ok = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        action=action,
        actor_id=actor.pk if actor_ok else None,
        actor_username=actor.get_username() if actor_ok else "",
        organisation_id=organisation.pk if organisation is not None else None,
        organisation_name=organisation.name if organisation is not None else "",
        object_type=object_type,
        object_ids=[str(i) for i in object_ids],
        owner_organisation_ids="," + ",".join(str(i) for i in owners) + "," if owners else "",
        ip_address=client_ip(request),
        purpose=purpose[:300],
        detail=detail or {},
    )


def owner_filter_value(organisation_id: int) -> str:
    """The substring to look for in ``owner_organisation_ids`` for one organisation."""
    return f",{organisation_id},"
