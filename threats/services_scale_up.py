"""Writes on a soft target's scale-up scenario, with the rule that it climbs: a higher ATb level
takes at least the measures of the levels below it, unless each omission is explained
(``threats.rules.scale_up_unexplained``). The admin, the API and the dashboard all write here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from threats.models import AlertLevel, Measure, ScaleUpStep, SoftTarget
from threats.rules import ScaleUpOmission, scale_up_unexplained
from threats.services import _check_codes, _require_may_change


def omission_message(omission: ScaleUpOmission) -> str:
    return _(
        "At “%(level)s”, “%(measure)s” is missing although “%(asked_at)s” asks for it: add it, "
        "or explain why it is not needed at the higher level."
    ) % {
        "level": AlertLevel(omission.level).label,
        "measure": Measure(omission.measure).label,
        "asked_at": AlertLevel(omission.asked_at).label,
    }


def _check_omissions(omissions, measures: list[str]) -> dict[str, str]:
    """The explanations given, by measure code; blank ones and those for a measure the level
    takes after all are dropped."""
    if not isinstance(omissions, dict):
        raise ValidationError({"omissions": _("Give the explanations by measure.")})
    _check_codes(list(omissions), Measure.values, "omissions")
    return {
        code: str(reason).strip()
        for code, reason in omissions.items()
        if code not in measures and str(reason or "").strip()
    }


@transaction.atomic
def scale_up_replace(*, soft_target: SoftTarget, by, steps: dict[str, dict]) -> list[ScaleUpStep]:
    """The operator tailors several ATb levels at once: ``{level: {"measures": [...],
    "notes": "...", "omissions": {measure: reason}}}``; notes and omissions left out are kept.

    Refused, naming the measure and the levels, when the scenario would then drop a measure on
    the way up without an explanation (under the key of the level that drops it)."""
    _require_may_change(by, soft_target)
    unknown = [level for level in steps if level not in AlertLevel.values]
    if unknown:
        raise ValidationError({"level": _("Unknown alert level.")})
    current = {step.level: step for step in ScaleUpStep.objects.filter(soft_target=soft_target)}
    written = []
    for level, given in steps.items():
        step = current.get(level) or ScaleUpStep(soft_target=soft_target, level=level)
        step.measures = _check_codes(given.get("measures"), Measure.values, "measures")
        if "notes" in given:
            step.notes = given["notes"] or ""
        omissions = given.get("omissions", step.omissions)
        step.omissions = _check_omissions(omissions or {}, step.measures)
        step.save()
        current[level] = step
        written.append(step)
    _check_climbs(current, changed=set(steps))
    return written


def _check_climbs(steps: dict[str, ScaleUpStep], *, changed: set[str]) -> None:
    """Only what the write touches is refused: a scenario started from a sector's package that
    does not climb is not held against an operator who changes another level."""
    scenario = {
        level: {"measures": step.measures, "omissions": step.omissions}
        for level, step in steps.items()
    }
    errors: dict[str, list[str]] = {}
    for omission in scale_up_unexplained(scenario):
        if omission.level in changed or omission.asked_at in changed:
            errors.setdefault(omission.level, []).append(omission_message(omission))
    if errors:
        raise ValidationError(errors, code="scale_up_drops_measure")


def scale_up_set(
    *,
    soft_target: SoftTarget,
    by,
    level: str,
    measures: list[str],
    notes: str = "",
    omissions: dict[str, str] | None = None,
) -> ScaleUpStep:
    """The operator tailors what the target takes at one ATb level."""
    step = {"measures": measures, "notes": notes}
    if omissions is not None:
        step["omissions"] = omissions
    return scale_up_replace(soft_target=soft_target, by=by, steps={level: step})[0]
