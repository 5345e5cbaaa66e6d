"""Dates, times and numbers as a European reads them (``FORMAT_MODULE_PATH``).

Dutch keeps Django's own Dutch formats, with the day first, the 24-hour clock, a decimal comma
and a dot between thousands. English is British English: Django's ``en_GB`` formats, but with the
24-hour clock instead of "2:18 p.m.". The portal offers English as ``en``, so ``en`` reads the
``en_GB`` formats (Django looks only for the offered language's own module).
"""
