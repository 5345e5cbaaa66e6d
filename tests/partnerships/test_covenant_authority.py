"""Covenant authority: only the parties create or extend entitlement, each signs for itself, and
the footing of a share is two-sided (issue 10, "what was seen" 1 and 2).

The world: the ArenA partnership of partner A (coordinator, ``operator_a`` an administrator who
signs, ``viewer_a`` who may not), the municipality and the NCTV. The NCTV shares an AMBER
contact-log entry with partner A under the ArenA covenant that all three signed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from guardian.shortcuts import get_objects_for_user

from partnerships.models import ContactEntry, Covenant
from partnerships.selectors import actor_for
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import signing
from partnerships.services.partnerships import partnership_create
from partnerships.sharing import services as sharing
from partnerships.sharing.selectors import visible_to
from ppsportal.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory
from tests.signin import sign_in as signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

URL = "/api/v1/covenants/"


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def municipality(db):
    return OrganisationFactory(name="Gemeente Amsterdam", kind="public", sector="")


@pytest.fixture
def city_admin(municipality):
    return UserFactory(username="city-admin", organisation=municipality, role="admin")


@pytest.fixture
def arena(org_a, municipality, nctv):
    return partnership_create(
        name="ArenA Amsterdam",
        kind="venue",
        status="active",
        members=[
            (org_a, "coordinator"),
            (org_a, "venue_operator"),
            (municipality, "municipality"),
            (nctv, "other"),
        ],
        joined_on=today() - timedelta(days=400),
    )


def _covenant(arena, signatories, *, clause="amber", until=365):
    return covenant_services.covenant_create(
        partnership=arena,
        title="Convenant ArenA",
        effective_from=today() - timedelta(days=30),
        effective_until=today() + timedelta(days=until),
        information_clause=clause,
        signatories=[(org, today() - timedelta(days=31)) for org in signatories],
    )


@pytest.fixture
def covenant(arena, org_a, municipality, nctv):
    return _covenant(arena, [org_a, municipality, nctv])


@pytest.fixture
def entry(arena, nctv_staff, nctv):
    return contact_services.contact_create(
        partnership=arena,
        by=nctv_staff,
        occurred_on=today(),
        kind="meeting",
        summary="Dreigingsbeeld ArenA",
        participants=[nctv],
        tlp="amber",
    )


@pytest.fixture
def shared(entry, org_a, covenant, nctv_staff):
    return sharing.share_with_organisation(
        obj=entry, organisation=org_a, covenant=covenant, by=nctv_staff, reason="Wedstrijd"
    )


def sees(user, entry) -> bool:
    """The portal's selector and guardian's own API, asked as a fresh request would."""
    user = type(user).objects.get(pk=user.pk)
    portal = visible_to(actor_for(user), ContactEntry.objects.filter(pk=entry.pk)).exists()
    guardian = get_objects_for_user(
        user, "partnerships.view_contactentry", ContactEntry, accept_global_perms=False
    ).filter(pk=entry.pk).exists() or user.has_perm("partnerships.view_contactentry", entry)
    assert portal == guardian, "guardian and the portal disagree"
    return portal


def api(client_for, user):
    return client_for(user)


@pytest.fixture
def client_for(api_client):
    def sign_in(user):
        signed_in(api_client, user)
        api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api_client

    return sign_in


# --- What was seen 1: a partner's coordinator controlled the terms ------------------------------


def test_a_coordinator_cannot_extend_an_expired_covenant_alone(
    client_for, operator_a, viewer_a, covenant, entry, shared
):
    assert sees(viewer_a, entry)
    # The NCTV let it expire (the dates are data here, as a lapse would leave them).
    Covenant.objects.filter(pk=covenant.pk).update(
        effective_from=today() - timedelta(days=30), effective_until=today() - timedelta(days=1)
    )
    assert not sees(viewer_a, entry)
    response = client_for(operator_a).patch(
        f"{URL}{covenant.public_id}/", {"effective_until": "2030-12-31"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "new version" in str(response.json()["effective_until"])
    covenant.refresh_from_db()
    assert covenant.effective_until == today() - timedelta(days=1)
    assert not sees(viewer_a, entry) and not sees(operator_a, entry)


def test_extending_is_a_new_version_that_grants_nothing_until_every_party_signs(
    client_for, operator_a, viewer_a, city_admin, nctv_staff, covenant, entry, shared
):
    Covenant.objects.filter(pk=covenant.pk).update(effective_until=today() - timedelta(days=1))
    response = client_for(operator_a).post(
        f"{URL}{covenant.public_id}/versions/", {"effective_until": "2030-12-31"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 2
    assert body["supersedes"] == str(covenant.public_id)
    successor = Covenant.objects.get(public_id=body["id"])
    assert not sees(viewer_a, entry)
    # The coordinator signs for its own organisation only; the others have not.
    assert client_for(operator_a).post(f"{URL}{successor.public_id}/sign/").status_code == 200
    signing.covenant_sign(covenant=successor, by=city_admin)
    assert not sees(viewer_a, entry)
    signing.covenant_sign(covenant=successor, by=nctv_staff)
    assert successor.status == Covenant.Status.ACTIVE
    assert sees(viewer_a, entry)  # the grant moved to the version in force
    row = successor.signatories.get(organisation=operator_a.membership.organisation)
    assert row.signed_by == operator_a and row.signed_on == today() and row.signed_at
    assert AuditEvent.objects.filter(action="sharing.rebased").count() == 1


def test_the_clause_of_a_signed_covenant_is_not_raised_in_place(
    client_for, operator_a, covenant, entry, shared
):
    response = client_for(operator_a).patch(
        f"{URL}{covenant.public_id}/", {"information_clause": "red"}, format="json"
    )
    assert response.status_code == 400, response.content
    covenant.refresh_from_db()
    assert covenant.information_clause == "amber"


def test_a_coordinator_cannot_record_other_parties_signatures(
    client_for, operator_a, org_a, municipality, nctv, arena
):
    payload = {
        "partnership": str(arena.public_id),
        "title": "Convenant AWDC",
        "effective_from": str(today() - timedelta(days=1)),
        "information_clause": "red",
        "signatories": [
            {"organisation": str(org.public_id), "signed_on": str(today() - timedelta(days=2))}
            for org in (org_a, municipality, nctv)
        ],
    }
    response = client_for(operator_a).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert not Covenant.objects.filter(title="Convenant AWDC").exists()
    # Without dates it is a draft that grants nothing.
    for row in payload["signatories"]:
        row.pop("signed_on")
    response = client_for(operator_a).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    assert not Covenant.objects.in_force().filter(title="Convenant AWDC").exists()


def test_each_party_signs_only_for_itself(
    client_for, viewer_a, operator_b, nctv_staff, arena, org_a, municipality, nctv
):
    draft = signing.covenant_draft(
        by=nctv_staff,
        partnership=arena,
        title="Nieuw convenant",
        effective_from=today(),
        signatories=[org_a, municipality],
    )
    # A viewer of a party has no signing role: 403. An outsider cannot find it: 404.
    assert client_for(viewer_a).post(f"{URL}{draft.public_id}/sign/").status_code == 403
    assert client_for(operator_b).post(f"{URL}{draft.public_id}/sign/").status_code == 404
    # NCTV staff see it, but the NCTV is no party to it: nothing to sign for anyone else.
    response = client_for(nctv_staff).post(f"{URL}{draft.public_id}/sign/")
    assert response.status_code == 400, response.content
    assert not draft.signatories.filter(signed_on__isnull=False).exists()


def test_an_old_version_cannot_be_signed_or_amended(operator_a, nctv_staff, covenant):
    successor = signing.covenant_amend(covenant=covenant, by=nctv_staff, purpose="Nieuw doel")
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        signing.covenant_sign(covenant=covenant, by=operator_a)
    assert "not the current version" in refused.value.message_dict["covenant"][0]
    with pytest.raises(ValidationError):
        signing.covenant_amend(covenant=covenant, by=nctv_staff, purpose="Nog een")
    assert successor.status == Covenant.Status.DRAFT
    assert covenant.status == Covenant.Status.ACTIVE  # the signed terms stand


def test_any_party_terminates_at_once(client_for, operator_a, viewer_a, covenant, entry, shared):
    assert client_for(viewer_a).post(f"{URL}{covenant.public_id}/terminate/").status_code == 403
    assert sees(viewer_a, entry)
    response = client_for(operator_a).post(f"{URL}{covenant.public_id}/terminate/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    assert not sees(viewer_a, entry)


def test_the_admin_cannot_change_a_signed_covenants_terms(client, nctv_staff, covenant):
    from tests.partnerships.test_admin import _form_data

    signed_in(client, nctv_staff)
    url = f"/admin/partnerships/covenant/{covenant.pk}/change/"
    data = _form_data(client.get(url))
    data.update({"effective_until": "2030-12-31", "information_clause": "red"})
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the reason
    assert (
        "new version" in response.content.decode() or "nieuwe versie" in response.content.decode()
    )
    covenant.refresh_from_db()
    assert covenant.information_clause == "amber"
    assert covenant.effective_until != date(2030, 12, 31)


def test_the_admin_signs_only_for_the_staff_members_own_organisation(
    client, nctv_staff, arena, org_a, municipality
):
    draft = signing.covenant_draft(
        by=nctv_staff,
        partnership=arena,
        title="Concept",
        effective_from=today(),
        signatories=[org_a, municipality],
    )
    signed_in(client, nctv_staff)
    client.post(
        "/admin/partnerships/covenant/",
        {"action": "sign_for_my_organisation", "_selected_action": [draft.pk]},
    )
    assert not draft.signatories.filter(signed_on__isnull=False).exists()


# --- What was seen 2: sharing under a covenant the sharer never signed ---------------------------


def test_the_sharer_must_have_signed_the_covenant(
    arena, org_a, municipality, entry, nctv_staff, viewer_a
):
    without_nctv = _covenant(arena, [org_a, municipality])
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        sharing.share_with_organisation(
            obj=entry, organisation=org_a, covenant=without_nctv, by=nctv_staff, reason="Wedstrijd"
        )
    assert "signatures of both sides" in refused.value.message_dict["covenant"][0]
    assert not sees(viewer_a, entry)


def test_a_grant_ends_when_the_sharer_withdraws(
    nctv, covenant, entry, shared, viewer_a, operator_a
):
    assert sees(viewer_a, entry)
    covenant_services.covenant_withdraw_signatory(covenant=covenant, organisation=nctv)
    assert not sees(viewer_a, entry) and not sees(operator_a, entry)
