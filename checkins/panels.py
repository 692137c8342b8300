"""The check-ins panel of the retiree page, asked for by the page's view (so its queries are the view's)."""

from accounts.access import may_lift_attention
from core.dates import local_today

from . import selectors

# The retiree page shows the latest contacts; the whole history is a page of its own (a retiree
# called every few days for years has hundreds, too many to scroll through on a phone).
TIMELINE_SHOWN = 10


def retiree_panel(*, user, retiree) -> dict:
    """The retiree's check-in schedule, attention, exemptions and latest contacts (four queries)."""
    today = local_today()
    # One more than shown: whether there is an earlier one to link to, without counting them all.
    timeline = selectors.latest_contacts(user=user, retiree=retiree, count=TIMELINE_SHOWN + 1)
    episodes = selectors.retiree_attention(user=user, retiree=retiree)
    exemptions = list(selectors.retiree_exemptions(user=user, retiree=retiree))
    return {
        "schedule": selectors.retiree_schedule(user=user, pk=retiree.pk, today=today, branch_id=retiree.branch_id),
        "attention_open": [episode for episode in episodes if episode.is_active_on(today)],
        "attention_past": [episode for episode in episodes if not episode.is_active_on(today)][:10],
        "may_lift_attention": may_lift_attention(user, retiree),
        "exemptions": exemptions,
        # One request at a time (checkins_exemption_one_pending): no button for a second one.
        "exemption_pending": any(exemption.is_pending for exemption in exemptions),
        "timeline": timeline[:TIMELINE_SHOWN],
        "timeline_more": len(timeline) > TIMELINE_SHOWN,
    }
