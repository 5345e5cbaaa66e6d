"""What the threats app holds about a person (``ppsportal.privacy``): the reports they made
and the replies they wrote."""

from __future__ import annotations

from threats.models import Report, ReportReply


def personal_data(user) -> dict:
    return {
        "reports": [
            {
                "id": str(report.public_id),
                "soft_target": report.soft_target.name,
                "kind": report.kind,
                "what": report.what,
                "occurred_at": report.occurred_at.isoformat(),
                "location": report.location,
                "status": report.status,
                "created_at": report.created_at.isoformat(),
            }
            for report in Report.objects.filter(reporter=user).select_related("soft_target")
        ],
        "report_replies": [
            {
                "report": str(reply.report.public_id),
                "body": reply.body,
                "created_at": reply.created_at.isoformat(),
            }
            for reply in ReportReply.objects.filter(author=user).select_related("report")
        ],
    }


def anonymise(user) -> None:
    """Reports stay with the reporting organisation; the reporter becomes the pseudonym."""
