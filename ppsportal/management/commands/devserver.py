"""``manage.py devserver``: the development server, with the periodic schedule when no broker.

``make run`` uses it. Without ``REDIS_URL`` there is no beat, so the beat schedule runs in a
thread of the server process (ppsportal.schedule); with a broker it is plain ``runserver`` and
``make beat`` (or ``make serve``) does the schedule.
"""

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from ppsportal.schedule import start_in_process_schedule


class Command(RunserverCommand):
    help = "Development server; without REDIS_URL it also runs the periodic tasks in-process."

    def inner_run(self, *args, **options):
        # Runs in the serving process (the autoreloader's child), once per (re)start.
        if not settings.REDIS_URL:
            start_in_process_schedule()
            self.stdout.write(
                "Periodic tasks (escalation, reminders, expiry, sweep) run in-process."
            )
        super().inner_run(*args, **options)
