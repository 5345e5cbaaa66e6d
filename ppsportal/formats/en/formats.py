"""The portal's English is British English: the ``en_GB`` formats (see the package's note)."""

from ppsportal.formats.en_GB.formats import *  # noqa: F403
