"""The words of every channel, in one place: what each recipient may read, and the drill mark.

CLEAR and GREEN alerts travel in full; AMBER and above say only that there is an alert and
where to sign in to read it. Exercise and test alerts are marked as such in every text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ppsportal.sensitivity import TLP


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    short: str  # for SMS


def alert_url(alert) -> str:
    return f"{settings.SITE_URL}/alerts/{alert.public_id}/"


def drill_mark(alert) -> str:
    """'EXERCISE' or 'TEST' for drills, empty for an actual alert."""
    if alert.kind == "exercise":
        return _("EXERCISE")
    if alert.kind == "test":
        return _("TEST")
    return ""


def marked(alert, text: str) -> str:
    mark = drill_mark(alert)
    return f"[{mark}] {text}" if mark else text


def may_travel_in_full(alert) -> bool:
    return TLP.is_open(alert.tlp)


def reader_language(user) -> str:
    """The language ``user`` reads alerts in: their choice, else the default (Dutch)."""
    from alerts.models import ReaderLanguage

    if user is None:
        return settings.LANGUAGE_CODE
    chosen = ReaderLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def delivery_language(delivery) -> str:
    """``reader_language`` of the delivery's recipient: read with the row when the engine loaded
    a batch (``recipient_language``, the recipient's choice or nothing), else asked."""
    if hasattr(delivery, "recipient_language"):
        return delivery.recipient_language or settings.LANGUAGE_CODE
    return reader_language(delivery.recipient)


def text_in(alert, name: str, language: str) -> str:
    """The alert's ``name`` text in ``language``: the English one when asked and written, else
    the Dutch (which every alert has)."""
    if language == "en":
        return getattr(alert, f"{name}_en", "") or getattr(alert, name)
    return getattr(alert, name)


def missing_translation(alert, language: str) -> bool:
    """Asked for English, but the alert was written in Dutch only."""
    return language == "en" and not alert.headline_en


def notice(alert, language: str | None = None, organisation=None) -> Message:
    """The alert's notice for a reader of ``organisation``: under another authority than the
    NCTV, the ATb level is labelled as the NCTV's and their own authority's level stands beside
    it (``threats.selectors.level_context_for``)."""
    from threats.selectors import level_context_for

    language = language or settings.LANGUAGE_CODE
    context = level_context_for(organisation)
    with translation.override(language):
        headline = text_in(alert, "headline", language)
        own_line = [context.own_line] if context.foreign else []
        params = {
            "level": context.atb(alert.get_atb_level_display()),
            "tlp": TLP(alert.tlp).label,
            "url": alert_url(alert),
            "headline": headline,
        }
        lines = []
        if missing_translation(alert, language):
            lines += [_("(This alert was written in Dutch only.)"), ""]
        if alert.kind == "exercise":
            lines += [_("THIS IS AN EXERCISE. Take only the measures the exercise asks for."), ""]
        elif alert.kind == "test":
            lines += [_("THIS IS A TEST. Take no measures."), ""]
        if alert.previous_id:
            lines += [
                _("UPDATE (version %(version)s) of an alert sent to you before.")
                % {"version": alert.version},
                "",
            ]
        if may_travel_in_full(alert):
            subject = _("Alert: %(headline)s") % params
            lines += [
                f"{params['tlp']} — {headline}",
                _("Alert level: %(level)s") % params,
                *own_line,
                "",
                text_in(alert, "description", language),
            ]
            if alert.instruction:
                lines += ["", _("What to do:"), text_in(alert, "instruction", language)]
            lines += ["", _("Acknowledge in the portal: %(url)s") % params]
            short = _("Alert (%(level)s): %(headline)s — %(url)s") % params
        else:
            subject = _("New alert (%(tlp)s)") % params
            lines += [
                _("A new alert at %(tlp)s, level %(level)s, has been sent to your organisation.")
                % params,
                *own_line,
                _("Sign in to read it: %(url)s") % params,
            ]
            short = _("New alert (%(tlp)s, %(level)s). Sign in to read it: %(url)s") % params
        if alert.previous_id:
            subject = _("Update: %(subject)s") % {"subject": subject}
            short = _("Update: %(subject)s") % {"subject": short}
        return Message(
            subject=marked(alert, subject), body="\n".join(lines), short=marked(alert, short)
        )


def ended(alert, purpose: str, language: str | None = None) -> Message:
    """The alert is cancelled, or the all clear is given: to everyone it reached."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        params = {
            "url": alert_url(alert),
            "tlp": TLP(alert.tlp).label,
            "headline": text_in(alert, "headline", language),
        }
        cancelled = purpose == "cancel"
        if may_travel_in_full(alert):
            if cancelled:
                subject = _("Cancelled: %(headline)s") % params
                first = _('The alert "%(headline)s" has been cancelled. Disregard it.') % params
            else:
                subject = _("All clear: %(headline)s") % params
                first = _('All clear for the alert "%(headline)s": the threat is over.') % params
        elif cancelled:
            subject = _("Alert cancelled (%(tlp)s)") % params
            first = _("An alert at %(tlp)s sent to your organisation has been cancelled.") % params
        else:
            subject = _("All clear (%(tlp)s)") % params
            first = _("All clear for an alert at %(tlp)s sent to your organisation.") % params
        more = _("Details in the portal: %(url)s") % params
        return Message(
            subject=marked(alert, subject),
            body=f"{first}\n\n{more}",
            short=marked(alert, f"{subject} — {params['url']}"),
        )


def reminder(alert, organisation) -> Message:
    """Escalation step 1: no content, only that acknowledgement is overdue."""
    with translation.override(settings.LANGUAGE_CODE):
        params = {"organisation": organisation.name, "url": alert_url(alert)}
        text = _("%(organisation)s has not yet acknowledged an alert. Sign in: %(url)s") % params
        return Message(
            subject=marked(alert, text), body=marked(alert, text), short=marked(alert, text)
        )


def duty_officer(alert, organisations) -> Message:
    """Escalation step 2: to the NCTV duty officer, naming who is silent."""
    with translation.override(settings.LANGUAGE_CODE):
        names = ", ".join(sorted(o.name for o in organisations))
        text = _("Not acknowledged after the second deadline: %(names)s. Alert: %(url)s") % {
            "names": names or "-",
            "url": alert_url(alert),
        }
        return Message(
            subject=marked(alert, text), body=marked(alert, text), short=marked(alert, text)
        )


def unreachable(alert, steps) -> Message:
    """At publication, to the NCTV duty officer: the recipient organisations nobody can be told
    of, each with the reason."""
    with translation.override(settings.LANGUAGE_CODE):
        names = "; ".join(
            sorted(f"{s.organisation.name} ({s.get_reason_display()})" for s in steps)
        )
        text = _("Unreachable for this alert, nobody there is told: %(names)s. Alert: %(url)s") % {
            "names": names or "-",
            "url": alert_url(alert),
        }
        return Message(
            subject=marked(alert, text), body=marked(alert, text), short=marked(alert, text)
        )


def for_delivery(delivery) -> Message:
    from alerts.models import Delivery, EscalationStep

    alert = delivery.alert
    if delivery.purpose == Delivery.Purpose.REMINDER:
        return reminder(alert, delivery.organisation)
    if delivery.purpose in (Delivery.Purpose.DUTY_OFFICER, Delivery.Purpose.UNREACHABLE):
        steps = EscalationStep.objects.filter(
            alert=alert, step=EscalationStep.Step.DUTY_OFFICER
        ).select_related("organisation")
        if delivery.purpose == Delivery.Purpose.UNREACHABLE:
            return unreachable(alert, steps.exclude(reason=""))
        return duty_officer(alert, [e.organisation for e in steps.filter(reason="")])
    if delivery.purpose in (Delivery.Purpose.CANCEL, Delivery.Purpose.ALL_CLEAR):
        return ended(alert, delivery.purpose, delivery_language(delivery))
    return notice(alert, delivery_language(delivery), delivery.organisation)
