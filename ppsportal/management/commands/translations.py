from django.core.management.base import BaseCommand, CommandError

from ppsportal import translations


class Command(BaseCommand):
    help = "Extract strings into the Dutch .po file, compile it to .mo, or check it (no gettext)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["extract", "compile", "check"])

    def handle(self, *args, action: str, **options):
        if action == "extract":
            added, obsolete = translations.update_catalog()
            self.stdout.write(f"{translations.po_path()}: {added} new, {obsolete} obsolete removed")
            missing = translations.untranslated()
            if missing:
                self.stdout.write(f"{len(missing)} strings still need a Dutch translation.")
        elif action == "compile":
            count = translations.compile_catalog()
            self.stdout.write(f"{translations.mo_path()}: {count} translations")
        else:
            missing = translations.untranslated()
            if missing:
                raise CommandError("Untranslated strings:\n" + "\n".join(missing))
            self.stdout.write("Every string has a Dutch translation.")
