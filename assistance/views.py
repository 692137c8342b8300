"""Pages for assistance requests. Views fetch through selectors (another branch's object is a 404)
and write through services; they hold no rules of their own."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_office, staff_who_may_serve
from checkins import selectors as checkin_selectors
from core.dates import local_today
from core.forms import form_post
from core.pagination import paginate, querystring_without_page
from retirees.selectors import retiree_get
from volunteers.selectors import assignable_volunteers

from . import selectors, services
from .choices import AssistanceKind, kind_for_need
from .filters import AssistanceRequestFilter
from .forms import AssignForm, AssistanceRequestForm, CancelForm, CompleteForm


def _assignee_choices(user):
    volunteers = [(f"v-{v.pk}", f"{v} · {_('volunteer')}") for v in assignable_volunteers(user=user)]
    return [(f"u-{u.pk}", str(u)) for u in staff_who_may_serve(branch_id=user.branch_id)] + volunteers


@login_required
def request_list(request):
    filterset = AssistanceRequestFilter(
        request.GET,
        queryset=selectors.assistance_request_list(user=request.user),
        request=request,
        assignee_choices=_assignee_choices(request.user),
    )
    return render(
        request,
        "assistance/request_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "querystring": querystring_without_page(request),
            "today": local_today(),
        },
    )


def _opened(item):
    return _("Request opened for %(name)s.") % {"name": item.retiree.name}


@login_required
def request_create(request, pk):
    """A request on its own, for retiree `pk`."""
    retiree = retiree_get(user=request.user, pk=pk)
    form = AssistanceRequestForm(request.POST or None)
    saved = form_post(
        request,
        form,
        lambda: services.assistance_request_create(user=request.user, retiree=retiree, **form.cleaned_data),
        success=_opened,
    )
    if saved:
        return redirect(saved.value)
    return render(request, "assistance/request_form.html", {"form": form, "retiree": retiree})


@login_required
def request_from_contact(request, pk):
    """One step from a contact that revealed a need: the kind, and the request is open."""
    contact = checkin_selectors.contact_get(user=request.user, pk=pk)
    # The need heard on the call fills the form; the kind from `?kind=`, else from the need's words.
    kind = request.GET.get("kind") if request.GET.get("kind") in AssistanceKind.values else kind_for_need(contact.needs)
    form = AssistanceRequestForm(request.POST or None, initial={"details": contact.needs, "kind": kind})
    saved = form_post(
        request,
        form,
        lambda: services.assistance_request_from_contact(
            user=request.user,
            contact=contact,
            kind=form.cleaned_data["kind"],
            needed_by=form.cleaned_data.get("needed_by"),
            details=form.cleaned_data.get("details", ""),
        ),
        success=_opened,
    )
    if saved:
        return redirect(saved.value)
    return render(
        request, "assistance/request_form.html", {"form": form, "retiree": contact.retiree, "contact": contact}
    )


@login_required
def request_detail(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    return render(request, "assistance/request_detail.html", _request_context(request, item))


def _request_context(request, item, **forms):
    return {
        "item": item,
        "today": local_today(),
        "assign_form": forms.get("assign_form")
        or (AssignForm(user=request.user, retiree=item.retiree) if request.user.is_office else None),
        "complete_form": forms.get("complete_form")
        or CompleteForm(item=item, doses=selectors.doses_before_completion(request=item)),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
    }


@login_required
def request_assign(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    require_office(request.user)
    form = AssignForm(request.POST or None, user=request.user, retiree=item.retiree)
    saved = form_post(
        request,
        form,
        lambda: services.assistance_request_assign(
            user=request.user,
            request=item,
            assignee=form.cleaned_data.get("assignee"),
            volunteer=form.cleaned_data.get("volunteer"),
        ),
        success=_("Request assigned."),
    )
    if saved:
        return redirect(item)
    return render(request, "assistance/request_detail.html", _request_context(request, item, assign_form=form))


def _done(item):
    if item.dose_id:
        return _("Request marked done; dose %(number)s is recorded in the vaccination ledger.") % {
            "number": item.dose.dose_number
        }
    return _("Request marked done.")


@login_required
def request_complete(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    form = CompleteForm(request.POST or None, item=item, doses=selectors.doses_before_completion(request=item))
    saved = form_post(
        request,
        form,
        lambda: services.assistance_request_complete(user=request.user, request=item, **form.completion()),
        success=_done,
    )
    if saved:
        return redirect(item)
    return render(request, "assistance/request_detail.html", _request_context(request, item, complete_form=form))


@login_required
def request_cancel(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    saved = form_post(
        request,
        form,
        lambda: services.assistance_request_cancel(
            user=request.user, request=item, outcome=form.cleaned_data["reason"]
        ),
        success=_("Request cancelled."),
    )
    if saved:
        return redirect(item)
    return render(request, "assistance/request_detail.html", _request_context(request, item, cancel_form=form))
