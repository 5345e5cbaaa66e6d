"""The trace of sensitive report reads: reports are not shared objects (they go to the NCTV and
stay with the reporting organisation), but a read of one at TLP:AMBER or above is still logged."""

from __future__ import annotations

from ppsportal.audit import audit_record
from ppsportal.sensitivity import TLP


def audit_report_reads(*, actor, reports, request=None, purpose: str = "") -> None:
    sensitive = [r for r in reports if TLP.rank(r.tlp) >= TLP.rank(TLP.AMBER)]
    if not sensitive:
        return
    audit_record(
        action="sensitive.viewed",
        actor=actor.user,
        organisation=actor.organisation,
        object_type="threats.report",
        object_ids=[r.public_id for r in sensitive],
        owner_organisation_ids=[r.reporter_organisation_id for r in sensitive],
        request=request,
        purpose=purpose or (request.path if request is not None else ""),
    )
