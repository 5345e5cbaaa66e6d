"""The dashboard's lists go a page at a time, through one helper and one navigation.

The navigation is a landmark with a name, marks the current page, keeps the other query
parameters (filters, ordering) in its links and speaks the reader's language.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from ppsportal import pagination
from tests import signin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven_members(org_a, operator_a, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 3)
    for i in range(6):
        UserFactory(username=f"lid-{i}", organisation=org_a, role="viewer")


def page(client, user, query, language="en"):
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("member-list") + query)


def test_a_long_list_shows_one_page_and_a_navigation(client, operator_a, seven_members):
    response = page(client, operator_a, "?page=2&sort=name")
    html = response.content.decode()
    assert [m.user.username for m in response.context["members"]] == ["lid-3", "lid-4", "lid-5"]
    nav = re.search(r'<nav class="pagination" aria-label="Pages">(.*?)</nav>', html, re.S)
    assert nav, "the page navigation is a named landmark"
    links = nav.group(1)
    assert "Page 2 of 3" in links
    assert re.search(r'<a href="\?page=2&amp;sort=name" aria-current="page">2</a>', links)
    assert 'href="?page=1&amp;sort=name" rel="prev"' in links  # the filters are kept
    assert 'href="?page=3&amp;sort=name" rel="next"' in links


def test_the_navigation_speaks_dutch(client, operator_a, seven_members):
    html = page(client, operator_a, "?page=3", language="nl").content.decode()
    assert 'aria-label="Pagina\'s"' in html
    assert "Pagina 3 van 3" in html
    assert "Vorige" in html


def test_a_bad_page_number_gives_a_page_not_an_error(client, operator_a, seven_members):
    assert page(client, operator_a, "?page=abc").context["page"].number == 1
    assert page(client, operator_a, "?page=99").context["page"].number == 3


def test_a_short_list_has_no_navigation(client, operator_a):
    assert '<nav class="pagination"' not in page(client, operator_a, "").content.decode()
