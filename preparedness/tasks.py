"""Celery tasks of the preparedness app: thin, idempotent, calling services."""

from celery import shared_task

from preparedness.reminders import training_reminders_send


@shared_task(name="preparedness.tasks.send_training_reminders", ignore_result=True)
def send_training_reminders() -> int:
    """Daily: training records expiring within TRAINING_REMINDER_DAYS; each sent once."""
    return training_reminders_send()
