"""The trace of sensitive reads: every read of AMBER and above writes ``sensitive.viewed``."""

from __future__ import annotations

from collections.abc import Iterable

from partnerships.selectors import Actor
from partnerships.sharing.registry import spec_for
from partnerships.sharing.selectors import is_sensitive
from ppsportal.audit import audit_record


def audit_sensitive_reads(
    *, actor: Actor, objects: Iterable, request=None, purpose: str = ""
) -> None:
    """One ``sensitive.viewed`` entry naming the AMBER+ objects among ``objects`` (a detail
    page passes one object, a list its page, an export all rows). Nothing when none is."""
    objects = list(objects)
    if not objects:
        return
    spec = spec_for(objects[0])
    sensitive = [o for o in objects if is_sensitive(spec, o)]
    if not sensitive:
        return
    audit_record(
        action="sensitive.viewed",
        actor=actor.user,
        organisation=actor.organisation,
        object_type=spec.label,
        object_ids=[o.public_id for o in sensitive],
        owner_organisation_ids=[getattr(o, f"{spec.owner_field}_id") for o in sensitive],
        request=request,
        purpose=purpose or (request.path if request is not None else ""),
    )
