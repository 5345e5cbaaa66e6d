"""Checks on uploaded documents: type from the content, never the name; size limited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def check_pdf(upload, *, field: str = "document") -> None:
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                field: _("The document is too large: at most %(mb)s MB is allowed.")
                % {"mb": limit // (1024 * 1024)}
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(
            {field: _("The document is not a PDF file. Upload the signed document as PDF.")},
            code="not_pdf",
        )
