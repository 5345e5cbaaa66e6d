"""Share and revoke from the admin page of any shareable object, with the covenant check.

Use it on a ModelAdmin of a registered shareable model::

    class ContactEntryAdmin(ShareableAdminMixin, StaffAdmin): ...

The change page links to ``<id>/shares/``: the object's shares (valid or lapsed), a form to share
with an organisation or a user under a covenant, and a revoke button per share. Every write goes
through ``partnerships.sharing.services``; refusals show the service's message.

``AuditedReadsMixin`` leaves the trace of every read of AMBER and above on admin list and change
pages, as ``partnerships.sharing.drf.AuditSensitiveReadsMixin`` does in the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from partnerships.models import Covenant, Organisation
from partnerships.selectors import actor_for
from partnerships.sharing import services as sharing
from partnerships.sharing.reads import read_many
from partnerships.sharing.registry import spec_for


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label=_("Organisation"),
        help_text=_("For TLP:AMBER and TLP:AMBER+STRICT."),
    )
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True, membership__isnull=False),
        required=False,
        label=_("User"),
        help_text=_("For TLP:RED (or one named person)."),
    )
    covenant = forms.ModelChoiceField(queryset=Covenant.objects.all(), label=_("Covenant"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean(self):
        data = super().clean()
        if bool(data.get("organisation")) == bool(data.get("user")):
            raise ValidationError(_("Choose either an organisation or a user."))
        return data


class ShareableAdminMixin:
    change_form_template = "admin/partnerships/sharing/change_form.html"

    def get_urls(self):
        opts = self.model._meta
        shares = path(
            "<path:object_id>/shares/",
            self.admin_site.admin_view(self.shares_view),
            name=f"{opts.app_label}_{opts.model_name}_shares",
        )
        return [shares, *super().get_urls()]

    def shares_view(self, request, object_id):
        obj = self.get_object(request, object_id)  # None for a malformed id too, not a 500
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        spec = spec_for(obj)
        url = reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_shares",
            args=[obj.pk],
        )
        form = ShareForm(request.POST or None)
        if request.method == "POST" and "revoke" in request.POST:
            return self._revoke(request, obj, url)
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["organisation"] is not None:
                    sharing.share_with_organisation(
                        obj=obj,
                        organisation=form.cleaned_data["organisation"],
                        covenant=form.cleaned_data["covenant"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
                else:
                    sharing.share_with_user(
                        obj=obj,
                        user=form.cleaned_data["user"],
                        covenant=form.cleaned_data["covenant"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Shared."))
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": _("Shares of %(object)s") % {"object": obj},
            "form": form,
            "shares": sharing.shares_of(obj),
            "level": getattr(obj, spec.tlp_field),
        }
        return TemplateResponse(request, "admin/partnerships/sharing/shares.html", context)

    def _revoke(self, request, obj, url):
        kind, _sep, ident = request.POST["revoke"].partition(":")
        try:
            if kind == "organisation":
                sharing.revoke(
                    obj=obj,
                    organisation=Organisation.objects.get(pk=ident),
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
            else:
                sharing.revoke(
                    obj=obj,
                    user=get_user_model().objects.get(pk=ident),
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                    request=request,
                )
        except (Organisation.DoesNotExist, get_user_model().DoesNotExist, ValueError):
            raise Http404 from None
        messages.success(request, _("Share revoked."))
        return HttpResponseRedirect(url)


class AuditedReadsMixin:
    """Every read of AMBER and above leaves a trace, in the admin as everywhere: one
    ``sensitive.viewed`` entry for a list page, one for a change page."""

    def audit_reads(self, request, objects) -> None:
        read_many(actor=actor_for(request.user), objects=objects, request=request)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            self.audit_reads(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            self.audit_reads(request, [original])
        return response
