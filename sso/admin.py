"""NCTV staff approve the rules that map a provider's claim to an organisation."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sso.models import ExternalIdentity, OrganisationRule


@admin.register(OrganisationRule)
class OrganisationRuleAdmin(admin.ModelAdmin):
    list_display = ["issuer", "claim", "value", "organisation", "role", "approved_at"]
    list_select_related = ["organisation"]
    list_filter = ["issuer", "role"]
    readonly_fields = ["approved_by", "approved_at"]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected rules"))
    def approve(self, request, queryset):
        queryset.filter(approved_at__isnull=True).update(
            approved_by=request.user, approved_at=timezone.now()
        )


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["issuer", "subject", "user", "created_at"]
    list_select_related = ["user"]
    show_full_result_count = False
    search_fields = ["subject", "user__username"]
    autocomplete_fields = ["user"]
