"""Covenant-bound sharing: object-level access that lapses with the agreement.

- ``models``: abstract grant models (django-guardian's direct foreign-key permission models plus
  the covenant, who granted, when and why); each shareable model gets a concrete pair.
- ``registry``: which models are shareable and how (owner field, TLP field, open audience).
- ``selectors``: "which of these may this user see", in one query.
- ``services``: share, revoke, list shares, remove lapsed grants — the only writers of grants.
- ``drf`` and ``admin``: the API filter backend and permission class, the admin share/revoke.
See docs/permissions.md.
"""
