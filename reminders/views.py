from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import office_required
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
    form = HolidayForm(request.POST or None)
    if form_post(request, form, form.save, success=_("Saved.")):
        return redirect("reminders:holidays")
    return render(
        request,
        "reminders/holidays.html",
        {
            "form": form,
            "holidays": Holiday.objects.order_by("-date")[:200],
            "planned": services.next_planned_sends(),
            "expired_recent": services.deliveries_expired_count(days=7),
        },
    )


@office_required
@require_POST
def holiday_delete(request, pk):
    get_object_or_404(Holiday, pk=pk).delete()
    messages.success(request, _("Removed."))
    return redirect("reminders:holidays")
