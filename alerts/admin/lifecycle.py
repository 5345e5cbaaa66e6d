"""The steps of an alert's life as admin pages: approve, publish, update, cancel, all clear.

Each step is a button on the alert's page that opens a confirmation page (GET writes nothing);
its form POSTs, with the CSRF token, and calls the one service of the step. A refusal comes back
as an error message on the alert's page, with the service's own words; the service's
transaction has undone whatever it began. The publish (and approve) page shows the audience
preview before the button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import modelform_factory
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts import policy, services
from alerts.admin.forms import ALERT_FIELDS, AlertUpdateForm
from alerts.channels.messages import drill_mark
from alerts.models import Alert
from alerts.models.deliveries import Channel
from alerts.preview import audience_preview
from ppsportal.admin.base import add_refusal, fresh

Status = Alert.Status


@dataclass(frozen=True)
class Step:
    name: str  # the last part of the step's address
    label: Promise
    question: Promise
    done: Promise  # "%(headline)s" is the alert's headline
    call: Callable | None = None  # the service: call(alert=, by=) -> Alert
    preview: bool = False
    warning: Promise | None = None


STEPS = {
    step.name: step
    for step in [
        Step(
            name="approve",
            label=_("Approve"),
            question=_(
                "Approve this alert? Approval is the second pair of eyes: you confirm its text, "
                "level and audience. Publishing is a separate step."
            ),
            done=_("Approved: %(headline)s."),
            call=services.alert_approve,
            preview=True,
        ),
        Step(
            name="publish",
            label=_("Publish"),
            question=_("Publish this alert now to the audience below?"),
            done=_("Published: %(headline)s."),
            call=services.alert_publish,
            preview=True,
            warning=_(
                "Publishing cannot be undone: the messages go out at once. Afterwards you can "
                "update the alert, cancel it or give the all clear."
            ),
        ),
        Step(
            name="update",
            label=_("Update"),
            question=_(
                "Write a new version of this alert. It is saved as a draft that refers to this "
                "one; once approved and published it replaces this version."
            ),
            done=_("New version saved as a draft: %(headline)s. A colleague approves it."),
        ),
        Step(
            name="all-clear",
            label=_("All clear"),
            question=_(
                "Give the all clear for this alert? It ends; messages not yet sent are not sent."
            ),
            done=_("All clear given: %(headline)s."),
            call=services.alert_all_clear,
        ),
        Step(
            name="cancel",
            label=_("Cancel alert"),
            question=_(
                "Cancel this alert? It ends; messages not yet sent are not sent. An approved "
                "alert is withdrawn before anyone sees it."
            ),
            done=_("Cancelled: %(headline)s."),
            call=services.alert_cancel,
        ),
    ]
}


def drill_badge(alert: Alert):
    """Exercise and test alerts carry their mark in capitals, in colour; actual ones their kind."""
    mark = drill_mark(alert)
    if not mark:
        return alert.get_kind_display()
    return format_html('<strong style="color:#b35900">{}</strong>', mark)


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or gettext("You may not do this.")


def preview_context(alert: Alert) -> dict:
    preview = audience_preview(alert)
    return {
        "preview": preview,
        "preview_channels": [(Channel(c).label, n) for c, n in preview["channels"].items()],
        "preview_map": {
            "area": preview["area"],
            "targets": preview["area_targets"],
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    }


class AlertLifecycleMixin:
    """For ``AlertAdmin``: the step pages and the buttons that lead to them."""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [
            path(
                "<path:object_id>/update/",
                self.admin_site.admin_view(self.update_view),
                name="{}_{}_update".format(*info),
            )
        ]
        urls += [
            path(
                f"<path:object_id>/{step.name}/",
                self.admin_site.admin_view(partial(self.step_view, step=step)),
                name="{}_{}_{}".format(*info, step.name.replace("-", "_")),
            )
            for step in STEPS.values()
            if step.call is not None
        ]
        return [*urls, *super().get_urls()]

    # --- helpers ----------------------------------------------------------------------------

    def step_url(self, alert: Alert, step: str) -> str:
        return reverse(f"admin:alerts_alert_{step.replace('-', '_')}", args=[alert.pk])

    def alert_url(self, alert: Alert) -> str:
        return reverse("admin:alerts_alert_change", args=[alert.pk])

    def alert_tools(self, alert: Alert, actor) -> list[dict]:
        """The step buttons for the alert's page: the steps ``alerts.policy.allowed_steps``
        offers; the service refuses the rest with its message."""
        tools = [
            {"url": self.step_url(alert, step), "label": STEPS[step].label}
            for step in policy.allowed_steps(actor, alert)
        ]
        tools.append(
            {
                "url": reverse("admin:alerts_alert_add") + f"?copy_of={alert.pk}",
                "label": _("New draft from this one"),
            }
        )
        return tools

    def _alert_or_404(self, request, object_id) -> Alert:
        alert = self.get_object(request, unquote(object_id))
        if alert is None or not self.has_view_permission(request, alert):
            raise Http404
        return alert

    def _page(self, request, alert, template, **context):
        self.audit_reads(request, [alert])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": alert,
            "alert_url": self.alert_url(alert),
            "kind_badge": drill_badge(alert),
            **context,
        }
        return TemplateResponse(request, f"admin/alerts/alert/{template}", context)

    # --- approve, publish, all clear, cancel --------------------------------------------------

    def step_view(self, request, object_id, step: Step):
        alert = self._alert_or_404(request, object_id)
        if request.method == "POST":
            try:
                alert = step.call(alert=alert, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, refusal_text(exc), messages.ERROR)
                return HttpResponseRedirect(self.alert_url(alert))
            self.log_change(request, alert, str(step.label))
            self.message_user(request, step.done % {"headline": alert.headline}, messages.SUCCESS)
            return HttpResponseRedirect(self.alert_url(alert))
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "POST"])
        return self._page(
            request,
            alert,
            "confirm.html",
            title=f"{step.label}: {alert.headline}",
            step=step,
            **(preview_context(alert) if step.preview else {}),
        )

    # --- update -------------------------------------------------------------------------------

    def update_form_class(self, request):
        return modelform_factory(
            Alert,
            form=AlertUpdateForm,
            fields=list(ALERT_FIELDS),
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
        )

    def update_view(self, request, object_id):
        alert = self._alert_or_404(request, object_id)
        form_class = self.update_form_class(request)
        if request.method == "POST":
            form = form_class(request.POST, instance=fresh(alert))
            if form.is_valid():
                try:
                    new = services.alert_update(alert=alert, by=request.user, **form.changes())
                except ValidationError as exc:
                    add_refusal(form, exc)
                except PermissionDenied as exc:
                    self.message_user(request, refusal_text(exc), messages.ERROR)
                    return HttpResponseRedirect(self.alert_url(alert))
                else:
                    self.log_addition(request, new, [{"added": {}}])
                    done = STEPS["update"].done % {"headline": new.headline}
                    self.message_user(request, done, messages.SUCCESS)
                    return HttpResponseRedirect(self.alert_url(new))
        elif request.method in ("GET", "HEAD"):
            form = form_class(instance=alert)
        else:
            return HttpResponseNotAllowed(["GET", "POST"])
        adminform = helpers.AdminForm(form, self.get_fieldsets(request), {}, model_admin=self)
        return self._page(
            request,
            alert,
            "update.html",
            title=gettext("Update: %(headline)s") % {"headline": alert.headline},
            step=STEPS["update"],
            adminform=adminform,
            errors=helpers.AdminErrorList(form, []),
            media=self.media + adminform.media,
        )
