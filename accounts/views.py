import tempfile
import uuid
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.forms import OTPTokenForm
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import FILE_LANGUAGE, apply_print_layout
from core.forms import form_post, next_url
from core.pagination import paginate, querystring_without_page

from . import access, imports, selectors, services
from .forms import UserFilterForm, UserForm, UserImportForm


@login_required
def password_change(request):
    """Change the password, then sign out everywhere (this session included)."""
    form = PasswordChangeForm(request.user, request.POST or None)

    def change():
        services.own_password_change(user=request.user, password=form.cleaned_data["new_password1"], request=request)
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


# --- People management (人员管理), office staff --------------------------------------------------


@access.office_required
def user_list(request):
    """Every account, with its role, branch, position, two-factor and sign-in state."""
    filters = UserFilterForm(request.GET or None, user=request.user)
    page = paginate(request, selectors.user_list(user=request.user, **filters.filters()))
    return render(
        request,
        "accounts/user_list.html",
        {"filters": filters, "page": page, "querystring": querystring_without_page(request)},
    )


def _password_once(request, target, password, *, created: bool):
    """The page that shows a temporary password, once: rendered in the POST's own response, so
    the password is kept in no session, message or log."""
    return render(request, "accounts/password_once.html", {"target": target, "password": password, "created": created})


def _form_page(request, form, target=None):
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "secretaries": sorted(selectors.secretaries_by_branch().values(), key=lambda u: u.branch.name),
            "history": selectors.user_history(user=request.user, target=target) if target else [],
            "may_manage": target is None or access.may_manage_user(request.user, target),
            "is_self": target is not None and target.pk == request.user.pk,
        },
    )


@access.office_required
def user_create(request):
    form = UserForm(request.POST or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.user_create(user=request.user, request=request, **form.service_kwargs()),
        success=lambda value: _("%(name)s was added.") % {"name": value[0]},
    )
    if saved:
        target, password = saved.value
        return _password_once(request, target, password, created=True)
    return _form_page(request, form)


@access.office_required
def user_edit(request, pk):
    target = selectors.user_get(user=request.user, pk=pk)
    if request.method == "POST" and not access.may_manage_user(request.user, target):
        raise PermissionDenied
    form = UserForm(request.POST or None, user=request.user, target=target)
    if form_post(
        request,
        form,
        lambda: services.user_update(user=request.user, target=target, request=request, **form.service_kwargs()),
        success=_("Saved."),
    ):
        return redirect("accounts:user_edit", pk=target.pk)
    return _form_page(request, form, target)


def _action(request, pk, do, success: str):
    """A POST-only action on one account: the service refuses what the user may not do."""
    target = selectors.user_get(user=request.user, pk=pk)
    if not access.may_manage_user(request.user, target):
        raise PermissionDenied
    try:
        result = do(target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:user_edit", pk=target.pk)
    if success:
        messages.success(request, success % {"name": target})
    return result or redirect("accounts:user_edit", pk=target.pk)


@access.office_required
@require_POST
def user_password_reset(request, pk):
    def reset(target):
        password = services.user_password_reset(user=request.user, target=target, request=request)
        return _password_once(request, target, password, created=False)

    return _action(request, pk, reset, "")


@access.office_required
@require_POST
def user_set_active(request, pk):
    active = request.POST.get("active") == "1"
    return _action(
        request,
        pk,
        lambda target: (
            services.user_set_active(user=request.user, target=target, active=active, request=request) and None
        ),
        _("%(name)s can sign in again.") if active else _("%(name)s can no longer sign in."),
    )


@access.office_required
@require_POST
def user_two_factor_reset(request, pk):
    return _action(
        request,
        pk,
        lambda target: services.user_two_factor_reset(user=request.user, target=target, request=request) and None,
        _("Two-factor authentication is off for %(name)s: they can set it up again."),
    )


@access.office_required
def user_import(request):
    """Upload a users sheet and see the preview; nothing is written until it is confirmed."""
    form = UserImportForm(request.POST or None, request.FILES or None)
    plan, upload = None, None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        plan = imports.users_plan(user=request.user, content=content, filename=file.name)
        if not plan.problems:
            upload = services.user_import_store(user=request.user, filename=file.name, content=content)
    elif request.method == "POST":
        messages.error(request, _("Nothing was imported: please correct the fields marked below."))
    return render(request, "accounts/user_import.html", {"form": form, "plan": plan, "upload": upload})


@access.office_required
def user_import_confirm(request):
    if request.method != "POST":  # nothing to confirm: show the upload form
        return render(request, "accounts/user_import.html", {"form": UserImportForm(), "plan": None, "upload": None})
    try:
        upload_id = uuid.UUID(request.POST.get("upload", ""))
    except ValueError:
        upload_id = None
    try:
        upload, plan, passwords = (
            services.user_import_apply(user=request.user, upload_id=upload_id, request=request)
            if upload_id
            else (None, None, [])
        )
    except ValidationError as error:  # a row the database refused after all (a race): nothing was written
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": " ".join(error.messages)})
        return redirect("accounts:user_import")
    if upload is None:
        messages.error(request, _("This upload has expired or was already imported: upload the file again."))
        return redirect("accounts:user_import")
    if plan.problems:
        messages.error(request, _("Nothing was imported: the people changed since the preview."))
        return render(request, "accounts/user_import.html", {"form": UserImportForm(), "plan": plan, "upload": None})
    messages.success(
        request, _("Users imported: %(create)s added, %(update)s updated, %(unchanged)s unchanged.") % plan.summary
    )
    return render(request, "accounts/user_import_done.html", {"plan": plan, "passwords": passwords})


@access.office_required
def user_import_template(request):
    """An empty users sheet in the layout the importer reads."""
    workbook = Workbook()
    sheet = workbook.active
    with translation.override(FILE_LANGUAGE):
        sheet.title = _("Users")
        headers = imports.template_headers()
        name = _("Users template") + ".xlsx"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 16
    # The phone column is text, so that Excel keeps every digit.
    for row in range(2, 502):
        sheet[f"B{row}"].number_format = "@"
    apply_print_layout(sheet, title_rows="1:1")  # its header is row 1
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
