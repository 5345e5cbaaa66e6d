"""Import of STIX 2.1 bundles by NCTV staff: each report becomes a *draft* assessment, published
only when staff review it (``assessment_draft_publish``). What cannot be mapped is skipped with a
reason; a bundle of which nothing can be mapped is refused whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from interop import stix
from interop.models import AssessmentDraft
from partnerships.policy import require_nctv_staff
from partnerships.selectors import actor_for
from ppsportal.audit import audit_record
from threats.models import ModusOperandi, Motive, Sector
from threats.services import assessment_create

_TLP_1 = {  # the STIX 2.1 predefined TLP 1.0 markings, read as their TLP 2.0 level
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}


@dataclass
class ImportResult:
    drafts: list[AssessmentDraft] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)


def _level(report: dict) -> str | None:
    for ref in report.get("object_marking_refs", []):
        level = stix.LEVEL_OF_MARKING.get(ref) or _TLP_1.get(ref)
        if level is not None:
            return level
    return None


def _codes(refs, objects, prefix: str, prop: str, choices) -> tuple[list[str], list[str]]:
    """Codes of the referenced objects of one type, and the names that map to no code."""
    by_label = {str(label).lower(): code for code, label in choices.choices}
    found, unknown = [], []
    for ref in refs:
        if not ref.startswith(prefix):
            continue
        obj = objects.get(ref, {})
        code = obj.get(prop) or by_label.get(str(obj.get("name", "")).lower())
        if code in choices.values:
            found.append(code)
        else:
            unknown.append(obj.get("name") or ref)
    return sorted(set(found)), unknown


def _valid_from(report: dict) -> date | None:
    if report.get("x_pps_valid_from"):
        return parse_date(report["x_pps_valid_from"])
    moment = parse_datetime(str(report.get("published", "")).replace("Z", "+00:00"))
    return moment.date() if moment else None


def _map_report(report: dict, objects: dict) -> tuple[dict | None, str]:
    level = _level(report)
    if level is None:
        return None, _("no TLP marking")
    valid_from = _valid_from(report)
    if not report.get("name") or valid_from is None:
        return None, _("no name or publication date")
    refs = report.get("object_refs", [])
    motives, unknown_motives = _codes(refs, objects, "threat-actor--", "x_pps_motive", Motive)
    modi, unknown_modi = _codes(
        refs, objects, "attack-pattern--", "x_pps_modus_operandi", ModusOperandi
    )
    categories = report.get("x_pps_target_categories") or [
        label.removeprefix("target-category:")
        for label in report.get("labels", [])
        if label.startswith("target-category:")
    ]
    known = set(Sector.objects.filter(code__in=categories).values_list("code", flat=True))
    unknown = unknown_motives + unknown_modi + [c for c in categories if c not in known]
    if unknown:
        return None, _("cannot map: %(names)s") % {"names": ", ".join(sorted(map(str, unknown)))}
    until = report.get("x_pps_valid_until")
    return {
        "stix_id": report["id"],
        "title": str(report["name"])[:200],
        "summary": report.get("description") or str(report["name"]),
        "body": report.get("x_pps_body") or "",
        "tlp": level,
        "valid_from": valid_from,
        "valid_until": parse_date(until) if until else None,
        "motives": motives,
        "modi": modi,
        "target_categories": sorted(known),
        "regions": list(report.get("x_pps_regions") or []),
    }, ""


@transaction.atomic
def stix_bundle_import(*, bundle: dict, by, request=None) -> ImportResult:
    require_nctv_staff(actor_for(by), _("Only NCTV staff import STIX bundles."))
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise ValidationError({"bundle": _("Send a STIX 2.1 bundle.")}, code="not_a_bundle")
    raw = bundle.get("objects") or []
    objects = {o.get("id"): o for o in raw if isinstance(o, dict)}
    result = ImportResult()
    for obj in objects.values():
        if obj.get("type") != "report":
            continue
        fields, reason = _map_report(obj, objects)
        if fields is None:
            result.skipped.append({"id": obj.get("id"), "reason": reason})
            continue
        result.drafts.append(AssessmentDraft.objects.create(imported_by=by, **fields))
    if not result.drafts:
        raise ValidationError(
            {
                "bundle": [_("Nothing in this bundle could be mapped to an assessment.")]
                + [f"{s['id']}: {s['reason']}" for s in result.skipped]
            },
            code="nothing_mapped",
        )
    audit_record(
        action="stix.imported",
        actor=by,
        organisation=actor_for(by).organisation,
        object_type="interop.assessmentdraft",
        object_ids=[d.public_id for d in result.drafts],
        request=request,
        detail={"skipped": result.skipped},
    )
    return result


@transaction.atomic
def assessment_draft_publish(*, draft: AssessmentDraft, by, request=None):
    """Staff reviewed the draft: it becomes an assessment (owned by the NCTV, no shares yet)."""
    require_nctv_staff(actor_for(by), _("Only NCTV staff import STIX bundles."))
    draft = AssessmentDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.status != AssessmentDraft.Status.DRAFT:
        return draft.assessment
    assessment = assessment_create(
        by=by,
        title=draft.title,
        summary=draft.summary,
        body=draft.body,
        tlp=draft.tlp,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        motives=draft.motives,
        modi=draft.modi,
        target_categories=list(Sector.objects.filter(code__in=draft.target_categories)),
        regions=draft.regions,
    )
    draft.status = AssessmentDraft.Status.PUBLISHED
    draft.assessment = assessment
    draft.save(update_fields=["status", "assessment"])
    return assessment
