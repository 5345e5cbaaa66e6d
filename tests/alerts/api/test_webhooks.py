"""Webhook subscriptions: https only, never into a private network; managed by the
organisation's administrators; the secret shown once, on creation and rotation."""

from __future__ import annotations

import base64
import socket

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts.channels.webhook import secret_key
from alerts.models import WebhookSubscription
from alerts.webhooks import validate_webhook_url, webhook_create, webhook_enable

URL = "/api/v1/webhooks/"
PUBLIC = "https://93.184.215.14/hooks/pps"  # a literal public address: no DNS needed


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as error:
        validate_webhook_url(url)
    [message] = error.value.error_dict["url"]
    return message.code


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.215.14/hook", "not_https"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://localhost:8443/hook", "private_address"),
        ("https://10.1.2.3/hook", "private_address"),
        ("https://192.168.1.10/hook", "private_address"),
        ("https://172.16.0.1/hook", "private_address"),
        ("https://[::1]/hook", "private_address"),
        ("https://[::ffff:127.0.0.1]/hook", "private_address"),
        ("https://169.254.169.254/latest/meta-data/", "private_address"),
        ("https://224.0.0.1/hook", "private_address"),
        ("https://0.0.0.0/hook", "private_address"),
        ("https://user:secret@93.184.215.14/hook", "userinfo"),
        ("ftp://93.184.215.14/hook", "invalid"),
        ("not a url", "invalid"),
        ("", "required"),
        (f"https://93.184.215.14/{'x' * 500}", "too_long"),
    ],
)
def test_refused_urls_in_production(production, url, code):
    assert refusal(url) == code


def test_a_host_that_resolves_nowhere_or_privately_is_refused(production, monkeypatch):
    def unresolvable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unresolvable)
    assert refusal("https://receiver.example/hook") == "unresolvable"

    def private(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", private)
    assert refusal("https://rebind.example/hook") == "private_address"

    def public(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(socket, "getaddrinfo", public)
    assert validate_webhook_url(" https://receiver.example/hook ") == (
        "https://receiver.example/hook"
    )


def test_public_https_is_accepted(production):
    assert validate_webhook_url(PUBLIC) == PUBLIC


def test_debug_allows_local_http_but_never_credentials(settings):
    settings.DEBUG = True
    assert validate_webhook_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    assert refusal("http://user:pw@127.0.0.1:9000/hook") == "userinfo"


def test_the_secret_is_a_standard_webhooks_secret_the_transport_can_use(world, production):
    subscription, secret = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.admin_a)
    assert secret.startswith("whsec_") and subscription.secret == secret
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert len(secret_key(secret)) == 24
    _other, another = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.duty)
    assert another != secret


def test_only_the_organisations_admins_and_staff_manage_webhooks(world, production):
    for user in (world.viewer_a, world.admin_b, world.user_d):
        with pytest.raises(PermissionDenied):
            webhook_create(organisation=world.org_a, url=PUBLIC, by=user)
    assert not WebhookSubscription.objects.exists()


def test_enabling_resets_the_failures(world, production):
    subscription, _secret = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.admin_a)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, consecutive_failures=5, disabled_reason="HTTP 410"
    )
    subscription.refresh_from_db()
    webhook_enable(subscription=subscription, by=world.admin_a)
    subscription.refresh_from_db()
    assert (subscription.active, subscription.consecutive_failures) == (True, 0)
    assert subscription.disabled_reason == ""


# --- The API ------------------------------------------------------------------------------------


def test_an_admin_adds_a_webhook_and_sees_the_secret_once(world, client_for, production):
    admin = client_for(world.admin_a)
    created = admin.post(URL, {"url": PUBLIC}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["active"], body["organisation"]["name"]) == (
        PUBLIC,
        True,
        "Partner A Stadion",
    )
    subscription = WebhookSubscription.objects.get(public_id=body["id"])
    assert subscription.secret == body["secret"]
    listed = admin.get(URL).json()["results"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in admin.get(f"{URL}{body['id']}/").json()

    rotated = admin.post(f"{URL}{body['id']}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != body["secret"]
    subscription.refresh_from_db()
    assert subscription.secret == rotated.json()["secret"]


def test_members_read_admins_write(world, client_for, production):
    subscription, secret = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.admin_a)
    viewer = client_for(world.viewer_a)
    item = f"{URL}{subscription.public_id}/"
    assert viewer.get(URL).json()["count"] == 1
    assert viewer.get(item).status_code == 200
    assert viewer.post(URL, {"url": PUBLIC}, format="json").status_code == 403
    assert viewer.patch(item, {"url": PUBLIC}, format="json").status_code == 403
    assert viewer.delete(item).status_code == 403
    assert viewer.post(f"{item}rotate-secret/").status_code == 403
    assert viewer.post(f"{item}enable/").status_code == 403
    subscription.refresh_from_db()
    assert subscription.secret == secret


def test_another_organisations_webhook_is_not_found(world, client_for, production):
    subscription, _secret = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.admin_a)
    other = client_for(world.admin_b)
    item = f"{URL}{subscription.public_id}/"
    assert other.get(URL).json()["count"] == 0
    assert other.get(item).status_code == 404
    assert other.patch(item, {"url": PUBLIC}, format="json").status_code == 404
    assert other.delete(item).status_code == 404
    assert other.post(f"{item}rotate-secret/").status_code == 404
    assert other.post(f"{item}enable/").status_code == 404
    assert client_for(world.duty).get(item).status_code == 200  # NCTV staff see all
    assert WebhookSubscription.objects.count() == 1


def test_changing_enabling_and_removing(world, client_for, production):
    subscription, _secret = webhook_create(organisation=world.org_a, url=PUBLIC, by=world.admin_a)
    admin = client_for(world.admin_a)
    item = f"{URL}{subscription.public_id}/"
    changed = admin.patch(item, {"url": "https://93.184.215.15/v2"}, format="json")
    assert changed.status_code == 200 and changed.json()["url"] == "https://93.184.215.15/v2"
    refused = admin.patch(item, {"url": "https://10.0.0.5/hook"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "url": [
            "The address 10.0.0.5 lies in a private or reserved network; give an address "
            "reachable from the internet."
        ]
    }
    assert admin.patch(item, {}, format="json").json() == {"url": ["This field is required."]}
    assert admin.put(item, {"url": PUBLIC}, format="json").status_code == 405
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    enabled = admin.post(f"{item}enable/")
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert admin.delete(item).status_code == 204
    assert admin.get(item).status_code == 404  # gone from every list and detail
    assert admin.get(URL).json()["results"] == []
    kept = WebhookSubscription.objects.get()  # kept for the record of its deliveries
    assert (kept.active, kept.secret, kept.deleted_at is not None) == (False, "", True)


def test_bad_urls_answer_400_in_the_request_language(world, client_for, production):
    english = client_for(world.admin_a).post(URL, {"url": "http://93.184.215.14/"}, format="json")
    assert english.status_code == 400
    assert english.json() == {"url": ["The URL must start with https://."]}
    dutch = client_for(world.admin_a, language="nl").post(URL, {}, format="json")
    assert dutch.json() == {"url": ["Dit veld is vereist."]}
    assert not WebhookSubscription.objects.exists()


def test_webhooks_need_sign_in(api_client):
    assert api_client.get(URL).status_code == 401
