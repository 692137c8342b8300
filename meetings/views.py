"""Pages for meetings and events. Views fetch through selectors (another branch's object is a 404)
and write through services; they hold no rules of their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import may_call_meeting
from core.forms import form_post, int_or_404
from core.pagination import paginate, querystring_without_page

from . import selectors, services
from .forms import MeetingForm

# What the attendance buttons post, as the value recorded (anything else: not known yet).
ATTENDED = {"yes": True, "no": False}


@login_required
def meeting_list(request):
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": paginate(request, selectors.meeting_list(user=request.user)),
            "querystring": querystring_without_page(request),
            "may_call_meeting": may_call_meeting(request.user),
        },
    )


@login_required
def meeting_create(request):
    if not may_call_meeting(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.meeting_create(
            user=request.user,
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            mode=form.cleaned_data["mode"],
            starts_at=form.cleaned_data["starts_at"],
            place=form.cleaned_data.get("place", ""),
            notes=form.cleaned_data.get("notes", ""),
            audience=form.audience(),
        ),
        success=_("Meeting announced."),
    )
    if saved:
        return redirect(saved.value)
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if request.method == "POST":
        invitation = selectors.invitation_get(user=request.user, pk=int_or_404(request.POST.get("invitation")))
        if invitation.meeting_id != meeting.pk:
            raise Http404
        attended = ATTENDED.get(request.POST.get("attended"))
        services.invitation_record(user=request.user, invitation=invitation, attended=attended)
        messages.success(request, _("Attendance recorded for %(name)s.") % {"name": invitation.retiree.name})
        return redirect(f"{meeting.get_absolute_url()}#invitation-{invitation.pk}")
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "page": paginate(request, selectors.meeting_invitations(user=request.user, meeting=meeting), 100),
            "querystring": querystring_without_page(request),
        },
    )
