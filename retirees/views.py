from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import office_required
from ledgers.exports import registry_spec
from ledgers.selectors import can_export
from ledgers.views import export_if_asked
from outreach.pagination import paginate, querystring_without_page

from . import selectors, services
from .filters import RetireeFilter
from .forms import HouseholdContactFormSet, RetireeForm
from .models import Retiree


@login_required
def retiree_list(request):
    filterset = RetireeFilter(request.GET, queryset=selectors.retiree_list(user=request.user), request=request)
    # ?export=csv|xlsx: the same filtered, scoped queryset as a file (office and admin only).
    response = export_if_asked(request, spec=registry_spec(), filterset=filterset)
    if response is not None:
        return response
    page = paginate(request, filterset.qs)
    return render(
        request,
        "retirees/list.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_export": can_export(request.user),
        },
    )


@login_required
def retiree_detail(request, pk):
    retiree = selectors.retiree_get(user=request.user, pk=pk)
    return render(request, "retirees/detail.html", {"retiree": retiree})


def _edit(request, retiree: Retiree, template_title: str):
    creating = retiree.pk is None
    form = RetireeForm(request.POST or None, instance=retiree, user=request.user)
    contacts = HouseholdContactFormSet(request.POST or None, instance=retiree, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        try:
            retiree = services.retiree_save(
                user=request.user, retiree=form.save(commit=False), contacts_formset=contacts
            )
        except PermissionDenied:
            form.add_error("branch", _("You can only keep retirees in your own branch."))
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": retiree.name})
            return redirect(retiree)
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
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
