"""/api/v1/threat-assessments/: partners read what the sharing engine lets them see; NCTV staff
write, share and revoke."""

from __future__ import annotations

import uuid

import pytest

from ppsportal.models import AuditEvent
from tests.threats.api.conftest import days_ago, days_ahead, make_assessment, sector
from threats.models import ThreatAssessment, ThreatAssessmentGroupGrant

pytestmark = pytest.mark.django_db

URL = "/api/v1/threat-assessments/"


def detail(assessment) -> str:
    return f"{URL}{assessment.public_id}/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def share(client, assessment, organisation, covenant, **extra):
    body = {
        "organisation": str(organisation.public_id),
        "covenant": str(covenant.public_id),
        "reason": "Stadions in hun regio",
        **extra,
    }
    return client.post(f"{detail(assessment)}share/", body, format="json")


def revoke(client, assessment, organisation):
    body = {"organisation": str(organisation.public_id)}
    return client.post(f"{detail(assessment)}revoke/", body, format="json")


# --- Acceptance: AMBER shared with A, not with B; revoked: neither --------------------------------


def test_an_amber_assessment_shared_with_a_reaches_a_only_until_revoked(
    client_for, nctv_staff, operator_a, operator_b, org_a, covenant, assessment
):
    staff = client_for(nctv_staff)
    response = share(staff, assessment, org_a, covenant)
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert row["kind"] == "organisation" and row["valid"] is True
    assert row["organisation"]["id"] == str(org_a.public_id)
    assert row["covenant"] == {"id": str(covenant.public_id), "title": "Convenant ArenA"}

    a = client_for(operator_a)
    assert titles(a.get(URL)) == ["Dreiging tegen stadions"]
    assert a.get(detail(assessment)).status_code == 200
    b = client_for(operator_b)
    assert titles(b.get(URL)) == []
    assert b.get(detail(assessment)).status_code == 404

    response = revoke(client_for(nctv_staff), assessment, org_a)
    assert response.status_code == 200 and response.json() == []
    for persona in (operator_a, operator_b):
        client = client_for(persona)
        assert client.get(detail(assessment)).status_code == 404
        assert titles(client.get(URL)) == []


def test_sharing_and_revoking_twice_answers_success_and_changes_nothing(
    client_for, nctv_staff, org_a, covenant, assessment
):
    staff = client_for(nctv_staff)
    first, second = (share(staff, assessment, org_a, covenant) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert ThreatAssessmentGroupGrant.all_grants.count() == 1
    assert AuditEvent.objects.filter(action="sharing.granted").count() == 1
    assert revoke(staff, assessment, org_a).status_code == 200
    assert revoke(staff, assessment, org_a).status_code == 200
    assert AuditEvent.objects.filter(action="sharing.revoked").count() == 1


def test_sharing_with_an_organisation_no_covenant_covers_is_refused(
    client_for, nctv_staff, outsider, covenant, assessment
):
    response = share(client_for(nctv_staff), assessment, outsider, covenant)
    assert response.status_code == 400
    assert response.json() == {
        "organisation": ["Partner C Theater has not signed the covenant 'Convenant ArenA'."]
    }
    assert not ThreatAssessmentGroupGrant.all_grants.exists()


def test_sharing_above_the_covenants_clause_is_refused(
    client_for, nctv_staff, org_a, covenant, nctv_staff_assessment_strict
):
    response = share(client_for(nctv_staff), nctv_staff_assessment_strict, org_a, covenant)
    assert response.status_code == 400
    assert response.json() == {
        "covenant": [
            "The covenant 'Convenant ArenA' allows at most TLP:AMBER; this is TLP:AMBER+STRICT."
        ]
    }


@pytest.fixture
def nctv_staff_assessment_strict(nctv_staff):
    return make_assessment(nctv_staff, title="Streng", tlp="amber_strict")


def test_share_needs_exactly_one_recipient_and_a_reason(
    client_for, nctv_staff, operator_a, org_a, covenant, assessment
):
    staff = client_for(nctv_staff)
    both = share(staff, assessment, org_a, covenant, user="operator-a")
    assert both.status_code == 400
    assert both.json() == {"non_field_errors": ["Name either an organisation or a user."]}
    no_reason = share(staff, assessment, org_a, covenant, reason=" ")
    assert no_reason.json() == {"reason": ["Say why you share this."]}
    unknown = staff.post(
        f"{detail(assessment)}share/",
        {"organisation": str(uuid.uuid4()), "covenant": str(covenant.public_id), "reason": "x"},
        format="json",
    )
    assert "There is no organisation with id" in unknown.json()["organisation"][0]
    assert not ThreatAssessmentGroupGrant.all_grants.exists()


def test_red_is_shared_with_a_named_user(
    client_for, nctv_staff, operator_a, viewer_a, covenant_red
):
    red = make_assessment(nctv_staff, title="Rood", tlp="red")
    staff = client_for(nctv_staff)
    body = {"user": "viewer-a", "covenant": str(covenant_red.public_id), "reason": "Benoemd"}
    response = staff.post(f"{detail(red)}share/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()[0]["user"] == "viewer-a"
    assert client_for(viewer_a).get(detail(red)).status_code == 200
    assert client_for(operator_a).get(detail(red)).status_code == 404
    staff = client_for(nctv_staff)  # one client: signing in as another persona signed it out
    response = staff.post(f"{detail(red)}revoke/", {"user": "viewer-a"}, format="json")
    assert response.json() == []
    assert client_for(viewer_a).get(detail(red)).status_code == 404


@pytest.fixture
def covenant_red(pps, org_a, org_b, nctv):
    from partnerships.services.covenants import covenant_create

    return covenant_create(
        partnership=pps,
        title="Convenant rood",
        effective_from=days_ago(5),
        information_clause="red",
        signatories=[(org_a, days_ago(6)), (org_b, days_ago(6)), (nctv, days_ago(6))],
    )


@pytest.mark.parametrize("action", ["share", "revoke"])
def test_only_nctv_staff_share_and_revoke(
    client_for, operator_a, org_a, covenant, assessment, action
):
    from partnerships.sharing import services as sharing

    sharing.share_with_organisation(
        obj=assessment,
        organisation=org_a,
        covenant=covenant,
        by=assessment.created_by,
        reason="Zie",
    )
    body = {"organisation": str(org_a.public_id), "covenant": str(covenant.public_id)}
    response = client_for(operator_a).post(f"{detail(assessment)}{action}/", body, format="json")
    assert response.status_code == 403
    assert ThreatAssessmentGroupGrant.all_grants.count() == 1


def test_an_invisible_assessment_answers_404_for_every_action(
    client_for, operator_b, org_b, covenant, assessment
):
    client = client_for(operator_b)
    for response in (
        client.get(detail(assessment)),
        client.patch(detail(assessment), {"title": "x"}, format="json"),
        share(client, assessment, org_b, covenant),
        client.get(f"{URL}{uuid.uuid4()}/"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


# --- Reading ------------------------------------------------------------------------------------


def test_green_assessments_reach_every_partner(client_for, operator_c, nctv_staff):
    make_assessment(nctv_staff, title="Open", tlp="green")
    assert titles(client_for(operator_c).get(URL)) == ["Open"]


def test_an_assessment_shows_codes_labels_and_safe_html(client_for, nctv_staff, assessment):
    body = client_for(nctv_staff).get(detail(assessment)).json()
    assert body["id"] == str(assessment.public_id)
    assert body["motives"] == [{"code": "jihadism", "label": "Jihadism"}]
    assert body["modus_operandi"] == [{"code": "vehicle_ramming", "label": "Vehicle ramming"}]
    assert body["target_categories"] == [{"code": "football_stadium", "name": "Football stadium"}]
    assert body["recommended_measures"] == [
        {"code": "hostile_vehicle_barriers", "label": "Hostile-vehicle barriers"}
    ]
    assert (body["tlp"], body["tlp_label"]) == ("amber", "TLP:AMBER")
    assert body["regions"] == ["Amsterdam-Amstelland"]
    assert body["owner_organisation"]["name"] == "NCTV"
    assert body["valid_from"] == days_ago(10).isoformat()
    assert body["body"] == "## Beeld\n\n**Oproepen** op Telegram."
    assert body["body_html"] == "<h2>Beeld</h2>\n<p><strong>Oproepen</strong> op Telegram.</p>"


def test_a_hostile_body_is_rendered_harmless(client_for, nctv_staff):
    hostile = make_assessment(
        nctv_staff,
        body='Zie <script>alert("x")</script> <img src=x onerror="alert(1)"> '
        "[link](javascript:alert(1))",
    )
    html = client_for(nctv_staff).get(detail(hostile)).json()["body_html"]
    assert "<script" not in html and "alert(" not in html
    assert "onerror" not in html and "javascript:" not in html


def test_reading_amber_is_audited(client_for, nctv_staff, assessment):
    client = client_for(nctv_staff)
    client.get(detail(assessment))
    client.get(URL)
    purposes = list(
        AuditEvent.objects.filter(action="sensitive.viewed").values_list("purpose", flat=True)
    )
    assert sorted(purposes) == ["api detail", "api list"]


@pytest.fixture
def picture(nctv_staff):
    """Four assessments that differ in category, motive, modus operandi, validity and level."""
    return {
        "stadium": make_assessment(nctv_staff, title="Stadion"),
        "events": make_assessment(
            nctv_staff,
            title="Evenementen",
            target_categories=[sector("public_events")],
            motives=["right_wing_extremism"],
            modi=["firearms", "stabbing"],
            tlp="green",
        ),
        "expired": make_assessment(
            nctv_staff,
            title="Verlopen",
            valid_from=days_ago(100),
            valid_until=days_ago(50),
            modi=["stabbing"],
        ),
        "future": make_assessment(
            nctv_staff, title="Straks", valid_from=days_ahead(5), valid_until=None, tlp="clear"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=football_stadium", {"Stadion", "Verlopen", "Straks"}),
        ("category=public_events", {"Evenementen"}),
        ("motive=right_wing_extremism", {"Evenementen"}),
        ("modus_operandi=stabbing", {"Evenementen", "Verlopen"}),
        ("motive=jihadism&modus_operandi=stabbing", {"Verlopen"}),
        ("valid_now=true", {"Stadion", "Evenementen"}),
        ("valid_now=false", {"Stadion", "Evenementen", "Verlopen", "Straks"}),
        ("tlp=green", {"Evenementen"}),
        ("search=verlopen", {"Verlopen"}),
    ],
)
def test_filters(client_for, nctv_staff, picture, query, expected):
    response = client_for(nctv_staff).get(f"{URL}?{query}")
    assert set(titles(response)) == expected


def test_an_unknown_motive_is_a_400(client_for, nctv_staff):
    response = client_for(nctv_staff).get(f"{URL}?motive=boredom")
    assert response.status_code == 400
    assert "motive" in response.json()


def test_anonymous_callers_get_401(api_client, assessment):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(detail(assessment)).status_code == 401


# --- Writing ------------------------------------------------------------------------------------


def new_assessment(**overrides) -> dict:
    return {
        "title": "Drones boven festivals",
        "summary": "Verkenning met drones gezien.",
        "body": "*Let op*",
        "tlp": "amber",
        "valid_from": days_ago(1).isoformat(),
        "valid_until": days_ahead(60).isoformat(),
        "motives": ["lone_actor_unknown"],
        "modus_operandi": ["drone"],
        "target_categories": ["event_grounds", "public_events"],
        "regions": ["Utrecht"],
        "recommended_measures": ["communication_plan"],
        **overrides,
    }


def test_nctv_staff_write_an_assessment(client_for, nctv_staff, nctv):
    response = client_for(nctv_staff).post(URL, new_assessment(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assessment = ThreatAssessment.objects.get(public_id=body["id"])
    assert assessment.owner_organisation == nctv
    assert body["modus_operandi"] == [{"code": "drone", "label": "Drone"}]
    assert [c["code"] for c in body["target_categories"]] == ["event_grounds", "public_events"]
    assert body["body_html"] == "<p><em>Let op</em></p>"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_until": days_ago(5).isoformat()}, "valid_until"),
        ({"motives": ["boredom"]}, "motives"),
        ({"target_categories": ["volcano"]}, "target_categories"),
        ({"recommended_measures": ["moat"]}, "recommended_measures"),
        ({"tlp": "purple"}, "tlp"),
    ],
)
def test_bad_assessments_are_refused(client_for, nctv_staff, overrides, field):
    response = client_for(nctv_staff).post(URL, new_assessment(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ThreatAssessment.objects.exists()


def test_nctv_staff_change_an_assessment(client_for, nctv_staff, assessment):
    response = client_for(nctv_staff).patch(
        detail(assessment),
        {"title": "Bijgesteld", "modus_operandi": ["arson", "drone"], "tlp": "green"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Bijgesteld"
    assert [m["code"] for m in body["modus_operandi"]] == ["arson", "drone"]
    assert [m["code"] for m in body["motives"]] == ["jihadism"]  # untouched


def test_partners_may_not_write_assessments(
    client_for, operator_a, org_a, covenant, nctv_staff, assessment
):
    from partnerships.sharing import services as sharing

    sharing.share_with_organisation(
        obj=assessment, organisation=org_a, covenant=covenant, by=nctv_staff, reason="Zie"
    )
    client = client_for(operator_a)
    assert client.post(URL, new_assessment(), format="json").status_code == 403
    response = client.patch(detail(assessment), {"title": "Van ons"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only NCTV staff may do this."}
    assessment.refresh_from_db()
    assert assessment.title == "Dreiging tegen stadions"
    assert ThreatAssessment.objects.count() == 1
