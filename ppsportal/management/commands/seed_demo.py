"""Create the demo data: the NCTV and the three cases of the study, with users for each.

Each app contributes through a ``demo`` module with a ``seed(ctx)`` function, called in dependency
order (partnerships, threats, alerts), then each module's ``seed_last(ctx)`` if it has one.
Running it twice leaves the same data as running it once.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

SEED_ORDER = ["partnerships", "threats", "alerts", "preparedness"]


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, users and data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a production database).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates users with a known password. "
                "Use --force if this really is a demo or test database."
            )
        ctx = SimpleNamespace(password=settings.DEMO_PASSWORD, stdout=self.stdout, objects={})
        seeded = []
        with transaction.atomic():
            for label in SEED_ORDER:
                if not apps.is_installed(label):
                    continue
                try:
                    module = importlib.import_module(f"{label}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{label}.demo":
                        raise
                    continue
                module.seed(ctx)
                seeded.append(module)
            for module in seeded:  # what reads every app's data: after all have seeded
                if hasattr(module, "seed_last"):
                    module.seed_last(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        for line in ctx.objects.get("logins", []):
            self.stdout.write(line)
