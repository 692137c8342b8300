"""Reads for the retirees' own page and the office's link pages."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from assistance import selectors as assistance_selectors
from checkins import selectors as checkin_selectors
from core.names import split_name
from notices import selectors as notice_selectors
from retirees.choices import Status
from retirees.models import Retiree

from .models import RetireeLink


def surname(name: str) -> str:
    """The family name the page greets the retiree by (王老师; 欧阳老师): the one rule, core.names."""
    return split_name(name or "")[0]


def link_rows(*, user, branch=None):
    """Active retirees in scope (of `branch`, when given) with their live link's id, issue time,
    last use and use count (None without a link), by name: the office's link page (one query)."""
    live = RetireeLink.objects.live().filter(retiree=OuterRef("pk"))
    retirees = Retiree.objects.visible_to(user).active().select_related("branch")
    if branch is not None:
        retirees = retirees.filter(branch=branch)
    return retirees.annotate(
        link_id=Subquery(live.values("pk")[:1]),
        link_issued_at=Subquery(live.values("issued_at")[:1]),
        link_last_used_at=Subquery(live.values("last_used_at")[:1]),
        link_uses=Subquery(live.values("uses")[:1]),
    ).order_by("branch", "name_pinyin", "id")


def live_links(*, user, branch=None):
    """The live links of active retirees in scope (of `branch`), with the retiree and branch, by
    branch and name: the cards to print and the CSV (one query)."""
    links = RetireeLink.objects.visible_to(user).live().filter(retiree__status=Status.ACTIVE)
    if branch is not None:
        links = links.filter(retiree__branch=branch)
    return links.select_related("retiree", "retiree__branch").order_by("retiree__branch", "retiree__name_pinyin", "id")


def link_get(*, user, pk) -> RetireeLink:
    return get_object_or_404(RetireeLink.objects.visible_to(user).select_related("retiree"), pk=pk)


def page_state(*, link: RetireeLink) -> dict:
    """What the retiree's own page shows: their surname for the salutation (no other personal
    data), whether a call-back is waiting, their latest help requests and notices (three queries)."""
    retiree = link.retiree
    return {
        "surname": surname(retiree.name),
        "callback": checkin_selectors.callback_open(retiree=retiree),
        "help_requests": assistance_selectors.requests_from_retiree(retiree=retiree),
        "notices": notice_selectors.notices_for_retiree(retiree=retiree),
    }
