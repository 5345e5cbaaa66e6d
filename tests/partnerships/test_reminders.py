"""Reminders: a covenant expiring in 60, 30 and 7 days, and contact overdue, each mailed once to
the liaison and the coordinators, however often the schedule runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from partnerships.models import ReminderSent
from partnerships.services import contacts as contact_services
from partnerships.services import organisations as org_services
from partnerships.services.reminders import reminders_send
from partnerships.tasks import send_partnership_reminders
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership

pytestmark = pytest.mark.django_db


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def gemeente(db):
    return OrganisationFactory(name="Gemeente Testdam", kind="public", sector="")


@pytest.fixture
def liaison(gemeente):
    return UserFactory(username="liaison-gemeente", organisation=gemeente, role="member")


@pytest.fixture
def people(org_a, operator_a, viewer_a, gemeente):
    """Users of the coordinating organisation A in every role, and one of the municipality."""
    member = UserFactory(username="member-a", organisation=org_a, role="member")
    UserFactory(username="integrator-a", organisation=org_a, role="integrator")
    gone = UserFactory(username="gone-a", organisation=org_a, role="member")
    org_services.user_deactivate(user=gone)
    UserFactory(username="clerk-gemeente", organisation=gemeente, role="member")
    return {"operator": operator_a, "member": member}


def _partnership(
    org_a, gemeente, liaison, *, until_days, frequency=365, last_contact_days=0, name="PPS Test"
):
    partnership = make_partnership(
        name=name,
        operator_org=org_a,
        municipality=gemeente,
        liaison=liaison,
        until_days=until_days,
        contact_frequency_days=frequency,
    )
    contact_services.contact_create(
        partnership=partnership,
        by=liaison,
        occurred_on=timezone.localdate() - timedelta(days=last_contact_days),
        kind="call",
        summary="Belronde",
        participants=[gemeente],
    )
    return partnership


def _reminders(outbox):
    """The reminders sent, as (subject, body, sorted recipients): one message per recipient,
    so nobody sees the others' addresses."""
    grouped = {}
    for message in outbox:
        assert len(message.to) == 1, message.to
        grouped.setdefault((message.subject, message.body), []).append(message.to[0])
    return [(subject, body, sorted(to)) for (subject, body), to in grouped.items()]


def _expected_recipients(people, liaison):
    return sorted([people["operator"].email, people["member"].email, liaison.email])


# --- covenant expiry ------------------------------------------------------------------------


def test_expiry_in_60_30_and_7_days_each_mails_liaison_and_coordinators_once(
    mailoutbox, org_a, gemeente, liaison, people, today
):
    partnership = _partnership(org_a, gemeente, liaison, until_days=60)

    send_partnership_reminders()
    send_partnership_reminders()
    [(subject, body, to)] = _reminders(mailoutbox)
    assert to == _expected_recipients(people, liaison)
    assert f"Convenant {partnership.name}" in subject
    assert f"{settings.SITE_URL}/partnerships/{partnership.public_id}/" in body

    for day in (1, 29):  # 59 and 31 days left: still the 60-day reminder, already sent
        assert reminders_send(today=today + timedelta(days=day)) == 0
    assert reminders_send(today=today + timedelta(days=30)) == 1  # 30 days left
    assert reminders_send(today=today + timedelta(days=30)) == 0
    assert reminders_send(today=today + timedelta(days=40)) == 0
    assert reminders_send(today=today + timedelta(days=53)) == 1  # 7 days left
    assert reminders_send(today=today + timedelta(days=58)) == 0
    sent = _reminders(mailoutbox)
    assert len(sent) == 3
    for _subject, _body, to in sent:
        assert to == _expected_recipients(people, liaison)
    assert ReminderSent.objects.filter(partnership=partnership).count() == 3


def test_covenant_first_seen_5_days_before_expiry_gets_one_reminder_not_three(
    mailoutbox, org_a, gemeente, liaison, people, today
):
    _partnership(org_a, gemeente, liaison, until_days=5)
    send_partnership_reminders()
    send_partnership_reminders()
    assert reminders_send(today=today + timedelta(days=2)) == 0
    [(subject, _body, _to)] = _reminders(mailoutbox)
    assert "5" in subject


def test_no_expiry_reminder_beyond_60_days_or_for_an_expired_covenant(
    mailoutbox, org_a, gemeente, liaison, today
):
    _partnership(org_a, gemeente, liaison, until_days=61)
    send_partnership_reminders()
    assert len(mailoutbox) == 0
    assert reminders_send(today=today + timedelta(days=62)) == 0  # expired: nothing to renew


def test_renewed_covenant_is_reminded_again_at_its_new_end(
    mailoutbox, org_a, gemeente, liaison, today
):
    from partnerships.services import covenants as covenant_services

    partnership = _partnership(org_a, gemeente, liaison, until_days=30)
    send_partnership_reminders()
    covenant = partnership.covenants.get()
    covenant_services.covenant_update(
        covenant=covenant, effective_until=today + timedelta(days=400)
    )
    assert reminders_send(today=today + timedelta(days=340)) == 1  # 60 days before the new end
    assert len(_reminders(mailoutbox)) == 2


# --- contact overdue ------------------------------------------------------------------------


def test_contact_overdue_is_mailed_once_per_overdue_episode(
    mailoutbox, org_a, gemeente, liaison, people, today
):
    partnership = _partnership(
        org_a, gemeente, liaison, until_days=None, frequency=30, last_contact_days=31
    )
    send_partnership_reminders()
    send_partnership_reminders()
    assert reminders_send(today=today + timedelta(days=10)) == 0  # still the same episode
    [(subject, _body, to)] = _reminders(mailoutbox)
    assert partnership.name in subject
    assert to == _expected_recipients(people, liaison)

    contact_services.contact_create(
        partnership=partnership,
        by=liaison,
        occurred_on=today,
        kind="meeting",
        summary="Weer om tafel",
        participants=[org_a, gemeente],
    )
    send_partnership_reminders()
    assert reminders_send(today=today + timedelta(days=30)) == 0  # due, not overdue
    assert len(_reminders(mailoutbox)) == 1

    assert reminders_send(today=today + timedelta(days=31)) == 1  # a new overdue episode
    assert reminders_send(today=today + timedelta(days=45)) == 0
    assert len(_reminders(mailoutbox)) == 2


def test_dormant_and_ended_partnerships_get_no_contact_reminder(
    mailoutbox, org_a, gemeente, liaison
):
    from partnerships.services import partnerships as partnership_services

    partnership = _partnership(
        org_a, gemeente, liaison, until_days=None, frequency=30, last_contact_days=60
    )
    partnership_services.partnership_update(partnership=partnership, status="dormant")
    send_partnership_reminders()
    assert len(mailoutbox) == 0


# --- recipients -----------------------------------------------------------------------------


def test_recipients_exclude_viewers_integrators_inactive_users_and_other_members(
    mailoutbox, org_a, gemeente, liaison, people
):
    _partnership(org_a, gemeente, liaison, until_days=7)
    send_partnership_reminders()
    [(_subject, _body, to)] = _reminders(mailoutbox)
    assert to == sorted(
        [
            "operator-a@example.invalid",
            "member-a@example.invalid",
            "liaison-gemeente@example.invalid",
        ]
    )
    for absent in ("viewer-a", "integrator-a", "gone-a", "clerk-gemeente"):
        assert f"{absent}@example.invalid" not in to


def test_inactive_liaison_is_not_mailed(mailoutbox, org_a, gemeente, liaison, people):
    _partnership(org_a, gemeente, liaison, until_days=7)
    org_services.user_deactivate(user=liaison)
    send_partnership_reminders()
    [(_subject, _body, to)] = _reminders(mailoutbox)
    assert liaison.email not in to


# --- a mail server that is down ---------------------------------------------------------------


def test_mail_failure_leaves_no_trace_so_the_next_run_retries(
    settings, mailoutbox, org_a, gemeente, liaison, people
):
    _partnership(org_a, gemeente, liaison, until_days=30)
    settings.EMAIL_BACKEND = "tests.partnerships.test_reminders.BrokenMailBackend"
    assert send_partnership_reminders() == 0  # logged, retried next run
    assert ReminderSent.objects.count() == 0
    assert len(mailoutbox) == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_partnership_reminders() == 1
    assert send_partnership_reminders() == 0
    assert len(_reminders(mailoutbox)) == 1
    assert ReminderSent.objects.count() == 1


def test_one_failing_reminder_does_not_stop_the_others(
    settings, mailoutbox, org_a, gemeente, liaison, people, monkeypatch
):
    from partnerships.services import reminders

    _partnership(org_a, gemeente, liaison, until_days=30)
    _partnership(org_a, gemeente, liaison, until_days=7, name="Tweede PPS")
    original = reminders.EmailMessage

    def flaky(subject, *args, **kwargs):
        if "7" in subject:
            raise ConnectionRefusedError("refused for this one")
        return original(subject, *args, **kwargs)

    monkeypatch.setattr(reminders, "EmailMessage", flaky)
    assert send_partnership_reminders() == 1
    assert ReminderSent.objects.count() == 1


def test_a_reminder_with_nobody_to_tell_waits_for_someone(mailoutbox, org_a, gemeente):
    partnership = make_partnership(
        operator_org=org_a, municipality=gemeente, until_days=7, coordinator=False
    )
    assert send_partnership_reminders() == 0
    assert ReminderSent.objects.count() == 0
    liaison = UserFactory(username="late-liaison", organisation=gemeente)
    from partnerships.services import partnerships as partnership_services

    partnership_services.partnership_set_liaison(partnership=partnership, liaison=liaison)
    assert send_partnership_reminders() >= 1
    assert any(to == ["late-liaison@example.invalid"] for _s, _b, to in _reminders(mailoutbox))
