"""Reads of assistance requests, always through the user's scope (`visible_to`)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from accounts.access import kept_for
from core.compiled import PARAMETER
from ledgers import selectors as ledger_selectors

from .choices import UNFINISHED_STATUSES, AssistanceStatus
from .models import AssistanceRequest


def assistance_request_list(*, user):
    """Requests in scope with everything a row shows (one query); unfinished first, soonest needed first."""
    return AssistanceRequest.objects.visible_to(user).select_related(
        "retiree", "retiree__branch", "assigned_user", "assigned_volunteer__retiree", "created_by"
    )


def assistance_request_get(*, user, pk) -> AssistanceRequest:
    return get_object_or_404(
        assistance_request_list(user=user).select_related("contact", "assigned_by", "closed_by", "dose"), pk=pk
    )


def doses_before_completion(*, request: AssistanceRequest) -> list:
    """The doses already recorded for the retiree of an unfinished vaccination request, which its
    completion form does not offer again (one query; none for any other request)."""
    if not request.is_vaccination or request.is_closed:
        return []
    return ledger_selectors.retiree_doses(retiree=request.retiree)


def assistance_requests_unfinished(*, user):
    """Open and assigned requests in scope, soonest needed first (the digest)."""
    return (
        assistance_request_list(user=user)
        .filter(status__in=UNFINISHED_STATUSES)
        .order_by("needed_by", "created_at", "id")
    )


def retiree_assistance_requests(*, user, retiree):
    return kept_for(
        user,
        ("retiree_assistance_requests",),
        # What the retiree page's list shows (not the retiree and their branch: the page's own).
        lambda user: (
            AssistanceRequest.objects.visible_to(user)
            .select_related("assigned_user", "assigned_volunteer__retiree", "dose")
            .filter(retiree=PARAMETER)
            .order_by("-created_at", "-id")
        ),
    ).bound(retiree.pk)


def has_unfinished_request(*, today: datetime.date | None = None, overdue: bool = False) -> Exists:
    """For a retiree queryset: whether the retiree (`OuterRef("pk")`) has an unfinished request,
    or with `overdue` one needed before `today` (a subquery, for the care dashboard's counts)."""
    requests = AssistanceRequest.objects.filter(retiree=OuterRef("pk")).unfinished()
    if overdue:
        requests = requests.filter(needed_by__lt=today)
    return Exists(requests)


def retiree_panel(*, user, retiree) -> dict:
    """The retiree page's assistance requests (one query, at most 20)."""
    return {"requests": list(retiree_assistance_requests(user=user, retiree=retiree)[:20])}


def assistance_in_week(
    *, user, starts_on: datetime.date, ends_on: datetime.date, branch=None, residence_area: str = ""
) -> dict[str, dict]:
    """Per kind: requests made (created) and done (closed as done) between `starts_on` and `ends_on`,
    Asia/Shanghai days, inclusive, for the retirees in scope (the weekly report). One query."""
    requests = AssistanceRequest.objects.visible_to(user)
    if branch is not None:
        requests = requests.filter(retiree__branch=branch)
    if residence_area:
        requests = requests.filter(retiree__residence_area=residence_area)
    rows = (
        requests.order_by()
        .values("kind")
        .annotate(
            requested=Count("id", filter=Q(created_at__date__gte=starts_on, created_at__date__lte=ends_on)),
            done=Count(
                "id",
                filter=Q(status=AssistanceStatus.DONE, closed_at__date__gte=starts_on, closed_at__date__lte=ends_on),
            ),
        )
    )
    return {row["kind"]: {"requested": row["requested"], "done": row["done"]} for row in rows}


def requests_from_retiree(*, retiree, limit: int = 5) -> list[AssistanceRequest]:
    """The latest requests the retiree made on their own page, for that page to say where each
    stands (asked, taken by somebody, done). No user: the page has identified the retiree by their
    link, and shows only the kind and the status (one query)."""
    return list(
        AssistanceRequest.objects.filter(retiree=retiree, from_retiree=True).order_by("-created_at", "-id")[:limit]
    )
