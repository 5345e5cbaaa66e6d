"""The demo data at ``times`` its size, in seconds: ``seed_demo`` once (through the services,
as a new portal gets it), then every row it wrote copied ``times - 1`` times with bulk inserts.

Two kinds of copy (``multiply_demo``):

- **people**: the organisations (all but the NCTV, of which there is one), their groups, users
  and memberships are copied as new, separate ones (``Gemeente Amsterdam ·7``, user
  ``arena-operator·7``), so the lists of organisations and people grow ``times``-fold;
- **content**: everything else the demo wrote (partnerships with their members, covenants with
  their signatories and tasks, contacts with participants and actions, grants, cost items and
  shares, health history, threat assessments, soft targets with their measures and scale-up
  steps, reports with replies and attachments, alerts with recipients, deliveries,
  acknowledgements and status reports, procedures, training, exercises, guidance and documents)
  is copied with the copies pointing at the **demo's own** organisations and users: the ArenA
  is a member of ``times`` partnerships like its own, owns ``times`` times its soft targets,
  received ``times`` times its alerts, and so on. So each demo persona sees ``times`` times what
  it saw, and NCTV staff ``times`` times everything.

A copy keeps every column (dates, states, clauses), so what held for the demo holds for each
copy: each covenant is in force on the same days and signed by the same organisations as its
original, so each copied grant is valid under the copied covenant; a copied delivery belongs to
a copied alert sent to the same organisation. Reference data (sectors, measure packages, alert
levels, templates, courses, the national threat level, mandates, channel preferences) and the
audit trail are not copied. Columns unique on their own (names, usernames) take a ``·k``
suffix; public ids are new; a model's reference to its own kind (``Covenant.supersedes``,
``Alert.previous``) points at the copy of the original's target.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from contextlib import contextmanager

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction

APPS = ("partnerships", "threats", "alerts", "preparedness", "attributes", "interop")
BATCH = 2000

# Not copied: reference data, per-user settings and the audit trail.
KEPT = {
    "threats.Sector",
    "threats.SectorAlertLevel",
    "threats.MeasurePackage",
    "threats.NationalThreatLevel",
    "threats.LevelMandate",
    "alerts.AlertTemplate",
    "alerts.ChannelPreference",
    "preparedness.Course",
}


def seed(times: int = 1) -> dict[str, int]:
    """``seed_demo``, then the copies; the rows per model written by the copies."""
    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=_Null())
    return multiply_demo(times) if times > 1 else {}


class _Null:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass


def people_models() -> list:
    User = get_user_model()
    Organisation = apps.get_model("partnerships", "Organisation")
    Membership = apps.get_model("partnerships", "Membership")
    return [Group, Organisation, User, Membership, User.groups.through]


def content_models() -> list:
    """The models the demo fills that are copied as content, each after the models it refers
    to (its own kind aside)."""
    people = set(people_models())
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in APPS
        and m not in people
        and m._meta.label not in KEPT
        and not m._meta.proxy
        and m._meta.managed
    ]
    return _ordered(found)


def _ordered(found: list) -> list:
    pending, done, order = list(found), set(), []
    while pending:
        for m in pending:
            needs = {
                f.related_model
                for f in m._meta.concrete_fields
                if f.is_relation and f.related_model in found and f.related_model is not m
            }
            if needs <= done:
                order.append(m)
                done.add(m)
                pending.remove(m)
                break
        else:
            raise RuntimeError(f"a cycle among {[m._meta.label for m in pending]}")
    return order


def _suffixed_fields(model, copied: set) -> set[str]:
    """Text columns that must differ between copies: unique on their own, or unique together
    only with columns that are not themselves copied."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    text = (models.CharField, models.SlugField, models.TextField)
    out = {n for n, f in fields.items() if f.unique and isinstance(f, text) and not f.primary_key}
    sets = [tuple(u) for u in model._meta.unique_together]
    sets += [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    for names in sets:
        if any(fields[n].is_relation and fields[n].related_model in copied for n in names):
            continue
        out |= {n for n in names if isinstance(fields[n], text)}
    return out


@contextmanager
def _dates_as_given():
    """bulk_create sets ``auto_now(_add)`` columns to now: the copies keep the originals'."""
    changed = []
    for m in apps.get_models(include_auto_created=True):
        for f in m._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in changed:
            f.auto_now, f.auto_now_add = now, now_add


def _copy(model, ks: range, ids: dict, copied: set, *, skip=None, extent=None) -> int:
    """Write the copies ``ks`` of every row of ``model`` (of the demo's own rows: those up to
    ``extent``'s primary key for the model, when given); ``ids[model][(pk, k)]`` is the k-th
    copy's pk. References to models in ``copied`` go to the copy of the same k."""
    pk = model._meta.pk.attname
    fields = [f for f in model._meta.concrete_fields if f.attname != pk]
    originals = model.objects.order_by("pk")
    if extent is not None:
        originals = originals.filter(pk__lte=extent.get(model._meta.label) or 0)
    rows = list(originals.values(pk, *(f.attname for f in fields)))
    if skip is not None:
        rows = [r for r in rows if not skip(r)]
    if not rows:
        return 0
    suffixed = _suffixed_fields(model, copied)
    own = [f for f in fields if f.is_relation and f.related_model is model]
    objs, keys = [], []
    for k in ks:
        for row in rows:
            values = {}
            for f in fields:
                v = row[f.attname]
                if v is not None and f.is_relation and f.related_model in copied:
                    v = None if f.related_model is model else ids[f.related_model][(v, k)]
                elif isinstance(f, models.UUIDField) and (f.unique or f.has_default()):
                    v = uuid.uuid4()
                elif f.name in suffixed and v:
                    v = f"{v}·{k}"[-f.max_length :] if f.max_length else f"{v}·{k}"
                values[f.attname] = v
            objs.append(model(**values))
            keys.append((row[pk], k))
    model.objects.bulk_create(objs, batch_size=BATCH)
    ids[model] = {key: obj.pk for key, obj in zip(keys, objs, strict=True)}
    if own:  # a reference to the same kind: to the copy of the original's target
        by_pk = {row[pk]: row for row in rows}
        for obj, (old, k) in zip(objs, keys, strict=True):
            for f in own:
                target = by_pk[old][f.attname]
                setattr(obj, f.attname, None if target is None else ids[model].get((target, k)))
        model.objects.bulk_update(objs, [f.name for f in own], batch_size=BATCH)
    return len(objs)


def _not_the_nctv(model):
    """The NCTV is one organisation: neither it nor its group, users or memberships are copied."""
    Organisation = apps.get_model("partnerships", "Organisation")
    Membership = apps.get_model("partnerships", "Membership")
    orgs = set(Organisation.objects.filter(is_nctv=True).values_list("pk", flat=True))
    groups = set(Organisation.objects.filter(is_nctv=True).values_list("group_id", flat=True))
    users = set(
        Membership.objects.filter(organisation__is_nctv=True).values_list("user_id", flat=True)
    )
    label = model._meta.label
    if model is Group:
        return lambda r: r["id"] in groups
    if label == "partnerships.Organisation":
        return lambda r: r["id"] in orgs
    if model is get_user_model():
        return lambda r: r["id"] in users
    if label == "partnerships.Membership":
        return lambda r: r["organisation_id"] in orgs
    return lambda r: r["user_id"] in users or r["group_id"] in groups


def demo_extent() -> dict[str, int]:
    """The highest primary key of each model ``multiply_demo`` copies, taken after seeding and
    before any copy: the demo's own rows, which a later step copies again."""
    extent = {}
    for model in people_models() + content_models():
        extent[model._meta.label] = (
            model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
    return extent


def multiply_demo(times: int, *, already: int = 1, extent: dict | None = None) -> dict[str, int]:
    """Bring the seeded demo to ``times`` its size (see the module's docstring). In steps:
    ``already`` is the size it was brought to before (its copies 1 to ``already - 1`` exist),
    and ``extent`` (``demo_extent()`` before the first step) confines the copies to the demo's
    own rows, so that each step writes the copies ``already`` to ``times - 1`` of them."""
    ks = range(already, times)
    written: dict[str, int] = defaultdict(int)
    with transaction.atomic(), _dates_as_given():
        people = people_models()
        ids: dict = {}
        for model in people:
            skip = _not_the_nctv(model)
            written[model._meta.label] = _copy(
                model, ks, ids, set(people), skip=skip, extent=extent
            )
        ids = {}
        content = content_models()
        for model in content:
            written[model._meta.label] = _copy(model, ks, ids, set(content), extent=extent)
    return {label: n for label, n in written.items() if n}
