"""Which models are shareable, and how each names its owner, its TLP level and open audience."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Shareable:
    model: type[models.Model]
    user_grant: type[models.Model]
    group_grant: type[models.Model]
    # Who sees CLEAR and GREEN objects of this model besides the owner: a Q on the model for an
    # actor. Default: every signed-in partner user. Partnership records narrow it to members.
    open_scope: Callable[[object], Q] | None = None
    tlp_field: str = "tlp"
    owner_field: str = "owner_organisation"
    # A stable code ("contact_entry") when partners share their own objects of this model with
    # other organisations (docs/partnerships.md, "Partners share too"); "" when only the NCTV
    # or a service of the portal shares it.
    partner_kind: str = ""

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


def spec_for(model_or_obj) -> Shareable:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = model._meta.concrete_model
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not registered as shareable") from None


def all_specs() -> list[Shareable]:
    return list(_REGISTRY.values())


def partner_specs() -> list[Shareable]:
    """The models partners share themselves, in a stable order."""
    return sorted((s for s in _REGISTRY.values() if s.partner_kind), key=lambda s: s.partner_kind)


def spec_for_kind(kind: str) -> Shareable:
    """The partner-shareable model with code ``kind``; ``LookupError`` for any other code."""
    for spec in partner_specs():
        if spec.partner_kind == kind:
            return spec
    raise LookupError(kind)
