"""Session limits: a browser session ends after 30 minutes without a request and 12 hours after
signing in, whatever happened since; the sign-in page says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from freezegun import freeze_time

from ppsportal.models import AuditEvent
from tests.signin import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_TIMEOUT


def test_an_idle_session_ends_and_the_sign_in_page_says_why(client, operator_a):
    with freeze_time("2026-11-30 09:00:00") as clock:
        sign_in(client, operator_a)
        clock.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=30, seconds=1))
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        assert "signed out after 30 minutes without activity" in page.content.decode()
        assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_until_its_absolute_lifetime(client, operator_a):
    with freeze_time("2026-11-30 07:00:00") as clock:
        sign_in(client, operator_a)
        for _ in range(35):  # a request every 20 minutes for 11 hours 40 minutes
            clock.tick(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=19, seconds=59))  # 11:59:59 after signing in
        assert client.get("/").status_code == 200
        clock.tick(timedelta(seconds=1))
        response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        assert "Your session ended after 12 hours" in page.content.decode()


def test_an_ended_session_reaches_no_api_call(client, operator_a):
    with freeze_time("2026-11-30 09:00:00") as clock:
        sign_in(client, operator_a)
        assert client.get("/api/v1/me/").status_code == 200
        clock.tick(timedelta(minutes=31))
        assert client.get("/api/v1/me/").status_code in (401, 403)


def test_staff_sign_in_again_with_the_second_factor_after_the_limit(client, nctv_staff):
    with freeze_time("2026-11-30 09:00:00") as clock:
        sign_in(client, nctv_staff)
        assert client.get("/admin/").status_code == 200
        clock.tick(timedelta(minutes=31))
        assert client.get("/admin/")["Location"].startswith("/admin/login/")
        sign_in(client, nctv_staff)
        assert client.get("/admin/").status_code == 200
        assert AuditEvent.objects.filter(action="auth.mfa_verified").count() == 2


def test_a_session_without_its_sign_in_time_is_ended(client, operator_a):
    sign_in(client, operator_a)
    session = client.session
    del session["pps_signed_in_at"]
    session.save()
    assert client.get("/").status_code == 302


def test_the_idle_timeout_is_a_setting(client, operator_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    with freeze_time("2026-11-30 09:00:00") as clock:
        sign_in(client, operator_a)
        clock.tick(timedelta(minutes=9))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=10))
        assert client.get("/").status_code == 302


def test_the_absolute_lifetime_is_a_setting(client, operator_a, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 600
    with freeze_time("2026-11-30 09:00:00") as clock:
        sign_in(client, operator_a)
        clock.tick(timedelta(minutes=5))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=4, seconds=59))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(seconds=1))
        assert client.get("/").status_code == 302
