"""The partner dashboard: sign in and out, a home page naming organisation and role."""

import pytest

from tests import signin
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_sign_in_then_home_greets_and_names_organisation_and_role(client, operator_a):
    response = client.post(
        "/accounts/login/", {"username": "operator-a", "password": PASSWORD}, follow=True
    )
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "Welkom, operator-a" in content
    assert "Partner A Stadion" in content
    assert "Beheerder" in content


def test_wrong_password_keeps_the_user_out_with_a_message(client, operator_a):
    response = client.post("/accounts/login/", {"username": "operator-a", "password": "nope"})
    assert response.status_code == 200
    assert "komen niet overeen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_ends_the_session(client, operator_a):
    signin.sign_in(client, operator_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_nctv_staff_reach_the_admin_and_partners_do_not(client, nctv_staff, operator_a):
    signin.sign_in(client, nctv_staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/partnerships/organisation/").status_code == 200
    signin.sign_in(client, operator_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_user_without_organisation_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("loose", password=PASSWORD)
    signin.sign_in(client, user)
    assert "nog niet aan een organisatie gekoppeld" in client.get("/").content.decode()


def test_an_api_account_cannot_sign_in_to_the_dashboard(client, org_a):
    from tests.factories import UserFactory

    UserFactory(username="integrator-a", organisation=org_a, role="integrator")
    response = client.post(
        "/accounts/login/",
        {"username": "integrator-a", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "API account" in response.content.decode()
    assert "_auth_user_id" not in client.session
