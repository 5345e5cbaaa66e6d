"""Partnerships for the API tests, built through the services like everything else.

- ``partnership_a``: partner A (``operator_a``, ``viewer_a``) coordinates it, with the
  municipality (``officer``: a writing member, but not a coordinator) at the table.
- ``partnership_b``: partner B (``operator_b``) coordinates it; partner A is not in it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from partnerships.services.covenants import covenant_create
from partnerships.services.partnerships import partnership_create
from tests import signin
from tests.factories import OrganisationFactory, UserFactory

JOINED = date(2025, 1, 1)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def days_ahead(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def municipality(db):
    return OrganisationFactory(name="Gemeente Amsterdam", kind="public", sector="")


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Politie Amsterdam", kind="public", sector="")


@pytest.fixture
def officer(municipality):
    return UserFactory(username="officer", organisation=municipality, role="member")


@pytest.fixture
def partnership_a(org_a, municipality):
    return partnership_create(
        name="ArenA Amsterdam",
        kind="venue",
        region="Amsterdam-Amstelland",
        variant="deepening",
        status="active",
        members=[(org_a, "coordinator"), (org_a, "venue_operator"), (municipality, "municipality")],
        joined_on=JOINED,
        sponsor=municipality,
    )


@pytest.fixture
def partnership_b(org_b):
    return partnership_create(
        name="Vierdaagse Nijmegen",
        kind="event",
        region="Gelderland-Zuid",
        variant="broadening",
        status="forming",
        members=[(org_b, "coordinator"), (org_b, "event_organiser")],
        joined_on=JOINED,
    )


@pytest.fixture
def covenant_a(partnership_a, org_a, municipality):
    """In force: both members signed, running for another year."""
    return covenant_create(
        partnership=partnership_a,
        title="Convenant ArenA",
        effective_from=days_ago(100),
        effective_until=days_ahead(365),
        information_clause="amber",
        signatories=[(org_a, days_ago(110)), (municipality, days_ago(105))],
        tasks=[(org_a, "Watches the cameras."), (municipality, "Calls the triangle together.")],
    )


@pytest.fixture
def covenant_b(partnership_b, org_b):
    return covenant_create(
        partnership=partnership_b,
        title="Convenant Vierdaagse",
        effective_from=days_ago(10),
        signatories=[(org_b, days_ago(12))],
    )


@pytest.fixture
def client_for(api_client):
    """Sign in as a persona (session authentication, as the browsable API), English messages."""

    def sign_in(user, *, language: str = "en"):
        signin.sign_in(api_client, user)
        api_client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return api_client

    return sign_in
