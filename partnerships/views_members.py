"""Dashboard: an organisation's administrator manages its own people; an invitee accepts.

The rules are ``partnerships.services.members``; these views parse, call and render. Another
organisation's member is not found (404); a member who does not administer is refused (403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from partnerships.models import Role
from partnerships.selectors import actor_for
from partnerships.services import members as service
from ppsportal.pagination import paginate


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class AcceptForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


def _manager(request):
    actor = actor_for(request.user)
    if actor.organisation is None:
        raise Http404
    if not service.may_manage_members(actor, actor.organisation):
        raise PermissionDenied(_("Only your organisation's administrators manage its members."))
    return actor


def _member(actor, public_id):
    membership = service.members_managed_by(actor).filter(public_id=public_id).first()
    if membership is None:
        raise Http404
    return membership


def _refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request):
    actor = _manager(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.member_invite(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("member-list")
    page = paginate(request, service.members_managed_by(actor))
    return render(
        request,
        "partnerships/members.html",
        {
            "organisation": actor.organisation,
            "members": page.object_list,
            "page": page,
            "invitations": service.invitations_of(actor)[:20],
            "form": form,
            "roles": Role.choices,
        },
    )


@login_required
@require_POST
def member_role(request, public_id):
    membership = _member(_manager(request), public_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the organisation's roles."))
        return redirect("member-list")
    try:
        service.member_change_role(
            by=request.user, membership=membership, role=form.cleaned_data["role"], request=request
        )
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The role has been changed."))
    return redirect("member-list")


@login_required
@require_POST
def member_deactivate(request, public_id):
    membership = _member(_manager(request), public_id)
    try:
        service.member_deactivate(by=request.user, membership=membership, request=request)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The member has been deactivated."))
    return redirect("member-list")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = service.invitation_for_token(token)
    if invitation is None:
        return render(request, "partnerships/invitation_invalid.html", status=404)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.invitation_accept(token=token, request=request, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Welcome: sign in with your new username."))
            return redirect("login")
    return render(
        request, "partnerships/invitation_accept.html", {"invitation": invitation, "form": form}
    )
