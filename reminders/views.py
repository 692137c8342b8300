from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import office_required
from core import calendar_cn
from core.forms import form_post
from core.pagination import paginate

from . import services
from .forms import HolidayForm
from .models import Holiday, Notification, Reminder


def _own(user):
    """A user's notifications are theirs alone: the scope of this model is the recipient."""
    return Notification.objects.filter(recipient=user)


def _with_alert_flag(notifications):
    """Marks the immediate alerts, which the pages set apart from digests, with the retiree an
    alert is about (for a button to their page); in the same query."""
    return notifications.annotate(
        is_alert=ExpressionWrapper(Q(reminder__kind=Reminder.Kind.ALERT), output_field=BooleanField()),
        alert_retiree_id=F("reminder__retiree_id"),
    )


@login_required
def notification_list(request):
    page = paginate(request, _with_alert_flag(_own(request.user)).order_by("-created_at", "-id"))
    return render(request, "reminders/list.html", {"page": page})


@login_required
def notification_detail(request, pk):
    notification = get_object_or_404(_with_alert_flag(_own(request.user)), pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    return render(request, "reminders/detail.html", {"notification": notification})


@login_required
def notification_badge(request):
    """The bell's unread count, fetched by htmx after the page loads (keeps page query counts fixed)."""
    unread = _own(request.user).filter(read_at__isnull=True).count()
    return render(request, "reminders/_badge.html", {"unread": unread})


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("reminders:list")


@office_required
def holiday_list(request):
    """The holiday calendar: the statutory days (from the library) and the office's exceptions."""
    form = HolidayForm(request.POST or None)
    if form_post(
        request,
        form,
        lambda: services.holiday_exception_save(user=request.user, **form.cleaned_data),
        success=_("Saved."),
    ):
        return redirect("reminders:holidays")
    first_year, _next_year = services.holiday_years()
    return render(
        request,
        "reminders/holidays.html",
        {
            "form": form,
            "holidays": Holiday.objects.filter(date__year__gte=first_year).order_by("date")[:300],
            "years": services.holiday_calendar_status(),
            "library": calendar_cn.library_version(),
            "planned": services.next_planned_sends(),
            "expired_recent": services.deliveries_expired_count(days=7),
        },
    )


@office_required
@require_POST
def holiday_delete(request, pk):
    """Remove an office exception (the library's day for that date comes back)."""
    holiday = get_object_or_404(Holiday, pk=pk)
    try:
        restored = services.holiday_exception_remove(user=request.user, holiday=holiday)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Removed; the statutory calendar's day is back: %(name)s.") % {"name": restored.name}
            if restored
            else _("Removed."),
        )
    return redirect("reminders:holidays")


@office_required
@require_POST
def holidays_refresh(request):
    """Copy the statutory calendar again now (what the daily refresh and the command do)."""
    result = services.holidays_refresh()
    messages.success(
        request,
        _("Holiday calendar refreshed: %(added)s added, %(updated)s updated, %(removed)s removed.")
        % {"added": result.added, "updated": result.updated, "removed": result.removed},
    )
    return redirect("reminders:holidays")
