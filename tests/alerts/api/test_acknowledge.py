"""POST /api/v1/alerts/{id}/acknowledge/: once per organisation (201, then 200 with the same
acknowledgement), by a writing role of a recipient; 404 for anyone else, 403 for viewers."""

from __future__ import annotations

import uuid

from alerts import services
from alerts.models import Acknowledgement
from tests.alerts.api.conftest import detail


def ack_url(alert) -> str:
    return detail(alert, "acknowledge/")


def test_acknowledging_is_idempotent(world, client_for, green):
    client = client_for(world.admin_a)
    first = client.post(
        ack_url(green),
        {"note": "Tassencontrole vanaf 12:00", "measures_taken": ["bag_checks", "cctv"]},
        format="json",
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["organisation"]["name"] == "Partner A Stadion"
    assert body["by"]["username"] == "admin-a"
    assert body["note"] == "Tassencontrole vanaf 12:00"
    assert [m["code"] for m in body["measures_taken"]] == ["bag_checks", "cctv"]

    second = client.post(ack_url(green), {"note": "Nog eens"}, format="json")
    assert second.status_code == 200
    assert second.json() == body
    assert Acknowledgement.objects.filter(alert=green).count() == 1


def test_a_viewer_may_not_acknowledge_but_sees_the_organisations_acknowledgement(
    world, client_for, green
):
    viewer = client_for(world.viewer_a)
    refused = viewer.post(ack_url(green), {}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role does not allow acknowledging alerts."}
    assert not Acknowledgement.objects.exists()
    services.alert_acknowledge(alert=green, by=world.admin_a)
    # Decided once for every face (docs/permissions.md): a viewer is refused also after a
    # colleague acknowledged; the viewer sees that acknowledgement on the alert instead.
    again = viewer.post(ack_url(green), {}, format="json")
    assert again.status_code == 403
    assert again.json() == {"detail": "Your role does not allow acknowledging alerts."}
    mine = viewer.get(detail(green)).json()["my_acknowledgement"]
    assert mine["by"]["username"] == "admin-a"


def test_not_a_recipient_is_404(world, client_for, green, amber):
    assert client_for(world.admin_b).post(ack_url(green), {}, format="json").status_code == 404
    assert client_for(world.user_d).post(ack_url(amber), {}, format="json").status_code == 404
    assert client_for(world.duty).post(ack_url(green), {}, format="json").status_code == 404
    missing = client_for(world.admin_a).post(f"/api/v1/alerts/{uuid.uuid4()}/acknowledge/")
    assert missing.status_code == 404
    draft = world.draft(organisations=[world.org_a])
    assert client_for(world.admin_a).post(ack_url(draft), {}, format="json").status_code == 404
    assert not Acknowledgement.objects.exists()


def test_an_ended_alert_needs_no_acknowledgement(world, client_for, green):
    services.alert_all_clear(alert=green, by=world.approver)
    response = client_for(world.admin_a).post(ack_url(green), {}, format="json")
    assert response.status_code == 409
    assert "no longer needs acknowledging" in response.json()["detail"]


def test_unknown_measures_are_refused_in_the_request_language(world, client_for, green):
    english = client_for(world.admin_a).post(
        ack_url(green), {"measures_taken": ["prayer"]}, format="json"
    )
    assert english.status_code == 400
    assert english.json() == {"measures_taken": {"0": ['"prayer" is not a valid choice.']}}
    dutch = client_for(world.admin_a, language="nl").post(
        ack_url(green), {"measures_taken": ["prayer"]}, format="json"
    )
    assert dutch.json() == {"measures_taken": {"0": ['"prayer" is een ongeldige keuze.']}}
    assert not Acknowledgement.objects.exists()


def test_a_malformed_id_is_404(world, client_for):
    response = client_for(world.admin_a).post("/api/v1/alerts/not-a-uuid/acknowledge/")
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()


def test_the_compiled_door_answers_as_the_read_door(world, green, amber):
    """The acknowledgement's one query (compiled once per day with stand-in ids) lets through
    exactly what ``recipient_alert_get`` lets through, for every actor and alert here."""
    from alerts.models import Alert
    from alerts.selectors import recipient_alert_get, recipient_alert_with_ack
    from partnerships.selectors import actor_for

    draft = world.draft(organisations=[world.org_a])
    for user in (world.admin_a, world.viewer_a, world.admin_b, world.user_d, world.duty):
        actor = actor_for(user)
        for alert in (green, amber, draft):
            try:
                expected = actor.organisation is not None and bool(
                    recipient_alert_get(actor, alert.public_id)
                )
            except Alert.DoesNotExist:
                expected = False
            by_pk = recipient_alert_with_ack(actor, pk=alert.pk)
            by_id = recipient_alert_with_ack(actor, public_id=str(alert.public_id))
            assert (by_pk is not None, by_id is not None) == (expected, expected), (user, alert)
            if expected:
                assert by_pk.pk == by_id.pk == alert.pk and by_id.own_acknowledgement_id is None
    ack, _created = services.alert_acknowledge(alert=green, by=world.admin_a)
    found = recipient_alert_with_ack(actor_for(world.viewer_a), public_id=green.public_id)
    assert found.own_acknowledgement_id == ack.pk  # the organisation's, whoever asks


def test_a_colleague_who_acknowledged_first_wins(world, green):
    """The insert skips a row the unique key already holds (a colleague a moment earlier): the
    service answers with that acknowledgement, not an error."""
    from alerts.services import _insert_unless_acknowledged

    first, created = services.alert_acknowledge(alert=green, by=world.admin_a)
    assert created
    late = Acknowledgement(alert=green, organisation=world.org_a, user=world.admin_a, note="x")
    assert _insert_unless_acknowledged(late) is False
    assert late.pk is None
    assert list(Acknowledgement.objects.filter(alert=green).values_list("pk", "note")) == [
        (first.pk, "")
    ]
