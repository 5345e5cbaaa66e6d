"""The dashboard's document library: the NCTV's guidance with its versions and the reader's own
read receipt (NCTV staff also see who read the current version), and the documents of the
reader's partnerships by their TLP level. Files are served only through these views, never at
a public URL; a document the reader may not see answers 404, and AMBER+ reads are audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partnerships.forms import add_service_errors
from partnerships.policy import require
from partnerships.selectors import actor_for
from partnerships.sharing.reads import read_many, read_one
from ppsportal.pagination import paginate
from preparedness import selectors_library as library
from preparedness import services_library
from preparedness.forms import PartnershipDocumentForm
from threats.services_reports import private_file_response

DOCUMENTS_ON_PAGE = 100


@login_required
@require_safe
def library_index(request):
    actor = actor_for(request.user)
    page = paginate(request, library.guidance_visible_to(actor).order_by("kind", "title", "id"))
    guidance = [(g, library.current_of(g), library.read_current(g)) for g in page.object_list]
    documents = list(
        library.partnership_documents_visible_to(actor)
        .select_related("uploaded_by")
        .order_by("partnership__name", "-created_at", "-id")[:DOCUMENTS_ON_PAGE]
    )
    read_many(actor, documents, request=request)
    return render(
        request,
        "preparedness/library.html",
        {
            "guidance": guidance,
            "page": page,
            "documents": documents,
            "may_upload": _upload_partnerships(actor).exists(),
        },
    )


def _guidance(actor, public_id):
    guidance = library.guidance_visible_to(actor).filter(public_id=public_id).first()
    if guidance is None:
        raise Http404
    return guidance


@login_required
@require_safe
def guidance_detail(request, public_id):
    actor = actor_for(request.user)
    guidance = _guidance(actor, public_id)
    readers = list(library.guidance_readers(guidance)) if actor.is_nctv_staff else None
    return render(
        request,
        "preparedness/guidance_detail.html",
        {
            "guidance": guidance,
            "current": library.current_of(guidance),
            "read": library.read_current(guidance),
            "readers": readers,
        },
    )


@login_required
@require_safe
def guidance_download(request, public_id):
    """The current version; downloading it is reading it (a receipt is recorded)."""
    actor = actor_for(request.user)
    guidance = _guidance(actor, public_id)
    version = library.current_of(guidance)
    if version is None:
        raise Http404
    services_library.guidance_mark_read(guidance=guidance, by=request.user)
    return private_file_response(
        version.file,
        kind=version.file_kind,
        name=f"guidance-{guidance.public_id}-v{version.number}",
    )


@login_required
@require_POST
def guidance_read(request, public_id):
    guidance = _guidance(actor_for(request.user), public_id)
    services_library.guidance_mark_read(guidance=guidance, by=request.user)
    messages.success(request, _("Marked as read."))
    return redirect("guidance-detail", public_id=guidance.public_id)


def _upload_partnerships(actor):
    return services_library.partnerships_to_upload_to(actor).order_by("name", "id")


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request):
    actor = actor_for(request.user)
    partnerships = _upload_partnerships(actor)
    require(partnerships.exists(), _("Only the partnership's parties may add documents to it."))
    posted = request.method == "POST"
    form = PartnershipDocumentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        partnerships=partnerships,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services_library.partnership_document_upload(
                partnership=data["partnership"],
                by=request.user,
                title=data["title"],
                description=data["description"],
                tlp=data["tlp"],
                upload=data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document has been added to the library."))
            return redirect("library")
    return render(request, "preparedness/document_form.html", {"form": form})


@login_required
@require_safe
def document_download(request, public_id):
    actor = actor_for(request.user)
    document = read_one(
        actor, library.partnership_documents_visible_to(actor), request=request, public_id=public_id
    )
    return private_file_response(
        document.file, kind=document.file_kind, name=f"document-{document.public_id}"
    )
