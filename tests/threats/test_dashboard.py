"""The partner dashboard for the threat picture: who sees which soft target and how much of it,
the register form and its refusals, the map, the threat assessments, reports and the NCTV pages.

Not visible answers 404, exactly like missing; visible but not allowed answers 403. What peers may
not read is checked in the response body, not only by the status code.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from partnerships.sharing import services as sharing
from ppsportal.models import AuditEvent
from tests import signin
from tests.partnerships.helpers import nctv_signs
from tests.threats.dashboard_world import (
    CONTACT_NAME,
    CONTACT_PHONE,
    PDF,
    SECRET_NOTES,
    build_register,
    venue,
)
from threats import services
from threats.models import (
    AlertLevel,
    Report,
    ReportReply,
    ScaleUpStep,
    Sector,
    SecurityMeasure,
    SoftTarget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(operator_a, org_a, operator_b, org_b, nctv):
    r = build_register(operator_a=operator_a, org_a=org_a, operator_b=operator_b, org_b=org_b)
    nctv_signs(r.partnership)  # the NCTV shares assessments under its covenant
    return r


def sign_in(client, user, language="en"):
    """Sign in; the labels asserted below are English unless a test says otherwise."""
    signin.sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def detail_url(target):
    return reverse("soft-target-detail", args=[target.public_id])


def edit_url(target):
    return reverse("soft-target-edit", args=[target.public_id])


def evidence_url(target, measure="cctv"):
    return reverse("soft-target-evidence", args=[target.public_id, measure])


# --- Who sees which soft target -------------------------------------------------------------------


def test_the_operator_sees_its_own_targets_with_their_gaps(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.get(reverse("soft-target-list"))
    assert response.status_code == 200
    own = [target for target, _gaps in response.context["rows"]]
    assert own == [register.target_a]
    mine = text_of(response).split("Soft targets of my partnerships")[0]
    assert "Stadion Noord" in mine
    assert "Enhanced tier (800 and more)" in mine
    # enhanced tier: training and CCTV in place; 4 procedures, scale-up and security staff missing
    assert "6 gaps" in mine


def test_the_operator_sees_everything_of_its_own_target(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.get(detail_url(register.target_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET_NOTES in html
    assert CONTACT_NAME in html and CONTACT_PHONE in html
    assert evidence_url(register.target_a) in html
    assert 'id="scale-up"' in html
    assert "Evacuation procedure" in text_of(response)  # a gap: the enhanced tier needs it


def test_a_partnership_peer_sees_name_category_and_location_only(client, operator_b, register):
    sign_in(client, operator_b)
    response = client.get(detail_url(register.target_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stadion Noord" in html
    assert "Football stadium" in html
    assert "Amsterdam" in html
    assert "52.314300" in html
    for secret in (SECRET_NOTES, "Noordzijde", CONTACT_NAME, CONTACT_PHONE, "/evidence/"):
        assert secret not in html
    assert 'id="measures"' not in html and 'id="scale-up"' not in html


def test_the_peers_target_is_listed_without_details(client, operator_b, register):
    sign_in(client, operator_b)
    response = client.get(reverse("soft-target-list"))
    html = response.content.decode()
    partners = text_of(response).split("Soft targets of my partnerships")[1]
    assert "Stadion Noord" in partners
    assert SECRET_NOTES not in html and CONTACT_PHONE not in html and "/evidence/" not in html


def test_a_peer_cannot_download_evidence_or_edit(client, operator_b, register):
    sign_in(client, operator_b)
    assert client.get(evidence_url(register.target_a)).status_code == 404
    assert client.get(edit_url(register.target_a)).status_code == 403


@pytest.mark.parametrize(
    "url",
    [detail_url, edit_url, evidence_url],
    ids=["detail", "edit", "evidence"],
)
def test_another_organisation_gets_not_found(client, register, url):
    sign_in(client, register.user_c)
    assert client.get(url(register.target_a)).status_code == 404
    assert client.get(url(register.target_b)).status_code == 404


def test_a_missing_target_is_not_found_like_an_invisible_one(client, operator_a, register):
    sign_in(client, operator_a)
    url = reverse("soft-target-detail", args=["7a1c1b57-3a60-4a53-9e2a-6e0b8f3e7c11"])
    assert client.get(url).status_code == 404


def test_a_viewer_sees_the_target_but_may_not_change_it(client, viewer_a, register):
    sign_in(client, viewer_a)
    assert SECRET_NOTES in client.get(detail_url(register.target_a)).content.decode()
    assert client.get(edit_url(register.target_a)).status_code == 403
    assert client.get(reverse("soft-target-create")).status_code == 403


def test_the_evidence_is_served_to_the_operator_and_the_read_is_audited(
    client, operator_a, register
):
    sign_in(client, operator_a)
    response = client.get(evidence_url(register.target_a))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    reads = AuditEvent.objects.filter(action="sensitive.viewed", object_type="threats.softtarget")
    assert any(str(register.target_a.public_id) in event.object_ids for event in reads)
    assert client.get(evidence_url(register.target_a, "lockdown")).status_code == 404


def test_nctv_staff_see_every_detail(client, nctv_staff, register):
    sign_in(client, nctv_staff)
    html = client.get(detail_url(register.target_b)).content.decode()
    assert "Geheim van B" in html


# --- The map --------------------------------------------------------------------------------------


def map_data(response) -> list[dict]:
    match = re.search(
        r'<script id="soft-target-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the map embeds its targets with json_script"
    return json.loads(match.group(1))


def test_the_map_embeds_the_operators_own_targets_only(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.get(reverse("soft-target-map"))
    assert response.status_code == 200
    data = map_data(response)
    assert [marker["id"] for marker in data] == [str(register.target_a.public_id)]
    assert data[0]["lat"] == pytest.approx(52.3143) and data[0]["lng"] == pytest.approx(4.9419)
    html = response.content.decode()
    assert "Evenemententerrein Zuid" not in html
    assert str(register.target_b.public_id) not in html


def test_the_map_uses_the_portals_own_leaflet_and_the_configured_tiles(
    client, operator_a, register, settings
):
    settings.MAP_TILE_URL = "https://tiles.example.invalid/{z}/{x}/{y}.png"
    sign_in(client, operator_a)
    html = client.get(reverse("soft-target-map")).content.decode()
    assert f'src="{static("leaflet/leaflet.js")}"' in html
    assert f'href="{static("leaflet/leaflet.css")}"' in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert "https://tiles.example.invalid/{z}/{x}/{y}.png" in html


def test_the_peers_map_shows_only_their_own_target(client, operator_b, register):
    sign_in(client, operator_b)
    data = map_data(client.get(reverse("soft-target-map")))
    assert [marker["name"] for marker in data] == ["Evenemententerrein Zuid"]


# --- Registering and editing ----------------------------------------------------------------------


def register_post(**overrides) -> dict:
    data = {
        "name": "Poppodium Oost",
        "category": "nightlife",
        "address": "Oostplein 3",
        "municipality": "Amsterdam",
        "region": "Amsterdam-Amstelland",
        "latitude": "52.3601234",
        "longitude": "4.9300000",
        "capacity": "450",
        "security_contact_name": "Zaalhoofd",
        "security_contact_phone": "+31 20 555 0202",
        "vulnerability_notes": "Nooduitgang achter is vaak open.",
        "vulnerability_tlp": "amber_strict",
        "measure-staff_training-status": "in_place",
        "measure-staff_training-last_reviewed": (
            timezone.localdate() - timedelta(days=30)
        ).isoformat(),
        "measure-evacuation-status": "planned",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_an_operator_registers_a_target_with_its_measures(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.post(reverse("soft-target-create"), register_post())
    target = SoftTarget.objects.get(name="Poppodium Oost")
    assert response.status_code == 302
    assert response["Location"] == detail_url(target)
    assert target.operator == operator_a.membership.organisation
    assert target.latitude == Decimal("52.360123")
    assert {(m.measure, m.status) for m in target.measures.all()} == {
        ("staff_training", "in_place"),
        ("evacuation", "planned"),
    }
    assert ScaleUpStep.objects.filter(soft_target=target).count() == len(AlertLevel.values)


def test_the_partnership_choices_are_the_operators_own(client, operator_a, register):
    sign_in(client, operator_a)
    form = client.get(reverse("soft-target-create")).context["form"]
    assert list(form.fields["partnership"].queryset) == [register.partnership]


BAD_INPUT = {
    "negative capacity": ({"capacity": "-5"}, "capacity"),
    "latitude not on Earth": ({"latitude": "91"}, "latitude"),
    "unknown category": ({"category": "volcano"}, "category"),
}


@pytest.mark.parametrize("overrides,field", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_shown_and_nothing_is_saved(client, operator_a, register, overrides, field):
    before = SoftTarget.objects.count(), SecurityMeasure.objects.count()
    sign_in(client, operator_a)
    response = client.post(reverse("soft-target-create"), register_post(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "Nothing has been saved" in text_of(response)
    assert (SoftTarget.objects.count(), SecurityMeasure.objects.count()) == before


def test_every_range_error_is_shown_at_once(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.post(
        reverse("soft-target-create"),
        register_post(capacity="-5", latitude="91", longitude="181", municipality=""),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"capacity", "latitude", "longitude", "municipality"}
    assert not SoftTarget.objects.filter(name="Poppodium Oost").exists()


def test_an_event_that_ends_before_it_starts_is_refused_and_nothing_saved(
    client, operator_a, register
):
    before = SoftTarget.objects.count(), SecurityMeasure.objects.count()
    start = timezone.localtime() + timedelta(days=30)
    sign_in(client, operator_a)
    response = client.post(
        reverse("soft-target-create"),
        register_post(
            is_event="on",
            event_start=start.strftime("%Y-%m-%dT%H:%M"),
            event_end=(start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["event_end"] == ["An event cannot end before it starts."]
    assert "Nothing has been saved" in text_of(response)
    assert (SoftTarget.objects.count(), SecurityMeasure.objects.count()) == before


def test_a_refused_measure_rolls_back_the_whole_registration(client, operator_a, register):
    before = SoftTarget.objects.count(), SecurityMeasure.objects.count()
    sign_in(client, operator_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("soft-target-create"),
        register_post(
            **{
                "measure-cctv-status": "in_place",
                "measure-cctv-last_reviewed": tomorrow,
                "measure-bag_checks-status": "in_place",
                "measure-bag_checks-evidence": SimpleUploadedFile("x.pdf", b"not a pdf"),
            }
        ),
    )
    assert response.status_code == 200
    rows = {form.code: form for form in response.context["measures"]}
    assert "future" in " ".join(rows["cctv"].errors["last_reviewed"])
    assert "not a PDF" in " ".join(rows["bag_checks"].errors["evidence"])
    assert (SoftTarget.objects.count(), SecurityMeasure.objects.count()) == before


def test_a_measure_needs_a_status_when_it_has_a_date(client, operator_a, register):
    sign_in(client, operator_a)
    response = client.post(
        reverse("soft-target-create"),
        register_post(**{"measure-cctv-last_reviewed": timezone.localdate().isoformat()}),
    )
    rows = {form.code: form for form in response.context["measures"]}
    assert rows["cctv"].errors["status"]
    assert not SoftTarget.objects.filter(name="Poppodium Oost").exists()


def edit_post(target, **overrides) -> dict:
    """The edit form as the page fills it in, with changes."""
    data = register_post(
        name=target.name,
        category=target.category.code,
        latitude=str(target.latitude),
        longitude=str(target.longitude),
        capacity=str(target.capacity),
        partnership=str(target.partnership.public_id) if target.partnership else None,
        **{"measure-evacuation-status": None},
    )
    for measure in target.measures.all():
        data[f"measure-{measure.measure}-status"] = measure.status
    for step in target.scale_up.all():
        data[f"scale_up-{step.level}"] = list(step.measures)
    data.update(overrides)
    return data


def test_the_operator_edits_fields_measures_and_scale_up_together(client, operator_a, register):
    target = register.target_a
    sign_in(client, operator_a)
    assert client.get(edit_url(target)).status_code == 200
    response = client.post(
        edit_url(target),
        edit_post(
            target,
            capacity="900",
            **{
                "measure-lockdown-status": "in_place",
                "scale_up-hoge_dreiging": ["bag_checks", "security_staff"],
                "scale_up-hoge_dreiging_notes": "Extra stewards bij de noordingang.",
            },
        ),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.capacity == 900
    assert target.measures.get(measure="lockdown").status == "in_place"
    step = target.scale_up.get(level="hoge_dreiging")
    assert step.measures == ["bag_checks", "security_staff"]
    assert step.notes == "Extra stewards bij de noordingang."


def test_a_refused_edit_saves_nothing(client, operator_a, register):
    target = register.target_a
    steps_before = {s.level: list(s.measures) for s in target.scale_up.all()}
    sign_in(client, operator_a)
    response = client.post(
        edit_url(target),
        edit_post(
            target,
            name="Nieuwe naam",
            **{
                "measure-lockdown-status": "in_place",
                "measure-cctv-last_reviewed": (
                    timezone.localdate() + timedelta(days=3)
                ).isoformat(),
                "scale_up-hoge_dreiging": ["bag_checks"],
            },
        ),
    )
    assert response.status_code == 200
    assert "Nothing has been saved" in text_of(response)
    target.refresh_from_db()
    assert target.name == "Stadion Noord"
    assert not target.measures.filter(measure="lockdown").exists()
    assert {s.level: list(s.measures) for s in target.scale_up.all()} == steps_before


def test_the_scale_up_form_starts_from_the_stored_scenario(
    client, operator_a, register, nctv_staff
):
    stadium = Sector.objects.get(code="football_stadium")
    services.measure_package_set(
        sector=stadium, level="matige_dreiging", measures=["bag_checks"], by=nctv_staff
    )
    target = venue(operator_a, "Tweede stadion")
    sign_in(client, operator_a)
    scale_up = client.get(edit_url(target)).context["scale_up"]
    assert scale_up["matige_dreiging"].value() == ["bag_checks"]


# --- Threat assessments ---------------------------------------------------------------------------


@pytest.fixture
def amber_assessment(nctv_staff, register, org_a, operator_a):
    assessment = services.assessment_create(
        by=nctv_staff,
        title="Dreiging rond stadions",
        summary="Verhoogde aandacht voor wedstrijden.",
        body="## Beeld\n\nAanslagen met **voertuigen**.<script>alert(1)</script>",
        valid_from=timezone.localdate() - timedelta(days=1),
        tlp="amber",
        motives=["jihadism"],
        modi=["vehicle_ramming"],
    )
    sharing.share_with_organisation(
        obj=assessment,
        organisation=org_a,
        covenant=register.covenant,
        by=nctv_staff,
        reason="Wedstrijden",
    )
    return assessment


def assessment_url(assessment):
    return reverse("assessment-detail", args=[assessment.public_id])


def test_an_amber_assessment_shared_with_a_is_listed_for_a_and_not_found_for_b(
    client, operator_a, operator_b, amber_assessment
):
    sign_in(client, operator_a)
    listed = client.get(reverse("assessment-list"))
    assert "Dreiging rond stadions" in text_of(listed)
    detail = client.get(assessment_url(amber_assessment))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "<h2>Beeld</h2>" in html and "<strong>voertuigen</strong>" in html
    assert "<script>alert(1)" not in html
    assert "Jihadism" in html and "Vehicle ramming" in html
    assert AuditEvent.objects.filter(
        action="sensitive.viewed", object_type="threats.threatassessment"
    ).exists()

    sign_in(client, operator_b)
    assert "Dreiging rond stadions" not in text_of(client.get(reverse("assessment-list")))
    assert client.get(assessment_url(amber_assessment)).status_code == 404


def test_after_revoke_the_assessment_is_not_found_for_both(
    client, operator_a, operator_b, nctv_staff, org_a, amber_assessment
):
    sharing.revoke(obj=amber_assessment, organisation=org_a, by=nctv_staff)
    for user in (operator_a, operator_b):
        sign_in(client, user)
        assert client.get(assessment_url(amber_assessment)).status_code == 404
        assert "Dreiging rond stadions" not in text_of(client.get(reverse("assessment-list")))


def test_green_assessments_reach_every_partner_user(client, nctv_staff, register):
    services.assessment_create(
        by=nctv_staff,
        title="Algemeen dreigingsbeeld",
        summary="Voor iedereen.",
        valid_from=timezone.localdate(),
        tlp="green",
    )
    sign_in(client, register.user_c)
    assert "Algemeen dreigingsbeeld" in text_of(client.get(reverse("assessment-list")))


# --- The banner -----------------------------------------------------------------------------------


@pytest.fixture
def levels(nctv_staff):
    services.threat_level_set(level=4, rationale="Aanhoudende dreiging", by=nctv_staff)
    services.threat_level_set(
        level=3, rationale="Regionaal lager", by=nctv_staff, region="Amsterdam-Amstelland"
    )
    services.sector_level_set(
        sector=Sector.objects.get(code="football_stadium"),
        level="matige_dreiging",
        rationale="Derby",
        by=nctv_staff,
    )


def test_the_banner_is_on_every_dashboard_page(client, operator_a, register, levels):
    sign_in(client, operator_a)
    pages = [
        reverse("home"),
        reverse("partnership-list"),
        reverse("soft-target-list"),
        reverse("soft-target-map"),
        reverse("soft-target-create"),
        detail_url(register.target_a),
        edit_url(register.target_a),
        reverse("assessment-list"),
        reverse("report-list"),
        reverse("report-create"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        banner = re.search(
            r'<div class="banner threat-banner".*?</div>\s*</div>', response.content.decode(), re.S
        )
        assert banner, url
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner.group(0)))
        assert "National threat level: 4 — substantial" in text, url
        assert "Amsterdam-Amstelland: 3 — significant" in text, url
        assert "Alert level for Football stadium: Moderate threat" in text, url
        assert 'class="threat-chip dtn-4"' in banner.group(0)


def test_the_banner_without_a_region_or_sector_shows_the_national_level(client, nctv_staff, levels):
    sign_in(client, nctv_staff)
    html = client.get(reverse("register-overview")).content.decode()
    assert "National threat level" in html and "4 — substantial" in html
    assert "3 — significant" in html  # NCTV's factory organisation sits in Amsterdam-Amstelland
    assert 'id="sector-level"' not in html


def test_the_banner_says_when_no_level_is_set(client, operator_a, register):
    sign_in(client, operator_a)
    html = client.get(reverse("soft-target-list")).content.decode()
    assert "No national threat level has been set." in html
    assert "Alert level for Football stadium" in html  # the migration starts at the basic level


# --- Reports --------------------------------------------------------------------------------------


def report_post(target, **overrides) -> dict:
    data = {
        "soft_target": str(target.public_id),
        "kind": "suspicious_situation",
        "what": "Persoon filmt langdurig de toegangspoorten.",
        "occurred_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Poort Noord",
        "tlp": "amber",
    }
    data.update(overrides)
    return data


def test_the_report_form_offers_only_own_targets(client, operator_a, register):
    sign_in(client, operator_a)
    form = client.get(reverse("report-create")).context["form"]
    assert list(form.fields["soft_target"].queryset) == [register.target_a]
    response = client.post(reverse("report-create"), report_post(register.target_b))
    assert response.status_code == 200
    assert response.context["form"].errors["soft_target"]
    assert not Report.objects.exists()


def test_a_report_in_the_future_is_refused(client, operator_a, register):
    sign_in(client, operator_a)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("report-create"), report_post(register.target_a, occurred_at=future)
    )
    assert response.context["form"].errors["occurred_at"]
    assert not Report.objects.exists()


def test_report_flow_report_triage_reply_and_the_reporter_sees_both(
    client, operator_a, viewer_a, operator_b, nctv_staff, register
):
    sign_in(client, operator_a)
    response = client.post(reverse("report-create"), report_post(register.target_a))
    report = Report.objects.get()
    assert response["Location"] == reverse("report-detail", args=[report.public_id])
    assert report.reporter == operator_a and report.status == "new"

    sign_in(client, nctv_staff)
    queue = client.get(reverse("report-queue"))
    assert "Stadion Noord" in text_of(queue)
    triage_url = reverse("report-triage", args=[report.public_id])
    assert client.post(triage_url, {"status": "in_review", "back": "queue"})["Location"] == reverse(
        "report-queue"
    )
    client.post(
        reverse("report-reply", args=[report.public_id]),
        {"body": "Dank u. De politie rijdt vanavond extra surveillance."},
    )
    report.refresh_from_db()
    assert report.status == "in_review"

    sign_in(client, operator_a)
    listed = text_of(client.get(reverse("report-list")))
    assert "In review" in listed
    page = client.get(reverse("report-detail", args=[report.public_id]))
    assert "Dank u. De politie rijdt vanavond extra surveillance." in text_of(page)
    assert page.context["may_reply"]
    client.post(reverse("report-reply", args=[report.public_id]), {"body": "Beelden volgen."})
    assert ReportReply.objects.filter(report=report).count() == 2

    sign_in(client, viewer_a)
    page = client.get(reverse("report-detail", args=[report.public_id]))
    assert page.status_code == 200 and not page.context["may_reply"]
    assert (
        client.post(reverse("report-reply", args=[report.public_id]), {"body": "x"}).status_code
        == 403
    )

    sign_in(client, operator_b)
    assert client.get(reverse("report-detail", args=[report.public_id])).status_code == 404
    assert client.post(triage_url, {"status": "closed"}).status_code == 404


def test_an_empty_reply_is_shown_as_an_error(client, operator_a, register):
    report = services.report_create(
        by=operator_a,
        soft_target=register.target_a,
        kind="incident",
        what="Brandje",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    sign_in(client, operator_a)
    response = client.post(reverse("report-reply", args=[report.public_id]), {"body": "  "})
    assert response.status_code == 200
    assert response.context["reply_form"].errors
    assert not ReportReply.objects.exists()


def test_closed_reports_leave_the_queue(client, operator_a, nctv_staff, register):
    report = services.report_create(
        by=operator_a,
        soft_target=register.target_a,
        kind="incident",
        what="Brandje",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    services.report_triage(report=report, status="closed", by=nctv_staff)
    sign_in(client, nctv_staff)
    assert "Brandje" not in text_of(client.get(reverse("report-queue")))


# --- NCTV pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["register-overview", "report-queue"])
def test_nctv_pages_are_not_found_for_partners(client, operator_a, register, name):
    sign_in(client, operator_a)
    assert client.get(reverse(name)).status_code == 404


def test_the_register_overview_counts_targets_and_gaps(client, nctv_staff, register):
    sign_in(client, nctv_staff)
    response = client.get(reverse("register-overview"))
    assert response.status_code == 200
    by_category = {row["name"]: row for row in response.context["by_category"]}
    assert by_category["Football stadium"]["count"] == 1
    assert by_category["Football stadium"]["gaps"] == 6
    # event grounds, 600 persons: standard tier, nothing in place: five gaps
    assert by_category["Event grounds"]["gaps"] == 5
    assert response.context["total"] == {"count": 2, "gaps": 11}
    tiers = {row["name"] for row in response.context["by_tier"]}
    assert tiers == {"Enhanced tier (800 and more)", "Standard tier (200 to 799)"}


def test_the_gaps_per_operator_go_most_first_a_page_at_a_time(
    client, nctv_staff, register, monkeypatch
):
    from ppsportal import pagination

    monkeypatch.setattr(pagination, "PAGE_SIZE", 1)
    sign_in(client, nctv_staff)
    first = client.get(reverse("register-overview"))
    second = client.get(reverse("register-overview") + "?page=2")
    rows = [(o.name, o.gaps) for o in first.context["per_operator"]] + [
        (o.name, o.gaps) for o in second.context["per_operator"]
    ]
    # the stadium's operator has six gaps, the event grounds' five (the counts above)
    assert [gaps for _name, gaps in rows] == [6, 5]
    assert "Page 1 of 2" in first.content.decode()


# --- Query counts ---------------------------------------------------------------------------------


def more_targets(operator, count):
    for i in range(count):
        venue(
            operator,
            f"Locatie {i:02d}",
            capacity=150 + i * 100,
            measures=[{"measure": "staff_training", "status": "in_place"}],
        )


def more_reports(operator, target, count):
    for i in range(count):
        services.report_create(
            by=operator,
            soft_target=target,
            kind="incident",
            what=f"Melding {i}",
            occurred_at=timezone.now() - timedelta(hours=i + 1),
        )


# session, user, membership (the actor); the banner (one query)
BASE_QUERIES = 4
# Each page shows AMBER+ records (vulnerability details, reports): + the one audit insert.
AUDIT = 1
# A paginated list is counted and listed in one query where a read door built its set (reports),
# by two elsewhere (ppsportal.pagination).
PAGE_QUERIES = {
    # own targets, their measures and scale-up; peers' targets counted, then listed
    "soft-target-list": BASE_QUERIES + 5 + AUDIT,
    # own targets, their measures and scale-up
    "soft-target-map": BASE_QUERIES + 3 + AUDIT,
    # reports counted and listed, their replies
    "report-list": BASE_QUERIES + 2 + AUDIT,
}
STAFF_QUERIES = {
    # counted by the database: the overview's groups and their sectors, the gaps per operator
    # (counted, then listed) and the operators
    "register-overview": BASE_QUERIES + 4,
    # open reports counted, then listed (nothing narrows the queue), their replies
    "report-queue": BASE_QUERIES + 3 + AUDIT,
}


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize("name", PAGE_QUERIES)
def test_partner_list_pages_run_a_fixed_number_of_queries(
    client, operator_a, register, count, name, django_assert_num_queries
):
    more_targets(operator_a, count)
    more_reports(operator_a, register.target_a, count)
    sign_in(client, operator_a)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.parametrize("name", STAFF_QUERIES)
def test_nctv_pages_run_a_fixed_number_of_queries(
    client, operator_a, nctv_staff, register, count, name, django_assert_num_queries
):
    more_targets(operator_a, count)
    more_reports(operator_a, register.target_a, count)
    sign_in(client, nctv_staff)
    with django_assert_num_queries(STAFF_QUERIES[name] + 1):  # + the staff's second factor
        response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 12])
def test_the_assessment_list_runs_a_fixed_number_of_queries(
    client, operator_a, nctv_staff, org_a, register, count, django_assert_num_queries
):
    for i in range(count):
        assessment = services.assessment_create(
            by=nctv_staff,
            title=f"Beeld {i}",
            summary="Samenvatting",
            valid_from=timezone.localdate(),
            tlp="amber",
            motives=["jihadism"],
        )
        sharing.share_with_organisation(
            obj=assessment,
            organisation=org_a,
            covenant=register.covenant,
            by=nctv_staff,
            reason="Test",
        )
    sign_in(client, operator_a)
    # the actor and banner; assessments counted and listed (one query) with facets and
    # categories; the covenants they were shared under (one query for the page:
    # ``shared_under``); the audit
    with django_assert_num_queries(BASE_QUERIES + 5):
        response = client.get(reverse("assessment-list"))
    assert len(response.context["rows"]) == count


# --- The scale-up scenario climbs ---------------------------------------------------------------


def test_the_dashboard_refuses_a_scale_up_that_drops_a_measure_and_takes_a_reason(
    client, operator_a, register
):
    target = register.target_a
    sign_in(client, operator_a)
    climbing = {
        "scale_up-matige_dreiging": ["bag_checks", "security_staff"],
        "scale_up-hoge_dreiging": ["security_staff", "lockdown"],
    }
    response = client.post(edit_url(target), edit_post(target, **climbing))
    assert response.status_code == 200
    errors = response.context["scale_up"].errors["hoge_dreiging"]
    assert errors == [
        "At “High threat”, “Bag checks” is missing although “Moderate threat” asks for it: "
        "add it, or explain why it is not needed at the higher level."
    ]
    assert target.scale_up.get(level="matige_dreiging").measures == []  # nothing saved

    explained = {**climbing, "scale_up-hoge_dreiging_omissions": "Bag checks: lockdown instead"}
    response = client.post(edit_url(target), edit_post(target, **explained))
    assert response.status_code == 302
    step = target.scale_up.get(level="hoge_dreiging")
    assert (step.measures, step.omissions) == (
        ["security_staff", "lockdown"],
        {"bag_checks": "lockdown instead"},
    )
    form = client.get(edit_url(target)).context["scale_up"]
    assert form["hoge_dreiging_omissions"].value() == "Bag checks: lockdown instead"


def test_an_explanation_names_a_known_measure(client, operator_a, register):
    target = register.target_a
    sign_in(client, operator_a)
    response = client.post(
        edit_url(target),
        edit_post(target, **{"scale_up-hoge_dreiging_omissions": "drones: not allowed"}),
    )
    assert response.status_code == 200
    assert response.context["scale_up"].errors["hoge_dreiging_omissions"]
