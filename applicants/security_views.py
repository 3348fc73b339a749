"""The account's security pages: the second factor (code page, set-up, backup codes) and its status."""

from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workflows.access import Rule, require

from . import second_factor
from .forms import SecondFactorForm
from .ratelimit import rate_limited


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return None


@require(Rule.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
@rate_limited("login")
def second_factor_verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request) or "applicant_home")
    if not second_factor.has_device(request):
        return redirect("second_factor_enrol")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if second_factor.second_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request) or "applicant_home")
        form.add_error("token", _("This code is not correct or has expired. Wait for a new code and try again."))
    if form.errors:
        status = 400
    return render(request, "applicants/second_factor_verify.html", {"form": form, "next": _next_url(request) or ""},
                  status=status)


def _secret_text(device):
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@require(Rule.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """Set up the authenticator: the secret as text and as an otpauth link (no external QR service)."""
    try:
        device = second_factor.totp_enrol_start(user=request.user)
    except second_factor.SecondFactorRefused:
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("account_security")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = second_factor.totp_enrol_confirm(request=request, token=form.cleaned_data["token"])
        if codes is not None:
            return render(request, "applicants/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("This code is not correct. Check the time on your phone and try a new code."))
    if form.errors:
        status = 400
    return render(request, "applicants/second_factor_enrol.html", {
        "form": form, "secret": _secret_text(device), "otpauth_url": device.config_url,
        "mandatory": second_factor.mandatory_for(request.user), "next": _next_url(request) or "",
    }, status=status)


@require(Rule.AUTHENTICATED)
def account_security(request):
    user = request.user
    device = second_factor.authenticator_of(user)
    return render(request, "applicants/account_security.html", {
        "enabled": device is not None and device.confirmed,
        "mandatory": second_factor.mandatory_for(user),
        "backup_codes_left": second_factor.backup_codes_left(user),
        "disable_form": SecondFactorForm(),
    })


@require(Rule.AUTHENTICATED)
@require_POST
def backup_codes_regenerate(request):
    if not request.user.is_verified():
        messages.error(request, _("Set up your authenticator app first."))
        return redirect("account_security")
    codes = second_factor.backup_codes_generate(user=request.user)
    return render(request, "applicants/backup_codes.html", {"codes": codes, "next": None})


@require(Rule.AUTHENTICATED)
@require_POST
def second_factor_disable(request):
    """Switching it off asks for a current code, so a session left open cannot quietly remove it."""
    if second_factor.mandatory_for(request.user):
        messages.error(request, _("Staff accounts always need a second factor; it cannot be switched off."))
        return redirect("account_security")
    form = SecondFactorForm(request.POST)
    if form.is_valid() and second_factor.second_factor_verify(request=request, token=form.cleaned_data["token"]):
        second_factor.second_factor_disable(request=request)
        messages.success(request, _("The second factor is switched off for your account."))
        return redirect("account_security")
    if form.is_valid():
        form.add_error("token", _("This code is not correct or has expired. Wait for a new code and try again."))
    device = second_factor.authenticator_of(request.user)
    return render(request, "applicants/account_security.html", {
        "enabled": device is not None and device.confirmed, "mandatory": False,
        "backup_codes_left": second_factor.backup_codes_left(request.user), "disable_form": form,
    }, status=400)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login while locked (AXES_LOCKOUT_CALLABLE): a page saying for how long."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "applicants/locked_out.html", {"minutes": minutes}, status=429)
