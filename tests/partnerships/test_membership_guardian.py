"""A deactivated user stays outside every organisation's group, also when moved to another
organisation: guardian's ``get_objects_for_user`` does not look at ``is_active``, so a group
membership would hand it the new organisation's grants while the portal shows nothing
(issue 10, "one truth for who sees what")."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_objects_for_user

from partnerships.models import ContactEntry
from partnerships.selectors import actor_for, contacts_visible_to
from partnerships.services import organisations as org_services
from partnerships.sharing import services as sharing
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db

PERM = "partnerships.view_contactentry"


def test_a_deactivated_user_moved_to_another_organisation_gets_none_of_its_grants(db):
    w = build_world()
    amber = w.entries["amber"]
    sharing.share_with_organisation(
        obj=amber,
        organisation=w.orgs["C"],
        covenant=w.covenants["amber"],
        by=w.users["a1"],
        reason="Overleg",
    )
    b1 = w.users["b1"]
    org_services.user_deactivate(user=b1)
    b1 = get_user_model().objects.get(pk=b1.pk)
    org_services.membership_end(membership=b1.membership)
    org_services.membership_create(
        user=get_user_model().objects.get(pk=b1.pk), organisation=w.orgs["C"]
    )

    b1 = get_user_model().objects.get(pk=b1.pk)
    assert not contacts_visible_to(actor_for(b1)).exists()
    assert not get_objects_for_user(b1, PERM, ContactEntry, accept_global_perms=False).exists()
    assert not b1.has_perm(PERM, amber)
    assert not b1.groups.exists()
    # An active member moved the same way does get C's grant.
    c_bound = w.users["b2"]
    org_services.membership_end(membership=c_bound.membership)
    org_services.membership_create(user=c_bound, organisation=w.orgs["C"])
    c_bound = get_user_model().objects.get(pk=c_bound.pk)
    assert (
        get_objects_for_user(c_bound, PERM, ContactEntry, accept_global_perms=False)
        .filter(pk=amber.pk)
        .exists()
    )
