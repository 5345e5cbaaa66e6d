"""Text is text: the API refuses a JSON number where its schema says string.

DRF's ``CharField`` turns ``0`` into ``"0"``; the OpenAPI schema promises a string, so a client
sending ``{"rationale": 0}`` has made a mistake the API should name, not hide. Installed once,
for every ``CharField`` (and its subclasses: e-mail, slug, URL, regex fields), when the portal
starts (``ppsportal.apps``). Multipart and form input are text anyway.

A missing boolean is missing: DRF reads an absent ``BooleanField`` in form or multipart input as
``False`` (an unticked HTML checkbox), so a form-encoded ``PUT`` without its required
``enabled`` switched a channel off. The API has no HTML checkboxes: absent means absent, and a
required field says so.
"""

from __future__ import annotations

from rest_framework import fields

_lenient = fields.CharField.to_internal_value


def _strict(self, data):
    if not isinstance(data, str):
        self.fail("invalid")
    return _lenient(self, data)


def install() -> None:
    fields.CharField.to_internal_value = _strict
    fields.BooleanField.default_empty_html = fields.empty
