"""Parties and people: organisations, memberships, and one group per organisation in step."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from knox.models import AuthToken

from partnerships.models import Membership, Organisation
from partnerships.roles import Capability, role_allows
from partnerships.selectors import actor_for
from partnerships.services import organisations as services
from tests import signin
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_organisation_gets_its_own_group():
    organisation = OrganisationFactory(name="Museum X", sector="museum")
    assert organisation.group.name == f"organisation:{organisation.public_id}"
    assert Group.objects.filter(organisation=organisation).count() == 1


def test_invalid_organisation_is_refused_and_leaves_no_group():
    groups_before = Group.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(name="X", kind="private", sector="moon_base")
    assert "sector" in excinfo.value.message_dict
    assert Group.objects.count() == groups_before
    assert not Organisation.objects.filter(name="X").exists()


def test_registration_number_is_checked():
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(name="Y", kind="private", registration_number="KVK")
    assert "registration_number" in excinfo.value.message_dict


def test_only_one_nctv_organisation(nctv):
    with pytest.raises(Exception):  # noqa: B017 - the database constraint or full_clean refuses
        services.organisation_create(name="Second NCTV", kind="public", is_nctv=True)


def test_membership_puts_the_user_in_the_organisation_group(operator_a, org_a):
    assert list(operator_a.groups.all()) == [org_a.group]
    assert operator_a.membership.organisation == org_a


def test_a_user_belongs_to_one_organisation(operator_a, org_b):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(user=operator_a, organisation=org_b)
    assert "user" in excinfo.value.message_dict
    assert list(operator_a.groups.all()) != [org_b.group]


def test_staff_status_is_for_the_nctv_only(org_a):
    with pytest.raises(ValidationError) as excinfo:
        UserFactory(username="sneaky", organisation=org_a, is_staff=True)
    assert "is_staff" in excinfo.value.message_dict
    assert not Membership.objects.filter(user__username="sneaky").exists()


def test_nctv_staff_are_recognised(nctv_staff, operator_a):
    assert actor_for(nctv_staff).is_nctv_staff is True
    assert actor_for(operator_a).is_nctv_staff is False


def test_ending_a_membership_leaves_the_group_and_signs_out_everywhere(client, operator_a, org_a):
    client.post("/accounts/login/", {"username": "operator-a", "password": PASSWORD})
    AuthToken.objects.create(user=operator_a)
    assert Session.objects.count() == 1

    services.membership_end(membership=operator_a.membership)

    operator_a.refresh_from_db()
    assert not operator_a.groups.exists()
    assert Session.objects.count() == 0
    assert AuthToken.objects.filter(user=operator_a).count() == 0
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_sessions_and_tokens(client, operator_a):
    client.post("/accounts/login/", {"username": "operator-a", "password": PASSWORD})
    AuthToken.objects.create(user=operator_a)
    services.user_deactivate(user=operator_a)
    assert Session.objects.count() == 0
    assert not AuthToken.objects.filter(user=operator_a).exists()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("role", "capability", "allowed"),
    [
        ("admin", Capability.MANAGE_ORGANISATION, True),
        ("member", Capability.MANAGE_ORGANISATION, False),
        ("member", Capability.WRITE, True),
        ("viewer", Capability.WRITE, False),
        ("viewer", Capability.READ, True),
        ("integrator", Capability.USE_DASHBOARD, False),
        ("integrator", Capability.WRITE, True),
        (None, Capability.READ, False),
    ],
)
def test_roles_map_to_capabilities_in_one_place(role, capability, allowed):
    assert role_allows(role, capability) is allowed


def test_admin_creates_an_organisation_through_the_service(client, nctv_staff):
    nctv_staff.is_superuser = True
    nctv_staff.save()
    signin.sign_in(client, nctv_staff)
    response = client.post(
        "/admin/partnerships/organisation/add/",
        {
            "name": "Rijksmuseum",
            "kind": "private",
            "sector": "museum",
            "registration_number": "41199391",
            "region": "Amsterdam-Amstelland",
            "municipality": "Amsterdam",
            "country": "NL",
            "jurisdiction": "nl",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(name="Rijksmuseum")
    assert organisation.group.name == f"organisation:{organisation.public_id}"
