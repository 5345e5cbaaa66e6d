"""Admin for organisations and memberships. Saving goes through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnerships.models import Membership, Organisation
from partnerships.services import organisations as org_services
from ppsportal.admin.base import ReadOnlyInlineMixin, StaffAdmin


class MembershipInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "role", "created_at"]
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(StaffAdmin):
    list_display = [
        "name",
        "kind",
        "sector",
        "region",
        "municipality",
        "country",
        "jurisdiction",
        "is_nctv",
    ]
    list_filter = ["kind", "sector", "country", "jurisdiction", "is_nctv"]
    search_fields = ["name", "registration_number", "municipality", "region"]
    readonly_fields = ["public_id", "group", "created_at"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            org_services.organisation_update(organisation=obj, **fields)
        else:
            created = org_services.organisation_create(**form.cleaned_data)
            obj.pk, obj.public_id, obj.group = created.pk, created.public_id, created.group


@admin.register(Membership)
class MembershipAdmin(StaffAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_select_related = ["user", "organisation"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["public_id", "created_at"]
    actions = ["end_memberships"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "user", "organisation"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            org_services.membership_change_role(membership=obj, role=form.cleaned_data["role"])
        else:
            created = org_services.membership_create(
                user=form.cleaned_data["user"],
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
            obj.pk, obj.public_id = created.pk, created.public_id

    def delete_model(self, request, obj):
        org_services.membership_end(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            org_services.membership_end(membership=membership)

    @admin.action(description=_("End the selected memberships (signs the users out everywhere)"))
    def end_memberships(self, request, queryset):
        self.delete_queryset(request, queryset)
