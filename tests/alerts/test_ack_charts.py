"""Time to acknowledge as charts: per organisation for one alert and each organisation's median
on the NCTV board (staff only), and per alert for a partner's own organisation, never
another's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from alerts import services
from alerts.models import Acknowledgement, Alert
from tests import signin

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def table_rows(html: str, chart_id: str) -> list[list[str]]:
    figure = html[html.index(f'id="{chart_id}"') :]
    body = figure[figure.index("<tbody>") : figure.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def acknowledge(alert, user):
    return services.alert_acknowledge(alert=alert, by=user).acknowledgement


def times(alert, **minutes_by_ack):
    """Publication 12 h ago; each acknowledgement ``minutes`` after it."""
    ack_times = {}
    alert.refresh_from_db()
    published = alert.published_at - timedelta(hours=12)
    Alert.objects.filter(pk=alert.pk).update(published_at=published)
    for ack, minutes in minutes_by_ack.values():
        Acknowledgement.objects.filter(pk=ack.pk).update(at=published + timedelta(minutes=minutes))
        ack_times[ack.organisation_id] = minutes
    return ack_times


@pytest.fixture
def shared(world):
    """An actual alert to A and B: A acknowledged after 12 minutes, B after 47."""
    alert = world.published(organisations=[world.org_a, world.org_b], ack_deadline_minutes=30)
    times(
        alert, a=(acknowledge(alert, world.admin_a), 12), b=(acknowledge(alert, world.admin_b), 47)
    )
    return alert


def test_staff_see_each_organisations_time_for_one_alert_against_the_deadline(client, world):
    alert = world.published(organisations=[world.org_a, world.org_b], ack_deadline_minutes=30)
    times(alert, a=(acknowledge(alert, world.admin_a), 12))
    response = sign_in(client, world.duty).get(
        reverse("alert-board-detail", args=[alert.public_id])
    )
    html = response.content.decode()
    assert 'aria-labelledby="ack-times-chart-title ack-times-chart-desc"' in html
    assert table_rows(html, "ack-times-chart") == [
        ["Partner A Stadion", "12 minutes"],
        ["Partner B Evenementen", "overdue, not acknowledged"],
    ]
    chart = response.context["ack_chart"]
    assert chart.reference is not None  # the 30-minute deadline as a line
    a, b = (group.bars[0] for group in chart.groups)
    assert a.width < chart.reference.x - chart.plot_left and b.width == 0


def test_a_draft_has_no_chart_yet(client, world):
    alert = world.draft()
    response = sign_in(client, world.duty).get(
        reverse("alert-board-detail", args=[alert.public_id])
    )
    assert response.context["ack_chart"] is None
    assert "ack-times-chart" not in response.content.decode()


def test_the_board_charts_each_organisations_median(client, world, shared):
    html = sign_in(client, world.duty).get(reverse("alert-board")).content.decode()
    assert table_rows(html, "ack-medians-chart") == [
        ["Partner A Stadion", "12 minutes"],
        ["Partner B Evenementen", "47 minutes"],
    ]


def test_a_partner_sees_only_its_own_organisations_times(client, world, shared):
    only_b = world.published(organisations=[world.org_b], headline="Alleen voor B")
    times(only_b, b=(acknowledge(only_b, world.admin_b), 5))
    world.published(organisations=[world.org_a], headline="Oefening", kind="exercise")
    html = sign_in(client, world.viewer_a).get(reverse("alert-inbox")).content.decode()
    rows = table_rows(html, "own-ack-chart")
    assert len(rows) == 1  # the exercise is left out, B's own alert never shown
    assert rows[0][0].startswith(shared.headline) and rows[0][1] == "12 minutes"
    assert "47 minutes" not in html and "Alleen voor B" not in html

    html = sign_in(client, world.admin_b).get(reverse("alert-inbox")).content.decode()
    rows = table_rows(html, "own-ack-chart")
    assert [row[1] for row in rows] == ["5 minutes", "47 minutes"]  # newest first
    assert "12 minutes" not in html


def test_an_unacknowledged_alert_is_listed_without_a_bar(client, world):
    world.published(organisations=[world.org_a])
    response = sign_in(client, world.admin_a).get(reverse("alert-inbox"))
    chart = response.context["ack_chart"]
    assert chart.groups[0].bars[0].width == 0
    assert table_rows(response.content.decode(), "own-ack-chart")[0][1] == "not acknowledged"


def test_staff_have_no_own_chart_on_the_inbox(client, world, shared):
    response = sign_in(client, world.duty).get(reverse("alert-inbox"))
    assert response.context["ack_chart"] is None


@pytest.mark.parametrize(
    ("longest", "unit"),
    [(timedelta(seconds=4), "s"), (timedelta(minutes=30), "min"), (timedelta(hours=5), "h")],
)
def test_the_ticks_stay_apart_in_words_whatever_the_longest_wait(longest, unit):
    from django.utils import translation

    from alerts.charts import time_chart

    with translation.override("en"):
        chart = time_chart([("A", longest, ""), ("B", longest / 4, "")])
    texts = [tick.text for tick in chart.ticks]
    assert len(set(texts)) == len(texts), texts  # never "0.0 min" four times over
    assert all(text.endswith(f" {unit}") for text in texts), texts
