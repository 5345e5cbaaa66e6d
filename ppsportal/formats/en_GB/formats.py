"""British English on the 24-hour clock: "3 Dec 2026, 14:02", "03/12/2026 14:02", "55,000"."""

from django.conf.locale.en_GB.formats import *  # noqa: F403 (the day-first input formats)

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
