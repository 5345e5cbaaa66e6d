"""A small world for alert tests, built through the services.

- the NCTV with two staff members (an author and an approver) and a duty officer;
- partner A (football stadium, Amsterdam): an admin and a read-only viewer;
- partner B (event grounds, Rotterdam): an admin;
- A and B share a partnership and a covenant whose clause allows AMBER;
- outsider D (football stadium, Utrecht): no covenant at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from alerts import services
from alerts.channels.sms import RecordingBackend
from alerts.models import ChannelPreference, Delivery
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests.factories import OrganisationFactory, UserFactory
from threats.models import Sector

PURPOSE = "Waarschuwen bij dreiging tegen het stadion."  # the covenant's purpose


@dataclass
class World:
    nctv: object
    author: object
    approver: object
    duty: object
    org_a: object
    org_b: object
    org_d: object
    admin_a: object
    viewer_a: object
    admin_b: object
    user_d: object
    partnership: object
    covenant: object

    def sector(self, code: str) -> Sector:
        return Sector.objects.get(code=code)

    def draft(self, **fields):
        fields.setdefault("headline", "Verhoogde dreiging stadions")
        fields.setdefault("description", "Concrete aanwijzingen voor een aanslag op een stadion.")
        fields.setdefault("instruction", "Schaal op naar het draaiboek voor hoge dreiging.")
        fields.setdefault("atb_level", "matige_dreiging")
        return services.alert_create(by=self.author, **fields)

    def approved(self, **fields):
        return services.alert_approve(alert=self.draft(**fields), by=self.approver)

    def published(self, **fields):
        return services.alert_publish(alert=self.approved(**fields), by=self.approver)


@pytest.fixture
def world(db) -> World:
    today = timezone.localdate()
    nctv = OrganisationFactory(name="NCTV", kind="public", sector="", is_nctv=True)
    org_a = OrganisationFactory(
        name="Partner A Stadion", sector="football_stadium", region="Amsterdam-Amstelland"
    )
    org_b = OrganisationFactory(
        name="Partner B Evenementen", sector="event_grounds", region="Rotterdam-Rijnmond"
    )
    org_d = OrganisationFactory(
        name="Buitenstaander D", sector="football_stadium", region="Utrecht"
    )
    w = World(
        nctv=nctv,
        author=UserFactory(username="author", organisation=nctv, is_staff=True),
        approver=UserFactory(username="approver", organisation=nctv, is_staff=True),
        duty=UserFactory(username="duty", organisation=nctv, is_staff=True),
        org_a=org_a,
        org_b=org_b,
        org_d=org_d,
        admin_a=UserFactory(username="admin-a", organisation=org_a, role="admin"),
        viewer_a=UserFactory(username="viewer-a", organisation=org_a, role="viewer"),
        admin_b=UserFactory(username="admin-b", organisation=org_b, role="admin"),
        user_d=UserFactory(username="user-d", organisation=org_d, role="admin"),
        partnership=None,
        covenant=None,
    )
    w.partnership = partnership_services.partnership_create(
        name="Stadion PPS",
        kind="venue",
        status="active",
        members=[(org_a, "venue_operator"), (org_b, "municipality")],
        joined_on=today - timedelta(days=100),
        liaison=w.admin_b,
    )
    w.covenant = covenant_services.covenant_create(
        partnership=w.partnership,
        title="Convenant Stadion",
        effective_from=today - timedelta(days=10),
        information_clause="amber",
        purpose=PURPOSE,
        # The NCTV sends alerts under it, so it signs too (the footing is two-sided).
        signatories=[
            (org_a, today - timedelta(days=20)),
            (org_b, today - timedelta(days=20)),
            (nctv, today - timedelta(days=20)),
        ],
    )
    Group.objects.get_or_create(name=settings.ALERTS_DUTY_OFFICER_GROUP)[0].user_set.add(w.duty)
    for user, phone in (
        (w.admin_a, "+31600000001"),
        (w.admin_b, "+31600000002"),
        (w.duty, "+31600000099"),
    ):
        ChannelPreference.objects.create(user=user, channel="sms", enabled=False, address=phone)
    return w


@pytest.fixture(autouse=True)
def _recording_sms(settings):
    settings.SMS_BACKEND = "alerts.channels.sms.RecordingBackend"
    RecordingBackend.outbox.clear()
    yield
    RecordingBackend.outbox.clear()


@pytest.fixture(autouse=True)
def _purge_broker():
    """With Redis, publishing enqueues real tasks no worker here consumes: drop them after."""
    yield
    if settings.REDIS_URL:
        from ppsportal.celery import app

        app.control.purge()


def pending_ids(alert) -> list[int]:
    return list(
        Delivery.objects.filter(alert=alert, status__in=Delivery.PENDING).values_list(
            "pk", flat=True
        )
    )


def rows(alert, **filters) -> list[tuple[str, str, str]]:
    """(username, channel, status) of an alert's deliveries, sorted."""
    return sorted(
        (d.recipient.username if d.recipient else d.webhook.url, d.channel, d.status)
        for d in Delivery.objects.filter(alert=alert, **filters).select_related(
            "recipient", "webhook"
        )
    )
