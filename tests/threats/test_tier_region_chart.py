"""Soft targets and their gaps per capacity tier and region as a chart: every target on the
NCTV register overview, only the own organisation's on a partner's list (never a peer's)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import signin
from tests.partnerships.helpers import nctv_signs
from tests.threats.dashboard_world import build_register, venue
from threats import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(operator_a, org_a, operator_b, org_b, nctv):
    r = build_register(operator_a=operator_a, org_a=org_a, operator_b=operator_b, org_b=org_b)
    nctv_signs(r.partnership)
    return r


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


def test_totals_run_from_the_smallest_tier_and_add_up_per_region():
    rows = [
        {"tier": "Enhanced tier (800 and more)", "region": "Utrecht", "count": 1, "gaps": 2},
        {"tier": "Under 200", "region": "Zeeland", "count": 2, "gaps": 0},
        {"tier": "Enhanced tier (800 and more)", "region": "Utrecht", "count": 3, "gaps": 1},
        {"tier": "Enhanced tier (800 and more)", "region": "amsterdam", "count": 1, "gaps": 0},
    ]
    with translation.override("en"):
        totals = selectors.totals_by_tier_and_region(rows)
    assert totals == [
        {"tier": "Under 200", "region": "Zeeland", "count": 2, "gaps": 0},
        {"tier": "Enhanced tier (800 and more)", "region": "amsterdam", "count": 1, "gaps": 0},
        {"tier": "Enhanced tier (800 and more)", "region": "Utrecht", "count": 4, "gaps": 3},
    ]


def test_staff_see_every_target_per_tier_and_region_with_its_gaps(
    client, nctv_staff, operator_a, register
):
    venue(operator_a, "Klein Podium", capacity=120)  # under 200 needs one measure: one gap
    html = sign_in(client, nctv_staff).get(reverse("register-overview")).content.decode()
    assert 'aria-labelledby="tier-region-chart-title tier-region-chart-desc"' in html
    assert table_rows(html, "tier-region-chart") == [
        ["Under 200 · Amsterdam-Amstelland", "1", "1"],
        ["Standard tier (200 to 799) · Amsterdam-Amstelland", "1", "5"],
        ["Enhanced tier (800 and more) · Amsterdam-Amstelland", "1", "6"],
    ]


def test_a_partner_sees_only_its_own_targets(client, operator_a, operator_b, register):
    html = sign_in(client, operator_a).get(reverse("soft-target-list")).content.decode()
    assert register.target_b.name in html  # the peer's target is listed below, by name
    assert table_rows(html, "tier-region-chart") == [
        ["Enhanced tier (800 and more) · Amsterdam-Amstelland", "1", "6"],
    ]
    html = sign_in(client, operator_b).get(reverse("soft-target-list")).content.decode()
    assert table_rows(html, "tier-region-chart") == [
        ["Standard tier (200 to 799) · Amsterdam-Amstelland", "1", "5"],
    ]


def test_an_organisation_without_targets_gets_no_chart(client, register):
    html = sign_in(client, register.user_c).get(reverse("soft-target-list")).content.decode()
    assert "tier-region-chart" not in html
