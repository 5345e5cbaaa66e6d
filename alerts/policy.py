"""The rules about alerts that every face asks, as pure functions over an actor and an alert.

Services enforce them (``alerts.services``); the dashboard, the board, the API serializers and
views and the admin buttons read them; nothing else restates them. Where a rule also has an SQL
form (the channel choice in ``alerts.fanout``), that form is built from the values here and a
test compares both on the same data (``tests/alerts/test_policy.py``). The table of rules and
their functions is in ``docs/architecture.md``.

- the lifecycle: ``allowed_steps``, ``step_refusal`` and the refusal codes (``refusal``,
  ``CONFLICT_CODES``, which the API answers with 409);
- the acknowledgement: ``may_acknowledge``, ``acknowledge_refusal``, ``ack_deadline``,
  ``is_overdue``, ``escalation_due``;
- the channel choice: ``effective_channel``, ``built_in_enabled``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alerts.models import DEFAULT_CHANNELS, Alert
from partnerships import policy as partnerships_policy
from partnerships.roles import Capability

Status = Alert.Status

# --- refusals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefusalKind:
    message: str
    conflict: bool  # the alert's state refuses it (API: 409), not the input (API: 400)


REFUSALS: dict[str, RefusalKind] = {
    "not_draft": RefusalKind(_("Only a draft can be approved."), conflict=True),
    "four_eyes": RefusalKind(
        _("You wrote this alert; another staff member must approve it."), conflict=True
    ),
    "not_approved": RefusalKind(
        _("Only an approved alert can be published; a second staff member approves first."),
        conflict=True,
    ),
    "not_published": RefusalKind(_("Only a published alert can be updated."), conflict=True),
    "has_update": RefusalKind(
        _("This alert already has a newer version; update that one."), conflict=True
    ),
    "wrong_status": RefusalKind(
        _("This alert is %(status)s and cannot become %(new)s."), conflict=True
    ),
    "not_open": RefusalKind(
        _("This alert is %(status)s; it no longer needs acknowledging."), conflict=True
    ),
    "not_open_report": RefusalKind(
        _("This alert is %(status)s; its status can no longer be reported."), conflict=True
    ),
    "no_change": RefusalKind(
        _("Nothing changed: a new version needs at least one different field."), conflict=False
    ),
}

# A code the services raise may differ from the registry key when two messages share one code.
_RAISED_AS = {"not_open_report": "not_open"}

# The codes the API answers with 409 Conflict; derived, so a new state refusal cannot be left out.
CONFLICT_CODES = frozenset(
    _RAISED_AS.get(name, name) for name, kind in REFUSALS.items() if kind.conflict
)


def refusal(code: str, **params) -> ValidationError:
    """The ``ValidationError`` a service raises for ``code``, with its message in the request
    language."""
    kind = REFUSALS[code]
    message = str(kind.message)  # translated now, in the request's language
    if params:
        message = message % params
    return ValidationError(message, code=_RAISED_AS.get(code, code))


require_staff = partnerships_policy.require_nctv_staff  # 403 for anyone but NCTV staff


# --- the lifecycle ---------------------------------------------------------------------------


class Step(StrEnum):
    APPROVE = "approve"
    PUBLISH = "publish"
    UPDATE = "update"
    ALL_CLEAR = "all-clear"
    CANCEL = "cancel"
    EXPIRE = "expire"  # by the clock, never a button


# From which statuses each step may be taken, and the code that refuses it from any other.
STEP_FROM: dict[Step, tuple[tuple[str, ...], str]] = {
    Step.APPROVE: ((Status.DRAFT,), "not_draft"),
    Step.PUBLISH: ((Status.APPROVED,), "not_approved"),
    Step.UPDATE: ((Status.PUBLISHED,), "not_published"),
    Step.ALL_CLEAR: ((Status.PUBLISHED,), "wrong_status"),
    Step.CANCEL: ((Status.DRAFT, Status.APPROVED, Status.PUBLISHED), "wrong_status"),
    Step.EXPIRE: ((Status.PUBLISHED,), "wrong_status"),
}
STEP_TO = {
    Step.ALL_CLEAR: Status.ALL_CLEAR,
    Step.CANCEL: Status.CANCELLED,
    Step.EXPIRE: Status.EXPIRED,
}
BUTTONS = (Step.APPROVE, Step.PUBLISH, Step.UPDATE, Step.ALL_CLEAR, Step.CANCEL)


def _state_refusal(alert: Alert, step: Step) -> ValidationError | None:
    statuses, code = STEP_FROM[step]
    if alert.status in statuses:
        return None
    if code == "wrong_status":
        new = Status(STEP_TO[step]).label
        return refusal(code, status=alert.get_status_display(), new=new)
    return refusal(code)


def step_refusal(actor, alert: Alert, step: Step) -> ValidationError | None:
    """Why ``actor`` may not take ``step`` on ``alert`` now (``None``: they may). Staff status
    is checked apart (``require_staff``: 403); four eyes: the author does not approve."""
    problem = _state_refusal(alert, step)
    own_draft = actor is not None and alert.author_id == actor.user.pk
    if problem is None and step == Step.APPROVE and own_draft:
        return refusal("four_eyes")
    return problem


def allowed_steps(actor, alert: Alert) -> list[Step]:
    """The step buttons NCTV staff see on the alert (board and admin), in their order: those
    the alert's state allows. The author still sees "approve" on their own draft, with the
    four-eyes note; taking it is refused with that message (``step_refusal``)."""
    if actor is None or not actor.is_nctv_staff:
        return []
    return [step for step in BUTTONS if _state_refusal(alert, step) is None]


def check_step(actor, alert: Alert, step: Step) -> None:
    problem = step_refusal(actor, alert, step)
    if problem is not None:
        raise problem


# --- the acknowledgement ---------------------------------------------------------------------


def may_acknowledge(actor) -> bool:
    """Who may acknowledge an alert for their organisation: a user whose role may write
    (administrator, member, integrator) of a recipient organisation. Not a viewer, even when a
    colleague already acknowledged (decided in docs/permissions.md); never NCTV staff, who send
    alerts and do not receive them. Being a recipient is the read door's question (404)."""
    return (
        actor.organisation is not None and not actor.is_nctv_staff and actor.can(Capability.WRITE)
    )


def may_report_status(actor) -> bool:
    """A status report back follows the same rule as the acknowledgement."""
    return may_acknowledge(actor)


def acknowledge_refusal(alert: Alert) -> ValidationError | None:
    """An ended alert needs no acknowledgement (409); a repeat is answered with the first."""
    if alert.status != Status.PUBLISHED:
        return refusal("not_open", status=alert.get_status_display())
    return None


def ack_window(alert: Alert) -> timedelta:
    """How long the recipients have to acknowledge, from publication."""
    return timedelta(minutes=alert.ack_deadline_minutes)


def ack_deadline(alert: Alert) -> datetime | None:
    """When the recipient organisations should have acknowledged: publication plus the
    alert's ``ack_deadline_minutes`` (``None`` before publication)."""
    if alert.published_at is None:
        return None
    return alert.published_at + ack_window(alert)


def is_overdue(alert: Alert, now: datetime) -> bool:
    """Past the deadline while published: an ended alert needs no answer."""
    deadline = ack_deadline(alert)
    return alert.status == Status.PUBLISHED and deadline is not None and now > deadline


def escalation_due(alert: Alert) -> tuple[datetime, datetime] | None:
    """When the escalation steps fall due: the reminder at the deadline, the duty officers at
    twice the deadline after publication."""
    deadline = ack_deadline(alert)
    if deadline is None:
        return None
    return deadline, alert.published_at + 2 * (deadline - alert.published_at)


# --- the channel choice ----------------------------------------------------------------------


class Source(StrEnum):
    USER = "user"
    ORGANISATION = "organisation"
    DEFAULT = "default"


def built_in_enabled(channel: str) -> bool:
    """The built-in choice for a channel: in-app and email on, the others off."""
    return channel in DEFAULT_CHANNELS


def effective_channel(
    channel: str, *, preference: bool | None, organisation_default: bool | None
) -> tuple[bool, Source]:
    """Whether a user receives on ``channel``, and why: their own preference, else their
    organisation's default, else the built-in choice. ``alerts.fanout`` says the same in SQL
    (``COALESCE(preference, default, built-in)``); a test compares both."""
    if preference is not None:
        return preference, Source.USER
    if organisation_default is not None:
        return organisation_default, Source.ORGANISATION
    return built_in_enabled(channel), Source.DEFAULT


# --- versions --------------------------------------------------------------------------------

# An update that changes nothing makes no new version: ``partnerships.policy.changed_fields``,
# shared with the covenants (``no_change`` above).
changed_fields = partnerships_policy.changed_fields
