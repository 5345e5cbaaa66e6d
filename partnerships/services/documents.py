"""Checks on uploaded documents: a real PDF, parsed (never judged by its name or first bytes),
not encrypted, without active content, and no larger than ``DOCUMENT_MAX_BYTES``.

Parsing with pypdf proves the file is a PDF a reader can open: a cross-reference table, a
catalog, at least one page. A file that merely starts with ``%PDF-`` (an HTML page, a script)
fails. Encrypted PDFs are refused (they cannot be checked, and colleagues could not open them
without the password); so are PDFs that run JavaScript or launch programs when opened or
clicked, the usual way a PDF carries an attack.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

PDF_MAGIC = b"%PDF-"
# Actions that run something: JavaScript, another program, a form submitted elsewhere.
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}
MAX_ACTION_CHAIN = 50  # /Next chains and nested dictionaries are walked this deep at most

logger = logging.getLogger(__name__)


def _refuse(field: str, message: str, code: str):
    raise ValidationError({field: ValidationError(message, code=code)})


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _has_active_action(action, depth: int = 0) -> bool:
    """An action dictionary (or a list of them, or an /AA dictionary of them) that runs
    something, following /Next chains."""
    action = _resolved(action)
    if depth > MAX_ACTION_CHAIN or action is None:
        return False
    if isinstance(action, ArrayObject):
        return any(_has_active_action(a, depth + 1) for a in action)
    if not isinstance(action, DictionaryObject):
        return False
    if action.get("/S") in ACTIVE_ACTIONS or "/JS" in action:
        return True
    if "/Next" in action and _has_active_action(action["/Next"], depth + 1):
        return True
    if "/S" not in action:  # an additional-actions (/AA) dictionary: trigger -> action
        return any(_has_active_action(a, depth + 1) for a in action.values())
    return False


def _runs_something(reader: PdfReader) -> bool:
    catalog = reader.trailer["/Root"]
    if _has_active_action(catalog.get("/OpenAction")) or _has_active_action(catalog.get("/AA")):
        return True
    names = _resolved(catalog.get("/Names"))
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        return True
    for page in reader.pages:
        if _has_active_action(page.get("/AA")):
            return True
        for annotation in _resolved(page.get("/Annots")) or []:
            annotation = _resolved(annotation)
            if isinstance(annotation, DictionaryObject) and (
                _has_active_action(annotation.get("/A"))
                or _has_active_action(annotation.get("/AA"))
            ):
                return True
    return False


def check_pdf(upload, *, field: str = "document") -> None:
    """``ValidationError`` keyed ``field`` unless ``upload`` is a PDF we accept; the file's
    position is left at its start."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        _refuse(
            field,
            _("The document is too large: at most %(mb)s MB is allowed.")
            % {"mb": limit // (1024 * 1024)},
            "too_large",
        )
    not_pdf = _("The document is not a PDF file. Upload the signed document as PDF.")
    upload.seek(0)
    if not upload.read(1024).startswith(PDF_MAGIC):
        upload.seek(0)
        _refuse(field, not_pdf, "not_pdf")
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            _refuse(
                field,
                _("The PDF is protected with a password; upload it without protection."),
                "encrypted",
            )
        if len(reader.pages) < 1:
            raise PyPdfError("no pages")
        active = _runs_something(reader)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
        logger.info("PDF upload refused: %s", error)
        _refuse(
            field,
            _("The PDF cannot be read: it is damaged or not a PDF. Save it again as PDF."),
            "broken_pdf",
        )
    finally:
        upload.seek(0)
    if active:
        _refuse(
            field,
            _("The PDF contains scripts or actions that start programs; upload it without them."),
            "active_content",
        )
