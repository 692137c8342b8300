"""Pages for visits and visit campaigns. Views fetch through selectors (another branch's object is
a 404) and write through services; they hold no rules of their own."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import office_required
from core.addressing import progress_percent
from core.dates import local_today
from core.forms import form_post, int_or_none, next_url
from core.pagination import paginate, querystring_without_page
from retirees.selectors import retiree_get

from . import selectors, services
from .forms import CampaignForm, VisitForm
from .models import Visit


@login_required
def visit_list(request):
    today = local_today()
    return render(
        request,
        "visits/visit_list.html",
        {
            "not_visited": selectors.not_visited(user=request.user, today=today)[:200],
            "days": selectors.visit_period_days(),
            "page": paginate(request, selectors.visit_list(user=request.user)),
            "querystring": querystring_without_page(request),
            "campaigns": selectors.campaign_list(user=request.user)[:10],
        },
    )


@login_required
def visit_create(request, pk):
    retiree = retiree_get(user=request.user, pk=pk)
    visit = Visit(retiree=retiree, planned_on=local_today())
    campaign = int_or_none(request.GET.get("campaign"))
    if campaign is not None:
        visit.campaign = selectors.campaign_list(user=request.user).filter(pk=campaign).first()
    return _visit_edit(request, visit)


@login_required
def visit_edit(request, pk):
    return _visit_edit(request, selectors.visit_get(user=request.user, pk=pk))


def _visit_edit(request, visit):
    form = VisitForm(request.POST or None, instance=visit, user=request.user, retiree=visit.retiree)
    saved = form_post(
        request,
        form,
        lambda: services.visit_save(
            user=request.user, visit=form.save(commit=False), visitors=form.cleaned_data.get("visitors") or []
        ),
        success=_("Visit saved."),
    )
    if saved:
        return redirect(next_url(request, visit.retiree.get_absolute_url()))
    return render(request, "visits/visit_form.html", {"form": form, "visit": visit})


@office_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.visit_campaign_create(
            user=request.user,
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            target=form.cleaned_data["target"],
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            audience=form.audience(),
        ),
        success=_("Campaign opened."),
    )
    if saved:
        return redirect(saved.value)
    return render(request, "visits/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    rows = selectors.campaign_progress(user=request.user, campaign=campaign)
    total = sum(row["total"] for row in rows)
    done = sum(row["done"] for row in rows)
    return render(
        request,
        "visits/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "totals": {"total": total, "done": done, "percent": progress_percent(done, total)},
            "missing": selectors.campaign_missing(user=request.user, campaign=campaign)[:300],
        },
    )
