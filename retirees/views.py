import json
import secrets

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import can_export, may_reveal, office_required, sees_full_phone
from audit.models import AuditEvent
from audit.services import audit_record
from core.addressing import retiree_option_label
from core.dates import local_today
from core.exports import export_form, export_if_asked
from core.forms import form_post, int_or_none
from core.pagination import paginate, querystring_without_page
from core.panels import retiree_panels
from core.widgets import picker_options

from . import selectors, services
from .exports import registry_spec
from .filters import RetireeFilter
from .forms import HouseholdContactFormSet, RetireeForm
from .models import Retiree

SEARCH_SESSION_KEY = "retiree_searches"


def _remember_search(request, text: str) -> str:
    """Keep a search text in the session under a short token (the last 20 are kept)."""
    searches = request.session.get(SEARCH_SESSION_KEY, {})
    token = secrets.token_urlsafe(6)
    searches = dict(list(searches.items())[-19:])
    searches[token] = text
    request.session[SEARCH_SESSION_KEY] = searches
    return token


def _redirect_with_search(request, text: str, params):
    params = params.copy()
    for key in ("q", "page", "csrfmiddlewaretoken", "search"):
        params.pop(key, None)
    if text.strip():
        params["search"] = _remember_search(request, text)
    return redirect(f"{request.path}?{params.urlencode()}")


@login_required
def retiree_list(request):
    # Phone and ID numbers never travel in a URL (nor so in server logs): the search box posts, and
    # the text stays in the session behind a token. A name may still be given as ?q= in a link.
    if request.method == "POST":
        return _redirect_with_search(request, request.POST.get("q", ""), request.POST)
    data = request.GET.copy()
    if any(ch.isdigit() for ch in data.get("q", "")):
        return _redirect_with_search(request, data["q"], data)
    if "search" in data:
        data["q"] = request.session.get(SEARCH_SESSION_KEY, {}).get(data["search"], "")
    filterset = RetireeFilter(data, queryset=selectors.retiree_list(user=request.user), request=request)
    # ?export=csv|xlsx: the same filtered, scoped queryset as a file (office and admin only).
    spec = registry_spec()
    response = export_if_asked(request, spec=spec, filterset=filterset)
    if response is not None:
        return response
    page = paginate(
        request,
        filterset.qs,
        estimate=True,
        rows=lambda ids: selectors.retirees_by_ids(user=request.user, ids=ids),
        anchors=selectors.registry_anchors(),
    )
    return render(
        request,
        "retirees/list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_export": can_export(request.user),
            "export_form": export_form(request, spec),
        },
    )


@login_required
def retiree_detail(request, pk):
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    audit_record(action=AuditEvent.Action.VIEW_RETIREE, request=request, retiree=retiree)
    # Each app's panel is asked for here (core.panels), so that all the page's queries are the view's.
    user = request.user
    return render(
        request,
        "retirees/detail.html",
        {
            "retiree": retiree,
            "full_phone": sees_full_phone(user),
            "panels": retiree_panels(user=user, retiree=retiree),
            "today": local_today(),
        },
    )


def _edit(request, retiree: Retiree, template_title: str):
    creating = retiree.pk is None
    form = RetireeForm(request.POST or None, instance=retiree, user=request.user)
    contacts = HouseholdContactFormSet(request.POST or None, instance=retiree, prefix="contacts")

    def save():
        try:
            return services.retiree_save(user=request.user, retiree=form.save(commit=False), contacts_formset=contacts)
        except PermissionDenied:
            raise ValidationError({"branch": _("You can only keep retirees in your own branch.")}) from None

    saved = form_post(
        request, form, save, success=lambda done: _("Saved %(name)s.") % {"name": done.name}, also=[contacts]
    )
    if saved:
        return redirect(saved.value)
    return render(
        request,
        "retirees/form.html",
        {"form": form, "contacts": contacts, "retiree": retiree, "creating": creating, "title": template_title},
    )


@office_required
def retiree_create(request):
    return _edit(request, Retiree(), _("Add a retiree"))


@login_required
def retiree_edit(request, pk):
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    return _edit(request, retiree, _("Edit %(name)s") % {"name": retiree.name})


REVEALABLE = {"id_number", "phone", "phone_alt"}


@login_required
@require_POST
def retiree_reveal(request, pk, field):
    """Show one masked number in full, on an explicit click that is written to the audit log."""
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    if field not in REVEALABLE or not may_reveal(request.user, field):
        raise PermissionDenied
    audit_record(action=AuditEvent.Action.REVEAL, request=request, retiree=retiree, field=field)
    return render(request, "retirees/_revealed.html", {"value": getattr(retiree, field) or "—", "field": field})


@office_required
def retiree_personal_data(request, pk):
    """Everything stored about one retiree, as a JSON file (a data subject's access request)."""
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    audit_record(action=AuditEvent.Action.PERSONAL_DATA_EXPORT, request=request, retiree=retiree)
    payload = selectors.retiree_personal_data(retiree=retiree)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="retiree-{retiree.pk}-personal-data.json"'
    return response


@office_required
def retiree_history(request, pk):
    """The change history of a retiree's record: who changed what, when, before and after."""
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    return render(
        request, "retirees/history.html", {"retiree": retiree, "changes": selectors.retiree_changes(retiree=retiree)}
    )


# The form field a retiree picker fills (core.addressing.AddressedForm's `retirees`).
PICKER_FIELD = "retirees"


@login_required
def retiree_picker(request):
    """The options of a retiree picker as the user types (htmx): the ticked ones, then the retirees
    in the user's scope whose name matches, each with their branch and residence."""
    # No database takes a NUL in a string; no name is longer than 50 characters.
    text = request.GET.get(f"{PICKER_FIELD}_q", "").replace("\x00", "")[:50]
    chosen_ids = [int_or_none(value) for value in request.GET.getlist(PICKER_FIELD)[:200]]
    chosen, found, more = selectors.retirees_to_pick(user=request.user, text=text, chosen_ids=chosen_ids)
    html = picker_options(PICKER_FIELD, chosen, found, label=retiree_option_label)
    if any(ch.isdigit() for ch in text):
        note = _("Search by name here, not by number.")
    elif text.strip() and not found:
        note = _("Nobody in your scope is called “%(text)s”.") % {"text": text.strip()}
    elif more:
        note = _("Only the first %(count)s are shown: type more of the name.") % {"count": len(found)}
    else:
        note = ""
    if note:
        html += format_html('<p class="text-muted mb-0 mt-1">{}</p>', note)
    return HttpResponse(html)
