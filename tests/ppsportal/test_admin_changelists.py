"""Every registered admin changelist runs as many queries over many rows as over few, loads the
related objects its columns show with the rows (``list_select_related``), and skips the second
count over the whole table (``show_full_result_count = False``) where the table can grow.

The admins are found in ``admin.site``, not typed in: a new one is measured as it is registered.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import signin
from tests.alerts.conftest import _purge_broker, _recording_sms, world  # noqa: F401 (fixtures)
from tests.factories import UserFactory
from tests.list_world import grow

pytestmark = pytest.mark.django_db

# Tables that stay small (a row per sector, channel, course or authentication group) may count
# their rows in full; every other changelist shows "N results" of the filter only.
SMALL_TABLES = {
    "auth.Group",
    "threats.Sector",
    "threats.MeasurePackage",
    "threats.LevelMandate",
    "preparedness.Course",
    "alerts.AlertTemplate",
    "sso.OrganisationRule",
}


def _changelists():
    return sorted(
        (model._meta.label, model_admin) for model, model_admin in admin.site._registry.items()
    )


def _shown_foreign_keys(model, model_admin) -> set[str]:
    fields = {f.name: f for f in model._meta.get_fields()}
    return {
        name
        for name in model_admin.list_display
        if isinstance(name, str)
        and name in fields
        and fields[name].is_relation
        and (fields[name].many_to_one or fields[name].one_to_one)
    }


def test_growing_changelists_skip_the_full_count():
    counted = [
        label
        for label, model_admin in _changelists()
        if label not in SMALL_TABLES and model_admin.show_full_result_count
    ]
    assert counted == []


def test_changelists_load_the_related_objects_they_show(rf, nctv):
    """Each foreign key a changelist shows comes with its rows: named in
    ``list_select_related`` or already joined by the admin's ``get_queryset``."""
    request = rf.get("/admin/")
    request.user = UserFactory(
        username="beheer", organisation=nctv, is_staff=True, is_superuser=True
    )
    missing = {}
    for label, model_admin in _changelists():
        related = model_admin.list_select_related
        assert related is not True, f"{label}: name the relations, not every one"
        joined = model_admin.get_queryset(request).query.select_related
        joined = set(joined) if isinstance(joined, dict) else set()
        shown = _shown_foreign_keys(model_admin.model, model_admin) - set(related or ()) - joined
        if shown:
            missing[label] = sorted(shown)
    assert missing == {}


def _queries(client, url: str) -> tuple[int, int]:
    client.get(url)  # warm what a first request caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def test_every_changelist_runs_as_many_queries_with_many_rows_as_with_few(
    world,  # noqa: F811 (the fixture)
    client,
):
    superuser = UserFactory(
        username="beheer", organisation=world.nctv, is_staff=True, is_superuser=True
    )
    urls = [
        reverse(f"admin:{ma.model._meta.app_label}_{ma.model._meta.model_name}_changelist")
        for _label, ma in _changelists()
    ]
    grow(world, 2, start=0)
    signin.sign_in(client, superuser)
    for url in urls:  # every kind of audit entry the changelists' reads write is there
        client.get(url)
    few = {url: _queries(client, url) for url in urls}
    assert {url: status for url, (status, _n) in few.items() if status != 200} == {}
    grow(world, 10, start=2)
    many = {url: _queries(client, url) for url in urls}
    grew = {url: (few[url][1], many[url][1]) for url in urls if few[url] != many[url]}
    assert grew == {}, "queries (few rows, many rows)"
