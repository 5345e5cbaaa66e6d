"""The benchmarks run by bench/run.py: each builds its data, times our path, the limit and the
peer interleaved, and returns its figures and targets."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from bench.b2_delivery import b2  # noqa: F401  # B2 runs a real worker: its own module
from bench.run import explain, interleaved, target

RESULTS = Path(__file__).resolve().parent / "results"
PAGE = 50


# --- B3: count + page of 50 for a partner user ---------------------------------------------------


def legacy_visible_q(actor, spec, today):
    """The selector before the UNION (one OR over the model), kept here only for the plan."""
    from partnerships.sharing.selectors import group_grants_valid, user_grants_valid
    from ppsportal.sensitivity import TLP

    organisation = actor.organisation
    by_group = group_grants_valid(spec, today).filter(organisation=organisation)
    by_user = user_grants_valid(spec, today).filter(user=actor.user)
    return (
        Q(**{spec.owner_field: organisation})
        | Q(**{f"{spec.tlp_field}__in": [TLP.CLEAR, TLP.GREEN]}) & spec.open_q(actor)
        | Q(pk__in=by_group.values("content_object_id"))
        | Q(pk__in=by_user.values("content_object_id"))
    )


@contextmanager
def generic_guardian(*models):
    """guardian as shipped: its generic tables, not our direct foreign-key grant models."""
    for model in models:
        model.enabled = False
    try:
        yield
    finally:
        for model in models:
            del model.enabled


def b3(args) -> dict:
    from guardian.shortcuts import get_objects_for_user

    from bench.world import sharing_world
    from partnerships.models import ContactEntry, ContactEntryGroupGrant, ContactEntryUserGrant
    from partnerships.selectors import actor_for, contacts_visible_to
    from partnerships.sharing.registry import spec_for

    size = 1_000_000 if args.million else 100_000
    world = sharing_world(size)
    with connection_analyze():
        pass
    User = get_user_model()
    org, user = world.organisations[5], world.users[5]

    def ours():
        actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
        qs = contacts_visible_to(actor)
        return qs.count(), list(qs[:PAGE])

    def limit():
        qs = ContactEntry.objects.filter(owner_organisation=org)
        return qs.count(), list(qs[:PAGE])

    def peer():
        fresh = User.objects.get(pk=user.pk)
        with generic_guardian(ContactEntryUserGrant, ContactEntryGroupGrant):
            qs = get_objects_for_user(
                fresh, "partnerships.view_contactentry", ContactEntry, accept_global_perms=False
            )
            return qs.count(), list(qs[:PAGE])

    visible = ours()[0]
    paths = interleaved(
        {"ours": ours, "limit (organisation column)": limit, "peer (stock guardian)": peer},
        args.runs,
    )
    actor = actor_for(User.objects.select_related("membership__organisation").get(pk=user.pk))
    spec, today = spec_for(ContactEntry), timezone.localdate()
    plans = {
        "before (OR over the model)": explain(
            ContactEntry.objects.filter(legacy_visible_q(actor, spec, today))
            .order_by()
            .values("pk")
        ),
        "after (UNION ALL of indexed sets)": explain(
            contacts_visible_to(actor).order_by().values("pk")
        ),
        "after: the page of 50": explain(contacts_visible_to(actor)[:PAGE]),
    }
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    ours()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    ours_ms = paths["ours"]["median_ms"]
    targets = [
        target(
            "ours / limit (median)", ours_ms / paths["limit (organisation column)"]["median_ms"], 2
        ),
        target(
            "peer / ours (median)",
            paths["peer (stock guardian)"]["median_ms"] / ours_ms,
            200,
            at_most=False,
        ),
        target("queries (ours, incl. who is asking)", paths["ours"]["queries"], 4),
    ]
    if args.million:
        previous = RESULTS / "B3.json"
        if previous.exists():
            small = json.loads(previous.read_text())["paths"].get("100,000 objects", {})
            if small:
                targets.append(
                    target("1M / 100k time (ours)", ours_ms / small["ours"]["median_ms"], 1.3)
                )
    label = f"{size:,} objects"
    result = {
        "workload": "count + page of 50 contact-log entries for a partner user",
        "sizes": f"{size:,} contact-log entries, 1,000 organisations, {world.group_grants:,} group "
        f"and {world.user_grants:,} user grants (and as many generic guardian rows for the peer); "
        f"the user sees {visible:,}",
        "paths": {label: paths},
        "targets": targets,
        "plans": plans,
        "profile": out.getvalue(),
        "note": "The peer answers only the grants (stock guardian knows no owner or open level); "
        "it is still the slowest.",
    }
    if args.million and (RESULTS / "B3.json").exists():
        old = json.loads((RESULTS / "B3.json").read_text())
        old["paths"].update(result["paths"])
        old["targets"] = targets
        return old
    return result


@contextmanager
def connection_analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    yield
