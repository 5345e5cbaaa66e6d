"""What every page gives a keyboard or screen-reader user: a skip link to the main content, the
accessibility statement in the footer, and a form's errors listed together, each linked to its
field and tied to it with aria-describedby."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.partnerships.dashboard_data import build_arena
from tests.partnerships.test_dashboard import contact_post, contact_url

pytestmark = pytest.mark.django_db


def test_the_skip_link_leads_to_main_and_the_footer_to_the_statement(client):
    page = client.get(reverse("login")).content.decode()
    assert page.index('class="skip-link" href="#main"') < page.index("<header")
    assert '<main id="main" tabindex="-1">' in page
    statement = reverse("accessibility")
    assert f'href="{statement}"' in page.split('<footer class="site-footer">')[1]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    answer = client.get(statement)
    assert answer.status_code == 200
    assert "Toegankelijkheidsverklaring" in answer.content.decode()


def test_contact_form_lists_every_error_at_the_top_linked_to_its_field(client, operator_a, org_a):
    partnership = build_arena(org_a)["partnership"]
    client.force_login(operator_a)
    data = contact_post(partnership, org_a, occurred_on=None, summary="", kind="nonsense")
    data.pop("occurred_on")
    page = client.post(contact_url(partnership), data).content.decode()
    summary = page.split('<div class="error-summary"')[1].split("</div>")[0]
    linked = re.findall(r'<a href="#(id_\w+)">', summary)
    assert set(linked) == {"id_occurred_on", "id_kind", "id_summary"}
    for field_id in linked:
        widget = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in widget
        described = re.search(r'aria-describedby="([^"]+)"', widget).group(1).split()
        assert f"{field_id}_error" in described
        assert f'<div id="{field_id}_error">' in page
