"""Pages for volunteers and the patrol roster. Views fetch through selectors (another branch's
object is a 404) and write through services; they hold no rules of their own."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import office_required
from core.dates import date_param, local_today
from core.forms import form_post, int_or_404
from core.pagination import paginate, querystring_without_page
from retirees.selectors import retiree_get

from . import selectors, services
from .choices import PatrolArea
from .forms import ShiftAssignForm, ShiftForm, VolunteerForm
from .models import PatrolShift, Volunteer


@login_required
def volunteer_list(request):
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "page": paginate(request, selectors.volunteer_list(user=request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def volunteer_create(request, pk):
    """Mark retiree `pk` as a volunteer (or edit them if they already are)."""
    retiree = retiree_get(user=request.user, pk=pk)
    existing = selectors.volunteer_of(user=request.user, retiree=retiree)
    return _volunteer_edit(request, existing or Volunteer(retiree=retiree))


@login_required
def volunteer_edit(request, pk):
    return _volunteer_edit(request, selectors.volunteer_get(user=request.user, pk=pk))


def _volunteer_edit(request, volunteer):
    form = VolunteerForm(request.POST or None, instance=volunteer)
    saved = form_post(
        request,
        form,
        lambda: services.volunteer_save(user=request.user, volunteer=form.save(commit=False)),
        success=_("Volunteer saved."),
    )
    if saved:
        return redirect("volunteers:volunteer_list")
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


def _monday(request) -> datetime.date:
    """The Monday of `?week=`; this week's when it is missing, not a date or out of range (a
    message says so, so that a typo in a bookmark is not silently a different week)."""
    day = date_param(request, "week")
    if day is None:
        if request.GET.get("week"):
            messages.warning(request, _("That week cannot be shown; here is this week."))
        day = local_today()
    return selectors.week_start(day)


@login_required
def roster(request):
    """The week's patrol roster by area and day; prints on one page (print stylesheet)."""
    monday = _monday(request)
    area = request.GET.get("area") if request.GET.get("area") in PatrolArea.values else None
    shifts = list(selectors.roster_week(user=request.user, monday=monday, area=area))
    days = [monday + datetime.timedelta(days=n) for n in range(7)]
    areas = [choice for choice in PatrolArea if area in (None, choice.value)]
    grid = [
        {
            "area": choice,
            "days": [[s for s in shifts if s.area == choice.value and s.date == day] for day in days],
            "shifts": sum(1 for s in shifts if s.area == choice.value),
        }
        for choice in areas
    ]
    return render(
        request,
        "volunteers/roster.html",
        {
            "monday": monday,
            "days": days,
            "grid": grid,
            "area": area,
            "areas": PatrolArea,
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "unfilled": sum(1 for s in shifts if s.filled < s.volunteers_needed),
        },
    )


@office_required
def shift_create(request):
    return _shift_edit(request, PatrolShift(date=local_today()))


@office_required
def shift_edit(request, pk):
    return _shift_edit(request, selectors.shift_get(user=request.user, pk=pk))


def _shift_edit(request, shift):
    """The shift's own form, and (once saved) adding or removing its volunteers: `action` says which."""
    action = request.POST.get("action") if shift.pk else None
    if action not in ("assign", "remove"):
        action = None
    form = ShiftForm((request.POST or None) if action is None else None, instance=shift, prefix="shift")
    assign_form = ShiftAssignForm(request.POST if action == "assign" else None, user=request.user, prefix="assign")
    if action == "remove":
        assignment = selectors.assignment_get(
            user=request.user, shift=shift, pk=int_or_404(request.POST.get("assignment"))
        )
        services.patrol_unassign(user=request.user, assignment=assignment)
        messages.success(request, _("Volunteer taken off the shift."))
        return redirect(shift)
    if action == "assign":
        saved = form_post(
            request,
            assign_form,
            lambda: services.patrol_assign(
                user=request.user, shift=shift, volunteer=assign_form.cleaned_data["volunteer"]
            ),
            success=_("Volunteer added to the shift."),
        )
        if saved:
            return redirect(shift)
    else:
        saved = form_post(
            request,
            form,
            lambda: services.patrol_shift_save(user=request.user, shift=form.save(commit=False)),
            success=_("Shift saved."),
        )
        if saved:
            return redirect(saved.value)
    return render(request, "volunteers/shift_form.html", {"form": form, "assign_form": assign_form, "shift": shift})
