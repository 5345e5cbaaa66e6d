"""Who sees what: soft targets (in full or name and place only), assessments through the sharing
engine, reports; and the counts of the NCTV overview, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partnerships.selectors import actor_for
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as org_services
from partnerships.services import partnerships as partnership_services
from partnerships.sharing import services as sharing
from tests.partnerships.helpers import make_partnership, nctv_signs
from tests.threats.targets_world import build_world, make_target, sector
from threats import services
from threats.models import CapacityTier, Report, ThreatAssessment
from threats.selectors import (
    assessments_visible_to,
    details_visible_ids,
    gaps_per_operator,
    register_overview,
    report_queue,
    reports_visible_to,
    scale_up_checklist,
    sector_for_organisation,
    sees_details,
    soft_targets_own,
    soft_targets_visible_to,
    threat_level_history,
    with_register_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def actor(user):
    """A fresh request's actor: nothing cached from an earlier call."""
    return actor_for(type(user).objects.get(pk=user.pk))


def names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def targets(w):
    """A's target in the partnership, A's private one, and C's own."""
    return {
        "shared": make_target(w.users["a"], name="Stadion", partnership=w.partnership),
        "private": make_target(w.users["a"], name="Opslag", capacity=150),
        "outsider": make_target(
            w.users["c"], name="Festivalterrein", category=sector("event_grounds")
        ),
    }


# --- Soft targets -------------------------------------------------------------------------------


def test_an_operator_sees_its_own_soft_targets(w, targets):
    assert names(soft_targets_visible_to(actor(w.users["a"]))) == {"Stadion", "Opslag"}
    assert names(soft_targets_visible_to(actor(w.users["a_viewer"]))) == {"Stadion", "Opslag"}
    assert names(soft_targets_own(actor(w.users["a"]))) == {"Stadion", "Opslag"}


def test_partnership_peers_see_the_targets_in_their_partnership_only(w, targets):
    assert names(soft_targets_visible_to(actor(w.users["b"]))) == {"Stadion"}
    assert names(soft_targets_own(actor(w.users["b"]))) == set()


def test_outsiders_see_none_of_them_and_staff_see_all(w, targets):
    assert names(soft_targets_visible_to(actor(w.users["c"]))) == {"Festivalterrein"}
    assert names(soft_targets_visible_to(actor(w.staff))) == {
        "Stadion",
        "Opslag",
        "Festivalterrein",
    }


def test_a_peer_that_leaves_the_partnership_no_longer_sees_its_targets(w, targets):
    member = w.partnership.members.get(organisation=w.orgs["B"])
    partnership_services.partnership_member_leave(member=member)
    assert names(soft_targets_visible_to(actor(w.users["b"]))) == set()


def test_a_deactivated_user_sees_nothing(w, targets):
    org_services.user_deactivate(user=w.users["a"])
    assert names(soft_targets_visible_to(actor(w.users["a"]))) == set()


def test_the_visible_list_is_one_query(w, targets, django_assert_num_queries):
    a = actor(w.users["b"])
    with django_assert_num_queries(1):
        list(soft_targets_visible_to(a))


# --- Details: vulnerability notes and evidence ----------------------------------------------------


def _details(w, user, target):
    return sees_details(actor(w.users[user] if user != "staff" else w.staff), target)


def test_details_are_for_the_operator_and_staff_not_for_peers(w, targets):
    target = targets["shared"]
    assert _details(w, "a", target) and _details(w, "a_viewer", target)
    assert _details(w, "staff", target)
    assert not _details(w, "b", target)
    assert not _details(w, "c", target)


def test_details_shared_under_an_amber_strict_covenant_reach_that_organisation(w, targets):
    target = targets["shared"]
    sharing.share_with_organisation(
        obj=target,
        organisation=w.orgs["B"],
        covenant=w.covenant,
        by=w.users["a"],
        reason="Gezamenlijke schouw",
    )
    assert _details(w, "b", target)
    assert not _details(w, "c", target)
    ids = details_visible_ids(actor(w.users["b"]), [targets["shared"], targets["private"]])
    assert ids == {target.pk}
    sharing.revoke(obj=target, organisation=w.orgs["B"], by=w.users["a"])
    assert not _details(w, "b", target)


def test_details_cannot_be_shared_under_a_covenant_that_only_allows_amber(w, targets):
    partnership = make_partnership(
        name="PPS Amber", operator_org=w.orgs["A"], municipality=w.orgs["C"], clause="amber"
    )
    with pytest.raises(ValidationError):
        sharing.share_with_organisation(
            obj=targets["shared"],
            organisation=w.orgs["C"],
            covenant=partnership.covenants.get(),
            by=w.users["a"],
            reason="Schouw",
        )
    assert not _details(w, "c", targets["shared"])


def test_details_visible_ids_for_a_page_in_one_query(w, targets, django_assert_max_num_queries):
    rows = list(soft_targets_visible_to(actor(w.staff)))
    assert details_visible_ids(actor(w.staff), rows) == {t.pk for t in rows}
    a = actor(w.users["a"])
    with django_assert_max_num_queries(1):
        assert details_visible_ids(a, rows) == {targets["shared"].pk, targets["private"].pk}


# --- Threat assessments ---------------------------------------------------------------------------


def _assessment(w, tlp, title=None, valid_from=None, valid_until=None):
    today = timezone.localdate()
    return services.assessment_create(
        by=w.staff,
        title=title or f"Dreigingsbeeld {tlp}",
        summary="Samenvatting",
        tlp=tlp,
        valid_from=valid_from or today - timedelta(days=10),
        valid_until=valid_until,
        motives=["jihadism"],
    )


def titles(user):
    return set(assessments_visible_to(actor(user)).values_list("title", flat=True))


def test_clear_and_green_assessments_reach_every_partner_user(w):
    for level in ("clear", "green", "amber", "amber_strict", "red"):
        _assessment(w, level)
    expected = {"Dreigingsbeeld clear", "Dreigingsbeeld green"}
    for user in w.users.values():
        assert titles(user) == expected
    assert len(titles(w.staff)) == 5


def test_an_amber_assessment_shared_with_an_organisation_is_visible_to_it_only(w):
    assessment = _assessment(w, "amber")
    sharing.share_with_organisation(
        obj=assessment,
        organisation=w.orgs["A"],
        covenant=w.covenant,
        by=w.staff,
        reason="Wedstrijd van het seizoen",
    )
    assert titles(w.users["a"]) == {"Dreigingsbeeld amber"}
    assert titles(w.users["a_viewer"]) == {"Dreigingsbeeld amber"}
    assert titles(w.users["b"]) == set()
    assert titles(w.users["c"]) == set()
    sharing.revoke(obj=assessment, organisation=w.orgs["A"], by=w.staff)
    assert titles(w.users["a"]) == set()


def test_a_shared_assessment_lapses_with_its_covenant(w):
    assessment = _assessment(w, "amber")
    sharing.share_with_organisation(
        obj=assessment, organisation=w.orgs["A"], covenant=w.covenant, by=w.staff, reason="x"
    )
    covenant_services.covenant_terminate(covenant=w.covenant)
    assert titles(w.users["a"]) == set()


def test_sharing_with_an_organisation_no_covenant_covers_is_refused(w):
    assessment = _assessment(w, "amber")
    with pytest.raises(ValidationError) as excinfo:
        sharing.share_with_organisation(
            obj=assessment, organisation=w.orgs["C"], covenant=w.covenant, by=w.staff, reason="x"
        )
    assert "organisation" in excinfo.value.message_dict
    assert titles(w.users["c"]) == set()


def test_a_red_assessment_reaches_named_users_only(w):
    assessment = _assessment(w, "red")
    partnership = make_partnership(name="PPS Rood", operator_org=w.orgs["A"], clause="red")
    nctv_signs(partnership)
    sharing.share_with_user(
        obj=assessment,
        user=w.users["a"],
        covenant=partnership.covenants.get(),
        by=w.staff,
        reason="Persoonlijk",
    )
    assert titles(w.users["a"]) == {"Dreigingsbeeld red"}
    assert titles(w.users["a_viewer"]) == set()


def test_valid_now_leaves_out_expired_and_future_assessments(w):
    today = timezone.localdate()
    _assessment(w, "green", "Lopend")
    _assessment(w, "green", "Tot vandaag", valid_until=today)
    _assessment(w, "green", "Verlopen", today - timedelta(days=30), today - timedelta(days=1))
    _assessment(w, "green", "Toekomstig", today + timedelta(days=1))
    now = set(
        assessments_visible_to(actor(w.users["b"]), valid_now=True).values_list("title", flat=True)
    )
    assert now == {"Lopend", "Tot vandaag"}
    assert len(titles(w.users["b"])) == 4


def test_the_assessment_list_is_a_fixed_number_of_queries(w, django_assert_num_queries):
    for i in range(5):
        assessment = _assessment(w, "green", f"Beeld {i}")
        services.assessment_update(
            assessment=assessment, by=w.staff, target_categories=[sector(), sector("museum")]
        )
    a = actor(w.users["a"])
    with django_assert_num_queries(3):  # the list, its facets, its categories
        rows = list(assessments_visible_to(a))
        assert all(len(row.facets.all()) == 1 for row in rows)
        assert all(len(row.target_categories.all()) == 2 for row in rows)


# --- Gaps and the NCTV overview ------------------------------------------------------------


@pytest.fixture
def register(w):
    """A: one enhanced target with only CCTV (7 gaps), one small one trained (0 gaps).
    C: one standard target with nothing (5 gaps)."""
    make_target(
        w.users["a"],
        name="Arena",
        capacity=55_000,
        measures=[{"measure": "cctv", "status": "in_place"}],
    )
    make_target(
        w.users["a"],
        name="Kantine",
        capacity=120,
        measures=[{"measure": "staff_training", "status": "in_place"}],
    )
    make_target(
        w.users["c"],
        name="Feesttent",
        capacity=500,
        category=sector("event_grounds"),
        region="Gelderland-Zuid",
    )
    return w


def test_gaps_are_counted_per_operator(register, w):
    counts = gaps_per_operator(soft_targets_visible_to(actor(w.staff)))
    assert counts == {w.orgs["A"]: 7, w.orgs["C"]: 5}
    assert gaps_per_operator(soft_targets_own(actor(w.users["a"]))) == {w.orgs["A"]: 7}


def test_the_register_overview_counts_targets_and_gaps_by_category_region_and_tier(register, w):
    rows = register_overview(soft_targets_visible_to(actor(w.staff)))
    stadium, events = sector().display_name, sector("event_grounds").display_name
    assert rows == sorted(
        [
            {
                "category": stadium,
                "region": "Amsterdam-Amstelland",
                "tier": str(CapacityTier.ENHANCED.label),
                "count": 1,
                "gaps": 7,
            },
            {
                "category": stadium,
                "region": "Amsterdam-Amstelland",
                "tier": str(CapacityTier.BELOW.label),
                "count": 1,
                "gaps": 0,
            },
            {
                "category": events,
                "region": "Gelderland-Zuid",
                "tier": str(CapacityTier.STANDARD.label),
                "count": 1,
                "gaps": 5,
            },
        ],
        key=lambda r: (r["category"], r["region"], r["tier"]),
    )


def test_the_overview_reads_a_fixed_number_of_queries(register, w, django_assert_num_queries):
    for i in range(5):
        make_target(w.users["c"], name=f"Extra {i}", capacity=900, region="Haaglanden")
    qs = soft_targets_visible_to(actor(w.staff))
    with django_assert_num_queries(2):  # the groups counted by the database, their sectors
        overview = register_overview(qs)
    assert sum(row["count"] for row in overview) == 8
    with django_assert_num_queries(3):
        rows = list(with_register_data(qs))
        for row in rows:
            (
                row.category.name,
                row.operator.name,
                list(row.measures.all()),
                list(row.scale_up.all()),
            )


def test_the_scale_up_checklist_of_a_level(w):
    services.measure_package_set(
        sector=sector(), level="hoge_dreiging", measures=["bag_checks", "lockdown"], by=w.staff
    )
    target = make_target(w.users["a"])
    assert scale_up_checklist(target, "hoge_dreiging") == ["bag_checks", "lockdown"]
    assert scale_up_checklist(target, "basisniveau") == []


# --- Levels -------------------------------------------------------------------------------------


def test_the_threat_level_history_is_newest_first(w):
    for level in (2, 3, 4):
        services.threat_level_set(level=level, rationale=f"Niveau {level}", by=w.staff)
    assert [row.level for row in threat_level_history()] == [4, 3, 2]
    assert [row.level for row in threat_level_history(limit=1)] == [4]


def test_an_organisation_has_the_sector_of_its_category(w):
    services.sector_level_set(
        sector=sector(), level="matige_dreiging", rationale="Derby", by=w.staff
    )
    mine = sector_for_organisation(actor(w.users["a"]))
    assert (mine.code, mine.current_level) == ("football_stadium", "matige_dreiging")
    assert sector_for_organisation(actor(w.users["b"])) is None  # a municipality has no sector


# --- Reports ------------------------------------------------------------------------------------


def _report(w, user, target, minutes_ago):
    return services.report_create(
        by=w.users[user],
        soft_target=target,
        kind="incident",
        what=f"Incident {minutes_ago}",
        occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_reports_are_seen_by_the_reporting_organisation_and_staff(w, targets):
    mine = _report(w, "a", targets["shared"], 30)
    theirs = _report(w, "c", targets["outsider"], 20)
    assert list(reports_visible_to(actor(w.users["a"]))) == [mine]
    assert list(reports_visible_to(actor(w.users["a_viewer"]))) == [mine]
    assert list(reports_visible_to(actor(w.users["b"]))) == []  # a peer does not see them
    assert set(reports_visible_to(actor(w.staff))) == {mine, theirs}


def test_the_report_queue_is_open_reports_oldest_first(w, targets):
    first = _report(w, "a", targets["shared"], 30)
    second = _report(w, "c", targets["outsider"], 20)
    third = _report(w, "a", targets["private"], 10)
    services.report_triage(report=second, status=Report.Status.CLOSED, by=w.staff)
    services.report_triage(report=third, status=Report.Status.IN_REVIEW, by=w.staff)
    assert list(report_queue()) == [first, third]


def test_assessments_are_owned_by_the_nctv(w):
    assessment = _assessment(w, "amber")
    assert ThreatAssessment.objects.get(pk=assessment.pk).owner_organisation.is_nctv
