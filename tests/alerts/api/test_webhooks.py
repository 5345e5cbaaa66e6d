"""Webhook subscriptions: https only, never into a private network; managed by the
organisation's administrators; the secret shown once, on creation and rotation."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alerts.channels.webhook import secret_key
from alerts.models import WebhookSubscription
from alerts.webhooks import validate_webhook_url, webhook_create, webhook_enable

URL = "/api/v1/webhooks/"
PUBLIC = "https://93.184.215.14/hooks/pps"  # a literal public address: no DNS needed


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def any_mode(request, settings):
    """The same rules in every mode: each test of the URL rules runs with DEBUG off and on."""
    settings.DEBUG = request.param
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    return settings


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as error:
        validate_webhook_url(url)
    [message] = error.value.error_dict["url"]
    return message.code


# Every address form of the attack on the webhook URL: literal, and as a name resolves.
PRIVATE_URLS = [
    "https://127.0.0.1/hook",
    "https://127.0.0.1:6379/",
    "https://10.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://192.168.1.10/hook",
    "https://172.16.0.1/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://100.100.100.200/latest/meta-data/",  # Alibaba's metadata, inside CGNAT
    "https://169.254.169.254/latest/meta-data/",
    "https://169.254.170.2/v2/credentials",  # AWS ECS task metadata
    "https://192.0.0.192/opc/v1/instance/",  # Oracle's metadata
    "https://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6
    "https://224.0.0.1/hook",  # multicast
    "https://0.0.0.0/hook",  # unspecified
    "https://240.0.0.1/hook",  # reserved
    "https://198.18.0.1/hook",  # benchmarking
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "https://[::ffff:a00:1]/hook",  # IPv4-mapped 10.0.0.1
    "https://[::a00:1]/hook",  # IPv4-compatible 10.0.0.1
    "https://[2002:a00:1::1]/hook",  # 6to4 wrapping 10.0.0.1
    "https://[2002:5db8:d70e::1]/hook",  # 6to4 wrapping a public address: still a relay
    "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook",  # Teredo
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64
    "https://[fc00::1]/hook",  # unique local
    "https://[fd12:3456:789a::1]/hook",  # unique local
    "https://[fe80::1]/hook",  # link-local
    "https://[fec0::1]/hook",  # site-local
    "https://[ff02::1]/hook",  # multicast
    "https://[2001:db8::1]/hook",  # documentation
    "https://localhost/hook",
    "https://localhost:8443/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_reserved_and_embedded_addresses_are_refused_in_every_mode(any_mode, url):
    assert refusal(url) == "private_address"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://93.184.215.14/hook", "not_https"),
        ("http://127.0.0.1:9000/hook", "not_https"),
        ("https://user:secret@93.184.215.14/hook", "userinfo"),
        ("http://user:pw@127.0.0.1:9000/hook", "userinfo"),
        ("ftp://93.184.215.14/hook", "invalid"),
        ("not a url", "invalid"),
        ("", "required"),
        (f"https://93.184.215.14/{'x' * 500}", "too_long"),
    ],
)
def test_refused_urls_in_every_mode(any_mode, url, code):
    assert refusal(url) == code


@pytest.mark.parametrize(
    "url",
    [
        PUBLIC,
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hook",  # public IPv6
        "https://[64:ff9b::5db8:d70e]/hook",  # NAT64 of a public IPv4 address
        "https://[::ffff:93.184.215.14]/hook",  # IPv4-mapped public address
    ],
)
def test_public_https_is_accepted(any_mode, url):
    assert validate_webhook_url(url) == url


def test_a_host_that_resolves_nowhere_or_privately_is_refused(any_mode, fake_dns):
    assert refusal("https://nowhere.example/hook") == "unresolvable"
    fake_dns.answer("rebind.example", "10.0.0.7")
    assert refusal("https://rebind.example/hook") == "private_address"
    fake_dns.answer("mixed.example", "93.184.215.14", "192.168.0.5")  # one private is enough
    assert refusal("https://mixed.example/hook") == "private_address"
    fake_dns.answer("nat64.example", "64:ff9b::a9fe:a9fe")
    assert refusal("https://nat64.example/hook") == "private_address"
    fake_dns.answer("receiver.example", "93.184.215.14", "2606:2800:220:1:248:1893:25c8:1946")
    assert validate_webhook_url(" https://receiver.example/hook ") == (
        "https://receiver.example/hook"
    )


def test_only_the_explicit_setting_admits_local_http_never_credentials_or_metadata(settings):
    settings.DEBUG = True
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert refusal("http://127.0.0.1:9000/hook") == "not_https"
    settings.DEBUG = False
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert validate_webhook_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    assert validate_webhook_url("https://10.0.0.1/hook") == "https://10.0.0.1/hook"
    assert refusal("http://user:pw@127.0.0.1:9000/hook") == "userinfo"
    for url in (
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:169.254.169.254]/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
    ):
        assert refusal(url) == "private_address", url


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
