"""Channel preferences: a user's own choice, else the organisation's default, else in-app and
email — the same resolution as at publication. SMS needs a phone number."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from alerts.models import ChannelPreference, OrganisationChannelDefault
from alerts.preferences import organisation_default_set, preference_set, preferences_of
from alerts.selectors import audience_recipients

URL = "/api/v1/preferences/"
DEFAULTS = "/api/v1/organisation-defaults/"


def effective(user) -> dict[str, tuple[bool, str]]:
    return {row["channel"]: (row["enabled"], row["source"]) for row in preferences_of(user)}


def test_the_effective_choice_and_where_it_comes_from(world):
    assert effective(world.viewer_a) == {
        "in_app": (True, "default"),
        "email": (True, "default"),
        "sms": (False, "default"),
    }
    organisation_default_set(
        organisation=world.org_a, channel="email", enabled=False, by=world.admin_a
    )
    preference_set(user=world.viewer_a, channel="in_app", enabled=True)
    assert effective(world.viewer_a) == {
        "in_app": (True, "user"),
        "email": (False, "organisation"),
        "sms": (False, "default"),
    }
    # admin-a has an SMS preference (off, with a number) from the world
    with translation.override("en"):
        [sms] = [row for row in preferences_of(world.admin_a) if row["channel"] == "sms"]
    assert sms == {
        "channel": "sms",
        "label": "SMS",
        "enabled": False,
        "source": "user",
        "address": "+31600000001",
    }


def test_preferences_of_matches_the_resolution_at_publication(world):
    organisation_default_set(organisation=world.org_a, channel="sms", enabled=True, by=world.duty)
    preference_set(user=world.viewer_a, channel="email", enabled=False)
    for user in (world.admin_a, world.viewer_a):
        [recipient] = [r for r in audience_recipients([world.org_a.pk]) if r.user_id == user.pk]
        shown = {row["channel"] for row in preferences_of(user) if row["enabled"]}
        assert shown == recipient.channels


def test_sms_needs_a_phone_number_in_international_form(world):
    with pytest.raises(ValidationError) as missing:
        preference_set(user=world.viewer_a, channel="sms", enabled=True)
    assert missing.value.error_dict["address"][0].code == "phone_required"
    for bad in ("0612345678", "+31 6", "+31612345678901234", "+31-6-abc"):
        with pytest.raises(ValidationError) as error:
            preference_set(user=world.viewer_a, channel="sms", enabled=True, address=bad)
        assert error.value.error_dict["address"][0].code == "phone_format", bad
    saved = preference_set(
        user=world.viewer_a, channel="sms", enabled=True, address="+31 6-1234 5678"
    )
    assert (saved.enabled, saved.address) == (True, "+31612345678")
    assert ChannelPreference.objects.filter(user=world.viewer_a).count() == 1
    off = preference_set(user=world.viewer_a, channel="sms", enabled=False, address="+31612345678")
    assert (off.pk, off.enabled) == (saved.pk, False)


def test_unknown_channels_are_refused(world):
    for channel in ("webhook", "pigeon"):
        with pytest.raises(ValidationError) as error:
            preference_set(user=world.viewer_a, channel=channel, enabled=True)
        assert error.value.error_dict["channel"][0].code == "unknown_channel"


def test_only_the_organisations_admins_and_staff_set_its_defaults(world):
    for user in (world.viewer_a, world.admin_b, world.user_d):
        with pytest.raises(PermissionDenied):
            organisation_default_set(
                organisation=world.org_a, channel="email", enabled=False, by=user
            )
    organisation_default_set(
        organisation=world.org_a, channel="email", enabled=False, by=world.duty
    )
    organisation_default_set(
        organisation=world.org_a, channel="email", enabled=True, by=world.admin_a
    )
    assert OrganisationChannelDefault.objects.get(organisation=world.org_a).enabled is True


# --- The API ------------------------------------------------------------------------------------


def test_listing_and_choosing_channels(world, client_for):
    client = client_for(world.viewer_a)
    listed = client.get(URL).json()
    assert [(r["channel"], r["enabled"], r["source"]) for r in listed] == [
        ("in_app", True, "default"),
        ("email", True, "default"),
        ("sms", False, "default"),
    ]
    response = client.put(f"{URL}sms/", {"enabled": True, "address": "+31612345678"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "channel": "sms",
        "label": "SMS",
        "enabled": True,
        "source": "user",
        "address": "+31612345678",
    }
    # PATCH leaves what it does not name: the number stays
    off = client.patch(f"{URL}sms/", {"enabled": False}, format="json")
    assert (off.json()["enabled"], off.json()["address"]) == (False, "+31612345678")
    assert client.get(f"{URL}sms/").json()["enabled"] is False
    assert client.get(f"{URL}webhook/").status_code == 404
    assert client.put(f"{URL}pigeon/", {"enabled": True}).status_code == 404


def test_bad_preferences_answer_400_by_field(world, client_for):
    client = client_for(world.viewer_a)
    missing = client.put(f"{URL}sms/", {"enabled": True}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {
        "address": ["Give the phone number that should receive the SMS messages."]
    }
    bad = client.put(f"{URL}sms/", {"enabled": True, "address": "06-12345678"}, format="json")
    assert list(bad.json()) == ["address"]
    required = client_for(world.viewer_a, language="nl").put(f"{URL}email/", {}, format="json")
    assert required.json() == {"enabled": ["Dit veld is vereist."]}
    assert not ChannelPreference.objects.filter(user=world.viewer_a).exists()


def test_organisation_defaults_through_the_api(world, client_for):
    viewer = client_for(world.viewer_a)
    assert [r["source"] for r in viewer.get(DEFAULTS).json()] == ["default"] * 3
    refused = viewer.put(f"{DEFAULTS}email/", {"enabled": False}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only an administrator of the organisation may set its channel defaults."
    }
    admin = client_for(world.admin_a)
    response = admin.patch(f"{DEFAULTS}email/", {"enabled": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "channel": "email",
        "label": "Email",
        "enabled": False,
        "source": "organisation",
    }
    assert effective(world.viewer_a)["email"] == (False, "organisation")
    # B's defaults are B's own
    assert [r["source"] for r in client_for(world.admin_b).get(DEFAULTS).json()] == ["default"] * 3
    assert admin.get(f"{DEFAULTS}webhook/").status_code == 404


def test_a_form_encoded_put_without_enabled_is_refused_not_read_as_false(world, client_for):
    """DRF reads an absent boolean in form input as an unticked checkbox (False); the API has no
    checkboxes, so a PUT without ``enabled`` is a 400 and the default stays on."""
    admin = client_for(world.admin_a)
    response = admin.put(
        f"{DEFAULTS}in_app/", "_=9", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400, response.content
    assert "enabled" in response.json()
    assert effective(world.viewer_a)["in_app"] == (True, "default")
    # the same field given in the form is read as usual
    response = admin.put(
        f"{DEFAULTS}in_app/", "enabled=false", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    assert effective(world.viewer_a)["in_app"] == (False, "organisation")


def test_preferences_need_sign_in(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(DEFAULTS).status_code == 401
