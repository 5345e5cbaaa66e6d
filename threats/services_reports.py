"""Evidence and routing of reports back to government: attachments checked by type and size
(PDFs parsed as every document upload is), and a report routed to the police partner of its
soft target's partnership only under a covenant in force that allows its TLP level, through
the sharing engine. ``threats.services.report_create`` calls these in its transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Covenant, PartnerRole, PartnershipMember
from partnerships.selectors import actor_for
from partnerships.services.documents import check_pdf
from partnerships.sharing.services import share_with_organisation
from ppsportal.downloads import private_download
from ppsportal.sensitivity import TLP
from threats.models import Report, ReportAttachment, ThreatAssessment

MAX_ATTACHMENTS = 5
_MAGIC = {
    ReportAttachment.Kind.JPEG: (b"\xff\xd8\xff",),
    ReportAttachment.Kind.PNG: (b"\x89PNG\r\n\x1a\n",),
    ReportAttachment.Kind.PDF: (b"%PDF-",),
}


def attachment_kind(upload, *, field: str = "attachments") -> str:
    """The attachment's type from its content (never its name): ``ValidationError`` keyed
    ``field`` when too large, not a photo (JPEG, PNG) or PDF, or a PDF we refuse. The document
    library checks its uploads with it too."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is too large: at most %(mb)s MB is allowed.")
                % {"mb": limit // (1024 * 1024)}
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = next(
        (k for k, magics in _MAGIC.items() if any(head.startswith(m) for m in magics)), None
    )
    if kind is None:
        raise ValidationError(
            {field: _("Attach photos (JPEG or PNG) or PDF files only.")},
            code="bad_type",
        )
    if kind == ReportAttachment.Kind.PDF:
        check_pdf(upload, field=field)
    return kind


@transaction.atomic
def report_attach(*, report: Report, uploads) -> list[ReportAttachment]:
    uploads = list(uploads or [])
    if report.attachments.count() + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(n)s files per report.") % {"n": MAX_ATTACHMENTS}},
            code="too_many",
        )
    rows = []
    for upload in uploads:
        kind = attachment_kind(upload)
        attachment = ReportAttachment(
            report=report, kind=kind, name=(upload.name or "")[:200], size=upload.size
        )
        attachment.file.save(upload.name or kind, upload, save=False)
        attachment.save()
        rows.append(attachment)
    return rows


def police_routes(report: Report) -> list[tuple]:
    """``(police organisation, covenant)`` for each police partner of the report's soft target's
    partnership with a covenant in force that allows the report's TLP level; the sharing engine
    checks the footing again when routing."""
    partnership_id = report.soft_target.partnership_id
    if partnership_id is None:
        return []
    today = timezone.localdate()
    police = PartnershipMember.objects.filter(
        partnership_id=partnership_id, role=PartnerRole.POLICE, left_on__isnull=True
    ).select_related("organisation")
    covenants = list(
        Covenant.objects.in_force(today).filter(partnership_id=partnership_id).order_by("-id")
    )
    routes = []
    for member in police:
        for covenant in covenants:
            signed = covenant.signatories.filter(
                organisation=member.organisation, withdrawn_on__isnull=True, signed_on__lte=today
            ).exists()
            if signed and _allows(covenant, report.tlp):
                routes.append((member.organisation, covenant))
                break
    return routes


def _allows(covenant, level) -> bool:
    """Routing is a share: AMBER or AMBER+STRICT within the covenant's clause (CLEAR and GREEN
    reports stay with the NCTV; RED goes to named users only)."""
    if TLP.is_open(level) or level == TLP.RED:
        return False
    return TLP.allows(covenant.information_clause, level)


@transaction.atomic
def report_route(*, report: Report, by) -> list:
    """Route the report to each police partner a covenant allows; the organisations reached."""
    reached = []
    for organisation, covenant in police_routes(report):
        share_with_organisation(
            obj=report,
            organisation=organisation,
            covenant=covenant,
            by=by,
            reason=_("Suspicious-activity report routed to the police partner."),
        )
        reached.append(organisation)
    return reached


@transaction.atomic
def report_link_assessment(*, report: Report, assessment: ThreatAssessment | None, by) -> Report:
    """NCTV staff link the threat assessment the report feeds into (``None`` unlinks)."""
    if not actor_for(by).is_nctv_staff:
        raise PermissionDenied(_("Only NCTV staff may do this."))
    report.assessment = assessment
    report.save(update_fields=["assessment"])
    return report


def report_assessments_shown(actor, reports) -> set[int]:
    """Of the assessments linked to ``reports``, the ids ``actor`` may see (one query, none
    when nothing is linked): a report shows its assessment only to who may see the assessment."""
    linked = {report.assessment_id for report in reports if report.assessment_id}
    if not linked:
        return set()
    from threats.selectors import assessments_visible_to

    return set(
        assessments_visible_to(actor).filter(pk__in=linked).values_list("pk", flat=True).order_by()
    )


_CONTENT_TYPES = {
    ReportAttachment.Kind.PDF: "application/pdf",
    ReportAttachment.Kind.JPEG: "image/jpeg",
    ReportAttachment.Kind.PNG: "image/png",
}


def attachment_response(attachment: ReportAttachment):
    """The file as a private download (the caller has checked that the report is visible)."""
    return private_file_response(
        attachment.file, kind=attachment.kind, name=f"report-{attachment.public_id}"
    )


def private_file_response(field_file, *, kind: str, name: str):
    """A checked file as a private download, never a public URL: typed by its checked kind,
    not sniffed, not cached. The caller has checked that its owner is visible."""
    extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}[kind]
    return private_download(
        field_file, filename=f"{name}.{extension}", content_type=_CONTENT_TYPES[kind]
    )
