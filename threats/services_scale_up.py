"""Writes on a soft target's scale-up scenario, with the rule that it climbs: a higher level of
the target's own authority (ATb for a Dutch target, OCAM/OCAD for a Belgian one) takes at least
the measures of the levels below it, unless each omission is explained
(``threats.rules.scale_up_unexplained``). The admin, the API and the dashboard all write here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from threats.jurisdictions import authority_for, scale_up_level_label, scale_up_levels
from threats.models import Measure, ScaleUpStep, SoftTarget
from threats.rules import ScaleUpOmission, scale_up_unexplained
from threats.services_checks import _check_codes, _require_may_change


def omission_message(omission: ScaleUpOmission) -> str:
    return _(
        "At “%(level)s”, “%(measure)s” is missing although “%(asked_at)s” asks for it: add it, "
        "or explain why it is not needed at the higher level."
    ) % {
        "level": scale_up_level_label(omission.level),
        "measure": Measure(omission.measure).label,
        "asked_at": scale_up_level_label(omission.asked_at),
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
    levels = own_levels(soft_target)
    if any(not scale_up_level_label(level) for level in steps):  # no authority's level
        raise ValidationError({"level": _("Unknown alert level.")})
    unknown = [level for level in steps if level not in levels]
    if unknown:  # another authority's level
        raise ValidationError(
            {
                "level": _(
                    "“%(levels)s” is not a level of this target's own authority (%(authority)s); "
                    "its scenario uses: %(own)s."
                )
                % {
                    "levels": ", ".join(sorted(str(level) for level in unknown)),
                    "authority": authority_for(soft_target.jurisdiction).name,
                    "own": ", ".join(levels),
                }
            },
            code="scale_up_level_of_other_jurisdiction",
        )
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
    _check_climbs(current, changed=set(steps), levels=levels)
    return written


def own_levels(soft_target: SoftTarget) -> list[str]:
    """The levels ``soft_target``'s scenario climbs, lowest first: its jurisdiction's."""
    return [value for value, _label in scale_up_levels(soft_target.jurisdiction)]


def _check_climbs(steps: dict[str, ScaleUpStep], *, changed: set[str], levels: list[str]) -> None:
    """Only what the write touches is refused: a scenario started from a sector's package that
    does not climb is not held against an operator who changes another level."""
    scenario = {
        level: {"measures": step.measures, "omissions": step.omissions}
        for level, step in steps.items()
    }
    errors: dict[str, list[str]] = {}
    for omission in scale_up_unexplained(scenario, levels):
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
