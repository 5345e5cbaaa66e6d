"""Covenant-bound sharing: refusals with reasons, lapse on the next request, audit, query counts."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from partnerships.models import ContactEntry, ContactEntryGroupGrant, ContactEntryUserGrant
from partnerships.selectors import actor_for, contacts_visible_to
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as org_services
from partnerships.sharing import services as sharing
from partnerships.sharing.reads import read_many
from partnerships.tasks import remove_lapsed_grants
from ppsportal.models import AuditEvent
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def visible(user, w):
    user = type(user).objects.get(pk=user.pk)  # a fresh request: no cached actor
    return set(contacts_visible_to(actor_for(user)).values_list("tlp", flat=True))


def share(w, level="amber", org="B", covenant="amber", by="a1"):
    return sharing.share_with_organisation(
        obj=w.entries[level],
        organisation=w.orgs[org],
        covenant=w.covenants[covenant],
        by=w.users[by],
        reason="Voorbereiding wedstrijd",
    )


def test_before_sharing_members_see_open_levels_and_the_owner_sees_all(w):
    assert visible(w.users["b1"], w) == {"clear", "green"}
    assert visible(w.users["a1"], w) == {"clear", "green", "amber", "amber_strict", "red"}
    assert visible(w.users["d1"], w) == set()  # not a member of the partnership
    assert visible(w.staff, w) == {"clear", "green", "amber", "amber_strict", "red"}


def test_sharing_amber_with_an_organisation_reaches_its_users_only(w):
    grant = share(w)
    assert visible(w.users["b1"], w) == {"clear", "green", "amber"}
    assert visible(w.users["b2"], w) == {"clear", "green", "amber"}
    assert visible(w.users["c1"], w) == {"clear", "green"}
    assert grant.covenant == w.covenants["amber"]
    assert grant.granted_by == w.users["a1"]
    assert grant.reason == "Voorbereiding wedstrijd"
    event = AuditEvent.objects.get(action="sharing.granted")
    assert event.actor_username == "a1"
    assert event.object_ids == [str(w.entries["amber"].public_id)]
    assert event.detail["covenant_title"] == "Convenant amber"


def test_sharing_twice_changes_nothing(w):
    first = share(w)
    second = share(w)
    assert first.pk == second.pk
    assert ContactEntryGroupGrant.all_grants.count() == 1
    assert AuditEvent.objects.filter(action="sharing.granted").count() == 1


def test_amber_under_a_green_covenant_is_refused_with_the_reason(w):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        share(w, covenant="green")
    assert excinfo.value.message_dict["covenant"] == [
        "The covenant 'Convenant green' allows at most TLP:GREEN; this is TLP:AMBER."
    ]
    assert not ContactEntryGroupGrant.all_grants.exists()
    assert not AuditEvent.objects.exists()


def test_refusal_is_in_dutch_by_default(w):
    with pytest.raises(ValidationError) as excinfo:
        share(w, covenant="green")
    assert "hoogstens" in excinfo.value.message_dict["covenant"][0]


def test_red_to_a_user_of_an_unsigned_organisation_is_refused(w):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        sharing.share_with_user(
            obj=w.entries["red"],
            user=w.users["d1"],
            covenant=w.covenants["red"],
            by=w.users["a1"],
            reason="x",
        )
    assert excinfo.value.message_dict["organisation"] == [
        "Buitenstaander D has not signed the covenant 'Convenant red'."
    ]
    assert not ContactEntryUserGrant.all_grants.exists()


def test_red_reaches_the_named_user_only(w):
    sharing.share_with_user(
        obj=w.entries["red"],
        user=w.users["b1"],
        covenant=w.covenants["red"],
        by=w.users["a1"],
        reason="x",
    )
    assert "red" in visible(w.users["b1"], w)
    assert "red" not in visible(w.users["b2"], w)


def test_red_is_never_shared_with_an_organisation(w):
    with pytest.raises(ValidationError) as excinfo:
        share(w, level="red", covenant="red")
    assert "organisation" in excinfo.value.message_dict


def test_amber_strict_goes_to_one_organisation(w):
    share(w, level="amber_strict", covenant="strict", org="B")
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        share(w, level="amber_strict", covenant="strict", org="C")
    assert "Partner B" in excinfo.value.message_dict["organisation"][0]
    assert "amber_strict" not in visible(w.users["c1"], w)


def test_open_levels_need_no_sharing(w):
    with pytest.raises(ValidationError) as excinfo:
        share(w, level="green", covenant="amber")
    assert "tlp" in excinfo.value.message_dict


def test_only_the_owner_or_staff_may_share(w):
    with pytest.raises(PermissionDenied):
        share(w, by="b1", org="C")
    grant = sharing.share_with_organisation(
        obj=w.entries["amber"],
        organisation=w.orgs["C"],
        covenant=w.covenants["amber"],
        by=w.staff,
        reason="NCTV deelt",
    )
    assert grant.granted_by == w.staff


def test_a_covenant_that_is_not_in_force_allows_nothing(w):
    covenant_services.covenant_terminate(covenant=w.covenants["amber"])
    with pytest.raises(ValidationError) as excinfo:
        share(w)
    assert "covenant" in excinfo.value.message_dict


def test_revoke_ends_access_and_twice_changes_nothing(w):
    share(w)
    assert sharing.revoke(obj=w.entries["amber"], organisation=w.orgs["B"], by=w.users["a1"])
    assert "amber" not in visible(w.users["b1"], w)
    assert (
        sharing.revoke(obj=w.entries["amber"], organisation=w.orgs["B"], by=w.users["a1"]) is False
    )
    assert AuditEvent.objects.filter(action="sharing.revoked").count() == 1


def test_after_the_end_date_access_ends_before_the_clean_up_task_runs(w):
    share(w)
    covenant = w.covenants["amber"]
    covenant_services.covenant_update(
        covenant=covenant, effective_until=timezone.localdate() - timedelta(days=1)
    )
    # the very next request: no access, while the grant row still exists
    assert ContactEntryGroupGrant.all_grants.count() == 1
    assert "amber" not in visible(w.users["b1"], w)
    assert not AuditEvent.objects.filter(action="sharing.lapsed").exists()
    # the clean-up task removes the grant and leaves the trace, once
    assert remove_lapsed_grants() == 1
    assert remove_lapsed_grants() == 0
    assert not ContactEntryGroupGrant.all_grants.exists()
    lapsed = AuditEvent.objects.get(action="sharing.lapsed")
    assert "not in force" in lapsed.purpose
    assert lapsed.detail["shared_with_organisation_name"] == "Partner B"


def test_end_date_passing_by_itself_ends_access(w):
    from partnerships.sharing.selectors import visible_to

    share(w)
    user = type(w.users["b1"]).objects.get(pk=w.users["b1"].pk)
    actor = actor_for(user)

    def levels(on):
        return set(
            visible_to(actor, ContactEntry.objects.all(), today=on).values_list("tlp", flat=True)
        )

    until = w.covenants["amber"].effective_until
    assert "amber" in levels(until)
    assert "amber" not in levels(until + timedelta(days=1))


def test_signatory_withdrawal_ends_access(w):
    share(w)
    covenant_services.covenant_withdraw_signatory(
        covenant=w.covenants["amber"], organisation=w.orgs["B"]
    )
    assert "amber" not in visible(w.users["b1"], w)


def test_leaving_the_organisation_ends_a_user_grant(w):
    sharing.share_with_user(
        obj=w.entries["red"],
        user=w.users["b1"],
        covenant=w.covenants["red"],
        by=w.users["a1"],
        reason="x",
    )
    org_services.membership_end(membership=w.users["b1"].membership)
    assert "red" not in visible(w.users["b1"], w)
    # joining another signatory organisation does not carry the old grant along
    org_services.membership_create(user=w.users["b1"], organisation=w.orgs["C"])
    assert "red" not in visible(w.users["b1"], w)


def test_deactivation_ends_everything(w):
    share(w)
    org_services.user_deactivate(user=w.users["b1"])
    assert visible(w.users["b1"], w) == set()


def test_raising_the_level_above_the_clause_ends_access(w):
    share(w)
    ContactEntry.objects.filter(pk=w.entries["amber"].pk).update(tlp="red")
    assert "red" not in visible(w.users["b1"], w)


def test_shares_of_lists_grants_with_validity(w):
    share(w)
    rows = sharing.shares_of(w.entries["amber"])
    assert [(r.kind, r.organisation.name, r.valid) for r in rows] == [
        ("organisation", "Partner B", True)
    ]
    covenant_services.covenant_terminate(covenant=w.covenants["amber"])
    assert [r.valid for r in sharing.shares_of(w.entries["amber"])] == [False]


def test_sensitive_reads_are_audited_once_per_list(w):
    share(w)
    actor = actor_for(w.users["b1"])
    rows = list(contacts_visible_to(actor))
    read_many(actor=actor, objects=rows, purpose="list")
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.object_ids == [str(w.entries["amber"].public_id)]
    assert event.owner_organisation_ids == f",{w.orgs['A'].pk},"
    read_many(actor=actor, objects=[w.entries["green"]], purpose="detail")
    assert AuditEvent.objects.filter(action="sensitive.viewed").count() == 1


@pytest.mark.parametrize("extra", [10, 1000])
def test_visible_list_costs_one_query_at_10_and_1000_objects(extra, django_assert_num_queries):
    w = build_world(extra_entries=extra)
    for i, entry in enumerate(ContactEntry.objects.filter(tlp="amber")):
        if i % 2 == 0:
            sharing.share_with_organisation(
                obj=entry,
                organisation=w.orgs["B"],
                covenant=w.covenants["amber"],
                by=w.users["a1"],
                reason="x",
            )
    user = type(w.users["b1"]).objects.get(pk=w.users["b1"].pk)
    actor = actor_for(user)
    actor.membership  # noqa: B018 - resolved once per request by the middleware's first use
    with django_assert_num_queries(1):
        rows = list(contacts_visible_to(actor))
    assert len(rows) == 2 + 1 + extra // 2
