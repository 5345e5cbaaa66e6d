"""Dates, times and numbers as a European reads them: Dutch and British English, the 24-hour
clock, the day before the month, thousands separated."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = datetime.datetime(2026, 3, 12, 14, 18)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", "12 maart 2026 14:18 · 12-3-2026 14:18 · 12 maart 2026 · 14:18"),
        ("en", "12 Mar 2026, 14:18 · 12/03/2026 14:18 · 12 Mar 2026 · 14:18"),
    ],
)
def test_dates_and_times_read_day_first_on_the_24_hour_clock(language, expected):
    with translation.override(language):
        shown = render(
            '{{ m|date:"DATETIME_FORMAT" }} · {{ m|date:"SHORT_DATETIME_FORMAT" }} · '
            "{{ m|date }} · {{ m|time }}",
            m=MOMENT,
        )
    assert shown == expected
    assert "p.m." not in shown and "PM" not in shown


@pytest.mark.parametrize(
    ("language", "expected"), [("nl", "55.000 · 1.234,50"), ("en", "55,000 · 1,234.50")]
)
def test_numbers_have_thousands_separated(language, expected):
    with translation.override(language):
        shown = render('{{ n }} · {{ d|floatformat:"2" }}', n=55000, d=Decimal("1234.5"))
    assert shown == expected


def test_english_is_british_english_with_day_first_input():
    from django import forms

    class Form(forms.Form):
        day = forms.DateField()

    with translation.override("en"):
        form = Form({"day": "03/12/2026"})
        assert form.is_valid()
    assert form.cleaned_data["day"] == datetime.date(2026, 12, 3)


def test_page_numbers_in_links_are_never_separated():
    with translation.override("nl"):
        shown = render('?page={{ n|stringformat:"d" }}', n=1200)
    assert shown == "?page=1200"
