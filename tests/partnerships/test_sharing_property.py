"""Property: after every step of any sequence of signing, re-versioning, sharing (by the NCTV and by
partners, with organisations and users), revoking, covenant expiry, termination, retention expiry,
signatory withdrawal, membership change, deactivation and clean-up,

- the service (sharing, signing, amending) accepts a step exactly when the rules allow it, and
- for every user, what the portal's selector shows == what the rules entitle them to, and
  guardian's ``get_objects_for_user`` (all objects) and ``has_perm`` (A's and B's AMBER entries)
  == what the grants that count give them (guardian == selectors == model).

The rules are restated here independently of the implementation, as plain Python over a model of
the world that the steps keep up to date (docs/permissions.md, "Sharing rests on a covenant" and
"Who may create entitlement"). Each example starts from the same world: it runs in a savepoint
that is rolled back.

``PROPERTY_EXAMPLES`` sets the number of sequences (50 by default); what they cost is in
docs/benchmarks.md, "The sharing property test".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.models import ContactEntry, Covenant
from partnerships.selectors import actor_for, contacts_visible_to
from partnerships.services import contacts as contact_services
from partnerships.services import covenants as covenant_services
from partnerships.services import organisations as org_services
from partnerships.services import signing
from partnerships.sharing import services as sharing
from partnerships.sharing.services import remove_lapsed_grants
from ppsportal.sensitivity import TLP
from tests.partnerships.sharing_world import build_world

pytestmark = pytest.mark.django_db

PERM = "partnerships.view_contactentry"
LEVELS = ["clear", "green", "amber", "amber_strict", "red"]
# The objects: A's contact-log entries at every level, and one AMBER entry of partner B's own.
OBJECTS = {level: ("A", level) for level in LEVELS} | {"b_amber": ("B", "amber")}
# Objects a grant can reach (AMBER and above).
GRANTABLE = [o for o, (_owner, level) in OBJECTS.items() if not TLP.is_open(level)]
# has_perm is asked for these after every step, for every user (get_objects_for_user answers for
# all objects at once): the NCTV-and-partner-shared AMBER entry of A and partner B's own.
ASKED_ONE_BY_ONE = ["amber", "b_amber"]
COVENANTS = ["amber", "strict", "red", "green"]
CLAUSES = {"amber": "amber", "strict": "amber_strict", "red": "red", "green": "green"}
# N is the NCTV: not a member of the partnership, but it may be a party to a covenant.
ORGS = ["A", "B", "C", "D", "N"]
MEMBERS_OF_PARTNERSHIP = {"A", "B", "C"}
COORDINATORS = {"A"}
# a1, b1, c1: their organisation's administrators (they sign); b2 a viewer; d1 a member of the
# outsider D; staff: NCTV staff.
USERS = ["a1", "b1", "b2", "c1", "d1", "staff"]
ROLES = {"a1": "admin", "b1": "admin", "b2": "viewer", "c1": "admin", "d1": "member"}
MOVERS = ["b1", "b2", "c1", "d1"]
WRITERS = {"admin", "member"}
VERSION = st.sampled_from(["latest", "previous"])


@dataclass
class Version:
    """One version of a covenant: its clause, its parties (organisation -> signed) and state."""

    clause: str
    parties: dict
    withdrawn: set = field(default_factory=set)
    ended: bool = False  # its end date has passed
    extended: bool = False  # its end date is the one "extend" gives (a second extend: no change)
    terminated: bool = False
    kept: bool = True  # False once its retention period has ended for the grants under it

    def in_force(self) -> bool:
        current = [org for org in self.parties if org not in self.withdrawn]
        return (
            not self.ended
            and not self.terminated
            and bool(current)
            and all(self.parties[org] for org in current)
        )

    def signed_by(self, org: str | None) -> bool:
        return org in self.parties and self.parties[org] and org not in self.withdrawn


@dataclass
class Model:
    versions: dict = field(
        default_factory=lambda: {
            key: [Version(clause=CLAUSES[key], parties=dict.fromkeys("ABC", True))]
            for key in COVENANTS
        }
    )
    user_org: dict = field(
        default_factory=lambda: {
            "a1": "A",
            "b1": "B",
            "b2": "B",
            "c1": "C",
            "d1": "D",
            "staff": "N",
        }
    )
    role: dict = field(default_factory=lambda: dict(ROLES) | {"staff": "member"})
    active: dict = field(default_factory=lambda: dict.fromkeys(USERS, True))
    org_grants: dict = field(default_factory=dict)  # (object, org) -> (covenant, version index)
    user_grants: dict = field(default_factory=dict)  # (object, user) -> (covenant, index, org)

    # --- the rules ------------------------------------------------------------------------------

    def index(self, key: str, which: str) -> int:
        latest = len(self.versions[key]) - 1
        return latest - 1 if which == "previous" and latest > 0 else latest

    def footing(self, ref: tuple, sharer: str, receiver: str | None, level: str) -> bool:
        """Two-sided: a version in force that both the sharer (the object's owner) and the
        receiver signed (and did not withdraw from), whose clause allows the level."""
        version = self.versions[ref[0]][ref[1]]
        return (
            version.in_force()
            and version.signed_by(sharer)
            and version.signed_by(receiver)
            and TLP.allows(version.clause, level)
        )

    def counts(self, ref: tuple, obj: str, receiver: str) -> bool:
        owner, level = OBJECTS[obj]
        return self.footing(ref, owner, receiver, level) and self.versions[ref[0]][ref[1]].kept

    def is_staff(self, user: str) -> bool:
        return user == "staff" and self.active[user] and self.user_org[user] == "N"

    def may_share(self, actor: str, obj: str) -> bool:
        """NCTV staff, or a writing member of the object's owning organisation."""
        if not self.active[actor]:
            return False
        if self.is_staff(actor):
            return True
        return self.user_org[actor] == OBJECTS[obj][0] and self.role[actor] in WRITERS

    def may_manage(self, actor: str) -> bool:
        """Drafting and amending: the partnership's coordinators (writing) and NCTV staff."""
        if not self.active[actor]:
            return False
        return self.is_staff(actor) or (
            self.user_org[actor] in COORDINATORS and self.role[actor] in WRITERS
        )

    def may_sign(self, user: str, key: str, index: int) -> bool:
        """Each party signs for itself: a signing member (administrator; for the NCTV its staff)
        of a current party, the current version only, not after it ended."""
        version = self.versions[key][index]
        org = self.user_org[user]
        signer = self.active[user] and (self.role[user] == "admin" or self.is_staff(user))
        return (
            org in version.parties
            and org not in version.withdrawn
            and signer
            and index == len(self.versions[key]) - 1
            and not version.ended
            and not version.terminated
        )

    def can_share_org(self, actor: str, obj: str, org: str, ref: tuple) -> bool:
        owner, level = OBJECTS[obj]
        if not self.may_share(actor, obj):
            return False
        if level not in ("amber", "amber_strict") or org == owner:
            return False
        if not self.footing(ref, owner, org, level):
            return False
        existing = self.org_grants.get((obj, org))
        if existing == ref and self.versions[ref[0]][ref[1]].kept:
            return True  # sharing twice changes nothing
        if level == "amber_strict":
            return not [o for (ob, o) in self.org_grants if ob == obj and o != org]
        return True

    def can_share_user(self, actor: str, obj: str, user: str, ref: tuple) -> bool:
        owner, level = OBJECTS[obj]
        org = self.user_org[user]
        if not self.may_share(actor, obj) or level not in ("amber", "amber_strict", "red"):
            return False
        return org is not None and self.active[user] and self.footing(ref, owner, org, level)

    # --- what each user sees --------------------------------------------------------------------

    def entitled(self, user: str) -> set[str]:
        org = self.user_org[user]
        if org is None or not self.active[user]:
            return set()
        if self.is_staff(user):
            return set(OBJECTS)
        return {obj for obj in OBJECTS if self._entitled_to(user, org, obj)}

    def granted(self, user: str) -> set[str]:
        """What the user may see through a grant that counts (guardian's part of the answer)."""
        org = self.user_org[user]
        if org is None or not self.active[user]:
            return set()
        return {obj for obj in OBJECTS if self._granted(user, org, obj)}

    def _entitled_to(self, user: str, org: str, obj: str) -> bool:
        owner, level = OBJECTS[obj]
        open_to_members = TLP.is_open(level) and org in MEMBERS_OF_PARTNERSHIP
        return org == owner or open_to_members or self._granted(user, org, obj)

    def _granted(self, user: str, org: str, obj: str) -> bool:
        level = OBJECTS[obj][1]
        ref = self.org_grants.get((obj, org))
        by_organisation = (
            level in ("amber", "amber_strict") and ref is not None and self.counts(ref, obj, org)
        )
        user_grant = self.user_grants.get((obj, user))
        by_user = (
            level in ("amber", "amber_strict", "red")
            and user_grant is not None
            and user_grant[2] == org
            and self.counts(user_grant[:2], obj, org)
        )
        return by_organisation or by_user

    # --- what the services do ---------------------------------------------------------------------

    def sign(self, user: str, key: str, index: int) -> None:
        version = self.versions[key][index]
        if version.parties[self.user_org[user]]:
            return  # signing twice changes nothing
        version.parties[self.user_org[user]] = True
        self.take_effect(key, index)

    def withdraw(self, key: str, index: int, org: str) -> None:
        version = self.versions[key][index]
        version.withdrawn.add(org)
        if not version.ended and not version.terminated:
            self.take_effect(key, index)

    def take_effect(self, key: str, index: int) -> None:
        """A new version every current party signed replaces every earlier one; their grants
        move to it."""
        version = self.versions[key][index]
        current = [org for org in version.parties if org not in version.withdrawn]
        if index > 0 and current and all(version.parties[org] for org in current):
            for earlier in self.versions[key][:index]:
                earlier.terminated = True
            self._move_grants(key, range(index), index)

    def _move_grants(self, key: str, old: range, new: int) -> None:
        for grant, (k, i) in list(self.org_grants.items()):
            if k == key and i in old:
                self.org_grants[grant] = (key, new)
        for grant, (k, i, org) in list(self.user_grants.items()):
            if k == key and i in old:
                self.user_grants[grant] = (key, new, org)

    def changes(self, key: str, index: int, change: tuple) -> bool:
        """Whether the amendment differs from the version: an empty one makes no version."""
        old = self.versions[key][index]
        if change[0] == "clause":
            return change[1] != old.clause
        if change[0] == "extend":
            return not old.extended
        return set(change[1]) != {o for o in old.parties if o not in old.withdrawn}

    def amend(self, key: str, index: int, change: tuple) -> None:
        old = self.versions[key][index]
        parties = [o for o in old.parties if o not in old.withdrawn]
        new = Version(
            clause=old.clause, parties={}, ended=old.ended, extended=old.extended, kept=old.kept
        )
        if change[0] == "clause":
            new.clause = change[1]
        elif change[0] == "extend":
            new.ended, new.extended = False, True
        elif change[0] == "parties":
            parties = list(change[1])
        new.parties = dict.fromkeys(parties, False)
        self.versions[key].append(new)

    def cleanup(self) -> None:
        """Grants that no longer count are removed; the model forgets them as well."""
        self.org_grants = {
            (obj, org): ref
            for (obj, org), ref in self.org_grants.items()
            if self.counts(ref, obj, org)
        }
        self.user_grants = {
            (obj, user): (k, i, org)
            for (obj, user), (k, i, org) in self.user_grants.items()
            if self.active[user] and self.user_org[user] == org and self.counts((k, i), obj, org)
        }


CHANGES = st.one_of(
    st.tuples(st.just("clause"), st.sampled_from(LEVELS)),
    st.tuples(st.just("extend")),
    st.tuples(st.just("parties"), st.frozensets(st.sampled_from(ORGS), min_size=1, max_size=4)),
)

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("share_org"),
            st.sampled_from(["a1", "a1", "b1", "b2", "staff"]),
            st.sampled_from(list(OBJECTS)),
            st.sampled_from(ORGS),
            st.sampled_from(COVENANTS),
            VERSION,
        ),
        st.tuples(
            st.just("share_user"),
            st.sampled_from(["a1", "b1", "staff"]),
            st.sampled_from(list(OBJECTS)),
            st.sampled_from(USERS),
            st.sampled_from(COVENANTS),
            VERSION,
        ),
        st.tuples(
            st.just("revoke_org"),
            st.sampled_from(["a1", "b1", "b2"]),
            st.sampled_from(GRANTABLE),
            st.sampled_from(ORGS),
        ),
        st.tuples(
            st.just("revoke_user"),
            st.sampled_from(["a1", "b1"]),
            st.sampled_from(GRANTABLE),
            st.sampled_from(USERS),
        ),
        st.tuples(st.just("sign"), st.sampled_from(USERS), st.sampled_from(COVENANTS), VERSION),
        st.tuples(
            st.just("amend"),
            st.sampled_from(["a1", "b1", "staff"]),
            st.sampled_from(COVENANTS),
            VERSION,
            CHANGES,
        ),
        st.tuples(st.just("expire"), st.sampled_from(COVENANTS), VERSION),
        st.tuples(st.just("terminate"), st.sampled_from(COVENANTS), VERSION),
        st.tuples(st.just("retention_ends"), st.sampled_from(COVENANTS), VERSION),
        st.tuples(st.just("withdraw"), st.sampled_from(COVENANTS), VERSION, st.sampled_from(ORGS)),
        st.tuples(st.just("move"), st.sampled_from(MOVERS), st.sampled_from([*ORGS[:4], None])),
        st.tuples(st.just("deactivate"), st.sampled_from(MOVERS)),
        st.tuples(st.just("cleanup")),
    ),
    min_size=1,
    max_size=8,
)


class Run:
    """The database side of one example: the world and the covenant versions made so far."""

    def __init__(self, world):
        self.w = world
        self.versions = {key: [world.covenants[key].pk] for key in COVENANTS}

    def user(self, name: str):
        return get_user_model().objects.get(pk=self.w.users[name].pk)

    def covenant(self, key: str, index: int) -> Covenant:
        return Covenant.objects.get(pk=self.versions[key][index])

    def obj(self, name: str) -> ContactEntry:
        return ContactEntry.objects.get(pk=self.w.entries[name].pk)


def _accepted(call) -> bool:
    try:
        call()
    except (ValidationError, PermissionDenied):
        return False
    return True


def _apply(step, run: Run, m: Model) -> None:
    w = run.w
    kind, *args = step
    if kind == "share_org":
        actor, obj, org, key, which = args
        ref = (key, m.index(key, which))
        expected = m.can_share_org(actor, obj, org, ref)
        accepted = _accepted(
            lambda: sharing.share_with_organisation(
                obj=run.obj(obj),
                organisation=w.orgs[org],
                covenant=run.covenant(*ref),
                by=run.user(actor),
                reason="eigenschapstest",
            )
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.org_grants[(obj, org)] = ref
    elif kind == "share_user":
        actor, obj, user, key, which = args
        ref = (key, m.index(key, which))
        expected = m.can_share_user(actor, obj, user, ref)
        accepted = _accepted(
            lambda: sharing.share_with_user(
                obj=run.obj(obj),
                user=run.user(user),
                covenant=run.covenant(*ref),
                by=run.user(actor),
                reason="eigenschapstest",
            )
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.user_grants[(obj, user)] = (*ref, m.user_org[user])
    elif kind == "revoke_org":
        actor, obj, org = args
        expected = m.may_share(actor, obj)
        accepted = _accepted(
            lambda: sharing.revoke(obj=run.obj(obj), organisation=w.orgs[org], by=run.user(actor))
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.org_grants.pop((obj, org), None)
    elif kind == "revoke_user":
        actor, obj, user = args
        expected = m.may_share(actor, obj)
        accepted = _accepted(
            lambda: sharing.revoke(obj=run.obj(obj), user=run.user(user), by=run.user(actor))
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.user_grants.pop((obj, user), None)
    elif kind == "sign":
        user, key, which = args
        index = m.index(key, which)
        expected = m.may_sign(user, key, index)
        accepted = _accepted(
            lambda: signing.covenant_sign(covenant=run.covenant(key, index), by=run.user(user))
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.sign(user, key, index)
    elif kind == "amend":
        actor, key, which, change = args
        index = m.index(key, which)
        chosen = sorted(change[1]) if change[0] == "parties" else None
        expected = (
            m.may_manage(actor)
            and index == len(m.versions[key]) - 1
            and (chosen is None or set(chosen) <= MEMBERS_OF_PARTNERSHIP | {"N"})
            and m.changes(key, index, change)
        )
        terms = {}
        if change[0] == "clause":
            terms["information_clause"] = change[1]
        elif change[0] == "extend":
            terms["effective_until"] = timezone.localdate() + timedelta(days=400)
        new = []
        accepted = _accepted(
            lambda: new.append(
                signing.covenant_amend(
                    covenant=run.covenant(key, index),
                    by=run.user(actor),
                    signatories=None if chosen is None else [w.orgs[o] for o in chosen],
                    **terms,
                )
            )
        )
        assert accepted == expected, (step, m)
        if accepted:
            m.amend(key, index, change)
            run.versions[key].append(new[0].pk)
    elif kind in ("expire", "terminate", "retention_ends", "withdraw"):
        # What time and the parties do to a version, through the low-level services.
        key, which, *rest = args
        index = m.index(key, which)
        version = m.versions[key][index]
        covenant = run.covenant(key, index)
        if kind == "expire":
            covenant_services.covenant_update(
                covenant=covenant, effective_until=timezone.localdate() - timedelta(days=1)
            )
            version.ended, version.extended = True, False
        elif kind == "terminate":
            covenant_services.covenant_terminate(covenant=covenant)
            version.terminated = True
        elif kind == "retention_ends":
            # A retention period of 0 days: every grant under this version (made today, as all
            # in the test are) reaches the end of its retention period now; a share made after it
            # is accepted (the footing holds) but counts for nothing.
            covenant_services.covenant_update(covenant=covenant, retention_days=0)
            version.kept = False
        else:
            (org,) = rest
            accepted = _accepted(
                lambda: covenant_services.covenant_withdraw_signatory(
                    covenant=covenant, organisation=w.orgs[org]
                )
            )
            assert accepted == (org in version.parties), (step, m)
            if accepted:
                m.withdraw(key, index, org)
    elif kind == "move":
        user, org = args
        account = run.user(user)
        membership = getattr(account, "membership", None)
        if membership is not None:
            org_services.membership_end(membership=membership)
        if org is not None:
            org_services.membership_create(user=run.user(user), organisation=w.orgs[org])
        m.user_org[user] = org
        m.role[user] = "member"
    elif kind == "deactivate":
        (user,) = args
        org_services.user_deactivate(user=run.user(user))
        m.active[user] = False
    elif kind == "cleanup":
        remove_lapsed_grants()
        m.cleanup()


def _check(run: Run, m: Model) -> None:
    """For every user, at this instant: selector == model, guardian == model."""
    names_by_pk = {e.pk: name for name, e in run.w.entries.items()}
    asked = [run.w.entries[name] for name in ASKED_ONE_BY_ONE]
    # a fresh request for each user: nothing cached from the previous step
    users = get_user_model().objects.filter(pk__in=[u.pk for u in run.w.users.values()])
    for user in users.select_related("membership__organisation"):
        name = user.username
        entitled, granted = m.entitled(name), m.granted(name)
        seen = contacts_visible_to(actor_for(user)).values_list("pk", flat=True)
        assert {names_by_pk[pk] for pk in seen} == entitled, (name, m)
        by_guardian = get_objects_for_user(user, PERM, ContactEntry, accept_global_perms=False)
        assert {names_by_pk[pk] for pk in by_guardian.values_list("pk", flat=True)} == granted, (
            name,
            m,
        )
        has_perm = {names_by_pk[e.pk] for e in asked if user.has_perm(PERM, e)}
        assert has_perm == granted & set(ASKED_ONE_BY_ONE), (name, has_perm, m)


def _world():
    w = build_world()
    w.users["staff"] = w.staff
    w.orgs["N"] = w.staff.membership.organisation
    for name, role in ROLES.items():
        org_services.membership_change_role(membership=w.users[name].membership, role=role)
    w.entries["b_amber"] = contact_services.contact_create(
        partnership=w.partnership,
        by=w.users["b1"],
        occurred_on=timezone.localdate(),
        kind="meeting",
        summary="Verslag van B",
        participants=[w.orgs["B"]],
        tlp="amber",
    )
    return w


@pytest.fixture
def world(db):
    return _world()


def _examples() -> int:
    """50 sequences by default; CI sets PROPERTY_EXAMPLES=1000 (or more for a deep run). The cost
    of each is docs/benchmarks.md, "The sharing property test"."""
    return int(os.environ.get("PROPERTY_EXAMPLES", "50"))


@settings(
    max_examples=_examples(),
    deadline=None,
    derandomize=True,  # the same sequences on every run: a failure in CI reproduces locally
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_guardian_equals_selectors_equals_model_after_every_step(world, sequence):
    # Each example runs in a savepoint that is rolled back, so every one starts from the same world.
    with transaction.atomic():
        run, model = Run(world), Model()
        _check(run, model)
        for step in sequence:
            _apply(step, run, model)
            _check(run, model)
        transaction.set_rollback(True)
