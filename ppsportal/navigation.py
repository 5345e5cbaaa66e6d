"""The portal's navigation, defined once: at most seven sections for anyone, each with its own
pages shown as a second row while one of them is open.

A section is marked current when the open page is one of its pages or belongs to it (a detail
page belongs to its list). Every page a section lists stays one click from the start page, so
the crawl of each persona still reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MAX_SECTIONS = 7


@dataclass(frozen=True)
class Page:
    label: str
    url_name: str
    # other pages (URL names) that are this page's own: its details, forms, settings
    owns: tuple[str, ...] = ()
    staff_only: bool = False
    admin_only: bool = False  # the organisation's administrators
    partner_only: bool = False  # not for NCTV staff, who have a page of their own instead

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def names(self) -> set[str]:
        return {self.url_name, *self.owns}


@dataclass(frozen=True)
class Section:
    key: str  # the template's handle: "alerts" carries the unread counter
    label: str
    pages: tuple[Page, ...]
    staff_only: bool = False
    admin_only: bool = False


@dataclass
class ShownSection:
    key: str
    label: str
    url: str
    current: bool
    pages: list[tuple[Page, bool]] = field(default_factory=list)  # (page, is the open page)


SECTIONS: tuple[Section, ...] = (
    Section("home", _("Home"), (Page(_("Home"), "home"),)),
    Section(
        "alerts",
        _("Alerts"),
        (
            Page(_("Alert board"), "alert-board", ("alert-board-detail",), staff_only=True),
            Page(_("Received alerts"), "alert-inbox", ("alert-detail", "alert-preferences")),
            Page(_("Write an alert"), "admin:alerts_alert_add", staff_only=True),
        ),
    ),
    Section(
        "partnerships",
        _("Partnerships"),
        (
            Page(_("Overview"), "partnership-overview", staff_only=True),
            Page(_("Partnerships"), "partnership-list", ("partnership-detail", "contact-create")),
            Page(_("Shared by us"), "shares-made", ("object-share",)),
            Page(_("Shared with us"), "shares-received", ("contact-detail",)),
        ),
    ),
    Section(
        "soft-targets",
        _("Soft targets"),
        (
            Page(_("Register overview"), "register-overview", staff_only=True),
            Page(
                _("Soft targets"),
                "soft-target-list",
                ("soft-target-detail", "soft-target-create", "soft-target-edit"),
            ),
            Page(_("Map"), "national-map", staff_only=True),
            Page(_("Map"), "soft-target-map", partner_only=True),
            Page(_("Preparedness"), "preparedness-overview", ("preparedness-detail",)),
        ),
    ),
    Section(
        "threats",
        _("Threats and reports"),
        (
            Page(_("Threat assessments"), "assessment-list", ("assessment-detail",)),
            Page(_("Report queue"), "report-queue", staff_only=True),
            Page(_("Reports"), "report-list", ("report-create", "report-detail")),
        ),
    ),
    Section(
        "organisation",
        _("Our organisation"),
        (
            Page(_("Who read our data"), "access-log"),
            Page(_("Our members"), "member-list"),
        ),
        admin_only=True,
    ),
    Section(
        "admin", _("Administration"), (Page(_("Administration"), "admin:index"),), staff_only=True
    ),
)


def _allowed(item, *, staff: bool, admin: bool) -> bool:
    partner_only = getattr(item, "partner_only", False)
    return (
        (staff or not item.staff_only)
        and (admin or not item.admin_only)
        and not (staff and partner_only)
    )


def navigation_for(actor, current: str | None = None) -> list[ShownSection]:
    """The sections ``actor`` sees, in order, with the one holding page ``current`` (a URL
    name) marked; a section links to its first page the actor may open."""
    if actor is None:
        return []
    staff = bool(actor.is_nctv_staff)
    admin = bool(actor.is_organisation_admin)
    shown = []
    for section in SECTIONS:
        if not _allowed(section, staff=staff, admin=admin):
            continue
        pages = [p for p in section.pages if _allowed(p, staff=staff, admin=admin)]
        if not pages:
            continue
        holding = current is not None and any(current in p.names() for p in pages)
        shown.append(
            ShownSection(
                key=section.key,
                label=str(section.label),
                url=pages[0].url,
                current=holding,
                pages=[(p, current in p.names()) for p in pages] if len(pages) > 1 else [],
            )
        )
    return shown
