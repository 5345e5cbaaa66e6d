"""The covenant's retention period acts: a grant ends ``retention_days`` after the day it was
made, at once for the portal's selectors and guardian's own API alike; the object is then its
owner's only; the periodic clean-up records the end (``sharing.expired``)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from guardian.shortcuts import get_objects_for_user

from partnerships.models import ContactEntry, ContactEntryGroupGrant
from partnerships.selectors import actor_for
from partnerships.services import covenants as covenant_services
from partnerships.sharing import services as sharing
from partnerships.sharing.footing import retention_end, within_retention_q
from partnerships.sharing.selectors import visible_to
from partnerships.tasks import remove_lapsed_grants
from ppsportal.models import AuditEvent
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db

PERM = "partnerships.view_contactentry"


@pytest.fixture
def w():
    world = build_world()
    today = timezone.localdate()
    world.covenants["kept"] = covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant met bewaartermijn",
        effective_from=today - timedelta(days=10),
        information_clause="amber",
        purpose="Veiligheid rond wedstrijden",
        retention_days=30,
        signatories=[(world.orgs[k], today - timedelta(days=5)) for k in ("A", "B")],
    )
    sharing.share_with_organisation(
        obj=world.entries["amber"],
        organisation=world.orgs["B"],
        covenant=world.covenants["kept"],
        by=world.users["a1"],
        reason="Wedstrijd",
    )
    return world


def _answers(w, username):
    """What the selectors, guardian's has_perm and guardian's get_objects_for_user say."""
    user = w.users[username]
    user = type(user).objects.get(pk=user.pk)  # no cached permissions or actor
    entry = w.entries["amber"]
    return (
        visible_to(actor_for(user), ContactEntry.objects.filter(pk=entry.pk)).exists(),
        user.has_perm(PERM, entry),
        get_objects_for_user(user, PERM, ContactEntry, accept_global_perms=False)
        .filter(pk=entry.pk)
        .exists(),
    )


def test_the_grant_counts_until_the_retention_period_ends_then_at_once_nowhere(w):
    now = timezone.now()
    with freeze_time(now + timedelta(days=29)):
        assert _answers(w, "b1") == (True, True, True)
    with freeze_time(now + timedelta(days=30)):
        assert _answers(w, "b1") == (False, False, False)
        # the object is its owner's only again
        assert visible_to(actor_for(w.users["a1"]), ContactEntry.objects.filter(tlp="amber"))
        assert ContactEntryGroupGrant.all_grants.count() == 1  # the clean-up has not run yet


def test_the_periodic_clean_up_records_the_expiry(w):
    with freeze_time(timezone.now() + timedelta(days=31)):
        assert remove_lapsed_grants() == 1
    event = AuditEvent.objects.get(action="sharing.expired")
    assert event.object_ids == [str(w.entries["amber"].public_id)]
    assert "retention period of 30 days" in event.purpose
    assert not AuditEvent.objects.filter(action="sharing.lapsed").exists()


def test_a_covenant_without_a_retention_period_keeps_the_grant(w):
    sharing.share_with_organisation(
        obj=w.entries["amber"],
        organisation=w.orgs["C"],
        covenant=w.covenants["amber"],
        by=w.users["a1"],
        reason="Politie",
    )
    with freeze_time(timezone.now() + timedelta(days=200)):
        assert _answers(w, "c1") == (True, True, True)


@pytest.mark.parametrize("days_later", [0, 1, 29, 30, 31, 90])
def test_the_sql_form_of_the_retention_rule_equals_its_python_form(w, days_later):
    grant = ContactEntryGroupGrant.all_grants.select_related("covenant").get()
    today = timezone.localdate() + timedelta(days=days_later)
    in_sql = ContactEntryGroupGrant.all_grants.filter(within_retention_q(today)).exists()
    assert in_sql == (retention_end(grant.granted_at, grant.covenant.retention_days) > today)


def test_sharing_again_after_the_retention_period_starts_a_new_one(w):
    with freeze_time(timezone.now() + timedelta(days=31)):
        assert _answers(w, "b1") == (False, False, False)
        sharing.share_with_organisation(
            obj=w.entries["amber"],
            organisation=w.orgs["B"],
            covenant=w.covenants["kept"],
            by=w.users["a1"],
            reason="Nieuwe wedstrijd",
        )
        assert _answers(w, "b1") == (True, True, True)
    assert ContactEntryGroupGrant.all_grants.count() == 1
    assert AuditEvent.objects.filter(action="sharing.granted").count() == 2
