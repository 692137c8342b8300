"""Reads of volunteers and the patrol roster, always through the user's scope (`visible_to`)."""

import datetime

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from accounts.access import kept_for
from core.compiled import PARAMETER, kept_first

from .models import PatrolAssignment, PatrolShift, Volunteer


def volunteer_list(*, user):
    return Volunteer.objects.visible_to(user).select_related("retiree", "retiree__branch")


def volunteer_get(*, user, pk) -> Volunteer:
    return get_object_or_404(volunteer_list(user=user), pk=pk)


def volunteer_of(*, user, retiree) -> Volunteer | None:
    """The retiree's volunteer record in scope, if they volunteer (one query)."""
    volunteers = kept_for(
        user, ("volunteer_of",), lambda user: volunteer_list(user=user).filter(retiree=PARAMETER).order_by("pk")
    )
    return kept_first(volunteers, retiree.pk)


def assignable_volunteers(*, user):
    """Active volunteers in scope, for the assignee choice."""
    return Volunteer.objects.visible_to(user).active().select_related("retiree").order_by("retiree__name_pinyin")


def volunteer_is_active(*, pk) -> bool:
    """Whether volunteer `pk` is active (and their retiree too), whoever asks (one query)."""
    return Volunteer.objects.active().filter(pk=pk).exists()


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def roster_week(*, user, monday: datetime.date, area: str | None = None):
    """The week's shifts (Monday to Sunday), each with `filled` (all volunteers on it) and
    `visible_assignments` (those of them the user may see by name). Two queries."""
    queryset = PatrolShift.objects.visible_to(user).filter(
        date__gte=monday, date__lte=monday + datetime.timedelta(days=6)
    )
    if area:
        queryset = queryset.filter(area=area)
    return queryset.annotate(filled=Count("assignments")).prefetch_related(
        Prefetch(
            "assignments",
            queryset=PatrolAssignment.objects.visible_to(user).select_related("volunteer__retiree").order_by("id"),
            to_attr="visible_assignments",
        )
    )


def shift_get(*, user, pk) -> PatrolShift:
    return get_object_or_404(
        PatrolShift.objects.visible_to(user).prefetch_related(
            Prefetch(
                "assignments",
                queryset=PatrolAssignment.objects.visible_to(user).select_related("volunteer__retiree"),
                to_attr="visible_assignments",
            )
        ),
        pk=pk,
    )


def assignment_get(*, user, shift: PatrolShift, pk) -> PatrolAssignment:
    """One volunteer's place on `shift`, in scope; 404 otherwise."""
    return get_object_or_404(PatrolAssignment.objects.visible_to(user), pk=pk, shift=shift)


def retiree_panel(*, user, retiree) -> dict:
    """The retiree page's volunteer badge (one query)."""
    return {"volunteer": volunteer_of(user=user, retiree=retiree)}
