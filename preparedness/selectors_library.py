"""Reads of the document library, already permission-filtered.

Guidance is at TLP:CLEAR or GREEN and reaches every signed-in partner user. A partnership
document reaches the users of the partnership's current parties (and NCTV staff) by its level:
CLEAR and GREEN all of them; AMBER the owner's organisation and each party that signed, with
the owner, a covenant in force of that partnership whose information clause allows AMBER (the
sharing engine's footing, ``partnerships.sharing.footing``); AMBER+STRICT the owner only. That
rule is the sharing registry's (``models_library``: the model is registered as shareable), so
``partnerships.sharing`` filters the documents and its read door records their AMBER+ reads."""

from __future__ import annotations

from django.db.models import Prefetch

from partnerships.selectors import Actor
from partnerships.sharing.selectors import visible_to
from ppsportal.sensitivity import TLP
from preparedness.models import Guidance, GuidanceReceipt, GuidanceVersion, PartnershipDocument


def _signed_in(actor: Actor) -> bool:
    return bool(actor.user.is_authenticated and actor.user.is_active)


def guidance_visible_to(actor: Actor):
    """Every guidance document with its versions (newest first) and, on each version, the
    actor's own receipt (``my_receipts``): three queries for a list."""
    if not _signed_in(actor):
        return Guidance.objects.none()
    return (
        Guidance.objects.filter(tlp__in=TLP.at_or_below(TLP.GREEN))
        .select_related("sector")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=GuidanceVersion.objects.order_by("-number").prefetch_related(
                    Prefetch(
                        "receipts",
                        queryset=GuidanceReceipt.objects.filter(user=actor.user),
                        to_attr="my_receipts",
                    )
                ),
            )
        )
    )


def current_of(guidance):
    """The current version of a guidance loaded by ``guidance_visible_to`` (no query)."""
    versions = list(guidance.versions.all())
    return versions[0] if versions else None


def read_current(guidance) -> bool:
    version = current_of(guidance)
    return bool(version is not None and version.my_receipts)


def guidance_readers(guidance):
    """Receipts of the current version, with the reader and their organisation (NCTV staff)."""
    version = guidance.versions.order_by("-number").first()
    if version is None:
        return GuidanceReceipt.objects.none()
    return (
        GuidanceReceipt.objects.filter(version=version)
        .select_related("user__membership__organisation")
        .order_by("read_at", "id")
    )


def partnership_documents_visible_to(actor: Actor):
    """The partnership documents ``actor`` may see: the sharing engine decides (the model is
    registered as shareable in ``models_library``); reads are recorded by the read door
    (``partnerships.sharing.reads``)."""
    return visible_to(
        actor, PartnershipDocument.objects.select_related("partnership", "organisation")
    )
