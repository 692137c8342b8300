"""Reads for care and services, always through the user's scope (`visible_to`)."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import User
from branches.models import Branch
from core.dates import local_today
from retirees.choices import CareLevel, Category
from retirees.models import Retiree, birth_date_bounds

from .choices import FRAIL_AGE, AssistanceStatus, CampaignTarget, VisitStatus
from .models import (
    AssistanceRequest,
    CarePlan,
    Invitation,
    Meeting,
    Notice,
    NoticeDelivery,
    PatrolAssignment,
    PatrolShift,
    Visit,
    VisitCampaign,
    Volunteer,
)


def frail_filter(today: datetime.date) -> Q:
    """Aged 80 or over, or dependent (失能)."""
    _earliest, born_by = birth_date_bounds(FRAIL_AGE, None, today)
    return Q(care_level=CareLevel.DEPENDENT) | Q(birth_date__lte=born_by)


# --- Care plans ---------------------------------------------------------------------------------


def care_plan_list(*, user):
    """Care plans in scope with their retiree, branch and responsible person (one query)."""
    return (
        CarePlan.objects.visible_to(user)
        .filter(retiree__status="active")
        .select_related("retiree", "retiree__branch", "responsible")
        .order_by("review_on", "id")
    )


def lixiu_without_plan(*, user):
    """Active retired cadres (离休) in scope who have no care plan: each of them needs one."""
    return (
        Retiree.objects.visible_to(user)
        .active()
        .filter(category=Category.LIXIU, care_plan__isnull=True)
        .select_related("branch")
        .order_by("branch__name", "name_pinyin", "id")
    )


def care_plans_due_for_review(*, user, today: datetime.date | None = None, responsible: User | None = None):
    """Plans whose review date has come, in scope; with `responsible`, only theirs (the digest)."""
    queryset = CarePlan.objects.visible_to(user).due_for_review(today or local_today())
    if responsible is not None:
        queryset = queryset.filter(responsible=responsible)
    return queryset.select_related("retiree", "retiree__branch", "responsible").order_by("review_on", "id")


def retiree_for_care(*, user, pk) -> Retiree:
    """A retiree in scope (any status) with their branch and household contacts; 404 otherwise."""
    return get_object_or_404(
        Retiree.objects.visible_to(user).select_related("branch").prefetch_related("household_contacts"), pk=pk
    )


def care_plan_of(*, user, retiree: Retiree) -> CarePlan | None:
    return (
        CarePlan.objects.visible_to(user)
        .filter(retiree=retiree)
        .select_related("responsible")
        .prefetch_related("household_contacts")
        .first()
    )


def care_summary(*, user, today: datetime.date | None = None) -> dict:
    """Counts for the dashboard in one query: 离休 without a plan, plans due for review, unfinished
    and overdue assistance requests (all in the user's scope)."""
    today = today or local_today()
    requests = AssistanceRequest.objects.filter(retiree=OuterRef("pk"))
    unfinished = requests.filter(status__in=[AssistanceStatus.OPEN, AssistanceStatus.ASSIGNED])
    return (
        Retiree.objects.visible_to(user)
        .active()
        .aggregate(
            lixiu_without_plan=Count("pk", filter=Q(category=Category.LIXIU, care_plan__isnull=True)),
            plans_due=Count("pk", filter=Q(care_plan__review_on__lte=today)),
            requests_open=Count("pk", filter=Q(Exists(unfinished))),
            requests_overdue=Count("pk", filter=Q(Exists(unfinished.filter(needed_by__lt=today)))),
        )
    )


# --- Assistance requests ----------------------------------------------------------------------------


def assistance_request_list(*, user):
    """Requests in scope with everything a row shows (one query); unfinished first, soonest needed first."""
    return AssistanceRequest.objects.visible_to(user).select_related(
        "retiree", "retiree__branch", "assigned_user", "assigned_volunteer__retiree", "created_by"
    )


def assistance_request_get(*, user, pk) -> AssistanceRequest:
    return get_object_or_404(
        assistance_request_list(user=user).select_related("contact", "assigned_by", "closed_by"), pk=pk
    )


def assistance_requests_unfinished(*, user):
    """Open and assigned requests in scope, soonest needed first (the digest)."""
    return (
        assistance_request_list(user=user)
        .filter(status__in=[AssistanceStatus.OPEN, AssistanceStatus.ASSIGNED])
        .order_by("needed_by", "created_at", "id")
    )


def retiree_assistance_requests(*, user, retiree: Retiree):
    return assistance_request_list(user=user).filter(retiree=retiree).order_by("-created_at", "-id")


def assignable_volunteers(*, user):
    """Active volunteers in scope, for the assignee choice."""
    return Volunteer.objects.visible_to(user).active().select_related("retiree").order_by("retiree__name_pinyin")


# --- Volunteers and roster ---------------------------------------------------------------------------


def volunteer_list(*, user):
    return Volunteer.objects.visible_to(user).select_related("retiree", "retiree__branch")


def volunteer_get(*, user, pk) -> Volunteer:
    return get_object_or_404(volunteer_list(user=user), pk=pk)


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


# --- Notices -----------------------------------------------------------------------------------------


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


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


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
    for branch in Branch.objects.visible_to(user).filter(pk__in=counts.keys()).order_by("name"):
        row = counts[branch.pk]
        rows.append(
            {
                "branch": branch,
                "total": row["total"],
                "delivered": row["delivered"],
                "acknowledged": row["acknowledged"],
                "percent": _percent(row["delivered"], row["total"]),
            }
        )
    return rows


def notice_deliveries(*, user, notice: Notice):
    """Each addressed retiree in scope with their delivery, undelivered first."""
    return (
        NoticeDelivery.objects.visible_to(user)
        .filter(notice=notice)
        .select_related("retiree", "retiree__branch", "delivered_by")
        .order_by("acknowledged_at", "delivered_at", "retiree__branch__name", "retiree__name_pinyin", "id")
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


# --- Visits and campaigns --------------------------------------------------------------------------------


def visit_list(*, user):
    return (
        Visit.objects.visible_to(user)
        .select_related("retiree", "retiree__branch", "campaign")
        .prefetch_related("visitors")
    )


def visit_get(*, user, pk) -> Visit:
    return get_object_or_404(visit_list(user=user), pk=pk)


def visit_period_days() -> int:
    return settings.OUTREACH_VISIT_PERIOD_DAYS


def not_visited(*, user, today: datetime.date | None = None, days: int | None = None):
    """Active 80+ and dependent retirees in scope with no visit done in the last `days` days
    (the setting by default), each with `last_visited_on`; never visited first. One query."""
    today = today or local_today()
    since = today - datetime.timedelta(days=days or visit_period_days())
    done = Visit.objects.filter(retiree=OuterRef("pk"), status=VisitStatus.DONE)
    return (
        Retiree.objects.visible_to(user)
        .active()
        .filter(frail_filter(today))
        .annotate(last_visited_on=Subquery(done.order_by("-visited_on").values("visited_on")[:1]))
        .exclude(Exists(done.filter(visited_on__gte=since)))
        .select_related("branch")
        .order_by(F("last_visited_on").asc(nulls_first=True), "branch__name", "name_pinyin", "id")
    )


def campaign_list(*, user):
    return VisitCampaign.objects.visible_to(user)


def campaign_get(*, user, pk) -> VisitCampaign:
    return get_object_or_404(VisitCampaign.objects.visible_to(user).prefetch_related("branches"), pk=pk)


def campaign_targets(*, user, campaign: VisitCampaign, today: datetime.date | None = None):
    """Active retirees in scope whom the campaign means to visit, each with `visited` (a done visit
    of this campaign, or any done visit inside its window)."""
    today = today or local_today()
    queryset = Retiree.objects.visible_to(user).active()
    if not campaign.all_branches:
        queryset = queryset.filter(branch__in=campaign.branches.all())
    if campaign.target == CampaignTarget.FRAIL:
        queryset = queryset.filter(frail_filter(today))
    elif campaign.target == CampaignTarget.LIXIU:
        queryset = queryset.filter(category=Category.LIXIU)
    visited = Visit.objects.filter(retiree=OuterRef("pk"), status=VisitStatus.DONE).filter(
        Q(campaign=campaign) | Q(visited_on__gte=campaign.starts_on, visited_on__lte=campaign.ends_on)
    )
    return queryset.annotate(visited=Exists(visited))


def campaign_progress(*, user, campaign: VisitCampaign) -> list[dict]:
    """Per branch: retirees to visit, visited, percent (two queries)."""
    counts = {
        row["branch"]: row
        for row in campaign_targets(user=user, campaign=campaign)
        .order_by()
        .values("branch")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
    }
    return [
        {
            "branch": branch,
            "total": counts[branch.pk]["total"],
            "done": counts[branch.pk]["done"],
            "percent": _percent(counts[branch.pk]["done"], counts[branch.pk]["total"]),
        }
        for branch in Branch.objects.filter(pk__in=counts.keys()).order_by("name")
    ]


def campaign_missing(*, user, campaign: VisitCampaign):
    return (
        campaign_targets(user=user, campaign=campaign)
        .filter(visited=False)
        .select_related("branch")
        .order_by("branch__name", "name_pinyin", "id")
    )


def last_visit_dates(*, user, retiree: Retiree):
    return (
        Visit.objects.visible_to(user)
        .filter(retiree=retiree, status=VisitStatus.DONE)
        .aggregate(last=Max("visited_on"))["last"]
    )


# --- Meetings ---------------------------------------------------------------------------------------------


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
        .order_by("retiree__branch__name", "retiree__name_pinyin", "id")
    )


def invitation_get(*, user, pk) -> Invitation:
    return get_object_or_404(Invitation.objects.visible_to(user).select_related("meeting", "retiree"), pk=pk)
