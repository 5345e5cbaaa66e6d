"""Registering and editing a soft target as one use case: its fields, its measures checklist and
its scale-up scenario are saved together or not at all.

The dashboard form and the API save all three at once; these functions call the single-purpose
services in ``threats.services`` inside one transaction, collect every refusal, and roll everything
back when there is one (the faces open no transaction of their own). Refusals about one measure
or one alert level come back under a dotted key —
``measures.<measure>.<field>`` or ``scale_up.<level>.<field>`` — so a form can show each next to
its row; refusals about the target itself keep their field names.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from threats import services
from threats.models import ScaleUpStep, SoftTarget
from threats.services_checks import _require_may_change


def _messages_of(error: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        key = prefix.rstrip(".") or NON_FIELD_ERRORS
        return {key: list(error.messages)}
    result: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        key = prefix.rstrip(".") if field == NON_FIELD_ERRORS and prefix else prefix + field
        result.setdefault(key, []).extend(messages)
    return result


def _set_measures(soft_target: SoftTarget, by, measures: dict[str, dict]) -> dict:
    """A row without ``last_reviewed`` keeps the stored review date."""
    errors: dict[str, list[str]] = {}
    stored = None
    for code, row in measures.items():
        if "last_reviewed" not in row:
            if stored is None:
                stored = {m.measure: m.last_reviewed for m in soft_target.measures.all()}
            row = {**row, "last_reviewed": stored.get(code)}
        try:
            services.soft_target_set_measure(soft_target=soft_target, by=by, measure=code, **row)
        except ValidationError as error:
            errors.update(_messages_of(error, f"measures.{code}."))
    return errors


def _set_scale_up(soft_target: SoftTarget, by, scale_up: dict[str, dict]) -> dict:
    """A level given without ``measures`` keeps its stored measures (only its notes or
    explanations change)."""
    if not scale_up:
        return {}
    if any("measures" not in step for step in scale_up.values()):
        stored = {
            step.level: list(step.measures)
            for step in ScaleUpStep.objects.filter(soft_target=soft_target)
        }
        scale_up = {
            level: step if "measures" in step else {"measures": stored.get(level, []), **step}
            for level, step in scale_up.items()
        }
    try:
        services.scale_up_replace(soft_target=soft_target, by=by, steps=scale_up)
    except ValidationError as error:
        return _messages_of(error, "scale_up.")
    return {}


@transaction.atomic
def soft_target_register(
    *, by, measures: dict[str, dict], scale_up: dict[str, dict] | None = None, **fields
) -> SoftTarget:
    """Register a soft target with its measures (``{measure: {"status": …, "last_reviewed": …,
    "evidence": …}}``). Its scale-up scenario starts from the sector's measure packages;
    ``scale_up`` (as in ``soft_target_register_update``) tailors it at once."""
    target = services.soft_target_create(by=by, **fields)
    errors = _set_measures(target, by, measures)
    errors.update(_set_scale_up(target, by, scale_up or {}))
    if errors:
        raise ValidationError(errors)
    return target


@transaction.atomic
def soft_target_register_update(
    *,
    soft_target: SoftTarget,
    by,
    changes: dict,
    measures: dict[str, dict],
    scale_up: dict[str, dict],
) -> SoftTarget:
    """Change a soft target, its measures and its scale-up scenario (``{level: {"measures": […],
    "notes": …, "omissions": {measure: reason}}}``) together; what is left out stays as it is
    (no ``changes``: the target's own fields are not touched). Every refusal is collected
    before anything is rolled back."""
    _require_may_change(by, soft_target)
    errors: dict[str, list[str]] = {}
    if changes:
        try:
            services.soft_target_update(soft_target=soft_target, by=by, **changes)
        except ValidationError as error:
            errors.update(_messages_of(error))
    errors.update(_set_measures(soft_target, by, measures))
    errors.update(_set_scale_up(soft_target, by, scale_up))
    if errors:
        raise ValidationError(errors)
    return soft_target
