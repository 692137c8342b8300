"""Reads of care plans and the care services' overview, always through the user's scope (`visible_to`).

The overview counts assistance requests too: it reads them through `assistance.selectors`.
"""

import datetime

from accounts.access import kept_for
from accounts.models import User
from assistance.selectors import has_unfinished_request
from core.compiled import PARAMETER, kept_first
from core.dates import local_today
from core.db import counts
from retirees.choices import Category, Status
from retirees.models import Retiree

from .models import CarePlan


def care_plan_list(*, user):
    """Care plans in scope with their retiree, branch and responsible person (one query)."""
    return (
        CarePlan.objects.visible_to(user)
        .filter(retiree__status=Status.ACTIVE)
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
        .order_by("branch", "name_pinyin", "id")
    )


def lixiu_without_plan_ids(*, user, retirees) -> set:
    """Ids of the retired cadres (离休) among `retirees` who have no care plan the user can see.
    No query when none of them is a retired cadre; otherwise one, however many they are."""
    lixiu = [retiree.pk for retiree in retirees if retiree.category == Category.LIXIU]
    if not lixiu:
        return set()
    with_plan = CarePlan.objects.visible_to(user).filter(retiree_id__in=lixiu).values_list("retiree_id", flat=True)
    return set(lixiu) - set(with_plan)


def care_plans_due_for_review(*, user, today: datetime.date | None = None, responsible: User | None = None):
    """Plans whose review date has come, in scope; with `responsible`, only theirs (the digest)."""
    queryset = CarePlan.objects.visible_to(user).due_for_review(today or local_today())
    if responsible is not None:
        queryset = queryset.filter(responsible=responsible)
    return queryset.select_related("retiree", "retiree__branch", "responsible").order_by("review_on", "id")


def care_plan_of(*, user, retiree: Retiree) -> CarePlan | None:
    """The retiree's plan in scope with its responsible person and contacts (two queries), or None (one)."""
    plans = kept_for(
        user,
        ("care_plan_of",),
        lambda user: (
            CarePlan.objects.visible_to(user)
            .filter(retiree=PARAMETER)
            .select_related("responsible")
            .prefetch_related("household_contacts")
            .order_by("pk")
        ),
    )
    return kept_first(plans, retiree.pk)


def care_summary(*, user, today: datetime.date | None = None) -> dict:
    """Counts for the dashboard in one query: 离休 without a plan, plans due for review, unfinished
    and overdue assistance requests (all in the user's scope)."""
    today = today or local_today()
    scope = Retiree.objects.visible_to(user).active()
    # Counted one by one in the same query: the plans and requests (few) are then found from their
    # own tables, instead of two subqueries run for each of 100,000 retirees in one aggregate.
    return counts(
        lixiu_without_plan=scope.filter(category=Category.LIXIU, care_plan__isnull=True),
        plans_due=scope.filter(care_plan__review_on__lte=today),
        requests_open=scope.filter(has_unfinished_request()),
        requests_overdue=scope.filter(has_unfinished_request(today=today, overdue=True)),
    )


def retiree_panel(*, user, retiree: Retiree) -> dict:
    """The retiree page's care plan: the plan (two queries when there is one, else one) and
    whether a retired cadre still needs one."""
    plan = care_plan_of(user=user, retiree=retiree)
    return {"plan": plan, "needs_plan": plan is None and retiree.category == Category.LIXIU}
