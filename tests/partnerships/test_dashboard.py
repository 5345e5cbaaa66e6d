"""The partner dashboard for partnerships: who sees which page, what it shows, what they may do.

Not visible answers 404, exactly like missing; visible but not allowed answers 403.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Action, ContactEntry, Covenant
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from partnerships.views import HOME_PANEL_SIZE
from tests import signin
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.dashboard_data import PDF_BYTES, build_arena, build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def arena(org_a, operator_a):
    return build_arena(org_a)


@pytest.fixture
def event_b(org_b, operator_b):
    return build_event(org_b)


def sign_in(client, user, language="en"):
    """Sign in; the labels asserted below are English unless a test says otherwise."""
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def detail_url(partnership):
    return reverse("partnership-detail", args=[partnership.public_id])


def contact_url(partnership):
    return reverse("contact-create", args=[partnership.public_id])


def text_of(response) -> str:
    """The page as text, whitespace collapsed, so assertions do not depend on line breaks."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def contact_post(partnership, *participants, occurred_on=None, actions=(), **overrides):
    data = {
        "occurred_on": (occurred_on or timezone.localdate()).isoformat(),
        "kind": "call",
        "participants": [str(o.public_id) for o in participants],
        "summary": "Telefonisch overleg over de derby",
        "tlp": "green",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "5",
    }
    for i, (description, owner, due_on) in enumerate(actions):
        data[f"actions-{i}-description"] = description
        data[f"actions-{i}-owner"] = str(owner.public_id)
        data[f"actions-{i}-due_on"] = due_on.isoformat()
    data.update(overrides)
    return data


def upload_url(covenant):
    return reverse("covenant-upload", args=[covenant.public_id])


def download_url(covenant):
    return reverse("covenant-document", args=[covenant.public_id])


# --- Seeing partnerships ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, arena):
    response = client.get(detail_url(arena["partnership"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_sees_their_partnership_page_with_everything_it_is_made_of(client, viewer_a, arena):
    response = sign_in(client, viewer_a).get(detail_url(arena["partnership"]))
    assert response.status_code == 200
    page = text_of(response)
    # members with their role and dates, and who is missing at the table
    assert "Partner A Stadion" in page and "Gemeente Amsterdam" in page
    assert "Venue operator" in page and "Coordinator" in page and "Municipality" in page
    assert "Missing at the table: Police" in page
    # the variant with its meaning, the sponsor
    assert "Deepening" in page
    assert arena["partnership"].variant_meaning in page
    assert "Sponsor Gemeente Amsterdam" in page
    # the covenant: status, signatories with dates, information clause, tasks per party
    assert "Convenant ArenA 2025" in page
    assert "Active" in page
    assert "TLP:AMBER" in page
    assert "signed on" in page
    assert "Camerabeelden rond het stadion bewaken" in page
    assert "Crowd management op de boulevard regelen" in page
    # the contact log and the follow-up actions, overdue highlighted
    assert "Evaluatie van de Europese wedstrijd." in page
    assert "Draaiboek opschaling bijwerken" in page
    assert 'class="overdue"' in response.content.decode()
    # health with its reasons in words
    assert "Needs attention" in page
    assert "Missing at the table: Police." in page
    assert "No liaison (connecting person) is assigned." in page
    assert "1 follow-up action is overdue." in page
    # costs: the items, the allocation key and each party's total
    assert "€ 10,000.00" in page
    assert "€ 6,000.00" in page and "€ 4,000.00" in page


def test_the_contact_log_shows_only_the_entries_the_user_may_see(client, viewer_a, arena):
    from ppsportal.models import AuditEvent

    partnership, amber = arena["partnership"], arena["amber_contact"]
    page = text_of(sign_in(client, viewer_a).get(detail_url(partnership)))
    assert "Evaluatie van de Europese wedstrijd." in page
    assert amber.summary not in page
    assert not AuditEvent.objects.filter(action="sensitive.viewed").exists()

    gemeente_admin = amber.created_by  # the owning organisation sees its own AMBER entry
    page = text_of(sign_in(client, gemeente_admin).get(detail_url(partnership)))
    assert amber.summary in page and "TLP:AMBER" in page
    event = AuditEvent.objects.get(action="sensitive.viewed")
    assert event.actor_username == gemeente_admin.username
    assert event.object_ids == [str(amber.public_id)]


def test_the_partnership_page_is_dutch_by_default(client, viewer_a, arena):
    signin.sign_in(client, viewer_a)
    response = client.get(detail_url(arena["partnership"]))
    assert '<html lang="nl">' in response.content.decode()


def test_another_organisation_gets_404_on_every_partnership_page(client, operator_b, arena):
    sign_in(client, operator_b)
    partnership, covenant = arena["partnership"], arena["covenant"]
    covenant_services.covenant_upload_document(
        covenant=covenant, upload=SimpleUploadedFile("c.pdf", PDF_BYTES)
    )
    assert client.get(detail_url(partnership)).status_code == 404
    assert client.get(contact_url(partnership)).status_code == 404
    post = contact_post(partnership, OrganisationFactory(name="Elders"))
    assert client.post(contact_url(partnership), post).status_code == 404
    assert client.get(download_url(covenant)).status_code == 404
    assert client.get(upload_url(covenant)).status_code == 404
    pdf = SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf")
    assert client.post(upload_url(covenant), {"document": pdf}).status_code == 404
    done_url = reverse("action-done", args=[arena["open_action"].public_id])
    assert client.post(done_url).status_code == 404
    assert not ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()
    arena["open_action"].refresh_from_db()
    assert arena["open_action"].done_on is None


def test_unknown_ids_answer_404_like_invisible_ones(client, operator_a, arena):
    sign_in(client, operator_a)
    unknown = "6f1c1f8e-0000-4000-8000-000000000000"
    assert client.get(f"/partnerships/{unknown}/").status_code == 404
    assert client.get(f"/covenants/{unknown}/document/download/").status_code == 404
    assert client.post(f"/actions/{unknown}/done/").status_code == 404


def test_my_partnerships_lists_only_those_of_my_organisation(client, operator_a, arena, event_b):
    response = sign_in(client, operator_a).get(reverse("partnership-list"))
    page = text_of(response)
    assert "ArenA veiligheid" in page
    assert "Evenement B" not in page
    assert "Needs attention" in page
    assert "Deepening" in page and "Amsterdam-Amstelland" in page


def test_home_shows_my_partnerships_with_their_health(client, operator_b, arena, event_b):
    response = sign_in(client, operator_b).get("/")
    page = text_of(response)
    assert "My partnerships" in page
    assert "Evenement B" in page and "At risk" in page
    assert "ArenA veiligheid" not in page


def test_nctv_staff_see_every_partnership(client, nctv_staff, arena, event_b):
    sign_in(client, nctv_staff)
    page = text_of(client.get(reverse("partnership-list")))
    assert "ArenA veiligheid" in page and "Evenement B" in page
    assert client.get(detail_url(event_b)).status_code == 200
    assert client.get(detail_url(arena["partnership"])).status_code == 200


def test_a_member_organisation_that_left_loses_the_page(client, operator_b, org_b, arena):
    partnership = arena["partnership"]
    member = partnership_services.partnership_member_add(
        partnership=partnership, organisation=org_b, role="police"
    )
    sign_in(client, operator_b)
    assert client.get(detail_url(partnership)).status_code == 200
    partnership_services.partnership_member_leave(member=member)
    assert client.get(detail_url(partnership)).status_code == 404


# --- The NCTV overview --------------------------------------------------------------------------


@pytest.fixture
def healthy(org_b):
    """A complete partnership with a liaison, a covenant in force and recent contact."""
    today = timezone.localdate()
    police = OrganisationFactory(name="Politie Oost", kind="public", sector="")
    city = OrganisationFactory(name="Gemeente Nijmegen", kind="public", sector="")
    liaison = UserFactory(username="verbinder", organisation=city, role="member")
    partnership = partnership_services.partnership_create(
        name="Gezonde samenwerking",
        kind="other",
        status="active",
        members=[(city, "municipality"), (police, "police")],
        joined_on=today - timedelta(days=100),
        liaison=liaison,
        sponsor=city,
    )
    covenant_services.covenant_create(
        partnership=partnership,
        title="Convenant gezond",
        effective_from=today - timedelta(days=50),
        signatories=[(city, today - timedelta(days=60)), (police, today - timedelta(days=60))],
    )
    contact_services.contact_create(
        partnership=partnership,
        by=liaison,
        occurred_on=today - timedelta(days=45),
        kind="exercise",
        summary="Oefening",
        participants=[city, police],
    )
    contact_services.contact_create(
        partnership=partnership,
        by=liaison,
        occurred_on=today - timedelta(days=2),
        kind="meeting",
        summary="Overleg",
        participants=[city],
    )
    return partnership


def names_in_order(response) -> list[str]:
    return [p.name for p, _report in response.context["health_rows"]]


def test_nctv_overview_sorts_by_health_worst_first(client, nctv_staff, arena, event_b, healthy):
    response = sign_in(client, nctv_staff).get(reverse("partnership-overview"))
    assert response.status_code == 200
    assert names_in_order(response) == ["Evenement B", "ArenA veiligheid", "Gezonde samenwerking"]
    statuses = [report.status for _p, report in response.context["health_rows"]]
    assert statuses == ["at_risk", "attention", "healthy"]
    page = text_of(response)
    assert "No contact has been logged yet." in page
    assert "There is no signed covenant in force." in page


def test_nctv_overview_sorts_by_name_and_by_days_since_last_contact(
    client, nctv_staff, arena, event_b, healthy
):
    sign_in(client, nctv_staff)
    by_name = client.get(reverse("partnership-overview"), {"order": "name"})
    assert names_in_order(by_name) == ["ArenA veiligheid", "Evenement B", "Gezonde samenwerking"]
    by_contact = client.get(reverse("partnership-overview"), {"order": "last_contact"})
    # never contacted first, then the longest since the last contact
    assert names_in_order(by_contact) == [
        "Evenement B",
        "ArenA veiligheid",
        "Gezonde samenwerking",
    ]
    nonsense = client.get(reverse("partnership-overview"), {"order": "pk; drop table"})
    assert nonsense.status_code == 200
    assert nonsense.context["order"] == "health"


def test_partners_get_404_on_the_overview_and_see_no_link(client, operator_a, viewer_a, arena):
    for user in (operator_a, viewer_a):
        sign_in(client, user)
        assert client.get(reverse("partnership-overview")).status_code == 404
        assert reverse("partnership-overview") not in client.get("/").content.decode()


def test_nctv_staff_get_the_overview_link(client, nctv_staff):
    client = sign_in(client, nctv_staff)
    assert f'href="{reverse("partnership-overview")}"' in client.get("/").content.decode()
    # the section's other page, one click from its first
    html = client.get(reverse("partnership-overview")).content.decode()
    assert f'href="{reverse("partnership-list")}"' in html


# --- The contact log ----------------------------------------------------------------------------


def test_member_adds_a_contact_with_a_follow_up_action(client, operator_a, org_a, arena):
    partnership, gemeente = arena["partnership"], arena["gemeente"]
    sign_in(client, operator_a)
    form_page = client.get(contact_url(partnership))
    assert form_page.status_code == 200
    due = timezone.localdate() + timedelta(days=14)
    data = contact_post(
        partnership,
        org_a,
        gemeente,
        actions=[("Politie uitnodigen voor het volgende overleg", gemeente, due)],
    )
    response = client.post(contact_url(partnership), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(partnership) + "#contact-log"
    entry = ContactEntry.objects.get(summary="Telefonisch overleg over de derby")
    assert entry.partnership == partnership
    assert entry.created_by == operator_a
    assert entry.owner_organisation == org_a
    assert set(entry.participants.all()) == {org_a, gemeente}
    action = Action.objects.get(contact=entry)
    assert (action.description, action.owner, action.due_on) == (
        "Politie uitnodigen voor het volgende overleg",
        gemeente,
        due,
    )
    assert "Telefonisch overleg over de derby" in text_of(client.get(detail_url(partnership)))


def test_the_contact_form_offers_only_current_members_by_public_id(
    client, operator_a, org_a, org_b, arena
):
    html = sign_in(client, operator_a).get(contact_url(arena["partnership"])).content.decode()
    assert "Gemeente Amsterdam" in html and "Partner A Stadion" in html
    assert "Partner B Evenementen" not in html
    assert f'value="{arena["gemeente"].public_id}"' in html
    participants = re.findall(r'name="participants" value="([^"]*)"', html)
    owners = re.findall(r'<option value="([^"]+)"', html.split('name="actions-0-owner"')[1])
    expected = {str(arena["gemeente"].public_id), str(org_a.public_id)}
    assert set(participants) == expected
    assert set(owners) == expected


def test_a_contact_in_the_future_is_refused_and_nothing_is_saved(client, operator_a, org_a, arena):
    partnership = arena["partnership"]
    contacts, actions = ContactEntry.objects.count(), Action.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = contact_post(
        partnership,
        org_a,
        occurred_on=tomorrow,
        actions=[("Iets doen", org_a, tomorrow + timedelta(days=7))],
    )
    response = sign_in(client, operator_a).post(contact_url(partnership), data)
    assert response.status_code == 200
    assert "A contact cannot take place in the future." in text_of(response)
    assert (ContactEntry.objects.count(), Action.objects.count()) == (contacts, actions)


def test_the_contact_form_speaks_dutch_by_default(client, operator_a, org_a, arena):
    signin.sign_in(client, operator_a)
    contacts = ContactEntry.objects.count()
    data = contact_post(arena["partnership"], org_a, summary="")
    response = client.post(contact_url(arena["partnership"]), data)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert "Dit veld is vereist." in text_of(response)
    assert ContactEntry.objects.count() == contacts


def test_a_participant_that_is_not_a_member_is_refused_and_nothing_is_saved(
    client, operator_a, org_a, org_b, arena
):
    partnership = arena["partnership"]
    contacts, actions = ContactEntry.objects.count(), Action.objects.count()
    data = contact_post(
        partnership, org_a, org_b, actions=[("Iets doen", org_a, timezone.localdate())]
    )
    response = sign_in(client, operator_a).post(contact_url(partnership), data)
    assert response.status_code == 200
    assert "Select a valid choice." in text_of(response)
    assert response.context["form"].errors["participants"]
    assert (ContactEntry.objects.count(), Action.objects.count()) == (contacts, actions)


def test_an_action_owner_that_is_not_a_member_is_refused(client, operator_a, org_a, org_b, arena):
    partnership = arena["partnership"]
    data = contact_post(partnership, org_a, actions=[("Iets doen", org_b, timezone.localdate())])
    response = sign_in(client, operator_a).post(contact_url(partnership), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["owner"]
    assert not ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()


def test_a_half_filled_action_row_is_refused(client, operator_a, org_a, arena):
    partnership = arena["partnership"]
    data = contact_post(partnership, org_a, **{"actions-0-description": "Zonder eigenaar"})
    response = sign_in(client, operator_a).post(contact_url(partnership), data)
    assert response.status_code == 200
    assert set(response.context["formset"].forms[0].errors) == {"owner", "due_on"}
    assert not ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()


def test_too_many_actions_are_refused(client, operator_a, org_a, arena):
    partnership = arena["partnership"]
    today = timezone.localdate()
    data = contact_post(
        partnership,
        org_a,
        actions=[(f"Actie {i}", org_a, today) for i in range(6)],
        **{"actions-TOTAL_FORMS": "6"},
    )
    response = sign_in(client, operator_a).post(contact_url(partnership), data)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert not ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()


def test_a_viewer_may_read_but_gets_403_on_adding_a_contact(client, viewer_a, org_a, arena):
    partnership = arena["partnership"]
    sign_in(client, viewer_a)
    page = client.get(detail_url(partnership)).content.decode()
    assert contact_url(partnership) not in page
    assert "Mark done" not in page
    assert client.get(contact_url(partnership)).status_code == 403
    response = client.post(contact_url(partnership), contact_post(partnership, org_a))
    assert response.status_code == 403
    assert not ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()


def test_nctv_staff_may_add_a_contact(client, nctv_staff, org_a, arena):
    partnership = arena["partnership"]
    response = sign_in(client, nctv_staff).post(
        contact_url(partnership), contact_post(partnership, org_a)
    )
    assert response.status_code == 302
    assert ContactEntry.objects.filter(summary__startswith="Telefonisch").exists()


# --- Follow-up actions --------------------------------------------------------------------------


def test_member_marks_an_action_done_and_can_reopen_it(client, operator_a, arena):
    action = arena["overdue_action"]
    url = reverse("action-done", args=[action.public_id])
    sign_in(client, operator_a)
    page = client.get(detail_url(arena["partnership"])).content.decode()
    assert url in page
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == detail_url(arena["partnership"]) + "#actions"
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert 'class="overdue"' not in client.get(detail_url(arena["partnership"])).content.decode()
    client.post(url, {"done": "0"})
    action.refresh_from_db()
    assert action.done_on is None


def test_marking_done_takes_a_post(client, operator_a, arena):
    url = reverse("action-done", args=[arena["open_action"].public_id])
    assert sign_in(client, operator_a).get(url).status_code == 405


def test_a_viewer_gets_403_on_marking_done(client, viewer_a, arena):
    action = arena["open_action"]
    response = sign_in(client, viewer_a).post(reverse("action-done", args=[action.public_id]))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.done_on is None


# --- Covenant documents -------------------------------------------------------------------------


def test_coordinator_uploads_the_signed_pdf_and_members_download_it(
    client, operator_a, viewer_a, arena
):
    covenant = arena["covenant"]
    sign_in(client, operator_a)
    assert upload_url(covenant) in client.get(detail_url(arena["partnership"])).content.decode()
    pdf = SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(upload_url(covenant), {"document": pdf})
    assert response.status_code == 302
    assert response["Location"] == detail_url(arena["partnership"]) + "#covenants"
    covenant.refresh_from_db()
    assert covenant.document.name.startswith(f"covenants/{covenant.public_id}/")
    assert "passwd" not in covenant.document.name

    sign_in(client, viewer_a)
    assert download_url(covenant) in client.get(detail_url(arena["partnership"])).content.decode()
    download = client.get(download_url(covenant))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="convenant-arena-2025.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(client, operator_a, arena):
    covenant = arena["covenant"]
    fake = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = sign_in(client, operator_a).post(upload_url(covenant), {"document": fake})
    assert response.status_code == 200
    assert "The document is not a PDF file." in text_of(response)
    covenant.refresh_from_db()
    assert not covenant.document


def test_a_too_large_pdf_is_refused_with_a_message(client, operator_a, arena, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048, content_type="application/pdf")
    response = sign_in(client, operator_a).post(upload_url(arena["covenant"]), {"document": big})
    assert response.status_code == 200
    assert "The document is too large" in text_of(response)


def test_an_upload_without_a_file_is_refused(client, operator_a, arena):
    response = sign_in(client, operator_a).post(upload_url(arena["covenant"]), {})
    assert response.status_code == 200
    assert response.context["form"].errors["document"]


def test_a_member_who_is_not_coordinator_gets_403_on_upload(client, viewer_a, arena):
    gemeente_admin = arena["contact"].created_by  # admin of the municipality, not coordinator
    pdf = SimpleUploadedFile("c.pdf", PDF_BYTES, content_type="application/pdf")
    for user in (gemeente_admin, viewer_a):
        sign_in(client, user)
        assert client.get(detail_url(arena["partnership"])).status_code == 200
        assert (
            upload_url(arena["covenant"])
            not in client.get(detail_url(arena["partnership"])).content.decode()
        )
        assert client.get(upload_url(arena["covenant"])).status_code == 403
        assert client.post(upload_url(arena["covenant"]), {"document": pdf}).status_code == 403
    assert not Covenant.objects.get(pk=arena["covenant"].pk).document


def test_a_covenant_without_document_has_nothing_to_download(client, operator_a, arena):
    assert sign_in(client, operator_a).get(download_url(arena["covenant"])).status_code == 404


def test_media_files_are_not_served_publicly(client, operator_a, arena):
    covenant = covenant_services.covenant_upload_document(
        covenant=arena["covenant"], upload=SimpleUploadedFile("c.pdf", PDF_BYTES)
    )
    sign_in(client, operator_a)
    assert client.get(f"/{settings.MEDIA_URL}{covenant.document.name}").status_code == 404


# --- Query counts -------------------------------------------------------------------------------


def many_partnerships(org, count):
    for i in range(count):
        build_event(org, name=f"Samenwerking {i:02d}", contact_days_ago=i * 7, with_covenant=i % 2)


# session, user, membership (the actor), partnerships, members, covenants, signatories
LIST_QUERIES = 8


@pytest.mark.parametrize("count", [2, 10])
def test_my_partnerships_runs_a_fixed_number_of_queries(
    client, operator_b, org_b, count, django_assert_num_queries
):
    many_partnerships(org_b, count)
    sign_in(client, operator_b)
    # paginated: the page's count comes with its partnerships (ppsportal.pagination)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("partnership-list"))
    assert len(response.context["health_rows"]) == count


@pytest.mark.parametrize("count", [2, 10])
def test_the_overview_runs_a_fixed_number_of_queries(
    client, nctv_staff, org_b, count, django_assert_num_queries
):
    many_partnerships(org_b, count)
    sign_in(client, nctv_staff)
    for order in ("health", "name", "last_contact"):
        # + the staff's second factor, + the health history's counts per day, + one count of
        # shares between partners per model partners share (contact entries, soft targets, reports),
        # + today's counts per health status (the database orders, pages and counts: only the
        # page's rows are loaded; staff's list, which nothing narrows, counted apart: + 1)
        with django_assert_num_queries(LIST_QUERIES + 2 + 3 + 1 + 1):
            response = client.get(reverse("partnership-overview"), {"order": order})
        assert len(response.context["health_rows"]) == count


@pytest.mark.parametrize("count", [2, 10])
def test_home_runs_a_fixed_number_of_queries(
    client, operator_b, org_b, count, django_assert_max_num_queries
):
    many_partnerships(org_b, count)
    sign_in(client, operator_b)
    # + the alerts to acknowledge, + the counts per health status; the rows are the worst
    # HOME_PANEL_SIZE only, so when none of them has a covenant the signatories are not asked for
    with django_assert_max_num_queries(LIST_QUERIES + 2):
        response = client.get("/")
    assert len(response.context["health_rows"]) == min(count, HOME_PANEL_SIZE)
    assert response.context["more_partnerships"] == (count > HOME_PANEL_SIZE)


# session, user, actor; partnership with members, covenants and signatories (health); the
# policy's roles twice; contacts and participants; visible covenant documents; covenants with
# signatories and tasks; cost total and shares; actions; cost items; the health history
DETAIL_QUERIES = 21


@pytest.mark.parametrize("extra_contacts", [0, 8])
def test_the_partnership_page_runs_a_fixed_number_of_queries(
    client, operator_a, org_a, arena, extra_contacts, django_assert_num_queries
):
    partnership, gemeente = arena["partnership"], arena["gemeente"]
    today = timezone.localdate()
    for i in range(extra_contacts):
        contact_services.contact_create(
            partnership=partnership,
            by=operator_a,
            occurred_on=today - timedelta(days=i),
            kind="call",
            summary=f"Belronde {i}",
            participants=[org_a, gemeente],
            actions=[{"description": f"Actie {i}", "owner": gemeente, "due_on": today}],
        )
    sign_in(client, operator_a)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail_url(partnership))
    assert len(response.context["contacts"]) == 1 + extra_contacts
