"""Every list page and every API list runs the same number of queries with few rows and with
many, for a partner and for NCTV staff; and each list that can grow is paginated.

The pages are found by walking the URL resolver, not typed in: a new page without path
arguments, or a new API list, fails ``test_every_list_is_classified`` until it is entered in
``PAGES`` or ``API_LISTS`` below (paginated, bounded with the reason, or not a list).
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from ppsportal import routes
from ppsportal.api.pagination import PortalPagination
from tests import signin
from tests.alerts.conftest import (  # noqa: F401 (fixtures)
    _purge_broker,
    _recording_sms,
    world,
)
from tests.list_world import grow

pytestmark = pytest.mark.django_db

PAGED = "paginated"  # ppsportal.pagination.paginate and its include
NOT_A_LIST = "not a list"

# Every dashboard route without path arguments: what it is. A bounded list says its bound.
PAGES = {
    # paginated lists
    "partnership-list": PAGED,
    "partnership-overview": PAGED,
    "shares-made": PAGED,
    "shares-received": PAGED,
    "access-log": PAGED,
    "member-list": PAGED,
    "soft-target-list": PAGED,  # the peers' targets; the own targets are the register's rows
    "assessment-list": PAGED,
    "report-list": PAGED,
    "report-queue": PAGED,
    "alert-inbox": PAGED,
    "preparedness-overview": PAGED,
    "library": PAGED,  # the guidance; the documents are capped (DOCUMENTS_ON_PAGE)
    # bounded or aggregated lists
    "home": "a few rows per panel (HOME_PANEL_SIZE)",
    "alert-board": "alerts open or ended in the last days, at most BOARD_LIMIT",
    "alert-board-json": "as the board",
    "alert-inbox-json": "entries since the cursor, at most JSON_LIMIT",
    "alert-unread-json": "a count",
    "register-overview": "totals per category, region, tier and operator",
    "soft-target-map": "the organisation's own targets on a map",
    "national-map": "markers clustered on a map, filtered",
    # not lists
    "login": NOT_A_LIST,
    "logout": NOT_A_LIST,
    "mfa-verify": NOT_A_LIST,
    "mfa-enrol": NOT_A_LIST,
    "health": NOT_A_LIST,
    "healthz": NOT_A_LIST,
    "readyz": NOT_A_LIST,
    "metrics": NOT_A_LIST,
    "accessibility": NOT_A_LIST,
    "set_language": NOT_A_LIST,
    "alert-preferences": NOT_A_LIST,
    "soft-target-create": NOT_A_LIST,
    "report-create": NOT_A_LIST,
    "document-upload": NOT_A_LIST,
    "api-schema": NOT_A_LIST,
    "api-docs": NOT_A_LIST,
    "oidc_authentication_init": NOT_A_LIST,
    "oidc_authentication_callback": NOT_A_LIST,
    "taxii-discovery": NOT_A_LIST,
    "taxii-api-root": NOT_A_LIST,
    "taxii-collections": "the collections the reader may see: one per sharing level",
    "api-token": NOT_A_LIST,
    "api-token-revoke": NOT_A_LIST,
    "api-me": NOT_A_LIST,
    "api-threat-level": NOT_A_LIST,
    "sms-receipt": NOT_A_LIST,
    "public-alert-feed": "the public alerts in force (an Atom feed, CAP entries)",
    "stix-bundle": "a STIX bundle of what the reader may see, streamed by the exporter",
    "stix-import": NOT_A_LIST,
}

# Every API list (a viewset's ``list`` or a GET action answering many rows): its query string
# for the test, or why it is not paged.
API_LISTS = {
    "partnership-list": PAGED,
    "covenant-list": PAGED,
    "contact-list": PAGED,
    "action-list": PAGED,
    "organisation-list": PAGED,
    "member-list": PAGED,
    "member-invitation-list": PAGED,
    "share-list": PAGED,
    "share-received": PAGED,
    "sector-list": PAGED,
    "threat-assessment-list": PAGED,
    "soft-target-list": PAGED,
    "report-list": PAGED,
    "alert-list": PAGED,
    "inbox-list": PAGED,
    "procedure-list": PAGED,
    "training-record-list": PAGED,
    "course-list": PAGED,
    "exercise-list": PAGED,
    "guidance-list": PAGED,
    "partnership-document-list": PAGED,
    "webhook-list": PAGED,
    "preference-list": "one row per channel",
    "organisation-default-list": "one row per channel",
    "alert-feed": "alerts since the cursor, at most the feed's limit",
    # lists below one object (tests/partnerships/api/test_organisations.py pins their queries)
    "organisation-access-log": PAGED,
    "organisation-audit-trail": PAGED,
    # GET actions on one object that answer no list
    "partnership-cost-shares": "one share per member organisation of the partnership",
    "report-attachment": NOT_A_LIST,
    "guidance-download": NOT_A_LIST,
    "partnership-document-download": NOT_A_LIST,
}


_patterns = routes.patterns
_is_api = routes.is_api
_api_lists = routes.api_lists
_dashboard_routes = routes.dashboard_routes


def test_every_list_is_classified():
    unknown_pages = set(_dashboard_routes()) - set(PAGES)
    unknown_api = set(_api_lists()) - set(API_LISTS)
    assert not unknown_pages, f"classify these pages in PAGES: {sorted(unknown_pages)}"
    assert not unknown_api, f"classify these API lists in API_LISTS: {sorted(unknown_api)}"
    assert not set(API_LISTS) - set(_api_lists()), "API_LISTS names a list that is gone"


def test_every_paged_api_list_uses_the_portal_pagination():
    for name, callback in _api_lists().items():
        if API_LISTS[name] == PAGED:
            paginator = callback.cls.pagination_class
            assert paginator is not None and issubclass(paginator, PortalPagination), name


def _queries(client, url: str) -> tuple[int, int]:
    client.get(url)  # warm what a first request caches (the banner, the session's last-seen)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def _urls() -> list[str]:
    urls = [
        "/" + route
        for name, route in _dashboard_routes().items()
        if PAGES.get(name) not in (None, NOT_A_LIST) and not _is_api(route)
    ]
    for name in API_LISTS:
        with contextlib.suppress(NoReverseMatch):  # a list below one object: its own tests
            urls.append(reverse(f"api:{name}"))
    return sorted(set(urls))


@pytest.mark.parametrize("persona", ["admin_a", "approver"])
def test_every_list_runs_as_many_queries_with_many_rows_as_with_few(
    world,  # noqa: F811 (the fixture)
    persona,
    client,
):
    user = getattr(world, persona)
    grow(world, 2, start=0)
    signin.sign_in(client, user)
    urls = _urls()
    few = {url: _queries(client, url) for url in urls}
    grow(world, 10, start=2)
    many = {url: _queries(client, url) for url in urls}
    assert {url: status for url, (status, _n) in few.items() if status >= 500} == {}
    grew = {url: (few[url][1], many[url][1]) for url in urls if few[url] != many[url]}
    assert grew == {}, "queries (few rows, many rows)"
