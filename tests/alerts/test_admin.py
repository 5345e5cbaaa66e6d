"""The alert admin for NCTV staff: a draft is written on the add form, a colleague approves it
(the author is refused with the service's message), the publish page shows the audience preview
before the button, an update is a new version, an alert is cancelled or given the all clear.
Every step is a POST with its CSRF token and goes through the services; partners never get in;
the list runs a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from alerts import services
from alerts.models import Alert, AlertTemplate, Delivery, WebhookSubscription
from tests import signin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/alerts/alert/"
ADD = "/admin/alerts/alert/add/"


def page(alert, step="change"):
    return f"/admin/alerts/alert/{alert.pk}/{step}/"


def login(client, user):
    signin.sign_in(client, user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def form_values(form) -> dict:
    """What the page's form would send back unchanged."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def draft_data(world, **changes) -> dict:
    data = {
        "headline": "Verdacht pakket bij stadions",
        "description": "Meerdere meldingen van verdachte pakketten bij toegangspoorten.",
        "instruction": "Controleer tassen bij alle ingangen.",
        "kind": "actual",
        "atb_level": "matige_dreiging",
        "tlp": "amber",
        "sectors": [str(world.sector("football_stadium").pk)],
        "regions": "",
        "partnerships": [str(world.partnership.pk)],
        "area_description": "",
        "area_polygon": "",
        "urgency": "",
        "severity": "",
        "certainty": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "ack_deadline_minutes": "",
    }
    data.update(changes)
    return data


# --- the add form -----------------------------------------------------------------------------


def test_staff_write_a_draft_on_the_add_form(client, world):
    login(client, world.author)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, draft_data(world))
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == page(alert)
    assert (alert.status, alert.author, alert.approver) == ("draft", world.author, None)
    assert (alert.urgency, alert.ack_deadline_minutes) == ("Expected", 60)  # from the level
    assert list(alert.partnerships.all()) == [world.partnership]
    assert list(alert.sectors.values_list("code", flat=True)) == ["football_stadium"]


def test_the_add_form_shows_the_services_refusal_and_saves_nothing(client, world):
    login(client, world.author)
    response = client.post(ADD, draft_data(world, tlp="red"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (
        gettext("Alerts go to organisations; TLP:RED is shared with named users only.")
        in (errors["tlp"])
    )
    drill = draft_data(world, kind="exercise", raises_sectors=[world.sector("museum").pk])
    errors = client.post(ADD, drill).context["adminform"].form.errors
    assert "raises_sectors" in errors
    assert not Alert.objects.exists()


def test_a_new_draft_starts_from_an_existing_alert(client, world):
    alert = world.draft(tlp="amber", partnerships=[world.partnership])
    form = login(client, world.approver).get(f"{ADD}?copy_of={alert.pk}").context["adminform"]
    assert form.form.initial["headline"] == alert.headline
    assert form.form.initial["partnerships"] == [world.partnership]


# --- four eyes, publication with the preview --------------------------------------------------


def test_the_author_is_refused_approval_with_the_services_message(client, world):
    alert = world.draft(partnerships=[world.partnership])
    login(client, world.author)
    html = client.get(page(alert)).content.decode()
    assert page(alert, "approve") in html and page(alert, "publish") not in html
    assert client.get(page(alert, "approve")).status_code == 200
    response = client.post(page(alert, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == page(alert)
    assert messages_of(response) == [
        gettext("You wrote this alert; another staff member must approve it.")
    ]
    alert.refresh_from_db()
    assert (alert.status, alert.approver) == ("draft", None)


def test_a_colleague_approves_and_the_publish_page_previews_the_audience(client, world):
    alert = world.draft(tlp="amber", sectors=[world.sector("football_stadium")])
    login(client, world.approver)
    client.get(page(alert, "approve"))  # a GET writes nothing
    alert.refresh_from_db()
    assert alert.status == "draft"
    assert client.post(page(alert, "approve")).status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.approver) == ("approved", world.approver)

    response = client.get(page(alert, "publish"))
    preview = response.context["preview"]
    assert (preview["organisations"], preview["users"], preview["excluded_not_entitled"]) == (
        1,
        2,
        1,
    )
    assert preview["channels"] == {"in_app": 2, "email": 2, "sms": 0, "webhook": 0}
    html = response.content.decode()
    assert 'class="preview-excluded">1' in html and "Partner A Stadion" in html
    assert html.index('id="audience-preview"') < html.rindex('type="submit"')
    assert not Delivery.objects.exists()

    response = client.post(page(alert, "publish"), follow=True)
    alert.refresh_from_db()
    assert alert.status == "published" and alert.published_at
    assert Delivery.objects.filter(alert=alert).count() == preview["deliveries"] == 4
    assert messages_of(response) == [gettext("Published: %(headline)s.") % alert.__dict__]


def test_publishing_an_unapproved_alert_is_refused_and_writes_nothing(client, world):
    alert = world.draft(partnerships=[world.partnership])
    response = login(client, world.approver).post(page(alert, "publish"), follow=True)
    assert messages_of(response) == [
        gettext("Only an approved alert can be published; a second staff member approves first.")
    ]
    alert.refresh_from_db()
    assert alert.status == "draft" and not Delivery.objects.exists()


def test_the_page_of_a_published_alert_shows_its_record(client, world):
    alert = world.published(tlp="amber", partnerships=[world.partnership])
    services.alert_acknowledge(
        alert=alert, by=world.admin_a, note="Extra stewards", measures_taken=[]
    )
    response = login(client, world.author).get(page(alert))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Partner A Stadion", "Partner B Evenementen", "Extra stewards"):
        assert text in html
    assert page(alert, "update") in html and page(alert, "all-clear") in html
    assert page(alert, "approve") not in html
    assert f"?alert__id__exact={alert.pk}" in html  # the deliveries, in their own list


# --- update, cancel, all clear ----------------------------------------------------------------


def test_an_update_is_a_new_draft_version_referring_to_the_published_one(client, world):
    alert = world.published(tlp="amber", partnerships=[world.partnership])
    login(client, world.author)
    response = client.get(page(alert, "update"))
    assert response.status_code == 200
    data = form_values(response.context["adminform"].form)

    nothing = client.post(page(alert, "update"), data)
    assert nothing.status_code == 200 and nothing.context["adminform"].form.non_field_errors()

    data["headline"] = "Verhoogde dreiging stadions (bijgewerkt)"
    response = client.post(page(alert, "update"), data)
    new = Alert.objects.get(previous=alert)
    assert response.status_code == 302 and response["Location"] == page(new)
    assert (new.version, new.status, new.author) == (2, "draft", world.author)
    assert new.headline.endswith("(bijgewerkt)") and new.description == alert.description
    assert list(new.partnerships.all()) == [world.partnership]
    alert.refresh_from_db()
    assert alert.status == "published"  # until the new version is published

    again = client.post(page(alert, "update"), data, follow=True)
    assert again.context["adminform"].form.non_field_errors() == [
        gettext("This alert already has a newer version; update that one.")
    ]
    assert Alert.objects.count() == 2


def test_an_approved_alert_is_cancelled_and_a_published_one_given_the_all_clear(client, world):
    approved = world.approved(partnerships=[world.partnership])
    published = world.published(partnerships=[world.partnership])
    login(client, world.author)
    assert client.get(page(approved, "cancel")).status_code == 200
    cancelled = client.post(page(approved, "cancel"), follow=True)
    assert messages_of(cancelled) == [gettext("Cancelled: %(headline)s.") % approved.__dict__]
    approved.refresh_from_db()
    response = client.post(page(approved, "all-clear"), follow=True)
    assert messages_of(response) == [
        gettext("This alert is %(status)s and cannot become %(new)s.")
        % {"status": approved.get_status_display(), "new": Alert.Status.ALL_CLEAR.label}
    ]
    assert client.get(page(published, "all-clear")).status_code == 200
    client.post(page(published, "all-clear"))
    approved.refresh_from_db()
    published.refresh_from_db()
    assert (approved.status, published.status) == ("cancelled", "all_clear")
    assert not Delivery.objects.filter(status__in=Delivery.PENDING).exists()


def test_a_draft_is_cancelled(client, world):
    draft = world.draft(partnerships=[world.partnership])
    login(client, world.author).post(page(draft, "cancel"))
    draft.refresh_from_db()
    assert draft.status == "cancelled"


def test_steps_need_the_csrf_token(world):
    alert = world.draft(partnerships=[world.partnership])
    client = Client(enforce_csrf_checks=True)
    signin.sign_in(client, world.approver)
    assert client.get(page(alert, "approve")).status_code == 200
    assert client.post(page(alert, "approve")).status_code == 403
    alert.refresh_from_db()
    assert alert.status == "draft"


def test_a_saved_alert_is_neither_edited_nor_deleted_by_hand(client, world):
    alert = world.draft(partnerships=[world.partnership])
    login(client, world.approver)
    assert client.post(page(alert), {"headline": "Anders"}).status_code == 403
    assert client.post(page(alert, "delete"), {"post": "yes"}).status_code == 403
    alert.refresh_from_db()
    assert alert.headline != "Anders"


def test_a_template_alerts_refer_to_is_switched_off_never_deleted(client, world):
    template = services.template_save(
        by=world.author,
        name="Ontruiming",
        headline="Ontruim de locatie",
        description="Ontruim.",
        atb_level="hoge_dreiging",
        tlp="green",
        kind="actual",
    )
    login(client, world.approver)
    delete = f"/admin/alerts/alerttemplate/{template.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AlertTemplate.objects.filter(pk=template.pk).exists()


# --- who gets in ------------------------------------------------------------------------------


def test_partner_users_are_sent_to_the_admin_login(client, world):
    alert = world.draft(partnerships=[world.partnership])
    login(client, world.admin_a)
    for address in (LIST, ADD, page(alert), page(alert, "approve"), page(alert, "update")):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/admin/login/")
    assert client.post(page(alert, "approve")).status_code == 302
    alert.refresh_from_db()
    assert alert.status == "draft"


def test_nctv_members_without_staff_status_are_sent_to_the_admin_login(client, world):
    alert = world.draft(partnerships=[world.partnership])
    member = UserFactory(username="nctv-member", organisation=world.nctv)
    response = login(client, member).post(page(alert, "approve"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_missing_alert_is_not_found_on_every_step(client, world):
    login(client, world.author)
    for step in ("approve", "publish", "update", "cancel", "all-clear"):
        assert client.get(f"/admin/alerts/alert/999999/{step}/").status_code == 404, step
        assert client.post(f"/admin/alerts/alert/999999/{step}/").status_code == 404, step


# --- the list ---------------------------------------------------------------------------------


def test_the_list_counts_deliveries_and_acknowledgements_in_a_fixed_number_of_queries(
    client, world
):
    login(client, world.author)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(captured), response

    first = world.published(partnerships=[world.partnership])
    few, _response = queries()
    for i in range(4):
        alert = world.published(
            headline=f"Oefening {i}", kind="exercise", partnerships=[world.partnership]
        )
        services.alert_acknowledge(alert=alert, by=world.admin_b)
    Delivery.objects.filter(alert=first, channel="email").update(status="failed")
    Delivery.objects.filter(alert=first, channel="in_app").update(status="sent")
    many, response = queries()
    assert many == few
    html = response.content.decode()
    assert html.count(gettext("EXERCISE")) >= 4
    row = next(a for a in response.context["cl"].result_list if a.pk == first.pk)
    assert (row.delivered_count, row.failed_count, row.acknowledged_count) == (3, 3, 0)


# --- deliveries, acknowledgements, webhook subscriptions --------------------------------------


def test_deliveries_are_read_filtered_and_searched_never_edited(client, world):
    alert = world.published(partnerships=[world.partnership])
    delivery = Delivery.objects.filter(alert=alert).first()
    login(client, world.author)
    assert client.get("/admin/alerts/delivery/?channel__exact=email").status_code == 200
    found = client.get("/admin/alerts/delivery/?q=viewer-a").context["cl"].result_list
    assert {d.recipient.username for d in found} == {"viewer-a"}
    by_alert = client.get(f"/admin/alerts/delivery/?alert__id__exact={alert.pk}")
    assert len(by_alert.context["cl"].result_list) == Delivery.objects.filter(alert=alert).count()
    assert client.get(f"/admin/alerts/delivery/{delivery.pk}/change/").status_code == 200
    assert client.get("/admin/alerts/delivery/add/").status_code == 403
    response = client.post(f"/admin/alerts/delivery/{delivery.pk}/change/", {"status": "sent"})
    assert response.status_code == 403
    assert client.get("/admin/alerts/acknowledgement/").status_code == 200


def test_staff_disable_and_enable_a_webhook_subscription(client, world, fake_dns):
    fake_dns.answer("hooks.example.invalid", "93.184.216.34")
    subscription = WebhookSubscription.objects.create(
        organisation=world.org_a,
        url="https://hooks.example.invalid/pps",
        secret="whsec_dGVzdA==",
        consecutive_failures=3,
    )
    login(client, world.author)
    page_html = client.get(f"/admin/alerts/webhooksubscription/{subscription.pk}/change/")
    assert "whsec_" not in page_html.content.decode()  # the secret is never shown
    select = {"_selected_action": [subscription.pk]}
    client.post("/admin/alerts/webhooksubscription/", {"action": "disable", **select})
    subscription.refresh_from_db()
    assert not subscription.active
    # the members of the organisation read the reason: no staff member's name in it
    assert subscription.disabled_reason == "Uitgezet door NCTV-medewerkers."
    assert "author" not in subscription.disabled_reason
    client.post("/admin/alerts/webhooksubscription/", {"action": "enable", **select})
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 0)


def test_a_deleted_webhook_subscription_cannot_be_enabled_again(client, world, fake_dns):
    from alerts.webhooks import webhook_create, webhook_delete

    fake_dns.answer("hooks.example.invalid", "93.184.216.34")
    subscription, _secret = webhook_create(
        organisation=world.org_a, url="https://hooks.example.invalid/pps", by=world.admin_a
    )
    webhook_delete(subscription=subscription, by=world.admin_a)
    login(client, world.author)
    select = {"_selected_action": [subscription.pk]}
    response = client.post(
        "/admin/alerts/webhooksubscription/", {"action": "enable", **select}, follow=True
    )
    assert "create a new one" in response.content.decode() or "nieuw" in response.content.decode()
    subscription.refresh_from_db()
    assert (subscription.active, subscription.secret) == (False, "")
    # and nothing is sent to it
    alert = world.published(organisations=[world.org_a])
    assert not alert.deliveries.filter(webhook=subscription).exists()


def test_enabling_a_webhook_the_service_refuses_shows_its_message(client, world, fake_dns):
    fake_dns.answer("intranet.example.invalid", "10.0.0.7")
    subscription = WebhookSubscription.objects.create(
        organisation=world.org_a,
        url="https://intranet.example.invalid/pps",
        secret="whsec_dGVzdA==",
        active=False,
    )
    login(client, world.author)
    response = client.post(
        "/admin/alerts/webhooksubscription/",
        {"action": "enable", "_selected_action": [subscription.pk]},
        follow=True,
    )
    refusal = gettext(
        "The address %(host)s lies in a private or reserved network; give an address "
        "reachable from the internet."
    ) % {"host": "intranet.example.invalid"}
    assert any(refusal in message for message in messages_of(response))
    subscription.refresh_from_db()
    assert not subscription.active
