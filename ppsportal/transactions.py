"""Transaction helpers that faces may use without opening a transaction themselves.

Services own their transaction; a face (view, API, admin, form) opens none. The one thing the
admin needs beyond calling a service is to learn, before saving, whether the service would
refuse: ``dry_run`` runs the call in a savepoint that is always rolled back and answers the
refusal, so the admin refuses exactly what the service refuses, with its message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction


class _RollBack(Exception):
    """Raised inside a dry run so that its savepoint is rolled back."""


def dry_run(call) -> ValidationError | None:
    """Run ``call`` in a savepoint that is always rolled back; return the refusal it raised."""
    try:
        with transaction.atomic():
            call()
            raise _RollBack
    except _RollBack:
        return None
    except ValidationError as exc:
        return exc
