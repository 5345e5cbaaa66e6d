"""The user admin with the data subjects' rights: NCTV administrators export a person's data as
JSON and anonymise users who left (``ppsportal.privacy``)."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from ppsportal.privacy import personal_data_export, user_anonymise

User = get_user_model()


class PrivacyUserAdmin(UserAdmin):
    actions = ["export_personal_data", "anonymise"]
    show_full_result_count = False  # the users grow with the partners

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("export_personal_data", None)
            actions.pop("anonymise", None)
        return actions

    @admin.action(description=_("Export personal data (JSON)"))
    def export_personal_data(self, request, queryset):
        try:
            data = [
                personal_data_export(user=u, by=request.user, request=request) for u in queryset
            ]
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response

    @admin.action(description=_("Anonymise (users who left)"))
    def anonymise(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                user_anonymise(user=user, by=request.user, request=request)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
                )
                continue
            done += 1
        if done:
            self.message_user(
                request, _("%(count)s user(s) anonymised.") % {"count": done}, messages.SUCCESS
            )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PrivacyUserAdmin)
