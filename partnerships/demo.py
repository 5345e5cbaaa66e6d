"""Demo parties and people: the NCTV and the three cases of the study."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from partnerships.models import Membership, Organisation, Role, Sector
from partnerships.services import organisations as services

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
    ctx.objects["logins"] = [
        f"  {row[0]:<22} {row[1]} ({row[2].label})  password: {ctx.password}" for row in USERS
    ]
