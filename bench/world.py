"""Bench data at scale, written with bulk inserts (the services would take hours at these sizes).

``sharing_world(objects, organisations=1000)``: the organisations in partnerships of 10 (1,000
organisations: 100 partnerships), one covenant in force per partnership (clause RED) signed by
all ten; ``objects`` contact-log entries spread evenly over the organisations (40 % GREEN, 50 %
AMBER, 10 % RED); every AMBER entry shared with two other members of its partnership (group
grants) and every RED one with one user of a third member (user grants); the same grants also
written to guardian's generic tables for the peer. The grants follow the entries; what one user
sees follows the entries per organisation, so a world ten times the entries with ten times the
organisations (B3's ``--million``: 10,000) gives each user the same share as the smaller one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

ORGS = 1000  # the organisations of B3's world at 100,000 entries (and of B4's)
PER_PARTNERSHIP = 10
BATCH = 5000


@dataclass
class SharingWorld:
    organisations: list
    users: list
    objects: int
    group_grants: int
    user_grants: int


def _partners(i: int) -> list[int]:
    """The other members of organisation ``i``'s partnership, in a fixed order."""
    base = i - i % PER_PARTNERSHIP
    return [base + (i + k) % PER_PARTNERSHIP for k in range(1, PER_PARTNERSHIP)]


def existing_sharing_world() -> SharingWorld | None:
    """The world an earlier benchmark of the same run built (B3 before B4), or ``None``."""
    from partnerships.models import (
        ContactEntry,
        ContactEntryGroupGrant,
        ContactEntryUserGrant,
        Organisation,
    )

    orgs = {o.name: o for o in Organisation.objects.filter(name__startswith="Bench org ")}
    if len(orgs) < ORGS:
        return None
    users = {
        u.username: u for u in get_user_model().objects.filter(username__startswith="bench-user-")
    }
    return SharingWorld(
        [orgs[f"Bench org {i}"] for i in range(len(orgs))],
        [users[f"bench-user-{i}"] for i in range(len(orgs))],
        ContactEntry.objects.count(),
        ContactEntryGroupGrant.all_grants.count(),
        ContactEntryUserGrant.all_grants.count(),
    )


def sharing_world(objects: int, *, organisations: int = ORGS, generic: bool = True) -> SharingWorld:
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from partnerships.models import (
        ContactEntry,
        ContactEntryGroupGrant,
        ContactEntryUserGrant,
        Covenant,
        CovenantSignatory,
        Membership,
        Organisation,
        Partnership,
        PartnershipMember,
    )
    from partnerships.sharing.registry import spec_for
    from partnerships.sharing.services import _view_permission

    User = get_user_model()
    assert organisations % PER_PARTNERSHIP == 0, "whole partnerships"  # nosec B101
    today = timezone.localdate()
    start = today - timedelta(days=60)
    groups = Group.objects.bulk_create([Group(name=f"bench-{i}") for i in range(organisations)])
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Bench org {i}", kind="private", group=groups[i])
            for i in range(organisations)
        ]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench-user-{i}", is_active=True) for i in range(organisations)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=users[i], organisation=orgs[i], role="admin")
            for i in range(organisations)
        ]
    )
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=users[i].pk, group_id=groups[i].pk)
            for i in range(organisations)
        ]
    )
    n_ps = organisations // PER_PARTNERSHIP
    partnerships = Partnership.objects.bulk_create(
        [Partnership(name=f"Bench PPS {p}", kind="venue", status="active") for p in range(n_ps)]
    )
    PartnershipMember.objects.bulk_create(
        [
            PartnershipMember(
                partnership=partnerships[i // PER_PARTNERSHIP],
                organisation=orgs[i],
                role="venue_operator",
                joined_on=start,
            )
            for i in range(organisations)
        ]
    )
    covenants = Covenant.objects.bulk_create(
        [
            Covenant(
                partnership=partnerships[p],
                title=f"Bench covenant {p}",
                effective_from=start,
                information_clause="red",
            )
            for p in range(n_ps)
        ]
    )
    CovenantSignatory.objects.bulk_create(
        [
            CovenantSignatory(
                covenant=covenants[i // PER_PARTNERSHIP], organisation=orgs[i], signed_on=start
            )
            for i in range(organisations)
        ]
    )
    permission = _view_permission(spec_for(ContactEntry))
    levels = ["green"] * 4 + ["amber"] * 5 + ["red"]
    group_rows, user_rows = [], []
    for chunk_start in range(0, objects, BATCH):
        numbers = range(chunk_start, min(objects, chunk_start + BATCH))
        entries = ContactEntry.objects.bulk_create(
            [
                ContactEntry(
                    partnership=partnerships[(n % organisations) // PER_PARTNERSHIP],
                    occurred_on=today - timedelta(days=n % 365),
                    kind="call",
                    summary=f"Bench {n}",
                    tlp=levels[(n // organisations) % 10],
                    owner_organisation=orgs[n % organisations],
                )
                for n in numbers
            ]
        )
        for n, e in zip(numbers, entries, strict=True):
            i = n % organisations
            others = _partners(i)
            covenant = covenants[i // PER_PARTNERSHIP]
            if e.tlp == "amber":
                for j in others[:2]:
                    group_rows.append((e.pk, orgs[j], covenant))
            elif e.tlp == "red":
                user_rows.append((e.pk, orgs[others[2]], users[others[2]], covenant))
    ContactEntryGroupGrant.objects.bulk_create(
        (
            ContactEntryGroupGrant(
                content_object_id=pk,
                group_id=org.group_id,
                permission=permission,
                organisation=org,
                covenant=cov,
                reason="bench",
            )
            for pk, org, cov in group_rows
        ),
        batch_size=BATCH,
    )
    ContactEntryUserGrant.objects.bulk_create(
        (
            ContactEntryUserGrant(
                content_object_id=pk,
                user=user,
                permission=permission,
                organisation=org,
                covenant=cov,
                reason="bench",
            )
            for pk, org, user, cov in user_rows
        ),
        batch_size=BATCH,
    )
    if generic:
        ct = permission.content_type
        GroupObjectPermission.objects.bulk_create(
            (
                GroupObjectPermission(
                    content_type=ct, object_pk=str(pk), group_id=org.group_id, permission=permission
                )
                for pk, org, _cov in group_rows
            ),
            batch_size=BATCH,
        )
        UserObjectPermission.objects.bulk_create(
            (
                UserObjectPermission(
                    content_type=ct, object_pk=str(pk), user=user, permission=permission
                )
                for pk, _org, user, _cov in user_rows
            ),
            batch_size=BATCH,
        )
    return SharingWorld(orgs, users, objects, len(group_rows), len(user_rows))


# --- an alert's audience (B1, B5) -----------------------------------------------------------------


@dataclass
class AudienceWorld:
    organisations: list
    users: list  # users[i * per_org + k]: the k-th user of organisation i
    alert: object
    author: object
    approver: object


def audience_world(
    organisations: int, per_org: int, *, in_app_only: bool = True, tag: str = "audience"
) -> AudienceWorld:
    """``organisations`` private organisations with ``per_org`` active admin users each, an NCTV
    author, and one published GREEN alert whose recipients are all of them. ``in_app_only``: the
    organisations' default turns e-mail off, so the fan-out is one in-app row per user. ``tag``
    names its groups, users and organisations, so that two benchmarks of one run (B1 and B5)
    each build their own in the same database."""
    from alerts.models import Channel, OrganisationChannelDefault
    from partnerships.models import Membership, Organisation

    User = get_user_model()
    nctv = Organisation.objects.filter(is_nctv=True).first() or Organisation.objects.create(
        name="Bench NCTV",
        kind="public",
        is_nctv=True,
        group=Group.objects.create(name="bench-nctv"),
    )  # there is one NCTV: B5 after B1 in one run takes the one B1 made
    groups = Group.objects.bulk_create(
        [Group(name=f"bench-{tag}-{i}") for i in range(organisations)], batch_size=BATCH
    )
    author = User.objects.create(username=f"bench-{tag}-author", is_staff=True, is_active=True)
    approver = User.objects.create(username=f"bench-{tag}-approver", is_staff=True, is_active=True)
    Membership.objects.create(user=author, organisation=nctv, role="admin")
    Membership.objects.create(user=approver, organisation=nctv, role="admin")
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Bench {tag} {i}", kind="private", group=groups[i])
            for i in range(organisations)
        ],
        batch_size=BATCH,
    )
    users = User.objects.bulk_create(
        [
            User(username=f"bench-{tag}-member-{i}-{k}", is_active=True)
            for i in range(organisations)
            for k in range(per_org)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=orgs[n // per_org], role="admin")
            for n, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    if in_app_only:
        OrganisationChannelDefault.objects.bulk_create(
            [
                OrganisationChannelDefault(organisation=o, channel=Channel.EMAIL, enabled=False)
                for o in orgs
            ],
            batch_size=BATCH,
        )
    alert = published_alert(orgs, author=author, approver=approver, owner=nctv)
    return AudienceWorld(orgs, users, alert, author, approver)


def published_alert(organisations, *, author, approver, owner, headline: str = "Bench alert"):
    """A published GREEN alert (open level: no grants needed) sent to ``organisations``."""
    from alerts.models import Alert, AlertRecipient

    now = timezone.now()
    alert = Alert.objects.create(
        headline=headline,
        description="Bench",
        atb_level="lichte_dreiging",
        tlp="green",
        status=Alert.Status.PUBLISHED,
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        ack_deadline_minutes=60,
        owner_organisation=owner,
        author=author,
        approver=approver,
        approved_at=now,
        published_at=now,
    )
    AlertRecipient.objects.bulk_create(
        [AlertRecipient(alert=alert, organisation=o) for o in organisations], batch_size=BATCH
    )
    return alert
