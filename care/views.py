"""Pages for care plans and the care services' overview. Views fetch through selectors (another
branch's object is a 404) and write through services; they hold no rules of their own."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import require_office
from core.dates import local_today
from core.forms import form_post
from core.pagination import paginate, querystring_without_page
from retirees.selectors import retiree_get

from . import selectors, services
from .forms import CarePlanForm


@login_required
def index(request):
    """Care and services at a glance: what needs doing, with links to each list."""
    today = local_today()
    return render(
        request,
        "care/index.html",
        {
            "summary": selectors.care_summary(user=request.user, today=today),
            "without_plan": selectors.lixiu_without_plan(user=request.user)[:50],
            "plans_due": selectors.care_plans_due_for_review(user=request.user, today=today)[:50],
            "today": today,
        },
    )


@login_required
def plan_list(request):
    today = local_today()
    return render(
        request,
        "care/plan_list.html",
        {
            "page": paginate(request, selectors.care_plan_list(user=request.user)),
            "querystring": querystring_without_page(request),
            "without_plan": selectors.lixiu_without_plan(user=request.user),
            "today": today,
        },
    )


@login_required
def plan_edit(request, pk):
    """Create or edit the care plan of retiree `pk` (office staff)."""
    retiree = retiree_get(user=request.user, pk=pk)
    require_office(request.user)
    plan = selectors.care_plan_of(user=request.user, retiree=retiree)
    form = CarePlanForm(request.POST or None, instance=plan, retiree=retiree)
    saved = form_post(
        request,
        form,
        lambda: services.care_plan_save(user=request.user, retiree=retiree, **form.service_kwargs()),
        success=_("Care plan saved for %(name)s.") % {"name": retiree.name},
    )
    if saved:
        return redirect(retiree)
    return render(request, "care/plan_form.html", {"form": form, "retiree": retiree, "plan": plan})
