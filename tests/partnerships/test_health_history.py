"""Partnership health over time: a snapshot per partnership and day, and the charts that draw
them (the partnership page for its members and NCTV staff, the NCTV overview for staff)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone

from partnerships.models import HealthSnapshot
from partnerships.services.health import health_snapshots_record
from partnerships.tasks import record_health_snapshots
from tests import signin
from tests.partnerships.dashboard_data import build_arena, build_event

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def table_rows(html: str, chart_id: str) -> list[list[str]]:
    """The rows of the chart's table, each as its cells' texts."""
    figure = html[html.index(f'id="{chart_id}"') :]
    body = figure[figure.index("<tbody>") : figure.index("</tbody>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def long_date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


# --- recording ---------------------------------------------------------------------------------


def test_recording_twice_on_a_day_keeps_one_row_with_the_newest_outcome(org_b):
    partnership = build_event(org_b)
    assert health_snapshots_record() == 1
    first = HealthSnapshot.objects.get(partnership=partnership)
    assert first.day == timezone.localdate() and first.status == "at_risk"
    assert "no_contact" in first.reasons
    build_event(org_b, name="Tweede evenement")
    assert record_health_snapshots() == 2  # the periodic task calls the same service
    assert HealthSnapshot.objects.filter(partnership=partnership).count() == 1


def test_a_past_day_is_assessed_from_the_records_as_they_stood_then(org_b):
    partnership = build_event(org_b, contact_days_ago=3)
    today = timezone.localdate()
    health_snapshots_record(day=today - timedelta(days=10))
    health_snapshots_record(day=today)
    then, now = HealthSnapshot.objects.filter(partnership=partnership).order_by("day")
    assert "no_contact" in then.reasons  # the contact three days ago had not happened yet
    assert "no_contact" not in now.reasons


def test_ended_partnerships_are_not_recorded(org_b):
    from partnerships.models import Partnership

    build_event(org_b)
    Partnership.objects.update(status=Partnership.Status.ENDED)
    assert health_snapshots_record() == 0


def test_the_snapshot_is_on_the_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["partnership-health-snapshots"]
    assert entry["task"] == record_health_snapshots.name


# --- the partnership page ------------------------------------------------------------------------


def _history(partnership, statuses_by_days_ago: dict[int, str]) -> None:
    today = timezone.localdate()
    for days_ago, status in statuses_by_days_ago.items():
        HealthSnapshot.objects.create(
            partnership=partnership, day=today - timedelta(days=days_ago), status=status
        )


def test_members_see_the_history_as_a_chart_and_as_periods_ending_with_today(
    client, operator_a, org_a
):
    partnership = build_arena(org_a)["partnership"]
    _history(partnership, {5: "at_risk", 4: "at_risk", 3: "healthy", 1: "attention"})
    today = timezone.localdate()
    response = sign_in(client, operator_a).get(
        reverse("partnership-detail", args=[partnership.public_id])
    )
    html = response.content.decode()
    assert '<svg class="chart-svg" role="img" aria-labelledby="health-history-title' in html
    live = str(response.context["report"].status_label)
    assert table_rows(html, "health-history") == [
        [long_date(today - timedelta(days=5)), long_date(today - timedelta(days=4)), "At risk"],
        [long_date(today - timedelta(days=3)), long_date(today - timedelta(days=3)), "Healthy"],
        *(
            [[long_date(today - timedelta(days=1)), long_date(today), "Needs attention"]]
            if live == "Needs attention"
            else [
                [
                    long_date(today - timedelta(days=1)),
                    long_date(today - timedelta(days=1)),
                    "Needs attention",
                ],
                [long_date(today), long_date(today), live],
            ]
        ),
    ]


def test_a_partnership_without_records_shows_todays_health_as_one_point(client, operator_b, org_b):
    partnership = build_event(org_b)
    response = sign_in(client, operator_b).get(
        reverse("partnership-detail", args=[partnership.public_id])
    )
    chart = response.context["health_chart"]
    assert len(chart.points) == 1
    today = timezone.localdate()
    assert response.context["health_periods"] == [(today, today, "At risk")]


def test_another_organisation_gets_404_and_never_the_history(client, operator_b, org_a):
    partnership = build_arena(org_a)["partnership"]
    _history(partnership, {2: "at_risk"})
    response = sign_in(client, operator_b).get(
        reverse("partnership-detail", args=[partnership.public_id])
    )
    assert response.status_code == 404
    assert "health-history" not in response.content.decode()


# --- the NCTV overview ---------------------------------------------------------------------------


def test_staff_see_partnerships_per_status_per_day(client, nctv_staff, org_a, org_b):
    arena = build_arena(org_a)["partnership"]
    event = build_event(org_b)
    _history(arena, {2: "healthy", 1: "attention"})
    _history(event, {2: "at_risk", 1: "at_risk"})
    today = timezone.localdate()
    response = sign_in(client, nctv_staff).get(reverse("partnership-overview"))
    html = response.content.decode()
    assert 'aria-labelledby="health-counts-title health-counts-desc"' in html
    rows = table_rows(html, "health-counts")
    assert rows[0] == [long_date(today - timedelta(days=2)), "1", "0", "1"]
    assert rows[1] == [long_date(today - timedelta(days=1)), "0", "1", "1"]
    live = [report.status for _p, report in response.context["health_rows"]]
    assert rows[2] == [
        long_date(today),
        *(str(live.count(status)) for status in ("healthy", "attention", "at_risk")),
    ]
    assert len(rows) == 3  # days before the first record are left out


def test_partners_get_404_on_the_overview_with_its_chart(client, operator_a, org_a):
    build_arena(org_a)
    response = sign_in(client, operator_a).get(reverse("partnership-overview"))
    assert response.status_code == 404
    assert "health-counts" not in response.content.decode()


# --- what a day recorded later reads as it is now ------------------------------------------------


def _undated_note(html: str) -> list[str]:
    note = html[html.index('id="health-undated"') :]
    note = note[: note.index("</ul>")]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", note)]


def test_the_partnership_page_and_the_overview_name_what_a_later_day_reads_as_it_is_now(
    client, operator_a, nctv_staff, org_a
):
    from django.utils import translation
    from django.utils.html import escape

    from partnerships.health import UNDATED_FACTS

    partnership = build_arena(org_a)["partnership"]
    with translation.override("en"):  # as ``sign_in`` asks the pages
        named = [escape(str(label)) for _code, label in UNDATED_FACTS]
    assert "the sponsor" in named
    page = sign_in(client, operator_a).get(
        reverse("partnership-detail", args=[partnership.public_id])
    )
    assert _undated_note(page.content.decode()) == named
    overview = sign_in(client, nctv_staff).get(reverse("partnership-overview"))
    assert _undated_note(overview.content.decode()) == named
