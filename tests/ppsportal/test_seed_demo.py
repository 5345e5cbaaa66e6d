"""The demo data: idempotent, refused with DEBUG off, and every demo user can sign in."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from partnerships.models import Membership, Organisation

pytestmark = pytest.mark.django_db

DEMO_USERS = [
    "nctv-admin",
    "nctv-analyst",
    "arena-operator",
    "vierdaagse-operator",
    "diamant-operator",
    "amsterdam-police",
    "antwerp-police",
    "arena-integrator",
]


def _counts():
    return (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert Organisation.objects.count() == 0


def test_seed_demo_is_idempotent_and_every_user_signs_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {
        "NCTV",
        "Johan Cruijff ArenA",
        "Gemeente Amsterdam",
        "Politie Amsterdam",
        "Gemeente Nijmegen",
        "Politie Oost-Nederland",
        "Veiligheidsregio Gelderland-Zuid",
        "AWDC",
        "Stad Antwerpen",
        "Politie Antwerpen",
    } <= names
    for username in DEMO_USERS:
        assert client.login(username=username, password=settings.DEMO_PASSWORD), username
    admin = get_user_model().objects.get(username="nctv-admin")
    assert admin.is_superuser and admin.membership.organisation.is_nctv
    integrator = get_user_model().objects.get(username="arena-integrator")
    assert integrator.membership.organisation.name == "Johan Cruijff ArenA"
    assert integrator.membership.role == "integrator"


def test_seed_demo_with_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert Organisation.objects.filter(is_nctv=True).count() == 1
