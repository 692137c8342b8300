"""The check-ins panel of the retiree page, asked for by the page's view (so its queries are the view's)."""

from . import selectors


def retiree_panel(*, user, retiree) -> dict:
    """The retiree's check-in schedule, exemptions and contact timeline (three queries)."""
    return {
        "schedule": selectors.retiree_schedule(user=user, pk=retiree.pk),
        "exemptions": list(selectors.retiree_exemptions(user=user, retiree=retiree)),
        "timeline": list(selectors.contact_timeline(user=user, retiree=retiree)),
    }
