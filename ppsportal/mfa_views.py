"""The second-factor pages: verify a signed-in staff session, and enrol an authenticator."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ppsportal import mfa


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def verify(request):
    user = request.user
    if not mfa.second_factor_required(user) or mfa.session_is_verified(user, request.session):
        return redirect(_next(request))
    if not mfa.has_second_factor(user):
        return redirect(f"{reverse('mfa-enrol')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if mfa.verify(request=request, user=user, token=form.cleaned_data["otp_token"]):
            return redirect(_next(request))
        form.add_error(
            "otp_token",
            _("That code is not right, or was used already. Try the next code from your app."),
        )
    return render(request, "ppsportal/mfa_verify.html", {"form": form, "next": _next(request)})


@never_cache
@sensitive_post_parameters("otp_token")
@login_required
def enrol(request):
    user = request.user
    if not mfa.second_factor_required(user):
        return redirect("home")
    if mfa.has_second_factor(user):
        # A new authenticator only through an administrator: never around the one enrolled.
        return redirect(f"{reverse('mfa-verify')}?{request.GET.urlencode()}")
    device = mfa.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = mfa.enrol_confirm(request=request, user=user, token=form.cleaned_data["otp_token"])
        if codes is not None:
            return render(
                request,
                "ppsportal/mfa_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("otp_token", _("That code is not right. Try the next code from your app."))
    return render(
        request,
        "ppsportal/mfa_enrol.html",
        {
            "form": form,
            "secret": _grouped(_base32(device.bin_key)),
            "config_url": device.config_url,
            "next": _next(request),
        },
    )


def _base32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode("ascii").rstrip("=")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
