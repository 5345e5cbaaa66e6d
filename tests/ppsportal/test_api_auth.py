"""API tokens: obtained with a password, sent as 'Token', hashed at rest, expiring."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from knox.models import AuthToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def _token(client, username="operator-a", password=PASSWORD):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_token_then_me_names_the_organisation(api_client, operator_a, org_a):
    response = _token(api_client)
    assert response.status_code == 201
    assert set(response.json()) == {"token", "expiry"}

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get(ME_URL)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "operator-a"
    assert body["organisation"] == {"id": str(org_a.public_id), "name": "Partner A Stadion"}
    assert body["role"] == "admin"
    assert body["is_nctv_staff"] is False


def test_wrong_password_is_refused_with_a_clear_message(api_client, operator_a):
    response = _token(api_client, password="not-the-password")
    assert response.status_code == 401
    assert response.json() == {"detail": "Gebruikersnaam of wachtwoord is onjuist."}
    assert AuthToken.objects.count() == 0


def test_wrong_password_message_follows_the_request_language(api_client, operator_a):
    response = api_client.post(
        TOKEN_URL,
        {"username": "operator-a", "password": "x"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json() == {"detail": "Username or password is incorrect."}


def test_missing_fields_answer_400_per_field(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_no_token_answers_401(api_client):
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_garbage_token_answers_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "a" * 64)
    assert api_client.get(ME_URL).status_code == 401


def test_tokens_are_stored_hashed(api_client, operator_a):
    token = _token(api_client).json()["token"]
    row = AuthToken.objects.get(user=operator_a)
    assert token not in {row.digest, row.token_key}
    assert len(row.digest) == 128  # SHA-512 hex digest, not the token
    assert token.startswith(row.token_key)  # only a short lookup prefix is kept in clear


def test_tokens_expire(api_client, operator_a, settings):
    body = _token(api_client).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api_client.get(ME_URL).status_code == 200
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    with freeze_time(timezone.now() + ttl + timedelta(minutes=1)):
        assert api_client.get(ME_URL).status_code == 401


def test_revoked_token_stops_working(api_client, operator_a):
    token = _token(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert api_client.get(ME_URL).status_code == 401


def test_inactive_user_gets_no_token(api_client, operator_a):
    operator_a.is_active = False
    operator_a.save()
    assert _token(api_client).status_code == 401


def test_session_authentication_works_for_the_browsable_api(client, operator_a):
    client.force_login(operator_a)
    response = client.get(ME_URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"operator-a" in response.content


def test_token_endpoint_is_throttled(api_client, operator_a, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [_token(api_client, password="x").status_code for _ in range(4)]
    finally:
        # The test settings' rates again (reloading here would keep 3/minute for later tests).
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [401, 401, 401, 429]


def test_a_token_request_costs_one_query_however_many_tokens_the_user_has(
    api_client, operator_a, django_assert_num_queries
):
    from ppsportal.api.authentication import PortalTokenAuthentication

    for _ in range(5):
        AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    _instance, token = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    with django_assert_num_queries(1):
        user, auth = PortalTokenAuthentication().authenticate_credentials(token.encode())
    assert user == operator_a
    assert auth.digest == _instance.digest


def test_a_token_request_knows_who_is_asking_in_the_same_query(
    api_client, operator_a, django_assert_num_queries
):
    from ppsportal import actors
    from ppsportal.api.authentication import PortalTokenAuthentication

    _instance, token = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    with django_assert_num_queries(1):  # token, user, membership and organisation
        user, _auth = PortalTokenAuthentication().authenticate_credentials(token.encode())
        actor = actors.actor_for(user)
        assert actor.organisation == operator_a.membership.organisation


def test_an_expired_token_is_refused_without_touching_the_users_other_tokens(
    api_client, operator_a
):
    _live, live = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    _old, old = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    AuthToken.objects.filter(digest=_old.digest).update(expiry=timezone.now() - timedelta(1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api_client.get(ME_URL).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {live}")
    assert api_client.get(ME_URL).status_code == 200
    assert AuthToken.objects.filter(user=operator_a).count() == 2  # nothing deleted per request


def test_the_periodic_task_deletes_expired_tokens_only(operator_a, settings):
    from ppsportal.tasks import expire_api_tokens

    live, _ = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    old, _ = AuthToken.objects.create(user=operator_a, expiry=timedelta(hours=1))
    AuthToken.objects.filter(digest=old.digest).update(expiry=timezone.now() - timedelta(1))
    assert expire_api_tokens() == 1
    assert list(AuthToken.objects.values_list("digest", flat=True)) == [live.digest]
    assert "ppsportal.tasks.expire_api_tokens" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_a_token_that_is_not_text_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")
    assert api_client.get(ME_URL).status_code == 401
