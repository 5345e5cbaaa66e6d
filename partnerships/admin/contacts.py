"""Admin for the contact log, follow-up actions and cost sharing. Writes go through the services
(``partnerships.services.contacts``); the forms validate by dry-running the same calls."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.models import Action, ContactEntry, CostItem, CostShare
from partnerships.selectors import actor_for
from partnerships.services import contacts as contact_services
from partnerships.sharing.admin import ShareableAdminMixin
from partnerships.sharing.reads import read_many
from ppsportal.admin.base import (
    LockedWhenSavedForm,
    ReadOnlyInlineMixin,
    ServiceAdmin,
    ServiceFormSet,
    ServiceInline,
    fresh,
)
from ppsportal.transactions import dry_run

# --- Follow-up actions --------------------------------------------------------------------------


class ActionForm(LockedWhenSavedForm):
    # An action's text, owner and due date are fixed once saved; only done/open changes.
    locked = ("partnership", "contact", "description", "owner", "due_on")

    class Meta:
        model = Action
        fields = ["partnership", "contact", "description", "owner", "due_on", "done_on"]


def _action_write(form, partnership, contact):
    """Create a new action or record an existing one done/open, through the services."""
    data = form.cleaned_data
    if form.instance.pk is None:
        action = contact_services.action_create(
            partnership=partnership,
            contact=contact,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        if data.get("done_on"):
            contact_services.action_set_done(action=action, on=data["done_on"])
        return ("new", action)
    if "done_on" in form.changed_data:
        action = contact_services.action_set_done(
            action=fresh(form.instance), done=data["done_on"] is not None, on=data["done_on"]
        )
        return ("changed", action, ["done_on"])
    return None


class ActionFormSet(ServiceFormSet):
    """Actions of a partnership, or of a contact-log entry (then of its partnership)."""

    def _targets(self, parent):
        if isinstance(parent, ContactEntry):
            return parent.partnership, parent
        return parent, None

    def write_row(self, form, parent):
        partnership, contact = self._targets(parent)
        return _action_write(form, partnership, contact)

    def check_unsaved(self, form, parent):
        # A new contact-log entry: check the action against its partnership, without the entry.
        if isinstance(parent, ContactEntry) and parent.partnership_id:
            refusal = dry_run(lambda: _action_write(form, parent.partnership, None))
            if refusal is not None:
                raise refusal


class PartnershipActionInline(ServiceInline):
    model = Action
    form = ActionForm
    formset = ActionFormSet
    fk_name = "partnership"
    fields = ["description", "owner", "due_on", "done_on", "contact"]
    readonly_fields = ["contact"]
    autocomplete_fields = ["owner"]


class ContactActionInline(ServiceInline):
    model = Action
    form = ActionForm
    formset = ActionFormSet
    fk_name = "contact"
    fields = ["description", "owner", "due_on", "done_on"]
    autocomplete_fields = ["owner"]
    verbose_name = _("follow-up action")
    verbose_name_plural = _("follow-up actions")


class ActionStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(done_on__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(done_on__isnull=True, due_on__lt=timezone.localdate())
        if self.value() == "done":
            return queryset.filter(done_on__isnull=False)
        return queryset


@admin.register(Action)
class ActionAdmin(ServiceAdmin):
    form = ActionForm
    list_display = ["description", "partnership", "owner", "due_on", "done_on", "is_overdue"]
    list_filter = [ActionStateFilter, "partnership__region", "partnership"]
    search_fields = ["description", "partnership__name", "owner__name"]
    date_hierarchy = "due_on"
    autocomplete_fields = ["partnership", "contact", "owner"]
    list_select_related = ["partnership", "owner"]
    readonly_fields = ["public_id", "created_at"]
    actions = ["mark_done"]

    def get_fields(self, request, obj=None):
        fields = ["partnership", "contact", "description", "owner", "due_on", "done_on"]
        return [*fields, "public_id", "created_at"] if obj else fields

    @admin.display(description=_("overdue"), boolean=True)
    def is_overdue(self, obj):
        return obj.done_on is None and obj.due_on < timezone.localdate()

    def write(self, request, obj, data, changed):
        if obj is None:
            action = contact_services.action_create(
                partnership=data["partnership"],
                contact=data.get("contact"),
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
            if data.get("done_on"):
                contact_services.action_set_done(action=action, on=data["done_on"])
            return action
        if "done_on" in changed:
            done_on = data["done_on"]
            return contact_services.action_set_done(
                action=obj, done=done_on is not None, on=done_on
            )
        return obj

    @admin.action(description=_("Mark the selected actions done today"))
    def mark_done(self, request, queryset):
        count = 0
        for action in queryset.filter(done_on__isnull=True):
            contact_services.action_set_done(action=action)
            count += 1
        self.message_user(request, gettext("Actions marked done: %(count)d.") % {"count": count})


# --- Contact log --------------------------------------------------------------------------------


class ContactEntryForm(forms.ModelForm):
    class Meta:
        model = ContactEntry
        fields = ["partnership", "occurred_on", "kind", "participants", "summary", "tlp"]


@admin.register(ContactEntry)
class ContactEntryAdmin(ShareableAdminMixin, ServiceAdmin):
    """A logged contact is a record: it is added here and read, not rewritten; its follow-up
    actions can still be added and marked done."""

    form = ContactEntryForm
    list_display = ["occurred_on", "partnership", "kind", "tlp", "owner_organisation", "parties"]
    list_select_related = ["partnership", "owner_organisation"]
    list_filter = ["kind", "tlp", "partnership__region", "partnership"]
    search_fields = ["summary", "partnership__name", "owner_organisation__name"]
    date_hierarchy = "occurred_on"
    autocomplete_fields = ["partnership", "participants"]
    inlines = [ContactActionInline]
    fields = ["partnership", "occurred_on", "kind", "participants", "summary", "tlp"]
    record_fields = ["owner_organisation", "created_by", "created_at", "public_id"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("partnership", "owner_organisation")
            .prefetch_related("participants")
        )

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.record_fields] if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields, *self.record_fields] if obj else []

    @admin.display(description=_("participating organisations"))
    def parties(self, obj):
        return ", ".join(org.name for org in obj.participants.all())

    def write(self, request, obj, data, changed):
        if obj is not None:
            return obj  # read-only once logged
        return contact_services.contact_create(
            partnership=data["partnership"],
            by=request.user,
            occurred_on=data["occurred_on"],
            kind=data["kind"],
            summary=data["summary"],
            participants=list(data["participants"]),
            tlp=data["tlp"],
        )

    # Every read of AMBER and above leaves a trace, in the admin as everywhere.
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            read_many(
                actor=actor_for(request.user), objects=changelist.result_list, request=request
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            read_many(actor=actor_for(request.user), objects=[original], request=request)
        return response


class ContactLinkInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The partnership's contact log, for reference; each entry opens on its own page (where
    reading it is audited), so no summary is shown here."""

    model = ContactEntry
    fields = ["occurred_on", "kind", "tlp", "owner_organisation"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner_organisation")


# --- Cost sharing -------------------------------------------------------------------------------


class CostItemForm(LockedWhenSavedForm):
    locked = ("description", "amount", "period_start", "period_end")

    class Meta:
        model = CostItem
        fields = ["partnership", "description", "amount", "period_start", "period_end"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            # cost_item_create's refusal, before the database constraint answers in its words
            self.add_error("period_end", gettext("The period cannot end before it starts."))
        return cleaned


def _cost_item_create(data, partnership):
    return contact_services.cost_item_create(
        partnership=partnership,
        description=data["description"],
        amount=data["amount"],
        period_start=data["period_start"],
        period_end=data["period_end"],
    )


class CostItemFormSet(ServiceFormSet):
    def write_row(self, form, parent):
        if form.instance.pk is None:
            return ("new", _cost_item_create(form.cleaned_data, parent))
        return None  # a saved cost item is fixed; delete it and add it anew


class CostItemInline(ServiceInline):
    model = CostItem
    form = CostItemForm
    formset = CostItemFormSet
    fields = ["description", "amount", "period_start", "period_end"]


class CostShareFormSet(ServiceFormSet):
    """The allocation key is written as a whole by ``cost_allocation_set``: the percentages
    must add up to exactly 100, and the admin refuses with the service's message."""

    delete_rows = False

    def write_row(self, form, parent):
        return None

    def write_all(self, parent, rows):
        contact_services.cost_allocation_set(
            partnership=parent,
            shares=[(row["organisation"], row["percentage"]) for row in rows],
            by=self.request.user,
        )


class CostShareInline(ServiceInline):
    model = CostShare
    formset = CostShareFormSet
    fields = ["organisation", "percentage"]
    autocomplete_fields = ["organisation"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request  # the key is written by this user (the service checks them)
        return formset


@admin.register(CostItem)
class CostItemAdmin(ServiceAdmin):
    """Cost items are added and deleted; a saved item is not rewritten (no service changes one)."""

    form = CostItemForm
    list_display = ["description", "partnership", "amount", "period_start", "period_end"]
    list_filter = ["partnership__region", "partnership"]
    search_fields = ["description", "partnership__name"]
    date_hierarchy = "period_start"
    autocomplete_fields = ["partnership"]
    list_select_related = ["partnership"]
    readonly_fields = ["public_id"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = ["partnership", "description", "amount", "period_start", "period_end"]
        return [*fields, "public_id"] if obj else fields

    def write(self, request, obj, data, changed):
        if obj is not None:
            return obj
        return _cost_item_create(data, data["partnership"])


def cost_overview_html(summary) -> str:
    """The partnership's costs and each party's share, from ``selectors.cost_summary``."""
    if not summary["shares"]:
        return format_html(
            "<p>{}: € {}</p><p>{}</p>",
            gettext("Total costs"),
            summary["total"],
            gettext("There is no allocation key yet."),
        )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{} %</td><td>€ {}</td></tr>",
        (
            (share["organisation"].name, share["percentage"], share["amount"])
            for share in summary["shares"]
        ),
    )
    return format_html(
        "<p>{}: € {}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        gettext("Total costs"),
        summary["total"],
        gettext("Party"),
        gettext("Share"),
        gettext("Amount"),
        rows,
    )
