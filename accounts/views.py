from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.forms import OTPTokenForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import audit_record
from core.forms import form_post, next_url

from . import services


@login_required
def password_change(request):
    """Change the password, then sign out everywhere (this session included)."""
    form = PasswordChangeForm(request.user, request.POST or None)

    def change():
        user = form.save()
        audit_record(action=AuditEvent.Action.PASSWORD_CHANGE, request=request, user=user)
        logout(request)

    if form_post(request, form, change, success=_("Your password was changed. Please log in with the new password.")):
        return redirect("login")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def otp_verify(request):
    """The second step of signing in for users with two-factor authentication."""
    form = OTPTokenForm(request.user, request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, request.user.otp_device)
        return redirect(next_url(request, "/"))
    return render(request, "registration/otp_verify.html", {"form": form})


@login_required
def two_factor_setup(request):
    """Office staff and admins may protect their account with a TOTP app (optional)."""
    if not request.user.is_office:
        raise PermissionDenied
    device = services.totp_device_pending(user=request.user)
    if request.method == "POST":
        if services.totp_device_confirm(user=request.user, device=device, token=request.POST.get("token", "")):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("home")
        messages.error(request, _("That code is not right. Check the time on your phone and try again."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "qr_svg": image.to_string(encoding="unicode"),
            "secret": b32encode(device.bin_key).decode(),
            "confirmed": confirmed,
        },
    )
