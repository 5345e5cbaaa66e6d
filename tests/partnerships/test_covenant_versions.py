"""Versions of a covenant: when a new version takes effect, no earlier version's terms stand any
more (docs/permissions.md, "Who may create entitlement": "until then the old terms stand").

Found by the sharing property test: a version proposed on top of a still unsigned draft, once
every party signed it, left the last signed version in force beside it, so grants resting on the
old terms (here a RED clause the parties had since lowered to AMBER) kept counting. A new version
whose last unsigned party withdrew did the same."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from partnerships.models import ContactEntry, Covenant
from partnerships.selectors import actor_for
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import signing
from partnerships.services.partnerships import partnership_create
from partnerships.sharing import services as sharing
from partnerships.sharing.selectors import visible_to
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PERM = "partnerships.view_contactentry"


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def city(db):
    return OrganisationFactory(name="Gemeente Amsterdam", kind="public", sector="")


@pytest.fixture
def city_admin(city):
    return UserFactory(username="city-admin", organisation=city, role="admin")


@pytest.fixture
def partnership(org_a, city):
    return partnership_create(
        name="ArenA Amsterdam",
        kind="venue",
        status="active",
        members=[(org_a, "coordinator"), (org_a, "venue_operator"), (city, "municipality")],
        joined_on=today() - timedelta(days=400),
    )


@pytest.fixture
def covenant(partnership, org_a, city):
    return covenant_services.covenant_create(
        partnership=partnership,
        title="Convenant ArenA",
        effective_from=today() - timedelta(days=30),
        effective_until=today() + timedelta(days=365),
        information_clause="red",
        signatories=[(org, today() - timedelta(days=31)) for org in (org_a, city)],
    )


@pytest.fixture
def red_entry(partnership, operator_a, org_a):
    return contact_services.contact_create(
        partnership=partnership,
        by=operator_a,
        occurred_on=today(),
        kind="meeting",
        summary="Camerabeelden",
        participants=[org_a],
        tlp="red",
    )


def sees(user, entry) -> bool:
    user = type(user).objects.get(pk=user.pk)
    portal = visible_to(actor_for(user), ContactEntry.objects.filter(pk=entry.pk)).exists()
    by_guardian = get_objects_for_user(user, PERM, ContactEntry, accept_global_perms=False)
    assert portal == by_guardian.filter(pk=entry.pk).exists() == user.has_perm(PERM, entry)
    return portal


def test_a_version_signed_on_top_of_an_unsigned_draft_ends_every_earlier_version(
    operator_a, city_admin, covenant, red_entry
):
    sharing.share_with_user(
        obj=red_entry, user=city_admin, covenant=covenant, by=operator_a, reason="Onderzoek"
    )
    assert sees(city_admin, red_entry)
    # v2 lowers the clause to AMBER and is never signed; v3 (an extension) is proposed on top.
    v2 = signing.covenant_amend(covenant=covenant, by=operator_a, information_clause="amber")
    v3 = signing.covenant_amend(
        covenant=v2, by=operator_a, effective_until=today() + timedelta(days=700)
    )
    assert v3.information_clause == "amber"
    assert sees(city_admin, red_entry)  # until every party signed v3, the signed terms stand
    signing.covenant_sign(covenant=v3, by=operator_a)
    signing.covenant_sign(covenant=v3, by=city_admin)

    in_force = Covenant.objects.in_force().filter(partnership=covenant.partnership)
    assert list(in_force) == [v3]
    # The grant moved to the version in force, whose AMBER clause does not allow RED.
    assert not sees(city_admin, red_entry)
    assert sharing.shares_of(red_entry)[0].covenant == v3


def test_a_new_version_whose_last_unsigned_party_withdraws_replaces_the_old_one(
    operator_a, city_admin, city, covenant, red_entry
):
    sharing.share_with_user(
        obj=red_entry, user=city_admin, covenant=covenant, by=operator_a, reason="Onderzoek"
    )
    v2 = signing.covenant_amend(covenant=covenant, by=operator_a, information_clause="amber")
    signing.covenant_sign(covenant=v2, by=operator_a)
    # The city leaves the new version before signing it: everyone left has signed, so the new
    # version is in force, and it must not stand beside the old one.
    covenant_services.covenant_withdraw_signatory(covenant=v2, organisation=city)

    in_force = Covenant.objects.in_force().filter(partnership=covenant.partnership)
    assert list(in_force) == [v2]
    assert sharing.shares_of(red_entry)[0].covenant == v2
    assert not sees(city_admin, red_entry)
