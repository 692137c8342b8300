"""Pages for notices. Views fetch through selectors (another branch's object is a 404) and write
through services; they hold no rules of their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import office_required
from core.forms import form_post, next_url
from core.pagination import paginate, querystring_without_page
from retirees.selectors import retiree_get

from . import selectors, services
from .forms import DeliveryForm, NoticeForm


@login_required
def notice_list(request):
    return render(
        request,
        "notices/notice_list.html",
        {
            "page": paginate(request, selectors.notice_list(user=request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@office_required
def notice_create(request):
    form = NoticeForm(request.POST or None, request.FILES or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.notice_publish(
            user=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            attachment=form.cleaned_data.get("attachment"),
            audience=form.audience(),
        ),
        success=_("Notice published."),
    )
    if saved:
        return redirect(saved.value)
    return render(request, "notices/notice_form.html", {"form": form})


@login_required
def notice_detail(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "rows": selectors.notice_progress(user=request.user, notice=notice),
            "page": paginate(request, selectors.notice_deliveries(user=request.user, notice=notice), 100),
            "querystring": querystring_without_page(request),
            "delivery_form": DeliveryForm(),
        },
    )


@login_required
def notice_attachment(request, pk):
    """The notice's attachment, only to those who may see the notice; never through a public URL."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    if not notice.attachment:
        raise Http404
    # Always a download (never shown inline in our origin), under the detected type's name and
    # content type; nosniff so no browser second-guesses that type.
    response = FileResponse(
        notice.attachment.open("rb"),
        as_attachment=True,
        filename=notice.attachment_download_name,
        content_type=notice.attachment_kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def notice_deliver(request, pk):
    """Mark a notice delivered to (and perhaps acknowledged by) one retiree: from the call list or the notice page."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how the notice was delivered."))
        return redirect(next_url(request, notice.get_absolute_url()))
    retiree = retiree_get(user=request.user, pk=form.cleaned_data["retiree"])
    try:
        services.notice_delivery_mark(
            user=request.user,
            notice=notice,
            retiree=retiree,
            method=form.cleaned_data["method"],
            acknowledged=form.cleaned_data["acknowledged"],
        )
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Recorded: “%(title)s” for %(name)s.") % {"title": notice.title, "name": retiree.name})
    return redirect(next_url(request, notice.get_absolute_url()))
