"""The portal's threat picture as STIX 2.1 objects, built with the ``stix2`` library.

Mapping (docs/integrations.md has the table):
- a threat assessment is a ``report`` (``report_types: threat-report``); an alert is a ``report``
  too (``report_types: threat-report``, ``x_pps_kind: alert``), both with the portal's public id
  in the STIX id, so a re-import or a second pull recognises them;
- each motive is a ``threat-actor`` (``threat_actor_types: terrorist``), each modus operandi an
  ``attack-pattern``, the producing organisation an ``identity`` (``identity_class:
  organization``); their ids are derived from the code, so the same motive is one object
  across reports;
- target categories travel as ``x_pps_target_categories`` (sector codes) and as ``labels``;
- the TLP level is the official STIX TLP 2.0 marking definition; the covenants under which the
  caller received an AMBER+ object are ``statement`` markings beside it.
Nothing here decides who may see what: callers pass objects already filtered by the selectors.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import stix2
from django.utils import translation

from ppsportal.sensitivity import TLP
from threats.models import AssessmentFacet, ModusOperandi, Motive

# A fixed namespace for the ids derived from the portal's codes and public ids.
NAMESPACE = uuid.UUID("6f1c2a4e-9b7d-5c3e-8a21-0d4b6e8f9a10")

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CREATED = "2022-10-01T00:00:00.000Z"

# The official STIX TLP 2.0 marking definitions (OASIS cti-stix-common-objects).
TLP_MARKING_IDS = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_TLP_2_NAMES = {
    TLP.CLEAR: "clear",
    TLP.GREEN: "green",
    TLP.AMBER: "amber",
    TLP.AMBER_STRICT: "amber+strict",
    TLP.RED: "red",
}
LEVEL_OF_MARKING = {marking: level for level, marking in TLP_MARKING_IDS.items()}


def derived_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{stix_type}:{key}')}"


def report_id(public_id) -> str:
    return f"report--{public_id}"


def tlp_marking(level: str) -> stix2.MarkingDefinition:
    """The official TLP 2.0 marking definition object for a portal level."""
    return stix2.MarkingDefinition(
        id=TLP_MARKING_IDS[level],
        created=TLP_CREATED,
        name=f"TLP:{_TLP_2_NAMES[level].upper()}",
        extensions={
            TLP_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": _TLP_2_NAMES[level],
            }
        },
        allow_custom=True,
    )


def covenant_marking(covenant) -> stix2.MarkingDefinition:
    """A covenant as a statement marking: the terms under which the object was shared."""
    statement = (
        f"Shared under the covenant '{covenant.title}' of the PPS Portal "
        f"(covenant id {covenant.public_id}); handle it by that covenant's information clause."
    )
    return stix2.MarkingDefinition(
        id=derived_id("marking-definition", f"covenant:{covenant.public_id}"),
        created=covenant.created_at,
        definition_type="statement",
        definition=stix2.StatementMarking(statement=statement),
    )


# Fixed, so an identity, actor or pattern is the same object in every report and every pull.
_FIXED_CREATED = "2026-01-01T00:00:00.000Z"


def organisation_identity(organisation) -> stix2.Identity:
    return stix2.Identity(
        id=derived_id("identity", str(organisation.public_id)),
        name=organisation.name,
        identity_class="organization",
        created=_FIXED_CREATED,
        modified=_FIXED_CREATED,
    )


def motive_actor(code: str) -> stix2.ThreatActor:
    return stix2.ThreatActor(
        id=derived_id("threat-actor", f"motive:{code}"),
        name=_english(Motive, code),
        threat_actor_types=["terrorist"],
        primary_motivation="ideology",
        created=_FIXED_CREATED,
        modified=_FIXED_CREATED,
        x_pps_motive=code,
        allow_custom=True,
    )


def modus_pattern(code: str) -> stix2.AttackPattern:
    return stix2.AttackPattern(
        id=derived_id("attack-pattern", f"modus:{code}"),
        name=_english(ModusOperandi, code),
        created=_FIXED_CREATED,
        modified=_FIXED_CREATED,
        x_pps_modus_operandi=code,
        allow_custom=True,
    )


def _english(choices, code: str) -> str:
    with translation.override("en"):
        return str(choices(code).label)


def _markings(level: str, covenants: Iterable) -> list[str]:
    return [TLP_MARKING_IDS[level], *(covenant_marking(c).id for c in covenants)]


def assessment_objects(assessment, *, covenants: Iterable = ()) -> list:
    """The report of an assessment and the objects it refers to (with ``facets`` and
    ``target_categories`` prefetched, as ``assessments_visible_to`` gives them)."""
    covenants = list(covenants)
    identity = organisation_identity(assessment.owner_organisation)
    facets = sorted(assessment.facets.all(), key=lambda f: (f.kind, f.code))
    actors = [motive_actor(f.code) for f in facets if f.kind == AssessmentFacet.Kind.MOTIVE]
    patterns = [modus_pattern(f.code) for f in facets if f.kind == AssessmentFacet.Kind.MODUS]
    categories = sorted(s.code for s in assessment.target_categories.all())
    optional = {"labels": [f"target-category:{code}" for code in categories]} if categories else {}
    report = stix2.Report(
        id=report_id(assessment.public_id),
        name=assessment.title,
        description=assessment.summary,
        report_types=["threat-report"],
        published=assessment.created_at,
        created=assessment.created_at,
        modified=assessment.created_at,
        created_by_ref=identity.id,
        object_refs=[identity.id, *(a.id for a in actors), *(p.id for p in patterns)],
        object_marking_refs=_markings(assessment.tlp, covenants),
        x_pps_kind="threat-assessment",
        x_pps_body=assessment.body,
        x_pps_target_categories=categories,
        x_pps_regions=list(assessment.regions),
        x_pps_valid_from=assessment.valid_from.isoformat(),
        x_pps_valid_until=assessment.valid_until.isoformat() if assessment.valid_until else None,
        allow_custom=True,
        **optional,
    )
    return [report, identity, *actors, *patterns, *(covenant_marking(c) for c in covenants)]


def alert_objects(alert, *, covenants: Iterable = ()) -> list:
    """The report of an alert and its sender's identity."""
    covenants = list(covenants)
    identity = organisation_identity(alert.owner_organisation)
    moment = alert.published_at or alert.created_at
    report = stix2.Report(
        id=report_id(alert.public_id),
        name=alert.headline,
        description=alert.description,
        report_types=["threat-report"],
        published=moment,
        created=alert.created_at,
        modified=moment,
        created_by_ref=identity.id,
        object_refs=[identity.id],
        object_marking_refs=_markings(alert.tlp, covenants),
        x_pps_kind="alert",
        x_pps_status=alert.status,
        x_pps_atb_level=alert.atb_level,
        x_pps_instruction=alert.instruction,
        allow_custom=True,
    )
    return [report, identity, *(covenant_marking(c) for c in covenants)]


def bundle(objects: Iterable) -> stix2.Bundle:
    """One bundle: each object once (by id), the TLP markings it uses included."""
    unique: dict[str, object] = {}
    for obj in objects:
        unique.setdefault(obj.id, obj)
    for obj in list(unique.values()):
        for marking in getattr(obj, "object_marking_refs", []):
            level = LEVEL_OF_MARKING.get(marking)
            if level is not None:
                unique.setdefault(marking, tlp_marking(level))
    return stix2.Bundle(objects=list(unique.values()), allow_custom=True)
