"""The check-ins panel of the retiree page, asked for by the page's view (so its queries are the view's)."""

from . import selectors


def retiree_panel(*, user, retiree) -> dict:
    """The retiree's check-in schedule, exemptions and contact timeline (three queries)."""
    exemptions = list(selectors.retiree_exemptions(user=user, retiree=retiree))
    return {
        "schedule": selectors.retiree_schedule(user=user, pk=retiree.pk),
        "exemptions": exemptions,
        # One request at a time (checkins_exemption_one_pending): no button for a second one.
        "exemption_pending": any(exemption.is_pending for exemption in exemptions),
        "timeline": list(selectors.contact_timeline(user=user, retiree=retiree)),
    }
