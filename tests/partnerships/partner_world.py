"""The sharing world plus what partner sharing needs: a purpose on the AMBER covenant, a viewer
and an administrator of the owner A, and a covenant B and C signed but A did not."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partnerships.models import Covenant
from partnerships.services import covenants as covenant_services
from partnerships.sharing import services as sharing
from tests.factories import UserFactory
from tests.partnerships.sharing_world import build_world

PURPOSE = "Veiligheid rond wedstrijden in de ArenA"


def build_partner_world():
    world = build_world()
    Covenant.objects.filter(pk=world.covenants["amber"].pk).update(purpose=PURPOSE)
    world.covenants["amber"].refresh_from_db()
    world.users["a_viewer"] = UserFactory(
        username="a_viewer", organisation=world.orgs["A"], role="viewer"
    )
    world.users["a_admin"] = UserFactory(
        username="a_admin", organisation=world.orgs["A"], role="admin"
    )
    world.covenants["bc"] = covenant_services.covenant_create(
        partnership=world.partnership,
        title="Convenant B en C",
        effective_from=timezone.localdate() - timedelta(days=5),
        information_clause="amber",
        signatories=[
            (world.orgs["B"], timezone.localdate() - timedelta(days=5)),
            (world.orgs["C"], timezone.localdate() - timedelta(days=5)),
        ],
    )
    return world


def share(w, *, by="a1", entry="amber", to="B", covenant="amber"):
    return sharing.share_with_organisation(
        obj=w.entries[entry],
        organisation=w.orgs[to],
        covenant=w.covenants[covenant],
        by=w.users[by],
        reason="Voorbereiding wedstrijd",
    )
