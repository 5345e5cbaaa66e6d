"""What the partnerships app holds about a person (``ppsportal.privacy``): their membership
and the contact-log entries they wrote."""

from __future__ import annotations

from partnerships.models import ContactEntry, Membership


def personal_data(user) -> dict:
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    entries = ContactEntry.objects.filter(created_by=user).select_related("partnership")
    return {
        "membership": {
            "organisation": membership.organisation.name,
            "role": membership.role,
            "since": membership.created_at.isoformat(),
        }
        if membership is not None
        else None,
        "contact_entries_written": [
            {
                "id": str(entry.public_id),
                "partnership": entry.partnership.name,
                "occurred_on": entry.occurred_on.isoformat(),
                "kind": entry.kind,
                "summary": entry.summary,
                "tlp": entry.tlp,
            }
            for entry in entries
        ],
    }


def anonymise(user) -> None:
    """The user leaves their organisation (group, sessions and tokens go with it)."""
    from partnerships.services.organisations import membership_end

    membership = Membership.objects.filter(user=user).first()
    if membership is not None:
        membership_end(membership=membership)
