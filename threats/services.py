"""Writes on the threat picture and the soft-target register. One function per use case, each
owning its transaction; refusals in words a person understands (Dutch or English)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Jurisdiction, Partnership, PartnershipMember
from partnerships.policy import require_nctv_staff
from partnerships.roles import Capability
from partnerships.selectors import actor_for
from partnerships.services.documents import check_pdf
from threats.models import (
    AlertLevel,
    AssessmentFacet,
    Measure,
    MeasurePackage,
    MeasureStatus,
    ModusOperandi,
    Motive,
    Report,
    ReportReply,
    ScaleUpStep,
    Sector,
    SectorAlertLevel,
    SecurityMeasure,
    SoftTarget,
    ThreatAssessment,
)
from threats.route import format_route, parse_route, route_box
from threats.services_checks import _check_codes, _require_may_change

# --- who may -----------------------------------------------------------------------------------


def _operator_of(by):
    """The organisation a writing user acts for; refused for roles that cannot write."""
    actor = actor_for(by)
    if actor.organisation is None or not (actor.can(Capability.WRITE) or actor.is_nctv_staff):
        raise PermissionDenied(_("Your role does not allow this."))
    return actor.organisation


# --- threat level and sectors -------------------------------------------------------------------


@transaction.atomic
def sector_create(*, code: str, name: str, name_en: str, by) -> Sector:
    require_nctv_staff(actor_for(by))
    sector = Sector(code=code, name=name, name_en=name_en)
    sector.full_clean()
    sector.save()
    sector_level_set(sector=sector, level=AlertLevel.BASISNIVEAU, rationale="", by=by)
    return sector


@transaction.atomic
def sector_level_set(*, sector: Sector, level: str, rationale: str, by) -> SectorAlertLevel:
    """Set a sector's ATb level (the NCTV's, for the Netherlands); the newest row is the current
    level, the rest is history."""
    from threats.services_levels import level_authority

    level_authority(by, Jurisdiction.NL)
    row = SectorAlertLevel(sector=sector, level=level, rationale=rationale or "", set_by=by)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def measure_package_set(
    *, sector: Sector, level: str, measures: list[str], by, notes: str = ""
) -> MeasurePackage:
    require_nctv_staff(actor_for(by))
    measures = _check_codes(measures, Measure.values, "measures")
    if level not in AlertLevel.values:
        raise ValidationError({"level": _("Unknown alert level.")})
    package, _created = MeasurePackage.objects.update_or_create(
        sector=sector, level=level, defaults={"measures": measures, "notes": notes}
    )
    return package


# --- threat assessments --------------------------------------------------------------------------


def _set_facets(assessment: ThreatAssessment, motives, modi) -> None:
    motives = _check_codes(motives, Motive.values, "motives")
    modi = _check_codes(modi, ModusOperandi.values, "modus_operandi")
    assessment.facets.all().delete()
    AssessmentFacet.objects.bulk_create(
        [AssessmentFacet(assessment=assessment, kind="motive", code=c) for c in motives]
        + [AssessmentFacet(assessment=assessment, kind="modus_operandi", code=c) for c in modi]
    )


@transaction.atomic
def assessment_create(
    *,
    by,
    title: str,
    summary: str,
    valid_from: date,
    tlp: str = "amber",
    body: str = "",
    valid_until: date | None = None,
    motives=(),
    modi=(),
    target_categories=(),
    regions=(),
    recommended_measures=(),
) -> ThreatAssessment:
    require_nctv_staff(actor_for(by))
    assessment = ThreatAssessment(
        title=title,
        summary=summary,
        body=body,
        tlp=tlp,
        valid_from=valid_from,
        valid_until=valid_until,
        regions=list(regions or []),
        recommended_measures=_check_codes(
            recommended_measures, Measure.values, "recommended_measures"
        ),
        owner_organisation=actor_for(by).organisation,
        created_by=by,
    )
    _check_validity(valid_from, valid_until)
    categories = _check_categories(target_categories)
    assessment.full_clean()
    assessment.save()
    _set_facets(assessment, motives, modi)
    assessment.target_categories.set(categories)
    return assessment


def _check_categories(categories) -> list[Sector]:
    """The sectors named (instances or primary keys); a sector that does not exist is refused."""
    categories = list(categories or [])
    wanted = [getattr(c, "pk", c) for c in categories]
    known = Sector.objects.in_bulk([pk for pk in wanted if pk is not None])
    unknown = [str(c) for c, pk in zip(categories, wanted, strict=True) if pk not in known]
    if unknown:
        raise ValidationError(
            {
                "target_categories": _("Unknown categories: %(values)s.")
                % {"values": ", ".join(unknown)}
            },
            code="unknown_category",
        )
    return [known[pk] for pk in dict.fromkeys(wanted)]


def _check_validity(valid_from, valid_until) -> None:
    if valid_until is not None and valid_from is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("'Valid until' cannot be before 'valid from'.")})


@transaction.atomic
def assessment_update(
    *, assessment: ThreatAssessment, by, motives=None, modi=None, target_categories=None, **changes
) -> ThreatAssessment:
    require_nctv_staff(actor_for(by))
    allowed = {
        "title",
        "summary",
        "body",
        "tlp",
        "valid_from",
        "valid_until",
        "regions",
        "recommended_measures",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"assessment_update got unknown fields: {sorted(unknown)}")
    if "recommended_measures" in changes:
        changes["recommended_measures"] = _check_codes(
            changes["recommended_measures"], Measure.values, "recommended_measures"
        )
    for field, value in changes.items():
        setattr(assessment, field, value)
    _check_validity(assessment.valid_from, assessment.valid_until)
    categories = None if target_categories is None else _check_categories(target_categories)
    assessment.full_clean()
    assessment.save()
    if motives is not None or modi is not None:
        current = {"motive": [], "modus_operandi": []}
        for facet in assessment.facets.all():
            current[facet.kind].append(facet.code)
        _set_facets(
            assessment,
            current["motive"] if motives is None else motives,
            current["modus_operandi"] if modi is None else modi,
        )
    if categories is not None:
        assessment.target_categories.set(categories)
    return assessment


# --- soft targets ------------------------------------------------------------------------------

# The fields an operator sets on a soft target (the admin and the API offer the same).
SOFT_TARGET_FIELDS = (
    "name",
    "category",
    "address",
    "municipality",
    "region",
    "latitude",
    "longitude",
    "capacity",
    "is_event",
    "event_start",
    "event_end",
    "route",
    "partnership",
    "security_contact_name",
    "security_contact_phone",
    "vulnerability_notes",
    "vulnerability_tlp",
)


def _check_target(target: SoftTarget) -> None:
    if target.is_event:
        if target.event_start is None or target.event_end is None:
            raise ValidationError({"event_start": _("An event needs a start and an end.")})
        if target.event_end <= target.event_start:
            raise ValidationError({"event_end": _("An event cannot end before it starts.")})
    else:
        target.event_start = target.event_end = None
        if (target.route or "").strip():
            message = _("Only an event has a route or perimeter; a venue is its location.")
            raise ValidationError({"route": ValidationError(message, code="route_not_event")})
    try:
        points = parse_route(target.route)
    except ValidationError as error:
        raise ValidationError({"route": error}) from None
    target.route = format_route(points)
    box = route_box(points) if points else (None, None, None, None)
    target.route_south, target.route_west, target.route_north, target.route_east = box
    if (
        target.partnership_id is not None
        and not PartnershipMember.objects.filter(
            partnership_id=target.partnership_id,
            organisation_id=target.operator_id,
            left_on__isnull=True,
        ).exists()
    ):
        raise ValidationError(
            {"partnership": _("Your organisation is not a member of this partnership.")}
        )


@transaction.atomic
def soft_target_create(*, by, measures: list[dict] = (), operator=None, **fields) -> SoftTarget:
    """Register a soft target for the user's organisation (NCTV staff may name the operator),
    with its measures; its scale-up scenario starts from the sector's measure packages."""
    unknown = set(fields) - set(SOFT_TARGET_FIELDS)
    if unknown:
        raise TypeError(f"soft_target_create got unknown fields: {sorted(unknown)}")
    own = _operator_of(by)
    if operator is not None and operator != own:
        require_nctv_staff(actor_for(by))
    operator = operator or own
    target = SoftTarget(operator=operator, created_by=by, **fields)
    _check_target(target)  # before full_clean, whose constraint check speaks in jargon
    target.full_clean()
    target.save()
    for row in measures:
        soft_target_set_measure(soft_target=target, by=by, **row)
    scale_up_initialise(soft_target=target)
    return target


@transaction.atomic
def soft_target_update(*, soft_target: SoftTarget, by, **changes) -> SoftTarget:
    unknown = set(changes) - set(SOFT_TARGET_FIELDS)
    if unknown:
        raise TypeError(f"soft_target_update got unknown fields: {sorted(unknown)}")
    _require_may_change(by, soft_target)
    category_changed = "category" in changes and changes["category"] != soft_target.category
    for field, value in changes.items():
        setattr(soft_target, field, value)
    _check_target(soft_target)
    soft_target.full_clean()
    soft_target.save()
    if category_changed:
        scale_up_initialise(soft_target=soft_target, overwrite=False)
    return soft_target


@transaction.atomic
def soft_target_set_measure(
    *,
    soft_target: SoftTarget,
    by,
    measure: str,
    status: str,
    last_reviewed: date | None = None,
    evidence=None,
) -> SecurityMeasure:
    _require_may_change(by, soft_target)
    if measure not in Measure.values:
        raise ValidationError(
            {
                "measure": _("'%(measure)s' is not in the catalogue of measures.")
                % {"measure": measure}
            },
            code="unknown_measure",
        )
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if last_reviewed is not None and last_reviewed > timezone.localdate():
        raise ValidationError({"last_reviewed": _("A review date cannot be in the future.")})
    row, _created = SecurityMeasure.objects.get_or_create(
        soft_target=soft_target, measure=measure, defaults={"status": status}
    )
    row.status = status
    row.last_reviewed = last_reviewed
    if evidence is not None:
        check_pdf(evidence, field="evidence")
        row.evidence.save("evidence.pdf", evidence, save=False)
    row.save()
    return row


@transaction.atomic
def scale_up_initialise(*, soft_target: SoftTarget, overwrite: bool = True) -> None:
    """Start each level's checklist, the target's own authority's levels, from the sector's
    measure package (the NCTV's packages are per ATb level: a Belgian target starts empty)."""
    from threats.jurisdictions import scale_up_levels

    packages = {
        p.level: p.measures for p in MeasurePackage.objects.filter(sector=soft_target.category)
    }
    for level, _label in scale_up_levels(soft_target.jurisdiction):
        if overwrite:
            ScaleUpStep.objects.update_or_create(
                soft_target=soft_target,
                level=level,
                defaults={"measures": list(packages.get(level, []))},
            )
        else:
            ScaleUpStep.objects.get_or_create(
                soft_target=soft_target,
                level=level,
                defaults={"measures": list(packages.get(level, []))},
            )


# --- reports back to government -----------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    by,
    soft_target: SoftTarget,
    kind: str,
    what: str,
    occurred_at: datetime,
    location: str = "",
    tlp: str = "amber",
    category: str = "other",
    latitude=None,
    longitude=None,
    attachments=(),
) -> Report:
    """A report about one of the organisation's own soft targets, with its evidence; routed
    to the police partner where a covenant allows it (``threats.services_reports``)."""
    from threats.services_reports import report_attach, report_route

    organisation = _operator_of(by)
    if soft_target.operator_id != organisation.pk:
        raise ValidationError(
            {"soft_target": _("Report only about your own organisation's soft targets.")}
        )
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": _("A report cannot be about the future.")})
    report = Report(
        soft_target=soft_target,
        kind=kind,
        what=what,
        occurred_at=occurred_at,
        location=location,
        category=category,
        latitude=latitude,
        longitude=longitude,
        tlp=tlp,
        reporter=by,
        reporter_organisation=organisation,
    )
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    report.full_clean()
    report.save()
    report_attach(report=report, uploads=attachments)
    report_route(report=report, by=by)
    return report


@transaction.atomic
def report_triage(*, report: Report, status: str, by) -> Report:
    require_nctv_staff(actor_for(by))
    if status not in Report.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    report.status = status
    report.save(update_fields=["status"])
    return report


@transaction.atomic
def report_reply(*, report: Report, body: str, by) -> ReportReply:
    """NCTV staff reply; the reporting organisation's writers may answer back."""
    actor = actor_for(by)
    own = (
        actor.organisation is not None and actor.organisation.pk == report.reporter_organisation_id
    )
    if not (actor.is_nctv_staff or (own and actor.can(Capability.WRITE))):
        raise PermissionDenied(_("Your role does not allow this."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a reply.")})
    if report.status == Report.Status.CLOSED and not actor.is_nctv_staff:
        raise ValidationError({"body": _("This report is closed.")})
    return ReportReply.objects.create(report=report, author=by, body=body.strip())


def partnerships_of(organisation) -> list[Partnership]:
    return list(
        Partnership.objects.filter(
            members__organisation=organisation, members__left_on__isnull=True
        ).distinct()
    )


# The threat levels of each jurisdiction (re-exported for the faces).
from threats.services_levels import threat_level_set as threat_level_set  # noqa: E402

# The scale-up scenario's writes, with the rule that it climbs (re-exported for the faces).
from threats.services_scale_up import scale_up_replace as scale_up_replace  # noqa: E402
from threats.services_scale_up import scale_up_set as scale_up_set  # noqa: E402
