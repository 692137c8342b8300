from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from core.forms import form_post
from core.pagination import paginate
from retirees.selectors import retiree_list

from . import selectors, signals
from .forms import BranchReminderForm
from .models import Branch


@login_required
def branch_list(request):
    branches = selectors.branch_list(user=request.user)
    return render(request, "branches/list.html", {"branches": branches})


@login_required
def branch_suggestions(request):
    """The <option>s of a branch search box's <datalist> as the user types (htmx): the names of
    the branches in the user's scope that hold the text typed (`?branch=`)."""
    names = selectors.branch_names_matching(user=request.user, text=request.GET.get("branch", ""))
    return HttpResponse(format_html_join("", '<option value="{}"></option>', ((name,) for name in names)))


@login_required
def branch_detail(request, pk):
    branch = selectors.branch_get(user=request.user, pk=pk)
    retirees = retiree_list(user=request.user).filter(branch=branch).active().order_by("name_pinyin", "id")
    return render(request, "branches/detail.html", {"branch": branch, "page": paginate(request, retirees, 50)})


@login_required
def branch_reminders(request, pk):
    """Reminder settings: office staff for any branch, a branch's own workers for theirs."""
    branch = selectors.branch_get(user=request.user, pk=pk)
    form = BranchReminderForm(request.POST or None, instance=branch)
    rule_before = branch.call_every_self_checkins

    @transaction.atomic
    def save():
        saved = form.save()
        if saved.call_every_self_checkins != rule_before:
            # The schedules that count self check-ins are recomputed with the branch's new rule.
            signals.self_checkin_rule_changed.send(sender=Branch, branch=saved)
        return saved

    if form_post(request, form, save, success=_("Reminder settings saved.")):
        return redirect(branch)
    return render(request, "branches/reminders.html", {"branch": branch, "form": form})
