"""The rules of partnerships, covenants, contact log and cost sharing, and their refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from partnerships.models import (
    Action,
    ContactEntry,
    CostShare,
    Covenant,
    CovenantSignatory,
    Partnership,
)
from partnerships.selectors import actor_for, cost_summary, partnerships_visible_to
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from partnerships.variants import needed_roles
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.helpers import make_partnership
from tests.pdfs import (
    encrypted_pdf,
    javascript_pdf,
    open_action_launch_pdf,
    real_pdf,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _messages(excinfo, field):
    return excinfo.value.message_dict[field]


# --- Partnerships and members -------------------------------------------------------------------


def test_visible_to_members_and_nctv_staff_only(org_a, org_b, operator_a, operator_b, nctv_staff):
    partnership = make_partnership(operator_org=org_a)
    assert list(partnerships_visible_to(actor_for(operator_a))) == [partnership]
    assert list(partnerships_visible_to(actor_for(operator_b))) == []
    assert list(partnerships_visible_to(actor_for(nctv_staff))) == [partnership]


def test_an_organisation_that_left_no_longer_sees_it(org_a, org_b, operator_b):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    assert partnerships_visible_to(actor_for(operator_b)).count() == 1
    member = partnership.members.get(organisation=org_b)
    partnership_services.partnership_member_leave(member=member)
    assert partnerships_visible_to(actor_for(operator_b)).count() == 0


def test_variant_meaning_is_shown(org_a):
    partnership = make_partnership(operator_org=org_a, variant="deepening")
    with translation.override("en"):
        assert "sensitive information" in partnership.variant_meaning


def test_liaison_must_belong_to_a_member_organisation(org_a, org_b, operator_b):
    with pytest.raises(ValidationError) as excinfo:
        make_partnership(operator_org=org_a, liaison=operator_b)
    assert "liaison" in excinfo.value.message_dict
    assert not Partnership.objects.exists()  # nothing half-saved


def test_liaison_message_is_dutch_and_english(org_a, operator_b):
    with pytest.raises(ValidationError) as excinfo:
        make_partnership(operator_org=org_a, liaison=operator_b)
    assert "lid" in _messages(excinfo, "liaison")[0].lower()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        make_partnership(operator_org=org_a, liaison=operator_b, name="Other")
    assert "member organisations" in _messages(excinfo, "liaison")[0]


def test_liaison_is_cleared_when_their_organisation_leaves(org_a, org_b, operator_b):
    partnership = make_partnership(operator_org=org_a, police=org_b, liaison=operator_b)
    partnership_services.partnership_member_leave(
        member=partnership.members.get(organisation=org_b)
    )
    partnership.refresh_from_db()
    assert partnership.liaison is None


# --- dates ahead: membership and withdrawal take effect on their day ----------------------------


def test_a_joining_date_ahead_is_refused_in_dutch_and_english(org_a, org_b, operator_b):
    partnership = make_partnership(operator_org=org_a)
    tomorrow = TODAY() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        partnership_services.partnership_member_add(
            partnership=partnership, organisation=org_b, role="police", joined_on=tomorrow
        )
    assert "op de dag" in _messages(excinfo, "joined_on")[0]
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        partnership_services.partnership_member_add(
            partnership=partnership, organisation=org_b, role="police", joined_on=tomorrow
        )
    assert "on the day it joins" in _messages(excinfo, "joined_on")[0]
    assert not partnership.members.filter(organisation=org_b).exists()
    assert partnerships_visible_to(actor_for(operator_b)).count() == 0  # no access ahead of time


def test_joining_today_or_on_a_past_date_is_recorded(org_a, org_b, operator_b):
    partnership = make_partnership(operator_org=org_a)
    member = partnership_services.partnership_member_add(
        partnership=partnership,
        organisation=org_b,
        role="police",
        joined_on=TODAY() - timedelta(days=30),
    )
    assert member.joined_on == TODAY() - timedelta(days=30)
    assert partnerships_visible_to(actor_for(operator_b)).count() == 1


def test_a_departure_dated_ahead_is_refused_and_the_member_keeps_its_seat(org_a, org_b, operator_b):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    member = partnership.members.get(organisation=org_b)
    with pytest.raises(ValidationError) as excinfo:
        partnership_services.partnership_member_leave(
            member=member, left_on=TODAY() + timedelta(days=5)
        )
    assert "toekomst" in _messages(excinfo, "left_on")[0]
    member.refresh_from_db()
    assert member.left_on is None
    assert partnerships_visible_to(actor_for(operator_b)).count() == 1


def test_on_the_day_a_member_leaves_access_and_health_agree_it_is_gone(org_a, org_b, operator_b):
    from partnerships.health import assess, partnerships_with_health_data

    partnership = make_partnership(operator_org=org_a, police=org_b)
    partnership_services.partnership_member_leave(
        member=partnership.members.get(organisation=org_b), left_on=TODAY()
    )
    assert partnerships_visible_to(actor_for(operator_b)).count() == 0
    loaded = partnerships_with_health_data(Partnership.objects.filter(pk=partnership.pk), TODAY())
    assert "police" in assess(loaded.get(), TODAY()).missing_roles


def test_a_withdrawal_dated_ahead_is_refused_and_the_party_stays_signed(org_a, org_b):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    covenant = partnership.covenants.get()
    with pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_withdraw_signatory(
            covenant=covenant, organisation=org_b, withdrawn_on=TODAY() + timedelta(days=3)
        )
    assert "withdrawn_on" in excinfo.value.message_dict
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_withdraw_signatory(
            covenant=covenant, organisation=org_b, withdrawn_on=TODAY() + timedelta(days=3)
        )
    assert "in the future" in _messages(excinfo, "withdrawn_on")[0]
    assert not covenant.signatories.filter(withdrawn_on__isnull=False).exists()
    assert (
        Covenant.objects.in_force()
        .filter(signatories__organisation=org_b, signatories__withdrawn_on__isnull=True)
        .exists()
    )


def test_rows_dated_ahead_before_the_refusal_are_brought_to_today_keeping_todays_access(
    org_a, org_b, operator_b
):
    """Migration 0008: such rows from before keep what the doors did with them (a joining date
    ahead: access; a departure or withdrawal ahead: none), and the covenant's force and health,
    which read the dates, now agree with the doors today."""
    from importlib import import_module

    from django.apps import apps

    from partnerships.models import PartnershipMember

    migration = import_module("partnerships.migrations.0008_no_dates_ahead")
    partnership = make_partnership(operator_org=org_a, police=org_b)
    covenant = partnership.covenants.get()
    ahead = TODAY() + timedelta(days=10)
    newcomer = OrganisationFactory(name="Beveiliging BV", kind="private", sector="")
    joining = PartnershipMember.objects.create(
        partnership=partnership, organisation=newcomer, role="private_security", joined_on=ahead
    )
    leaving = partnership.members.get(organisation=org_b)
    PartnershipMember.objects.filter(pk=leaving.pk).update(left_on=ahead)
    CovenantSignatory.objects.create(covenant=covenant, organisation=newcomer, withdrawn_on=ahead)
    assert not Covenant.objects.in_force().filter(pk=covenant.pk).exists()  # the party unsigned

    migration.no_dates_ahead(apps, None)

    joining.refresh_from_db()
    leaving.refresh_from_db()
    assert joining.joined_on == TODAY() and leaving.left_on == TODAY()
    assert covenant.signatories.get(organisation=newcomer).withdrawn_on == TODAY()
    assert partnerships_visible_to(actor_for(operator_b)).count() == 0  # as before: gone
    assert Covenant.objects.in_force().filter(pk=covenant.pk).exists()  # as the doors read it


def test_unknown_required_role_is_refused(org_a):
    with pytest.raises(ValidationError) as excinfo:
        make_partnership(operator_org=org_a, required_roles=["astronaut"])
    assert "required_roles" in excinfo.value.message_dict


def test_completeness_default_per_kind(org_a):
    partnership = make_partnership(operator_org=org_a)
    assert needed_roles(partnership) == ["venue_operator", "municipality", "police"]


# --- Covenants ----------------------------------------------------------------------------------


def test_covenant_until_before_from_is_refused(org_a):
    partnership = make_partnership(operator_org=org_a, covenant=False)
    with pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_create(
            partnership=partnership,
            title="X",
            effective_from=TODAY(),
            effective_until=TODAY() - timedelta(days=1),
        )
    assert "effective_until" in excinfo.value.message_dict
    assert not Covenant.objects.exists()


def test_signatory_must_be_a_member(org_a, org_b):
    partnership = make_partnership(operator_org=org_a, covenant=False)
    with pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_create(
            partnership=partnership,
            title="X",
            effective_from=TODAY(),
            signatories=[(org_b, TODAY())],
        )
    assert org_b.name in _messages(excinfo, "signatories")[0]
    assert not Covenant.objects.exists()
    assert not CovenantSignatory.objects.exists()


def test_covenant_status_is_derived_from_dates_and_signatures(org_a, org_b):
    partnership = make_partnership(operator_org=org_a, police=org_b, covenant=False)
    today = TODAY()
    covenant = covenant_services.covenant_create(
        partnership=partnership,
        title="C",
        effective_from=today - timedelta(days=10),
        effective_until=today + timedelta(days=10),
        signatories=[(org_a, today - timedelta(days=11)), (org_b, None)],
    )
    assert covenant.status == "draft"  # org_b has not signed
    assert not Covenant.objects.in_force().exists()
    covenant_services.covenant_record_signature(
        covenant=covenant, organisation=org_b, signed_on=today
    )
    assert covenant.status == "active"
    assert list(Covenant.objects.in_force()) == [covenant]
    assert covenant.status_on(today + timedelta(days=11)) == "expired"
    assert not Covenant.objects.in_force(today + timedelta(days=11)).exists()
    covenant_services.covenant_terminate(covenant=covenant, terminated_on=today)
    assert covenant.status == "terminated"
    assert not Covenant.objects.in_force().exists()


def test_withdrawn_signatory_is_not_counted(org_a, org_b):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    covenant = partnership.covenants.get()
    covenant_services.covenant_withdraw_signatory(covenant=covenant, organisation=org_b)
    # the remaining signatory still has a covenant in force; org_b is no longer a signatory of it
    assert (
        Covenant.objects.in_force()
        .filter(signatories__organisation=org_b, signatories__withdrawn_on__isnull=True)
        .count()
        == 0
    )


def test_a_party_counts_until_the_day_it_withdraws(org_a, org_b):
    """On a day before its withdrawal a party still had to sign: ``status_on`` and ``in_force``
    (its SQL form) read the withdrawal by its date, as they read signatures."""
    partnership = make_partnership(operator_org=org_a, police=org_b, covenant=False)
    today = TODAY()
    covenant = covenant_services.covenant_create(
        partnership=partnership,
        title="C",
        effective_from=today - timedelta(days=20),
        signatories=[(org_a, today - timedelta(days=20)), (org_b, None)],
    )
    withdrawn_on = today - timedelta(days=5)
    covenant_services.covenant_withdraw_signatory(
        covenant=covenant, organisation=org_b, withdrawn_on=withdrawn_on
    )
    before = withdrawn_on - timedelta(days=1)
    assert covenant.status_on(before) == "draft"  # org_b, still a party, had not signed
    assert not Covenant.objects.in_force(before).exists()
    assert covenant.status_on(withdrawn_on) == "active"
    assert list(Covenant.objects.in_force(withdrawn_on)) == [covenant]


def _pdf(size=2000):
    return SimpleUploadedFile("signed.pdf", b"%PDF-1.7\n" + b"0" * size, "application/pdf")


def test_covenant_document_must_be_a_pdf_by_content(org_a):
    covenant = make_partnership(operator_org=org_a).covenants.get()
    fake = SimpleUploadedFile("convenant.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_upload_document(covenant=covenant, upload=fake)
    assert "PDF" in _messages(excinfo, "document")[0]
    covenant.refresh_from_db()
    assert not covenant.document


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (
            b"%PDF-1.4\n<html><body><script>fetch('/api/v1/me/')</script></body></html>\n",
            "broken_pdf",
            "The PDF cannot be read: it is damaged or not a PDF. Save it again as PDF.",
        ),
        (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            "broken_pdf",
            "The PDF cannot be read: it is damaged or not a PDF. Save it again as PDF.",
        ),
        (
            real_pdf()[:300],  # cut off
            "broken_pdf",
            "The PDF cannot be read: it is damaged or not a PDF. Save it again as PDF.",
        ),
        (
            encrypted_pdf(),
            "encrypted",
            "The PDF is protected with a password; upload it without protection.",
        ),
        (
            javascript_pdf(),
            "active_content",
            "The PDF contains scripts or actions that start programs; upload it without them.",
        ),
        (
            open_action_launch_pdf(),
            "active_content",
            "The PDF contains scripts or actions that start programs; upload it without them.",
        ),
    ],
    ids=["html-posing-as-pdf", "no-pages", "truncated", "encrypted", "javascript", "launch"],
)
def test_a_document_is_parsed_as_a_pdf_not_sniffed(org_a, content, code, message):
    covenant = make_partnership(operator_org=org_a).covenants.get()
    upload = SimpleUploadedFile("convenant.pdf", content, "application/pdf")
    with pytest.raises(ValidationError) as excinfo, translation.override("en"):
        covenant_services.covenant_upload_document(covenant=covenant, upload=upload)
    [error] = excinfo.value.error_dict["document"]
    assert (error.code, error.messages) == (code, [message])
    with pytest.raises(ValidationError) as dutch:
        covenant_services.covenant_upload_document(covenant=covenant, upload=upload)
    assert dutch.value.message_dict["document"] != [message]  # Dutch by default
    covenant.refresh_from_db()
    assert not covenant.document


def test_covenant_document_size_is_limited(org_a, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    covenant = make_partnership(operator_org=org_a).covenants.get()
    with pytest.raises(ValidationError) as excinfo:
        covenant_services.covenant_upload_document(covenant=covenant, upload=_pdf(5000))
    assert "document" in excinfo.value.message_dict


def test_covenant_document_is_stored_under_a_generated_name(org_a):
    covenant = make_partnership(operator_org=org_a).covenants.get()
    upload = SimpleUploadedFile("../../etc/passwd.pdf", real_pdf(), "application/pdf")
    covenant_services.covenant_upload_document(covenant=covenant, upload=upload)
    covenant.refresh_from_db()
    assert covenant.document.name.startswith(f"covenants/{covenant.public_id}/")
    assert "passwd" not in covenant.document.name
    assert covenant.document_uploaded_at is not None


def test_tasks_per_party_must_belong_to_members(org_a, org_b):
    covenant = make_partnership(operator_org=org_a).covenants.get()
    with pytest.raises(ValidationError):
        covenant_services.covenant_set_tasks(covenant=covenant, tasks=[(org_b, "Cameras")])
    assert [t.description for t in covenant.tasks.all()] == ["Camerabewaking"]


# --- Contact log and actions ---------------------------------------------------------------------


def test_contact_with_actions_is_logged(org_a, operator_a):
    partnership = make_partnership(operator_org=org_a)
    entry = contact_services.contact_create(
        partnership=partnership,
        by=operator_a,
        occurred_on=TODAY(),
        kind="meeting",
        summary="Overleg",
        participants=[org_a],
        actions=[
            {
                "description": "Draaiboek bijwerken",
                "owner": org_a,
                "due_on": TODAY() + timedelta(days=14),
            }
        ],
    )
    assert entry.owner_organisation == org_a
    assert entry.actions.get().description == "Draaiboek bijwerken"


def test_contact_in_the_future_is_refused(org_a, operator_a):
    partnership = make_partnership(operator_org=org_a)
    with pytest.raises(ValidationError) as excinfo:
        contact_services.contact_create(
            partnership=partnership,
            by=operator_a,
            occurred_on=TODAY() + timedelta(days=1),
            kind="call",
            summary="x",
            participants=[org_a],
        )
    assert "occurred_on" in excinfo.value.message_dict


def test_contact_participant_must_be_member_and_nothing_is_half_saved(org_a, org_b, operator_a):
    partnership = make_partnership(operator_org=org_a)
    with pytest.raises(ValidationError):
        contact_services.contact_create(
            partnership=partnership,
            by=operator_a,
            occurred_on=TODAY(),
            kind="call",
            summary="x",
            participants=[org_b],
        )
    with pytest.raises(ValidationError):
        contact_services.contact_create(
            partnership=partnership,
            by=operator_a,
            occurred_on=TODAY(),
            kind="call",
            summary="x",
            participants=[org_a],
            actions=[{"description": "y", "owner": org_b, "due_on": TODAY()}],
        )
    assert not ContactEntry.objects.exists()
    assert not Action.objects.exists()


def test_action_done_and_reopened(org_a):
    partnership = make_partnership(operator_org=org_a)
    action = contact_services.action_create(
        partnership=partnership, description="x", owner=org_a, due_on=TODAY()
    )
    contact_services.action_set_done(action=action)
    assert action.is_done
    contact_services.action_set_done(action=action, done=False)
    assert not action.is_done


# --- Cost sharing ---------------------------------------------------------------------------------


def test_allocation_key_must_sum_to_exactly_100(org_a, org_b, operator_a):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    with pytest.raises(ValidationError) as excinfo:
        contact_services.cost_allocation_set(
            partnership=partnership,
            shares={org_a: Decimal("60"), org_b: Decimal("39.99")},
            by=operator_a,
        )
    assert "99.99" in _messages(excinfo, "shares")[0]
    assert not CostShare.objects.exists()


def test_allocation_key_replaces_the_old_one_and_totals_per_party(org_a, org_b, operator_a):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    contact_services.cost_allocation_set(
        partnership=partnership, shares={org_a: 50, org_b: 50}, by=operator_a
    )
    contact_services.cost_allocation_set(
        partnership=partnership,
        shares={org_a: Decimal("66.67"), org_b: Decimal("33.33")},
        by=operator_a,
    )
    contact_services.cost_item_create(
        partnership=partnership,
        description="Camera's",
        amount=Decimal("1200.00"),
        period_start=TODAY(),
        period_end=TODAY() + timedelta(days=365),
    )
    contact_services.cost_item_create(
        partnership=partnership,
        description="Beveiligers",
        amount=Decimal("300.00"),
        period_start=TODAY(),
        period_end=TODAY() + timedelta(days=30),
    )
    summary = cost_summary(partnership)
    assert summary["total"] == Decimal("1500.00")
    amounts = {row["organisation"]: row["amount"] for row in summary["shares"]}
    assert amounts == {org_a: Decimal("1000.05"), org_b: Decimal("499.95")}


def test_allocation_key_party_must_be_member(org_a, org_b, operator_a):
    partnership = make_partnership(operator_org=org_a)
    with pytest.raises(ValidationError):
        contact_services.cost_allocation_set(
            partnership=partnership, shares={org_b: 100}, by=operator_a
        )


def test_allocation_key_is_set_by_coordinators_and_nctv_staff_only(
    org_a, org_b, operator_a, viewer_a, operator_b, nctv_staff
):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    for outsider in (viewer_a, operator_b):  # a coordinator's viewer; a member, not coordinator
        with pytest.raises(PermissionDenied):
            contact_services.cost_allocation_set(
                partnership=partnership, shares={org_a: 100}, by=outsider
            )
    assert not CostShare.objects.exists()
    contact_services.cost_allocation_set(
        partnership=partnership, shares={org_a: 100}, by=nctv_staff
    )
    assert list(partnership.cost_shares.values_list("percentage", flat=True)) == [Decimal(100)]


@pytest.mark.parametrize(
    ("shares", "code"),
    [
        (lambda a, b: [(a, Decimal("50")), (a, Decimal("50"))], "duplicate"),
        (lambda a, b: {a: Decimal("110"), b: Decimal("-10")}, "negative"),
    ],
)
def test_allocation_key_refuses_a_party_twice_and_negative_shares(
    org_a, org_b, operator_a, shares, code
):
    partnership = make_partnership(operator_org=org_a, police=org_b)
    contact_services.cost_allocation_set(
        partnership=partnership, shares={org_a: 100}, by=operator_a
    )
    with pytest.raises(ValidationError) as excinfo:
        contact_services.cost_allocation_set(
            partnership=partnership, shares=shares(org_a, org_b), by=operator_a
        )
    assert excinfo.value.error_dict["shares"][0].code == code
    assert list(partnership.cost_shares.values_list("percentage", flat=True)) == [Decimal(100)]


def test_cost_period_must_not_end_before_start(org_a):
    partnership = make_partnership(operator_org=org_a)
    with pytest.raises(ValidationError):
        contact_services.cost_item_create(
            partnership=partnership,
            description="x",
            amount=Decimal("1"),
            period_start=TODAY(),
            period_end=TODAY() - timedelta(days=1),
        )


def test_negative_cost_is_refused(org_a):
    partnership = make_partnership(operator_org=org_a)
    with pytest.raises(ValidationError):
        contact_services.cost_item_create(
            partnership=partnership,
            description="x",
            amount=Decimal("-1"),
            period_start=TODAY(),
            period_end=TODAY(),
        )


def test_user_factory_builds_through_services(org_a):
    user = UserFactory(organisation=org_a)
    assert user.membership.organisation == org_a
    assert OrganisationFactory().group is not None


def test_a_signature_dated_in_the_future_keeps_the_covenant_out_of_force(org_a, org_b):
    partnership = make_partnership(operator_org=org_a, police=org_b, covenant=False)
    today = TODAY()
    covenant = covenant_services.covenant_create(
        partnership=partnership,
        title="C",
        effective_from=today - timedelta(days=1),
        signatories=[(org_a, today - timedelta(days=2)), (org_b, today + timedelta(days=3))],
    )
    assert covenant.status == "draft"
    assert not Covenant.objects.in_force(today).exists()
    assert list(Covenant.objects.in_force(today + timedelta(days=3))) == [covenant]


def test_marking_an_action_done_twice_keeps_the_first_date(org_a):
    partnership = make_partnership(operator_org=org_a)
    action = contact_services.action_create(
        partnership=partnership, description="x", owner=org_a, due_on=TODAY()
    )
    contact_services.action_set_done(action=action, on=TODAY() - timedelta(days=2))
    contact_services.action_set_done(action=action, on=TODAY())
    assert action.done_on == TODAY() - timedelta(days=2)
