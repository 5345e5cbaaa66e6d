"""The navigation, defined once (ppsportal/navigation.py): at most seven sections for anyone,
every page of the old twelve-item bar still one click from its section, nothing staff-only
shown to partners."""

import re

import pytest
from django.urls import reverse

from partnerships.selectors import actor_for
from ppsportal.navigation import MAX_SECTIONS, SECTIONS, navigation_for
from tests import signin

pytestmark = pytest.mark.django_db

# Where the old bar led NCTV staff: each still reachable from the navigation.
STAFF_DESTINATIONS = [
    "home",
    "alert-inbox",
    "partnership-list",
    "partnership-overview",
    "soft-target-list",
    "national-map",
    "assessment-list",
    "report-list",
    "register-overview",
    "report-queue",
    "alert-board",
    "admin:index",
]
STAFF_ONLY = [
    "partnership-overview",
    "register-overview",
    "national-map",
    "report-queue",
    "alert-board",
]


def reachable(sections) -> set[str]:
    urls = {s.url for s in sections}
    for section in sections:
        urls |= {page.url for page, _ in section.pages}
    return urls


def main_nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]+">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r"<a href=\"([^\"]+)\"", nav)


def test_staff_see_at_most_seven_sections_reaching_every_old_destination(nctv_staff):
    sections = navigation_for(actor_for(nctv_staff))
    assert len(sections) <= MAX_SECTIONS
    assert len({s.label for s in sections}) == len(sections)
    assert {reverse(name) for name in STAFF_DESTINATIONS} <= reachable(sections)


def test_write_an_alert_opens_the_alert_form_not_the_admin_index(nctv_staff):
    sections = {s.key: s for s in navigation_for(actor_for(nctv_staff))}
    pages = {str(page.label): page.url for page, _ in sections["alerts"].pages}
    assert pages["Alert schrijven"] == reverse("admin:alerts_alert_add")


def test_partners_see_no_staff_page(operator_a, viewer_a):
    for user in (operator_a, viewer_a):
        urls = reachable(navigation_for(actor_for(user)))
        assert not {reverse(name) for name in [*STAFF_ONLY, "admin:index"]} & urls
        assert len(navigation_for(actor_for(user))) <= MAX_SECTIONS


def test_the_map_is_the_national_one_for_staff_and_the_own_one_for_partners(operator_a, nctv_staff):
    staff = reachable(navigation_for(actor_for(nctv_staff)))
    partner = reachable(navigation_for(actor_for(operator_a)))
    assert reverse("national-map") in staff and reverse("soft-target-map") not in staff
    assert reverse("soft-target-map") in partner and reverse("national-map") not in partner


def test_organisation_pages_are_for_its_administrators_only(operator_a, viewer_a):
    admin_urls = reachable(navigation_for(actor_for(operator_a)))
    assert reverse("access-log") in admin_urls and reverse("member-list") in admin_urls
    assert reverse("access-log") not in reachable(navigation_for(actor_for(viewer_a)))


def test_a_detail_page_marks_its_section_and_shows_its_pages(nctv_staff):
    sections = navigation_for(actor_for(nctv_staff), "soft-target-detail")
    current = [s for s in sections if s.current]
    assert [s.key for s in current] == ["soft-targets"]
    open_pages = [page.url_name for page, is_open in current[0].pages if is_open]
    assert open_pages == ["soft-target-list"]


def test_every_section_of_the_definition_fits_the_limit():
    assert len(SECTIONS) <= MAX_SECTIONS


def test_the_staff_page_shows_seven_items_at_most_and_the_open_sections_pages(client, nctv_staff):
    signin.sign_in(client, nctv_staff)
    html = client.get(reverse("national-map")).content.decode()
    links = main_nav_links(html)
    assert len(links) <= MAX_SECTIONS
    assert reverse("admin:index") in links
    subnav = re.search(r'<nav class="subnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert f'href="{reverse("national-map")}" aria-current="page"' in subnav
    assert f'href="{reverse("soft-target-map")}"' not in subnav  # staff: the national map
    assert reverse("register-overview") in subnav
