"""The admin for NCTV staff: every page opens for staff and no partner; saving goes through the
services, so the admin refuses what they refuse with their message; the partnership list shows
health in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.models import Action, ContactEntry, CostShare, Covenant, Partnership
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import partnerships as partnership_services
from tests import signin
from tests.factories import OrganisationFactory
from tests.pdfs import real_pdf

pytestmark = pytest.mark.django_db

ADMIN_MODELS = ["partnership", "covenant", "contactentry", "action", "costitem"]
PDF = real_pdf()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def staff_client(client, nctv_staff):
    signin.sign_in(client, nctv_staff)
    return client


@pytest.fixture
def gemeente(db):
    return OrganisationFactory(name="Gemeente Testdam", kind="public", sector="")


@pytest.fixture
def arena(org_a, gemeente, operator_a, today):
    """A venue partnership with a covenant, a contact with an action, a cost item and a key."""
    partnership = partnership_services.partnership_create(
        name="Stadion veiligheid",
        kind="venue",
        region="Amsterdam-Amstelland",
        status="active",
        members=[(org_a, "venue_operator"), (org_a, "coordinator"), (gemeente, "municipality")],
        joined_on=today - timedelta(days=100),
        liaison=operator_a,
    )
    covenant_services.covenant_create(
        partnership=partnership,
        title="Convenant Stadion",
        effective_from=today - timedelta(days=30),
        effective_until=today + timedelta(days=300),
        information_clause="amber",
        signatories=[(org_a, today - timedelta(days=31)), (gemeente, today - timedelta(days=31))],
        tasks=[(org_a, "Camerabewaking")],
    )
    contact_services.contact_create(
        partnership=partnership,
        by=operator_a,
        occurred_on=today - timedelta(days=3),
        kind="meeting",
        summary="Overleg",
        participants=[org_a, gemeente],
        actions=[{"description": "Draaiboek bijwerken", "owner": org_a, "due_on": today}],
    )
    contact_services.cost_item_create(
        partnership=partnership,
        description="Camera's",
        amount=Decimal("1000.00"),
        period_start=today,
        period_end=today + timedelta(days=30),
    )
    contact_services.cost_allocation_set(
        partnership=partnership,
        shares={org_a: Decimal("60"), gemeente: Decimal("40")},
        by=operator_a,
    )
    return partnership


def _form_data(response) -> dict:
    """The POST data the change page would send back unchanged: main form and every inline."""
    data = {}

    def add(form):
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = (
                [str(v) for v in value] if isinstance(value, list) else str(value)
            )

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            add(form)
    return data


def _add_row(data, prefix, **values):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def _change_url(partnership):
    return f"/admin/partnerships/partnership/{partnership.pk}/change/"


# --- who may open the admin -------------------------------------------------------------------


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_nctv_staff_open_each_changelist_and_add_page(staff_client, arena, model):
    assert staff_client.get(f"/admin/partnerships/{model}/").status_code == 200
    assert staff_client.get(f"/admin/partnerships/{model}/add/").status_code == 200


def test_nctv_staff_open_the_change_pages(staff_client, arena):
    objects = {
        "partnership": arena,
        "covenant": arena.covenants.get(),
        "contactentry": arena.contacts.get(),
        "action": arena.actions.get(),
        "costitem": arena.cost_items.get(),
    }
    for model, obj in objects.items():
        response = staff_client.get(f"/admin/partnerships/{model}/{obj.pk}/change/")
        assert response.status_code == 200, model


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_partner_users_are_sent_to_the_admin_login(client, operator_a, arena, model):
    signin.sign_in(client, operator_a)
    for url in (f"/admin/partnerships/{model}/", f"/admin/partnerships/{model}/add/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- health on the list and the change page ---------------------------------------------------


def test_change_page_shows_health_and_its_reasons(staff_client, arena):
    arena.liaison = None
    arena.save(update_fields=["liaison"])  # test set-up: make one reason appear
    page = staff_client.get(_change_url(arena)).content.decode()
    assert "Needs attention" in page or "Aandacht nodig" in page
    assert "liaison" in page.lower() or "verbindend" in page.lower()


def _make_partnerships(names, org_a, operator_a, today):
    """Partnerships with members, a covenant, a contact and an overdue action each."""
    for name in names:
        partnership = partnership_services.partnership_create(
            name=name,
            kind="venue",
            status="active",
            members=[(org_a, "venue_operator"), (org_a, "coordinator")],
            joined_on=today - timedelta(days=10),
        )
        covenant_services.covenant_create(
            partnership=partnership,
            title=f"Convenant {name}",
            effective_from=today - timedelta(days=5),
            effective_until=today + timedelta(days=20),
            signatories=[(org_a, today - timedelta(days=6))],
        )
        contact_services.contact_create(
            partnership=partnership,
            by=operator_a,
            occurred_on=today - timedelta(days=40),
            kind="call",
            summary="Belronde",
            participants=[org_a],
            actions=[{"description": "Nabellen", "owner": org_a, "due_on": today - timedelta(1)}],
        )


def _changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/partnerships/partnership/")
    assert response.status_code == 200
    return len(queries), response


def test_changelist_runs_a_fixed_number_of_queries(staff_client, org_a, operator_a, today):
    _make_partnerships(["PPS 00", "PPS 01"], org_a, operator_a, today)
    few, _response = _changelist_queries(staff_client)
    _make_partnerships([f"PPS {i:02d}" for i in range(2, 10)], org_a, operator_a, today)
    many, response = _changelist_queries(staff_client)
    assert Partnership.objects.count() == 10
    assert many == few
    page = response.content.decode()
    assert page.count('class="field-health_display"') == 10
    assert page.count("1 vervolgactie is te laat.") >= 10


def test_the_changelist_filters_and_sorts_by_health_in_the_database(
    staff_client, arena, org_a, operator_a, today
):
    """The health filter and column use the rule's SQL form; each row shown says (by ``assess``)
    the status it was selected by."""
    from partnerships.health import assess, partnerships_with_health_data
    from partnerships.health_sql import with_health_status

    _make_partnerships(["PPS 00"], org_a, operator_a, today)  # no liaison, no police: attention
    partnership_services.partnership_create(
        name="Zonder alles", kind="venue", status="active", members=[], joined_on=today
    )  # no contact, no covenant: at risk
    loaded = with_health_status(
        partnerships_with_health_data(Partnership.objects.all(), today), today
    )
    statuses = {p.name: assess(p, today).status for p in loaded}
    assert len(set(statuses.values())) >= 2
    for status in ("healthy", "attention", "at_risk"):
        response = staff_client.get(f"/admin/partnerships/partnership/?health={status}")
        assert response.status_code == 200
        shown = {p.name for p in response.context["cl"].result_list}
        assert shown == {name for name, s in statuses.items() if s == status}, status
    index = response.context["cl"].list_display.index("health_display")
    worst_last = staff_client.get(f"/admin/partnerships/partnership/?o={index}")
    names = [p.name for p in worst_last.context["cl"].result_list]
    severities = [assess(loaded.get(name=n), today).severity for n in names]
    assert severities == sorted(severities)


def test_the_changelist_counts_each_health_status_with_facets(
    staff_client, arena, org_a, operator_a, today
):
    """The facet counts filter ``pk__in`` the list filtered by health: the status inside that
    subquery reads the subquery's own row (it answered 500 once)."""
    _make_partnerships(["PPS 00"], org_a, operator_a, today)
    response = staff_client.get("/admin/partnerships/partnership/?_facets=True")
    assert response.status_code == 200
    shown = staff_client.get("/admin/partnerships/partnership/?_facets=True&health=attention")
    assert shown.status_code == 200
    assert "PPS 00" in {p.name for p in shown.context["cl"].result_list}


# --- saving goes through the services ---------------------------------------------------------


def test_allocation_key_that_does_not_sum_to_100_is_refused(staff_client, arena, org_a, gemeente):
    data = _form_data(staff_client.get(_change_url(arena)))
    for index in range(2):
        data[f"cost_shares-{index}-percentage"] = "50" if index == 0 else "30"
    response = staff_client.post(_change_url(arena), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "100" in page and ("80" in page)
    assert "exactly 100" in page or "precies 100" in page
    shares = {s.organisation: s.percentage for s in CostShare.objects.filter(partnership=arena)}
    assert shares == {org_a: Decimal("60.00"), gemeente: Decimal("40.00")}


def test_allocation_key_that_sums_to_100_is_saved(staff_client, arena, org_a, gemeente):
    data = _form_data(staff_client.get(_change_url(arena)))
    shares = {data[f"cost_shares-{index}-organisation"]: index for index in range(2)}
    data[f"cost_shares-{shares[str(org_a.pk)]}-percentage"] = "75"
    data[f"cost_shares-{shares[str(gemeente.pk)]}-percentage"] = "25"
    response = staff_client.post(_change_url(arena), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = {s.organisation: s.percentage for s in CostShare.objects.filter(partnership=arena)}
    assert saved == {org_a: Decimal("75.00"), gemeente: Decimal("25.00")}


def test_unchanged_change_page_saves_without_touching_anything(staff_client, arena):
    before = list(CostShare.objects.values_list("pk", flat=True))
    response = staff_client.post(
        _change_url(arena), _form_data(staff_client.get(_change_url(arena)))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(CostShare.objects.values_list("pk", flat=True)) == before


def test_new_member_and_action_go_through_the_services(staff_client, arena, today):
    police = OrganisationFactory(name="Politie Testdam", kind="public", sector="")
    outsider = OrganisationFactory(name="Buitenstaander", kind="private")
    data = _form_data(staff_client.get(_change_url(arena)))
    _add_row(data, "members", organisation=police.pk, role="police", joined_on=str(today))
    _add_row(data, "actions", description="Buiten de tafel", owner=outsider.pk, due_on=str(today))
    response = staff_client.post(_change_url(arena), data)
    # the action's owner is refused with the service's message; nothing is saved
    assert response.status_code == 200
    assert "Buitenstaander" in response.content.decode()
    assert not arena.members.filter(organisation=police).exists()

    data = _form_data(staff_client.get(_change_url(arena)))
    _add_row(data, "members", organisation=police.pk, role="police", joined_on=str(today))
    response = staff_client.post(_change_url(arena), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert arena.members.filter(organisation=police, left_on__isnull=True).exists()


def test_liaison_must_be_a_user_of_a_member(staff_client, arena, operator_b):
    data = _form_data(staff_client.get(_change_url(arena)))
    data["liaison"] = str(operator_b.pk)
    response = staff_client.post(_change_url(arena), data)
    assert response.status_code == 200
    arena.refresh_from_db()
    assert arena.liaison.username == "operator-a"


def test_member_leaving_before_joining_is_refused(staff_client, arena, org_a, today):
    data = _form_data(staff_client.get(_change_url(arena)))
    index = next(
        i
        for i in range(int(data["members-TOTAL_FORMS"]))
        if data.get(f"members-{i}-id")
        and arena.members.get(pk=data[f"members-{i}-id"]).role == "municipality"
    )
    data[f"members-{index}-left_on"] = str(today - timedelta(days=1000))
    response = staff_client.post(_change_url(arena), data)
    assert response.status_code == 200
    assert "cannot leave before it joined" in response.content.decode() or (
        "vertrekken" in response.content.decode()
    )
    assert not arena.members.filter(left_on__isnull=False).exists()


def test_a_member_leaving_on_a_date_ahead_is_refused_in_the_admin(staff_client, arena, today):
    data = _form_data(staff_client.get(_change_url(arena)))
    index = next(
        i
        for i in range(int(data["members-TOTAL_FORMS"]))
        if data.get(f"members-{i}-id")
        and arena.members.get(pk=data[f"members-{i}-id"]).role == "municipality"
    )
    data[f"members-{index}-left_on"] = str(today + timedelta(days=14))
    response = staff_client.post(_change_url(arena), data, follow=True)
    assert response.status_code == 200
    assert "toekomst" in response.content.decode()
    assert not arena.members.filter(left_on__isnull=False).exists()


def test_a_member_joining_on_a_date_ahead_is_refused_in_the_admin(
    staff_client, arena, org_b, today
):
    before = arena.members.count()
    data = _form_data(staff_client.get(_change_url(arena)))
    _add_row(
        data,
        "members",
        organisation=org_b.pk,
        role="police",
        joined_on=str(today + timedelta(days=7)),
    )
    response = staff_client.post(_change_url(arena), data, follow=True)
    assert response.status_code == 200
    assert "op de dag" in response.content.decode()
    assert arena.members.count() == before


def test_partnership_is_added_through_the_service_with_its_members(staff_client, org_a, today):
    page = staff_client.get("/admin/partnerships/partnership/add/")
    data = _form_data(page)
    data.update(
        {
            "name": "Nieuw PPS",
            "kind": "venue",
            "status": "forming",
            "variant": "deepening",
            "contact_frequency_days": "30",
        }
    )
    _add_row(data, "members", organisation=org_a.pk, role="venue_operator", joined_on=str(today))
    response = staff_client.post("/admin/partnerships/partnership/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    partnership = Partnership.objects.get(name="Nieuw PPS")
    assert partnership.variant == "deepening"
    assert list(partnership.members.values_list("role", flat=True)) == ["venue_operator"]


def test_covenant_ending_before_it_starts_is_refused(staff_client, arena, today):
    data = _form_data(staff_client.get("/admin/partnerships/covenant/add/"))
    data.update(
        {
            "partnership": arena.pk,
            "kind": "protocol",
            "title": "Protocol omgekeerd",
            "effective_from": str(today),
            "effective_until": str(today - timedelta(days=1)),
            "information_clause": "green",
        }
    )
    response = staff_client.post("/admin/partnerships/covenant/add/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Effective until" in page or "Geldig tot" in page
    assert not Covenant.objects.filter(title="Protocol omgekeerd").exists()


def test_covenant_with_signatory_tasks_and_document(staff_client, arena, org_a, gemeente, today):
    outsider = OrganisationFactory(name="Buitenstaander", kind="private")
    data = _form_data(staff_client.get("/admin/partnerships/covenant/add/"))
    data.update(
        {
            "partnership": arena.pk,
            "kind": "protocol",
            "title": "Protocol opschaling",
            "effective_from": str(today),
            "information_clause": "green",
        }
    )
    _add_row(data, "signatories", organisation=outsider.pk, signed_on=str(today))
    response = staff_client.post("/admin/partnerships/covenant/add/", data)
    assert response.status_code == 200
    assert "Buitenstaander" in response.content.decode()
    assert not Covenant.objects.filter(title="Protocol opschaling").exists()

    data[f"signatories-{int(data['signatories-TOTAL_FORMS']) - 1}-organisation"] = gemeente.pk
    _add_row(data, "tasks", organisation=org_a.pk, description="Opschalen bij dreiging")
    data["upload"] = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    response = staff_client.post("/admin/partnerships/covenant/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    covenant = Covenant.objects.get(title="Protocol opschaling")
    assert [s.organisation for s in covenant.signatories.all()] == [gemeente]
    assert [t.description for t in covenant.tasks.all()] == ["Opschalen bij dreiging"]
    assert covenant.document and covenant.document_uploaded_at is not None


def test_covenant_document_that_is_not_a_pdf_is_refused(staff_client, arena):
    covenant = arena.covenants.get()
    url = f"/admin/partnerships/covenant/{covenant.pk}/change/"
    data = _form_data(staff_client.get(url))
    data["upload"] = SimpleUploadedFile(
        "signed.pdf", b"MZ not a pdf", content_type="application/pdf"
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    covenant.refresh_from_db()
    assert not covenant.document


def test_contact_added_in_the_admin_is_owned_by_the_nctv(staff_client, arena, org_a, nctv, today):
    data = _form_data(staff_client.get("/admin/partnerships/contactentry/add/"))
    data.update(
        {
            "partnership": arena.pk,
            "occurred_on": str(today + timedelta(days=1)),
            "kind": "call",
            "participants": [str(org_a.pk)],
            "summary": "Belronde",
            "tlp": "green",
        }
    )
    response = staff_client.post("/admin/partnerships/contactentry/add/", data)
    assert response.status_code == 200  # a contact cannot take place in the future
    assert not ContactEntry.objects.filter(summary="Belronde").exists()

    data["occurred_on"] = str(today)
    _add_row(data, "actions", description="Terugkoppelen", owner=org_a.pk, due_on=str(today))
    response = staff_client.post("/admin/partnerships/contactentry/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = ContactEntry.objects.get(summary="Belronde")
    assert entry.owner_organisation == nctv
    assert [a.description for a in entry.actions.all()] == ["Terugkoppelen"]
    assert Action.objects.get(description="Terugkoppelen").partnership == arena


def test_action_marked_done_in_the_admin(staff_client, arena, today):
    action = arena.actions.get()
    response = staff_client.post(
        "/admin/partnerships/action/",
        {"action": "mark_done", "_selected_action": [action.pk]},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == today


def test_change_page_has_every_inline(staff_client, arena):
    response = staff_client.get(_change_url(arena))
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {
        "members",
        "covenants",
        "contacts",
        "actions",
        "cost_items",
        "cost_shares",
    }


def test_refusal_only_saving_can_find_rolls_everything_back(staff_client, org_a, today):
    """Two new rows with the same organisation and role on the add page: the second is refused
    by partnership_member_add while saving; the partnership is not left half-saved."""
    data = _form_data(staff_client.get("/admin/partnerships/partnership/add/"))
    data.update({"name": "Dubbel PPS", "kind": "venue", "status": "forming"})
    data.update({"variant": "continuation", "contact_frequency_days": "30"})
    for _ in range(2):
        _add_row(
            data, "members", organisation=org_a.pk, role="venue_operator", joined_on=str(today)
        )
    response = staff_client.post("/admin/partnerships/partnership/add/", data, follow=True)
    assert response.status_code == 200
    assert not Partnership.objects.filter(name="Dubbel PPS").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("role" in m or "rol" in m for m in messages), messages


def test_reading_an_amber_contact_in_the_admin_is_audited(staff_client, arena, org_a, operator_a):
    from ppsportal.models import AuditEvent

    amber = contact_services.contact_create(
        partnership=arena,
        by=operator_a,
        occurred_on=timezone.localdate(),
        kind="debrief",
        summary="Vertrouwelijk",
        participants=[org_a],
        tlp="amber",
    )
    staff_client.get("/admin/partnerships/contactentry/")
    staff_client.get(f"/admin/partnerships/contactentry/{amber.pk}/change/")
    events = AuditEvent.objects.filter(action="sensitive.viewed", actor_username="nctv-staff")
    assert events.count() == 2
    assert all(event.object_ids == [str(amber.public_id)] for event in events)


def test_contact_and_covenant_pages_link_to_their_shares(staff_client, arena):
    for model, obj in (("contactentry", arena.contacts.get()), ("covenant", arena.covenants.get())):
        page = staff_client.get(f"/admin/partnerships/{model}/{obj.pk}/change/").content.decode()
        shares = f"/admin/partnerships/{model}/{obj.pk}/shares/"
        assert f'href="{shares}"' in page
        assert staff_client.get(shares).status_code == 200
