"""Pages for care and services. Views fetch through selectors (another branch's object is a 404)
and write through services; they hold no rules of their own."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import office_required, require_office, staff_who_may_serve
from checkins import selectors as checkin_selectors
from core.dates import date_param, local_today
from core.forms import add_errors, int_or_404, int_or_none, next_url
from core.pagination import paginate, querystring_without_page
from retirees.models import Retiree

from . import selectors, services
from .choices import PatrolArea
from .filters import AssistanceRequestFilter
from .forms import (
    AssignForm,
    AssistanceRequestForm,
    CampaignForm,
    CancelForm,
    CarePlanForm,
    CompleteForm,
    DeliveryForm,
    MeetingForm,
    NoticeForm,
    ShiftAssignForm,
    ShiftForm,
    VisitForm,
    VolunteerForm,
)
from .models import PatrolAssignment, Visit, Volunteer

NOT_SAVED = "Nothing was saved: please correct the fields marked below."


def _not_saved(request):
    messages.error(request, _(NOT_SAVED))


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


# --- Care plans ---------------------------------------------------------------------------------


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
    retiree = selectors.retiree_for_care(user=request.user, pk=pk)
    require_office(request.user)
    plan = selectors.care_plan_of(user=request.user, retiree=retiree)
    form = CarePlanForm(request.POST or None, instance=plan, retiree=retiree)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_plan_save(user=request.user, retiree=retiree, **form.service_kwargs())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Care plan saved for %(name)s.") % {"name": retiree.name})
            return redirect(retiree)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/plan_form.html", {"form": form, "retiree": retiree, "plan": plan})


# --- Assistance requests ---------------------------------------------------------------------------


def _assignee_choices(user):
    volunteers = [(f"v-{v.pk}", f"{v} · {_('volunteer')}") for v in selectors.assignable_volunteers(user=user)]
    staff = staff_who_may_serve(branch_id=user.branch_id)
    return [(f"u-{u.pk}", str(u)) for u in staff] + volunteers


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
        "care/request_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "querystring": querystring_without_page(request),
            "today": local_today(),
        },
    )


@login_required
def request_create(request, pk):
    """A request on its own, for retiree `pk`."""
    retiree = selectors.retiree_for_care(user=request.user, pk=pk)
    form = AssistanceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.assistance_request_create(user=request.user, retiree=retiree, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request opened for %(name)s.") % {"name": retiree.name})
            return redirect(created)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/request_form.html", {"form": form, "retiree": retiree})


@login_required
def request_from_contact(request, pk):
    """One step from a contact that revealed a need: the kind, and the request is open."""
    contact = checkin_selectors.contact_get(user=request.user, pk=pk)
    form = AssistanceRequestForm(request.POST or None, initial={"details": contact.needs})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.assistance_request_from_contact(
                user=request.user,
                contact=contact,
                kind=form.cleaned_data["kind"],
                needed_by=form.cleaned_data.get("needed_by"),
                details=form.cleaned_data.get("details", ""),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request opened for %(name)s.") % {"name": contact.retiree.name})
            return redirect(created)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/request_form.html", {"form": form, "retiree": contact.retiree, "contact": contact})


@login_required
def request_detail(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    return render(request, "care/request_detail.html", _request_context(request, item))


def _request_context(request, item, **forms):
    return {
        "item": item,
        "today": local_today(),
        "assign_form": forms.get("assign_form")
        or (AssignForm(user=request.user, retiree=item.retiree) if request.user.is_office else None),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
    }


@login_required
def request_assign(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    require_office(request.user)
    form = AssignForm(request.POST or None, user=request.user, retiree=item.retiree)
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_request_assign(
                user=request.user,
                request=item,
                assignee=form.cleaned_data.get("assignee"),
                volunteer=form.cleaned_data.get("volunteer"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request assigned."))
            return redirect(item)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/request_detail.html", _request_context(request, item, assign_form=form))


@login_required
def request_complete(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    form = CompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_request_complete(user=request.user, request=item, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request marked done."))
            return redirect(item)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/request_detail.html", _request_context(request, item, complete_form=form))


@login_required
def request_cancel(request, pk):
    item = selectors.assistance_request_get(user=request.user, pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assistance_request_cancel(user=request.user, request=item, outcome=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Request cancelled."))
            return redirect(item)
    return render(request, "care/request_detail.html", _request_context(request, item, cancel_form=form))


# --- Volunteers and roster -----------------------------------------------------------------------


@login_required
def volunteer_list(request):
    return render(
        request,
        "care/volunteer_list.html",
        {
            "page": paginate(request, selectors.volunteer_list(user=request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def volunteer_create(request, pk):
    """Mark retiree `pk` as a volunteer (or edit them if they already are)."""
    retiree = selectors.retiree_for_care(user=request.user, pk=pk)
    existing = Volunteer.objects.visible_to(request.user).filter(retiree=retiree).first()
    return _volunteer_edit(request, existing or Volunteer(retiree=retiree))


@login_required
def volunteer_edit(request, pk):
    return _volunteer_edit(request, selectors.volunteer_get(user=request.user, pk=pk))


def _volunteer_edit(request, volunteer):
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_save(user=request.user, volunteer=form.save(commit=False))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Volunteer saved."))
            return redirect("care:volunteer_list")
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/volunteer_form.html", {"form": form, "volunteer": volunteer})


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
        {"area": choice, "days": [[s for s in shifts if s.area == choice.value and s.date == day] for day in days]}
        for choice in areas
    ]
    return render(
        request,
        "care/roster.html",
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
    return _shift_edit(request, services.PatrolShift(date=local_today()))


@office_required
def shift_edit(request, pk):
    return _shift_edit(request, selectors.shift_get(user=request.user, pk=pk))


def _shift_edit(request, shift):
    form = ShiftForm(request.POST or None, instance=shift, prefix="shift")
    assign_form = ShiftAssignForm(user=request.user, prefix="assign")
    if request.method == "POST" and request.POST.get("action") == "assign" and shift.pk:
        assign_form = ShiftAssignForm(request.POST, user=request.user, prefix="assign")
        form = ShiftForm(instance=shift, prefix="shift")
        if assign_form.is_valid():
            try:
                services.patrol_assign(user=request.user, shift=shift, volunteer=assign_form.cleaned_data["volunteer"])
            except ValidationError as error:
                add_errors(assign_form, error)
            else:
                messages.success(request, _("Volunteer added to the shift."))
                return redirect(shift)
        _not_saved(request)
    elif request.method == "POST" and request.POST.get("action") == "remove" and shift.pk:
        assignment = get_object_or_404(
            PatrolAssignment.objects.visible_to(request.user),
            pk=int_or_404(request.POST.get("assignment")),
            shift=shift,
        )
        services.patrol_unassign(user=request.user, assignment=assignment)
        messages.success(request, _("Volunteer taken off the shift."))
        return redirect(shift)
    elif request.method == "POST" and form.is_valid():
        try:
            saved = services.patrol_shift_save(user=request.user, shift=form.save(commit=False))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Shift saved."))
            return redirect(saved)
    elif request.method == "POST":
        _not_saved(request)
    return render(request, "care/shift_form.html", {"form": form, "assign_form": assign_form, "shift": shift})


# --- Notices -----------------------------------------------------------------------------------------


@login_required
def notice_list(request):
    return render(
        request,
        "care/notice_list.html",
        {
            "page": paginate(request, selectors.notice_list(user=request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@office_required
def notice_create(request):
    form = NoticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_publish(
                user=request.user,
                title=data["title"],
                body=data["body"],
                attachment=data.get("attachment"),
                branches=form.chosen_branches(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Notice published."))
            return redirect(notice)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/notice_form.html", {"form": form})


@login_required
def notice_detail(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(
        request,
        "care/notice_detail.html",
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
    retiree = get_object_or_404(Retiree.objects.visible_to(request.user), pk=form.cleaned_data["retiree"])
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


# --- Visits and campaigns --------------------------------------------------------------------------


@login_required
def visit_list(request):
    today = local_today()
    return render(
        request,
        "care/visit_list.html",
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
    retiree = selectors.retiree_for_care(user=request.user, pk=pk)
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
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_save(
                user=request.user, visit=form.save(commit=False), visitors=form.cleaned_data.get("visitors") or []
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Visit saved."))
            return redirect(next_url(request, visit.retiree.get_absolute_url()))
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/visit_form.html", {"form": form, "visit": visit})


@office_required
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.visit_campaign_create(
                user=request.user,
                title=data["title"],
                kind=data["kind"],
                target=data["target"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                branches=form.chosen_branches(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Campaign opened."))
            return redirect(campaign)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/campaign_form.html", {"form": form})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    rows = selectors.campaign_progress(user=request.user, campaign=campaign)
    total = sum(row["total"] for row in rows)
    done = sum(row["done"] for row in rows)
    return render(
        request,
        "care/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": rows,
            "totals": {"total": total, "done": done, "percent": round(100 * done / total) if total else 100},
            "missing": selectors.campaign_missing(user=request.user, campaign=campaign)[:300],
        },
    )


# --- Meetings ---------------------------------------------------------------------------------------------


@login_required
def meeting_list(request):
    return render(
        request,
        "care/meeting_list.html",
        {
            "page": paginate(request, selectors.meeting_list(user=request.user)),
            "querystring": querystring_without_page(request),
        },
    )


@office_required
def meeting_create(request):
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                user=request.user,
                title=data["title"],
                kind=data["kind"],
                mode=data["mode"],
                starts_at=data["starts_at"],
                place=data.get("place", ""),
                notes=data.get("notes", ""),
                branches=form.chosen_branches(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Meeting announced."))
            return redirect(meeting)
    if request.method == "POST":
        _not_saved(request)
    return render(request, "care/meeting_form.html", {"form": form})


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if request.method == "POST":
        invitation = selectors.invitation_get(user=request.user, pk=int_or_404(request.POST.get("invitation")))
        if invitation.meeting_id != meeting.pk:
            raise Http404
        value = request.POST.get("attended")
        attended = {"yes": True, "no": False}.get(value)
        services.invitation_record(user=request.user, invitation=invitation, attended=attended)
        messages.success(request, _("Attendance recorded for %(name)s.") % {"name": invitation.retiree.name})
        return redirect(f"{meeting.get_absolute_url()}#invitation-{invitation.pk}")
    return render(
        request,
        "care/meeting_detail.html",
        {
            "meeting": meeting,
            "page": paginate(request, selectors.meeting_invitations(user=request.user, meeting=meeting), 100),
            "querystring": querystring_without_page(request),
        },
    )


def roster_url(monday: datetime.date) -> str:
    return f"{reverse('care:roster')}?week={monday:%Y-%m-%d}"
