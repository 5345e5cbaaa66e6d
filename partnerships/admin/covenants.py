"""Admin for covenants, protocols and data-sharing agreements, with their signatories and tasks.
Writes go through ``partnerships.services.covenants``; the signed document is checked by
``partnerships.services.documents.check_pdf`` before anything is saved."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.models import Covenant, CovenantSignatory, CovenantTask
from partnerships.selectors import covenants_with_status
from partnerships.services import covenants as covenant_services
from partnerships.services import signing
from partnerships.services.documents import check_pdf
from partnerships.sharing.admin import ShareableAdminMixin
from ppsportal.admin.base import (
    LockedWhenSavedForm,
    ReadOnlyInlineMixin,
    ServiceAdmin,
    ServiceFormSet,
    ServiceInline,
)
from ppsportal.transactions import dry_run

COVENANT_FIELDS = (
    "kind",
    "title",
    "effective_from",
    "effective_until",
    "information_clause",
    "purpose",
    "retention_days",
)


def covenant_status_label(covenant, today=None) -> str:
    """The derived status, from prefetched signatories where the queryset has them."""
    status = covenant.status_on(today or timezone.localdate(), list(covenant.signatories.all()))
    return str(Covenant.Status(status).label)


def _messages(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def _stand_in_covenant(parent, **extra):
    """For an add page: check rows against a covenant created (and rolled back) from the
    parent form's values, since the covenant itself is not saved yet."""
    if not parent.partnership_id or parent.effective_from is None or not parent.title:
        return None
    return dry_run(
        lambda: covenant_services.covenant_create(
            partnership=parent.partnership,
            title=parent.title,
            effective_from=parent.effective_from,
            effective_until=parent.effective_until,
            **extra,
        )
    )


# --- Signatories --------------------------------------------------------------------------------


class SignatoryForm(LockedWhenSavedForm):
    # The organisation is fixed; a withdrawal date is recorded once. Signing is each party's own
    # act ("Sign for my organisation"), never a date typed in for another organisation.
    locked = ("organisation",)
    lock_once_set = ("withdrawn_on",)

    class Meta:
        model = CovenantSignatory
        fields = ["organisation", "withdrawn_on"]


class SignatoryFormSet(ServiceFormSet):
    def write_row(self, form, parent):
        data = form.cleaned_data
        organisation = data["organisation"]
        if form.instance.pk is None:
            if signing.is_signed(parent):
                raise ValidationError(
                    gettext(
                        "The parties of a signed covenant change only in a new version, "
                        "which every party signs again."
                    ),
                    code="signed_in_place",
                )
            signatory = covenant_services.covenant_add_signatory(
                covenant=parent, organisation=organisation
            )
            if data.get("withdrawn_on"):
                signatory = covenant_services.covenant_withdraw_signatory(
                    covenant=parent, organisation=organisation, withdrawn_on=data["withdrawn_on"]
                )
            return ("new", signatory)
        changed = [name for name in ("withdrawn_on",) if name in form.changed_data]
        signatory = None
        if "withdrawn_on" in changed and data.get("withdrawn_on"):
            signatory = covenant_services.covenant_withdraw_signatory(
                covenant=parent, organisation=organisation, withdrawn_on=data["withdrawn_on"]
            )
        return ("changed", signatory, changed) if signatory is not None else None

    def check_unsaved(self, form, parent):
        data = form.cleaned_data
        refusal = _stand_in_covenant(parent, signatories=[(data["organisation"], None)])
        if refusal is not None:
            raise refusal


class SignatoryInline(ServiceInline):
    model = CovenantSignatory
    form = SignatoryForm
    formset = SignatoryFormSet
    fields = ["organisation", "signed_on", "signed_by", "signed_at", "withdrawn_on"]
    readonly_fields = ["signed_on", "signed_by", "signed_at"]
    autocomplete_fields = ["organisation"]
    can_delete = False  # a party withdraws; its signature stays on record


# --- Tasks --------------------------------------------------------------------------------------


class TaskFormSet(ServiceFormSet):
    """Tasks per party are written as a whole by ``covenant_set_tasks``, in the order shown."""

    delete_rows = False

    def write_row(self, form, parent):
        return None

    def write_all(self, parent, rows):
        covenant_services.covenant_set_tasks(
            covenant=parent, tasks=[(row["organisation"], row["description"]) for row in rows]
        )

    def check_unsaved(self, form, parent):
        data = form.cleaned_data
        refusal = _stand_in_covenant(parent, tasks=[(data["organisation"], data["description"])])
        if refusal is not None:
            raise refusal


class TaskInline(ServiceInline):
    model = CovenantTask
    formset = TaskFormSet
    fields = ["organisation", "description"]
    autocomplete_fields = ["organisation"]


# --- Covenants ----------------------------------------------------------------------------------


class CovenantForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("signed document (PDF)"),
        required=False,
        help_text=_("PDF only, checked by its content; it replaces the document on file."),
    )

    class Meta:
        model = Covenant
        fields = ["partnership", *COVENANT_FIELDS]

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                check_pdf(upload, field="upload")
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return upload


class CovenantStatusFilter(admin.SimpleListFilter):
    """Status is derived from dates and signatures; filter on it as ``status_on`` derives it."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Covenant.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Covenant.Status.values:
            return covenants_with_status(queryset, self.value())
        return queryset


@admin.register(Covenant)
class CovenantAdmin(ShareableAdminMixin, ServiceAdmin):
    form = CovenantForm
    list_display = [
        "title",
        "partnership",
        "kind",
        "status_display",
        "effective_from",
        "effective_until",
        "information_clause",
        "has_document",
    ]
    list_select_related = ["partnership"]
    list_filter = ["kind", CovenantStatusFilter, "information_clause", "partnership__region"]
    search_fields = ["title", "purpose", "partnership__name"]
    date_hierarchy = "effective_until"
    autocomplete_fields = ["partnership"]
    inlines = [SignatoryInline, TaskInline]
    actions = ["sign_for_my_organisation", "terminate_today"]
    record_fields = [
        "status_display",
        "terminated_on",
        "document_display",
        "document_tlp",
        "document_owner",
        "public_id",
        "created_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partnership")
            .prefetch_related("signatories")
        )

    def get_fieldsets(self, request, obj=None):
        main = [
            "partnership",
            "kind",
            "title",
            "effective_from",
            "effective_until",
            "information_clause",
            "purpose",
            "retention_days",
            "upload",
        ]
        fieldsets = [(None, {"fields": main})]
        if obj is not None:
            fieldsets.append((_("Status and document"), {"fields": self.record_fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # A covenant stays with its partnership: no service moves it.
        return ["partnership", *self.record_fields] if obj else self.record_fields

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return covenant_status_label(obj)

    @admin.display(description=_("signed document"), boolean=True)
    def has_document(self, obj):
        return bool(obj.document)

    @admin.display(description=_("signed document"))
    def document_display(self, obj):
        if not obj.document:
            return gettext("No document on file.")
        uploaded = timezone.localtime(obj.document_uploaded_at) if obj.document_uploaded_at else ""
        try:
            url = reverse("covenant-document", args=[obj.public_id])
        except NoReverseMatch:
            return gettext("PDF on file, uploaded %(when)s.") % {"when": uploaded}
        return format_html('<a href="{}">{}</a> ({})', url, gettext("Download the PDF"), uploaded)

    def write(self, request, obj, data, changed):
        if obj is None:
            return signing.covenant_draft(
                by=request.user,
                partnership=data["partnership"],
                **{f: data[f] for f in COVENANT_FIELDS},
            )
        changes = {f: data[f] for f in changed if f in COVENANT_FIELDS}
        if not changes:
            return obj
        return signing.covenant_change(covenant=obj, by=request.user, **changes)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("upload")
        if upload:
            covenant_services.covenant_upload_document(covenant=obj, upload=upload, by=request.user)

    @admin.action(description=_("Sign the selected covenants for my organisation"))
    def sign_for_my_organisation(self, request, queryset):
        for covenant in queryset:
            try:
                signing.covenant_sign(covenant=covenant, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{covenant}: {' '.join(_messages(exc))}", messages.ERROR
                )
            else:
                self.message_user(
                    request, gettext("Signed: %(title)s.") % {"title": covenant.title}
                )

    @admin.action(description=_("Terminate the selected covenants today"))
    def terminate_today(self, request, queryset):
        for covenant in queryset:
            try:
                signing.covenant_end(covenant=covenant, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{covenant}: {' '.join(_messages(exc))}", messages.ERROR
                )
            else:
                self.message_user(
                    request, gettext("Terminated: %(title)s.") % {"title": covenant.title}
                )


class CovenantLinkInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The partnership's covenants, for reference; each opens on its own page."""

    model = Covenant
    fields = [
        "title",
        "kind",
        "status_display",
        "effective_from",
        "effective_until",
        "information_clause",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("signatories")

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return covenant_status_label(obj)
