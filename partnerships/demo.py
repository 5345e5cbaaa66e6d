"""Demo data: the NCTV and the three cases of the study, as organisations, people and
partnerships. Everything is written through the services; running it twice changes nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from partnerships.models import (
    ContactEntry,
    Covenant,
    Membership,
    Organisation,
    Partnership,
    Role,
    Sector,
)
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as services
from partnerships.services import partnerships as partnership_services

User = get_user_model()

ORGANISATIONS = [
    # name, kind, sector, registration number, region, municipality, country, is_nctv
    ("NCTV", "public", "", "", "Nationaal", "Den Haag", "NL", True),
    (
        "Johan Cruijff ArenA",
        "private",
        Sector.FOOTBALL_STADIUM,
        "34105460",
        "Amsterdam-Amstelland",
        "Amsterdam",
        "NL",
        False,
    ),
    ("Gemeente Amsterdam", "public", "", "", "Amsterdam-Amstelland", "Amsterdam", "NL", False),
    ("Politie Amsterdam", "public", "", "", "Amsterdam-Amstelland", "Amsterdam", "NL", False),
    (
        "Stichting DE 4DAAGSE",
        "private",
        Sector.EVENT_GROUNDS,
        "41055629",
        "Gelderland-Zuid",
        "Nijmegen",
        "NL",
        False,
    ),
    ("Gemeente Nijmegen", "public", "", "", "Gelderland-Zuid", "Nijmegen", "NL", False),
    ("Politie Oost-Nederland", "public", "", "", "Gelderland-Zuid", "Nijmegen", "NL", False),
    (
        "Veiligheidsregio Gelderland-Zuid",
        "public",
        "",
        "",
        "Gelderland-Zuid",
        "Nijmegen",
        "NL",
        False,
    ),
    (
        "AWDC",
        "private",
        Sector.SHOPPING_AREA,
        "0408.053.532",
        "Antwerpen",
        "Antwerpen",
        "BE",
        False,
    ),
    ("Stad Antwerpen", "public", "", "", "Antwerpen", "Antwerpen", "BE", False),
    ("Politie Antwerpen", "public", "", "", "Antwerpen", "Antwerpen", "BE", False),
]

USERS = [
    # username, organisation, role, first name, last name, staff, superuser
    ("nctv-admin", "NCTV", Role.ADMIN, "Nadia", "Visser", True, True),
    ("nctv-analyst", "NCTV", Role.MEMBER, "Pieter", "de Boer", True, False),
    ("arena-operator", "Johan Cruijff ArenA", Role.ADMIN, "Sanne", "Bakker", False, False),
    ("vierdaagse-operator", "Stichting DE 4DAAGSE", Role.ADMIN, "Joost", "Hendriks", False, False),
    ("diamant-operator", "AWDC", Role.ADMIN, "Lotte", "Peeters", False, False),
    ("amsterdam-police", "Politie Amsterdam", Role.MEMBER, "Mehmet", "Yilmaz", False, False),
    ("antwerp-police", "Politie Antwerpen", Role.ADMIN, "Wouter", "Janssens", False, False),
    (
        "arena-integrator",
        "Johan Cruijff ArenA",
        Role.INTEGRATOR,
        "ArenA",
        "integratie",
        False,
        False,
    ),
]


def _organisation(row) -> Organisation:
    name, kind, sector, number, region, municipality, country, is_nctv = row
    existing = Organisation.objects.filter(name=name).first()
    fields = {
        "kind": kind,
        "sector": sector,
        "registration_number": number,
        "region": region,
        "municipality": municipality,
        "country": country,
        "jurisdiction": "be" if country == "BE" else "nl",  # AWDC and Antwerp: OCAM/OCAD
        "is_nctv": is_nctv,
    }
    if existing:
        return services.organisation_update(organisation=existing, **fields)
    return services.organisation_create(name=name, **fields)


def _user(row, organisations: dict[str, Organisation], password: str):
    username, org_name, role, first, last, staff, superuser = row
    organisation = organisations[org_name]
    user = User.objects.filter(username=username).first()
    if user is None:
        return services.user_create(
            username=username,
            password=password,
            organisation=organisation,
            role=role,
            email=f"{username}@demo.ppsportal.invalid",
            first_name=first,
            last_name=last,
            is_staff=staff,
            is_superuser=superuser,
        )
    user.set_password(password)
    user.is_active = True
    user.save()
    membership = Membership.objects.filter(user=user).first()
    if membership is not None:
        user.groups.add(membership.organisation.group)  # back in after a deactivation
    if membership is None:
        services.membership_create(user=user, organisation=organisation, role=role)
    elif membership.role != role:
        services.membership_change_role(membership=membership, role=role)
    return user


def seed(ctx) -> None:
    organisations = {row[0]: _organisation(row) for row in ORGANISATIONS}
    users = {row[0]: _user(row, organisations, ctx.password) for row in USERS}
    ctx.objects["organisations"] = organisations
    ctx.objects["users"] = users
    ctx.objects["partnerships"] = seed_partnerships(ctx)
    for row in USERS:
        if row[5] or row[6]:  # staff and superusers confirm sign-in with a second factor
            _demo_authenticator(users[row[0]])
    ctx.objects["logins"] = [
        f"  {row[0]:<22} {row[1]} ({row[2].label})  password: {ctx.password}"
        + (f"  authenticator key: {DEMO_TOTP_KEY_BASE32}" if row[5] or row[6] else "")
        for row in USERS
    ]


HEALTH_HISTORY_DAYS = 42


def seed_last(ctx) -> None:
    """A few weeks of health history for the charts: each past day's snapshot as the dated
    records (contacts, covenants, actions) stood that day. The live portal records one a day
    (``partnerships.tasks.record_health_snapshots``); this only fills the demo's past."""
    from partnerships.services.health import health_snapshots_record

    today = timezone.localdate()
    for days_ago in range(HEALTH_HISTORY_DAYS, -1, -1):
        health_snapshots_record(day=today - timedelta(days=days_ago))


# The demo staff's authenticator key (docs/guide-nctv.md): add it to any authenticator app as a
# time-based key, six digits, 30 seconds. Demo data only: seed_demo refuses to run with DEBUG off.
DEMO_TOTP_KEY_BASE32 = "JBSWY3DPEHPK3PXP"


def _demo_authenticator(user) -> None:
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = b32decode(DEMO_TOTP_KEY_BASE32).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    TOTPDevice.objects.get_or_create(
        user=user, key=key, defaults={"name": "demo authenticator", "confirmed": True}
    )


# --- Partnerships -------------------------------------------------------------------------------
#
# The three cases of the study, each with a different health, on any day: every date is an
# offset in days from today (negative is in the past). Running the seed again moves the demo's
# own dates along, so the statuses hold; records added by hand are left alone.


def demo_pdf() -> bytes:
    """A one-page PDF (A4), so the ArenA covenant has a signed document to download; a real
    one, as uploads are parsed."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ARENA = "Johan Cruijff ArenA"
VIERDAAGSE = "Nijmeegse Vierdaagse"
DIAMANT = "Diamantkwartier Antwerpen"

PARTNERSHIPS = [
    {
        "name": ARENA,
        "fields": {
            "description": "Publiek-private samenwerking rond de Johan Cruijff ArenA, stadion en evenementenlocatie in Amsterdam-Zuidoost: de ArenA, de gemeente en de politie delen dreigingsinformatie en stemmen maatregelen af.",
            "kind": "venue",
            "region": "Amsterdam-Amstelland",
            "variant": "deepening",
            "status": "active",
            "sponsor": "Gemeente Amsterdam",
            "contact_frequency_days": 30,
        },
        "members": [
            ("Johan Cruijff ArenA", "venue_operator"),
            ("Johan Cruijff ArenA", "coordinator"),
            ("Gemeente Amsterdam", "municipality"),
            ("Politie Amsterdam", "police"),
        ],
        "joined": -1200,
        "liaison": "arena-operator",
        "covenants": [
            {
                "title": "Convenant veiligheid Johan Cruijff ArenA",
                "kind": "covenant",
                "from": -400,
                "until": 330,
                "clause": "amber",
                "purpose": "Uitwisseling van dreigingsinformatie en camerabeelden rond wedstrijden en evenementen, om aanslagen te voorkomen en de gevolgen te beperken.",
                "retention_days": 28,
                "signatories": [
                    ("Johan Cruijff ArenA", -410),
                    ("Gemeente Amsterdam", -410),
                    ("Politie Amsterdam", -408),
                    # The NCTV shares under this covenant, so it signs it too.
                    ("NCTV", -405),
                ],
                "tasks": [
                    (
                        "Johan Cruijff ArenA",
                        "Camerabewaking in en rond het stadion; beelden op verzoek aan de politie.",
                    ),
                    (
                        "Johan Cruijff ArenA",
                        "Crowd management en stewards bij wedstrijden en evenementen.",
                    ),
                    (
                        "Gemeente Amsterdam",
                        "Openbare orde: noodbevel, afzettingen en verkeersmaatregelen bij verhoogde dreiging.",
                    ),
                    (
                        "Politie Amsterdam",
                        "Deelt dreigingsinformatie; leidt bij een incident en belt dan de veiligheidscoördinator van de ArenA.",
                    ),
                ],
                "document": True,
            },
            {
                "title": "Protocol opschaling bij verhoogde dreiging",
                "kind": "protocol",
                "from": -200,
                "until": None,
                "clause": "green",
                "purpose": "Welke maatregelen de ArenA neemt bij elk dreigingsniveau en wie wie belt.",
                "retention_days": None,
                "signatories": [("Johan Cruijff ArenA", -205), ("Politie Amsterdam", -203)],
                "tasks": [
                    (
                        "Johan Cruijff ArenA",
                        "Schaalt op volgens het opschalingsscenario: extra toegangscontrole en stewards.",
                    ),
                    ("Politie Amsterdam", "Meldt een hoger dreigingsniveau direct aan de ArenA."),
                ],
            },
        ],
        "contacts": [
            {
                "days_ago": 6,
                "kind": "meeting",
                "by": "arena-operator",
                "participants": ["Johan Cruijff ArenA", "Gemeente Amsterdam", "Politie Amsterdam"],
                "summary": "Driehoeksoverleg voor de Europese wedstrijd: inzet stewards, camera's en afzettingen besproken.",
                "tlp": "green",
                "actions": [
                    {
                        "description": "Draaiboek toegangscontrole bijwerken",
                        "owner": "Johan Cruijff ArenA",
                        "due": 14,
                    },
                    {
                        "description": "Afzettingsplan Arena Boulevard delen",
                        "owner": "Gemeente Amsterdam",
                        "due": -2,
                        "done": -3,
                    },
                ],
            },
            {
                "days_ago": 34,
                "kind": "exercise",
                "by": "arena-operator",
                "participants": ["Johan Cruijff ArenA", "Politie Amsterdam"],
                "summary": "Ontruimingsoefening met politie en stewards; opvolging goed.",
                "tlp": "green",
                "actions": [
                    {
                        "description": "Evaluatie oefening verspreiden",
                        "owner": "Politie Amsterdam",
                        "due": -20,
                        # done eight days late: the health history shows the ArenA needing
                        # attention for that week
                        "done": -12,
                    },
                ],
            },
            {
                "days_ago": 62,
                "kind": "debrief",
                "by": "amsterdam-police",
                "participants": ["Politie Amsterdam", "Johan Cruijff ArenA"],
                "summary": "Nabespreking van een verhoogde dreiging rond het stadion (vertrouwelijk).",
                "tlp": "amber",
                "actions": [],
            },
            {
                # Partners share too: the ArenA shares its own AMBER entry with the police
                # under the covenant both signed (docs/partnerships.md).
                "days_ago": 6,  # the day of the last meeting: the ArenA's health stays as it was
                "kind": "call",
                "by": "arena-operator",
                "participants": ["Johan Cruijff ArenA"],
                "summary": "Verkennend gedrag bij poort F gezien op camera; beelden bewaard voor de politie (vertrouwelijk).",
                "tlp": "amber",
                "actions": [],
                "share_with": (
                    "Politie Amsterdam",
                    "Convenant veiligheid Johan Cruijff ArenA",
                    "Mogelijke verkenning; de politie beoordeelt de beelden.",
                ),
            },
        ],
        "costs": [
            ("Cameratoezicht rond het stadion", "48000.00"),
            ("Stewards bij risicowedstrijden", "36000.00"),
        ],
        "key": [
            ("Johan Cruijff ArenA", "60"),
            ("Gemeente Amsterdam", "25"),
            ("Politie Amsterdam", "15"),
        ],
    },
    {
        "name": VIERDAAGSE,
        "fields": {
            "description": "Samenwerking rond de Internationale Vierdaagse Afstandsmarsen Nijmegen: vier dagen, tienduizenden wandelaars en een grote menigte langs de route.",
            "kind": "event",
            "region": "Gelderland-Zuid",
            "variant": "broadening",
            "status": "active",
            "sponsor": "Gemeente Nijmegen",
            "contact_frequency_days": 30,
        },
        "members": [
            ("Stichting DE 4DAAGSE", "event_organiser"),
            ("Stichting DE 4DAAGSE", "coordinator"),
            ("Gemeente Nijmegen", "municipality"),
            ("Politie Oost-Nederland", "police"),
            ("Veiligheidsregio Gelderland-Zuid", "safety_region"),
        ],
        "joined": -900,
        "liaison": "vierdaagse-operator",
        "covenants": [
            {
                "title": "Convenant veiligheid Vierdaagse",
                "kind": "covenant",
                "from": -340,
                "until": 21,
                "clause": "green",
                "purpose": "Afstemming van crowd management, verkeersmaatregelen en hulpverlening tijdens de Vierdaagse.",
                "retention_days": 14,
                "signatories": [
                    ("Stichting DE 4DAAGSE", -345),
                    ("Gemeente Nijmegen", -345),
                    ("Politie Oost-Nederland", -344),
                    ("Veiligheidsregio Gelderland-Zuid", -343),
                ],
                "tasks": [
                    (
                        "Stichting DE 4DAAGSE",
                        "Verkeersregelaars en verkeersbarrières langs de route en bij de start.",
                    ),
                    ("Gemeente Nijmegen", "Vergunning, afzettingen en noodbevel."),
                    (
                        "Politie Oost-Nederland",
                        "Toezicht en handhaving; deelt dreigingsinformatie met de organisatie.",
                    ),
                    (
                        "Veiligheidsregio Gelderland-Zuid",
                        "Geneeskundige hulpverlening en de crisisorganisatie.",
                    ),
                ],
            },
        ],
        "contacts": [
            {
                "days_ago": 38,
                "kind": "meeting",
                "by": "vierdaagse-operator",
                "participants": [
                    "Stichting DE 4DAAGSE",
                    "Gemeente Nijmegen",
                    "Politie Oost-Nederland",
                    "Veiligheidsregio Gelderland-Zuid",
                ],
                "summary": "Voorbereidend veiligheidsoverleg: routewijzigingen en voertuigbarrières.",
                "tlp": "green",
                "actions": [
                    {
                        "description": "Nieuw convenant ter ondertekening voorleggen",
                        "owner": "Stichting DE 4DAAGSE",
                        "due": 10,
                    },
                    {
                        "description": "Locaties voertuigbarrières vastleggen",
                        "owner": "Gemeente Nijmegen",
                        "due": -20,
                        "done": -22,
                    },
                ],
            },
            {
                "days_ago": 70,
                "kind": "call",
                "by": "vierdaagse-operator",
                "participants": ["Stichting DE 4DAAGSE", "Politie Oost-Nederland"],
                "summary": "Belronde over het landelijke dreigingsbeeld en de gevolgen voor het evenement.",
                "tlp": "green",
                "actions": [],
            },
        ],
        "costs": [
            ("Verkeersregelaars en afzettingen", "52000.00"),
            ("Voertuigbarrières (anti-ramming)", "18500.00"),
        ],
        "key": [
            ("Stichting DE 4DAAGSE", "50"),
            ("Gemeente Nijmegen", "35"),
            ("Veiligheidsregio Gelderland-Zuid", "15"),
        ],
    },
    {
        "name": DIAMANT,
        "fields": {
            "description": "PPS van diamanthandelaren, stad en politie in het Antwerpse Diamantkwartier: cameratoezicht, toegangscontrole en gedeelde informatie in een kwetsbare wijk.",
            "kind": "district",
            "region": "Antwerpen",
            "variant": "continuation",
            "status": "active",
            "sponsor": "Stad Antwerpen",
            "contact_frequency_days": 30,
        },
        "members": [
            ("AWDC", "venue_operator"),
            ("AWDC", "coordinator"),
            ("Stad Antwerpen", "municipality"),
            ("Politie Antwerpen", "police"),
        ],
        "joined": -2000,
        "liaison": "diamant-operator",
        "covenants": [
            {
                "title": "Samenwerkingsovereenkomst Diamantkwartier",
                "kind": "covenant",
                "from": -1140,
                "until": -45,
                "clause": "amber",
                "purpose": "Gedeeld cameratoezicht en informatie-uitwisseling over verdachte situaties in het kwartier.",
                "retention_days": 30,
                "signatories": [
                    ("AWDC", -1150),
                    ("Stad Antwerpen", -1150),
                    ("Politie Antwerpen", -1148),
                ],
                "tasks": [
                    ("AWDC", "Beheert de camera's en de toegangscontrole in de Hoveniersstraat."),
                    ("Stad Antwerpen", "Stedelijke afzettingen en verlichting."),
                    ("Politie Antwerpen", "Volgt de beelden mee en grijpt in bij incidenten."),
                ],
            },
        ],
        "contacts": [
            {
                "days_ago": 150,
                "kind": "meeting",
                "by": "diamant-operator",
                "participants": ["AWDC", "Stad Antwerpen", "Politie Antwerpen"],
                "summary": "Laatste stuurgroep: verlenging van de overeenkomst besproken, geen besluit.",
                "tlp": "green",
                "actions": [
                    {
                        "description": "Voorstel nieuwe overeenkomst opstellen",
                        "owner": "AWDC",
                        "due": -120,
                    },
                ],
            },
        ],
        "costs": [
            ("Cameranetwerk Hoveniersstraat", "120000.00"),
            ("Particuliere beveiliging toegangen", "64000.00"),
        ],
        "key": [("AWDC", "70"), ("Stad Antwerpen", "20"), ("Politie Antwerpen", "10")],
    },
]


def _days(today, offset):
    return None if offset is None else today + timedelta(days=offset)


def _partnership(spec, orgs, users, today) -> Partnership:
    fields = {**spec["fields"], "sponsor": orgs[spec["fields"]["sponsor"]]}
    joined_on = _days(today, spec["joined"])
    partnership = Partnership.objects.filter(name=spec["name"]).first()
    if partnership is None:
        partnership = partnership_services.partnership_create(name=spec["name"], **fields)
    else:
        partnership = partnership_services.partnership_update(partnership=partnership, **fields)
    current = set(
        partnership.members.filter(left_on__isnull=True).values_list("organisation__name", "role")
    )
    for org_name, role in spec["members"]:
        if (org_name, role) not in current:
            partnership_services.partnership_member_add(
                partnership=partnership, organisation=orgs[org_name], role=role, joined_on=joined_on
            )
    liaison = users[spec["liaison"]]
    if partnership.liaison_id != liaison.pk:
        partnership_services.partnership_set_liaison(partnership=partnership, liaison=liaison)
    return partnership


def _covenant(partnership, spec, orgs, users, today, uploader) -> Covenant:
    fields = {
        "kind": spec["kind"],
        "effective_from": _days(today, spec["from"]),
        "effective_until": _days(today, spec["until"]),
        "information_clause": spec["clause"],
        "purpose": spec["purpose"],
        "retention_days": spec["retention_days"],
    }
    covenant = partnership.covenants.filter(title=spec["title"]).first()
    if covenant is None:
        covenant = covenant_services.covenant_create(
            partnership=partnership, title=spec["title"], **fields
        )
    else:
        covenant = covenant_services.covenant_update(covenant=covenant, **fields)
    for org_name, offset in spec["signatories"]:
        signed_on = _days(today, offset)
        signatory = covenant_services.covenant_add_signatory(
            covenant=covenant, organisation=orgs[org_name], signed_on=signed_on
        )
        if signatory.signed_on != signed_on:
            covenant_services.covenant_record_signature(
                covenant=covenant, organisation=orgs[org_name], signed_on=signed_on
            )
    tasks = [(orgs[org_name], text) for org_name, text in spec["tasks"]]
    existing = list(
        covenant.tasks.order_by("position", "id").values_list("organisation", "description")
    )
    if existing != [(org.pk, text) for org, text in tasks]:
        covenant_services.covenant_set_tasks(covenant=covenant, tasks=tasks)
    if spec.get("document") and not covenant.document:
        covenant_services.covenant_upload_document(
            covenant=covenant,
            upload=ContentFile(demo_pdf(), name="convenant.pdf"),
            by=uploader,
        )
    return covenant


def _contact(partnership, spec, orgs, users, today) -> ContactEntry:
    occurred_on = _days(today, -spec["days_ago"])
    entry = partnership.contacts.filter(summary=spec["summary"]).first()
    if entry is not None and entry.occurred_on != occurred_on:
        entry.delete()  # the demo's own entry, from an earlier day: logged again for today
        entry = None
    if entry is None:
        entry = contact_services.contact_create(
            partnership=partnership,
            by=users[spec["by"]],
            occurred_on=occurred_on,
            kind=spec["kind"],
            summary=spec["summary"],
            participants=[orgs[name] for name in spec["participants"]],
            tlp=spec["tlp"],
        )
    for action_spec in spec["actions"]:
        due_on = _days(today, action_spec["due"])
        action = entry.actions.filter(description=action_spec["description"]).first()
        if action is not None and action.due_on != due_on:
            action.delete()
            action = None
        if action is None:
            action = contact_services.action_create(
                partnership=partnership,
                contact=entry,
                description=action_spec["description"],
                owner=orgs[action_spec["owner"]],
                due_on=due_on,
            )
        done_on = _days(today, action_spec.get("done"))
        if action.done_on != done_on:
            contact_services.action_set_done(action=action, done=done_on is not None, on=done_on)
    if "share_with" in spec:
        from partnerships.sharing.services import share_with_organisation

        organisation, title, reason = spec["share_with"]
        share_with_organisation(  # sharing twice changes nothing
            obj=entry,
            organisation=orgs[organisation],
            covenant=partnership.covenants.in_force(today).filter(title=title).first(),
            by=users[spec["by"]],
            reason=reason,
        )
    return entry


def _costs(partnership, spec, orgs, today, by) -> None:
    period_start, period_end = date(today.year, 1, 1), date(today.year, 12, 31)
    for description, amount in spec["costs"]:
        item = partnership.cost_items.filter(description=description).first()
        wanted = (Decimal(amount), period_start, period_end)
        if item is not None and (item.amount, item.period_start, item.period_end) != wanted:
            item.delete()  # a new year: the demo's own item moves along
            item = None
        if item is None:
            contact_services.cost_item_create(
                partnership=partnership,
                description=description,
                amount=Decimal(amount),
                period_start=period_start,
                period_end=period_end,
            )
    shares = {orgs[name]: Decimal(pct) for name, pct in spec["key"]}
    current = {s.organisation_id: s.percentage for s in partnership.cost_shares.all()}
    if current != {org.pk: pct for org, pct in shares.items()}:
        contact_services.cost_allocation_set(partnership=partnership, shares=shares, by=by)


def seed_partnerships(ctx) -> dict[str, Partnership]:
    today = timezone.localdate()
    orgs, users = ctx.objects["organisations"], ctx.objects["users"]
    partnerships = {}
    for spec in PARTNERSHIPS:
        partnership = _partnership(spec, orgs, users, today)
        for covenant_spec in spec["covenants"]:
            _covenant(partnership, covenant_spec, orgs, users, today, users[spec["liaison"]])
        for contact_spec in spec["contacts"]:
            _contact(partnership, contact_spec, orgs, users, today)
        _costs(partnership, spec, orgs, today, by=users["nctv-analyst"])
        partnerships[spec["name"]] = partnership
    return partnerships
