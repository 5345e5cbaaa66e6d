"""Writing the demo soft targets, their measures and scale-up tailoring through the services."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile

from partnerships.demo import demo_pdf
from partnerships.models import Organisation
from partnerships.services import organisations as org_services
from threats import services
from threats.demo.cases import case_targets
from threats.demo.generated import EXTRA_OPERATORS, generated_targets
from threats.models import Sector, SoftTarget


def _operators(organisations: dict) -> dict[str, Organisation]:
    operators = dict(organisations)
    for name, kind, sector in EXTRA_OPERATORS:
        existing = Organisation.objects.filter(name=name).first()
        operators[name] = existing or org_services.organisation_create(
            name=name, kind=kind, sector=sector, region="Nationaal", municipality="Den Haag"
        )
    return operators


def _resolve(fields: dict, partnerships: dict, sectors: dict) -> dict:
    resolved = dict(fields)
    resolved["category"] = sectors[fields["category"]]
    if "partnership" in fields:
        resolved["partnership"] = partnerships[fields["partnership"]]
    return resolved


def _soft_target(spec, operators, users, partnerships, sectors, today) -> SoftTarget:
    by = users[spec["by"]]
    operator = operators[spec["operator"]]
    fields = _resolve(spec["fields"], partnerships, sectors)
    target = SoftTarget.objects.filter(operator=operator, name=fields["name"]).first()
    if target is None:
        target = services.soft_target_create(by=by, operator=operator, **fields)
    else:
        changes = {k: v for k, v in fields.items() if getattr(target, k) != v}
        if changes:
            target = services.soft_target_update(soft_target=target, by=by, **changes)
    rows = {row.measure: row for row in target.measures.all()}
    for measure, status, days_ago in spec["measures"]:
        reviewed = today - timedelta(days=days_ago) if days_ago is not None else None
        row = rows.get(measure)
        evidence = None
        if spec.get("evidence") == measure and not (row and row.evidence):
            evidence = ContentFile(demo_pdf(), name="ontruimingsplan.pdf")
        if row is None or (row.status, row.last_reviewed) != (status, reviewed) or evidence:
            services.soft_target_set_measure(
                soft_target=target,
                by=by,
                measure=measure,
                status=status,
                last_reviewed=reviewed,
                evidence=evidence,
            )
    steps = {step.level: step for step in target.scale_up.all()}
    for level, (measures, notes) in spec.get("scale_up", {}).items():
        step = steps.get(level)
        if step is None or (step.measures, step.notes) != (measures, notes):
            services.scale_up_set(
                soft_target=target, by=by, level=level, measures=measures, notes=notes
            )
    return target


def seed_soft_targets(ctx, today: date) -> dict[str, SoftTarget]:
    users, partnerships = ctx.objects["users"], ctx.objects["partnerships"]
    operators = _operators(ctx.objects["organisations"])
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    targets = {}
    for spec in case_targets(today) + generated_targets(today):
        target = _soft_target(spec, operators, users, partnerships, sectors, today)
        targets[target.name] = target
    return targets
