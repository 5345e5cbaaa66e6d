"""B3's world: ten times the entries over ten times the organisations keeps what one user sees
(docs/benchmarks.md, B3's ``--million``), so that "ten times the data at most 1.3 times the
time" measures the data's size, not ten times the rows of one user's list."""

from __future__ import annotations

import pytest
from django.db import transaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def seen_by_a_user(objects: int, organisations: int) -> tuple[int, int, int]:
    """Entries organisation 5 owns, entries its user sees, grants in all; the world rolled
    back."""
    from bench.world import sharing_world
    from partnerships.models import ContactEntry
    from partnerships.selectors import actor_for, contacts_visible_to

    with transaction.atomic():
        world = sharing_world(objects, organisations=organisations, generic=False)
        org, user = world.organisations[5], world.users[5]
        found = (
            ContactEntry.objects.filter(owner_organisation=org).count(),
            contacts_visible_to(actor_for(user)).count(),
            world.group_grants + world.user_grants,
        )
        transaction.set_rollback(True)
    return found


def test_ten_times_the_entries_over_ten_times_the_organisations_keeps_a_users_share():
    owned, seen, grants = seen_by_a_user(200, 20)
    assert (owned, seen) == (10, 57)  # its own 10, 36 open, 10 AMBER and 1 RED received
    assert seen_by_a_user(2000, 200) == (owned, seen, 10 * grants)
