"""Reads of meetings and invitations, always through the user's scope (`visible_to`)."""

from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404

from .models import Invitation, Meeting


def meeting_list(*, user):
    """Meetings in scope with `invited` and `attended` counts over the retirees the user sees (one query)."""
    invitations = Invitation.objects.visible_to(user).filter(meeting=OuterRef("pk")).order_by().values("meeting")
    return Meeting.objects.visible_to(user).annotate(
        invited=Subquery(invitations.annotate(n=Count("pk")).values("n")[:1]),
        attended_count=Subquery(invitations.filter(attended=True).annotate(n=Count("pk")).values("n")[:1]),
    )


def meeting_get(*, user, pk) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(user), pk=pk)


def meeting_invitations(*, user, meeting: Meeting):
    return (
        Invitation.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("retiree", "retiree__branch")
        .order_by("retiree__branch", "retiree__name_pinyin", "id")
    )


def invitation_get(*, user, pk) -> Invitation:
    return get_object_or_404(Invitation.objects.visible_to(user).select_related("meeting", "retiree"), pk=pk)
