"""Reads of notices and their deliveries, always through the user's scope (`visible_to`)."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404

from branches.models import Branch
from core.addressing import progress_percent

from .models import Notice, NoticeDelivery


def notice_list(*, user):
    """Notices in scope, each with `addressed`, `delivered` and `acknowledged` counts over the
    retirees the user sees (one query)."""
    deliveries = NoticeDelivery.objects.visible_to(user).filter(notice=OuterRef("pk"))

    def count(queryset):
        return Subquery(queryset.order_by().values("notice").annotate(n=Count("pk")).values("n")[:1])

    return (
        Notice.objects.visible_to(user)
        .select_related("published_by")
        .annotate(
            addressed=count(deliveries),
            delivered=count(deliveries.filter(delivered_at__isnull=False)),
            acknowledged=count(deliveries.filter(acknowledged_at__isnull=False)),
        )
    )


def notice_get(*, user, pk) -> Notice:
    return get_object_or_404(Notice.objects.visible_to(user).select_related("published_by"), pk=pk)


def notice_progress(*, user, notice: Notice) -> list[dict]:
    """Per branch in scope: retirees addressed, delivered, acknowledged and the percent delivered (two queries)."""
    counts = {
        row["retiree__branch"]: row
        for row in NoticeDelivery.objects.visible_to(user)
        .filter(notice=notice)
        .order_by()
        .values("retiree__branch")
        .annotate(
            total=Count("pk"),
            delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
    }
    rows = []
    for branch in Branch.objects.visible_to(user).filter(pk__in=counts.keys()):
        row = counts[branch.pk]
        rows.append(
            {
                "branch": branch,
                "total": row["total"],
                "delivered": row["delivered"],
                "acknowledged": row["acknowledged"],
                "percent": progress_percent(row["delivered"], row["total"]),
            }
        )
    return rows


def notice_deliveries(*, user, notice: Notice):
    """Each addressed retiree in scope with their delivery, undelivered first."""
    return (
        NoticeDelivery.objects.visible_to(user)
        .filter(notice=notice)
        .select_related("retiree", "retiree__branch", "delivered_by")
        .order_by("acknowledged_at", "delivered_at", "retiree__branch", "retiree__name_pinyin", "id")
    )


def pending_notices_for(*, user, retiree_ids) -> dict[int, list[NoticeDelivery]]:
    """Unacknowledged deliveries for these retirees, by retiree id (one query whatever their number):
    the call list's small "delivered / acknowledged" action."""
    deliveries = (
        NoticeDelivery.objects.visible_to(user)
        .pending()
        .filter(retiree_id__in=list(retiree_ids))
        .select_related("notice")
        .order_by("notice__published_at", "id")
    )
    by_retiree: dict[int, list[NoticeDelivery]] = {}
    for delivery in deliveries:
        by_retiree.setdefault(delivery.retiree_id, []).append(delivery)
    return by_retiree


def notices_for_retiree(*, retiree, limit: int = 5) -> list[NoticeDelivery]:
    """The latest notices addressed to the retiree, with their delivery (read or not), for the
    retiree's own page: no user, the page has identified the retiree by their link (one query)."""
    return list(
        NoticeDelivery.objects.filter(retiree=retiree)
        .select_related("notice")
        .order_by("-notice__published_at", "-id")[:limit]
    )


def retiree_delivery(*, retiree, pk) -> NoticeDelivery | None:
    """One of the retiree's own deliveries with its notice (its attachment, on their page), or None."""
    return NoticeDelivery.objects.filter(retiree=retiree, pk=pk).select_related("notice").first()
