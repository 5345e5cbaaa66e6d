"""Which models are shareable, and how each names its owner, its TLP level and open audience.

Most shareable models reach other organisations by grants (a pair of grant models). A model
without grants of its own (a partnership's library documents) reaches them only through the
covenants of its own context (``covenant_scope``), a Q built on the one footing function
(``footing.footing_covenants``); the selectors and the read door treat it like any other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Shareable:
    model: type[models.Model]
    # None for a model without grants of its own (see ``covenant_scope``): nothing shares it
    # object by object, and the sharing services refuse it.
    user_grant: type[models.Model] | None = None
    group_grant: type[models.Model] | None = None
    # Who sees CLEAR and GREEN objects of this model besides the owner: a Q on the model for an
    # actor. Default: every signed-in partner user. Partnership records narrow it to members.
    open_scope: Callable[[object], Q] | None = None
    tlp_field: str = "tlp"
    owner_field: str = "owner_organisation"
    # A stable code ("contact_entry") when partners share their own objects of this model with
    # other organisations (docs/partnerships.md, "Partners share too"); "" when only the NCTV
    # or a service of the portal shares it.
    partner_kind: str = ""
    # AMBER and above reaching the actor's organisation without a grant, through a covenant of
    # the object's own context: a Q on the model for an actor and a day, built on
    # ``footing.footing_covenants``. Partnership documents: a covenant in force of the
    # document's partnership that its owner and the reader's organisation signed.
    covenant_scope: Callable[[object, date], Q] | None = None
    # NCTV staff see every object of the model (True), or only what reaches their organisation
    # like any party's (False: partnership documents, a partnership's own library).
    staff_see_all: bool = True
    # Relations of the model that its name (``str``) reads, fetched with it wherever a list of
    # grants shows the objects (a report is named after its soft target).
    label_related: tuple[str, ...] = ()

    @property
    def has_grants(self) -> bool:
        return self.group_grant is not None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def view_codename(self) -> str:
        return f"view_{self.model._meta.model_name}"

    def open_q(self, actor) -> Q:
        return self.open_scope(actor) if self.open_scope is not None else Q()


_REGISTRY: dict[type[models.Model], Shareable] = {}


def register(spec: Shareable) -> Shareable:
    _REGISTRY[spec.model] = spec
    return spec


def spec_for(model_or_obj, *, grants: bool = False) -> Shareable:
    """The model's spec; with ``grants=True`` only a model shared by grants (``LookupError``
    for any other: what the sharing services share, revoke and list)."""
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = model._meta.concrete_model
    try:
        spec = _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not registered as shareable") from None
    if grants and not spec.has_grants:
        raise LookupError(f"{model._meta.label} is not shared by grants")
    return spec


def all_specs() -> list[Shareable]:
    return list(_REGISTRY.values())


def grant_specs() -> list[Shareable]:
    """The models shared by grants (what the grant clean-up and re-versioning walk)."""
    return [s for s in _REGISTRY.values() if s.has_grants]


def partner_specs() -> list[Shareable]:
    """The models partners share themselves, in a stable order."""
    return sorted((s for s in _REGISTRY.values() if s.partner_kind), key=lambda s: s.partner_kind)


def spec_for_kind(kind: str) -> Shareable:
    """The partner-shareable model with code ``kind``; ``LookupError`` for any other code."""
    for spec in partner_specs():
        if spec.partner_kind == kind:
            return spec
    raise LookupError(kind)
