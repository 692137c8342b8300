"""Reads of visits and visit campaigns, always through the user's scope (`visible_to`)."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import is_office, kept_for
from branches.models import Branch
from checkins.choices import FRAIL_AGE
from core import calendar_cn
from core.addressing import progress_percent
from core.compiled import PARAMETER
from core.dates import local_today
from retirees.choices import CareLevel, Category
from retirees.models import Retiree, birth_date_bounds

from .choices import CampaignTarget, Festival, VisitStatus
from .models import FestivalOfferDismissal, Visit, VisitCampaign


def frail_filter(today: datetime.date) -> Q:
    """Aged 80 or over, or dependent (失能)."""
    _earliest, born_by = birth_date_bounds(FRAIL_AGE, None, today)
    return Q(care_level=CareLevel.DEPENDENT) | Q(birth_date__lte=born_by)


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
        .order_by(F("last_visited_on").asc(nulls_first=True), "branch", "name_pinyin", "id")
    )


def campaign_list(*, user):
    return VisitCampaign.objects.visible_to(user)


def campaign_get(*, user, pk) -> VisitCampaign:
    return get_object_or_404(VisitCampaign.objects.visible_to(user).prefetch_related("branches", "areas"), pk=pk)


def campaign_targets(*, user, campaign: VisitCampaign, today: datetime.date | None = None, residence_area: str = ""):
    """Active retirees in scope whom the campaign means to visit, each with `visited` (a done visit
    of this campaign, or any done visit inside its window); only those living in `residence_area`
    when given (the weekly report of one family area)."""
    today = today or local_today()
    retirees = Retiree.objects.visible_to(user).active()
    if residence_area:
        retirees = retirees.filter(residence_area=residence_area)
    queryset = campaign.addressees(retirees)
    if campaign.target == CampaignTarget.FRAIL:
        queryset = queryset.filter(frail_filter(today))
    elif campaign.target == CampaignTarget.LIXIU:
        queryset = queryset.filter(category=Category.LIXIU)
    visited = Visit.objects.filter(retiree=OuterRef("pk"), status=VisitStatus.DONE).filter(
        Q(campaign=campaign) | Q(visited_on__gte=campaign.starts_on, visited_on__lte=campaign.ends_on)
    )
    return queryset.annotate(visited=Exists(visited))


def campaign_progress(*, user, campaign: VisitCampaign, residence_area: str = "") -> list[dict]:
    """Per branch: retirees to visit, visited, percent (two queries)."""
    counts = {
        row["branch"]: row
        for row in campaign_targets(user=user, campaign=campaign, residence_area=residence_area)
        .order_by()
        .values("branch")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(visited=True)))
    }
    return [
        {
            "branch": branch,
            "total": counts[branch.pk]["total"],
            "done": counts[branch.pk]["done"],
            "percent": progress_percent(counts[branch.pk]["done"], counts[branch.pk]["total"]),
        }
        for branch in Branch.objects.filter(pk__in=counts.keys())
    ]


def campaigns_running(*, user, starts_on: datetime.date, ends_on: datetime.date):
    """Campaigns in scope whose window meets `starts_on`..`ends_on` (the weekly report), by start."""
    return campaign_list(user=user).filter(starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("starts_on", "id")


def visits_done_in_week(
    *, user, starts_on: datetime.date, ends_on: datetime.date, branch=None, residence_area: str = ""
) -> int:
    """Visits done between `starts_on` and `ends_on` (inclusive) to retirees in scope. One query."""
    visits = Visit.objects.visible_to(user).filter(
        status=VisitStatus.DONE, visited_on__gte=starts_on, visited_on__lte=ends_on
    )
    if branch is not None:
        visits = visits.filter(retiree__branch=branch)
    if residence_area:
        visits = visits.filter(retiree__residence_area=residence_area)
    return visits.count()


def campaign_missing(*, user, campaign: VisitCampaign):
    return (
        campaign_targets(user=user, campaign=campaign)
        .filter(visited=False)
        .select_related("branch")
        .order_by("branch", "name_pinyin", "id")
    )


def retiree_panel(*, user, retiree) -> dict:
    """The retiree page's visits (one query; at most 10): their dates and status, nothing joined."""
    visits = kept_for(user, ("retiree_visits",), lambda user: Visit.objects.visible_to(user).filter(retiree=PARAMETER))
    return {"visits": list(visits.bound(retiree.pk)[:10])}


# A festival's visit campaign is offered this many days ahead, until the festival day.
FESTIVAL_OFFER_DAYS = 30


def festival_window(festival_day: datetime.date, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The window offered for a festival's campaign: from two weeks before (or today, if later)
    to a week after, when the visits of 春节 and 重阳 are paid."""
    return max(today, festival_day - datetime.timedelta(days=14)), festival_day + datetime.timedelta(days=7)


def festival_offers(*, user, today: datetime.date | None = None) -> list[dict]:
    """The festivals within FESTIVAL_OFFER_DAYS for which the office has neither opened a campaign
    of that kind around the festival nor dismissed the offer: each with `festival`, `label`,
    `date`, `year`. Office staff only; two queries at most."""
    if not is_office(user):
        return []
    today = today or local_today()
    near = []
    for festival in Festival:
        for year in (today.year, today.year + 1):
            day = calendar_cn.festival_date(festival.value, year)
            if today <= day <= today + datetime.timedelta(days=FESTIVAL_OFFER_DAYS):
                near.append({"festival": festival.value, "label": festival.label, "date": day, "year": year})
    if not near:
        return []
    years = {offer["year"] for offer in near}
    dismissed = set(FestivalOfferDismissal.objects.filter(year__in=years).values_list("festival", "year"))
    earliest = min(o["date"] for o in near) - datetime.timedelta(days=60)
    opened = list(
        VisitCampaign.objects.filter(kind__in={o["festival"] for o in near}, ends_on__gte=earliest).values_list(
            "kind", "starts_on", "ends_on"
        )
    )
    return [
        offer
        for offer in near
        if (offer["festival"], offer["year"]) not in dismissed
        and not any(
            kind == offer["festival"]
            and starts_on - datetime.timedelta(days=60) <= offer["date"] <= ends_on + datetime.timedelta(days=30)
            for kind, starts_on, ends_on in opened
        )
    ]


def festival_campaign_initial(*, festival: str, year, today: datetime.date | None = None) -> dict:
    """The campaign form's initial values for a festival's offer; {} for anything else."""
    if festival not in Festival.values or not isinstance(year, int) or not 2000 <= year <= 2099:
        return {}
    today = today or local_today()
    day = calendar_cn.festival_date(festival, year)
    starts_on, ends_on = festival_window(day, today)
    if ends_on < starts_on:
        return {}
    return {
        "title": _("%(year)s %(festival)s visits") % {"year": year, "festival": Festival(festival).label},
        "kind": festival,
        "target": CampaignTarget.FRAIL,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
