"""The threat admin for NCTV staff: every page opens for staff and no partner; saving goes through
the services, so the admin refuses what they refuse and nothing is half-saved; the register list
runs a fixed number of queries; reading sensitive rows is audited."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnerships.selectors import actor_for
from ppsportal.models import AuditEvent
from tests import signin
from tests.factories import UserFactory
from tests.threats.targets_world import build_world, make_target, sector
from threats import services
from threats.admin.targets import TIER_RANGES
from threats.models import (
    CapacityTier,
    MeasurePackage,
    NationalThreatLevel,
    Report,
    SectorAlertLevel,
    SoftTarget,
    ThreatAssessment,
)
from threats.selectors import assessments_visible_to, sector_level_of

pytestmark = pytest.mark.django_db

MODELS = [
    "nationalthreatlevel",
    "sector",
    "sectoralertlevel",
    "measurepackage",
    "threatassessment",
    "softtarget",
    "report",
]


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def staff_client(client, w):
    signin.sign_in(client, w.staff)
    return client


@pytest.fixture
def filled(w):
    """One of everything, through the services."""
    today = timezone.localdate()
    services.threat_level_set(level=4, rationale="Substantieel", by=w.staff)
    services.measure_package_set(
        sector=sector(), level="basisniveau", measures=["cctv"], by=w.staff
    )
    assessment = services.assessment_create(
        by=w.staff,
        title="Stadions",
        summary="Samenvatting",
        body="**Let op** <script>alert(1)</script>",
        valid_from=today,
        motives=["jihadism"],
        modi=["stabbing"],
        target_categories=[sector()],
    )
    target = make_target(
        w.users["a"],
        partnership=w.partnership,
        measures=[{"measure": "cctv", "status": "in_place"}],
    )
    report = services.report_create(
        by=w.users["a"],
        soft_target=target,
        kind="incident",
        what="Drone boven het stadion",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    return {
        "nationalthreatlevel": NationalThreatLevel.objects.get(),
        "sector": sector(),
        "sectoralertlevel": SectorAlertLevel.objects.filter(sector=sector()).first(),
        "measurepackage": MeasurePackage.objects.get(),
        "threatassessment": assessment,
        "softtarget": target,
        "report": report,
    }


def url(model, obj=None, action="change"):
    if obj is None:
        return f"/admin/threats/{model}/"
    return f"/admin/threats/{model}/{obj.pk}/{action}/"


def form_data(response) -> dict:
    """The POST data the page would send back unchanged: main form and every inline."""
    data = {}

    def add(form):
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            data[bound.html_name] = bound.value()
        for form in inline.formset.forms:
            add(form)
    return data


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    errors = dict(response.context["adminform"].form.errors)
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            errors.update({f"inline.{k}": v for k, v in form.errors.items()})
        if inline.formset.non_form_errors():
            errors["inline"] = inline.formset.non_form_errors()
    return errors


# --- who may open the admin -----------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_staff_open_every_list_and_change_page(staff_client, filled, model):
    assert staff_client.get(url(model)).status_code == 200
    assert staff_client.get(url(model, filled[model])).status_code == 200
    add = staff_client.get(f"/admin/threats/{model}/add/").status_code
    assert add == (403 if model == "report" else 200)


@pytest.mark.parametrize("model", MODELS)
def test_partner_users_are_sent_to_the_admin_login(client, w, filled, model):
    signin.sign_in(client, w.users["a"])
    for address in (url(model), url(model, filled[model])):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- threat level and sectors ---------------------------------------------------------------------


def test_setting_the_threat_level_adds_to_the_history(staff_client, w):
    add = "/admin/threats/nationalthreatlevel/add/"
    nl = {"jurisdiction": "nl", "region": ""}
    response = staff_client.post(add, {**nl, "level": "5", "rationale": ""})
    assert "rationale" in form_errors(response)
    assert not NationalThreatLevel.objects.exists()
    response = staff_client.post(add, {**nl, "level": "5", "rationale": "Aanslag"})
    assert response.status_code == 302
    response = staff_client.post(add, {**nl, "level": "4", "rationale": "Afgeschaald"})
    assert [(r.level, r.set_by) for r in NationalThreatLevel.objects.all()] == [
        (4, w.staff),
        (5, w.staff),
    ]
    page = staff_client.get(url("nationalthreatlevel")).content.decode()
    assert page.count('class="field-is_current"') == 2


def test_a_level_on_record_is_not_rewritten(staff_client, filled):
    row = filled["nationalthreatlevel"]
    response = staff_client.post(url("nationalthreatlevel", row), {"level": "1", "rationale": "x"})
    assert response.status_code == 403
    assert NationalThreatLevel.objects.get().level == 4
    assert (
        staff_client.post(url("nationalthreatlevel", row, "delete"), {"post": "yes"}).status_code
        == 403
    )


def test_a_sector_is_added_and_its_level_set_on_its_page(staff_client, w):
    response = staff_client.post(
        "/admin/threats/sector/add/",
        {"code": "Dierentuin!", "name": "Dierentuin", "name_en": "Zoo", "new_level": ""},
    )
    assert "code" in form_errors(response)
    response = staff_client.post(
        "/admin/threats/sector/add/",
        {
            "code": "zoo",
            "name": "Dierentuin",
            "name_en": "Zoo",
            "new_level": "lichte_dreiging",
            "level_rationale": "Dreiging tegen dierentuinen",
        },
    )
    assert response.status_code == 302
    assert list(
        SectorAlertLevel.objects.filter(sector__code="zoo").values_list("level", "set_by")
    ) == [("lichte_dreiging", w.staff.pk), ("basisniveau", w.staff.pk)]

    zoo = sector("zoo")
    data = form_data(staff_client.get(url("sector", zoo)))
    data.update({"new_level": "hoge_dreiging", "level_rationale": "Concreet"})
    assert staff_client.post(url("sector", zoo), data).status_code == 302
    assert sector_level_of("zoo") == "hoge_dreiging"
    page = staff_client.get(url("sector", zoo)).content.decode()
    assert "Concreet" in page and "Dreiging tegen dierentuinen" in page


def test_the_sector_list_sets_levels_with_an_action(staff_client, w):
    stadium, museum = sector(), sector("museum")
    response = staff_client.post(
        url("sector"),
        {"action": "set_level_matige_dreiging", "_selected_action": [stadium.pk, museum.pk]},
    )
    assert response.status_code == 302
    assert sector_level_of("football_stadium") == sector_level_of("museum") == "matige_dreiging"
    staff_client.post(
        url("sector"), {"action": "set_level_matige_dreiging", "_selected_action": [stadium.pk]}
    )
    assert SectorAlertLevel.objects.filter(sector=stadium).count() == 2  # unchanged: no new row
    page = staff_client.get(url("sector") + "?current_level=matige_dreiging").content.decode()
    assert page.count('class="field-current_level_display"') == 2


def test_a_measure_package_is_ticked_from_the_catalogue(staff_client, w):
    add = "/admin/threats/measurepackage/add/"
    data = {"sector": sector().pk, "level": "hoge_dreiging", "measures": ["cctv", "lockdown"]}
    assert staff_client.post(add, data).status_code == 302
    package = MeasurePackage.objects.get()
    assert package.measures == ["cctv", "lockdown"]
    response = staff_client.post(
        url("measurepackage", package), {"measures": ["cctv", "drones"], "notes": ""}
    )
    assert "measures" in form_errors(response)
    response = staff_client.post(url("measurepackage", package), {"measures": ["bag_checks"]})
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.sector, package.level, package.measures) == (
        sector(),
        "hoge_dreiging",
        ["bag_checks"],
    )


# --- threat assessments ---------------------------------------------------------------------------


def _assessment_data(**overrides):
    today = timezone.localdate()
    data = {
        "title": "Voertuigaanslagen",
        "summary": "Oproepen tot voertuigaanslagen op evenementen.",
        "body": "",
        "tlp": "amber",
        "valid_from": str(today),
        "valid_until": str(today + timedelta(days=30)),
        "motives": ["jihadism", "lone_actor_unknown"],
        "modi": ["vehicle_ramming"],
        "target_categories": [str(sector("event_grounds").pk), str(sector("public_events").pk)],
        "regions": "Gelderland-Zuid, Amsterdam-Amstelland",
        "recommended_measures": ["hostile_vehicle_barriers"],
    }
    data.update(overrides)
    return data


def test_an_assessment_is_written_through_the_service(staff_client, w):
    add = "/admin/threats/threatassessment/add/"
    today = timezone.localdate()
    response = staff_client.post(add, _assessment_data(valid_until=str(today - timedelta(days=1))))
    assert "valid_until" in form_errors(response)
    response = staff_client.post(add, _assessment_data(motives=["boredom"]))
    assert "motives" in form_errors(response)
    assert not ThreatAssessment.objects.exists()

    assert staff_client.post(add, _assessment_data()).status_code == 302
    assessment = ThreatAssessment.objects.get()
    assert assessment.owner_organisation.is_nctv and assessment.created_by == w.staff
    assert sorted(assessment.facets.values_list("code", flat=True)) == [
        "jihadism",
        "lone_actor_unknown",
        "vehicle_ramming",
    ]
    assert set(assessment.target_categories.values_list("code", flat=True)) == {
        "event_grounds",
        "public_events",
    }
    assert assessment.regions == ["Gelderland-Zuid", "Amsterdam-Amstelland"]

    data = form_data(staff_client.get(url("threatassessment", assessment)))
    assert sorted(data["motives"]) == ["jihadism", "lone_actor_unknown"]
    data.update({"motives": ["right_wing_extremism"], "title": "Voertuigaanslagen (herzien)"})
    assert staff_client.post(url("threatassessment", assessment), data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.title == "Voertuigaanslagen (herzien)"
    assert sorted(assessment.facets.values_list("code", flat=True)) == [
        "right_wing_extremism",
        "vehicle_ramming",
    ]


def test_the_body_preview_is_sanitised(staff_client, filled):
    page = staff_client.get(url("threatassessment", filled["threatassessment"])).content.decode()
    assert "<strong>Let op</strong>" in page
    assert "<script>alert(1)</script>" not in page


def test_an_assessment_is_shared_from_its_shares_page(staff_client, w, filled):
    assessment = filled["threatassessment"]
    shares = f"/admin/threats/threatassessment/{assessment.pk}/shares/"
    assert staff_client.get(shares).status_code == 200
    response = staff_client.post(
        shares,
        {"organisation": w.orgs["C"].pk, "covenant": w.covenant.pk, "reason": "Wedstrijd"},
    )
    assert response.status_code == 200  # C has not signed the covenant: refused
    response = staff_client.post(
        shares,
        {"organisation": w.orgs["A"].pk, "covenant": w.covenant.pk, "reason": "Wedstrijd"},
    )
    assert response.status_code == 302
    a = actor_for(type(w.users["a"]).objects.get(pk=w.users["a"].pk))
    assert list(assessments_visible_to(a)) == [assessment]


def test_reading_assessments_in_the_admin_is_audited(staff_client, filled):
    staff_client.get(url("threatassessment"))
    staff_client.get(url("threatassessment", filled["threatassessment"]))
    events = AuditEvent.objects.filter(
        action="sensitive.viewed", object_type="threats.threatassessment"
    )
    assert events.count() == 2
    assert all(e.object_ids == [str(filled["threatassessment"].public_id)] for e in events)


# --- soft targets ---------------------------------------------------------------------------------


def _target_data(w, **overrides):
    data = {
        "operator": w.orgs["C"].pk,
        "name": "Festivalterrein Zuid",
        "category": sector("event_grounds").pk,
        "capacity": "12000",
        "address": "",
        "municipality": "Nijmegen",
        "region": "Gelderland-Zuid",
        "latitude": "51.842600",
        "longitude": "5.854600",
        "security_contact_name": "Meldkamer",
        "security_contact_phone": "+31 24 000 0000",
        "vulnerability_notes": "",
        "vulnerability_tlp": "amber_strict",
    }
    data.update(overrides)
    return data


def test_staff_register_a_soft_target_for_an_operator(staff_client, w):
    add = "/admin/threats/softtarget/add/"
    now = timezone.localtime()
    cases = [
        ({"capacity": "-3"}, "capacity"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "181"}, "longitude"),
        ({"partnership": w.partnership.pk}, "partnership"),  # C is not a member
        (
            {
                "is_event": "on",
                "event_start_0": now.date().isoformat(),
                "event_start_1": "10:00",
                "event_end_0": (now.date() - timedelta(days=1)).isoformat(),
                "event_end_1": "10:00",
            },
            "event_end",
        ),
        ({"is_event": "on"}, "event_start"),
    ]
    for overrides, field in cases:
        errors = form_errors(staff_client.post(add, _target_data(w, **overrides)))
        assert field in errors, (overrides, errors)
        assert not any("Constraint" in str(message) for message in errors.values()), errors
    assert not SoftTarget.objects.exists()

    response = staff_client.post(add, _target_data(w))
    assert response.status_code == 302
    target = SoftTarget.objects.get()
    assert target.operator == w.orgs["C"] and target.created_by == w.staff
    assert target.scale_up.count() == 4


def test_measures_and_scale_up_are_changed_through_the_services(staff_client, w, filled):
    target = filled["softtarget"]
    page = staff_client.get(url("softtarget", target))
    data = form_data(page)
    prefixes = [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]
    measures, scale_up = prefixes
    index = int(data[f"{measures}-TOTAL_FORMS"])
    data[f"{measures}-TOTAL_FORMS"] = str(index + 1)
    data[f"{measures}-{index}-measure"] = "staff_training"
    data[f"{measures}-{index}-status"] = "in_place"
    data[f"{measures}-{index}-last_reviewed"] = str(timezone.localdate() + timedelta(days=3))
    errors = form_errors(staff_client.post(url("softtarget", target), data))
    assert "inline.last_reviewed" in errors
    assert not target.measures.filter(measure="staff_training").exists()

    data[f"{measures}-{index}-last_reviewed"] = str(timezone.localdate())
    levels = {data[f"{scale_up}-{i}-id"]: i for i in range(4)}
    high = target.scale_up.get(level="hoge_dreiging")
    data[f"{scale_up}-{levels[str(high.pk)]}-measures"] = ["cctv", "lockdown", "bag_checks"]
    response = staff_client.post(url("softtarget", target), data)
    assert response.status_code == 302, form_errors(response)
    assert target.measures.get(measure="staff_training").status == "in_place"
    high.refresh_from_db()
    assert high.measures == ["cctv", "lockdown", "bag_checks"]


def test_the_admin_refuses_a_scale_up_that_drops_a_measure_unexplained(staff_client, w, filled):
    """The basic level takes CCTV (the sector's package); the high level may leave it out only
    with a reason, and the refusal names the measure and both levels."""
    target = filled["softtarget"]
    page = staff_client.get(url("softtarget", target))
    data = form_data(page)
    scale_up = page.context["inline_admin_formsets"][1].formset.prefix
    row = {data[f"{scale_up}-{i}-id"]: i for i in range(4)}[
        str(target.scale_up.get(level="hoge_dreiging").pk)
    ]
    data[f"{scale_up}-{row}-measures"] = ["lockdown"]
    response = staff_client.post(url("softtarget", target), data)
    assert response.status_code == 200
    text = " ".join(str(m) for m in form_errors(response).values())
    assert "Hoge dreiging" in text and "Cameratoezicht" in text and "Basisniveau" in text
    assert target.scale_up.get(level="hoge_dreiging").measures == []

    data[f"{scale_up}-{row}-omissions"] = "cctv: de beelden kijkt de politie mee"
    response = staff_client.post(url("softtarget", target), data)
    assert response.status_code == 302, form_errors(response)
    high = target.scale_up.get(level="hoge_dreiging")
    assert high.measures == ["lockdown"]
    assert high.omissions == {"cctv": "de beelden kijkt de politie mee"}


def test_the_operator_of_a_saved_soft_target_is_fixed(staff_client, w, filled):
    target = filled["softtarget"]
    data = form_data(staff_client.get(url("softtarget", target)))
    assert "operator" not in data
    data.update({"operator": w.orgs["C"].pk, "capacity": "700"})
    assert staff_client.post(url("softtarget", target), data).status_code == 302
    target.refresh_from_db()
    assert (target.operator, target.capacity) == (w.orgs["A"], 700)


@pytest.mark.parametrize(
    "capacity", [1, 199, 200, 799, 800, 2_000_000], ids=lambda c: f"capacity {c}"
)
def test_the_tier_filter_draws_the_tiers_as_the_model_does(w, capacity):
    target = make_target(w.users["a"], capacity=capacity)
    tier = CapacityTier.for_capacity(capacity)
    matching = [t for t, q in TIER_RANGES.items() if SoftTarget.objects.filter(q, pk=target.pk)]
    assert matching == [tier]


def test_the_register_list_filters_and_runs_a_fixed_number_of_queries(staff_client, w):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url("softtarget"))
        assert response.status_code == 200
        return len(captured), response

    make_target(w.users["a"], name="Klein", capacity=150)
    few, _response = queries()
    for i in range(6):
        make_target(
            w.users["c"],
            name=f"Zaal {i}",
            capacity=500 + i,
            category=sector("nightlife"),
            region="Haaglanden",
            measures=[{"measure": "cctv", "status": "in_place"}],
        )
    many, response = queries()
    assert many == few
    assert response.content.decode().count('class="field-gap_count"') == 7
    filtered = staff_client.get(url("softtarget") + "?tier=standard&region=Haaglanden")
    assert filtered.context["cl"].result_count == 6
    by_operator = staff_client.get(url("softtarget") + f"?operator__id__exact={w.orgs['A'].pk}")
    assert by_operator.context["cl"].result_count == 1


def test_reading_soft_targets_in_the_admin_is_audited(staff_client, filled):
    staff_client.get(url("softtarget"))
    event = AuditEvent.objects.get(action="sensitive.viewed", object_type="threats.softtarget")
    assert event.object_ids == [str(filled["softtarget"].public_id)]


# --- reports ------------------------------------------------------------------------------------


def test_staff_triage_and_reply_to_a_report(staff_client, w, filled):
    report = filled["report"]
    data = form_data(staff_client.get(url("report", report)))
    data.update({"status": "in_review", "reply": "Dank, de politie kijkt mee."})
    assert staff_client.post(url("report", report), data).status_code == 302
    report.refresh_from_db()
    assert report.status == "in_review"
    assert list(report.replies.values_list("author", "body")) == [
        (w.staff.pk, "Dank, de politie kijkt mee.")
    ]
    event = AuditEvent.objects.filter(action="sensitive.viewed", object_type="threats.report")
    assert event.exists()


def test_staff_link_a_report_to_a_threat_assessment_in_the_admin(staff_client, filled):
    report, assessment = filled["report"], filled["threatassessment"]
    data = form_data(staff_client.get(url("report", report)))
    data["assessment"] = str(assessment.pk)
    assert staff_client.post(url("report", report), data).status_code == 302
    report.refresh_from_db()
    assert report.assessment == assessment


def test_the_report_queue_filters_open_reports_and_closes_with_an_action(staff_client, w, filled):
    report = filled["report"]
    queue = staff_client.get(url("report") + "?status=open")
    assert list(queue.context["cl"].result_list) == [report]
    response = staff_client.post(
        url("report"), {"action": "mark_closed", "_selected_action": [report.pk]}
    )
    assert response.status_code == 302
    assert Report.objects.get().status == "closed"
    assert staff_client.get(url("report") + "?status=open").context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["sector", "measurepackage", "threatassessment", "softtarget"])
def test_an_unchanged_change_page_saves_without_changing_anything(staff_client, filled, model):
    obj = filled[model]
    snapshot = (
        SectorAlertLevel.objects.count(),
        list(MeasurePackage.objects.values_list("measures", flat=True)),
        sorted(ThreatAssessment.objects.values_list("facets__code", "target_categories__code")),
        list(SoftTarget.objects.values_list("capacity", "event_start", "partnership")),
    )
    response = staff_client.post(url(model, obj), form_data(staff_client.get(url(model, obj))))
    assert response.status_code == 302, form_errors(response)
    assert snapshot == (
        SectorAlertLevel.objects.count(),
        list(MeasurePackage.objects.values_list("measures", flat=True)),
        sorted(ThreatAssessment.objects.values_list("facets__code", "target_categories__code")),
        list(SoftTarget.objects.values_list("capacity", "event_start", "partnership")),
    )


# --- what the admin refuses: decided once (``ppsportal.admin.base``), the same for every staff ---

HISTORY_UNCHANGEABLE = ["nationalthreatlevel", "sectoralertlevel"]  # their level is set anew
HISTORY = [*HISTORY_UNCHANGEABLE, "sector", "measurepackage"]


@pytest.fixture(params=["staff", "superuser"])
def nctv_client(request, client, w):
    """NCTV staff as the admin sees them: verified staff, and a superuser."""
    user = w.staff
    if request.param == "superuser":
        nctv = actor_for(w.staff).organisation
        user = UserFactory(username="root", organisation=nctv, is_staff=True, is_superuser=True)
    signin.sign_in(client, user)
    return client


@pytest.mark.parametrize("model", HISTORY_UNCHANGEABLE)
def test_a_decision_on_record_is_read_not_changed(nctv_client, filled, model):
    page = nctv_client.get(url(model, filled[model]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="_save"' not in page.content
    assert nctv_client.post(url(model, filled[model]), {}).status_code == 403


@pytest.mark.parametrize("model", [*HISTORY, "report"])
def test_no_decision_on_record_and_no_report_is_deleted(nctv_client, filled, model):
    obj = filled[model]
    page = nctv_client.get(url(model, obj))
    assert page.status_code == 200 and page.context["has_delete_permission"] is False
    assert url(model, obj, "delete").encode() not in page.content
    assert nctv_client.get(url(model, filled[model], "delete")).status_code == 403
    assert nctv_client.post(url(model, filled[model], "delete"), {"post": "yes"}).status_code == 403
    assert type(filled[model]).objects.filter(pk=filled[model].pk).exists()


def test_reports_are_triaged_but_never_added_here(nctv_client, filled):
    page = nctv_client.get(url("report", filled["report"]))
    assert page.context["has_change_permission"] is True and b'name="_save"' in page.content
    assert nctv_client.get("/admin/threats/report/add/").status_code == 403
    assert nctv_client.post("/admin/threats/report/add/", {}).status_code == 403
