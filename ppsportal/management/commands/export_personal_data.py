"""``manage.py export_personal_data <username> [--output file.json]``: everything the portal holds
about one person, as JSON (an access request under art. 15 AVG). Audited."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ppsportal.privacy import personal_data_export, user_by_username


class Command(BaseCommand):
    help = "Export one person's data as JSON (AVG access request)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        try:
            user = user_by_username(options["username"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        text = json.dumps(personal_data_export(user=user, by=None), indent=2, ensure_ascii=False)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
        else:
            self.stdout.write(text)
