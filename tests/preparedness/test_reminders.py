"""Training reminders: a record whose validity ends within TRAINING_REMINDER_DAYS is mailed once
per validity period to the administrators of the soft target's operator, and to no one else."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from preparedness import services
from preparedness.models import TrainingRecord
from preparedness.reminders import training_reminders_send
from preparedness.rules import TRAINING_REMINDER_DAYS
from preparedness.tasks import send_training_reminders
from tests.factories import UserFactory
from tests.preparedness.conftest import days_ago, days_ahead

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


class BrokenMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def record(target, by, course, *, valid_until, role="Stewards"):
    return services.training_record_create(
        soft_target=target,
        by=by,
        course=course,
        role=role,
        trained_count=10,
        staff_total=20,
        held_on=days_ago(300),
        valid_until=valid_until,
    )


@pytest.fixture
def admins(org_a, operator_a, viewer_a, operator_b):
    """A second admin and a member of A (members are not administrators)."""
    UserFactory(username="admin2-a", organisation=org_a, role="admin", email="admin2@a.test")
    UserFactory(username="member-a", organisation=org_a, role="member", email="member@a.test")
    return sorted([operator_a.email, "admin2@a.test"])


def test_an_expiring_record_is_mailed_to_its_operators_admins_only(
    arena, route, operator_a, operator_b, course, admins
):
    record(arena, operator_a, course, valid_until=days_ahead(10))
    assert send_training_reminders() == 1
    assert sorted(address for message in mail.outbox for address in message.to) == admins
    assert operator_b.email not in {a for message in mail.outbox for a in message.to}
    message = mail.outbox[0]
    assert "Awareness" in message.subject and "ArenA" in message.subject
    assert "verloopt over 10 dagen" in message.subject  # Dutch, the portal's language
    assert str(arena.public_id) in message.body


def test_the_reminder_goes_once_per_validity_period(arena, operator_a, course, admins):
    training = record(arena, operator_a, course, valid_until=days_ahead(5))
    assert training_reminders_send() == 1
    assert training_reminders_send() == 0
    assert len(mail.outbox) == len(admins)
    training.refresh_from_db()
    assert training.reminder_sent_for == training.valid_until
    # renewed into a new period that again ends soon: reminded again, once
    TrainingRecord.objects.filter(pk=training.pk).update(valid_until=days_ahead(20))
    assert training_reminders_send() == 1
    assert training_reminders_send() == 0
    assert len(mail.outbox) == 2 * len(admins)


def test_records_outside_the_window_or_expired_are_not_mailed(arena, operator_a, course, admins):
    record(arena, operator_a, course, valid_until=days_ahead(TRAINING_REMINDER_DAYS + 1))
    TrainingRecord.objects.filter(
        pk=record(arena, operator_a, course, valid_until=days_ahead(5), role="Hosts").pk
    ).update(valid_until=days_ago(1))
    assert training_reminders_send() == 0
    assert mail.outbox == []
    assert not TrainingRecord.objects.filter(reminder_sent_for__isnull=False).exists()


def test_the_other_organisations_record_goes_to_its_own_admins(
    arena, route, operator_a, operator_b, course, admins
):
    record(route, operator_b, course, valid_until=days_ahead(3))
    assert training_reminders_send() == 1
    assert [message.to for message in mail.outbox] == [[operator_b.email]]


def test_a_failing_mail_server_leaves_the_reminder_for_the_next_run(
    settings, arena, operator_a, course, admins
):
    training = record(arena, operator_a, course, valid_until=days_ahead(5))
    settings.EMAIL_BACKEND = "tests.preparedness.test_reminders.BrokenMailBackend"
    assert training_reminders_send() == 0
    training.refresh_from_db()
    assert training.reminder_sent_for is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert training_reminders_send() == 1


def test_the_reminder_task_is_in_the_daily_schedule():
    from django.conf import settings

    from ppsportal.schedule import InProcessScheduler

    entry = settings.CELERY_BEAT_SCHEDULE["training-reminders"]
    assert entry["task"] == "preparedness.tasks.send_training_reminders"
    assert "training-reminders" in {e.name for e in InProcessScheduler().entries}
