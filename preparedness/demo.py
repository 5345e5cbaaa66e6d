"""Demo preparedness: the NCTV's course catalogue; the ArenA's procedures (the evacuation plan
approved, lockdown still a draft) and a held evacuation exercise with open action items; the
Vierdaagse's training records, some expiring within the reminder window; and in Antwerp a
reporting protocol in force between AWDC and Politie Antwerpen (the Diamantkwartier covenant has
expired, by design), signed by each party itself, under which a suspicious-activity report with
a photo is routed to the police partner. The document library holds the NCTV's guidance (the
crowded-places guide in two versions, read by some, templates and a stadium checklist) and the
ArenA's AMBER evacuation map in its partnership. The Vierdaagse held an exercise started by the
alerts demo's exercise alert, linked to it.

Written through the services; running it twice changes nothing (an item that exists by its
natural key is left alone). Dates are relative to today."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from alerts.demo import VIERDAAGSE_EXERCISE
from alerts.models import Alert
from partnerships.services.signing import covenant_draft, covenant_sign
from preparedness import services, services_library
from preparedness.models import (
    Course,
    Exercise,
    Guidance,
    PartnershipDocument,
    Procedure,
    TrainingRecord,
)
from threats.models import Report
from threats.services import report_create

ANALYST = "nctv-analyst"

COURSES = [
    ("awareness", "Bewustwording terrorisme (awareness)", 24, True),
    ("first_response", "Eerste hulp bij aanslagen (first response)", 12, True),
    ("act", "ACT-achtige terrorismebewustwording (ACT awareness)", 12, True),
]


def seed(ctx) -> None:
    users = ctx.objects["users"]
    targets = ctx.objects["soft_targets"]
    today = timezone.localdate()
    courses = _courses(users[ANALYST])
    arena = targets["Johan Cruijff ArenA"]
    _procedures(arena, users["arena-operator"], today)
    _exercise(arena, users["arena-operator"], today)
    _training(targets["Nijmeegse Vierdaagse"], users["vierdaagse-operator"], courses, today)
    _vierdaagse_exercise(targets["Nijmeegse Vierdaagse"], users["vierdaagse-operator"], today)
    diamant = targets["Diamantkwartier Antwerpen"]
    _antwerp_protocol(diamant.partnership, users, ctx.objects["organisations"], today)
    _antwerp_report(diamant, users["diamant-operator"])
    _library(users, arena.partnership)


def _courses(by) -> dict:
    courses = {}
    for code, name, months, counts in COURSES:
        course = Course.objects.filter(code=code).first() or services.course_create(
            by=by, code=code, name=name, validity_months=months, counts_for_coverage=counts
        )
        courses[code] = course
    return courses


def _procedures(arena, by, today) -> None:
    specs = [
        ("evacuation", "Ontruimingsplan ArenA", "approved", 120),
        ("communication", "Crisiscommunicatie ArenA", "approved", 200),
        ("lockdown", "Lockdownprocedure ArenA", "draft", 60),
    ]
    for kind, title, state, days in specs:
        if Procedure.objects.filter(soft_target=arena, kind=kind).exists():
            continue
        services.procedure_save(
            soft_target=arena,
            by=by,
            kind=kind,
            title=title,
            owner="Hoofd veiligheid ArenA",
            state=state,
            review_due=today + timedelta(days=days),
            steps="1. Omroep en schermen. 2. Stewards openen de nooduitgangen. "
            "3. Verzamelen op P1 en P3. 4. Melding aan de meldkamer.",
        )


ITEMS = [
    ("Sleutelbeheer poort D bij de stewards onderbrengen", "Facilitair ArenA", 7),
    ("Omroepinstallatie catacomben laten doormeten", "Techniek ArenA", 30),
]


def _exercise(arena, by, today) -> None:
    """The held exercise; its open items' due dates move along with the demo's days."""
    scenario = "Ontruiming oostzijde bij een verdacht pakket"
    exercise = Exercise.objects.filter(soft_target=arena, scenario=scenario).first()
    if exercise is None:
        exercise = services.exercise_plan(
            soft_target=arena,
            by=by,
            scenario=scenario,
            planned_for=today - timedelta(days=21),
            participants="ArenA-stewards, politie Amsterdam, brandweer, gemeente Amsterdam",
        )
        services.exercise_record_held(
            exercise=exercise,
            by=by,
            held_on=today - timedelta(days=21),
            outcome="De oostzijde was in 11 minuten leeg; poort D bleef dicht omdat de sleutel "
            "niet bij de stewards lag. De omroep was in de catacomben niet te verstaan.",
        )
    existing = {item.description: item for item in exercise.action_items.all()}
    for description, owner, due in ITEMS:
        due_on = today + timedelta(days=due)
        item = existing.get(description)
        if item is None:
            services.action_item_add(
                exercise=exercise, by=by, description=description, owner=owner, due_on=due_on
            )
        elif item.done_on is None and item.due_on != due_on:
            services.action_item_reschedule(item=item, by=by, due_on=due_on)


def _vierdaagse_exercise(vierdaagse, by, today) -> None:
    """The Vierdaagse's held exercise, linked to the demo's exercise alert (if the alerts demo
    made it): its page shows how fast each partner acknowledged. The ArenA's exercise stays
    unlinked: the exercise alert went to the Vierdaagse's partners, which the ArenA does not
    see."""
    alert = Alert.objects.filter(headline=VIERDAAGSE_EXERCISE, kind=Alert.Kind.EXERCISE).first()
    scenario = "Verdacht voertuig bij de start (oefening met portaalalert)"
    if alert is None or Exercise.objects.filter(soft_target=vierdaagse, scenario=scenario).exists():
        return
    held_on = timezone.localdate(alert.published_at) if alert.published_at else today
    exercise = services.exercise_plan(
        soft_target=vierdaagse,
        by=by,
        scenario=scenario,
        planned_for=held_on,
        participants="Stichting DE4DAAGSE, VRGZ, politie Oost-Nederland, gemeente Nijmegen",
        alert=alert,
    )
    services.exercise_record_held(
        exercise=exercise,
        by=by,
        held_on=held_on,
        outcome="De voertuigbarrières op de Wedren waren binnen het kwartier dicht; niet alle "
        "partners bevestigden het oefenalert in het portaal.",
    )


def _training(vierdaagse, by, courses, today) -> None:
    specs = [
        ("awareness", "Verkeersregelaars", 400, 650, 600, None),
        ("first_response", "EHBO-posten", 120, 650, 340, 20),  # expires within 30 days
        ("act", "Vrijwilligers startterrein", 60, 650, 90, None),
    ]
    for code, role, trained, staff, days_ago, valid_days in specs:
        if TrainingRecord.objects.filter(soft_target=vierdaagse, role=role).exists():
            continue
        services.training_record_create(
            soft_target=vierdaagse,
            by=by,
            course=courses[code],
            role=role,
            trained_count=trained,
            staff_total=staff,
            held_on=today - timedelta(days=days_ago),
            valid_until=today + timedelta(days=valid_days) if valid_days else None,
        )


ANTWERP_PROTOCOL = "Meldprotocol verdachte situaties Diamantkwartier"
ANTWERP_REPORT = (
    "Een man filmde twintig minuten de camera's en slagbomen aan de toegang Schupstraat en "
    "noteerde de tijden van de bewakingsronde; hij liep weg toen een bewaker hem aansprak."
)


def _antwerp_protocol(partnership, users, orgs, today):
    """AWDC and Politie Antwerpen agree how suspicious situations are reported, apart from the
    expired covenant; each party signs for itself through the signing service."""
    protocol = partnership.covenants.filter(title=ANTWERP_PROTOCOL).first()
    if protocol is None:
        protocol = covenant_draft(
            by=users["diamant-operator"],
            partnership=partnership,
            title=ANTWERP_PROTOCOL,
            effective_from=today,
            effective_until=today + timedelta(days=730),
            kind="protocol",
            information_clause="amber",
            purpose="Verdachte situaties in het kwartier melden en doorzetten naar de politie.",
            retention_days=30,
            signatories=[orgs["AWDC"], orgs["Politie Antwerpen"]],
        )
    for username in ("diamant-operator", "antwerp-police"):
        covenant_sign(covenant=protocol, by=users[username])
    return protocol


def demo_photo() -> bytes:
    """A small grey PNG standing in for the reporter's photo (a real PNG: uploads are checked)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    width = height = 8
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _antwerp_report(diamant, by):
    if Report.objects.filter(soft_target=diamant, what=ANTWERP_REPORT).exists():
        return
    report_create(
        by=by,
        soft_target=diamant,
        kind=Report.Kind.SUSPICIOUS,
        category="hostile_reconnaissance",
        what=ANTWERP_REPORT,
        occurred_at=timezone.now() - timedelta(hours=5),
        location="Toegang Schupstraat",
        latitude=diamant.latitude,
        longitude=diamant.longitude,
        tlp="amber",
        attachments=[ContentFile(demo_photo(), name="schupstraat.png")],
    )


GUIDANCE = [
    # title, kind, sector code, versions, summary
    (
        "Handreiking beveiliging drukke plaatsen",
        "guide",
        None,
        2,
        "Maatregelen voor locaties waar veel mensen samenkomen: zonering, toegang, "
        "voertuigbarrières, personeel en communicatie (crowded-places guide).",
    ),
    ("Model convenant informatiedeling PPS", "covenant_template", None, 1, ""),
    ("Model meldprotocol verdachte situaties", "protocol_template", None, 1, ""),
    ("Checklist voetbalstadions", "checklist", "football_stadium", 1, ""),
]
ARENA_MAP = "Plattegrond nooduitgangen en verzamelpunten ArenA"


def _library(users, arena_partnership) -> None:
    from partnerships.demo import demo_pdf
    from threats.models import Sector

    staff = users[ANALYST]
    for title, kind, sector_code, versions, summary in GUIDANCE:
        guidance = Guidance.objects.filter(title=title).first()
        if guidance is None:
            guidance = services_library.guidance_publish(
                by=staff,
                title=title,
                kind=kind,
                summary=summary,
                sector=Sector.objects.filter(code=sector_code).first() if sector_code else None,
                upload=ContentFile(demo_pdf(), name="handreiking.pdf"),
                notes="Eerste versie",
            )
            if versions == 2:
                # The Vierdaagse read the first version; the ArenA has read the current one.
                services_library.guidance_mark_read(
                    guidance=guidance, by=users["vierdaagse-operator"]
                )
                services_library.guidance_version_add(
                    guidance=guidance,
                    by=staff,
                    upload=ContentFile(demo_pdf(), name="handreiking-v2.pdf"),
                    notes="Nieuw hoofdstuk over voertuigbarrières",
                )
                services_library.guidance_mark_read(guidance=guidance, by=users["arena-operator"])
    if not PartnershipDocument.objects.filter(title=ARENA_MAP).exists():
        services_library.partnership_document_upload(
            partnership=arena_partnership,
            by=users["arena-operator"],
            title=ARENA_MAP,
            description="Bij de ontruimingsoefening bijgewerkt; voor de partners van het convenant.",
            tlp="amber",
            upload=ContentFile(demo_pdf(), name="plattegrond.pdf"),
        )
