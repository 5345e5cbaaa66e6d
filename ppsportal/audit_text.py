"""The audit log in plain words: "Soft target: Johan Cruijff ArenA, read by Politie Amsterdam,
3 Dec 14:02". One function writes the sentence for an entry; the dashboard's access log and the
admin's audit log both show it.

An entry keeps the objects as a model label and public ids (``threats.softtarget``, uuids); the
names are looked up in one query per kind of object for a whole page of entries. Who may see a
name is the caller's to say (``scope``): the owner's administrator sees the names of its own
objects only, never those of another organisation read in the same request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ppsportal.models import AuditEvent

# How many names one sentence lists before "and 3 more".
NAMES_SHOWN = 3

# The verb of each action ("read by"); other actions read "<action> by".
VERBS = {
    "sensitive.viewed": gettext_lazy("read by"),
    "sharing.granted": gettext_lazy("shared by"),
    "sharing.revoked": gettext_lazy("access withdrawn by"),
    "sharing.rebased": gettext_lazy("sharing moved to another covenant by"),
    "sharing.lapsed": gettext_lazy("access lapsed, recorded for"),
    "audit.exported": gettext_lazy("exported by"),
    "privacy.exported": gettext_lazy("personal data exported by"),
    "privacy.anonymised": gettext_lazy("anonymised by"),
    "retention.expired": gettext_lazy("removed after its retention period by"),
    "stix.imported": gettext_lazy("imported by"),
}

# A model -> the Q limiting which of its objects may be named, or None: name none of them.
Scope = Callable[[type[Model]], Q | None]
Names = dict[tuple[str, str], str]


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _valid_ids(model: type[Model], ids: Iterable[str]) -> list:
    """The ids that are ids of this model at all (an entry may hold anything a caller wrote)."""
    field = model._meta.get_field("public_id")
    valid = []
    for value in ids:
        try:
            valid.append(field.to_python(value))
        except ValidationError:
            continue
    return valid


def _label_related(model: type[Model]) -> tuple[str, ...]:
    """The relations a shareable model's name reads (``Shareable.label_related``)."""
    from partnerships.sharing.registry import spec_for

    try:
        return spec_for(model).label_related
    except LookupError:
        return ()


def object_names(events: Iterable[AuditEvent], *, scope: Scope | None = None) -> Names:
    """The names of the objects the entries mention, by (label, id): one query per kind."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_ids:
            wanted[event.object_type].update(str(i) for i in event.object_ids)
    names: Names = {}
    for label, ids in wanted.items():
        model = _model(label)
        if model is None or not any(f.name == "public_id" for f in model._meta.fields):
            continue
        allowed = scope(model) if scope is not None else Q()
        valid = _valid_ids(model, ids)
        if allowed is None or not valid:
            continue
        rows = model._default_manager.filter(allowed, public_id__in=valid)
        rows = rows.select_related(*_label_related(model))
        names.update(((label, str(obj.public_id)), str(obj)) for obj in rows)
    return names


def _what(event: AuditEvent, names: Names) -> str:
    model = _model(event.object_type) if event.object_type else None
    count = len(event.object_ids or [])
    if model is None:
        return event.object_type or _("the portal")
    kind = capfirst(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)
    known = [names[key] for i in event.object_ids if (key := (event.object_type, str(i))) in names]
    if not known:
        return f"{kind}: {count}" if count != 1 else str(kind)
    shown = ", ".join(known[:NAMES_SHOWN])
    rest = count - min(len(known), NAMES_SHOWN)
    if rest:
        shown = ngettext("%(names)s and %(n)d more", "%(names)s and %(n)d more", rest) % {
            "names": shown,
            "n": rest,
        }
    return f"{kind}: {shown}"


def when_text(at) -> str:
    """ "3 Dec 14:02" ("3 dec 14:02" in Dutch); the year too when it is not this year's."""
    local = timezone.localtime(at)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "j M H:i" if same_year else "j M Y H:i")


def entry_sentence(event: AuditEvent, names: Names | None = None) -> str:
    """One entry in plain words: what, done by whom (the organisation, else the person), when."""
    verb = VERBS.get(event.action)
    who = event.organisation_name or event.actor_username or _("someone not signed in")
    doing = (
        f"{verb} {who}"
        if verb is not None
        else _("%(action)s by %(who)s") % {"action": event.action, "who": who}
    )
    return _("%(what)s, %(doing)s, %(when)s") % {
        "what": _what(event, names or {}),
        "doing": doing,
        "when": when_text(event.at),
    }


def entry_sentences(events: Iterable[AuditEvent], *, scope: Scope | None = None) -> list[str]:
    """The sentence of each entry of a page, the names looked up for the whole page at once."""
    events = list(events)
    names = object_names(events, scope=scope)
    return [entry_sentence(event, names) for event in events]
