"""The retirees' own page (随时求助), opened by a personal link with no account, and the office's
pages that issue, revoke, print and download those links.

The public pages show the surname and nothing else personal, work without JavaScript, carry their
own strict CSP, `Cache-Control: no-store`, no referrer to other sites and no indexing. A wrong, revoked or
replaced link gets the same kind page (404) whatever the reason.
"""

import csv
import io
from functools import wraps

import qrcode
import qrcode.image.svg
from csp.constants import NONE, SELF
from csp.decorators import csp
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import office_required
from assistance.choices import SELF_REQUEST_KINDS, SELF_REQUEST_TEXT_MAX
from branches.models import Branch
from core.forms import int_or_none
from notices import selectors as notice_selectors
from retirees.models import Retiree
from retirees.selectors import retiree_get

from . import selectors, services
from .exports import LINK_COLUMNS, link_row

# The public page's own policy: nothing but its own stylesheet, images and forms.
PUBLIC_CSP = {
    "default-src": [NONE],
    "style-src": [SELF],
    "img-src": [SELF],
    "form-action": [SELF],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
}
DONE_MESSAGES = ("ok", "help", "call", "read", "busy")


def _public(view):
    """Find the link by its token (a kind 404 page otherwise) and mark the response private."""

    @csp(PUBLIC_CSP)
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        # Chinese first, whatever the phone's language: the page is the retirees' own.
        with translation.override(settings.LANGUAGE_CODE):
            link = services.link_find(token)
            if link is None:
                response = render(request, "selfservice/gone.html", status=404)
            else:
                try:
                    response = view(request, link, token, *args, **kwargs)
                except Http404:
                    response = render(request, "selfservice/gone.html", status=404)
        add_never_cache_headers(response)  # Cache-Control: no-store, private
        response["Referrer-Policy"] = "same-origin"  # the token is in the address: never sent to another site
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _page_url(token: str, done: str = "") -> str:
    url = reverse("selfservice:page", args=[token])
    return f"{url}?done={done}" if done else url


def _rate_limited(link) -> bool:
    return not services.link_post_allowed(link=link)


@_public
def page(request, link, token):
    """The page: 我很好, 我需要帮助, 请给我回电话, and the latest notices with 我已阅读."""
    services.link_use_record(link=link, what="open", request=request)
    done = request.GET.get("done", "")
    return render(
        request,
        "selfservice/page.html",
        {
            "token": token,
            "done": done if done in DONE_MESSAGES else "",
            **selectors.page_state(link=link),
        },
    )


@require_POST
@_public
def checkin(request, link, token):
    if _rate_limited(link):
        return redirect(_page_url(token, "busy"))
    services.link_checkin(link=link, request=request)
    return redirect(_page_url(token, "ok"))


@_public
def help_request(request, link, token):
    """我需要帮助: one big button per kind of help, and an optional short text."""
    error = ""
    details = ""
    if request.method == "POST":
        if _rate_limited(link):
            return redirect(_page_url(token, "busy"))
        details = request.POST.get("details", "")
        try:
            services.link_help(link=link, kind=request.POST.get("kind", ""), details=details, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(_page_url(token, "help"))
    return render(
        request,
        "selfservice/help.html",
        {
            "token": token,
            "kinds": list(SELF_REQUEST_KINDS.items()),
            "details": details,
            "details_max": SELF_REQUEST_TEXT_MAX,
            "error": error,
            "surname": selectors.surname(link.retiree.name),
        },
        status=400 if error else 200,
    )


@require_POST
@_public
def callback(request, link, token):
    if _rate_limited(link):
        return redirect(_page_url(token, "busy"))
    services.link_callback(link=link, request=request)
    return redirect(_page_url(token, "call"))


@_public
def notice(request, link, token, pk):
    """One notice in large text, with its attachment as a link and 我已阅读."""
    delivery = notice_selectors.retiree_delivery(retiree=link.retiree, pk=pk)
    if delivery is None:
        raise Http404
    services.link_use_record(link=link, what="notice", request=request, delivery=delivery.pk)
    return render(request, "selfservice/notice.html", {"token": token, "delivery": delivery})


@require_POST
@_public
def notice_read(request, link, token, pk):
    if _rate_limited(link):
        return redirect(_page_url(token, "busy"))
    try:
        services.link_notice_read(link=link, delivery_id=pk, request=request)
    except PermissionDenied:
        raise Http404 from None
    return redirect(_page_url(token, "read"))


@_public
def notice_file(request, link, token, pk):
    """The notice's attachment, to the retiree it is addressed to; always a download."""
    delivery = notice_selectors.retiree_delivery(retiree=link.retiree, pk=pk)
    if delivery is None or not delivery.notice.attachment:
        raise Http404
    services.link_use_record(link=link, what="attachment", request=request, delivery=delivery.pk)
    item = delivery.notice
    response = FileResponse(
        item.attachment.open("rb"),
        as_attachment=True,
        filename=item.attachment_download_name,
        content_type=item.attachment_kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The office's pages ---------------------------------------------------------------------------


def _branch(request) -> Branch | None:
    pk = int_or_none(request.GET.get("branch") or request.POST.get("branch"))
    if pk is None:
        return None
    return Branch.objects.visible_to(request.user).filter(pk=pk).first()


def _list_url(branch) -> str:
    url = reverse("selfservice:link_list")
    return f"{url}?branch={branch.pk}" if branch is not None else url


@office_required
def link_list(request):
    """Each active retiree of a branch with their link: issued, last used, how often; issue,
    re-issue or revoke; print the cards or download the links (CSV)."""
    branch = _branch(request)
    if request.GET.get("export") == "csv":
        return _links_csv(request, branch)
    rows = list(selectors.link_rows(user=request.user, branch=branch)) if branch is not None else []
    return render(
        request,
        "selfservice/link_list.html",
        {
            "branch": branch,
            "branches": Branch.objects.visible_to(request.user).filter(is_active=True),
            "rows": rows,
            "missing": sum(1 for row in rows if row.link_id is None),
        },
    )


def _links_csv(request, branch):
    links = selectors.live_links(user=request.user, branch=branch)
    services.links_export_record(user=request.user, request=request, what="csv", count=links.count(), branch=branch)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"  # Excel reads UTF-8 with a byte-order mark
        writer.writerow([str(label) for _key, label in LINK_COLUMNS])
        for link in links.iterator(chunk_size=500):
            writer.writerow(link_row(link))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    name = f"links-{branch.pk if branch else 'all'}-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (a path, no style attribute: the app's CSP allows it)."""
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")


@office_required
def link_print(request):
    """A branch's cards (several to an A4 page) or letters (一封信, one to a page), each with the
    retiree's QR code and link, to print. Links that cannot be printed again are listed to re-issue."""
    branch = _branch(request)
    if branch is None:
        messages.error(request, _("Choose a branch to print."))
        return render(request, "selfservice/link_print.html", {"branch": None, "cards": [], "layout": "cards"})
    layout = "letters" if request.GET.get("layout") == "letters" else "cards"
    cards, unprintable = [], []
    for link in selectors.live_links(user=request.user, branch=branch):
        try:
            url = services.link_url(link)
        except services.LinkNotPrintable:
            unprintable.append(link.retiree)
            continue
        cards.append(
            {"retiree": link.retiree, "surname": selectors.surname(link.retiree.name), "url": url, "svg": qr_svg(url)}
        )
    services.links_export_record(
        user=request.user, request=request, what=f"print:{layout}", count=len(cards), branch=branch
    )
    return render(
        request,
        "selfservice/link_print.html",
        {"branch": branch, "cards": cards, "unprintable": unprintable, "layout": layout},
    )


@office_required
@require_POST
def link_issue(request, pk):
    """Issue (or re-issue: the old link stops working) one retiree's link."""
    retiree = retiree_get(user=request.user, pk=pk)
    try:
        services.link_issue(user=request.user, retiree=retiree, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("A new link was issued for %(name)s; the old one no longer works.") % {"name": retiree.name}
        )
    return redirect(_list_url(retiree.branch))


@office_required
@require_POST
def links_issue_missing(request):
    branch = _branch(request)
    if branch is None:
        raise Http404
    count = services.links_issue_missing(
        user=request.user, retirees=Retiree.objects.visible_to(request.user).filter(branch=branch), request=request
    )
    messages.success(request, _("%(count)s links issued.") % {"count": count})
    return redirect(_list_url(branch))


@office_required
@require_POST
def link_revoke(request, pk):
    link = selectors.link_get(user=request.user, pk=pk)
    services.link_revoke(user=request.user, link=link, request=request)
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": link.retiree.name})
    return redirect(_list_url(link.retiree.branch))
