"""Demo threat assessments at each TLP level, shared through the sharing engine where a demo
covenant allows it."""

from __future__ import annotations

from datetime import date, timedelta

from partnerships.demo import ARENA
from partnerships.models import Organisation
from partnerships.sharing import services as sharing
from partnerships.sharing.footing import footing_covenants
from ppsportal.sensitivity import TLP
from threats import services
from threats.demo.common import ANALYST
from threats.models import Sector, ThreatAssessment

ASSESSMENTS = [
    {
        "title": "Dreigingsbeeld Terrorisme Nederland: publieksversie",
        "tlp": TLP.CLEAR,
        "summary": (
            "Het dreigingsniveau blijft 4 (substantieel). Een aanslag in Nederland is voorstelbaar."
        ),
        "body": (
            "## Kern\n\nDe dreiging komt vooral van **jihadisten** en van jonge, online "
            "geradicaliseerde eenlingen. Aanslagen met eenvoudige middelen (messen, voertuigen) "
            "op drukke plekken blijven het meest waarschijnlijk.\n\n"
            "## Wat u kunt doen\n\n- Train uw personeel in het herkennen van verdacht gedrag.\n"
            "- Houd uw ontruimings- en invacuatieplannen actueel.\n"
        ),
        "motives": ["jihadism", "right_wing_extremism", "lone_actor_unknown"],
        "modi": ["stabbing", "vehicle_ramming", "firearms"],
        "categories": [],
        "regions": [],
        "from": -60,
        "until": None,
        "recommended": ["staff_training", "evacuation", "invacuation"],
        "share": None,
    },
    {
        "title": "Drukke plekken in de zomer: aandachtspunten voor organisatoren",
        "tlp": TLP.GREEN,
        "summary": (
            "Evenementen en winkelgebieden trekken deze zomer grote menigten; neem "
            "voertuigbarrières en toegangscontrole mee in de planning."
        ),
        "body": (
            "Gebruik de **handleiding drukke plekken** bij het opstellen van uw veiligheidsplan."
        ),
        "motives": ["jihadism", "lone_actor_unknown"],
        "modi": ["vehicle_ramming", "stabbing"],
        "categories": ["event_grounds", "public_events", "shopping_area"],
        "regions": [],
        "from": -20,
        "until": 120,
        "recommended": ["hostile_vehicle_barriers", "access_control", "communication_plan"],
        "share": None,
    },
    {
        "title": "Verhoogde aandacht voor voetbalstadions in Amsterdam",
        "tlp": TLP.AMBER,
        "summary": (
            "Online oproepen tot aanslagen rond Europese wedstrijden noemen stadions in "
            "Amsterdam; er zijn geen concrete aanwijzingen voor een voorbereiding."
        ),
        "body": (
            "Sinds enkele weken circuleren oproepen om wedstrijden in Europese competities te "
            "treffen. Let op **verkenning** rond toegangen en op drones boven het stadion."
        ),
        "motives": ["jihadism"],
        "modi": ["vehicle_ramming", "explosives", "drone"],
        "categories": ["football_stadium"],
        "regions": ["Amsterdam-Amstelland"],
        "from": -10,
        "until": 80,
        "recommended": ["bag_checks", "access_control", "hostile_vehicle_barriers"],
        "share": {
            "organisation": ARENA,
            "covenant": "Convenant veiligheid Johan Cruijff ArenA",
            "reason": "Dreigingsinformatie voor de voorbereiding van de Europese wedstrijden.",
        },
    },
    {
        "title": "Verkenning bij evenemententerreinen in Gelderland",
        "tlp": TLP.AMBER_STRICT,
        "summary": (
            "Meldingen van personen die toegangen en nooduitgangen van evenemententerreinen "
            "fotograferen."
        ),
        "body": "Drie meldingen in zes weken; het patroon wijst op verkenning.",
        "motives": ["lone_actor_unknown"],
        "modi": ["vehicle_ramming", "firearms"],
        "categories": ["event_grounds", "public_events"],
        "regions": ["Gelderland-Zuid"],
        "from": -5,
        "until": 60,
        "recommended": ["cctv", "staff_training"],
        "share": {
            "organisation": "Stichting DE 4DAAGSE",
            "reason": "De meldingen betreffen de route en het startterrein van de Vierdaagse.",
        },
    },
    {
        "title": "Concrete dreiging tegen een concert in Amsterdam-Zuidoost",
        "tlp": TLP.RED,
        "summary": (
            "Een bron meldt plannen voor een aanslag tijdens een concert; de politie onderzoekt"
            " de melding."
        ),
        "body": "Alleen voor de genoemde personen. Niet verder delen.",
        "motives": ["jihadism"],
        "modi": ["explosives"],
        "categories": ["football_stadium", "event_grounds"],
        "regions": ["Amsterdam-Amstelland"],
        "from": -2,
        "until": 14,
        "recommended": ["bag_checks", "access_control", "security_staff"],
        "share": {
            "user": "arena-operator",
            "reason": "Persoonlijk voor de veiligheidscoördinator van de ArenA.",
        },
    },
]


def _footing(organisation: Organisation, level: str, today: date, title: str | None = None):
    """A covenant giving the footing (``partnerships.sharing.footing``) for the NCTV to share
    at ``level`` with the organisation."""
    nctv = Organisation.objects.filter(is_nctv=True).first()
    covenants = footing_covenants(sharer=nctv, receiver=organisation, level=level, today=today)
    if title is not None:
        covenants = covenants.filter(title=title)
    return covenants.order_by("effective_from", "id").first()


def _assessment(spec, analyst, sectors, today) -> ThreatAssessment:
    fields = {
        "title": spec["title"],
        "summary": spec["summary"],
        "body": spec["body"],
        "tlp": spec["tlp"],
        "valid_from": today + timedelta(days=spec["from"]),
        "valid_until": today + timedelta(days=spec["until"]) if spec["until"] is not None else None,
        "regions": spec["regions"],
        "recommended_measures": spec["recommended"],
    }
    categories = [sectors[code] for code in spec["categories"]]
    assessment = ThreatAssessment.objects.filter(title=spec["title"]).first()
    if assessment is None:
        return services.assessment_create(
            by=analyst,
            motives=spec["motives"],
            modi=spec["modi"],
            target_categories=categories,
            **fields,
        )
    changes = {k: v for k, v in fields.items() if getattr(assessment, k) != v}
    facets = {(f.kind, f.code) for f in assessment.facets.all()}
    wanted = {("motive", c) for c in spec["motives"]} | {
        ("modus_operandi", c) for c in spec["modi"]
    }
    same_categories = {s.pk for s in assessment.target_categories.all()} == {
        s.pk for s in categories
    }
    if changes or facets != wanted or not same_categories:
        assessment = services.assessment_update(
            assessment=assessment,
            by=analyst,
            motives=spec["motives"],
            modi=spec["modi"],
            target_categories=categories,
            **changes,
        )
    return assessment


def _share(assessment, spec, ctx, today) -> str | None:
    """Share as the spec says, where a covenant allows it; else say why not."""
    share = spec["share"]
    users, orgs = ctx.objects["users"], ctx.objects["organisations"]
    analyst = users[ANALYST]
    if "user" in share:
        user = users[share["user"]]
        covenant = _footing(user.membership.organisation, assessment.tlp, today)
        if covenant is None:
            return f"{assessment.get_tlp_display()}: no demo covenant allows it for {user.username}"
        sharing.share_with_user(
            obj=assessment, user=user, covenant=covenant, by=analyst, reason=share["reason"]
        )
        return None
    organisation = orgs[share["organisation"]]
    covenant = _footing(organisation, assessment.tlp, today, share.get("covenant"))
    if covenant is None:
        return f"{assessment.get_tlp_display()}: no demo covenant allows it for {organisation}"
    sharing.share_with_organisation(
        obj=assessment,
        organisation=organisation,
        covenant=covenant,
        by=analyst,
        reason=share["reason"],
    )
    return None


def seed_assessments(ctx, today: date) -> dict[str, ThreatAssessment]:
    analyst = ctx.objects["users"][ANALYST]
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    assessments, unshared = {}, []
    for spec in ASSESSMENTS:
        assessment = _assessment(spec, analyst, sectors, today)
        assessments[assessment.title] = assessment
        if spec["share"] is not None:
            reason = _share(assessment, spec, ctx, today)
            if reason is not None:
                unshared.append(reason)
    for reason in unshared:
        ctx.stdout.write(f"  Threat assessment not shared ({reason}).")
    return assessments
