"""Demo alerts: a published exercise for the Nijmeegse Vierdaagse that half of its partners have
acknowledged, an actual alert to the Johan Cruijff ArenA that the ArenA acknowledged, and a draft
waiting for a colleague's approval.

Written through ``alerts.services`` with four eyes: the analyst writes, the admin (an NCTV duty
officer) approves and publishes. Each alert is found again by its headline, so running the seed
twice adds nothing; an alert found in an earlier step of its life is taken to the step the demo
wants. Publishing queues the deliveries; after the seed commits they are sent (in-process
without ``REDIS_URL``, by a worker with it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alerts import services
from alerts.models import (
    Acknowledgement,
    Alert,
    AlertTemplate,
    Channel,
    ChannelPreference,
    StatusReport,
)
from alerts.preferences import preference_set
from partnerships.models import Role
from partnerships.services import organisations as org_services
from threats.demo.common import ANALYST
from threats.models import Sector

User = get_user_model()

APPROVER = "nctv-admin"  # also the demo's NCTV duty officer

# An extra partner persona, so that the Vierdaagse exercise shows acknowledgements from more
# than one organisation: username, organisation, role, first name, last name.
SAFETY_REGION_USER = (
    "vrgz-officer",
    "Veiligheidsregio Gelderland-Zuid",
    Role.MEMBER,
    "Femke",
    "Jansen",
)

# Phone numbers for the escalation SMS (reminders, the duty officer); SMS stays off for alerts.
PHONES = {
    APPROVER: "+31600000001",
    "vierdaagse-operator": "+31600000002",
    "arena-operator": "+31600000003",
}

VIERDAAGSE_EXERCISE = "Verdacht voertuig bij de start op de Wedren"
ARENA_ALERT = "Verhoogde dreiging rond de Europese wedstrijd in de Johan Cruijff ArenA"
DRAFT = "Dreiging tegen winkelgebieden in de decembermaand"
AREA_ALERT = "Verdacht voertuig nabij de Johan Cruijff ArenA"
VEHICLE_TEMPLATE = "Verdacht voertuig nabij locatie"

# Templates for recurring situations (texts in Dutch and English).
TEMPLATES = [
    {
        "name": "Verhoogde dreiging evenemententerreinen",
        "headline": "Verhoogde dreiging voor evenemententerreinen",
        "description": "Er zijn aanwijzingen voor een verhoogde dreiging tegen evenementen met veel publiek.",
        "instruction": "Schaal op volgens het draaiboek: extra beveiliging, tassencontrole en voertuigbarrières.",
        "headline_en": "Raised threat for event grounds",
        "description_en": "There are indications of a raised threat against events with large crowds.",
        "instruction_en": "Scale up as your plan says: extra security, bag checks and vehicle barriers.",
        "atb_level": "matige_dreiging",
        "tlp": "green",
        "kind": Alert.Kind.ACTUAL,
    },
    {
        "name": VEHICLE_TEMPLATE,
        "headline": "Verdacht voertuig nabij de locatie",
        "description": "Er is een verdacht voertuig gemeld nabij de locatie. De politie onderzoekt het.",
        "instruction": "Houd afstand, sluit de toegangen aan die zijde en volg de aanwijzingen van de politie.",
        "headline_en": "Suspicious vehicle near the venue",
        "description_en": "A suspicious vehicle has been reported near the venue. The police are investigating.",
        "instruction_en": "Keep your distance, close the entrances on that side and follow police instructions.",
        "atb_level": "hoge_dreiging",
        "tlp": "green",
        "kind": Alert.Kind.ACTUAL,
        "certainty": "Observed",
    },
    {
        "name": "Start oefening",
        "headline": "Start van de oefening",
        "description": "De oefening is begonnen. Berichten in de oefening zijn gemarkeerd als OEFENING.",
        "instruction": "Neem alleen de maatregelen die de oefening vraagt.",
        "atb_level": "basisniveau",
        "tlp": "green",
        "kind": Alert.Kind.EXERCISE,
    },
    {
        "name": "Einde oefening",
        "headline": "Einde van de oefening",
        "description": "De oefening is beëindigd. Zet de maatregelen uit de oefening terug.",
        "atb_level": "basisniveau",
        "tlp": "green",
        "kind": Alert.Kind.EXERCISE,
    },
]

# Around the Johan Cruijff ArenA and the Arena Boulevard (CAP polygon: latitude,longitude).
ARENA_AREA = "52.3170,4.9360 52.3170,4.9480 52.3110,4.9480 52.3110,4.9360 52.3170,4.9360"

ALERTS = [
    {
        "headline": VIERDAAGSE_EXERCISE,
        "state": Alert.Status.PUBLISHED,
        "fields": {
            "kind": Alert.Kind.EXERCISE,
            "description": "Oefenscenario: op de eerste wandeldag staat een bestelbus zonder bestuurder op de toegangsweg naar de Wedren, vlak bij het startvak. De politie onderzoekt het voertuig; de eigenaar is onbekend.",
            "instruction": "Oefen de opschaling naar matige dreiging volgens het draaiboek: sluit de voertuigbarrières, zet extra verkeersregelaars in en informeer de wandelaars. Bevestig in het portaal welke maatregelen u (in de oefening) heeft genomen.",
            "atb_level": "matige_dreiging",
            "tlp": "green",
            "area_description": "Wedren en startroute, Nijmegen",
        },
        "partnerships": ["Nijmeegse Vierdaagse"],
        "organisations": [],
        "acknowledgements": [
            (
                "vierdaagse-operator",
                "Oefening: voertuigbarrières op de Wedren gesloten, twintig extra verkeersregelaars ingezet en de omroep bij de start ingelicht.",
                ["hostile_vehicle_barriers", "security_staff", "communication_plan"],
            ),
            (
                "vrgz-officer",
                "Oefening: ambulancepost bij de start versterkt; het crisisteam staat paraat.",
                ["first_aid", "evacuation"],
            ),
        ],
    },
    {
        "headline": ARENA_ALERT,
        "state": Alert.Status.PUBLISHED,
        "fields": {
            "kind": Alert.Kind.ACTUAL,
            "description": "Op jihadistische kanalen wordt opgeroepen tot een aanslag rond de Europese wedstrijd van komende week. Er zijn geen concrete aanwijzingen voor een doelwit of datum, maar de oproepen noemen de Johan Cruijff ArenA.",
            "instruction": "Schaal op naar het scenario voor lichte dreiging: extra stewards, tassencontrole bij alle ingangen en camerabewaking van de Arena Boulevard. Meld verdachte situaties direct aan de politie.",
            "atb_level": "lichte_dreiging",
            "tlp": "amber",
            "area_description": "Johan Cruijff ArenA en Arena Boulevard, Amsterdam-Zuidoost",
        },
        "partnerships": [],
        "organisations": ["Johan Cruijff ArenA"],
        "acknowledgements": [
            (
                "arena-operator",
                "Extra stewards en tassencontrole bij alle ingangen; de parkeergarage blijft bij de wedstrijd dicht.",
                ["security_staff", "bag_checks", "access_control", "cctv"],
            ),
        ],
    },
    {
        "headline": AREA_ALERT,
        "state": Alert.Status.PUBLISHED,
        "template": VEHICLE_TEMPLATE,
        "fields": {
            "description": "Bij de ingang van de parkeergarage aan de Arena Boulevard staat een bestelbus zonder bestuurder. De politie onderzoekt het voertuig.",
            "area_description": "Johan Cruijff ArenA en Arena Boulevard, Amsterdam-Zuidoost",
            "area_polygon": ARENA_AREA,
            "area_targets": True,
        },
        "partnerships": [],
        "organisations": [],
        "acknowledgements": [],
        "statuses": [
            (
                "arena-operator",
                "measures_in_place",
                "Parkeergarage gesloten, oostelijke toegangen dicht, stewards op afstand.",
            ),
        ],
    },
    {
        "headline": DRAFT,
        "state": Alert.Status.DRAFT,
        "fields": {
            "kind": Alert.Kind.ACTUAL,
            "description": "In de decembermaand zijn winkelgebieden en kerstmarkten druk bezocht. Online wordt opgeroepen tot aanslagen met voertuigen op drukke plekken; concrete aanwijzingen zijn er niet.",
            "instruction": "Controleer of de voertuigbarrières bij de toegangen tot het winkelgebied op hun plek staan en instrueer de beveiliging.",
            "atb_level": "lichte_dreiging",
            "tlp": "green",
        },
        "sectors": ["shopping_area"],
        "partnerships": [],
        "organisations": [],
        "acknowledgements": [],
    },
]


def _safety_region_user(ctx, organisations):
    username, org_name, role, first, last = SAFETY_REGION_USER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = org_services.user_create(
            username=username,
            password=ctx.password,
            organisation=organisations[org_name],
            role=role,
            email=f"{username}@demo.ppsportal.invalid",
            first_name=first,
            last_name=last,
        )
    else:
        user.set_password(ctx.password)
        user.is_active = True
        user.save()
    ctx.objects.setdefault("logins", []).append(
        f"  {username:<22} {org_name} ({role.label})  password: {ctx.password}"
    )
    return user


def _duty_officer_and_phones(users) -> None:
    """The approver is the demo's NCTV duty officer; the escalation SMS need phone numbers. A
    number a demo user has set (or SMS switched on) is left alone."""
    group, _created = Group.objects.get_or_create(name=settings.ALERTS_DUTY_OFFICER_GROUP)
    group.user_set.add(users[APPROVER])
    for username, phone in PHONES.items():
        user = users[username]
        if not ChannelPreference.objects.filter(user=user, channel=Channel.SMS).exists():
            preference_set(user=user, channel=Channel.SMS, enabled=False, address=phone)


def _answered(model, alert, user) -> bool:
    return model.objects.filter(alert=alert, organisation__memberships__user=user).exists()


def _alert(spec, users, organisations, partnerships) -> Alert:
    alert = Alert.objects.filter(headline=spec["headline"]).order_by("version").first()
    if alert is None and spec.get("template"):
        alert = services.alert_create_from_template(
            by=users[ANALYST],
            template=AlertTemplate.objects.get(name=spec["template"]),
            headline=spec["headline"],
            **spec["fields"],
        )
    if alert is None:
        alert = services.alert_create(
            by=users[ANALYST],
            headline=spec["headline"],
            sectors=list(Sector.objects.filter(code__in=spec.get("sectors", []))),
            partnerships=[partnerships[name] for name in spec["partnerships"]],
            organisations=[organisations[name] for name in spec["organisations"]],
            **spec["fields"],
        )
    wanted = spec["state"]
    if wanted != Alert.Status.DRAFT and alert.status == Alert.Status.DRAFT:
        alert = services.alert_approve(alert=alert, by=users[APPROVER])
    if wanted == Alert.Status.PUBLISHED and alert.status == Alert.Status.APPROVED:
        alert = services.alert_publish(alert=alert, by=users[APPROVER])
    if alert.status == Alert.Status.PUBLISHED:
        # Seeding again (on a later day) leaves what was recorded: the covenant's retention
        # period may since have taken the alert away from its recipients.
        for username, note, measures in spec["acknowledgements"]:
            if _answered(Acknowledgement, alert, users[username]):
                continue
            services.alert_acknowledge(
                alert=alert,
                by=users[username],
                note=note,
                measures_taken=measures,
            )
        for username, status, note in spec.get("statuses", []):
            if _answered(StatusReport, alert, users[username]):
                continue
            services.alert_report_status(alert=alert, by=users[username], status=status, note=note)
    return alert


def _templates(users) -> None:
    """The demo's templates, written once (a second seed changes nothing)."""
    for spec in TEMPLATES:
        if not AlertTemplate.objects.filter(name=spec["name"]).exists():
            services.template_save(by=users[APPROVER], **spec)


def seed(ctx) -> None:
    users = dict(ctx.objects["users"])
    organisations = ctx.objects["organisations"]
    users[SAFETY_REGION_USER[0]] = _safety_region_user(ctx, organisations)
    _duty_officer_and_phones(users)
    _templates(users)
    ctx.objects["alerts"] = {
        spec["headline"]: _alert(spec, users, organisations, ctx.objects["partnerships"])
        for spec in ALERTS
    }
