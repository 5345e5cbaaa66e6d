"""Joining dates, departures and withdrawals dated after the day of the migration become that
day (the services refuse dates ahead since this release: docs/partnerships.md, "Who sees what").

What each door did with such a row stays as it was: a member whose joining date lay ahead
already had access (a member is "current" while it has no left date), a departure or a
withdrawal dated ahead already ended access (the doors read "no left date", "not withdrawn").
Only the dates change, so that health, which reads them by day, and the covenant's force
(``Covenant.objects.in_force``: a party until the day of its withdrawal) agree with the doors
today; and the rows can be corrected again (a joining date ahead could not be followed by a
departure: a member leaves on or after it joined).
"""

from django.db import migrations
from django.utils import timezone


def no_dates_ahead(apps, schema_editor):
    today = timezone.localdate()
    member = apps.get_model("partnerships", "PartnershipMember")
    signatory = apps.get_model("partnerships", "CovenantSignatory")
    member.objects.filter(joined_on__gt=today).update(joined_on=today)
    member.objects.filter(left_on__gt=today).update(left_on=today)
    signatory.objects.filter(withdrawn_on__gt=today).update(withdrawn_on=today)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0007_health_snapshot"),
    ]

    operations = [
        migrations.RunPython(no_dates_ahead, migrations.RunPython.noop),
    ]
