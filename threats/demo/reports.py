"""Demo reports back to government: one in each state, with replies."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from threats import services
from threats.demo.common import ANALYST
from threats.models import Report

REPORTS = [
    {
        "target": "Johan Cruijff ArenA",
        "by": "arena-operator",
        "kind": Report.Kind.SUSPICIOUS,
        "what": (
            "Twee personen fotografeerden de toegangspoorten en camera's bij ingang F en "
            "vroegen een steward naar de wisseltijden van de beveiliging."
        ),
        "location": "Ingang F, Arena Boulevard",
        "hours_ago": 30,
        "status": Report.Status.NEW,
        "replies": [],
    },
    {
        "target": "Nijmeegse Vierdaagse",
        "by": "vierdaagse-operator",
        "kind": Report.Kind.SUSPICIOUS,
        "what": (
            "Een drone vloog twintig minuten boven het startterrein op de Wedren tijdens de "
            "opbouw; de piloot is niet gevonden."
        ),
        "location": "Wedren",
        "hours_ago": 24 * 9,
        "status": Report.Status.IN_REVIEW,
        "replies": [
            (
                ANALYST,
                "Dank voor de melding. We hebben de politie Oost-Nederland gevraagd de drone na te "
                "gaan en houden u op de hoogte.",
            ),
            (
                "vierdaagse-operator",
                "Dank. De opbouwploeg heeft foto's van de drone gemaakt; die kunnen we aanleveren.",
            ),
        ],
    },
    {
        "target": "Diamantkwartier Antwerpen",
        "by": "diamant-operator",
        "kind": Report.Kind.INCIDENT,
        "what": (
            "Poging tot inbraak bij een toegang in de Hoveniersstraat; de dader is gevlucht, de"
            " camerabeelden zijn veiliggesteld."
        ),
        "location": "Hoveniersstraat",
        "hours_ago": 24 * 20,
        "status": Report.Status.CLOSED,
        "replies": [
            (
                ANALYST,
                "Afgehandeld door de politie Antwerpen; er zijn geen aanwijzingen voor een "
                "terroristisch oogmerk. We sluiten de melding.",
            ),
        ],
    },
]


def seed_reports(ctx, targets) -> list[Report]:
    users = ctx.objects["users"]
    reports = []
    for spec in REPORTS:
        target = targets[spec["target"]]
        report = Report.objects.filter(soft_target=target, what=spec["what"]).first()
        if report is None:
            report = services.report_create(
                by=users[spec["by"]],
                soft_target=target,
                kind=spec["kind"],
                what=spec["what"],
                occurred_at=timezone.now() - timedelta(hours=spec["hours_ago"]),
                location=spec["location"],
            )
        written = set(report.replies.values_list("body", flat=True))
        for author, body in spec["replies"]:
            if body not in written:
                services.report_reply(report=report, body=body, by=users[author])
        if report.status != spec["status"]:
            services.report_triage(report=report, status=spec["status"], by=users[ANALYST])
        reports.append(report)
    return reports
