"""PDF files for tests, made with pypdf: a real one-page PDF, and kinds an upload refuses."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    return writer


def real_pdf() -> bytes:
    return _bytes(_one_page())


def encrypted_pdf() -> bytes:
    writer = _one_page()
    writer.encrypt(user_password="geheim", owner_password="geheim")
    return _bytes(writer)


def javascript_pdf() -> bytes:
    """Document-level JavaScript (the /Names /JavaScript tree), run when the file opens."""
    writer = _one_page()
    script = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('pwned');"),
        }
    )
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    return _bytes(writer)


def open_action_launch_pdf() -> bytes:
    writer = _one_page()
    launch = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return _bytes(writer)


PDF = real_pdf()
