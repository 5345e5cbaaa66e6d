"""Private downloads: a stored file the caller has checked may be seen, sent as an attachment.

One helper for every face that hands out an uploaded file (covenant PDFs, measure evidence, report
attachments): typed by its checked kind, never sniffed, never cached, and a file gone from storage
answers 404 like a missing object.
"""

from __future__ import annotations

from django.http import FileResponse, Http404


def private_download(field_file, *, filename: str, content_type: str) -> FileResponse:
    """``field_file`` as a private download named ``filename``. The caller has checked that its
    owner is visible to the user (and records the read)."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
